//! The webhook outbox: an event is written in the transaction of the change
//! that caused it, with one delivery row per endpoint that receives it, so a
//! rolled-back change sends nothing and a committed one is sent even if the
//! process dies right after. The delivery worker (`crate::webhooks`) sends
//! what is here.
//!
//! A shop without an enabled endpoint subscribed to an event's type pays
//! one indexed read per event and writes nothing.

use crate::clock::rfc3339;
use crate::error::Result;
use crate::store::ledger::Entry;
use lojal_core::program::Tier;
use lojal_core::tiers;
use lojal_core::webhooks::{Envelope, Event, PointsMoved, TierChanged};
use sqlx::{AnyConnection, Row};

/// Writes `event` of `shop` (about member `customer`, whose events go out
/// in the order they are written) to the outbox for every enabled endpoint
/// subscribed to its type, in the caller's transaction. `now`: Unix seconds
/// of the change.
pub async fn record(
    conn: &mut AnyConnection,
    shop: &str,
    customer: Option<&str>,
    event: &Event,
    now: i64,
) -> Result<()> {
    let subscribers = Subscribers::of(conn, shop).await?;
    write(conn, shop, customer, event, now, None, &subscribers).await.map(|_| ())
}

/// [`record`], at most once for `key` ever: `false` if an event with this
/// key was written before (or no endpoint receives it).
pub async fn record_once(
    conn: &mut AnyConnection,
    shop: &str,
    customer: Option<&str>,
    event: &Event,
    now: i64,
    key: &str,
) -> Result<bool> {
    let subscribers = Subscribers::of(conn, shop).await?;
    write(conn, shop, customer, event, now, Some(key), &subscribers).await
}

/// The events of one ledger row just appended (and the member's cached
/// figures moved): `points.earned`, `.spent`, `.reversed` or `.expired` by
/// its sign and reason, and `tier.changed` when its lifetime points crossed
/// a threshold of `tiers`. Called by `ledger` only.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn ledger_row(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    tiers: &[Tier],
    entry: &Entry<'_>,
    spending: bool,
    towards_tier: bool,
    now: i64,
) -> Result<()> {
    let subscribers = Subscribers::of(conn, shop).await?;
    if subscribers.is_empty() {
        return Ok(());
    }
    let row = sqlx::query("SELECT points, lifetime_points FROM customers WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(customer)
        .fetch_one(&mut *conn)
        .await?;
    let (balance, lifetime): (i64, i64) = (row.try_get("points")?, row.try_get("lifetime_points")?);
    let moved = PointsMoved {
        customer: customer.to_owned(),
        points: entry.delta,
        balance,
        reason: entry.reason.as_str().to_owned(),
        order_id: entry.order_id.map(str::to_owned),
        reward_id: entry.reward_id.map(str::to_owned),
        note: entry.note.map(str::to_owned),
    };
    let event = if entry.delta > 0 {
        Event::PointsEarned(moved)
    } else if entry.reason == crate::store::ledger::Reason::Expiry {
        Event::PointsExpired(moved)
    } else if spending {
        Event::PointsSpent(moved)
    } else {
        Event::PointsReversed(moved)
    };
    write(conn, shop, Some(customer), &event, now, None, &subscribers).await?;
    if towards_tier && !tiers.is_empty() {
        let before = tiers::tier_for(tiers, lifetime - entry.delta);
        let after = tiers::tier_for(tiers, lifetime);
        if let (Some(before), Some(after)) = (before, after) {
            if before.id != after.id {
                let event = Event::TierChanged(TierChanged {
                    customer: customer.to_owned(),
                    from: Some(before.id.clone()),
                    to: after.id.clone(),
                    direction: if after.threshold > before.threshold { "up" } else { "down" }.to_owned(),
                    lifetime_points: lifetime,
                });
                write(conn, shop, Some(customer), &event, now, None, &subscribers).await?;
            }
        }
    }
    Ok(())
}

/// A shop's enabled endpoints and the event types each receives.
struct Subscribers(Vec<(String, Vec<String>)>);

impl Subscribers {
    async fn of(conn: &mut AnyConnection, shop: &str) -> Result<Subscribers> {
        let rows = sqlx::query("SELECT id, events FROM webhook_endpoints WHERE shop_id = $1 AND disabled_at IS NULL")
            .bind(shop)
            .fetch_all(&mut *conn)
            .await?;
        let mut endpoints = Vec::with_capacity(rows.len());
        for row in rows {
            let events: String = row.try_get("events")?;
            // Written by `store::webhooks` from a checked list.
            endpoints.push((row.try_get("id")?, serde_json::from_str(&events).unwrap_or_default()));
        }
        Ok(Subscribers(endpoints))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(_, events)| events.iter().any(|e| e == kind)).map(|(id, _)| id.as_str())
    }
}

async fn write(
    conn: &mut AnyConnection,
    shop: &str,
    customer: Option<&str>,
    event: &Event,
    now: i64,
    once: Option<&str>,
    subscribers: &Subscribers,
) -> Result<bool> {
    let kind = event.type_name();
    let endpoints: Vec<&str> = subscribers.of_type(kind).collect();
    if endpoints.is_empty() {
        return Ok(false);
    }
    let id = new_event_id();
    let envelope = Envelope { id: id.clone(), event: event.clone(), created_at: rfc3339(now), shop: shop.to_owned() };
    let body = serde_json::to_string(&envelope).expect("an event serializes");
    let seq: Option<i64> = sqlx::query_scalar(
        "INSERT INTO webhook_events (id, shop_id, customer_id, type, body, created_at, once_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING seq",
    )
    .bind(&id)
    .bind(shop)
    .bind(customer)
    .bind(kind)
    .bind(&body)
    .bind(now)
    .bind(once)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(seq) = seq else { return Ok(false) };
    // Due from the change on: the worker claims it at its next look.
    let due = now * 1000;
    for endpoint in endpoints {
        sqlx::query(
            "INSERT INTO webhook_deliveries (event_seq, endpoint_id, customer_id, state, attempts, next_attempt_ms)
             VALUES ($1, $2, $3, 'pending', 0, $4)",
        )
        .bind(seq)
        .bind(endpoint)
        .bind(customer)
        .bind(due)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// `evt_` and 24 random hex digits (96 bits).
fn new_event_id() -> String {
    use rand::Rng;
    let bytes: [u8; 12] = rand::rng().random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("evt_{hex}")
}
