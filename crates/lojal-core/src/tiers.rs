//! Which tier a customer holds, and how far the next one is.

use crate::program::Tier;

/// The tier for a number of lifetime points: the highest whose threshold is
/// reached. Tiers are validated to start at 0, so there always is one for
/// non-negative points; negative lifetime points (after refunds) hold the
/// first tier.
pub fn tier_for(tiers: &[Tier], lifetime_points: i64) -> Option<&Tier> {
    tiers.iter().rev().find(|t| t.threshold <= lifetime_points).or_else(|| tiers.first())
}

/// What a purchase is multiplied by for a member with `lifetime_points`:
/// their tier's multiplier, exactly (1 without tiers).
pub fn multiplier_for(tiers: &[Tier], lifetime_points: i64) -> crate::points::Multiplier {
    tier_for(tiers, lifetime_points)
        .map_or(crate::points::Multiplier::ONE, |t| crate::points::Multiplier::from_decimal(t.multiplier))
}

/// The way to the next tier, or `None` at the top.
#[derive(Debug, Clone, PartialEq)]
pub struct NextTier<'a> {
    pub tier: &'a Tier,
    pub points_needed: i64,
    /// Lifetime points as a share of the next tier's threshold, from 0.0 to
    /// 1.0, rounded down to two decimals so it reads as a percent and never
    /// shows 100 % before the tier is reached. This is the contract's
    /// definition: 2140 of 3000 is 0.71.
    pub progress: f64,
}

pub fn next_tier(tiers: &[Tier], lifetime_points: i64) -> Option<NextTier<'_>> {
    // The tier after the one held: negative lifetime points (after refunds)
    // hold the first tier, so the next is the second, not the first.
    let held = tiers.iter().rposition(|t| t.threshold <= lifetime_points).unwrap_or(0);
    let next = tiers.get(held + 1)?;
    // Thresholds rise from 0, so a next tier's threshold is above 0.
    let share = lifetime_points.max(0) as f64 / next.threshold as f64;
    Some(NextTier {
        tier: next,
        points_needed: next.threshold - lifetime_points,
        progress: (share.clamp(0.0, 1.0) * 100.0).floor() / 100.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::tests::sample;

    #[test]
    fn tier_is_the_highest_threshold_reached() {
        let tiers = sample().tiers;
        let at = |points| tier_for(&tiers, points).unwrap().id.as_str();
        assert_eq!(at(0), "bronze");
        assert_eq!(at(499), "bronze");
        assert_eq!(at(500), "silver");
        assert_eq!(at(2999), "gold");
        assert_eq!(at(3000), "platinum");
        assert_eq!(at(1_000_000), "platinum");
        assert_eq!(at(-50), "bronze");
    }

    #[test]
    fn next_tier_says_how_many_points_and_how_far_along() {
        let tiers = sample().tiers;
        // The contract's example: 2140 lifetime points in Guld (1500), Platina at 3000.
        let next = next_tier(&tiers, 2140).unwrap();
        assert_eq!(next.tier.name, "Platina");
        assert_eq!(next.points_needed, 860);
        assert_eq!(next.progress, 0.71); // 2140 / 3000 = 0.7133.., as in the contract

        let start = next_tier(&tiers, 0).unwrap();
        assert_eq!((start.tier.id.as_str(), start.points_needed, start.progress), ("silver", 500, 0.0));

        let almost = next_tier(&tiers, 2999).unwrap();
        assert_eq!((almost.points_needed, almost.progress), (1, 0.99));
    }

    #[test]
    fn there_is_no_next_tier_at_the_top() {
        let tiers = sample().tiers;
        assert_eq!(next_tier(&tiers, 3000), None);
    }

    #[test]
    fn negative_lifetime_points_show_the_whole_way_to_the_next_tier() {
        let tiers = sample().tiers;
        let next = next_tier(&tiers, -20).unwrap();
        assert_eq!((next.tier.id.as_str(), next.points_needed, next.progress), ("silver", 520, 0.0));
    }
}
