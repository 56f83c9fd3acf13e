//! A shop's webhook endpoints, the deliveries of the outbox's events to
//! them and every attempt; what the delivery worker claims and records.
//! Rows only, over the caller's connection: the merchant's endpoint
//! management begins its transactions in `app::webhook_endpoints`, the
//! delivery worker (`crate::webhooks`) in its own turns, and both hand in
//! the time (`now` in seconds, `now_ms` where a delivery is scheduled).

use crate::clock;
use crate::error::{Error, Result};
use crate::store::outbox;
use lojal_core::webhooks::{Event, PointsExpiring, MAX_ENDPOINTS};
use sqlx::{AnyConnection, Row};

/// An endpoint as the merchant sees it (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
    pub disabled_reason: Option<String>,
    /// Deliveries not yet made.
    pub pending: i64,
}

/// A new endpoint, with the secret that signs its deliveries.
pub struct Created {
    pub endpoint: Endpoint,
    pub secret: String,
}

impl std::fmt::Debug for Created {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Created").field("endpoint", &self.endpoint).field("secret", &"<redacted>").finish()
    }
}

/// `whsec_` and 32 random bytes as hex.
fn new_secret() -> String {
    format!("whsec_{}", random_hex::<32>())
}

fn random_hex<const N: usize>() -> String {
    use rand::Rng;
    let bytes: [u8; N] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Registers an endpoint of `shop`; `url` and `events` are checked by the
/// caller (`lojal_core::webhooks`). At most [`MAX_ENDPOINTS`] per shop.
/// Run in a write transaction: it locks the shop's row so that two
/// registrations cannot both pass the count.
pub async fn add(conn: &mut AnyConnection, shop: &str, url: &str, events: &[String], now: i64) -> Result<Created> {
    // One registration at a time per shop, so two cannot both pass the count.
    sqlx::query("UPDATE shops SET name = name WHERE id = $1").bind(shop).execute(&mut *conn).await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints WHERE shop_id = $1")
        .bind(shop)
        .fetch_one(&mut *conn)
        .await?;
    if count >= MAX_ENDPOINTS as i64 {
        return Err(Error::TooManyWebhooks);
    }
    let id = format!("whk_{}", random_hex::<12>());
    let secret = new_secret();
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, shop_id, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(shop)
    .bind(url)
    .bind(serde_json::to_string(events).expect("strings serialize"))
    .bind(&secret)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let endpoint = Endpoint {
        id,
        url: url.to_owned(),
        events: events.to_vec(),
        created_at: now,
        disabled_at: None,
        disabled_reason: None,
        pending: 0,
    };
    Ok(Created { endpoint, secret })
}

const ENDPOINT_COLUMNS: &str = "id, url, events, created_at, disabled_at, disabled_reason,
    (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.endpoint_id = w.id AND d.state = 'pending') AS pending";

fn endpoint(row: sqlx::any::AnyRow) -> Result<Endpoint> {
    let events: String = row.try_get("events")?;
    Ok(Endpoint {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        events: serde_json::from_str(&events).unwrap_or_default(),
        created_at: row.try_get("created_at")?,
        disabled_at: row.try_get("disabled_at")?,
        disabled_reason: row.try_get("disabled_reason")?,
        pending: row.try_get("pending")?,
    })
}

/// A shop's endpoints, oldest first.
pub async fn list(conn: &mut AnyConnection, shop: &str) -> Result<Vec<Endpoint>> {
    let rows = sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints w WHERE shop_id = $1 ORDER BY created_at, id"
    ))
    .bind(shop)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(endpoint).collect()
}

