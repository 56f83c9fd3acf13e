//! An order's stamp on the member's stamp card, and the card's reward code
//! when it fills up, in the order's transaction.

use crate::error::Result;
use crate::store::{ledger, redemptions, stamps};
use lojal_core::program::Program;
use sqlx::AnyConnection;

/// Punches the card for order `order_id` of `total` (minor units of the
/// shop's currency), if the program has a card and the order counts.
pub async fn punch(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    customer: &str,
    order_id: &str,
    total: i64,
    now: i64,
) -> Result<()> {
    let Some(card) = &program.stamp_card else { return Ok(()) };
    // Two orders of one member at once must not both read the same card.
    ledger::lock_member(conn, shop, customer).await?;
    let Some(punch) = card.punch(stamps::stored(conn, shop, customer).await?, total) else { return Ok(()) };
    // The program's check keeps the card's reward among its rewards.
    let code = match program.reward(&card.reward_id).filter(|_| punch.completed) {
        Some(reward) => Some(redemptions::issue(conn, shop, customer, reward, 0, now).await?),
        None => None,
    };
    stamps::record_punch(conn, shop, customer, order_id, punch.stamps, code.as_deref(), now).await
}
