//! What a purchase earns.

use crate::program::Program;

/// Points a purchase of `total_minor` (öre, cents) earns at a tier
/// `multiplier`.
///
/// Rounding: fractional points are rounded down (CONTRACT.md), once, after
/// the multiplier, so 1.25 x 99.99 kr earns 124, not 123.
/// The product is computed in integer hundredths of a multiplier so that
/// float error cannot drop a point (1.15 x 100 is 114.999.. in f64).
pub fn for_purchase(program: &Program, total_minor: i64, multiplier: f64) -> i64 {
    earned(i64::from(program.earn.points_per_unit), total_minor, multiplier)
}

/// [`for_purchase`] from the figures the widget has: `points_per_unit` as
/// published in `ways_to_earn`, so a product page's "Earn 249 points" is
/// computed exactly as the order will be.
pub fn earned(points_per_unit: i64, total_minor: i64, multiplier: f64) -> i64 {
    if total_minor <= 0 || points_per_unit <= 0 {
        return 0;
    }
    let multiplier_hundredths = (multiplier * 100.0).round() as i128;
    let points = total_minor as i128 * points_per_unit as i128 * multiplier_hundredths / (100 * 100);
    points.clamp(0, i64::MAX as i128) as i64
}

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

    #[test]
    fn one_point_per_krona_rounded_down() {
        let program = sample();
        assert_eq!(for_purchase(&program, 24_900, 1.0), 249);
        assert_eq!(for_purchase(&program, 24_999, 1.0), 249);
        assert_eq!(for_purchase(&program, 99, 1.0), 0);
        assert_eq!(for_purchase(&program, 0, 1.0), 0);
        assert_eq!(for_purchase(&program, -500, 1.0), 0);
    }

    #[test]
    fn the_multiplier_applies_before_rounding() {
        let program = sample();
        assert_eq!(for_purchase(&program, 9_999, 1.25), 124);
        assert_eq!(for_purchase(&program, 10_000, 1.15), 115);
        assert_eq!(for_purchase(&program, 10_000, 2.0), 200);
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
        assert_eq!(for_purchase(&program, 1_050, 1.0), 105);
        assert_eq!(for_purchase(&program, i64::MAX, 100.0), i64::MAX);
    }
}
