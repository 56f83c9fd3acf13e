//! Orders: the purchases that earn points. Ingestion is idempotent by order
//! id; an order, its items, its ledger rows and any referral credit commit
//! together or not at all. Refunds take back exactly that order's points.

use crate::error::{Error, Result};
use crate::store::ledger::{self, Entry, Reason};
use crate::store::{actions, credit, members, products, recommendations, redemptions, stamps};
use lojal_core::identity::CustomerId;
use lojal_core::program::Program;
use lojal_core::requests::LineItem;
use lojal_core::{campaign, points, tiers};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub id: String,
    pub customer: CustomerId,
    /// Minor units.
    pub total: i64,
    pub currency: String,
    pub items: Vec<LineItem>,
    pub referral_code: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    pub points_awarded: i64,
    /// The member's balance after the order.
    pub points: i64,
    /// True when this order id was already known: nothing was written.
    pub duplicate: bool,
}

/// How far a chain of referrals is followed when looking for a loop.
const MAX_REFERRAL_CHAIN: usize = 64;

/// Records `order` and the points it earns, at the tier the customer holds
/// when it arrives. `conn` must be a write transaction (`Db::begin_write`).
pub async fn ingest(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order: &NewOrder,
    now: i64,
) -> Result<Receipt> {
    ingest_counting(conn, shop, program, order, now, true).await
}

/// Many orders at once (an import, the demo's seed): each ingested as by
/// [`ingest`], and the recommendation counts rebuilt once at the end rather
/// than updated order by order.
pub async fn import(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    orders: &[NewOrder],
    now: i64,
) -> Result<()> {
    for order in orders {
        ingest_counting(conn, shop, program, order, now, false).await?;
    }
    recommendations::rebuild(conn, shop).await?;
    Ok(())
}

