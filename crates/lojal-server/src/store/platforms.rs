//! Orders straight from the platform: each shop's platform secrets, the
//! guest orders deliveries bring, and what a verified delivery's actions
//! do (`lojal_core::platforms`), through the same order ingestion and
//! refunds as `POST .../orders`.

use crate::clock;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::orders::{self, NewOrder};
use crate::store::privacy;
use crate::store::redemptions;
use crate::store::shops::Shop;
use lojal_core::platforms::{Action, DeliveryReply, Platform, PlatformOrder};
use sqlx::AnyConnection;
use std::fmt;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The refund id a cancellation is recorded under: a redelivered
/// cancellation then gives nothing back twice.
const CANCELLATION: &str = "cancel";
/// Orders may be dated a few minutes ahead (clock skew), not more.
const MAX_CLOCK_SKEW_SECONDS: i64 = 300;

/// A platform's signing secret; its `Debug` never shows it.
#[derive(Clone)]
pub struct PlatformSecret(String);

impl PlatformSecret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PlatformSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlatformSecret(<redacted>)")
    }
}

/// Checks a platform secret as given to `shop platform`: 1 to 256
/// printable characters (the platform makes it; Lojal only keeps it).
pub fn check_secret(secret: &str) -> Result<()> {
    if secret.is_empty() || secret.chars().count() > 256 || secret.chars().any(|c| c.is_control() || c == ' ') {
        return Err(Error::Operation(
            "a platform secret must be 1 to 256 characters without spaces, as the platform shows it".into(),
        ));
    }
    Ok(())
}

/// Sets (or replaces) shop `shop`'s secret for `platform`.
pub async fn set_secret(db: &Db, shop: &str, platform: Platform, secret: &str) -> Result<()> {
    check_secret(secret)?;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO shop_platforms (shop_id, platform, secret, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (shop_id, platform) DO UPDATE SET secret = excluded.secret, updated_at = excluded.updated_at",
    )
    .bind(shop)
    .bind(platform.as_str())
    .bind(secret)
    .bind(clock::now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Shop `shop`'s secret for `platform`, if one is set.
pub async fn secret(db: &Db, shop: &str, platform: Platform) -> Result<Option<PlatformSecret>> {
    let secret: Option<String> =
        sqlx::query_scalar("SELECT secret FROM shop_platforms WHERE shop_id = $1 AND platform = $2")
            .bind(shop)
            .bind(platform.as_str())
            .fetch_optional(&db.pool)
            .await?;
    Ok(secret.map(PlatformSecret))
}

/// Guest orders (from platforms and the API) and their net revenue, for
/// the metrics; one a member claimed on joining is theirs now (`orders`).
pub async fn guest_totals(conn: &mut AnyConnection, shop: &str) -> Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(total - refunded), 0) AS BIGINT) FROM guest_orders
         WHERE shop_id = $1 AND claimed_by IS NULL",
    )
    .bind(shop)
    .fetch_one(&mut *conn)
    .await?)
}

/// What applying one action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub reply: DeliveryReply,
    /// A new order was ingested (the recommendation model changed).
    pub ingested: bool,
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

/// Applies `action` of a verified delivery from `platform`. `conn` must be
/// a write transaction. Errors that refuse the delivery (a future date) or
/// that the caller handles (`OrderConflict`, code errors) are returned
/// before anything is written.
pub async fn apply(
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
    let created_at = match &order.created_at {
        Some(text) => OffsetDateTime::parse(text, &Rfc3339).map_err(|_| Error::BadTime)?.unix_timestamp(),
        None => now,
    };
    if created_at > now + MAX_CLOCK_SKEW_SECONDS {
        return Err(Error::FutureOrder);
    }
    let Some(customer) = &order.customer else {
        // A guest's order earns nothing; it counts in the metrics. Its
        // Lojal codes are used all the same (a member who checked out
        // without signing in), or a code could be spent twice.
        redemptions::use_for_order(conn, &shop.id, &shop.program, &order.codes, &order.id, order.total, now).await?;
        let inserted = sqlx::query(
            "INSERT INTO guest_orders (shop_id, id, platform, total, currency, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(&shop.id)
        .bind(&order.id)
        .bind(platform.as_str())
        .bind(order.total)
        .bind(&order.currency)
        .bind(created_at)
        .execute(&mut *conn)
        .await?;
        let mut done = outcome("guest_order", Some(&order.id));
        done.reply.points_awarded = Some(0);
        if inserted.rows_affected() == 0 {
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
    let receipt = orders::ingest(conn, &shop.id, &shop.program, &new, now).await?;
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
        match orders::refund(conn, &shop.id, &shop.program, order_id, asked, refund_id, now).await {
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
    let found: Option<(i64, i64)> =
        sqlx::query_as("SELECT total, refunded FROM guest_orders WHERE shop_id = $1 AND id = $2")
            .bind(&shop.id)
            .bind(order_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((total, refunded)) = found else {
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
        let inserted = sqlx::query(
            "INSERT INTO guest_refunds (shop_id, order_id, id, amount) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(&shop.id)
        .bind(order_id)
        .bind(id)
        .bind(amount)
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok(ignored(Some(order_id), "this refund was applied before"));
        }
    }
    sqlx::query(
        "UPDATE guest_orders SET refunded = CASE WHEN refunded + $1 > total THEN total ELSE refunded + $1 END
         WHERE shop_id = $2 AND id = $3",
    )
    .bind(amount)
    .bind(&shop.id)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    Ok(outcome("refunded", Some(order_id)))
}
