//! Discount codes: points turned into a code (a redemption), codes given
//! (a full stamp card, a win-back offer, a referee's welcome reward), and
//! what a checkout does with them: check, use once, void.
//!
//! A code is used by at most one order. Using and voiding are conditional
//! updates of the code's row (`WHERE used_by_order IS NULL AND voided_at IS
//! NULL`), so of two checkouts racing for one code exactly one changes the
//! row: on PostgreSQL the second waits for the first's row lock and then
//! finds the condition false; on SQLite the write transactions queue.

use crate::error::{Error, Result};
use crate::store::{codes, outbox};
use lojal_core::api::CodeView;
use lojal_core::codes::{self as code_rules, CodeStatus};
use lojal_core::program::{Program, Reward, RewardKind};
use lojal_core::webhooks::{CodeEvent, Event};
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption {
    pub code: String,
    pub points_spent: i64,
    pub points: i64,
}

/// What one redemption spends and what its code takes off: a reward's
/// cost and value, or the member's choice for a `points_off` reward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Worth {
    pub points: i64,
    /// Minor units (percent for a `percent_discount`), as the code carries it.
    pub value: i64,
}

impl Worth {
    /// The reward's own cost and value.
    pub fn of(reward: &Reward) -> Worth {
        Worth { points: reward.cost, value: reward.value }
    }
}

/// Announces `redemption`, a member's of `reward`.
pub async fn record_redeemed(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    reward: &Reward,
    redemption: &Redemption,
    now: i64,
) -> Result<()> {
    let redeemed = lojal_core::webhooks::RewardRedeemed {
        customer: customer.to_owned(),
        reward_id: reward.id.clone(),
        code: redemption.code.clone(),
        points: redemption.points_spent,
        balance: redemption.points,
    };
    outbox::record(conn, shop, Some(customer), &Event::RewardRedeemed(redeemed), now).await
}

/// Notes that `code` was issued because of order `order_id`.
pub async fn tie_to_order(conn: &mut AnyConnection, shop: &str, code: &str, order_id: &str) -> Result<()> {
    sqlx::query("UPDATE redemptions SET issued_for_order = $1 WHERE shop_id = $2 AND code = $3")
        .bind(order_id)
        .bind(shop)
        .bind(code)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Voids the unused codes issued because of order `order_id` (it was
/// refunded). They cost nothing, so no points go back.
pub async fn void_for_order(conn: &mut AnyConnection, shop: &str, order_id: &str, now: i64) -> Result<()> {
    let voided = sqlx::query(
        "UPDATE redemptions SET voided_at = $1
         WHERE shop_id = $2 AND issued_for_order = $3 AND voided_at IS NULL AND used_by_order IS NULL
         RETURNING code, customer_id, reward_id",
    )
    .bind(now)
    .bind(shop)
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    for row in voided {
        let (code, customer, reward_id): (String, String, String) =
            (row.try_get("code")?, row.try_get("customer_id")?, row.try_get("reward_id")?);
        let event = CodeEvent {
            customer: Some(customer.clone()),
            code,
            reward_id: Some(reward_id),
            order_id: Some(order_id.to_owned()),
            reason: Some("refund".to_owned()),
        };
        outbox::record(conn, shop, Some(&customer), &Event::CodeVoided(event), now).await?;
    }
    Ok(())
}

/// Records a new, unique discount code for `reward`, worth what the reward
/// says now and lasting its `expires_after_days`.
pub async fn issue(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    reward: &Reward,
    points_spent: i64,
    now: i64,
) -> Result<String> {
    issue_worth(conn, shop, customer, reward, Worth { points: points_spent, value: reward.value }, now).await
}

/// [`issue`] worth `worth.value` rather than the reward's own value.
pub async fn issue_worth(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    reward: &Reward,
    worth: Worth,
    now: i64,
) -> Result<String> {
    let expires_at = code_rules::expires_at(now, reward.expires_after_days);
    // A clash of codes (one in 10^12 per issued code) draws again. ON
    // CONFLICT rather than catching the error: on PostgreSQL an error would
    // abort the whole transaction.
    for _ in 0..5 {
        let code = codes::discount_code();
        let inserted = sqlx::query(
            "INSERT INTO redemptions (shop_id, code, customer_id, reward_id, points_spent, created_at,
                                      title, kind, value, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
        )
        .bind(shop)
        .bind(&code)
        .bind(customer)
        .bind(&reward.id)
        .bind(worth.points)
        .bind(now)
        .bind(&reward.title)
        .bind(reward.kind.as_str())
        .bind(worth.value)
        .bind(expires_at)
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(code);
        }
    }
    Err(Error::CodeSpaceExhausted)
}

/// A code as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    pub code: String,
    pub customer: String,
    pub reward_id: String,
    pub points_spent: i64,
    pub issued_at: i64,
    pub used_at: Option<i64>,
    pub used_by_order: Option<String>,
    pub expires_at: Option<i64>,
    pub voided_at: Option<i64>,
    /// What the reward said when the code was issued (absent for codes
    /// issued before codes kept it).
    worth: Option<(String, RewardKind, i64)>,
}

