//! Enrolling a shopper, as every use case that meets a new one does: the
//! member's row, and the program's sign-up bonus for one who joined just
//! now, in the caller's transaction.

use crate::app::pay_action;
use crate::error::Result;
use crate::store::members;
use lojal_core::identity::CustomerId;
use lojal_core::program::Program;
use sqlx::AnyConnection;

/// Makes `customer` a member of `shop` if they are not one yet, paying the
/// sign-up bonus to one who joins now.
pub async fn member(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    customer: &CustomerId,
    now: i64,
) -> Result<()> {
    if members::enrol(conn, shop, customer, now).await? {
        pay_action::signed_up(conn, shop, program, customer.as_str(), now).await?;
    }
    Ok(())
}
