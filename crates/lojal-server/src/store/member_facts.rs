//! Everything the widget shows about one member, read as rows: no clock
//! and no rules, so a read can be kept and composed again at a later `now`
//! (`app::widget_view`). A handful of queries instead of one per part: the
//! member's own row carries what is one value per member as subqueries.

use crate::error::Result;
use crate::store::ledger::{self, HistoryRow};
use crate::store::members::{self, Member};
use crate::store::redemptions::{self, StoredCode};
use crate::store::{actions, tier_standing};
use lojal_core::nudge::NudgeKind;
use lojal_core::program::Program;
use lojal_core::requests::LineItem;
use sqlx::{AnyConnection, Row};

/// The ledger rows the account view lists: the latest few.
pub const HISTORY_ROWS: i64 = 10;
/// The member's latest codes the widget lists, with what became of each.
pub const CODES: i64 = 10;

/// The optional parts a program shows: a read leaves out what its program
/// does not use, and a kept read serves a later program only if it read
/// everything that program needs (see [`Needs::covers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// The ledger rows of a rolling tier period.
    pub tier_rows: bool,
    /// The earn actions already claimed.
    pub actions: bool,
}

impl Needs {
    pub fn of(program: &Program) -> Needs {
        Needs { tier_rows: !program.tier_period.is_lifetime(), actions: !program.actions.is_empty() }
    }

    pub fn covers(self, wanted: Needs) -> bool {
        (self.tier_rows || !wanted.tier_rows) && (self.actions || !wanted.actions)
    }
}

/// The member's latest order, as feedback and nudges look at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestOrder {
    pub id: String,
    pub at: i64,
    /// Whether the member has answered the feedback question about it.
    pub answered: bool,
    /// The win-back code issued for the lapse after it, if one was.
    pub win_back_code: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MemberFacts {
    pub needs: Needs,
    pub member: Member,
    pub credit: i64,
    /// The cart's lines and when it last changed.
    pub cart: Option<(Vec<LineItem>, i64)>,
    pub stamps: Option<i64>,
    pub latest_stamp_code: Option<String>,
    /// The latest year a birthday reward was paid for.
    pub birthday_paid: Option<i32>,
    pub latest_order: Option<LatestOrder>,
    pub history: Vec<HistoryRow>,
    pub codes: Vec<StoredCode>,
    pub dismissed: Vec<(NudgeKind, i64)>,
    pub claimed_actions: Vec<String>,
    pub tier_rows: Vec<tier_standing::TierRow>,
}

/// The member's facts, or `None` if they are not a member of `shop`.
pub async fn read(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    customer: &str,
) -> Result<Option<MemberFacts>> {
    let needs = Needs::of(program);
    let row = sqlx::query(
        "SELECT c.id, c.points, c.lifetime_points, c.referral_code, c.referred_by, c.next_expiry_at,
                c.next_expiry_points, c.joined_at, c.birthday_month, c.birthday_day, c.birthday_set_at,
                c.credit, c.stamps, k.items AS cart_items, k.updated_at AS cart_updated_at,
                (SELECT COUNT(*) FROM customers r WHERE r.shop_id = c.shop_id AND r.referred_by = c.id) AS referrals,
                (SELECT MAX(year) FROM birthday_rewards b WHERE b.shop_id = c.shop_id AND b.customer_id = c.id)
                    AS birthday_paid,
                (SELECT code FROM stamp_events s WHERE s.shop_id = c.shop_id AND s.customer_id = c.id
                    AND s.code IS NOT NULL ORDER BY s.at DESC LIMIT 1) AS latest_stamp_code
         FROM customers c LEFT JOIN carts k ON k.shop_id = c.shop_id AND k.customer_id = c.id
         WHERE c.shop_id = $1 AND c.id = $2",
    )
    .bind(shop)
    .bind(customer)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let member = members::from_row(&row)?;
    let cart_items: Option<String> = row.try_get("cart_items")?;
    let cart_updated_at: Option<i64> = row.try_get("cart_updated_at")?;
    let birthday_paid: Option<i64> = row.try_get("birthday_paid")?;
    let mut facts = MemberFacts {
        needs,
        credit: row.try_get::<Option<i64>, _>("credit")?.unwrap_or(0),
        cart: cart_items.zip(cart_updated_at).map(|(items, at)| (serde_json::from_str(&items).unwrap_or_default(), at)),
        stamps: row.try_get("stamps")?,
        latest_stamp_code: row.try_get("latest_stamp_code")?,
        birthday_paid: birthday_paid.and_then(|year| i32::try_from(year).ok()),
        latest_order: latest_order(conn, shop, customer).await?,
        history: ledger::history(conn, shop, customer, HISTORY_ROWS).await?,
        codes: redemptions::of_member(conn, shop, customer, CODES).await?,
        dismissed: dismissed(conn, shop, customer).await?,
        claimed_actions: Vec::new(),
        tier_rows: Vec::new(),
        member,
    };
    if needs.actions {
        facts.claimed_actions = actions::claimed(conn, shop, program, customer).await?;
    }
    if needs.tier_rows {
        facts.tier_rows = tier_standing::rows(conn, shop, customer).await?;
    }
    Ok(Some(facts))
}

async fn latest_order(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Option<LatestOrder>> {
    let row = sqlx::query(
        "SELECT o.id, o.created_at, f.order_id AS answered,
                (SELECT w.code FROM win_backs w WHERE w.shop_id = o.shop_id AND w.customer_id = o.customer_id
                    AND w.last_order_at = o.created_at) AS win_back_code
         FROM orders o LEFT JOIN feedback f ON f.shop_id = o.shop_id AND f.order_id = o.id
         WHERE o.shop_id = $1 AND o.customer_id = $2 ORDER BY o.created_at DESC LIMIT 1",
    )
    .bind(shop)
    .bind(customer)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(LatestOrder {
            id: row.try_get("id")?,
            at: row.try_get("created_at")?,
            answered: row.try_get::<Option<String>, _>("answered")?.is_some(),
            win_back_code: row.try_get("win_back_code")?,
        })
    })
    .transpose()
}

async fn dismissed(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Vec<(NudgeKind, i64)>> {
    let rows = sqlx::query("SELECT kind, at FROM nudge_dismissals WHERE shop_id = $1 AND customer_id = $2")
        .bind(shop)
        .bind(customer)
        .fetch_all(&mut *conn)
        .await?;
    let mut dismissed = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(kind) = NudgeKind::parse(&row.try_get::<String, _>("kind")?) {
            dismissed.push((kind, row.try_get("at")?));
        }
    }
    Ok(dismissed)
}
