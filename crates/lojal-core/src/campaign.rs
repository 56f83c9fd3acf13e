//! Campaigns: N times the points of a purchase for a while ("double points
//! this weekend"), optionally only on chosen categories or only for orders
//! that span several categories, which steers what shoppers buy.
//!
//! Campaigns do not stack: an order earns the bonus of the one campaign
//! that gives it the most, so a merchant who overlaps two campaigns never
//! pays the product of both by accident.

use crate::points;
use crate::units::Multiplier;
use crate::zone::Zone;
pub use crate::zone::{format_date, parse_date};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: String,
    /// What shoppers read: "Dubbla poäng på frukt".
    pub title: String,
    /// Purchase points are multiplied by this while it runs (2 = double).
    pub multiplier: f64,
    /// First and last day it runs, `YYYY-MM-DD`, whole days in the shop's
    /// time zone (the program's `time_zone`).
    pub starts_on: String,
    pub ends_on: String,
    /// Only lines of these categories earn the bonus; every line when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Only orders whose lines span at least this many categories earn it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_categories: Option<u32>,
}

/// One line of an order as a campaign sees it: its amount and category
/// (`None` for a product the catalogue does not know).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    pub amount: i64,
    pub category: Option<&'a str>,
}

/// A campaign's bonus on an order, as the ledger and the shopper see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bonus {
    pub campaign_id: String,
    pub points: i64,
}

impl Campaign {
    /// Checks what JSON cannot, with a message naming the campaign.
    pub fn validate(&self) -> Result<(), String> {
        if self.id.is_empty() || self.title.is_empty() {
            return Err("every campaign needs an id and a title".into());
        }
        if !(self.multiplier.is_finite() && self.multiplier > 1.0 && self.multiplier <= 10.0) {
            return Err(format!("campaign {}: multiplier must be above 1 and at most 10", self.id));
        }
        if !Multiplier::is_exact_decimal(self.multiplier) {
            return Err(format!("campaign {}: multiplier may have at most three decimals", self.id));
        }
        let (Some(start), Some(end)) = (parse_date(&self.starts_on), parse_date(&self.ends_on)) else {
            return Err(format!("campaign {}: starts_on and ends_on must be dates as YYYY-MM-DD", self.id));
        };
        if end < start {
            return Err(format!("campaign {}: ends_on must not be before starts_on", self.id));
        }
        if self.min_categories == Some(0) {
            return Err(format!("campaign {}: min_categories must be at least 1", self.id));
        }
        Ok(())
    }

    /// Whether it runs at `now`: from the shop's midnight starting its
    /// first day to the one ending its last (a day of 23 or 25 hours when
    /// the clocks change).
    pub fn runs_at(&self, now: i64, zone: &Zone) -> bool {
        match (parse_date(&self.starts_on), parse_date(&self.ends_on)) {
            (Some(start), Some(end)) => (zone.instant_of(start)..zone.instant_of(end + 86_400)).contains(&now),
            _ => false,
        }
    }

