//! Which tier a customer holds, and how far the next one is.

use crate::zone::Zone;
use serde::{Deserialize, Serialize};

/// A level of the program, held from `threshold` lifetime points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tier {
    pub id: String,
    pub name: String,
    /// Lifetime points from which a customer holds this tier.
    pub threshold: i64,
    /// Scales what a purchase earns while the customer holds this tier.
    #[serde(default = "one")]
    pub multiplier: f64,
}

fn one() -> f64 {
    1.0
}

/// The tier for a number of lifetime points: the highest whose threshold is
/// reached. Tiers are validated to start at 0, so there always is one for
/// non-negative points; negative lifetime points (after refunds) hold the
/// first tier.
pub fn tier_for(tiers: &[Tier], lifetime_points: i64) -> Option<&Tier> {
    tiers.iter().rev().find(|t| t.threshold <= lifetime_points).or_else(|| tiers.first())
}

/// What a purchase is multiplied by for a member with `lifetime_points`:
/// their tier's multiplier, exactly (1 without tiers).
pub fn multiplier_for(tiers: &[Tier], lifetime_points: i64) -> crate::units::Multiplier {
    tier_for(tiers, lifetime_points)
        .map_or(crate::units::Multiplier::ONE, |t| crate::units::Multiplier::from_decimal(t.multiplier))
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

/// What tiers go by (`program.tier_period`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TierPeriod {
    /// Points earned ever: a tier once reached is kept (the default).
    #[default]
    Lifetime,
    /// Points earned in the last 12 calendar months; a member who falls
    /// below their tier keeps it `grace_days` longer before moving down.
    #[serde(rename = "rolling_12_months")]
    Rolling12Months {
        #[serde(default)]
        grace_days: u32,
    },
}

/// A year of grace at most: beyond it a rolling window means little.
pub const MAX_GRACE_DAYS: u32 = 366;
const DAY: i64 = 86_400;

impl TierPeriod {
    pub fn is_lifetime(&self) -> bool {
        *self == TierPeriod::Lifetime
    }

    pub fn validate(&self) -> Result<(), String> {
        match self {
            TierPeriod::Rolling12Months { grace_days } if *grace_days > MAX_GRACE_DAYS => {
                Err(format!("tier_period.grace_days must be 0 to {MAX_GRACE_DAYS}"))
            }
            _ => Ok(()),
        }
    }
}

/// A ledger row that counts towards tiers (earned points and their
/// reversals; never spending, expiry or a voided code's points given back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted<'a> {
    /// Unix seconds.
    pub at: i64,
    pub delta: i64,
    /// The credit the row belongs to, if any: the order it names and the
    /// kind of points (a purchase's and its refund's the same, a bonus and
    /// the bonus taken back the same).
    pub lot: Option<&'a str>,
    /// It takes back points of its lot's credit (a refund, a bonus taken
    /// back): folded into that credit, so the points leave the window when
    /// the credit does, not 12 months after the take-back.
    pub takes_back: bool,
}

/// The tier a member holds and what keeping it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierStanding {
    /// Index of the tier held in the program's tiers.
    pub held: usize,
    /// The points tiers are measured by now: lifetime points, or those
    /// earned in the last 12 months.
    pub points: i64,
    /// With a rolling window: what keeps the tier held, if it is at risk.
    pub keep: Option<Keep>,
}

/// "Keep Guld: earn 300 more by 31 March."
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    pub points_needed: i64,
    /// Unix seconds: the tier is lost at this moment unless the points are
    /// earned before it.
    pub lapses_at: i64,
}

impl TierStanding {
    /// By lifetime points: the highest threshold reached.
    pub fn lifetime(tiers: &[Tier], lifetime_points: i64) -> TierStanding {
        TierStanding { held: held_index(tiers, lifetime_points), points: lifetime_points, keep: None }
    }

