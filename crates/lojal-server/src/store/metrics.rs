//! The program's figures for the merchant: whether loyalty pays. This
//! module reads and sums rows; what each figure counts is defined (and
//! tested) in `lojal_core::metrics`, and the answer is `lojal_core::api::Metrics`.

use crate::error::Result;
use crate::store::{donations, feedback};
use lojal_core::api::{CreditFigures, Metrics, ReferralFigures};
use lojal_core::metrics::{self, CustomerFact, OrderFact, ReasonSum};
use lojal_core::program::Program;
use sqlx::{AnyConnection, Row};

// PostgreSQL sums BIGINTs into NUMERIC, which the Any driver cannot read:
// every SUM here is cast back to BIGINT.

/// Months drawn in the merchant's charts, and months a cohort is followed.
const MONTHS: u32 = 12;
const COHORT_HORIZON: usize = 6;

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
    let mut customers = Vec::with_capacity(rows.len());
    for row in &rows {
        joined.push(metrics::joined_at(row.try_get("created_at")?, row.try_get("first_order")?));
        customers.push(CustomerFact {
            orders: row.try_get("orders")?,
            net: row.try_get("revenue")?,
            ordered_before: row.try_get::<i64, _>("before")? > 0,
            ordered_recently: row.try_get::<i64, _>("recent")? > 0,
            lifetime_points: row.try_get("lifetime_points")?,
            joined_program: row.try_get::<Option<i64>, _>("joined_at")?.is_some(),
        });
    }
    let by_customer = metrics::customer_figures(&customers, &program.tiers);
    // Guests' orders from a platform count in the orders and revenue, not
    // among customers: the per-customer figures stay the members'.
    let (guest_orders, guest_revenue) = crate::store::platforms::guest_totals(conn, shop).await?;

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

    let sums = sqlx::query(
        "SELECT reason, CAST(COALESCE(SUM(CASE WHEN delta > 0 THEN delta ELSE 0 END), 0) AS BIGINT) AS credited,
                CAST(COALESCE(SUM(CASE WHEN delta < 0 THEN -delta ELSE 0 END), 0) AS BIGINT) AS debited
         FROM ledger WHERE shop_id = $1 GROUP BY reason",
    )
    .bind(shop)
    .fetch_all(&mut *conn)
    .await?;
    let sums = sums
        .iter()
        .map(|row| Ok((row.try_get::<String, _>("reason")?, row.try_get("credited")?, row.try_get("debited")?)))
        .collect::<Result<Vec<(String, i64, i64)>>>()?;
    let sums: Vec<ReasonSum<'_>> = sums
        .iter()
        .map(|(reason, credited, debited)| ReasonSum { reason, credited: *credited, debited: *debited })
        .collect();
    let points = metrics::points_figures(&sums, outstanding);

    let feedback = feedback::nps(conn, shop, now - period).await?;
    Ok(Metrics {
        currency: currency.to_owned(),
        period_days,
        members,
        customers_with_orders: by_customer.with_orders,
        orders: by_customer.orders + guest_orders,
        revenue: by_customer.revenue + guest_revenue,
        repeat_purchase_rate: by_customer.repeat_purchase_rate,
        retention: by_customer.retention,
        churn: by_customer.churn,
        average_customer_value: by_customer.average_value,
        customer_value_by_membership: by_customer.by_membership,
        points,
        tiers: by_customer.tiers,
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
    let rows = sqlx::query(
        "SELECT reason, CAST(COALESCE(SUM(delta), 0) AS BIGINT) AS total FROM credit_ledger WHERE shop_id = $1
         GROUP BY reason",
    )
    .bind(shop)
    .fetch_all(&mut *conn)
    .await?;
    let sums = rows
        .iter()
        .map(|row| Ok((row.try_get::<String, _>("reason")?, row.try_get::<i64, _>("total")?)))
        .collect::<Result<Vec<_>>>()?;
    let sums: Vec<(&str, i64)> = sums.iter().map(|(reason, total)| (reason.as_str(), *total)).collect();
    Ok(metrics::credit_figures(&sums))
}
