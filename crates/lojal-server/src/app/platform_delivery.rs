//! A platform's verified webhook delivery (Shopify, WooCommerce): its
//! actions (`lojal_core::platforms`) applied in one write transaction,
//! through the same order ingestion and refunds as `POST .../orders`.

use crate::app::{ingest_order, refund};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::orders::NewOrder;
use crate::store::shops::Shop;
use crate::store::{earning::Terms, platforms, privacy, redemptions};
use lojal_core::platforms::{Action, DeliveryReply, Platform, PlatformOrder};
use sqlx::AnyConnection;

/// The refund id a cancellation is recorded under: a redelivered
/// cancellation then gives nothing back twice.
const CANCELLATION: &str = "cancel";

/// What a delivery did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The first action's answer: the order's (a WooCommerce order's
    /// refunds follow it).
    pub reply: DeliveryReply,
    /// How many new orders were ingested (each changed the co-occurrence
    /// counts).
    pub ingested: usize,
}

/// What applying one action did.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    reply: DeliveryReply,
    /// A new order was ingested.
    ingested: bool,
}

/// Applies a verified delivery's `actions`. An order whose Lojal codes
/// cannot be used still earns (the codes are left as they are); an order
/// that earned before with other contents (a platform edit) is answered as
/// done: it earns once.
pub async fn deliver(
    db: &Db,
    shop: &Shop,
    platform: Platform,
    mut actions: Vec<Action>,
    now: i64,
) -> Result<Delivered> {
    let outcomes = match apply_all(db, shop, platform, &actions, now).await {
        Err(
            Error::CodeNotFound(_)
            | Error::CodeUsed { .. }
            | Error::CodeVoid(_)
            | Error::CodeExpired(_)
            | Error::CodeOverShare { .. },
        ) => {
            tracing::warn!(shop = %shop.id, platform = platform.as_str(), "an order's Lojal code could not be used; it earns without it");
            for action in &mut actions {
                if let Action::Earn(order) = action {
                    order.codes.clear();
                }
            }
            apply_all(db, shop, platform, &actions, now).await
        }
        other => other,
    };
    let outcomes = match outcomes {
        Err(Error::OrderConflict(id)) => {
            let reason = "this order earned before with other contents; it earns once".to_owned();
            let reply = DeliveryReply {
                result: "ignored".into(),
                order_id: Some(id),
                points_awarded: None,
                reason: Some(reason),
            };
            return Ok(Delivered { reply, ingested: 0 });
        }
        other => other?,
    };
    let ingested = outcomes.iter().filter(|o| o.ingested).count();
    let reply = outcomes.into_iter().next().map(|o| o.reply).unwrap_or_else(|| DeliveryReply {
        result: "ignored".into(),
        order_id: None,
        points_awarded: None,
        reason: Some("nothing to do".into()),
    });
    Ok(Delivered { reply, ingested })
}

