//! Orders: the purchases that earn points. Ingestion is idempotent by order
//! id; an order, its items, its ledger rows and any referral credit commit
//! together or not at all. Refunds take back exactly that order's points.

use crate::error::{Error, Result};
use crate::store::earning::{self, Terms};
use crate::store::ledger::{self, Entry, Reason};
use crate::store::{actions, credit, members, recommendations, redemptions, stamps};
use lojal_core::identity::CustomerId;
use lojal_core::points;
use lojal_core::program::Program;
use lojal_core::requests::LineItem;
use sqlx::{AnyConnection, Row};

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
    /// Discount codes the order used (canonical form), marked used by it.
    pub codes: Vec<String>,
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
    ingest_counting(conn, shop, program, order, &Terms::plain(&order.currency), now, true).await
}

/// [`ingest`] with what the order says of its currency, shipping, tax and
/// discount (`POST .../orders`): an order in another currency than the
/// shop's earns at the program's rate, or is refused without a write.
pub async fn ingest_with(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order: &NewOrder,
    terms: &Terms<'_>,
    now: i64,
) -> Result<Receipt> {
    ingest_counting(conn, shop, program, order, terms, now, true).await
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
        ingest_counting(conn, shop, program, order, &Terms::plain(&order.currency), now, false).await?;
    }
    recommendations::rebuild(conn, shop).await?;
    Ok(())
}

async fn ingest_counting(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order: &NewOrder,
    terms: &Terms<'_>,
    now: i64,
    count_for_recommendations: bool,
) -> Result<Receipt> {
    let customer = order.customer.as_str();
    let rate = match earning::accept(program, order, terms) {
        Ok(rate) => rate,
        // A retry of an order accepted before its rate was dropped still
        // gets its first answer.
        Err(refused) => match known_order(conn, shop, &order.id).await? {
            Some(known) => return replay_of(conn, shop, order, known).await,
            None => return Err(refused),
        },
    };
    members::ensure(conn, shop, program, &order.customer).await?;
    let referrer = match (&order.referral_code, &program.referral) {
        (Some(code), Some(_)) => members::by_referral_code(conn, shop, code).await?.filter(|r| r != customer),
        _ => None,
    };
    // Both members of a referral locked in one order (by id), whoever the
    // order is for: two first orders that use each other's codes then
    // queue instead of deadlocking, and the second sees the first's link.
    lock_members(conn, shop, customer, referrer.as_deref()).await?;

    if let Some(known) = known_order(conn, shop, &order.id).await? {
        return replay_of(conn, shop, order, known).await;
    }

    let lifetime: i64 = sqlx::query_scalar("SELECT lifetime_points FROM customers WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(customer)
        .fetch_one(&mut *conn)
        .await?;
    // The tier held now, as the program's period measures it.
    let multiplier =
        crate::store::tier_standing::of(conn, shop, program, customer, lifetime, now).await?.multiplier(&program.tiers);
    let earning = earning::compute(conn, shop, program, order, terms, rate, multiplier).await?;
    let (awarded, bonus) = (earning.points, &earning.bonus);
    let first_paid_order = order.total > 0 && !has_paid_orders(conn, shop, customer).await?;
    let credit = program.cashback.map_or(0, |c| c.credit_for(earning.shop_total));

    // The order row first, and only if its id is new: a concurrent request
    // with the same id (for this member or another) waits on the unique
    // key here and then finds the winner's row, instead of failing.
    let inserted = sqlx::query(
        "INSERT INTO orders (shop_id, id, customer_id, total, currency, points_awarded, referral_code, created_at,
                             credit_awarded, rate, shop_total, shop_refunded, excluded)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
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
    .bind(earning.rate.as_deref())
    .bind(earning.rate.as_ref().map(|_| earning.shop_total))
    .bind(earning.rate.as_ref().map(|_| 0_i64))
    .bind(earning.excluded)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        let known = known_order(conn, shop, &order.id).await?.ok_or_else(|| Error::OrderConflict(order.id.clone()))?;
        return replay_of(conn, shop, order, known).await;
    }
    if credit > 0 {
        credit::record(conn, shop, customer, credit, credit::Reason::Cashback, Some(&order.id), order.created_at)
            .await?;
    }
    insert_items(conn, shop, &order.id, &order.items, &earning.excluded_lines).await?;
    redemptions::use_for_order(conn, shop, program, &order.codes, &order.id, order.total, now).await?;
    if awarded != 0 {
        // One row with the campaign named in its note: a refund then takes
        // back the bonus in the same proportion as the rest.
        let mut entry = Entry::new(Reason::Earn, awarded, order.created_at)
            .order(&order.id)
            .converted(earning.conversion(order, order.total));
        if let Some(bonus) = &bonus {
            entry = entry.note(&bonus.campaign_id);
        }
        ledger::post(conn, shop, customer, program, entry, now).await?;
    }
    if program.actions.iter().any(|a| a.kind == lojal_core::actions::ActionKind::PurchaseCount) {
        let orders = kept_orders(conn, shop, customer).await?;
        actions::ordered(conn, shop, program, customer, &order.id, orders, now).await?;
    }
    stamps::punch(conn, shop, program, customer, &order.id, earning.shop_total, order.created_at).await?;
    if count_for_recommendations && !order.items.is_empty() {
        let skus: Vec<&str> = order.items.iter().map(|i| i.sku.as_str()).collect();
        recommendations::count_basket(conn, shop, &skus).await?;
    }
    if let (Some(referrer), true) = (&referrer, first_paid_order) {
        credit_referral(conn, shop, program, order, referrer, now).await?;
    }
    // What was waiting in the cart has now been bought.
    sqlx::query("DELETE FROM carts WHERE shop_id = $1 AND customer_id = $2")
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    if awarded == 0 {
        // Nothing went through the ledger's door: settle what fell due.
        ledger::settle(conn, shop, customer, program, now).await?;
    }
    let points = ledger::balance(conn, shop, customer).await?;
    Ok(Receipt { points_awarded: awarded, points, duplicate: false })
}

