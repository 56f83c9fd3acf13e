//! `POST /v1/shops/{shop}/orders` and `POST .../orders/{id}/refund`.

use super::auth::Merchant;
use super::json::{self, Json};
use super::AppState;
use crate::clock;
use crate::error::{Error, Result};
use crate::store::orders::{self, NewOrder};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lojal_core::api::{OrderReply, RefundReply};
use lojal_core::requests::{OrderRequest, RefundRequest};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const MAX_CLOCK_SKEW_SECONDS: i64 = 300;

pub async fn create(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Json(order): Json<OrderRequest>,
) -> Result<(StatusCode, Json<OrderReply>)> {
    order.validate(&shop.currency)?;
    let now = clock::now();
    let created_at = match &order.created_at {
        Some(text) => OffsetDateTime::parse(text, &Rfc3339).map_err(|_| Error::BadTime)?.unix_timestamp(),
        None => now,
    };
    // An order from the future (a typo, a wrong time zone) would date its
    // points past others' expiry; a few minutes of clock skew are allowed.
    if created_at > now + MAX_CLOCK_SKEW_SECONDS {
        return Err(Error::FutureOrder);
    }
    let new = NewOrder {
        id: order.id,
        customer: order.customer,
        total: order.total,
        currency: order.currency,
        items: order.items,
        referral_code: order.referral_code,
        created_at,
        codes: canonical_codes(&order.codes),
    };
    let receipt = state.orders.ingest(&shop.id, shop.program, new, now).await?;
    if !receipt.duplicate {
        // Its items changed the co-occurrence counts picks are made from.
        state.models.changed(&shop.id);
        state.telemetry.order_ingested(&shop.id);
    }
    let status = if receipt.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(OrderReply { points_awarded: receipt.points_awarded, points: receipt.points })))
}

/// The order's codes in their canonical form, each once (`validate`
/// refused any that cannot be a code).
fn canonical_codes(typed: &[String]) -> Vec<String> {
    let mut codes: Vec<String> = typed.iter().filter_map(|c| lojal_core::codes::normalize(c)).collect();
    codes.sort();
    codes.dedup();
    codes
}

pub async fn refund(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, order_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<RefundReply>> {
    // The body is optional: no body refunds what is left of the order.
    let request: RefundRequest = json::parse_or_default(&body)?;
    request.validate()?;
    let mut tx = state.db.begin_write().await?;
    let receipt = orders::refund(
        &mut tx,
        &shop.id,
        &shop.program,
        &order_id,
        request.amount,
        request.id.as_deref(),
        clock::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(RefundReply {
        points_reversed: receipt.points_reversed,
        points: receipt.points,
        refundable: receipt.refundable,
    }))
}