pub async fn get(conn: &mut AnyConnection, shop: &str, id: &str) -> Result<Endpoint> {
    let row =
        sqlx::query(&format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints w WHERE shop_id = $1 AND id = $2"))
            .bind(shop)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(endpoint).transpose()?.ok_or_else(|| Error::UnknownWebhook(id.to_owned()))
}

/// Removes an endpoint with its deliveries and their attempts.
pub async fn remove(conn: &mut AnyConnection, shop: &str, id: &str) -> Result<()> {
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM webhook_endpoints WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    if found.is_none() {
        return Err(Error::UnknownWebhook(id.to_owned()));
    }
    sqlx::query("DELETE FROM webhook_attempts WHERE endpoint_id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM webhook_deliveries WHERE endpoint_id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1").bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Switches a disabled endpoint back on: what was waiting is tried again
/// from `now_ms`, with a new day of retries. False when there was nothing
/// to switch on (enabled already, or no such endpoint).
pub async fn enable(conn: &mut AnyConnection, shop: &str, id: &str, now_ms: i64) -> Result<bool> {
    let changed = sqlx::query(
        "UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL
         WHERE shop_id = $1 AND id = $2 AND disabled_at IS NOT NULL",
    )
    .bind(shop)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE webhook_deliveries SET first_attempt_ms = NULL, next_attempt_ms = $1
         WHERE endpoint_id = $2 AND state = 'pending'",
    )
    .bind(now_ms)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// One attempt to deliver an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub event_id: String,
    pub event_type: String,
    /// Unix seconds.
    pub at: i64,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<i64>,
    pub duration_ms: i64,
    pub error: Option<String>,
}

/// An endpoint's attempts, newest first.
pub async fn attempts(conn: &mut AnyConnection, shop: &str, id: &str, limit: i64) -> Result<Vec<Attempt>> {
    get(conn, shop, id).await?;
    let rows = sqlx::query(
        "SELECT a.event_id, e.type, a.at, a.status, a.duration_ms, a.error
         FROM webhook_attempts a
         JOIN webhook_deliveries d ON d.id = a.delivery_id
         JOIN webhook_events e ON e.seq = d.event_seq
         WHERE a.endpoint_id = $1 ORDER BY a.id DESC LIMIT $2",
    )
    .bind(id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(Attempt {
                event_id: row.try_get("event_id")?,
                event_type: row.try_get("type")?,
                at: row.try_get("at")?,
                status: row.try_get("status")?,
                duration_ms: row.try_get("duration_ms")?,
                error: row.try_get("error")?,
            })
        })
        .collect()
}

