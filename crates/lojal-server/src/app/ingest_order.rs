//! Taking in an order (`POST .../orders`, a platform's delivery, an
//! import that earns, the demo's seed): the one implementation of what an
//! order does. Idempotent by order id; an order, its lines, its ledger rows
//! and any referral credit commit together or not at all.
//!
//! A member's order, in order: the member (enrolled if new), the lock on
//! them and their referrer, the retry check, expiry settled, the tier held
//! now, the campaign, the ledger, cashback, the n-th-order actions, the
//! stamp card, the co-occurrence counts, the referral, the cart cleared.

use crate::app::{enrol, pay_action, punch_card};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::order_writer::OrderWriter;
use crate::store::earning::{self, Terms};
use crate::store::guest_points::{self, GuestOrder};
use crate::store::ledger::{self, Entry, Reason};
use crate::store::orders::{self, Earned, KnownOrder, NewOrder};
use crate::store::shops::Shop;
use crate::store::{carts, credit, members, outbox, recommendations, redemptions, referrals, tier_standing};
use lojal_core::actions::ActionKind;
use lojal_core::api::OrderReply;
use lojal_core::guest::GuestPoints;
use lojal_core::identity::CustomerId;
use lojal_core::program::Program;
use lojal_core::requests::OrderRequest;
use lojal_core::tiers;
use lojal_core::webhooks::{Event, ReferralCompleted};
use sqlx::AnyConnection;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Orders may be dated a few minutes ahead (clock skew), not more.
const MAX_CLOCK_SKEW_SECONDS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    pub points_awarded: i64,
    /// The member's balance after the order.
    pub points: i64,
    /// True when this order id was already known: nothing was written.
    pub duplicate: bool,
}

/// What `POST .../orders` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub reply: OrderReply,
    /// The order id was known: nothing was written.
    pub duplicate: bool,
    /// A member's new order: its lines changed the co-occurrence counts.
    pub counted: bool,
}

/// `POST .../orders`: a member's order through the order writer (which
/// owns its transaction, shared with other orders on SQLite), or a
/// guest's in a transaction of its own.
pub async fn ingest(writer: &OrderWriter, db: &Db, shop: Shop, order: OrderRequest, now: i64) -> Result<Ingested> {
    order.validate(&shop.currency)?;
    let created_at = created_at(order.created_at.as_deref(), now)?;
    let Some(customer) = order.customer.clone() else {
        // Pending guest points are counted in the shop's currency only: a
        // guest's order in another is refused, whatever the rates.
        lojal_core::requests::accepted_rate(&order.currency, &shop.currency, &Default::default())?;
        return guest(db, &shop, &order, created_at, now).await;
    };
    let terms = Terms {
        shop_currency: (&shop.currency).into(),
        shipping: order.shipping,
        tax: order.tax,
        discount: order.discount,
    };
    let new = NewOrder {
        id: order.id,
        customer,
        total: order.total,
        currency: order.currency,
        items: order.items,
        referral_code: order.referral_code,
        created_at,
        codes: canonical_codes(&order.codes),
    };
    let receipt = writer.ingest(&shop.id, shop.program, new, &terms, now).await?;
    Ok(Ingested {
        reply: OrderReply {
            points_awarded: receipt.points_awarded,
            points: receipt.points,
            points_pending: None,
            pending_until: None,
        },
        duplicate: receipt.duplicate,
        counted: !receipt.duplicate,
    })
}

/// When an order was placed: its RFC 3339 `created_at`, or `now`. An order
/// from the future (a typo, a wrong time zone) would date its points past
/// others' expiry; a few minutes of clock skew are allowed.
pub fn created_at(text: Option<&str>, now: i64) -> Result<i64> {
    let at = match text {
        Some(text) => OffsetDateTime::parse(text, &Rfc3339).map_err(|_| Error::BadTime)?.unix_timestamp(),
        None => now,
    };
    if at > now + MAX_CLOCK_SKEW_SECONDS {
        return Err(Error::FutureOrder);
    }
    Ok(at)
}

/// The order's codes in their canonical form, each once (`validate`
/// refused any that cannot be a code).
fn canonical_codes(typed: &[String]) -> Vec<String> {
    let mut codes: Vec<String> = typed.iter().filter_map(|c| lojal_core::codes::normalize(c)).collect();
    codes.sort();
    codes.dedup();
    codes
}

