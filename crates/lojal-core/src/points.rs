//! What a purchase earns.

use crate::program::Program;

/// A multiplier held exactly, in millionths: 1.125 is 1,125,000.
///
/// Programs state multipliers as decimals with at most three places (the
/// program's checks refuse more), so a configured multiplier converts to
/// thousandths without loss, and the product of two of them (a tier's and
/// a campaign's) is exact in millionths: 1.45 x 1.5 is 2.175, never the
/// 2.17 or 2.1749.. that floating point or hundredths would give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Multiplier {
    millionths: u64,
}

impl Multiplier {
    pub const ONE: Multiplier = Multiplier { millionths: 1_000_000 };

    /// The configured decimal `value`, to the nearest thousandth (exact for
    /// the three places a program may use); negative or non-finite is 0.
    pub fn from_decimal(value: f64) -> Multiplier {
        if !value.is_finite() || value <= 0.0 {
            return Multiplier { millionths: 0 };
        }
        let thousandths = (value * 1_000.0).round().min(u64::MAX as f64 / 1e6) as u64;
        Multiplier { millionths: thousandths * 1_000 }
    }

    /// True when `value` has at most three decimal places, so that
    /// [`Multiplier::from_decimal`] holds it without rounding.
    pub fn is_exact_decimal(value: f64) -> bool {
        value.is_finite() && ((value * 1_000.0).round() - value * 1_000.0).abs() < 1e-6
    }

    /// Both multipliers applied: exact when each has at most three places.
    pub fn times(self, other: Multiplier) -> Multiplier {
        let product = u128::from(self.millionths) * u128::from(other.millionths) / 1_000_000;
        Multiplier { millionths: product.min(u128::from(u64::MAX)) as u64 }
    }

    pub fn millionths(self) -> u64 {
        self.millionths
    }
}

/// Points a purchase of `total_minor` (öre, cents) earns at a tier
/// `multiplier`.
///
/// Rounding: fractional points are rounded down (CONTRACT.md), once, after
/// the multiplier, so 1.25 x 99.99 kr earns 124, not 123. The product is
/// exact integer arithmetic (see [`Multiplier`]).
pub fn for_purchase(program: &Program, total_minor: i64, multiplier: Multiplier) -> i64 {
    earned(i64::from(program.earn.points_per_unit), total_minor, multiplier)
}

/// [`for_purchase`] from the figures the widget has: `points_per_unit` as
/// published in `ways_to_earn`, so a product page's "Earn 249 points" is
/// computed exactly as the order will be.
pub fn earned(points_per_unit: i64, total_minor: i64, multiplier: Multiplier) -> i64 {
    if total_minor <= 0 || points_per_unit <= 0 {
        return 0;
    }
    // Minor units are hundredths of the unit points are counted per.
    let points = total_minor as i128 * points_per_unit as i128 * multiplier.millionths as i128 / (100 * 1_000_000);
    points.clamp(0, i128::from(MAX_POINTS_PER_PURCHASE)) as i64
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
        assert_eq!(for_purchase(&program, 24_900, one), 249);
        assert_eq!(for_purchase(&program, 24_999, one), 249);
        assert_eq!(for_purchase(&program, 99, one), 0);
        assert_eq!(for_purchase(&program, 0, one), 0);
        assert_eq!(for_purchase(&program, -500, one), 0);
    }

    #[test]
    fn the_multiplier_applies_before_rounding() {
        let program = sample();
        assert_eq!(for_purchase(&program, 9_999, m(1.25)), 124);
        assert_eq!(for_purchase(&program, 10_000, m(1.15)), 115);
        assert_eq!(for_purchase(&program, 10_000, m(2.0)), 200);
    }

    #[test]
    fn multipliers_are_exact_to_the_thousandth_and_their_product_is_exact() {
        let program = sample();
        // 1.125 rounded to hundredths would be 1.13: 1,130 points, not 1,125.
        assert_eq!(for_purchase(&program, 100_000, m(1.125)), 1_125);
        // 1.45 x 1.5 is 2.175 exactly: 2,175 points for 1,000 kr, not 2,170.
        assert_eq!(for_purchase(&program, 100_000, m(1.45).times(m(1.5))), 2_175);
        assert_eq!(m(1.45).times(m(1.5)).millionths(), 2_175_000);
        // Rounded down once, after both multipliers: 1.333 x 1.5 = 1.9995.
        assert_eq!(for_purchase(&program, 10_000, m(1.333).times(m(1.5))), 199);
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
        assert_eq!(for_purchase(&program, 1_050, Multiplier::ONE), 105);
        assert_eq!(for_purchase(&program, i64::MAX, m(100.0)), MAX_POINTS_PER_PURCHASE);
    }
}
