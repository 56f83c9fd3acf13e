//! What a purchase earns.

pub use crate::units::Multiplier;
use serde::{Deserialize, Serialize};

/// [`crate::program::Program::points_for_purchase`] from the figures the
/// widget has: `points_per_unit` as
/// published in `ways_to_earn`, so a product page's "Earn 249 points" is
/// computed exactly as the order will be. Points are per major unit (per
/// krona, per yen, per dinar): `exponent` is the currency's number of
/// decimals (2 for SEK, 0 for JPY, 3 for KWD, see
/// [`crate::currency::exponent`]).
pub fn earned(points_per_unit: i64, total_minor: i64, exponent: u32, multiplier: Multiplier) -> i64 {
    if total_minor <= 0 || points_per_unit <= 0 {
        return 0;
    }
    let minor_per_unit = 10_i128.pow(exponent.min(4));
    let points =
        total_minor as i128 * points_per_unit as i128 * multiplier.millionths() as i128 / (minor_per_unit * 1_000_000);
    points.clamp(0, i128::from(MAX_POINTS_PER_PURCHASE)) as i64
}

/// What a unit of money earns: points per major unit of a currency with
/// `exponent` decimals (see [`earned`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EarnRate {
    pub points_per_unit: i64,
    pub exponent: u32,
}

impl EarnRate {
    pub fn earned(self, total_minor: i64, multiplier: Multiplier) -> i64 {
        earned(self.points_per_unit, total_minor, self.exponent, multiplier)
    }
}

/// No purchase earns more: a balance then takes millions of the largest
/// purchases before it could overflow, whatever the program says.
pub const MAX_POINTS_PER_PURCHASE: i64 = 1_000_000_000_000;

/// Points to take back when `refund_now` more of an order's `total` is
/// refunded, `refunded_before` having been refunded already.
///
/// Computed from the cumulative refunded amount, so several partial refunds
/// that add up to the whole order take back exactly what it earned, with no
/// rounding drift: the points kept are those the kept amount would earn.
pub fn refund_reversal(awarded: i64, total: i64, refunded_before: i64, refund_now: i64) -> i64 {
    if total <= 0 || awarded <= 0 {
        return 0;
    }
    let kept = |refunded: i64| {
        let kept_amount = (total - refunded).clamp(0, total) as i128;
        (awarded as i128 * kept_amount / total as i128) as i64
    };
    kept(refunded_before) - kept(refunded_before + refund_now)
}

/// An order's amounts as earning reads them, minor units of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrderAmounts {
    /// What the customer paid: after discounts, with shipping and tax.
    pub total: i64,
    pub shipping: i64,
    pub tax: i64,
    /// Discounts the order was given (already taken off `total`).
    pub discount: i64,
    /// The value of the lines that earn nothing (`earn.exclude`).
    pub excluded: i64,
}

/// Which parts of an order count towards points (see
/// [`earning_base`]). The defaults are the order's total as
/// paid: shipping and tax in it, discounts taken off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    #[serde(default = "yes")]
    pub shipping: bool,
    #[serde(default = "yes")]
    pub tax: bool,
    /// True: points on the price before the order's discount.
    #[serde(default)]
    pub discounts: bool,
}

impl Default for Counts {
    fn default() -> Counts {
        Counts { shipping: true, tax: true, discounts: false }
    }
}

impl Counts {
    pub(crate) fn is_default(&self) -> bool {
        *self == Counts::default()
    }
}

fn yes() -> bool {
    true
}

/// The amount an order earns points on: its total, less shipping and tax
/// unless they count, plus the discount when discounts count (points on
/// the price before it), less the lines that earn nothing; never below 0
/// nor above what it would be with everything counted.
pub fn earning_base(counts: &Counts, order: &OrderAmounts) -> i64 {
    let mut base = i128::from(order.total) - i128::from(order.excluded);
    if !counts.shipping {
        base -= i128::from(order.shipping);
    }
    if !counts.tax {
        base -= i128::from(order.tax);
    }
    if counts.discounts {
        base += i128::from(order.discount);
    }
    base.clamp(0, i128::from(order.total.max(0)) + i128::from(order.discount.max(0))) as i64
}