/// An order id already stored, as a retry must match it.
struct KnownOrder {
    customer: String,
    total: i64,
    currency: String,
    points_awarded: i64,
    items: Vec<(String, i64, i64)>,
}

async fn known_order(conn: &mut AnyConnection, shop: &str, id: &str) -> Result<Option<KnownOrder>> {
    let Some(row) =
        sqlx::query("SELECT customer_id, total, currency, points_awarded FROM orders WHERE shop_id = $1 AND id = $2")
            .bind(shop)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(None);
    };
    let items: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT sku, qty, price FROM order_items WHERE shop_id = $1 AND order_id = $2")
            .bind(shop)
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(Some(KnownOrder {
        customer: row.try_get("customer_id")?,
        total: row.try_get("total")?,
        currency: row.try_get("currency")?,
        points_awarded: row.try_get("points_awarded")?,
        items,
    }))
}

/// The answer to an order id sent again: the first answer when it is the
/// same order (a retry), `OrderConflict` when anything differs, its lines
/// included, in any order.
async fn replay_of(conn: &mut AnyConnection, shop: &str, order: &NewOrder, known: KnownOrder) -> Result<Receipt> {
    let mut sent: Vec<(String, i64, i64)> = order.items.iter().map(|i| (i.sku.clone(), i.qty, i.price)).collect();
    let mut stored = known.items;
    sent.sort();
    stored.sort();
    if known.customer != order.customer.as_str()
        || known.total != order.total
        || known.currency != order.currency
        || sent != stored
    {
        return Err(Error::OrderConflict(order.id.clone()));
    }
    // A resend may repeat the codes it used, not add others.
    for code in &order.codes {
        if !redemptions::used_by(conn, shop, code, &order.id).await? {
            return Err(Error::OrderConflict(order.id.clone()));
        }
    }
    let points = ledger::balance(conn, shop, &known.customer).await?;
    Ok(Receipt { points_awarded: known.points_awarded, points, duplicate: true })
}

