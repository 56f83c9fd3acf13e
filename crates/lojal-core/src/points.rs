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
    if total_minor <= 0 {
        return 0;
    }
    let multiplier_hundredths = (multiplier * 100.0).round() as i128;
    let points = total_minor as i128 * program.earn.points_per_unit as i128 * multiplier_hundredths
        / (100 * 100);
    points.clamp(0, i64::MAX as i128) as i64
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
    fn points_per_unit_scales_and_huge_totals_do_not_overflow() {
        let mut program = sample();
        program.earn.points_per_unit = 10;
        assert_eq!(for_purchase(&program, 1_050, 1.0), 105);
        assert_eq!(for_purchase(&program, i64::MAX, 100.0), i64::MAX);
    }
}
