//! Refunding an order (`POST .../orders/{id}/refund`, a platform's refund
//! or cancellation): the points the refunded amount earned go back, and a
//! full refund takes back what the order brought beyond them.

use crate::app::pay_action;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::earning;
use crate::store::guest_points::{self, PendingRefund};
use crate::store::ledger::{self, Entry, Reason};
use crate::store::orders::{self, RefundPart};
use crate::store::shops::Shop;
use crate::store::{credit, redemptions, stamps};
use lojal_core::actions::ActionKind;
use lojal_core::api::RefundReply;
use lojal_core::points;
use lojal_core::program::Program;
use lojal_core::requests::{RefundLine, RefundRequest};
use sqlx::AnyConnection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundReceipt {
    pub points_reversed: i64,
    pub points: i64,
    /// Minor units of the order still refundable.
    pub refundable: i64,
}

/// `POST .../orders/{id}/refund`: a member's order, or a guest's whose
/// points may still wait for them, in one write transaction.
pub async fn refund(db: &Db, shop: &Shop, order_id: &str, request: &RefundRequest, now: i64) -> Result<RefundReply> {
    request.validate()?;
    let (amount, lines, id) = (request.amount, request.items.as_slice(), request.id.as_deref());
    let mut tx = db.begin_write().await?;
    let receipt = match within(&mut tx, &shop.id, &shop.program, order_id, amount, lines, id, now).await {
        // A guest's order, whose points may still wait for them.
        Err(Error::UnknownOrder(_)) => {
            match guest_points::refund_pending(&mut tx, &shop.id, order_id, amount, id).await? {
                PendingRefund::Refunded { .. } if !lines.is_empty() => {
                    // Its lines are not kept: only an amount can be refunded.
                    return Err(lojal_core::Error::InvalidRequest(
                        "a guest's order is refunded by amount, not by items".into(),
                    )
                    .into());
                }
                PendingRefund::Refunded { points_taken, refundable } => {
                    tx.commit().await?;
                    // A guest has no balance: `points` is 0; the pending ones went down.
                    return Ok(RefundReply { points_reversed: points_taken, points: 0, refundable });
                }
                // Claimed while this refund began: a member's order now.
                PendingRefund::Claimed => {
                    within(&mut tx, &shop.id, &shop.program, order_id, amount, lines, id, now).await?
                }
                PendingRefund::Unknown => return Err(Error::UnknownOrder(order_id.to_owned())),
            }
        }
        other => other?,
    };
    tx.commit().await?;
    Ok(RefundReply { points_reversed: receipt.points_reversed, points: receipt.points, refundable: receipt.refundable })
}