impl StoredCode {
    /// A points-as-money-off code: its use must know the order's total.
    pub fn is_points_off(&self) -> bool {
        matches!(self.worth, Some((_, RewardKind::PointsOff, _)))
    }

    fn event(&self, order_id: Option<&str>, reason: Option<&str>) -> CodeEvent {
        CodeEvent {
            customer: Some(self.customer.clone()),
            code: self.code.clone(),
            reward_id: Some(self.reward_id.clone()),
            order_id: order_id.map(str::to_owned),
            reason: reason.map(str::to_owned),
        }
    }

    pub fn status(&self, now: i64) -> CodeStatus {
        CodeStatus::of(self.used_at, self.voided_at, self.expires_at, now)
    }

    /// The answer a checkout and the widget get. An older code reads its
    /// worth from the program; one whose reward the program no longer has
    /// is worth nothing (value 0) under its reward's id.
    pub fn view(&self, program: &Program, currency: &str, now: i64) -> CodeView {
        let (title, kind, value) = self.worth.clone().unwrap_or_else(|| match program.reward(&self.reward_id) {
            Some(reward) => (reward.title.clone(), reward.kind, reward.value),
            None => (self.reward_id.clone(), RewardKind::FixedDiscount, 0),
        });
        let time = |t: Option<i64>| t.map(crate::clock::rfc3339);
        CodeView {
            code: self.code.clone(),
            customer: self.customer.clone(),
            reward_id: self.reward_id.clone(),
            title,
            kind,
            value,
            currency: currency.to_owned(),
            status: self.status(now),
            points_spent: self.points_spent,
            issued_at: crate::clock::rfc3339(self.issued_at),
            used_at: time(self.used_at),
            order_id: self.used_by_order.clone(),
            expires_at: time(self.expires_at),
            voided_at: time(self.voided_at),
        }
    }
}

const COLUMNS: &str = "code, customer_id, reward_id, points_spent, created_at, used_at, used_by_order, expires_at,
                       voided_at, title, kind, value";

fn stored_code(row: &sqlx::any::AnyRow) -> Result<StoredCode> {
    let title: Option<String> = row.try_get("title")?;
    let kind: Option<String> = row.try_get("kind")?;
    let value: Option<i64> = row.try_get("value")?;
    let worth = match (title, kind.as_deref().and_then(RewardKind::parse), value) {
        (Some(title), Some(kind), Some(value)) => Some((title, kind, value)),
        _ => None,
    };
    Ok(StoredCode {
        code: row.try_get("code")?,
        customer: row.try_get("customer_id")?,
        reward_id: row.try_get("reward_id")?,
        points_spent: row.try_get("points_spent")?,
        issued_at: row.try_get("created_at")?,
        used_at: row.try_get("used_at")?,
        used_by_order: row.try_get("used_by_order")?,
        expires_at: row.try_get("expires_at")?,
        voided_at: row.try_get("voided_at")?,
        worth,
    })
}

/// The code `code` (canonical form), if the shop issued it.
pub async fn find(conn: &mut AnyConnection, shop: &str, code: &str) -> Result<Option<StoredCode>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM redemptions WHERE shop_id = $1 AND code = $2"))
        .bind(shop)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(stored_code).transpose()
}

/// A member's latest codes, newest first.
pub async fn of_member(conn: &mut AnyConnection, shop: &str, customer: &str, limit: i64) -> Result<Vec<StoredCode>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM redemptions WHERE shop_id = $1 AND customer_id = $2
         ORDER BY created_at DESC, code DESC LIMIT $3"
    ))
    .bind(shop)
    .bind(customer)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(stored_code).collect()
}

/// Marks each of `codes` used by order `order_id` (as [`use_code`]) and
/// checks the points-off ones together against the order's total (as
/// [`check_points_off_share`]): what every kind of order that names codes
/// does, a member's, a guest's or a platform's.
pub async fn use_for_order(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    codes: &[String],
    order_id: &str,
    order_total: i64,
    now: i64,
) -> Result<()> {
    for code in codes {
        use_code(conn, shop, code, order_id, now).await?;
    }
    if !codes.is_empty() {
        check_points_off_share(conn, shop, program, order_id, order_total).await?;
    }
    Ok(())
}

