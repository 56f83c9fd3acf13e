//! Members: a shop's customers as the program knows them, their cached
//! balance and their referral code.

use crate::clock;
use crate::db::Db;
use crate::error::Result;
use lojal_core::identity::CustomerId;
use rand::Rng;
use sqlx::{AnyConnection, Row};

/// A member's figures as stored; `points` and `lifetime_points` are the
/// sums of their ledger rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub points: i64,
    pub lifetime_points: i64,
    pub referral_code: String,
    pub referrals: i64,
}

/// Referral codes: 6 characters from an alphabet without look-alikes
/// (no 0/O, 1/I/L), about 10^9 codes per shop, drawn from the OS's RNG so
/// they cannot be guessed from one another.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LEN: usize = 6;

fn new_referral_code() -> String {
    let mut rng = rand::rng();
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// Makes `customer` a member of `shop` if they are not one yet. A merchant
/// signing a shopper in, or sending their first order, is what enrols them.
pub async fn ensure(conn: &mut AnyConnection, shop: &str, customer: &CustomerId) -> Result<()> {
    // A clash of referral codes violates their unique index and is retried
    // with a new code; a clash of customer ids means they are a member already.
    let mut attempts = 0;
    loop {
        let inserted = sqlx::query(
            "INSERT INTO customers (shop_id, id, referral_code, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (shop_id, id) DO NOTHING",
        )
        .bind(shop)
        .bind(customer.as_str())
        .bind(new_referral_code())
        .bind(clock::now())
        .execute(&mut *conn)
        .await;
        match inserted {
            Ok(_) => return Ok(()),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() && attempts < 5 => {
                attempts += 1
            }
            Err(e) => return Err(e.into()),
        }
    }
}

pub async fn find(db: &Db, shop: &str, customer: &CustomerId) -> Result<Option<Member>> {
    let row = sqlx::query(
        "SELECT id, points, lifetime_points, referral_code FROM customers WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop)
    .bind(customer.as_str())
    .fetch_optional(&db.pool)
    .await?;
    row.map(|row| {
        Ok(Member {
            id: row.try_get("id")?,
            points: row.try_get("points")?,
            lifetime_points: row.try_get("lifetime_points")?,
            referral_code: row.try_get("referral_code")?,
            // Referrals are counted from orders that name the code (a later issue).
            referrals: 0,
        })
    })
    .transpose()
}

/// Enrols `customer` if needed and returns their standing.
pub async fn enrol(db: &Db, shop: &str, customer: &CustomerId) -> Result<Member> {
    let mut conn = db.pool.acquire().await?;
    ensure(&mut conn, shop, customer).await?;
    drop(conn);
    Ok(find(db, shop, customer)
        .await?
        .expect("the member was just ensured"))
}

/// Appends one ledger row and moves the cached balance with it. Callers run
/// this inside the transaction of whatever caused the change.
pub async fn record(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &CustomerId,
    entry: LedgerEntry<'_>,
) -> Result<()> {
    sqlx::query("INSERT INTO ledger (shop_id, customer_id, delta, reason, order_id, at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(shop)
        .bind(customer.as_str())
        .bind(entry.delta)
        .bind(entry.reason.as_str())
        .bind(entry.order_id)
        .bind(entry.at)
        .execute(&mut *conn)
        .await?;
    let lifetime = if entry.reason.counts_towards_tier() {
        entry.delta
    } else {
        0
    };
    sqlx::query(
        "UPDATE customers SET points = points + $1, lifetime_points = lifetime_points + $2
         WHERE shop_id = $3 AND id = $4",
    )
    .bind(entry.delta)
    .bind(lifetime)
    .bind(shop)
    .bind(customer.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Earn,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Earn => "earn",
        }
    }

    /// Earned points lift a member's tier; spending them does not lower it.
    fn counts_towards_tier(self) -> bool {
        matches!(self, Reason::Earn)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct LedgerEntry<'a> {
    pub delta: i64,
    pub reason: Reason,
    pub order_id: Option<&'a str>,
    pub at: i64,
}