/// An event in the outbox and where it stands with each endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSummary {
    pub id: String,
    pub event_type: String,
    pub customer: Option<String>,
    pub created_at: i64,
    pub deliveries: Vec<DeliveryState>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryState {
    pub endpoint_id: String,
    /// `pending` or `delivered`.
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// A shop's newest events, newest first.
pub async fn events(conn: &mut AnyConnection, shop: &str, limit: i64) -> Result<Vec<EventSummary>> {
    let rows = sqlx::query(
        "SELECT seq, id, type, customer_id, created_at FROM webhook_events WHERE shop_id = $1 ORDER BY seq DESC LIMIT $2",
    )
    .bind(shop)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let seq: i64 = row.try_get("seq")?;
        let deliveries = sqlx::query(
            "SELECT endpoint_id, state, attempts, last_error FROM webhook_deliveries WHERE event_seq = $1
             ORDER BY endpoint_id",
        )
        .bind(seq)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|d| {
            Ok(DeliveryState {
                endpoint_id: d.try_get("endpoint_id")?,
                state: d.try_get("state")?,
                attempts: d.try_get("attempts")?,
                last_error: d.try_get("last_error")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        events.push(EventSummary {
            id: row.try_get("id")?,
            event_type: row.try_get("type")?,
            customer: row.try_get("customer_id")?,
            created_at: row.try_get("created_at")?,
            deliveries,
        });
    }
    Ok(events)
}

/// Sends an event again to every enabled endpoint of the shop that
/// receives its type (also one registered after it happened), now and with
/// the same id and body, due from `now_ms`; returns to how many endpoints.
pub async fn resend(conn: &mut AnyConnection, shop: &str, event_id: &str, now_ms: i64) -> Result<u64> {
    let row = sqlx::query("SELECT seq, type, customer_id FROM webhook_events WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(event_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| Error::UnknownEvent(event_id.to_owned()))?;
    let (seq, kind, customer): (i64, String, Option<String>) =
        (row.try_get("seq")?, row.try_get("type")?, row.try_get("customer_id")?);
    let endpoints = sqlx::query("SELECT id, events FROM webhook_endpoints WHERE shop_id = $1 AND disabled_at IS NULL")
        .bind(shop)
        .fetch_all(&mut *conn)
        .await?;
    let mut sent = 0;
    for endpoint in endpoints {
        let id: String = endpoint.try_get("id")?;
        let events: String = endpoint.try_get("events")?;
        if !serde_json::from_str::<Vec<String>>(&events).unwrap_or_default().contains(&kind) {
            continue;
        }
        sqlx::query(
            "INSERT INTO webhook_deliveries (event_seq, endpoint_id, customer_id, state, attempts, next_attempt_ms)
             VALUES ($1, $2, $3, 'pending', 0, $4) ON CONFLICT DO NOTHING",
        )
        .bind(seq)
        .bind(&id)
        .bind(customer.as_deref())
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET state = 'pending', next_attempt_ms = $1, first_attempt_ms = NULL
             WHERE event_seq = $2 AND endpoint_id = $3",
        )
        .bind(now_ms)
        .bind(seq)
        .bind(&id)
        .execute(&mut *conn)
        .await?;
        sent += 1;
    }
    Ok(sent)
}

/// A delivery the worker has claimed (its `Debug` leaves the secret out).
#[derive(Clone)]
pub struct Due {
    pub delivery_id: i64,
    pub endpoint_id: String,
    pub event_id: String,
    pub url: String,
    pub secret: String,
    pub body: String,
    pub first_attempt_ms: Option<i64>,
    /// Attempts made before this one.
    pub attempts: i64,
}

impl std::fmt::Debug for Due {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Due")
            .field("delivery_id", &self.delivery_id)
            .field("endpoint_id", &self.endpoint_id)
            .field("event_id", &self.event_id)
            .field("secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Whether any delivery is due by `now_ms` to an enabled endpoint: the
/// worker's look before it begins a write transaction, which on SQLite
/// waits for the one writer and syncs the disk.
pub async fn any_due(conn: &mut AnyConnection, now_ms: i64) -> Result<bool> {
    Ok(!due_rows(conn, now_ms, 1).await?.is_empty())
}

/// Claims up to `limit` deliveries due by `now_ms` to enabled endpoints,
/// each the oldest one waiting of its member for its endpoint (one
/// member's events go out in order), until `lease_ms`: if this process dies
/// before recording the outcome, another try comes after it. Run in a write
/// transaction.
pub async fn claim(conn: &mut AnyConnection, now_ms: i64, lease_ms: i64, limit: i64) -> Result<Vec<Due>> {
    let rows = due_rows(conn, now_ms, limit).await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for row in rows {
        let delivery_id: i64 = row.try_get("id")?;
        // Only if still due: another process may have claimed it meanwhile
        // (PostgreSQL re-checks the condition after waiting for its lock).
        let taken = sqlx::query(
            "UPDATE webhook_deliveries SET next_attempt_ms = $1
             WHERE id = $2 AND state = 'pending' AND next_attempt_ms <= $3",
        )
        .bind(lease_ms)
        .bind(delivery_id)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
        if taken.rows_affected() == 0 {
            continue;
        }
        claimed.push(Due {
            delivery_id,
            endpoint_id: row.try_get("endpoint_id")?,
            event_id: row.try_get("event_id")?,
            url: row.try_get("url")?,
            secret: row.try_get("secret")?,
            body: row.try_get("body")?,
            first_attempt_ms: row.try_get("first_attempt_ms")?,
            attempts: row.try_get("attempts")?,
        });
    }
    Ok(claimed)
}

async fn due_rows(conn: &mut AnyConnection, now_ms: i64, limit: i64) -> Result<Vec<sqlx::any::AnyRow>> {
    Ok(sqlx::query(
        "SELECT d.id, d.endpoint_id, d.first_attempt_ms, d.attempts, e.id AS event_id, e.body, p.url, p.secret
         FROM webhook_deliveries d
         JOIN webhook_events e ON e.seq = d.event_seq
         JOIN webhook_endpoints p ON p.id = d.endpoint_id
         WHERE d.state = 'pending' AND d.next_attempt_ms <= $1 AND p.disabled_at IS NULL
           AND NOT EXISTS (
               SELECT 1 FROM webhook_deliveries b
               WHERE b.endpoint_id = d.endpoint_id AND b.customer_id = d.customer_id
                 AND b.state = 'pending' AND b.event_seq < d.event_seq)
         ORDER BY d.event_seq LIMIT $2",
    )
    .bind(now_ms)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// How an attempt went.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub at_ms: i64,
    pub status: Option<i64>,
    pub duration_ms: i64,
    /// `None`: delivered (a 2xx answer in time).
    pub error: Option<String>,
}

/// What comes after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    At(i64),
    /// The retry window has passed: the endpoint is switched off.
    GiveUp,
}

/// A claimed delivery's attempt, and what follows it.
#[derive(Debug, Clone)]
pub struct Finished {
    pub due: Due,
    pub outcome: Outcome,
    pub retry: Retry,
}

/// Records an attempt on a claimed delivery, and what follows it:
/// delivered, another try at a time, or the endpoint disabled with the
/// reason.
pub async fn finish(conn: &mut AnyConnection, finished: &Finished) -> Result<()> {
    let Finished { due, outcome, retry } = finished;
    let retry = *retry;
    // Gone if the endpoint was removed meanwhile.
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM webhook_deliveries WHERE id = $1")
        .bind(due.delivery_id)
        .fetch_optional(&mut *conn)
        .await?;
    if exists.is_none() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO webhook_attempts (delivery_id, endpoint_id, event_id, at, status, duration_ms, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(due.delivery_id)
    .bind(&due.endpoint_id)
    .bind(&due.event_id)
    .bind(outcome.at_ms / 1000)
    .bind(outcome.status)
    .bind(outcome.duration_ms)
    .bind(outcome.error.as_deref())
    .execute(&mut *conn)
    .await?;
    let first = due.first_attempt_ms.unwrap_or(outcome.at_ms);
    match &outcome.error {
        None => {
            sqlx::query(
                "UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = $1,
                 last_error = NULL, first_attempt_ms = $2 WHERE id = $3",
            )
            .bind(outcome.at_ms / 1000)
            .bind(first)
            .bind(due.delivery_id)
            .execute(&mut *conn)
            .await?;
        }
        Some(error) => {
            let next = match retry {
                Retry::At(at) => at,
                // Waits, for when the merchant enables the endpoint again.
                Retry::GiveUp => outcome.at_ms,
            };
            sqlx::query(
                "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $1, first_attempt_ms = $2,
                 next_attempt_ms = $3 WHERE id = $4",
            )
            .bind(error)
            .bind(first)
            .bind(next)
            .bind(due.delivery_id)
            .execute(&mut *conn)
            .await?;
            if retry == Retry::GiveUp {
                let reason = format!("deliveries kept failing, the last with: {error}");
                sqlx::query(
                    "UPDATE webhook_endpoints SET disabled_at = $1, disabled_reason = $2
                     WHERE id = $3 AND disabled_at IS NULL",
                )
                .bind(outcome.at_ms / 1000)
                .bind(reason)
                .bind(&due.endpoint_id)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    Ok(())
}

/// A member of a shop with an enabled endpoint for `points.expiring` whose
/// next points expire soon, not yet reminded of that expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiring {
    pub shop: String,
    pub customer: String,
    /// Unix seconds.
    pub at: i64,
    pub points: i64,
    pub balance: i64,
}

/// The members (at most 1000 at a time) of shops with an enabled endpoint
/// for `points.expiring` whose next points expire within `within` seconds
/// of `now` and who were not reminded of that expiry.
pub async fn expiring(conn: &mut AnyConnection, now: i64, within: i64) -> Result<Vec<Expiring>> {
    let rows = sqlx::query(
        "SELECT c.shop_id, c.id, c.next_expiry_at, c.next_expiry_points, c.points FROM customers c
         WHERE c.shop_id IN (SELECT shop_id FROM webhook_endpoints
                             WHERE disabled_at IS NULL AND events LIKE '%points.expiring%')
           AND c.next_expiry_at > $1 AND c.next_expiry_at <= $2 AND c.next_expiry_points > 0
           AND NOT EXISTS (SELECT 1 FROM webhook_events e WHERE e.once_key =
               'points.expiring:' || c.shop_id || ':' || c.id || ':' || CAST(c.next_expiry_at AS TEXT))
         LIMIT 1000",
    )
    .bind(now)
    .bind(now + within)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(Expiring {
                shop: row.try_get("shop_id")?,
                customer: row.try_get("id")?,
                at: row.try_get("next_expiry_at")?,
                points: row.try_get("next_expiry_points")?,
                balance: row.try_get("points")?,
            })
        })
        .collect()
}

/// Writes the `points.expiring` event of `member`, once per member and
/// expiry date (the outbox's once key); false if it was written before.
pub async fn remind(conn: &mut AnyConnection, member: &Expiring, now: i64) -> Result<bool> {
    let Expiring { shop, customer, at, points, balance } = member;
    let event = Event::PointsExpiring(PointsExpiring {
        customer: customer.clone(),
        points: *points,
        expires_at: clock::rfc3339(*at),
        balance: *balance,
    });
    let key = format!("points.expiring:{shop}:{customer}:{at}");
    outbox::record_once(conn, shop, Some(customer), &event, now, &key).await
}

/// Deletes the outbox's events about `customer` of `shop` (those written
/// for them as the member: pending ones are not sent), with their
/// deliveries and attempts, in the caller's transaction; for erasure.
/// Returns how many events were deleted. (A `referral.completed` is kept
/// under its referrer and names the new member in its body.)
pub async fn forget_member(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<u64> {
    let of_member = "SELECT seq FROM webhook_events WHERE shop_id = $1 AND customer_id = $2";
    sqlx::query(&format!(
        "DELETE FROM webhook_attempts WHERE delivery_id IN
         (SELECT id FROM webhook_deliveries WHERE event_seq IN ({of_member}))"
    ))
    .bind(shop)
    .bind(customer)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!("DELETE FROM webhook_deliveries WHERE event_seq IN ({of_member})"))
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    let deleted = sqlx::query("DELETE FROM webhook_events WHERE shop_id = $1 AND customer_id = $2")
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    Ok(deleted.rows_affected())
}
