//! The program's figures for the merchant: whether loyalty pays. Each
//! figure's definition is in its doc comment, and in the API document.

use crate::error::Result;
use crate::store::{donations, feedback};
use lojal_core::metrics::{self, OrderFact};
use lojal_core::program::Program;
use lojal_core::tiers;
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

// PostgreSQL sums BIGINTs into NUMERIC, which the Any driver cannot read:
// every SUM here is cast back to BIGINT.

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// The shop's currency, which `revenue` and customer values are in.
    pub currency: String,
    /// The window of `retention` and `churn`, in days.
    pub period_days: i64,
    /// Members enrolled (signed in or ordered at least once).
    pub members: i64,
    /// Members with at least one order.
    pub customers_with_orders: i64,
    /// Orders, guests' orders from a platform included.
    pub orders: i64,
    /// Sum of order totals less refunds, minor units (guests' orders from a
    /// platform included).
    pub revenue: i64,
    /// Share of ordering customers with two or more orders.
    pub repeat_purchase_rate: Option<f64>,
    /// Of customers who ordered in the period before the last one, the share
    /// who ordered again in the last period.
    pub retention: Option<f64>,
    /// 1 - retention.
    pub churn: Option<f64>,
    /// Average net revenue per ordering customer to date (minor units).
    pub average_customer_value: Option<f64>,
    /// The same, for customers who have opened the widget signed in (who
    /// know the program) and for those known only from orders.
    pub customer_value_by_membership: MembershipValue,
    pub points: PointsFigures,
    /// Members and revenue by the tier members hold now.
    pub tiers: Vec<TierFigures>,
    pub referrals: ReferralFigures,
    /// Net Promoter Score of the answers in the last `period_days`; null
    /// without answers.
    pub nps: Option<f64>,
    /// The answers behind `nps`: promoters (9-10), passives (7-8),
    /// detractors (0-6).
    pub feedback: lojal_core::feedback::NpsFigures,
    /// What members gave to the shop's cause, to date, minor units.
    pub donated_amount: i64,
    /// Store credit from cashback, minor units, to date.
    pub credit: CreditFigures,
    /// The last twelve calendar months (UTC), oldest first.
    pub months: Vec<metrics::Month>,
    /// Customers by the month of their first order, in the last twelve
    /// months, and the share who ordered in each of the six months after.
    pub cohorts: Vec<metrics::Cohort>,
    /// Whether recommendations earn money, in the last `period_days`.
    pub recommendations: crate::store::recommendations::Figures,
}

