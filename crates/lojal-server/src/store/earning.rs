//! What an order earns by the program's rules (issue 20): its currency
//! accepted, or converted at the merchant's rate; the lines that earn
//! nothing left out; shipping, tax and discounts counted as the program
//! says; and the best running campaign's bonus, on the shop's calendar.
//! The rules themselves are `lojal-core`'s (`points`, `currency`,
//! `campaign`); this reads what they need (the lines' categories).

use crate::error::Result;
use crate::store::ledger::Conversion;
use crate::store::orders::NewOrder;
use crate::store::products;
use lojal_core::campaign;
use lojal_core::currency::{self, Rate};
use lojal_core::points::{self, EarnRate, Multiplier, OrderAmounts};
use lojal_core::program::Program;
use lojal_core::requests::RefundLine;
use sqlx::AnyConnection;
use std::borrow::Cow;
use std::collections::HashMap;

/// What an order says beyond its lines and total, and the shop's currency:
/// borrowed while the order is worked out, owned ([`Terms::into_owned`])
/// while it waits in the group commit's queue.
#[derive(Debug, Clone)]
pub struct Terms<'a> {
    /// The program's currency: the shop's.
    pub shop_currency: Cow<'a, str>,
    /// Minor units of the order's currency, parts of its total.
    pub shipping: i64,
    pub tax: i64,
    /// Minor units already taken off the total.
    pub discount: i64,
}

impl<'a> Terms<'a> {
    /// An order in the shop's own currency that says nothing of shipping,
    /// tax or discounts (imports, platforms, the demo).
    pub fn plain(shop_currency: &'a str) -> Terms<'a> {
        Terms { shop_currency: shop_currency.into(), shipping: 0, tax: 0, discount: 0 }
    }

    /// The same terms, holding their own copy of the currency.
    pub fn into_owned(self) -> Terms<'static> {
        Terms { shop_currency: Cow::Owned(self.shop_currency.into_owned()), ..self }
    }
}

/// The order's currency accepted: `None` for the shop's own, the rate for
/// another the program has one for; refused (`currency_not_accepted`)
/// otherwise, before anything is written.
pub fn accept<'p>(program: &'p Program, order: &NewOrder, terms: &Terms<'_>) -> Result<Option<&'p Rate>> {
    Ok(lojal_core::requests::accepted_rate(&order.currency, &terms.shop_currency, &program.rates)?)
}

/// An order's earning, worked out.
#[derive(Debug, Clone)]
pub struct Earning {
    /// Purchase points and the campaign bonus, in one.
    pub points: i64,
    pub bonus: Option<campaign::Bonus>,
    /// Per line of the order: true when it earns nothing.
    pub excluded_lines: Vec<bool>,
    /// The value of those lines, minor units of the order's currency.
    pub excluded: i64,
    /// The rate it was converted at, as the merchant wrote it.
    pub rate: Option<String>,
    /// The order's total in the shop's currency.
    pub shop_total: i64,
}

impl Earning {
    /// What a converted order's ledger rows state: `amount` of the order's
    /// currency and the rate.
    pub fn conversion<'a>(&'a self, order: &'a NewOrder, amount: i64) -> Option<Conversion<'a>> {
        self.rate.as_deref().map(|rate| Conversion { amount, currency: &order.currency, rate })
    }
}

