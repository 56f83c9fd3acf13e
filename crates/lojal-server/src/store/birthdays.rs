//! Birthdays: set once by the shopper, rewarded once a year in the
//! birthday month (rules in `lojal_core::birthday`).

use crate::error::{Error, Result};
use lojal_core::birthday::{self, Birthday};
use lojal_core::program::Program;
use sqlx::AnyConnection;

/// Sets the member's birthday; refused once one is set, so it cannot be
/// moved around the calendar to collect the reward again.
pub async fn set(conn: &mut AnyConnection, shop: &str, customer: &str, birthday: Birthday, now: i64) -> Result<()> {
    birthday.validate()?;
    if !set_if_unset(conn, shop, customer, birthday, now).await? {
        return Err(Error::BirthdayLocked);
    }
    Ok(())
}

/// Sets the member's birthday if they have none yet (an import's does not
/// replace the one a shopper set); whether it was set.
pub async fn set_if_unset(
    conn: &mut AnyConnection,
    shop: &str,
    customer: &str,
    birthday: Birthday,
    now: i64,
) -> Result<bool> {
    let set = sqlx::query(
        "UPDATE customers SET birthday_month = $1, birthday_day = $2, birthday_set_at = $3
         WHERE shop_id = $4 AND id = $5 AND birthday_month IS NULL",
    )
    .bind(i64::from(birthday.month))
    .bind(i64::from(birthday.day))
    .bind(now)
    .bind(shop)
    .bind(customer)
    .execute(&mut *conn)
    .await?;
    Ok(set.rows_affected() == 1)
}

/// The member's birthday and when they set it, from the columns of their
/// row (`members::find` reads them with the rest of it); `None` until set.
pub fn from_columns(month: Option<i64>, day: Option<i64>, set_at: Option<i64>) -> Option<(Birthday, i64)> {
    match (month, day, set_at) {
        (Some(month), Some(day), Some(set_at)) => Some((Birthday { month: month as u32, day: day as u32 }, set_at)),
        _ => None,
    }
}

/// The year whose birthday reward is due now and unpaid, if any, for a
/// member's `birthday` as read with their row: a read, so the page views
/// of the other eleven months write nothing.
pub async fn due_year(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    customer: &str,
    birthday: Option<(Birthday, i64)>,
    now: i64,
) -> Result<Option<i32>> {
    if program.birthday.is_none() {
        return Ok(None);
    }
    let Some((birthday, set_at)) = birthday else { return Ok(None) };
    let paid: Option<i64> =
        sqlx::query_scalar("SELECT MAX(year) FROM birthday_rewards WHERE shop_id = $1 AND customer_id = $2")
            .bind(shop)
            .bind(customer)
            .fetch_one(&mut *conn)
            .await?;
    Ok(birthday::due(birthday, set_at, paid.map(|y| y as i32), now, &program.zone()))
}

/// Records that `year`'s birthday reward of `points` is paid to a member;
/// false when it was paid before. Run in a write transaction: the (member,
/// year) key makes a second payment impossible even for two requests at
/// once. The points are the caller's to post (`app::widget_view::due`).
pub async fn record_paid(conn: &mut AnyConnection, shop: &str, customer: &str, year: i32, points: i64) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO birthday_rewards (shop_id, customer_id, year, points) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(shop)
    .bind(customer)
    .bind(i64::from(year))
    .bind(points)
    .execute(&mut *conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}
