//! Shops as requests see them, kept in memory: every request names its
//! shop, and reading the shop, its program and origins from the database
//! each time was a fifth of a widget request's queries.
//!
//! A kept shop is used while [`Db::shops_generation`] stands: a write that
//! changes a shop moves it in this process as it commits, and in every
//! other process on the same database as soon as they hear of it
//! (PostgreSQL's `NOTIFY`, SQLite's `write_marks`), so a program changed
//! through any server or `lojal-server shop program` is what the next
//! request sees. A kept shop is also read again after `BACKSTOP`: a server
//! of an older version beside this one during a rolling upgrade changes
//! shops without announcing it, and a listener whose connection died
//! silently hears nothing.

use crate::db::Db;
use crate::error::Result;
use crate::store::shops::{self, Shop};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

const BACKSTOP: Duration = Duration::from_secs(5);

/// A shop as read, with the shops generation read before it and when.
#[derive(Debug)]
struct Kept {
    generation: u64,
    read_at: Instant,
    shop: Arc<Shop>,
}

#[derive(Debug, Default)]
pub struct ShopCache {
    entries: RwLock<HashMap<String, Kept>>,
}

impl ShopCache {
    pub async fn get(&self, db: &Db, id: &str) -> Result<Arc<Shop>> {
        let generation = db.shops_generation();
        if let Some(shop) = self.kept(id, generation) {
            return Ok(shop);
        }
        let shop = Arc::new(shops::get(db, id).await?);
        let kept = Kept { generation, read_at: Instant::now(), shop: shop.clone() };
        self.entries.write().unwrap_or_else(|e| e.into_inner()).insert(id.to_owned(), kept);
        Ok(shop)
    }

    fn kept(&self, id: &str, generation: u64) -> Option<Arc<Shop>> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .get(id)
            .filter(|kept| kept.generation == generation && kept.read_at.elapsed() < BACKSTOP)
            .map(|kept| kept.shop.clone())
    }

    /// After this server changed the shop outside a [`crate::db::WriteTx`]
    /// marked as changing it: the next request reads it anew.
    pub fn forget(&self, id: &str) {
        self.entries.write().unwrap_or_else(|e| e.into_inner()).remove(id);
    }
}