async fn insert_items(
    conn: &mut AnyConnection,
    shop: &str,
    order_id: &str,
    items: &[LineItem],
    excluded: &[bool],
) -> Result<()> {
    for (item, excluded) in items.iter().zip(excluded) {
        sqlx::query(
            "INSERT INTO order_items (shop_id, order_id, sku, qty, price, excluded) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(shop)
        .bind(order_id)
        .bind(&item.sku)
        .bind(item.qty)
        .bind(item.price)
        .bind(i64::from(*excluded))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Locks `customer` and, when given, `other`, always in the same order.
async fn lock_members(conn: &mut AnyConnection, shop: &str, customer: &str, other: Option<&str>) -> Result<()> {
    let mut ids = vec![customer];
    ids.extend(other.filter(|o| *o != customer));
    ids.sort_unstable();
    for id in ids {
        ledger::lock_member(conn, shop, id).await?;
    }
    Ok(())
}

/// Credits the member whose code brought this first paid order, once,
/// unless it is self-dealing: one's own code (left out by the caller), a
/// customer already referred, or a loop (the referrer was, directly or down
/// a chain, referred by this customer). Both members are locked.
async fn credit_referral(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order: &NewOrder,
    referrer: &str,
    now: i64,
) -> Result<()> {
    let customer = order.customer.as_str();
    let Some(rule) = &program.referral else {
        return Ok(());
    };
    // Links are made one at a time per shop, so the chain read below cannot
    // change under another first order's link (two at once could otherwise
    // close a loop of four members, each seeing the other's link unmade).
    sqlx::query("UPDATE shops SET name = name WHERE id = $1").bind(shop).execute(&mut *conn).await?;
    let referee = members::find(conn, shop, customer).await?.expect("the customer is a member");
    if referee.referred_by.is_some() {
        return Ok(());
    }
    let mut up = Some(referrer.to_owned());
    for _ in 0..MAX_REFERRAL_CHAIN {
        let Some(member) = up else { break };
        if member == customer {
            return Ok(());
        }
        up = members::find(conn, shop, &member).await?.and_then(|m| m.referred_by);
    }

    sqlx::query("UPDATE customers SET referred_by = $1 WHERE shop_id = $2 AND id = $3")
        .bind(referrer)
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE orders SET referrer_id = $1 WHERE shop_id = $2 AND id = $3")
        .bind(referrer)
        .bind(shop)
        .bind(&order.id)
        .execute(&mut *conn)
        .await?;
    if rule.referrer_points > 0 {
        let entry = Entry::new(Reason::Referral, rule.referrer_points, order.created_at).order(&order.id);
        ledger::post(conn, shop, referrer, program, entry, now).await?;
    }
    let completed = lojal_core::webhooks::ReferralCompleted {
        referrer: referrer.to_owned(),
        customer: customer.to_owned(),
        order_id: order.id.clone(),
        points: rule.referrer_points,
    };
    let event = lojal_core::webhooks::Event::ReferralCompleted(completed);
    crate::store::outbox::record(conn, shop, Some(referrer), &event, now).await?;
    if let Some(reward) = rule.referee_reward_id.as_deref().and_then(|id| program.reward(id)) {
        // The referee's welcome reward costs them nothing; it is tied to the
        // order that earned it, so a full refund voids it.
        let code = redemptions::issue(conn, shop, customer, reward, 0, now).await?;
        redemptions::tie_to_order(conn, shop, &code, &order.id).await?;
    }
    Ok(())
}

/// Whether the member has an order that paid something (a 0 order does
/// not make a referral: it earns nothing and could never be refunded).
async fn has_paid_orders(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<bool> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM orders WHERE shop_id = $1 AND customer_id = $2 AND total > 0 LIMIT 1")
            .bind(shop)
            .bind(customer)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

/// The member's paid orders that were not refunded in full: what "the
/// n-th order" counts (an order of 0, paid with a free code say, is none).
async fn kept_orders(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE shop_id = $1 AND customer_id = $2 AND total > 0 AND refunded < total",
    )
    .bind(shop)
    .bind(customer)
    .fetch_one(&mut *conn)
    .await?)
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
/// (the balance may then go negative), but never points of it that already
/// expired. A full refund also takes back what the order brought beyond
/// its purchase points: the referrer's bonus and the referee's welcome
/// code, the feedback points for it and an n-th-order bonus it triggered.
/// `refund_id`, when given, makes a retry return the first result without
/// refunding again.
pub async fn refund(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order_id: &str,
    amount: Option<i64>,
    refund_id: Option<&str>,
    now: i64,
) -> Result<RefundReceipt> {
    refund_lines(conn, shop, program, order_id, amount, &[], refund_id, now).await
}

/// [`refund`] of the order's `lines` (none: not known), with its amount
/// (the lines' value when `None` and lines are named). The points taken
/// back are in proportion to the refunded part of the lines that earned
/// (`lojal_core::points::earning_part`): a returned line that earned
/// nothing, a gift card, takes none back.
#[allow(clippy::too_many_arguments)]
pub async fn refund_lines(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order_id: &str,
    amount: Option<i64>,
    lines: &[lojal_core::requests::RefundLine],
    refund_id: Option<&str>,
    now: i64,
) -> Result<RefundReceipt> {
    let row = sqlx::query(
        "SELECT customer_id, total, points_awarded, credit_awarded, referrer_id, excluded, currency, rate,
                shop_total FROM orders
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
    let excluded: i64 = row.try_get("excluded")?;
    let currency: String = row.try_get("currency")?;
    let rate: Option<String> = row.try_get("rate")?;
    let shop_total: Option<i64> = row.try_get("shop_total")?;
    lock_members(conn, shop, &customer, referrer.as_deref()).await?;
    // Read again under the lock: a concurrent refund may have just committed.
    let (refunded, earning_refunded): (i64, i64) =
        sqlx::query_as("SELECT refunded, earning_refunded FROM orders WHERE shop_id = $1 AND id = $2")
            .bind(shop)
            .bind(order_id)
            .fetch_one(&mut *conn)
            .await?;
    let named = if lines.is_empty() { None } else { Some(earning::named_lines(conn, shop, order_id, lines).await?) };
    let amount = amount.or(named.map(|(value, _)| value));
    if amount == Some(0) {
        return Err(
            lojal_core::Error::InvalidRequest("items: the lines named are worth nothing to refund".into()).into()
        );
    }

    if let Some(id) = refund_id {
        let earlier: Option<(i64, i64)> = sqlx::query_as(
            "SELECT points_reversed, amount FROM refunds WHERE shop_id = $1 AND order_id = $2 AND id = $3",
        )
        .bind(shop)
        .bind(order_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((points_reversed, earlier_amount)) = earlier {
            // A retry must be the same refund: another amount under a known
            // id is a different request, not to be answered as the first.
            if amount.is_some_and(|a| a != earlier_amount) {
                return Err(Error::RefundConflict(id.to_owned()));
            }
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
    let in_full = amount == refundable;

    let before = points::Refunded { amount: refunded, earning: earning_refunded };
    let earning_now = points::earning_part(total, excluded, before, amount, named.map(|(_, excluded)| excluded));
    let asked = if total - excluded > 0 {
        points::refund_reversal(awarded, total - excluded, earning_refunded, earning_now)
    } else {
        // Every line excluded, yet points earned (a discount counted, say):
        // they go back with the order's amount.
        points::refund_reversal(awarded, total, refunded, amount)
    };
    let reversal = if asked > 0 {
        let conversion = rate.as_deref().map(|rate| ledger::Conversion { amount, currency: &currency, rate });
        let entry = Entry::new(Reason::Refund, -asked, now).order(order_id).converted(conversion);
        -ledger::post(conn, shop, &customer, program, entry, now).await?.delta
    } else {
        0
    };
    sqlx::query(
        "UPDATE orders SET refunded = refunded + $1, points_reversed = points_reversed + $2,
                           earning_refunded = earning_refunded + $3,
                           shop_refunded = $4
         WHERE shop_id = $5 AND id = $6",
    )
    .bind(amount)
    .bind(reversal)
    .bind(earning_now)
    // A converted order's refunded part in the shop's currency, from
    // the cumulative amount so that the parts add up to its total.
    .bind(
        shop_total.map(|converted| (i128::from(converted) * i128::from(refunded + amount) / i128::from(total)) as i64),
    )
    .bind(shop)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
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
    if in_full {
        take_back_extras(conn, shop, program, &customer, referrer.as_deref(), order_id, now).await?;
    }
    if let (Some(card), true) = (&program.stamp_card, in_full) {
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
    let points = ledger::balance(conn, shop, &customer).await?;
    Ok(RefundReceipt { points_reversed: reversal, points, refundable: refundable - amount })
}

/// What an order brought beyond its purchase points is for a kept
/// purchase: when it is refunded in full, the referrer's bonus, the
/// referee's unused welcome code and the feedback points for the order go
/// back, and so does an n-th-order bonus the member's kept orders no longer
/// reach. Each reversal takes at most
/// what is left of that credit (the ledger's door checks it), so running
/// this when there is nothing to take back takes nothing.
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
    if program.actions.iter().any(|a| a.kind == lojal_core::actions::ActionKind::PurchaseCount) {
        let kept = kept_orders(conn, shop, customer).await?;
        actions::order_count_fell(conn, shop, program, customer, kept, now).await?;
    }
    Ok(())
}