/// Points-as-money-off codes pay, together, at most their reward's share
/// of the order that uses them (`max_share_percent` of `order_total`,
/// minor units). Checked once the order is known, after its codes are
/// marked used, because the cart a redemption was capped by is the
/// shopper's to write, and several codes may be redeemed against one cart.
pub async fn check_points_off_share(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order_id: &str,
    order_total: i64,
) -> Result<()> {
    let used: Vec<(String, i64)> = sqlx::query_as(
        "SELECT reward_id, CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM redemptions
         WHERE shop_id = $1 AND used_by_order = $2 AND kind = $3 GROUP BY reward_id",
    )
    .bind(shop)
    .bind(order_id)
    .bind(RewardKind::PointsOff.as_str())
    .fetch_all(&mut *conn)
    .await?;
    for (reward_id, value) in used {
        // A reward the program no longer has: at most the whole order.
        let share = program.reward(&reward_id).and_then(|r| r.points_off).map_or(100, |rule| rule.max_share_percent);
        let cap = lojal_core::points_off::share_of(order_total, share);
        if value > cap {
            return Err(Error::CodeOverShare { order_id: order_id.to_owned(), share, value, cap });
        }
    }
    Ok(())
}

/// Marks `code` used by order `order_id`. The same order again finds it
/// used by itself and succeeds without writing (a checkout's retry); any
/// other order is refused, as is a void or expired code. `conn` must be a
/// write transaction.
pub async fn use_code(
    conn: &mut AnyConnection,
    shop: &str,
    code: &str,
    order_id: &str,
    now: i64,
) -> Result<StoredCode> {
    let found = find(conn, shop, code).await?.ok_or_else(|| Error::CodeNotFound(code.to_owned()))?;
    if found.used_by_order.as_deref() == Some(order_id) {
        return Ok(found);
    }
    refuse_unless_active(&found, now)?;
    let used = sqlx::query(
        "UPDATE redemptions SET used_at = $1, used_by_order = $2
         WHERE shop_id = $3 AND code = $4 AND used_by_order IS NULL AND voided_at IS NULL",
    )
    .bind(now)
    .bind(order_id)
    .bind(shop)
    .bind(code)
    .execute(&mut *conn)
    .await?;
    let now_stored = find(conn, shop, code).await?.ok_or_else(|| Error::CodeNotFound(code.to_owned()))?;
    if used.rows_affected() == 0 {
        if now_stored.used_by_order.as_deref() != Some(order_id) {
            // Another checkout won between our read and our update.
            refuse_unless_active(&now_stored, now)?;
        }
        return Ok(now_stored);
    }
    let event = Event::CodeUsed(now_stored.event(Some(order_id), None));
    outbox::record(conn, shop, Some(&now_stored.customer), &event, now).await?;
    Ok(now_stored)
}

/// Whether order `order_id` used `code`.
pub async fn used_by(conn: &mut AnyConnection, shop: &str, code: &str, order_id: &str) -> Result<bool> {
    Ok(find(conn, shop, code).await?.is_some_and(|c| c.used_by_order.as_deref() == Some(order_id)))
}

/// Cancels an unused code (active or expired): the code's row only, its
/// points being the caller's to give back (`app::void_code`). The code as
/// stored after, and whether this call voided it (voiding a void code
/// again changes nothing); a used code cannot be voided. Run under the
/// lock of the code's member ([`find`] names them), in a write transaction.
pub async fn void(conn: &mut AnyConnection, shop: &str, code: &str, now: i64) -> Result<(StoredCode, bool)> {
    let voided = sqlx::query(
        "UPDATE redemptions SET voided_at = $1
         WHERE shop_id = $2 AND code = $3 AND used_by_order IS NULL AND voided_at IS NULL",
    )
    .bind(now)
    .bind(shop)
    .bind(code)
    .execute(&mut *conn)
    .await?;
    let stored = find(conn, shop, code).await?.ok_or_else(|| Error::CodeNotFound(code.to_owned()))?;
    if voided.rows_affected() == 0 {
        // A checkout used it, or another void won, while we waited.
        return match stored.used_by_order {
            Some(order_id) => Err(Error::CodeUsed { code: code.to_owned(), order_id }),
            None => Ok((stored, false)),
        };
    }
    Ok((stored, true))
}

/// Announces that the merchant voided `code`.
pub async fn record_voided(conn: &mut AnyConnection, shop: &str, code: &StoredCode, now: i64) -> Result<()> {
    let event = Event::CodeVoided(code.event(None, Some("merchant")));
    outbox::record(conn, shop, Some(&code.customer), &event, now).await
}

fn refuse_unless_active(code: &StoredCode, now: i64) -> Result<()> {
    match code.status(now) {
        CodeStatus::Active => Ok(()),
        CodeStatus::Used => {
            Err(Error::CodeUsed { code: code.code.clone(), order_id: code.used_by_order.clone().unwrap_or_default() })
        }
        CodeStatus::Void => Err(Error::CodeVoid(code.code.clone())),
        CodeStatus::Expired => Err(Error::CodeExpired(code.code.clone())),
    }
}
