//! The facts the nudge rules look at (`lojal_core::nudge`), the one nudge
//! they choose, worded for the shopper, and the shopper's dismissals.

use crate::error::{Error, Result};
use crate::store::members::Member;
use crate::store::{carts, redemptions};
use crate::{clock, db};
use lojal_core::api::{self, Nudge};
use lojal_core::nudge::{self, CartFacts, Facts, NudgeKind};
use lojal_core::points;
use lojal_core::program::{Program, Reward};
use lojal_core::words::{self, Lang, NudgeFigures};
use sqlx::{AnyConnection, Row};

/// The nudge for `member` now, if any. May issue a win-back code (once per
/// lapse) in a write transaction of its own on `conn`, so `conn` must not be
/// in one.
pub async fn for_member(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    currency: &str,
    member: &Member,
    lang: Lang,
    now: i64,
) -> Result<Option<Nudge>> {
    let rules = &program.nudges;
    let held = crate::store::tier_standing::of(conn, shop, program, &member.id, member.lifetime_points, now).await?;
    let multiplier = held.multiplier(&program.tiers);
    let cart = carts::get(conn, shop, &member.id).await?.map(|(items, updated_at)| CartFacts {
        items: items.iter().map(|i| i.qty).sum(),
        points: points::for_purchase(
            program,
            api::cart_total(&items),
            lojal_core::currency::exponent(currency).unwrap_or(2),
            multiplier,
        ),
        updated_at,
    });
    let last_order_at: Option<i64> =
        sqlx::query_scalar("SELECT MAX(created_at) FROM orders WHERE shop_id = $1 AND customer_id = $2")
            .bind(shop)
            .bind(&member.id)
            .fetch_one(&mut *conn)
            .await?;
    let next_tier = held.next(&program.tiers);
    let mut dismissed = Vec::new();
    for row in sqlx::query("SELECT kind, at FROM nudge_dismissals WHERE shop_id = $1 AND customer_id = $2")
        .bind(shop)
        .bind(&member.id)
        .fetch_all(&mut *conn)
        .await?
    {
        if let Some(kind) = NudgeKind::parse(&row.try_get::<String, _>("kind")?) {
            dismissed.push((kind, row.try_get("at")?));
        }
    }
    let facts = Facts {
        now,
        cart,
        next_expiry: member.next_expiry_at.map(|at| (at, member.next_expiry_points)),
        last_order_at,
        next_tier: next_tier.as_ref().map(|n| (n.points_needed, n.tier.threshold)),
        dismissed,
    };
    let Some(kind) = nudge::choose(rules, &facts) else { return Ok(None) };
    let mut nudge = Nudge {
        kind: kind.as_str().to_owned(),
        text: String::new(),
        points: None,
        expires_at: None,
        code: None,
        reward_id: None,
    };
    let mut figures = NudgeFigures::default();
    let date;
    let code;
    match kind {
        NudgeKind::AbandonedCart => figures.points = facts.cart.map_or(0, |c| c.points),
        NudgeKind::ExpiringPoints => {
            let (at, points) = facts.next_expiry.unwrap_or_default();
            figures.points = points;
            let expires_at = clock::rfc3339(at);
            date = expires_at.get(..10).unwrap_or_default().to_owned();
            nudge.expires_at = Some(expires_at);
            figures.date = &date;
        }
        NudgeKind::WinBack => {
            let reward = rules.win_back_reward_id.as_deref().and_then(|id| program.reward(id));
            let Some(reward) = reward else { return Ok(None) };
            code = win_back_code(conn, shop, &member.id, reward, last_order_at.unwrap_or(0), now).await?;
            figures.name = &reward.title;
            figures.code = &code;
            nudge.code = Some(code.clone());
            nudge.reward_id = Some(reward.id.clone());
        }
        NudgeKind::NextTier => {
            let next = next_tier.as_ref().expect("the rule saw a next tier");
            figures.points = next.points_needed;
            figures.name = &next.tier.name;
        }
    }
    if kind != NudgeKind::WinBack {
        nudge.points = Some(figures.points);
    }
    nudge.text = words::nudge(lang, kind, &figures);
    Ok(Some(nudge))
}

/// The member's win-back code for the lapse after their last order (at
/// `last_order_at`): the one issued for it, or a new one. Parallel page
/// views must agree on one code, so issuing is a write transaction and the
/// schema keeps one win-back per lapse (migration 0012).
async fn win_back_code(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    reward: &Reward,
    last_order_at: i64,
    now: i64,
) -> Result<String> {
    // Every view after the first only reads: no write lock per page view.
    if let Some(code) = issued_win_back(conn, shop, customer, last_order_at).await? {
        return Ok(code);
    }
    let mut tx = db::begin_write_on(conn).await?;
    // On SQLite the lock serialises the views: a later one finds the code here.
    if let Some(code) = issued_win_back(&mut tx, shop, customer, last_order_at).await? {
        tx.commit().await?;
        return Ok(code);
    }
    let code = redemptions::issue(&mut tx, shop, customer, reward, 0, now).await?;
    // ON CONFLICT rather than catching the error: on PostgreSQL an error
    // would abort the transaction.
    let claimed = sqlx::query(
        "INSERT INTO win_backs (shop_id, customer_id, code, reward_id, issued_at, last_order_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (shop_id, customer_id, last_order_at) DO NOTHING",
    )
    .bind(shop)
    .bind(customer)
    .bind(&code)
    .bind(&reward.id)
    .bind(now)
    .bind(last_order_at)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if claimed {
        tx.commit().await?;
        return Ok(code);
    }
    // On PostgreSQL a parallel view committed its code first: ours is rolled
    // back (no orphan code) and theirs, committed, is the member's.
    tx.rollback().await?;
    issued_win_back(conn, shop, customer, last_order_at)
        .await?
        // The conflict that refused ours was that row: it is there.
        .ok_or(Error::Database(sqlx::Error::RowNotFound))
}

async fn issued_win_back(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    last_order_at: i64,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT code FROM win_backs WHERE shop_id = $1 AND customer_id = $2 AND last_order_at = $3")
        .bind(shop)
        .bind(customer)
        .bind(last_order_at)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Keeps `kind` away from the member for the program's dismissal period.
pub async fn dismiss(conn: &mut AnyConnection, shop: &str, customer: &str, kind: NudgeKind, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO nudge_dismissals (shop_id, customer_id, kind, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (shop_id, customer_id, kind) DO UPDATE SET at = excluded.at",
    )
    .bind(shop)
    .bind(customer)
    .bind(kind.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