/// Every action in one write transaction, all or nothing.
async fn apply_all(db: &Db, shop: &Shop, platform: Platform, actions: &[Action], now: i64) -> Result<Vec<Outcome>> {
    let mut tx = db.begin_write().await?;
    let mut outcomes = Vec::with_capacity(actions.len());
    for action in actions {
        outcomes.push(apply(&mut tx, shop, platform, action, now).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}

fn outcome(result: &str, order_id: Option<&str>) -> Outcome {
    Outcome {
        reply: DeliveryReply {
            result: result.to_owned(),
            order_id: order_id.map(str::to_owned),
            points_awarded: None,
            reason: None,
        },
        ingested: false,
    }
}

fn ignored(order_id: Option<&str>, reason: impl Into<String>) -> Outcome {
    let mut ignored = outcome("ignored", order_id);
    ignored.reply.reason = Some(reason.into());
    ignored
}

/// Applies `action` of a verified delivery from `platform`. Errors that
/// refuse the delivery (a future date) or that the caller handles
/// (`OrderConflict`, code errors) are returned before anything is written.
async fn apply(
    conn: &mut AnyConnection,
    shop: &Shop,
    platform: Platform,
    action: &Action,
    now: i64,
) -> Result<Outcome> {
    match action {
        Action::Earn(order) => earn(conn, shop, platform, order, now).await,
        Action::Refund { order_id, refund_id, amount } => {
            refund(conn, shop, order_id, refund_id.as_deref(), *amount, now).await
        }
        Action::Cancel { order_id } => {
            let mut done = refund(conn, shop, order_id, Some(CANCELLATION), None, now).await?;
            if done.reply.result == "refunded" {
                done.reply.result = "cancelled".into();
            }
            Ok(done)
        }
        Action::Redact { customer } => {
            privacy::erase(conn, shop, customer.as_str()).await?;
            Ok(outcome("erased", None))
        }
        Action::DataRequest { .. } => {
            // Nothing personal in the log: the merchant answers the request
            // from GET .../customers/{id}/export.
            tracing::info!(shop = %shop.id, platform = platform.as_str(), "customer data request received");
            Ok(outcome("data_request_noted", None))
        }
        Action::Ignore(reason) => Ok(ignored(None, reason.clone())),
    }
}

async fn earn(
    conn: &mut AnyConnection,
    shop: &Shop,
    platform: Platform,
    order: &PlatformOrder,
    now: i64,
) -> Result<Outcome> {
    let created_at = ingest_order::created_at(order.created_at.as_deref(), now)?;
    let Some(customer) = &order.customer else {
        // A guest's order earns nothing; it counts in the metrics. Its
        // Lojal codes are used all the same (a member who checked out
        // without signing in), or a code could be spent twice.
        redemptions::use_for_order(conn, &shop.id, &shop.program, &order.codes, &order.id, order.total, now).await?;
        let inserted = platforms::insert_guest_order(conn, &shop.id, platform, order, created_at).await?;
        let mut done = outcome("guest_order", Some(&order.id));
        done.reply.points_awarded = Some(0);
        if !inserted {
            done.reply.reason = Some("this guest order was received before".into());
        }
        return Ok(done);
    };
    let new = NewOrder {
        id: order.id.clone(),
        customer: customer.clone(),
        total: order.total,
        currency: order.currency.clone(),
        items: order.items.clone(),
        referral_code: None,
        created_at,
        codes: order.codes.clone(),
    };
    let terms = Terms::plain(&new.currency);
    let receipt = ingest_order::within(conn, &shop.id, &shop.program, &new, &terms, now).await?;
    let mut done = outcome("earned", Some(&order.id));
    done.reply.points_awarded = Some(receipt.points_awarded);
    done.ingested = !receipt.duplicate;
    if receipt.duplicate {
        done.reply.reason = Some("this order earned before; it earns once".into());
    }
    Ok(done)
}

async fn refund(
    conn: &mut AnyConnection,
    shop: &Shop,
    order_id: &str,
    refund_id: Option<&str>,
    amount: Option<i64>,
    now: i64,
) -> Result<Outcome> {
    let mut asked = amount;
    for _ in 0..2 {
        match refund::within(conn, &shop.id, &shop.program, order_id, asked, &[], refund_id, now).await {
            Ok(_) => return Ok(outcome("refunded", Some(order_id))),
            // The platform refunded more than Lojal has left of the order
            // (shipping refunded twice, say): what is left goes back.
            Err(Error::RefundTooLarge { refundable }) if refundable > 0 => asked = Some(refundable),
            Err(Error::AlreadyRefunded(_) | Error::RefundTooLarge { .. }) => {
                return Ok(ignored(Some(order_id), "nothing is left of this order to refund"))
            }
            Err(Error::RefundConflict(_)) => {
                return Ok(ignored(Some(order_id), "this refund was applied before"));
            }
            Err(Error::UnknownOrder(_)) => return refund_guest(conn, shop, order_id, refund_id, amount).await,
            Err(e) => return Err(e),
        }
    }
    Ok(ignored(Some(order_id), "nothing is left of this order to refund"))
}

async fn refund_guest(
    conn: &mut AnyConnection,
    shop: &Shop,
    order_id: &str,
    refund_id: Option<&str>,
    amount: Option<i64>,
) -> Result<Outcome> {
    let Some((total, refunded)) = platforms::guest_order_refunded(conn, &shop.id, order_id).await? else {
        // Placed before the shop was connected, or never paid: nothing of
        // it is here to give back.
        return Ok(ignored(Some(order_id), "this order is not known here"));
    };
    let left = total - refunded;
    let amount = amount.unwrap_or(left).min(left);
    if amount <= 0 {
        return Ok(ignored(Some(order_id), "nothing is left of this order to refund"));
    }
    if let Some(id) = refund_id {
        if !platforms::record_guest_refund(conn, &shop.id, order_id, id, amount).await? {
            return Ok(ignored(Some(order_id), "this refund was applied before"));
        }
    }
    platforms::add_guest_refunded(conn, &shop.id, order_id, amount).await?;
    Ok(outcome("refunded", Some(order_id)))
}