/// A guest's order (no `customer`, an `email_hash`): recorded for the
/// metrics and, with `program.guest_points`, its points kept pending for
/// the guest to claim by joining. Without the rule it earns nothing, as a
/// platform's guest order.
async fn guest(db: &Db, shop: &Shop, order: &OrderRequest, created_at: i64, now: i64) -> Result<Ingested> {
    let email_hash = order.email_hash.as_ref().expect("validate requires customer or email_hash");
    // Days of waiting 0 when the program keeps none: recorded, nothing pending.
    let rule = shop.program.guest_points.unwrap_or(GuestPoints { pending_days: 0 });
    let guest = GuestOrder { id: &order.id, email_hash, total: order.total, currency: &order.currency, created_at };
    let mut tx = db.begin_write().await?;
    // What the order would earn a new member (the first tier's multiplier),
    // by the same rules as a member's order: excluded lines, shipping, tax
    // and discounts as the program counts them, a running campaign.
    let as_member = NewOrder {
        id: order.id.clone(),
        customer: CustomerId::parse("guest").expect("a valid id"),
        total: order.total,
        currency: order.currency.clone(),
        items: order.items.clone(),
        referral_code: None,
        created_at,
        codes: Vec::new(),
    };
    let terms = Terms {
        shop_currency: (&shop.currency).into(),
        shipping: order.shipping,
        tax: order.tax,
        discount: order.discount,
    };
    let first_tier = tiers::multiplier_for(&shop.program.tiers, 0);
    let earning = earning::compute(&mut tx, &shop.id, &shop.program, &as_member, &terms, None, first_tier).await?;
    // Without the rule nothing waits to be claimed, whatever the order's date.
    let pending = if shop.program.guest_points.is_some() { earning.points } else { 0 };
    let receipt = guest_points::record(&mut tx, &shop.id, rule, &guest, pending, now).await?;
    // A member's code used at a guest checkout is used all the same.
    let codes = canonical_codes(&order.codes);
    redemptions::use_for_order(&mut tx, &shop.id, &shop.program, &codes, &order.id, order.total, now).await?;
    tx.commit().await?;
    let pending_until = (receipt.points_pending > 0).then(|| crate::clock::rfc3339(receipt.pending_until));
    Ok(Ingested {
        reply: OrderReply { points_awarded: 0, points: 0, points_pending: Some(receipt.points_pending), pending_until },
        duplicate: receipt.duplicate,
        counted: false,
    })
}

/// Records `order` and the points it earns, at the tier the customer holds
/// when it arrives, inside the caller's write transaction (`conn`, from
/// `Db::begin_write`): the order writer's batch, a platform delivery's, an
/// import's. `terms` says what the order says of its currency, shipping,
/// tax and discount: an order in another currency than the shop's earns at
/// the program's rate, or is refused without a write.
pub async fn within(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order: &NewOrder,
    terms: &Terms<'_>,
    now: i64,
) -> Result<Receipt> {
    ingest_counting(conn, shop, program, order, terms, now, true).await
}

/// As [`within`], but the order's basket is left out of the co-occurrence
/// counts: the order writer counts the baskets of a whole batch at once
/// (`recommendations::count_baskets`) in the same transaction, before it
/// commits, so an acknowledged order is counted as with [`within`].
pub async fn within_counted_by_caller(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order: &NewOrder,
    terms: &Terms<'_>,
    now: i64,
) -> Result<Receipt> {
    ingest_counting(conn, shop, program, order, terms, now, false).await
}