/// Months drawn in the merchant's charts, and months a cohort is followed.
const MONTHS: u32 = 12;
const COHORT_HORIZON: usize = 6;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointsFigures {
    /// Points credited: purchases, referral bonuses, positive adjustments.
    pub issued: i64,
    /// Points spent on rewards.
    pub redeemed: i64,
    pub expired: i64,
    /// Points members gave to the shop's cause.
    pub donated: i64,
    /// Points taken back by refunds and negative adjustments.
    pub reversed: i64,
    /// Sum of all balances: the program's liability, in points.
    pub outstanding: i64,
    /// redeemed / issued.
    pub redemption_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MembershipValue {
    /// Ordering customers who have opened the widget signed in.
    pub members: i64,
    pub members_value: Option<f64>,
    /// Ordering customers known only from the merchant's orders.
    pub non_members: i64,
    pub non_members_value: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditFigures {
    /// Cashback credited on purchases.
    pub issued: i64,
    /// Spent at checkout.
    pub spent: i64,
    /// Taken back by refunds.
    pub reversed: i64,
    /// Held by members now: the program's liability in money.
    pub outstanding: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierFigures {
    pub id: String,
    pub name: String,
    pub members: i64,
    pub revenue: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferralFigures {
    /// Visits through referral links.
    pub visits: i64,
    /// Members whose first order credited a referrer.
    pub conversions: i64,
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

pub async fn compute(
    conn: &mut AnyConnection,
    shop: &str,
    currency: &str,
    program: &Program,
    now: i64,
    period_days: i64,
) -> Result<Metrics> {
    let one = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql).bind(shop.to_owned());
    let members = one("SELECT COUNT(*) FROM customers WHERE shop_id = $1").fetch_one(&mut *conn).await?;
    let conversions = one("SELECT COUNT(*) FROM customers WHERE shop_id = $1 AND referred_by IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?;
    let visits = one("SELECT COUNT(*) FROM referral_visits WHERE shop_id = $1").fetch_one(&mut *conn).await?;
    let outstanding = one("SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM customers WHERE shop_id = $1")
        .fetch_one(&mut *conn)
        .await?;

    // Per customer: orders, net revenue, whether they ordered in each window.
    let period = period_days * 86_400;
    let rows = sqlx::query(
        "SELECT c.id, c.lifetime_points, c.created_at, c.joined_at, MIN(o.created_at) AS first_order,
                COUNT(o.id) AS orders,
                CAST(COALESCE(SUM(COALESCE(o.shop_total - o.shop_refunded, o.total - o.refunded)), 0) AS BIGINT) AS revenue,
                CAST(COALESCE(SUM(CASE WHEN o.created_at >= $2 AND o.created_at < $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS before,
                CAST(COALESCE(SUM(CASE WHEN o.created_at >= $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS recent
         FROM customers c LEFT JOIN orders o ON o.shop_id = c.shop_id AND o.customer_id = c.id
         WHERE c.shop_id = $1 GROUP BY c.id, c.lifetime_points, c.created_at, c.joined_at",
    )
    .bind(shop)
    .bind(now - 2 * period)
    .bind(now - period)
    .fetch_all(&mut *conn)
    .await?;

    let mut joined = Vec::with_capacity(rows.len());
    // (customers, revenue) of members and of non-members, among those who ordered.
    let (mut member_value, mut other_value) = ((0_i64, 0_i64), (0_i64, 0_i64));
    let mut per_tier: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let (mut ordering, mut repeat, mut orders, mut revenue, mut base, mut retained) = (0, 0, 0, 0, 0, 0);
    for row in &rows {
        let n: i64 = row.try_get("orders")?;
        let net: i64 = row.try_get("revenue")?;
        let before: i64 = row.try_get("before")?;
        let recent: i64 = row.try_get("recent")?;
        let lifetime: i64 = row.try_get("lifetime_points")?;
        joined.push(metrics::joined_at(row.try_get("created_at")?, row.try_get("first_order")?));
        orders += n;
        revenue += net;
        if n > 0 {
            let joined_program: Option<i64> = row.try_get("joined_at")?;
            let group = if joined_program.is_some() { &mut member_value } else { &mut other_value };
            group.0 += 1;
            group.1 += net;
        }
        ordering += i64::from(n > 0);
        repeat += i64::from(n > 1);
        if before > 0 {
            base += 1;
            retained += i64::from(recent > 0);
        }
        if let Some(tier) = tiers::tier_for(&program.tiers, lifetime) {
            let entry = per_tier.entry(tier.id.as_str()).or_default();
            entry.0 += 1;
            entry.1 += net;
        }
    }
    let retention = ratio(retained, base);
    // Guests' orders from a platform count in the orders and revenue, not
    // among customers: the per-customer figures stay the members'.
    let member_revenue = revenue;
    let (guest_orders, guest_revenue) = crate::store::platforms::guest_totals(conn, shop).await?;
    orders += guest_orders;
    revenue += guest_revenue;

    let order_rows = sqlx::query(
        // An order in another currency counts at its converted amounts.
        "SELECT customer_id, created_at, CAST(COALESCE(shop_total - shop_refunded, total - refunded) AS BIGINT) AS net
         FROM orders WHERE shop_id = $1",
    )
    .bind(shop)
    .fetch_all(&mut *conn)
    .await?;
    let mut facts = Vec::with_capacity(order_rows.len());
    for row in &order_rows {
        facts.push((
            row.try_get::<String, _>("customer_id")?,
            row.try_get::<i64, _>("created_at")?,
            row.try_get("net")?,
        ));
    }
    let facts: Vec<OrderFact<'_>> =
        facts.iter().map(|(customer, at, net)| OrderFact { customer, at: *at, net: *net }).collect();

    let mut points = PointsFigures {
        issued: 0,
        redeemed: 0,
        expired: 0,
        donated: 0,
        reversed: 0,
        outstanding,
        redemption_rate: None,
    };
    let sums = sqlx::query(
        "SELECT reason, CAST(COALESCE(SUM(CASE WHEN delta > 0 THEN delta ELSE 0 END), 0) AS BIGINT) AS credited,
                CAST(COALESCE(SUM(CASE WHEN delta < 0 THEN -delta ELSE 0 END), 0) AS BIGINT) AS debited
         FROM ledger WHERE shop_id = $1 GROUP BY reason",
    )
    .bind(shop)
    .fetch_all(&mut *conn)
    .await?;
    for row in sums {
        let reason: String = row.try_get("reason")?;
        let (credited, debited): (i64, i64) = (row.try_get("credited")?, row.try_get("debited")?);
        if reason == "void" {
            // A voided code's points came back: neither issued nor redeemed.
            points.redeemed -= credited;
            continue;
        }
        points.issued += credited;
        match reason.as_str() {
            // Spent in the program before Lojal (an import's opening balance).
            "redeem" | "import_spent" => points.redeemed += debited,
            "expiry" => points.expired += debited,
            "donation" => points.donated += debited,
            _ => points.reversed += debited,
        }
    }
    points.redemption_rate = ratio(points.redeemed, points.issued);

    let feedback = feedback::nps(conn, shop, now - period).await?;
    Ok(Metrics {
        currency: currency.to_owned(),
        period_days,
        members,
        customers_with_orders: ordering,
        orders,
        revenue,
        repeat_purchase_rate: ratio(repeat, ordering),
        retention,
        churn: retention.map(|r| 1.0 - r),
        average_customer_value: (ordering > 0).then(|| member_revenue as f64 / ordering as f64),
        customer_value_by_membership: MembershipValue {
            members: member_value.0,
            members_value: (member_value.0 > 0).then(|| member_value.1 as f64 / member_value.0 as f64),
            non_members: other_value.0,
            non_members_value: (other_value.0 > 0).then(|| other_value.1 as f64 / other_value.0 as f64),
        },
        points,
        tiers: program
            .tiers
            .iter()
            .map(|t| {
                let (members, revenue) = per_tier.get(t.id.as_str()).copied().unwrap_or_default();
                TierFigures { id: t.id.clone(), name: t.name.clone(), members, revenue }
            })
            .collect(),
        referrals: ReferralFigures { visits, conversions },
        nps: feedback.score,
        feedback,
        donated_amount: donations::total(conn, shop).await?,
        credit: credit_figures(conn, shop).await?,
        months: metrics::monthly(&joined, &facts, now, MONTHS, &program.zone()),
        cohorts: metrics::cohorts(&facts, now, MONTHS, COHORT_HORIZON, &program.zone()),
        recommendations: crate::store::recommendations::figures(conn, shop, now, period_days).await?,
    })
}

async fn credit_figures(conn: &mut AnyConnection, shop: &str) -> Result<CreditFigures> {
    let mut figures = CreditFigures { issued: 0, spent: 0, reversed: 0, outstanding: 0 };
    let rows = sqlx::query(
        "SELECT reason, CAST(COALESCE(SUM(delta), 0) AS BIGINT) AS total FROM credit_ledger WHERE shop_id = $1
         GROUP BY reason",
    )
    .bind(shop)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let (reason, total): (String, i64) = (row.try_get("reason")?, row.try_get("total")?);
        match reason.as_str() {
            "cashback" => figures.issued += total,
            "spend" => figures.spent -= total,
            _ => figures.reversed -= total,
        }
    }
    figures.outstanding = figures.issued - figures.spent - figures.reversed;
    Ok(figures)
}