/// Works out what `order` earns at the tier `multiplier`, `rate` being what
/// [`accept`] gave.
pub async fn compute(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    order: &NewOrder,
    terms: &Terms<'_>,
    rate: Option<&Rate>,
    multiplier: Multiplier,
) -> Result<Earning> {
    let shop_exponent = currency::exponent(&terms.shop_currency).unwrap_or(2);
    let order_exponent = currency::exponent(&order.currency).unwrap_or(shop_exponent);
    let to_shop = |amount: i64| rate.map_or(amount, |r| r.convert(amount, order_exponent, shop_exponent));
    let zone = program.zone();
    let running: Vec<&campaign::Campaign> =
        program.campaigns.iter().filter(|c| c.runs_at(order.created_at, &zone)).collect();
    let exclude = &program.earn.exclude;
    // The catalogue's categories, read only when a rule needs them.
    let needs_categories = !exclude.categories.is_empty()
        || running.iter().any(|c| !c.categories.is_empty() || c.min_categories.is_some());
    let skus: Vec<&str> = order.items.iter().map(|i| i.sku.as_str()).collect();
    let categories = if needs_categories { products::categories(conn, shop, &skus).await? } else { HashMap::new() };
    let category = |sku: &str| categories.get(sku).map(String::as_str);

    let excluded_lines: Vec<bool> = order.items.iter().map(|i| exclude.excludes(&i.sku, category(&i.sku))).collect();
    let excluded = order
        .items
        .iter()
        .zip(&excluded_lines)
        .filter(|(_, excluded)| **excluded)
        .fold(0_i64, |sum, (i, _)| sum.saturating_add(i.qty.saturating_mul(i.price)))
        .min(order.total);
    let amounts = OrderAmounts {
        total: order.total,
        shipping: terms.shipping,
        tax: terms.tax,
        discount: terms.discount,
        excluded,
    };
    let base = to_shop(points::earning_base(&program.earn.counts, &amounts));
    let earn_rate = EarnRate { points_per_unit: i64::from(program.earn.points_per_unit), exponent: shop_exponent };
    let lines: Vec<campaign::Line<'_>> = order
        .items
        .iter()
        .zip(&excluded_lines)
        .filter(|(_, excluded)| !**excluded)
        .map(|(i, _)| campaign::Line { amount: to_shop(i.qty.saturating_mul(i.price)), category: category(&i.sku) })
        .collect();
    let bonus = if running.is_empty() {
        None
    } else {
        campaign::best_bonus(&program.campaigns, earn_rate, base, &lines, multiplier, order.created_at, &zone)
    };
    let shop_total = to_shop(order.total);
    if shop_total > lojal_core::requests::MAX_AMOUNT {
        return Err(lojal_core::Error::InvalidRequest(format!(
            "total: at the rate for {} it is more than {} minor units of {}",
            order.currency,
            lojal_core::requests::MAX_AMOUNT,
            terms.shop_currency
        ))
        .into());
    }
    let points = earn_rate.earned(base, multiplier) + bonus.as_ref().map_or(0, |b| b.points);
    Ok(Earning { points, bonus, excluded_lines, excluded, rate: rate.map(|r| r.to_string()), shop_total })
}

/// The lines a refund names, as stored with the order: their value and the
/// value of those that earned nothing (minor units of the order's
/// currency). A line the order does not hold, or more of it than it holds,
/// is refused.
pub async fn named_lines(
    conn: &mut AnyConnection,
    shop: &str,
    order_id: &str,
    lines: &[RefundLine],
) -> Result<(i64, i64)> {
    let rows: Vec<(String, i64, i64, i64)> =
        sqlx::query_as("SELECT sku, qty, price, excluded FROM order_items WHERE shop_id = $1 AND order_id = $2")
            .bind(shop)
            .bind(order_id)
            .fetch_all(&mut *conn)
            .await?;
    let (mut value, mut excluded) = (0_i64, 0_i64);
    let mut named: HashMap<&str, i64> = HashMap::new();
    for line in lines {
        *named.entry(line.sku.as_str()).or_default() += line.qty;
    }
    for (sku, mut qty) in named {
        let refused = || {
            lojal_core::Error::InvalidRequest(format!(
                "items: order {order_id} does not hold {qty} of `{}`",
                sku.chars().take(64).collect::<String>()
            ))
        };
        if rows.iter().filter(|r| r.0 == sku).map(|r| r.1).sum::<i64>() < qty {
            return Err(refused().into());
        }
        // The same SKU may be on several lines (at different prices): the
        // first lines first.
        for (_, held, price, is_excluded) in rows.iter().filter(|r| r.0 == sku) {
            let take = qty.min(*held);
            let worth = take.saturating_mul(*price);
            value = value.saturating_add(worth);
            if *is_excluded != 0 {
                excluded = excluded.saturating_add(worth);
            }
            qty -= take;
        }
    }
    Ok((value, excluded))
}
