//! A checkout spends a discount code on an order (`POST .../codes/{code}/use`),
//! once.

use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::redemptions::{self, StoredCode};
use crate::store::shops::Shop;
use lojal_core::requests::CodeUseRequest;

/// Marks `code` (canonical form) used by `request.order_id`; a points-off
/// code pays at most its share of the order, so its total is required.
pub async fn use_code(db: &Db, shop: &Shop, code: &str, request: &CodeUseRequest, now: i64) -> Result<StoredCode> {
    request.validate()?;
    let mut tx = db.begin_write().await?;
    let used = redemptions::use_code(&mut tx, &shop.id, code, &request.order_id, now).await?;
    if used.is_points_off() {
        let total = request.order_total.ok_or_else(|| {
            Error::Invalid(lojal_core::Error::InvalidRequest(
                "order_total is required to use a points-off code (it pays at most a share of the order)".into(),
            ))
        })?;
        redemptions::check_points_off_share(&mut tx, &shop.id, &shop.program, &request.order_id, total).await?;
    }
    tx.commit().await?;
    Ok(used)
}
