//! Members: a shop's customers as the program knows them, with their
//! cached balance, referral code and who referred them.

use crate::error::{Error, Result};
use crate::store::{birthdays, codes};
use lojal_core::birthday::Birthday;
use lojal_core::identity::CustomerId;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// A member's figures as stored; `points` and `lifetime_points` are sums
/// of their ledger rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub points: i64,
    pub lifetime_points: i64,
    pub referral_code: String,
    pub referred_by: Option<String>,
    /// How many members this one has referred.
    pub referrals: i64,
    pub next_expiry_at: Option<i64>,
    /// How many points expire at `next_expiry_at`.
    pub next_expiry_points: i64,
    /// When they first opened the widget signed in (`None`: known only
    /// from the merchant's orders).
    pub joined_at: Option<i64>,
    /// The birthday they set, and when they set it.
    pub birthday: Option<(Birthday, i64)>,
}

/// Makes `customer` a member of `shop` if they are not one yet; true when
/// they joined just now (and are due the program's sign-up bonus, which
/// `app::enrol` pays). A merchant signing a shopper in, or sending their
/// first order, is what enrols them; `now` is when they joined.
pub async fn enrol(conn: &mut AnyConnection, shop: &str, customer: &CustomerId, now: i64) -> Result<bool> {
    // Nothing inserted means a member already (fine) or a clash of
    // referral codes (draw again). ON CONFLICT rather than catching the
    // error: on PostgreSQL an error would abort the whole transaction.
    for _ in 0..5 {
        let inserted = sqlx::query(
            "INSERT INTO customers (shop_id, id, referral_code, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(shop)
        .bind(customer.as_str())
        .bind(codes::referral_code())
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() == 1 {
            let joined = lojal_core::webhooks::MemberJoined { customer: customer.to_string() };
            let event = lojal_core::webhooks::Event::MemberJoined(joined);
            crate::store::outbox::record(conn, shop, Some(customer.as_str()), &event, now).await?;
            return Ok(true);
        }
        if is_member(conn, shop, customer.as_str()).await? {
            return Ok(false);
        }
    }
    Err(Error::CodeSpaceExhausted)
}

async fn is_member(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<bool> {
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM customers WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(customer)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

pub async fn find(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Option<Member>> {
    let row = sqlx::query(
        "SELECT id, points, lifetime_points, referral_code, referred_by, next_expiry_at, next_expiry_points, joined_at,
                birthday_month, birthday_day, birthday_set_at,
                (SELECT COUNT(*) FROM customers r WHERE r.shop_id = c.shop_id AND r.referred_by = c.id) AS referrals
         FROM customers c WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop)
    .bind(customer)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// A member from a row carrying `customers`' columns and `referrals`.
pub fn from_row(row: &AnyRow) -> Result<Member> {
    Ok(Member {
        id: row.try_get("id")?,
        points: row.try_get("points")?,
        lifetime_points: row.try_get("lifetime_points")?,
        referral_code: row.try_get("referral_code")?,
        referred_by: row.try_get("referred_by")?,
        referrals: row.try_get("referrals")?,
        next_expiry_at: row.try_get("next_expiry_at")?,
        next_expiry_points: row.try_get("next_expiry_points")?,
        joined_at: row.try_get("joined_at")?,
        birthday: birthdays::from_columns(
            row.try_get("birthday_month")?,
            row.try_get("birthday_day")?,
            row.try_get("birthday_set_at")?,
        ),
    })
}

/// The member whose referral code is `code`.
pub async fn by_referral_code(conn: &mut AnyConnection, shop: &str, code: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT id FROM customers WHERE shop_id = $1 AND referral_code = $2")
        .bind(shop)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Notes when the member first opened the widget signed in.
pub async fn mark_joined(conn: &mut AnyConnection, shop: &str, customer: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE customers SET joined_at = $1 WHERE shop_id = $2 AND id = $3 AND joined_at IS NULL")
        .bind(now)
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
