//! A visit through a member's referral link (`POST
//! .../referrals/{code}/visits`), counted for the merchant's figures.

use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::{members, referrals};

/// Counts a visit on `code`'s link at `now`; an unknown code is refused.
pub async fn visit(db: &Db, shop: &str, code: &str, now: i64) -> Result<()> {
    // Refused before the write lock is taken: anyone may send visits, and
    // made-up codes must not queue behind (or ahead of) orders on SQLite's
    // one writer.
    {
        let mut conn = db.pool.acquire().await?;
        if members::by_referral_code(&mut conn, shop, code).await?.is_none() {
            return Err(Error::UnknownReferralCode(code.to_owned()));
        }
    }
    let mut tx = db.begin_write().await?;
    tx.changes_no_view();
    referrals::record_visit(&mut tx, shop, code, now).await?;
    tx.commit().await
}