    /// The extra points this campaign adds to a purchase of `total` at
    /// `now`, beyond what `base_multiplier` (the tier's) earns: on the whole
    /// total, or on the lines of its categories.
    fn bonus(
        &self,
        rate: points::EarnRate,
        total: i64,
        lines: &[Line<'_>],
        base_multiplier: Multiplier,
        now: i64,
        zone: &Zone,
    ) -> i64 {
        if !self.runs_at(now, zone) {
            return 0;
        }
        if let Some(min) = self.min_categories {
            let mut spanned: Vec<&str> = lines.iter().filter_map(|l| l.category).collect();
            spanned.sort_unstable();
            spanned.dedup();
            if spanned.len() < min as usize {
                return 0;
            }
        }
        let qualifying: i64 = if self.categories.is_empty() {
            total
        } else {
            lines
                .iter()
                .filter(|l| l.category.is_some_and(|c| self.categories.iter().any(|x| x == c)))
                .map(|l| l.amount.max(0))
                .sum::<i64>()
                .min(total)
        };
        let with = rate.earned(qualifying, base_multiplier.times(Multiplier::from_decimal(self.multiplier)));
        let without = rate.earned(qualifying, base_multiplier);
        (with - without).max(0)
    }
}

/// The best bonus any running campaign gives this purchase, if any.
pub fn best_bonus(
    campaigns: &[Campaign],
    rate: points::EarnRate,
    total: i64,
    lines: &[Line<'_>],
    base_multiplier: Multiplier,
    now: i64,
    zone: &Zone,
) -> Option<Bonus> {
    campaigns
        .iter()
        .map(|c| Bonus { campaign_id: c.id.clone(), points: c.bonus(rate, total, lines, base_multiplier, now, zone) })
        .filter(|b| b.points > 0)
        // The first of equal bonuses: the merchant's order decides ties.
        .fold(None, |best: Option<Bonus>, b| match best {
            Some(best) if best.points >= b.points => Some(best),
            _ => Some(b),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEK: points::EarnRate = points::EarnRate { points_per_unit: 1, exponent: 2 };
    static UTC: std::sync::LazyLock<Zone> = std::sync::LazyLock::new(Zone::utc);

    fn campaign(categories: &[&str], min_categories: Option<u32>) -> Campaign {
        Campaign {
            id: "double".into(),
            title: "Double points".into(),
            multiplier: 2.0,
            starts_on: "2026-11-27".into(),
            ends_on: "2026-11-30".into(),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            min_categories,
        }
    }

    const FRIDAY_NOON: i64 = 1_795_780_800; // 2026-11-27 12:00 UTC
    const TOTAL: i64 = 17_000;
    const LINES: [Line<'static>; 3] = [
        Line { amount: 10_000, category: Some("Dairy") },
        Line { amount: 5_000, category: Some("Bakery") },
        Line { amount: 2_000, category: None },
    ];

    #[test]
    fn dates_are_checked_for_real() {
        assert_eq!(parse_date("2026-11-27"), Some(FRIDAY_NOON - 12 * 3600));
        assert_eq!(format_date(FRIDAY_NOON), "2026-11-27");
        for bad in ["2026-02-30", "2026-13-01", "2026-1-01", "26-01-01", "2026-01-00", "tomorrow", ""] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn it_runs_from_the_first_days_midnight_to_the_end_of_the_last_day() {
        let c = campaign(&[], None);
        let start = parse_date("2026-11-27").unwrap();
        let last_day = parse_date("2026-11-30").unwrap();
        assert!(!c.runs_at(start - 1, &UTC));
        assert!(c.runs_at(start, &UTC));
        assert!(c.runs_at(last_day + 86_399, &UTC));
        assert!(!c.runs_at(last_day + 86_400, &UTC));
    }

    #[cfg(feature = "time-zones")]
    #[test]
    fn a_swedish_campaign_ends_at_midnight_in_stockholm_not_in_utc() {
        // "Double points until 29 November": the last day ends at 00:00 on
        // 30 November in Stockholm, 23:00 UTC on the 29th, not an hour later.
        let stockholm = Zone::named("Europe/Stockholm").unwrap();
        let c = Campaign { ends_on: "2026-11-29".into(), ..campaign(&[], None) };
        let local_midnight = parse_date("2026-11-30").unwrap() - 3600;
        assert!(c.runs_at(local_midnight - 1, &stockholm));
        assert!(!c.runs_at(local_midnight, &stockholm), "00:00 in Stockholm");
        assert!(c.runs_at(local_midnight, &UTC), "in UTC it would run an hour more");
        // And it starts at 00:00 on the 27th in Stockholm, 23:00 UTC the day before.
        let first = parse_date("2026-11-27").unwrap() - 3600;
        assert!(!c.runs_at(first - 1, &stockholm));
        assert!(c.runs_at(first, &stockholm));
    }

    #[cfg(feature = "time-zones")]
    #[test]
    fn a_campaign_over_the_autumn_clock_change_runs_its_25_hour_day() {
        let stockholm = Zone::named("Europe/Stockholm").unwrap();
        let c = Campaign { starts_on: "2026-10-25".into(), ends_on: "2026-10-25".into(), ..campaign(&[], None) };
        let start = parse_date("2026-10-25").unwrap() - 2 * 3600; // 00:00 CEST
        assert!(!c.runs_at(start - 1, &stockholm));
        assert!(c.runs_at(start, &stockholm));
        assert!(c.runs_at(start + 25 * 3600 - 1, &stockholm), "23:59:59 CET, 25 hours later");
        assert!(!c.runs_at(start + 25 * 3600, &stockholm));
    }

    #[test]
    fn double_points_double_the_whole_order_at_the_members_tier() {
        let c = campaign(&[], None);
        // 170 kr earns 170 points; double adds 170; at a 1.5 tier 255 more.
        assert_eq!(c.bonus(SEK, TOTAL, &LINES, Multiplier::ONE, FRIDAY_NOON, &UTC), 170);
        assert_eq!(c.bonus(SEK, TOTAL, &LINES, Multiplier::from_decimal(1.5), FRIDAY_NOON, &UTC), 255);
        assert_eq!(c.bonus(SEK, TOTAL, &LINES, Multiplier::ONE, FRIDAY_NOON + 7 * 86_400, &UTC), 0, "over");
    }

    #[test]
    fn a_category_campaign_counts_only_its_lines() {
        assert_eq!(campaign(&["Dairy"], None).bonus(SEK, TOTAL, &LINES, Multiplier::ONE, FRIDAY_NOON, &UTC), 100);
        assert_eq!(campaign(&["Frozen"], None).bonus(SEK, TOTAL, &LINES, Multiplier::ONE, FRIDAY_NOON, &UTC), 0);
    }

    #[test]
    fn a_cross_category_campaign_needs_the_order_to_span_enough_categories() {
        assert_eq!(campaign(&[], Some(2)).bonus(SEK, TOTAL, &LINES, Multiplier::ONE, FRIDAY_NOON, &UTC), 170);
        // An unknown product's line has no category to count.
        assert_eq!(campaign(&[], Some(3)).bonus(SEK, TOTAL, &LINES, Multiplier::ONE, FRIDAY_NOON, &UTC), 0);
    }

    #[test]
    fn campaigns_do_not_stack_and_the_best_wins() {
        let mut triple_dairy = campaign(&["Dairy"], None);
        triple_dairy.id = "triple-dairy".into();
        triple_dairy.multiplier = 3.0;
        let all = [campaign(&[], None), triple_dairy];
        // Double on 170 kr adds 170; triple on the 100 kr of dairy adds 200.
        assert_eq!(
            best_bonus(&all, SEK, TOTAL, &LINES, Multiplier::ONE, FRIDAY_NOON, &UTC),
            Some(Bonus { campaign_id: "triple-dairy".into(), points: 200 })
        );
        assert_eq!(best_bonus(&all, SEK, TOTAL, &LINES, Multiplier::ONE, 0, &UTC), None);
    }

    #[test]
    fn bad_campaigns_are_refused_with_a_reason() {
        let refused = |edit: fn(&mut Campaign)| {
            let mut c = campaign(&[], None);
            edit(&mut c);
            c.validate().unwrap_err()
        };
        assert!(refused(|c| c.multiplier = 1.0).contains("multiplier"));
        assert!(refused(|c| c.multiplier = f64::INFINITY).contains("multiplier"));
        assert!(refused(|c| c.ends_on = "2026-11-26".into()).contains("before"));
        assert!(refused(|c| c.starts_on = "2026-11-31".into()).contains("YYYY-MM-DD"));
        assert!(refused(|c| c.min_categories = Some(0)).contains("min_categories"));
        campaign(&["Dairy"], Some(2)).validate().unwrap();
    }
}
