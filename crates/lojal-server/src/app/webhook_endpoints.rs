//! The merchant manages the shop's webhook endpoints (`POST/DELETE
//! .../webhooks`, `POST .../webhooks/{id}/enable`, `POST
//! .../webhooks/events/{event_id}/resend`, and `lojal-server webhook`):
//! each a write transaction of its own, at the `now` it is handed.

use crate::db::Db;
use crate::error::Result;
use crate::store::webhooks::{self, Created, Endpoint};

/// An endpoint's address and event types, checked
/// (`lojal_core::webhooks`): what [`add`] registers. Checked apart from
/// the registration so that the command line refuses a bad one before it
/// opens the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEndpoint {
    url: String,
    events: Vec<String>,
}

impl NewEndpoint {
    pub fn checked(url: String, events: Vec<String>) -> Result<NewEndpoint> {
        lojal_core::webhooks::validate_url(&url)?;
        lojal_core::webhooks::validate_events(&events)?;
        Ok(NewEndpoint { url, events })
    }
}

/// Registers an endpoint of `shop` (at most
/// [`lojal_core::webhooks::MAX_ENDPOINTS`]); the answer carries its signing
/// secret, shown this once.
pub async fn add(db: &Db, shop: &str, endpoint: &NewEndpoint, now: i64) -> Result<Created> {
    let mut tx = db.begin_write().await?;
    let created = webhooks::add(&mut tx, shop, &endpoint.url, &endpoint.events, now).await?;
    tx.commit().await?;
    Ok(created)
}

/// Removes an endpoint with its deliveries and their attempts.
pub async fn remove(db: &Db, shop: &str, id: &str) -> Result<()> {
    let mut tx = db.begin_write().await?;
    webhooks::remove(&mut tx, shop, id).await?;
    tx.commit().await
}

/// Switches a disabled endpoint back on (what waited is tried again from
/// `now`); an enabled one is left as it is. The endpoint as it then stands.
pub async fn enable(db: &Db, shop: &str, id: &str, now: i64) -> Result<Endpoint> {
    let mut tx = db.begin_write().await?;
    let enabled = webhooks::enable(&mut tx, shop, id, now * 1000).await?;
    let endpoint = webhooks::get(&mut tx, shop, id).await?;
    if enabled {
        tx.commit().await?;
    } else {
        // Nothing was written: no commit, which would count as a write and
        // discard the widget's kept views for nothing.
        tx.rollback().await?;
    }
    Ok(endpoint)
}

/// Sends event `event_id` again, from `now`, to every enabled endpoint of
/// the shop that receives its type; to how many.
pub async fn resend(db: &Db, shop: &str, event_id: &str, now: i64) -> Result<u64> {
    let mut tx = db.begin_write().await?;
    let endpoints = webhooks::resend(&mut tx, shop, event_id, now * 1000).await?;
    tx.commit().await?;
    Ok(endpoints)
}