/// An order's refunds so far, as the split of the next one reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Refunded {
    /// All refunded so far, minor units.
    pub amount: i64,
    /// The part of it that was of lines that earned points.
    pub earning: i64,
}

/// The part of a refund of `amount` that is of lines that earned points,
/// for an order of `total` with `excluded` of lines that earned nothing:
/// when the refund names its lines, `named_excluded` is the value of the
/// excluded ones among them (a gift card returned takes no points back);
/// otherwise the refund is spread over the order's lines in proportion.
/// A refund of all that is left takes all that is left of the earning
/// part, so parts add up to the whole without drift. Points to take back
/// are then [`refund_reversal`] over the earning part.
pub fn earning_part(total: i64, excluded: i64, before: Refunded, amount: i64, named_excluded: Option<i64>) -> i64 {
    let excluded = excluded.clamp(0, total.max(0));
    let earning_total = total - excluded;
    let earning_left = (earning_total - before.earning).max(0);
    let excluded_left = (excluded - (before.amount - before.earning)).max(0);
    if total <= 0 || amount <= 0 {
        return 0;
    }
    if before.amount + amount >= total {
        return earning_left;
    }
    let part = match named_excluded {
        Some(named) => amount - named.clamp(0, amount).min(excluded_left),
        None => (i128::from(amount) * i128::from(earning_total) / i128::from(total)) as i64,
    };
    // Never more of either kind than is left of it.
    part.max(amount - excluded_left).clamp(0, earning_left.min(amount))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::tests::sample;

    fn m(value: f64) -> Multiplier {
        Multiplier::from_decimal(value)
    }

    #[test]
    fn one_point_per_krona_rounded_down() {
        let program = sample();
        let one = Multiplier::ONE;
        assert_eq!(program.points_for_purchase(24_900, 2, one), 249);
        assert_eq!(program.points_for_purchase(24_999, 2, one), 249);
        assert_eq!(program.points_for_purchase(99, 2, one), 0);
        assert_eq!(program.points_for_purchase(0, 2, one), 0);
        assert_eq!(program.points_for_purchase(-500, 2, one), 0);
    }

    #[test]
    fn the_multiplier_applies_before_rounding() {
        let program = sample();
        assert_eq!(program.points_for_purchase(9_999, 2, m(1.25)), 124);
        assert_eq!(program.points_for_purchase(10_000, 2, m(1.15)), 115);
        assert_eq!(program.points_for_purchase(10_000, 2, m(2.0)), 200);
    }

    #[test]
    fn multipliers_are_exact_to_the_thousandth_and_their_product_is_exact() {
        let program = sample();
        // 1.125 rounded to hundredths would be 1.13: 1,130 points, not 1,125.
        assert_eq!(program.points_for_purchase(100_000, 2, m(1.125)), 1_125);
        // 1.45 x 1.5 is 2.175 exactly: 2,175 points for 1,000 kr, not 2,170.
        assert_eq!(program.points_for_purchase(100_000, 2, m(1.45).times(m(1.5))), 2_175);
        assert_eq!(m(1.45).times(m(1.5)).millionths(), 2_175_000);
        // Rounded down once, after both multipliers: 1.333 x 1.5 = 1.9995.
        assert_eq!(program.points_for_purchase(10_000, 2, m(1.333).times(m(1.5))), 199);
        assert!(Multiplier::is_exact_decimal(1.125));
        assert!(Multiplier::is_exact_decimal(2.0));
        assert!(!Multiplier::is_exact_decimal(1.0005));
        assert!(!Multiplier::is_exact_decimal(f64::NAN));
        assert_eq!(m(-1.0), m(0.0));
    }

    #[test]
    fn refunds_take_back_points_in_proportion_without_drift() {
        // 249 points for 249.00 kr; refunded in three parts.
        assert_eq!(refund_reversal(249, 24_900, 0, 24_900), 249);
        let parts = [10_000, 4_950, 9_950];
        let mut before = 0;
        let mut taken = 0;
        for part in parts {
            taken += refund_reversal(249, 24_900, before, part);
            before += part;
        }
        assert_eq!(taken, 249);
        // Half of an odd award: the customer keeps the rounded-down half.
        assert_eq!(refund_reversal(125, 10_000, 0, 5_000), 63);
        assert_eq!(refund_reversal(0, 10_000, 0, 5_000), 0);
    }

    #[test]
    fn points_per_unit_scales_and_huge_totals_do_not_overflow() {
        let mut program = sample();
        program.earn.points_per_unit = 10;
        assert_eq!(program.points_for_purchase(1_050, 2, Multiplier::ONE), 105);
        assert_eq!(program.points_for_purchase(i64::MAX, 2, m(100.0)), MAX_POINTS_PER_PURCHASE);
    }
    #[test]
    fn points_are_per_major_unit_whatever_the_currencys_decimals() {
        // 1,000 yen (no decimals) at a point per yen: 1,000 points.
        assert_eq!(earned(1, 1_000, 0, Multiplier::ONE), 1_000);
        // 12.345 dinar (three decimals: 12,345 fils) at 10 a dinar: 123.45, rounded down.
        assert_eq!(earned(10, 12_345, 3, Multiplier::ONE), 123);
        assert_eq!(earned(1, 999, 3, Multiplier::ONE), 0, "less than a dinar");
        assert_eq!(earned(1, 1_000, 3, m(1.5)), 1);
        assert_eq!(earned(1, 24_900, 2, Multiplier::ONE), 249);
    }

    fn counts(shipping: bool, tax: bool, discounts: bool) -> Counts {
        Counts { shipping, tax, discounts }
    }

    #[test]
    fn the_base_leaves_out_what_does_not_count() {
        // 500 kr paid: 400 of goods (50 a gift card) after a 100 discount, 40 shipping, 60 tax.
        let order = OrderAmounts { total: 50_000, shipping: 4_000, tax: 6_000, discount: 10_000, excluded: 5_000 };
        assert_eq!(earning_base(&Counts::default(), &OrderAmounts { excluded: 0, ..order }), 50_000, "today's total");
        assert_eq!(earning_base(&Counts::default(), &order), 45_000, "the gift card earns nothing");
        assert_eq!(earning_base(&counts(false, true, false), &order), 41_000);
        assert_eq!(earning_base(&counts(false, false, false), &order), 35_000);
        assert_eq!(
            earning_base(&counts(false, false, true), &order),
            45_000,
            "points on the price before the discount"
        );
        // Amounts beyond the total never make it negative.
        let odd = OrderAmounts { total: 1_000, shipping: 5_000, ..OrderAmounts::default() };
        assert_eq!(earning_base(&counts(false, true, false), &odd), 0);
    }

    #[test]
    fn an_excluded_gift_card_refunded_takes_no_points_back() {
        // 600 kr: a 500 kr gift card (earns nothing) and 100 kr of coffee (100 points).
        let (total, excluded, awarded) = (60_000, 50_000, 100);
        let earning_total = total - excluded;
        let card = earning_part(total, excluded, Refunded::default(), 50_000, Some(50_000));
        assert_eq!(card, 0);
        assert_eq!(refund_reversal(awarded, earning_total, 0, card), 0);
        // Then the coffee, all that is left: its 100 points.
        let before = Refunded { amount: 50_000, earning: 0 };
        let coffee = earning_part(total, excluded, before, 10_000, None);
        assert_eq!(coffee, 10_000);
        assert_eq!(refund_reversal(awarded, earning_total, 0, coffee), 100);
        // A refund that does not name its lines is spread over them.
        assert_eq!(earning_part(total, excluded, Refunded::default(), 30_000, None), 5_000);
        // Naming more gift card than is left of it cannot hide coffee.
        let card_back = Refunded { amount: 50_000, earning: 0 };
        assert_eq!(earning_part(total, excluded, card_back, 5_000, Some(50_000)), 5_000);
    }

    #[test]
    fn without_exclusions_the_earning_part_is_the_refund() {
        let mut before = Refunded::default();
        for part in [10_000, 4_950, 9_950] {
            let earning = earning_part(24_900, 0, before, part, None);
            assert_eq!(earning, part);
            before = Refunded { amount: before.amount + part, earning: before.earning + earning };
        }
        assert_eq!(earning_part(24_900, 0, Refunded::default(), 0, None), 0);
    }
}
