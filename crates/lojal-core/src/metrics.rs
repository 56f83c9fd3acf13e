//! The merchant's figures over time, from plain facts (who joined when,
//! who ordered when and for how much), so each definition is computed in
//! one place and tested against a hand-computed example.

pub use crate::api::{Cohort, Month};
use crate::zone::Zone;

mod figures;
pub use figures::{credit_figures, customer_figures, points_figures, ratio, CustomerFact, CustomerFigures, ReasonSum};

/// One order as the figures see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFact<'a> {
    pub customer: &'a str,
    /// Unix seconds.
    pub at: i64,
    /// Net of refunds, minor units.
    pub net: i64,
}

/// Months since year 0 of the shop's month holding `t`, for arithmetic
/// on months.
fn month_index(t: i64, zone: &Zone) -> i64 {
    let (y, m, _) = zone.date_of(t);
    y * 12 + i64::from(m) - 1
}

fn month_label(index: i64) -> String {
    format!("{:04}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1)
}

/// The instant the month `index` starts in the shop.
fn month_start(index: i64, zone: &Zone) -> i64 {
    zone.start_of(index.div_euclid(12), (index.rem_euclid(12) + 1) as u32, 1)
}

/// The last `months` calendar months up to and including the month of
/// `now`, oldest first. `joined` holds each member's join time.
pub fn monthly(joined: &[i64], orders: &[OrderFact<'_>], now: i64, months: u32, zone: &Zone) -> Vec<Month> {
    let last = month_index(now, zone);
    let first = last - i64::from(months.max(1)) + 1;
    let mut out: Vec<Month> = (first..=last)
        .map(|i| Month {
            month: month_label(i),
            new_members: 0,
            members: 0,
            orders: 0,
            revenue: 0,
            active_customers: 0,
        })
        .collect();
    let slot = |t: i64| {
        let i = month_index(t, zone);
        (first..=last).contains(&i).then(|| (i - first) as usize)
    };
    let mut before_window = 0;
    for &t in joined {
        match slot(t) {
            Some(s) => out[s].new_members += 1,
            None if month_index(t, zone) < first => before_window += 1,
            None => {}
        }
    }
    let mut active: Vec<std::collections::HashSet<&str>> = vec![Default::default(); out.len()];
    for order in orders {
        if let Some(s) = slot(order.at) {
            out[s].orders += 1;
            out[s].revenue += order.net;
            active[s].insert(order.customer);
        }
    }
    let mut members = before_window;
    for (month, active) in out.iter_mut().zip(active) {
        members += month.new_members;
        month.members = members;
        month.active_customers = active.len() as i64;
    }
    out
}

/// Monthly cohorts by first order, for the last `months` months up to
/// `now`, oldest first; each with retention for up to `horizon` months.
pub fn cohorts(orders: &[OrderFact<'_>], now: i64, months: u32, horizon: usize, zone: &Zone) -> Vec<Cohort> {
    use std::collections::{BTreeMap, BTreeSet, HashMap};
    let mut months_of: HashMap<&str, BTreeSet<i64>> = HashMap::new();
    for order in orders {
        months_of.entry(order.customer).or_default().insert(month_index(order.at, zone));
    }
    let last = month_index(now, zone);
    let first = last - i64::from(months.max(1)) + 1;
    // Per cohort month: its size and, per later month, who came back.
    let mut by_cohort: BTreeMap<i64, (i64, Vec<i64>)> = BTreeMap::new();
    for ordered in months_of.values() {
        let Some(&start) = ordered.first() else { continue };
        if start < first || start > last {
            continue;
        }
        let begun = ((last - start) as usize).min(horizon);
        let entry = by_cohort.entry(start).or_insert_with(|| (0, vec![0; begun]));
        entry.0 += 1;
        for k in 0..begun {
            if ordered.contains(&(start + 1 + k as i64)) {
                entry.1[k] += 1;
            }
        }
    }
    by_cohort
        .into_iter()
        .map(|(start, (customers, back))| Cohort {
            month: month_label(start),
            customers,
            retained: back.iter().map(|&n| n as f64 / customers as f64).collect(),
        })
        .collect()
}

/// When a member joined: enrolment or first order, whichever came first
/// (an imported history enrols its customers long after they first bought).
pub fn joined_at(enrolled: i64, first_order: Option<i64>) -> i64 {
    first_order.map_or(enrolled, |first| first.min(enrolled))
}

/// Unix seconds of the first day of the month `months_back` before `now`'s.
pub fn months_ago(now: i64, months_back: u32, zone: &Zone) -> i64 {
    month_start(month_index(now, zone) - i64::from(months_back), zone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expiry::unix_from_civil;

    fn at(y: i64, m: u32, d: u32) -> i64 {
        unix_from_civil(y, m, d) + 12 * 3600
    }

    /// A hand-computed shop: three customers over three months.
    ///
    /// - ann: first order in September, again in October and November.
    /// - bo: first order in September, not again.
    /// - cy: first order in October, again in October (same month).
    /// - dag joined in August (enrolled by the widget) and never ordered.
    fn orders() -> Vec<OrderFact<'static>> {
        vec![
            OrderFact { customer: "ann", at: at(2026, 9, 3), net: 10_000 },
            OrderFact { customer: "bo", at: at(2026, 9, 20), net: 5_000 },
            OrderFact { customer: "ann", at: at(2026, 10, 1), net: 20_000 },
            OrderFact { customer: "cy", at: at(2026, 10, 5), net: 7_000 },
            OrderFact { customer: "cy", at: at(2026, 10, 30), net: 3_000 },
            OrderFact { customer: "ann", at: at(2026, 11, 2), net: 1_000 },
        ]
    }

    #[test]
    fn months_count_joins_orders_revenue_and_active_customers() {
        let joined = [at(2026, 8, 15), at(2026, 9, 3), at(2026, 9, 20), at(2026, 10, 5)];
        let months = monthly(&joined, &orders(), at(2026, 11, 24), 3, &Zone::utc());
        let figures: Vec<(&str, i64, i64, i64, i64, i64)> = months
            .iter()
            .map(|m| (m.month.as_str(), m.new_members, m.members, m.orders, m.revenue, m.active_customers))
            .collect();
        assert_eq!(
            figures,
            vec![
                // dag joined before the window: counted in the running total.
                ("2026-09", 2, 3, 2, 15_000, 2),
                ("2026-10", 1, 4, 3, 30_000, 2),
                ("2026-11", 0, 4, 1, 1_000, 1),
            ]
        );
    }

    #[test]
    fn cohorts_follow_first_orders_into_later_months() {
        let cohorts = cohorts(&orders(), at(2026, 11, 24), 3, 6, &Zone::utc());
        assert_eq!(cohorts.len(), 2);
        // September: ann and bo; in October ann came back (1 of 2), in November ann again.
        assert_eq!(cohorts[0].month, "2026-09");
        assert_eq!(cohorts[0].customers, 2);
        assert_eq!(cohorts[0].retained, vec![0.5, 0.5]);
        // October: cy alone, who ordered twice in October but not in November.
        assert_eq!(cohorts[1].month, "2026-10");
        assert_eq!(cohorts[1].customers, 1);
        assert_eq!(cohorts[1].retained, vec![0.0]);
    }

    #[test]
    fn a_member_joins_at_enrolment_or_first_order_whichever_is_first() {
        assert_eq!(joined_at(500, Some(100)), 100);
        assert_eq!(joined_at(500, Some(900)), 500);
        assert_eq!(joined_at(500, None), 500);
    }

    #[test]
    fn month_arithmetic_crosses_years() {
        assert_eq!(month_label(month_index(at(2026, 1, 31), &Zone::utc()) - 1), "2025-12");
        assert_eq!(months_ago(at(2026, 2, 10), 2, &Zone::utc()), unix_from_civil(2025, 12, 1));
    }

    #[cfg(feature = "time-zones")]
    #[test]
    fn an_order_at_half_past_midnight_on_1_december_in_stockholm_counts_in_december() {
        let stockholm = Zone::named("Europe/Stockholm").unwrap();
        // 00:30 on 1 December in Stockholm is 23:30 UTC on 30 November.
        let late = unix_from_civil(2026, 11, 30) + 23 * 3600 + 1800;
        let orders = [OrderFact { customer: "ann", at: late, net: 10_000 }];
        let now = at(2026, 12, 10);
        let months = monthly(&[late], &orders, now, 2, &stockholm);
        assert_eq!((months[1].month.as_str(), months[1].orders), ("2026-12", 1));
        assert_eq!(months[0].orders, 0);
        let utc = monthly(&[late], &orders, now, 2, &Zone::utc());
        assert_eq!((utc[0].month.as_str(), utc[0].orders), ("2026-11", 1));
        assert_eq!(cohorts(&orders, now, 2, 3, &stockholm)[0].month, "2026-12");
        assert_eq!(months_ago(now, 0, &stockholm), unix_from_civil(2026, 11, 30) + 23 * 3600);
    }
}