/// Refunds `amount` of member's order `order_id` (all that is left when
/// `None`; the value of `lines` when they are named and `amount` is not),
/// inside the caller's write transaction, taking back the points that
/// amount earned, even if they were spent since (the balance may then go
/// negative), but never points of it that already expired. The points
/// taken back are in proportion to the refunded part of the lines that
/// earned (`lojal_core::points::earning_part`): a returned line that
/// earned nothing, a gift card, takes none back. A full refund also takes
/// back what the order brought beyond its purchase points: the referrer's
/// bonus and the referee's welcome code, the feedback points for it and an
/// n-th-order bonus it triggered. `refund_id`, when given, makes a retry
/// return the first result without refunding again.
#[allow(clippy::too_many_arguments)]
pub async fn within(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order_id: &str,
    amount: Option<i64>,
    lines: &[RefundLine],
    refund_id: Option<&str>,
    now: i64,
) -> Result<RefundReceipt> {
    let order =
        orders::refundable(conn, shop, order_id).await?.ok_or_else(|| Error::UnknownOrder(order_id.to_owned()))?;
    let customer = order.customer.as_str();
    orders::lock_members(conn, shop, customer, order.referrer.as_deref()).await?;
    // Read again under the lock: a concurrent refund may have just committed.
    let before = orders::refunded_so_far(conn, shop, order_id).await?;
    let named = if lines.is_empty() { None } else { Some(earning::named_lines(conn, shop, order_id, lines).await?) };
    let amount = amount.or(named.map(|(value, _)| value));
    if amount == Some(0) {
        return Err(
            lojal_core::Error::InvalidRequest("items: the lines named are worth nothing to refund".into()).into()
        );
    }

    if let Some(id) = refund_id {
        if let Some((points_reversed, earlier_amount)) = orders::earlier_refund(conn, shop, order_id, id).await? {
            // A retry must be the same refund: another amount under a known
            // id is a different request, not to be answered as the first.
            if amount.is_some_and(|a| a != earlier_amount) {
                return Err(Error::RefundConflict(id.to_owned()));
            }
            let points = ledger::balance(conn, shop, customer).await?;
            return Ok(RefundReceipt { points_reversed, points, refundable: order.total - before.amount });
        }
    }
    let refundable = order.total - before.amount;
    if refundable <= 0 {
        return Err(Error::AlreadyRefunded(order_id.to_owned()));
    }
    let amount = amount.unwrap_or(refundable);
    if amount > refundable {
        return Err(Error::RefundTooLarge { refundable });
    }
    let in_full = amount == refundable;

    let (total, excluded, awarded) = (order.total, order.excluded, order.points_awarded);
    let earning_now = points::earning_part(total, excluded, before, amount, named.map(|(_, excluded)| excluded));
    let asked = if total - excluded > 0 {
        points::refund_reversal(awarded, total - excluded, before.earning, earning_now)
    } else {
        // Every line excluded, yet points earned (a discount counted, say):
        // they go back with the order's amount.
        points::refund_reversal(awarded, total, before.amount, amount)
    };
    let reversal = if asked > 0 {
        let conversion =
            order.rate.as_deref().map(|rate| ledger::Conversion { amount, currency: &order.currency, rate });
        let entry = Entry::new(Reason::Refund, -asked, now).order(order_id).converted(conversion);
        -ledger::post(conn, shop, customer, program, entry, now).await?.delta
    } else {
        0
    };
    // Cashback goes back in the same proportion as the points, computed the
    // same cumulative way so partial refunds add up exactly.
    let credit_reversal = points::refund_reversal(order.credit_awarded, total, before.amount, amount);
    let part = RefundPart {
        amount,
        points: reversal,
        earning: earning_now,
        // A converted order's refunded part in the shop's currency, from
        // the cumulative amount so that the parts add up to its total.
        shop_refunded: order
            .shop_total
            .map(|converted| (i128::from(converted) * i128::from(before.amount + amount) / i128::from(total)) as i64),
        credit: credit_reversal.max(0),
    };
    orders::add_refunded(conn, shop, order_id, part).await?;
    if credit_reversal > 0 {
        credit::record(conn, shop, customer, -credit_reversal, credit::Reason::Refund, Some(order_id), now).await?;
    }
    if in_full {
        take_back_extras(conn, shop, program, customer, order.referrer.as_deref(), order_id, now).await?;
    }
    if let (Some(card), true) = (&program.stamp_card, in_full) {
        stamps::unpunch(conn, shop, card, customer, order_id, now).await?;
    }
    if let Some(id) = refund_id {
        orders::record_refund(conn, shop, order_id, id, amount, reversal, now).await?;
    }
    let points = ledger::balance(conn, shop, customer).await?;
    Ok(RefundReceipt { points_reversed: reversal, points, refundable: refundable - amount })
}

/// What an order brought beyond its purchase points is for a kept
/// purchase: when it is refunded in full, the referrer's bonus, the
/// referee's unused welcome code and the feedback points for the order go
/// back, and so does an n-th-order bonus the member's kept orders no longer
/// reach. Each reversal takes at most what is left of that credit (the
/// ledger's door checks it), so running this when there is nothing to take
/// back takes nothing.
async fn take_back_extras(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    customer: &str,
    referrer: Option<&str>,
    order_id: &str,
    now: i64,
) -> Result<()> {
    if let Some(referrer) = referrer {
        let entry = Entry::new(Reason::Referral, -i64::MAX, now).order(order_id);
        ledger::post(conn, shop, referrer, program, entry, now).await?;
        redemptions::void_for_order(conn, shop, order_id, now).await?;
    }
    let entry = Entry::new(Reason::Feedback, -i64::MAX, now).order(order_id);
    ledger::post(conn, shop, customer, program, entry, now).await?;
    // Fewer kept orders may no longer reach an n-th-order bonus, whichever
    // order paid it.
    if program.actions.iter().any(|a| a.kind == ActionKind::PurchaseCount) {
        let kept = orders::kept_orders(conn, shop, customer).await?;
        pay_action::order_count_fell(conn, shop, program, customer, kept, now).await?;
    }
    Ok(())
}
