//! What a signed-in shopper has in their cart (`PUT .../cart`), for the
//! abandoned-cart nudge and points-off rewards.

use crate::app::enrol;
use crate::db::Db;
use crate::error::Result;
use crate::store::carts;
use crate::store::shops::Shop;
use lojal_core::identity::CustomerId;
use lojal_core::requests::CartRequest;

/// Replaces `customer`'s cart (enrolled if new).
pub async fn put(db: &Db, shop: &Shop, customer: &CustomerId, cart: &CartRequest, now: i64) -> Result<()> {
    cart.validate()?;
    let mut tx = db.begin_write().await?;
    enrol::member(&mut tx, &shop.id, &shop.program, customer, now).await?;
    carts::put(&mut tx, &shop.id, customer.as_str(), &cart.items, now).await?;
    tx.commit().await?;
    Ok(())
}