/// Many orders at once in the caller's transaction (an import that earns,
/// the demo's seed): each as by [`within`], and the recommendation counts
/// rebuilt once at the end rather than updated order by order.
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
        Err(refused) => match orders::known(conn, shop, &order.id).await? {
            Some(known) => return replay_of(conn, shop, order, known).await,
            None => return Err(refused),
        },
    };
    enrol::member(conn, shop, program, &order.customer, now).await?;
    let referrer = match (&order.referral_code, &program.referral) {
        (Some(code), Some(_)) => members::by_referral_code(conn, shop, code).await?.filter(|r| r != customer),
        _ => None,
    };
    // Both members of a referral locked in one order (by id), whoever the
    // order is for: two first orders that use each other's codes then
    // queue instead of deadlocking, and the second sees the first's link.
    orders::lock_members(conn, shop, customer, referrer.as_deref()).await?;

    if let Some(known) = orders::known(conn, shop, &order.id).await? {
        return replay_of(conn, shop, order, known).await;
    }

    let lifetime = orders::lifetime_points(conn, shop, customer).await?;
    // The tier held now, as the program's period measures it.
    let multiplier = tier_standing::of(conn, shop, program, customer, lifetime, now).await?.multiplier(&program.tiers);
    let earning = earning::compute(conn, shop, program, order, terms, rate, multiplier).await?;
    let (awarded, bonus) = (earning.points, &earning.bonus);
    let first_paid_order = order.total > 0 && !orders::has_paid_orders(conn, shop, customer).await?;
    let credit = program.cashback.map_or(0, |c| c.credit_for(earning.shop_total));

    // The order row first, and only if its id is new: a concurrent request
    // with the same id (for this member or another) waits on the unique
    // key here and then finds the winner's row, instead of failing.
    let earned = Earned {
        points: awarded,
        credit,
        rate: earning.rate.as_deref(),
        shop_total: earning.shop_total,
        excluded: earning.excluded,
    };
    if !orders::insert(conn, shop, order, earned).await? {
        let known =
            orders::known(conn, shop, &order.id).await?.ok_or_else(|| Error::OrderConflict(order.id.clone()))?;
        return replay_of(conn, shop, order, known).await;
    }
    if credit > 0 {
        credit::record(conn, shop, customer, credit, credit::Reason::Cashback, Some(&order.id), order.created_at)
            .await?;
    }
    orders::insert_items(conn, shop, &order.id, &order.items, &earning.excluded_lines).await?;
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
    if program.actions.iter().any(|a| a.kind == ActionKind::PurchaseCount) {
        let kept = orders::kept_orders(conn, shop, customer).await?;
        pay_action::ordered(conn, shop, program, customer, &order.id, kept, now).await?;
    }
    punch_card::punch(conn, shop, program, customer, &order.id, earning.shop_total, order.created_at).await?;
    if count_for_recommendations && !order.items.is_empty() {
        let skus: Vec<&str> = order.items.iter().map(|i| i.sku.as_str()).collect();
        recommendations::count_basket(conn, shop, &skus).await?;
    }
    if let (Some(referrer), true) = (&referrer, first_paid_order) {
        credit_referral(conn, shop, program, order, referrer, now).await?;
    }
    // What was waiting in the cart has now been bought.
    carts::clear(conn, shop, customer).await?;
    if awarded == 0 {
        // Nothing went through the ledger's door: settle what fell due.
        ledger::settle(conn, shop, customer, program, now).await?;
    }
    let points = ledger::balance(conn, shop, customer).await?;
    Ok(Receipt { points_awarded: awarded, points, duplicate: false })
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
    orders::lock_referral_links(conn, shop).await?;
    let referee = members::find(conn, shop, customer).await?.expect("the customer is a member");
    let above = referrals::referrers_above(conn, shop, referrer).await?;
    let candidate = lojal_core::referral::Candidate {
        customer,
        referrer,
        // The caller credits only a first paid order.
        first_paid_order: true,
        referred_by: referee.referred_by.as_deref(),
        referrers_above: &above,
    };
    if lojal_core::referral::eligibility(&candidate).is_err() {
        return Ok(());
    }

    orders::link_referral(conn, shop, customer, referrer, &order.id).await?;
    if rule.referrer_points > 0 {
        let entry = Entry::new(Reason::Referral, rule.referrer_points, order.created_at).order(&order.id);
        ledger::post(conn, shop, referrer, program, entry, now).await?;
    }
    let completed = ReferralCompleted {
        referrer: referrer.to_owned(),
        customer: customer.to_owned(),
        order_id: order.id.clone(),
        points: rule.referrer_points,
    };
    outbox::record(conn, shop, Some(referrer), &Event::ReferralCompleted(completed), now).await?;
    if let Some(reward) = rule.referee_reward_id.as_deref().and_then(|id| program.reward(id)) {
        // The referee's welcome reward costs them nothing; it is tied to the
        // order that earned it, so a full refund voids it.
        let code = redemptions::issue(conn, shop, customer, reward, 0, now).await?;
        redemptions::tie_to_order(conn, shop, &code, &order.id).await?;
    }
    Ok(())
}
