//! `POST /v1/shops/{shop}/orders` and `POST .../orders/{id}/refund`.

use super::auth::Merchant;
use super::json::{self, Json};
use super::AppState;
use crate::clock;
use crate::error::{Error, Result};
use crate::store::earning::{self, Terms};
use crate::store::guest_points::{self, GuestOrder, PendingRefund};
use crate::store::orders::{self, NewOrder};
use crate::store::redemptions;
use crate::store::shops::Shop;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lojal_core::api::{OrderReply, RefundReply};
use lojal_core::guest::GuestPoints;
use lojal_core::identity::CustomerId;
use lojal_core::requests::{OrderRequest, RefundRequest};
use lojal_core::tiers;
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
    let Some(customer) = order.customer else {
        // Pending guest points are counted in the shop's currency only: a
        // guest's order in another is refused, whatever the rates.
        lojal_core::requests::accepted_rate(&order.currency, &shop.currency, &Default::default())?;
        return guest_order(&state, &shop, &order, created_at, now).await;
    };
    let terms =
        Terms { shop_currency: &shop.currency, shipping: order.shipping, tax: order.tax, discount: order.discount };
    let new = NewOrder {
        id: order.id,
        customer,
        total: order.total,
        currency: order.currency,
        items: order.items,
        referral_code: order.referral_code,
        created_at,
        codes: canonical_codes(&order.codes),
    };
    let receipt = state.orders.ingest(&shop.id, shop.program, new, &terms, now).await?;
    if !receipt.duplicate {
        // Its items changed the co-occurrence counts picks are made from.
        state.models.changed(&shop.id);
        state.telemetry.order_ingested(&shop.id);
    }
    let status = if receipt.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((
        status,
        Json(OrderReply {
            points_awarded: receipt.points_awarded,
            points: receipt.points,
            points_pending: None,
            pending_until: None,
        }),
    ))
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
    let refunded = orders::refund_lines(
        &mut tx,
        &shop.id,
        &shop.program,
        &order_id,
        request.amount,
        &request.items,
        request.id.as_deref(),
        clock::now(),
    )
    .await;
    let receipt = match refunded {
        // A guest's order, whose points may still wait for them.
        Err(Error::UnknownOrder(_)) => {
            let (amount, id) = (request.amount, request.id.as_deref());
            match guest_points::refund_pending(&mut tx, &shop.id, &order_id, amount, id).await? {
                PendingRefund::Refunded { .. } if !request.items.is_empty() => {
                    // Its lines are not kept: only an amount can be refunded.
                    return Err(lojal_core::Error::InvalidRequest(
                        "a guest's order is refunded by amount, not by items".into(),
                    )
                    .into());
                }
                PendingRefund::Refunded { points_taken, refundable } => {
                    tx.commit().await?;
                    // A guest has no balance: `points` is 0; the pending ones went down.
                    return Ok(Json(RefundReply { points_reversed: points_taken, points: 0, refundable }));
                }
                // Claimed while this refund began: a member's order now.
                PendingRefund::Claimed => {
                    orders::refund_lines(
                        &mut tx,
                        &shop.id,
                        &shop.program,
                        &order_id,
                        amount,
                        &request.items,
                        id,
                        clock::now(),
                    )
                    .await?
                }
                PendingRefund::Unknown => return Err(Error::UnknownOrder(order_id)),
            }
        }
        other => other?,
    };
    tx.commit().await?;
    Ok(Json(RefundReply {
        points_reversed: receipt.points_reversed,
        points: receipt.points,
        refundable: receipt.refundable,
    }))
}

/// A guest's order (no `customer`, an `email_hash`): recorded for the
/// metrics and, with `program.guest_points`, its points kept pending for
/// the guest to claim by joining. Without the rule it earns nothing, as a
/// platform's guest order.
async fn guest_order(
    state: &AppState,
    shop: &Shop,
    order: &OrderRequest,
    created_at: i64,
    now: i64,
) -> Result<(StatusCode, Json<OrderReply>)> {
    let email_hash = order.email_hash.as_ref().expect("validate requires customer or email_hash");
    // Days of waiting 0 when the program keeps none: recorded, nothing pending.
    let rule = shop.program.guest_points.unwrap_or(GuestPoints { pending_days: 0 });
    let guest = GuestOrder { id: &order.id, email_hash, total: order.total, currency: &order.currency, created_at };
    let mut tx = state.db.begin_write().await?;
    // What the order would earn a new member (the first tier's multiplier),
    // by the same rules as a member's order: excluded lines, shipping, tax
    // and discounts as the program counts them, a running campaign.
    let as_member = NewOrder {
        id: order.id.clone(),
        customer: CustomerId::parse("guest").expect("a valid id"),
        total: order.total,
        currency: order.currency.clone(),
        items: order.items.clone(),
        referral_code: None,
        created_at,
        codes: Vec::new(),
    };
    let terms =
        Terms { shop_currency: &shop.currency, shipping: order.shipping, tax: order.tax, discount: order.discount };
    let first_tier = tiers::multiplier_for(&shop.program.tiers, 0);
    let earning = earning::compute(&mut tx, &shop.id, &shop.program, &as_member, &terms, None, first_tier).await?;
    // Without the rule nothing waits to be claimed, whatever the order's date.
    let pending = if shop.program.guest_points.is_some() { earning.points } else { 0 };
    let receipt = guest_points::record(&mut tx, &shop.id, rule, &guest, pending, now).await?;
    // A member's code used at a guest checkout is used all the same.
    let codes = canonical_codes(&order.codes);
    redemptions::use_for_order(&mut tx, &shop.id, &shop.program, &codes, &order.id, order.total, now).await?;
    tx.commit().await?;
    let status = if receipt.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    let pending_until = (receipt.points_pending > 0).then(|| clock::rfc3339(receipt.pending_until));
    Ok((
        status,
        Json(OrderReply { points_awarded: 0, points: 0, points_pending: Some(receipt.points_pending), pending_until }),
    ))
}