    pub fn tier<'a>(&self, tiers: &'a [Tier]) -> Option<&'a Tier> {
        tiers.get(self.held)
    }

    /// What a purchase is multiplied by at the tier held (1 without tiers).
    pub fn multiplier(&self, tiers: &[Tier]) -> crate::units::Multiplier {
        self.tier(tiers).map_or(crate::units::Multiplier::ONE, |t| crate::units::Multiplier::from_decimal(t.multiplier))
    }

    /// The way to the tier above the one held, measured in [`Self::points`].
    pub fn next<'a>(&self, tiers: &'a [Tier]) -> Option<NextTier<'a>> {
        let next = tiers.get(self.held + 1)?;
        let share = self.points.max(0) as f64 / next.threshold as f64;
        Some(NextTier {
            tier: next,
            points_needed: next.threshold - self.points,
            progress: (share.clamp(0.0, 1.0) * 100.0).floor() / 100.0,
        })
    }
}

fn held_index(tiers: &[Tier], points: i64) -> usize {
    tiers.iter().rposition(|t| t.threshold <= points).unwrap_or(0)
}

/// A member's standing under `period`, from their rows that count towards
/// tiers (`rows`, any order) at `now`. Under a rolling window a row counts
/// from its time until 12 calendar months later; a refund counts as if its
/// order had earned that much less in the first place (a tier reached only
/// through a refunded order is lost at once, without grace). A tier is held
/// while its threshold is met, or was met at some moment in the last
/// `grace_days`.
pub fn standing(
    tiers: &[Tier],
    period: TierPeriod,
    lifetime_points: i64,
    rows: &[Counted<'_>],
    now: i64,
    zone: &Zone,
) -> TierStanding {
    let TierPeriod::Rolling12Months { grace_days } = period else {
        return TierStanding::lifetime(tiers, lifetime_points);
    };
    let grace = i64::from(grace_days) * DAY;
    let window = Window::of(rows, zone);
    let points = window.points_at(now);
    // The highest tier met at now or at any change within the grace.
    let best_recent = window
        .changes()
        .filter(|t| *t > now - grace && *t <= now)
        .chain([now - grace, now])
        .map(|t| window.points_at(t))
        .max()
        .unwrap_or(points);
    let held = held_index(tiers, best_recent);
    let keep = tiers.get(held).filter(|t| t.threshold > 0).and_then(|tier| {
        // The moment the points last fell below the threshold (in grace), or
        // the first moment ahead they will, as earlier rows roll out.
        let falls_at = if points < tier.threshold {
            window.changes().filter(|t| *t <= now && window.points_at(t - 1) >= tier.threshold).max()?
        } else {
            window.changes().filter(|t| *t > now).find(|t| window.points_at(*t) < tier.threshold)?
        };
        let short = tier.threshold - window.points_at(falls_at.max(now));
        Some(Keep { points_needed: short, lapses_at: falls_at + grace })
    });
    TierStanding { held, points, keep }
}

/// The points of a rolling window over time: each row counts from its
/// time until 12 months later, each take-back folded into its credit.
struct Window {
    /// The moments the sum changes, ascending, each with the sum from then on.
    timeline: Vec<(i64, i64)>,
}

impl Window {
    fn of(rows: &[Counted<'_>], zone: &Zone) -> Window {
        let mut spans: Vec<(i64, i64)> = Vec::with_capacity(rows.len());
        let mut credit_of_lot: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let (credits, take_backs): (Vec<&Counted<'_>>, Vec<_>) = rows.iter().partition(|r| !r.takes_back);
        for row in credits {
            if let Some(lot) = row.lot {
                credit_of_lot.entry(lot).or_insert(spans.len());
            }
            spans.push((row.at, row.delta));
        }
        for row in take_backs {
            match row.lot.and_then(|lot| credit_of_lot.get(lot)) {
                Some(&i) => spans[i].1 += row.delta,
                None => spans.push((row.at, row.delta)),
            }
        }
        let mut moves: Vec<(i64, i64)> = Vec::with_capacity(spans.len() * 2);
        for (at, points) in spans.into_iter().filter(|s| s.1 != 0) {
            moves.push((at, points));
            moves.push((zone.add_months(at, 12), -points));
        }
        moves.sort_unstable_by_key(|m| m.0);
        let mut timeline: Vec<(i64, i64)> = Vec::with_capacity(moves.len());
        let mut sum = 0;
        for (at, points) in moves {
            sum += points;
            match timeline.last_mut() {
                Some(last) if last.0 == at => last.1 = sum,
                _ => timeline.push((at, sum)),
            }
        }
        Window { timeline }
    }

    fn points_at(&self, t: i64) -> i64 {
        match self.timeline.partition_point(|(at, _)| *at <= t) {
            0 => 0,
            after => self.timeline[after - 1].1,
        }
    }

    /// The moments the sum may change, ascending.
    fn changes(&self) -> impl Iterator<Item = i64> + '_ {
        self.timeline.iter().map(|(at, _)| *at)
    }
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

    mod rolling {
        use super::*;
        use crate::campaign::parse_date;

        const GRACE_30: TierPeriod = TierPeriod::Rolling12Months { grace_days: 30 };
        const NO_GRACE: TierPeriod = TierPeriod::Rolling12Months { grace_days: 0 };

        fn day(date: &str) -> i64 {
            parse_date(date).unwrap()
        }

        fn earn(date: &str, points: i64, order: &'static str) -> Counted<'static> {
            Counted { at: day(date), delta: points, lot: Some(order), takes_back: false }
        }

        fn refund(date: &str, points: i64, order: &'static str) -> Counted<'static> {
            Counted { at: day(date), delta: -points, lot: Some(order), takes_back: true }
        }

        fn held(period: TierPeriod, rows: &[Counted<'_>], now: i64) -> (String, i64, Option<Keep>) {
            let tiers = sample().tiers;
            let s = standing(&tiers, period, 999_999, rows, now, &Zone::utc());
            (s.tier(&tiers).unwrap().id.clone(), s.points, s.keep)
        }

        /// A bonus taken back months later (feedback's points, when the
        /// order is refunded in full) leaves the window with the bonus,
        /// not 12 months after the take-back; another lot's rows are not
        /// touched by it.
        #[test]
        fn a_bonus_taken_back_folds_into_the_bonus_not_the_order() {
            let rows = [
                earn("2026-01-10", 600, "earn:o1"),
                earn("2026-01-10", 25, "feedback:o1"),
                refund("2026-12-20", 600, "earn:o1"),
                refund("2026-12-20", 25, "feedback:o1"),
                earn("2026-12-01", 520, "earn:o2"),
            ];
            // After them, and after the January credits would have rolled out:
            // only o2's 520, never 520 - 25.
            assert_eq!(held(NO_GRACE, &rows, day("2026-12-21")).1, 520);
            assert_eq!(held(NO_GRACE, &rows, day("2027-02-01")).1, 520);
        }

        #[test]
        fn lifetime_is_the_default_and_ignores_the_rows() {
            let period: TierPeriod = serde_json::from_str(r#"{"kind": "lifetime"}"#).unwrap();
            assert_eq!(period, TierPeriod::default());
            let tiers = sample().tiers;
            let s = standing(&tiers, period, 1500, &[earn("2020-01-01", 10, "a")], day("2026-01-01"), &Zone::utc());
            assert_eq!((s.tier(&tiers).unwrap().id.as_str(), s.points, s.keep), ("gold", 1500, None));
            let rolling: TierPeriod =
                serde_json::from_str(r#"{"kind": "rolling_12_months", "grace_days": 30}"#).unwrap();
            assert_eq!(rolling, GRACE_30);
            assert!(serde_json::from_str::<TierPeriod>(r#"{"kind": "weekly"}"#).is_err());
            assert!(TierPeriod::Rolling12Months { grace_days: MAX_GRACE_DAYS + 1 }.validate().is_err());
        }

        #[test]
        fn exactly_on_the_threshold_holds_the_tier() {
            let rows = [earn("2026-03-01", 1000, "a"), earn("2026-04-01", 500, "b")];
            assert_eq!(held(NO_GRACE, &rows, day("2026-05-01")).0, "gold");
            let short = [earn("2026-03-01", 1000, "a"), earn("2026-04-01", 499, "b")];
            assert_eq!(held(NO_GRACE, &short, day("2026-05-01")).0, "silver");
        }

        #[test]
        fn a_row_counts_until_the_same_moment_twelve_months_later() {
            let rows = [earn("2025-03-31", 1000, "a"), earn("2025-06-01", 500, "b")];
            let rolls = day("2026-03-31");
            assert_eq!(held(NO_GRACE, &rows, rolls - 1).0, "gold");
            let (tier, points, _) = held(NO_GRACE, &rows, rolls);
            assert_eq!((tier.as_str(), points), ("silver", 500), "the 1000 rolled out that day");
        }

        #[test]
        fn grace_keeps_the_tier_until_it_ends_and_says_what_keeps_it() {
            let rows = [earn("2025-03-01", 1000, "a"), earn("2025-06-01", 500, "b")];
            let falls = day("2026-03-01");
            let ends = falls + 30 * DAY;
            // Before the fall: Guld is at risk, 1000 short from 1 March on.
            let before = held(GRACE_30, &rows, day("2026-02-01"));
            assert_eq!(before.0, "gold");
            assert_eq!(before.2, Some(Keep { points_needed: 1000, lapses_at: ends }));
            // In the grace: still Guld, the same deadline.
            let during = held(GRACE_30, &rows, ends - 1);
            assert_eq!((during.0.as_str(), during.1), ("gold", 500));
            assert_eq!(during.2, Some(Keep { points_needed: 1000, lapses_at: ends }));
            // Grace over: down to Silver.
            assert_eq!(held(GRACE_30, &rows, ends).0, "silver");
            // Earning the 1000 in the grace keeps Guld.
            let kept = [rows[0], rows[1], earn("2026-03-20", 1000, "c")];
            assert_eq!(held(GRACE_30, &kept, ends + DAY).0, "gold");
        }

        #[test]
        fn a_refund_below_the_threshold_moves_down_at_once_without_grace() {
            let rows = [earn("2026-01-10", 1000, "a"), earn("2026-02-10", 600, "b")];
            let now = day("2026-03-01");
            assert_eq!(held(GRACE_30, &rows, now).0, "gold");
            let refunded = [rows[0], rows[1], refund("2026-02-28", 200, "b")];
            let (tier, points, _) = held(GRACE_30, &refunded, now);
            assert_eq!((tier.as_str(), points), ("silver", 1400), "the refunded points never counted");
            // A partial refund that stays above keeps the tier.
            let small = [rows[0], rows[1], refund("2026-02-28", 100, "b")];
            assert_eq!(held(GRACE_30, &small, now).0, "gold");
        }

        #[test]
        fn the_window_sums_exactly_what_a_naive_count_does() {
            // Rows on a pseudo-random walk of days, some refunds of earlier orders.
            let (mut seed, base) = (7u64, day("2024-01-01"));
            let mut next = |n: u64| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (seed >> 33) % n
            };
            let orders: Vec<String> = (0..60).map(|i| format!("o-{i}")).collect();
            let mut rows = Vec::new();
            for (i, order) in orders.iter().enumerate() {
                let at = base + next(900) as i64 * DAY + next(DAY as u64) as i64;
                rows.push(Counted { at, delta: next(500) as i64 + 1, lot: Some(order), takes_back: false });
                if i % 4 == 0 {
                    rows.push(Counted { at: at + DAY, delta: -(next(50) as i64), lot: Some(order), takes_back: true });
                }
            }
            let naive = |t: i64| -> i64 {
                let earned_at = |lot: &str| rows.iter().find(|r| !r.takes_back && r.lot == Some(lot)).unwrap().at;
                rows.iter()
                    .map(|r| (if r.takes_back { earned_at(r.lot.unwrap()) } else { r.at }, r.delta))
                    .filter(|(at, _)| *at <= t && t < crate::expiry::add_months(*at, 12))
                    .map(|(_, delta)| delta)
                    .sum()
            };
            let window = Window::of(&rows, &Zone::utc());
            for step in 0..400 {
                let t = base + step * 3 * DAY + 4321;
                assert_eq!(window.points_at(t), naive(t), "at day {}", step * 3);
            }
        }

        #[test]
        fn the_first_tier_has_nothing_to_keep_and_next_tier_counts_the_window() {
            let tiers = sample().tiers;
            let rows = [earn("2026-01-10", 300, "a")];
            let s = standing(&tiers, GRACE_30, 5000, &rows, day("2026-02-01"), &Zone::utc());
            assert_eq!((s.tier(&tiers).unwrap().id.as_str(), s.keep), ("bronze", None));
            let next = s.next(&tiers).unwrap();
            assert_eq!((next.tier.id.as_str(), next.points_needed), ("silver", 200));
        }
    }
}
