//! Shops as requests see them, kept in memory for a few seconds: every
//! request names its shop, and reading the shop, its program and origins
//! from the database each time was a fifth of a widget request's queries.
//!
//! A program changed through this server is seen at once (`forget`); one
//! changed by another process (`lojal-server shop program`, a second
//! server on the same PostgreSQL) within `TTL`.

use crate::db::Db;
use crate::error::Result;
use crate::store::shops::{self, Shop};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
pub struct ShopCache {
    entries: RwLock<HashMap<String, (Instant, Arc<Shop>)>>,
}

impl ShopCache {
    pub async fn get(&self, db: &Db, id: &str) -> Result<Arc<Shop>> {
        if let Some(shop) = self.fresh(id) {
            return Ok(shop);
        }
        let shop = Arc::new(shops::get(db, id).await?);
        self.entries.write().unwrap_or_else(|e| e.into_inner()).insert(id.to_owned(), (Instant::now(), shop.clone()));
        Ok(shop)
    }

    fn fresh(&self, id: &str) -> Option<Arc<Shop>> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries.get(id).filter(|(at, _)| at.elapsed() < TTL).map(|(_, shop)| shop.clone())
    }

    /// After this server changed the shop: the next request reads it anew.
    pub fn forget(&self, id: &str) {
        self.entries.write().unwrap_or_else(|e| e.into_inner()).remove(id);
    }
}
