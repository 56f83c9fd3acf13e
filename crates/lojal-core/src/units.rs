//! The program's small quantities, shared by every rule that states
//! points: the largest number of points one cost or bonus may be, and the
//! exact multiplier of tiers and campaigns. A leaf: it imports nothing of
//! the crate, so every module of the program may use it.

/// No single cost or bonus may exceed this: large enough for any real
/// program, small enough that sums of them cannot overflow an i64.
pub const MAX_POINTS: i64 = 1_000_000_000;

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