async fn ingest_counting(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order: &NewOrder,
    now: i64,
    count_for_recommendations: bool,
) -> Result<Receipt> {
    let customer = order.customer.as_str();
    members::ensure(conn, shop, program, &order.customer).await?;
    ledger::lock_member(conn, shop, customer).await?;

    let known =
        sqlx::query("SELECT customer_id, total, currency, points_awarded FROM orders WHERE shop_id = $1 AND id = $2")
            .bind(shop)
            .bind(&order.id)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(row) = known {
        let (known_customer, total, currency): (String, i64, String) =
            (row.try_get("customer_id")?, row.try_get("total")?, row.try_get("currency")?);
        if known_customer != customer || total != order.total || currency != order.currency {
            return Err(Error::OrderConflict(order.id.clone()));
        }
        let points = ledger::balance(conn, shop, customer).await?;
        return Ok(Receipt { points_awarded: row.try_get("points_awarded")?, points, duplicate: true });
    }

    ledger::settle_expiry(conn, shop, customer, program, now).await?;
    let lifetime: i64 = sqlx::query_scalar("SELECT lifetime_points FROM customers WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(customer)
        .fetch_one(&mut *conn)
        .await?;
    let multiplier = tiers::tier_for(&program.tiers, lifetime).map_or(1.0, |t| t.multiplier);
    let bonus = campaign_bonus(conn, shop, program, order, multiplier).await?;
    let awarded = points::for_purchase(program, order.total, multiplier) + bonus.as_ref().map_or(0, |b| b.points);
    let first_order = !has_orders(conn, shop, customer).await?;
    let credit = program.cashback.map_or(0, |c| c.credit_for(order.total));

    sqlx::query(
        "INSERT INTO orders (shop_id, id, customer_id, total, currency, points_awarded, referral_code, created_at,
                             credit_awarded)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(shop)
    .bind(&order.id)
    .bind(customer)
    .bind(order.total)
    .bind(&order.currency)
    .bind(awarded)
    .bind(order.referral_code.as_deref())
    .bind(order.created_at)
    .bind(credit)
    .execute(&mut *conn)
    .await?;
    if credit > 0 {
        credit::record(conn, shop, customer, credit, credit::Reason::Cashback, Some(&order.id), order.created_at)
            .await?;
    }
    for item in &order.items {
        sqlx::query("INSERT INTO order_items (shop_id, order_id, sku, qty, price) VALUES ($1, $2, $3, $4, $5)")
            .bind(shop)
            .bind(&order.id)
            .bind(&item.sku)
            .bind(item.qty)
            .bind(item.price)
            .execute(&mut *conn)
            .await?;
    }
    if awarded != 0 {
        // One row with the campaign named in its note: a refund then takes
        // back the bonus in the same proportion as the rest.
        let mut entry = Entry::new(Reason::Earn, awarded, order.created_at).order(&order.id);
        if let Some(bonus) = &bonus {
            entry = entry.note(&bonus.campaign_id);
        }
        ledger::record(conn, shop, customer, entry).await?;
    }
    if program.actions.iter().any(|a| a.kind == lojal_core::actions::ActionKind::PurchaseCount) {
        let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE shop_id = $1 AND customer_id = $2")
            .bind(shop)
            .bind(customer)
            .fetch_one(&mut *conn)
            .await?;
        actions::ordered(conn, shop, program, customer, orders, now).await?;
    }
    if let Some(card) = &program.stamp_card {
        stamps::punch(conn, shop, card, customer, &order.id, order.total, order.created_at).await?;
    }
    if count_for_recommendations && !order.items.is_empty() {
        let skus: Vec<&str> = order.items.iter().map(|i| i.sku.as_str()).collect();
        recommendations::count_basket(conn, shop, &skus).await?;
    }
    if let (Some(code), true) = (&order.referral_code, first_order) {
        credit_referral(conn, shop, program, order, code, now).await?;
    }
    // What was waiting in the cart has now been bought.
    sqlx::query("DELETE FROM carts WHERE shop_id = $1 AND customer_id = $2")
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    ledger::settle_expiry(conn, shop, customer, program, now).await?;
    let points = ledger::balance(conn, shop, customer).await?;
    Ok(Receipt { points_awarded: awarded, points, duplicate: false })
}

/// Credits the member whose code brought this first order, once, unless
/// it is self-dealing: one's own code, a customer already referred, or a
/// loop (the referrer was, directly or down a chain, referred by this
/// customer).
async fn credit_referral(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order: &NewOrder,
    code: &str,
    now: i64,
) -> Result<()> {
    let customer = order.customer.as_str();
    let Some(rule) = &program.referral else {
        return Ok(());
    };
    let Some(referrer) = members::by_referral_code(conn, shop, code).await? else {
        return Ok(());
    };
    if referrer == customer {
        return Ok(());
    }
    let referee = members::find(conn, shop, customer).await?.expect("the customer is a member");
    if referee.referred_by.is_some() {
        return Ok(());
    }
    let mut up = Some(referrer.clone());
    for _ in 0..MAX_REFERRAL_CHAIN {
        let Some(member) = up else { break };
        if member == customer {
            return Ok(());
        }
        up = members::find(conn, shop, &member).await?.and_then(|m| m.referred_by);
    }

    sqlx::query("UPDATE customers SET referred_by = $1 WHERE shop_id = $2 AND id = $3")
        .bind(&referrer)
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE orders SET referrer_id = $1 WHERE shop_id = $2 AND id = $3")
        .bind(&referrer)
        .bind(shop)
        .bind(&order.id)
        .execute(&mut *conn)
        .await?;
    if rule.referrer_points > 0 {
        ledger::lock_member(conn, shop, &referrer).await?;
        let entry = Entry::new(Reason::Referral, rule.referrer_points, order.created_at).order(&order.id);
        ledger::record(conn, shop, &referrer, entry).await?;
        ledger::settle_expiry(conn, shop, &referrer, program, now).await?;
    }
    if let Some(reward) = rule.referee_reward_id.as_deref().and_then(|id| program.reward(id)) {
        // The referee's welcome reward costs them nothing.
        redemptions::issue(conn, shop, customer, &reward.id, 0, now).await?;
    }
    Ok(())
}

async fn has_orders(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<bool> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM orders WHERE shop_id = $1 AND customer_id = $2 LIMIT 1")
            .bind(shop)
            .bind(customer)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundReceipt {
    pub points_reversed: i64,
    pub points: i64,
    /// Minor units of the order still refundable.
    pub refundable: i64,
}

/// Refunds `amount` (all that is left when `None`) of order `order_id`,
/// taking back the points that amount earned, even if they were spent since
/// (the balance may then go negative). A fully refunded referred first
/// order also takes back the referrer's bonus. `refund_id`, when given,
/// makes a retry return the first result without refunding again.
pub async fn refund(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order_id: &str,
    amount: Option<i64>,
    refund_id: Option<&str>,
    now: i64,
) -> Result<RefundReceipt> {
    let row = sqlx::query(
        "SELECT customer_id, total, points_awarded, credit_awarded, refunded, referrer_id FROM orders
         WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop)
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Error::UnknownOrder(order_id.to_owned()))?;
    let customer: String = row.try_get("customer_id")?;
    let total: i64 = row.try_get("total")?;
    let awarded: i64 = row.try_get("points_awarded")?;
    let credit_awarded: i64 = row.try_get("credit_awarded")?;
    let referrer: Option<String> = row.try_get("referrer_id")?;
    ledger::lock_member(conn, shop, &customer).await?;
    // Read again under the lock: a concurrent refund may have just committed.
    let refunded: i64 = sqlx::query_scalar("SELECT refunded FROM orders WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await?;

    if let Some(id) = refund_id {
        let earlier: Option<i64> =
            sqlx::query_scalar("SELECT points_reversed FROM refunds WHERE shop_id = $1 AND order_id = $2 AND id = $3")
                .bind(shop)
                .bind(order_id)
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some(points_reversed) = earlier {
            let points = ledger::balance(conn, shop, &customer).await?;
            return Ok(RefundReceipt { points_reversed, points, refundable: total - refunded });
        }
    }
    let refundable = total - refunded;
    if refundable <= 0 {
        return Err(Error::AlreadyRefunded(order_id.to_owned()));
    }
    let amount = amount.unwrap_or(refundable);
    if amount > refundable {
        return Err(Error::RefundTooLarge { refundable });
    }

    ledger::settle_expiry(conn, shop, &customer, program, now).await?;
    let reversal = points::refund_reversal(awarded, total, refunded, amount);
    sqlx::query("UPDATE orders SET refunded = refunded + $1, points_reversed = points_reversed + $2 WHERE shop_id = $3 AND id = $4")
        .bind(amount)
        .bind(reversal)
        .bind(shop)
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
    if reversal > 0 {
        ledger::record(conn, shop, &customer, Entry::new(Reason::Refund, -reversal, now).order(order_id)).await?;
    }
    // Cashback goes back in the same proportion as the points, computed the
    // same cumulative way so partial refunds add up exactly.
    let credit_reversal = points::refund_reversal(credit_awarded, total, refunded, amount);
    if credit_reversal > 0 {
        sqlx::query("UPDATE orders SET credit_reversed = credit_reversed + $1 WHERE shop_id = $2 AND id = $3")
            .bind(credit_reversal)
            .bind(shop)
            .bind(order_id)
            .execute(&mut *conn)
            .await?;
        credit::record(conn, shop, &customer, -credit_reversal, credit::Reason::Refund, Some(order_id), now).await?;
    }
    if let (Some(referrer), true) = (referrer, amount == refundable) {
        take_back_referral_bonus(conn, shop, program, &referrer, order_id, now).await?;
    }
    if let (Some(card), true) = (&program.stamp_card, amount == refundable) {
        stamps::unpunch(conn, shop, card, &customer, order_id, now).await?;
    }
    if let Some(id) = refund_id {
        sqlx::query(
            "INSERT INTO refunds (shop_id, order_id, id, amount, points_reversed, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(shop)
        .bind(order_id)
        .bind(id)
        .bind(amount)
        .bind(reversal)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    ledger::settle_expiry(conn, shop, &customer, program, now).await?;
    let points = ledger::balance(conn, shop, &customer).await?;
    Ok(RefundReceipt { points_reversed: reversal, points, refundable: refundable - amount })
}

/// A referral bonus is for bringing a paying customer: when the order that
/// earned it is refunded in full, the bonus goes back too.
async fn take_back_referral_bonus(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    referrer: &str,
    order_id: &str,
    now: i64,
) -> Result<()> {
    let bonus: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(delta) AS BIGINT) FROM ledger WHERE shop_id = $1 AND customer_id = $2 AND reason = 'referral' AND order_id = $3",
    )
    .bind(shop)
    .bind(referrer)
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await?;
    if let Some(bonus) = bonus.filter(|b| *b > 0) {
        ledger::lock_member(conn, shop, referrer).await?;
        ledger::record(conn, shop, referrer, Entry::new(Reason::Referral, -bonus, now).order(order_id)).await?;
        ledger::settle_expiry(conn, shop, referrer, program, now).await?;
    }
    Ok(())
}

/// The bonus of the best campaign running when the order was placed, with
/// its lines' categories from the catalogue (read only when a campaign
/// needs them).
async fn campaign_bonus(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order: &NewOrder,
    tier_multiplier: f64,
) -> Result<Option<campaign::Bonus>> {
    let running: Vec<&campaign::Campaign> = program.campaigns.iter().filter(|c| c.runs_at(order.created_at)).collect();
    if running.is_empty() {
        return Ok(None);
    }
    let needs_categories = running.iter().any(|c| !c.categories.is_empty() || c.min_categories.is_some());
    let skus: Vec<&str> = order.items.iter().map(|i| i.sku.as_str()).collect();
    let categories = if needs_categories { products::categories(conn, shop, &skus).await? } else { HashMap::new() };
    let lines: Vec<campaign::Line<'_>> = order
        .items
        .iter()
        .map(|i| campaign::Line {
            amount: i.qty.saturating_mul(i.price),
            category: categories.get(&i.sku).map(String::as_str),
        })
        .collect();
    Ok(campaign::best_bonus(
        &program.campaigns,
        i64::from(program.earn.points_per_unit),
        order.total,
        &lines,
        tier_multiplier,
        order.created_at,
    ))
}
