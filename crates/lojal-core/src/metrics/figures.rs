//! The definitions of the merchant's figures that are not over time: per
//! customer (repeat purchases, retention, value, tiers), per ledger reason
//! (points issued, redeemed, expired...) and per credit reason. The store
//! sums rows; what each sum counts towards is decided here.

use crate::api::{CreditFigures, MembershipValue, PointsFigures, TierFigures};
use crate::ledger::Reason;
use crate::tiers::{self, Tier};
use std::collections::BTreeMap;

/// `part / whole`, or `None` when there is no whole to share.
pub fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// One member as the customer figures see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerFact {
    /// Their orders, to date.
    pub orders: i64,
    /// Those orders' totals less refunds, minor units of the shop's currency.
    pub net: i64,
    /// Whether they ordered in the period before the last one.
    pub ordered_before: bool,
    /// Whether they ordered in the last period.
    pub ordered_recently: bool,
    pub lifetime_points: i64,
    /// Whether they have opened the widget signed in (know the program).
    pub joined_program: bool,
}

/// What the customer figures say of a shop's members.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerFigures {
    /// Members with at least one order.
    pub with_orders: i64,
    /// All members' orders.
    pub orders: i64,
    /// All members' net revenue, minor units.
    pub revenue: i64,
    /// Share of ordering members with two or more orders.
    pub repeat_purchase_rate: Option<f64>,
    /// Of members who ordered in the period before the last, the share who
    /// ordered in the last.
    pub retention: Option<f64>,
    /// 1 - retention.
    pub churn: Option<f64>,
    /// Net revenue per ordering member.
    pub average_value: Option<f64>,
    pub by_membership: MembershipValue,
    /// Each tier of the program, in order, with the members holding it now
    /// (by lifetime points; below the first threshold, the first tier) and
    /// their revenue.
    pub tiers: Vec<TierFigures>,
}

/// The customer figures of `customers` under the program's `tiers`.
pub fn customer_figures(customers: &[CustomerFact], tiers: &[Tier]) -> CustomerFigures {
    let (mut with_orders, mut repeat, mut orders, mut revenue, mut base, mut retained) = (0, 0, 0, 0, 0, 0);
    // (customers, revenue) of members and of non-members, among those who ordered.
    let (mut members, mut others) = ((0_i64, 0_i64), (0_i64, 0_i64));
    let mut per_tier: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for c in customers {
        orders += c.orders;
        revenue += c.net;
        if c.orders > 0 {
            with_orders += 1;
            let group = if c.joined_program { &mut members } else { &mut others };
            group.0 += 1;
            group.1 += c.net;
        }
        repeat += i64::from(c.orders > 1);
        if c.ordered_before {
            base += 1;
            retained += i64::from(c.ordered_recently);
        }
        if let Some(tier) = tiers::tier_for(tiers, c.lifetime_points) {
            let entry = per_tier.entry(tier.id.as_str()).or_default();
            entry.0 += 1;
            entry.1 += c.net;
        }
    }
    let retention = ratio(retained, base);
    let average = |(n, total): (i64, i64)| (n > 0).then(|| total as f64 / n as f64);
    CustomerFigures {
        with_orders,
        orders,
        revenue,
        repeat_purchase_rate: ratio(repeat, with_orders),
        retention,
        churn: retention.map(|r| 1.0 - r),
        average_value: average((with_orders, revenue)),
        by_membership: MembershipValue {
            members: members.0,
            members_value: average(members),
            non_members: others.0,
            non_members_value: average(others),
        },
        tiers: tiers
            .iter()
            .map(|t| {
                let (members, revenue) = per_tier.get(t.id.as_str()).copied().unwrap_or_default();
                TierFigures { id: t.id.clone(), name: t.name.clone(), members, revenue }
            })
            .collect(),
    }
}

/// The points credited and debited under one ledger reason (its stored
/// name: a reason this build does not know counts as a reversal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReasonSum<'a> {
    pub reason: &'a str,
    /// Sum of its positive rows.
    pub credited: i64,
    /// Sum of its negative rows, as a positive number.
    pub debited: i64,
}

/// The points figures from the ledger's sums per reason and the sum of all
/// balances (`outstanding`).
///
/// - Every credit is issued, except a voided code's points given back,
///   which un-redeem them instead.
/// - Debits are redeemed (points spent here, or before an import), expired,
///   donated, or else reversed (refunds, negative adjustments, bonuses
///   taken back).
pub fn points_figures(sums: &[ReasonSum<'_>], outstanding: i64) -> PointsFigures {
    let mut points = PointsFigures {
        issued: 0,
        redeemed: 0,
        expired: 0,
        donated: 0,
        reversed: 0,
        outstanding,
        redemption_rate: None,
    };
    for sum in sums {
        let reason = Reason::parse(sum.reason);
        if reason == Some(Reason::Void) {
            points.redeemed -= sum.credited;
            continue;
        }
        points.issued += sum.credited;
        match reason {
            Some(Reason::Redeem | Reason::ImportSpent) => points.redeemed += sum.debited,
            Some(Reason::Expiry) => points.expired += sum.debited,
            Some(Reason::Donation) => points.donated += sum.debited,
            _ => points.reversed += sum.debited,
        }
    }
    points.redemption_rate = ratio(points.redeemed, points.issued);
    points
}

/// The store-credit figures from the credit ledger's net sum per reason
/// (`cashback` credited, `spend` at checkout, anything else a refund's
/// reversal); what members hold is what is left of the cashback.
pub fn credit_figures(sums: &[(&str, i64)]) -> CreditFigures {
    let mut figures = CreditFigures { issued: 0, spent: 0, reversed: 0, outstanding: 0 };
    for (reason, total) in sums {
        match *reason {
            "cashback" => figures.issued += total,
            "spend" => figures.spent -= total,
            _ => figures.reversed -= total,
        }
    }
    figures.outstanding = figures.issued - figures.spent - figures.reversed;
    figures
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(id: &str, threshold: i64) -> Tier {
        serde_json::from_value(serde_json::json!({"id": id, "name": id.to_uppercase(), "threshold": threshold}))
            .unwrap()
    }

    fn customer(orders: i64, net: i64) -> CustomerFact {
        CustomerFact {
            orders,
            net,
            ordered_before: false,
            ordered_recently: false,
            lifetime_points: 0,
            joined_program: false,
        }
    }

    #[test]
    fn a_ratio_of_nothing_is_none_not_zero_or_nan() {
        assert_eq!(ratio(0, 0), None);
        assert_eq!(ratio(3, 0), None);
        assert_eq!(ratio(0, 4), Some(0.0));
        assert_eq!(ratio(1, 4), Some(0.25));
    }

    #[test]
    fn members_without_orders_count_in_no_rate() {
        let figures = customer_figures(&[customer(0, 0), customer(0, 0)], &[]);
        assert_eq!(figures.with_orders, 0);
        assert_eq!((figures.repeat_purchase_rate, figures.average_value), (None, None));
        assert_eq!((figures.retention, figures.churn), (None, None));
        assert_eq!(figures.by_membership.members_value, None);
    }

    #[test]
    fn repeat_rate_and_value_are_over_ordering_members_only() {
        let figures = customer_figures(&[customer(1, 100), customer(2, 300), customer(0, 0)], &[]);
        assert_eq!((figures.with_orders, figures.orders, figures.revenue), (2, 3, 400));
        assert_eq!(figures.repeat_purchase_rate, Some(0.5));
        assert_eq!(figures.average_value, Some(200.0));
    }

    #[test]
    fn retention_is_of_those_who_ordered_in_the_period_before() {
        let before_and_after = CustomerFact { ordered_before: true, ordered_recently: true, ..customer(2, 0) };
        let before_only = CustomerFact { ordered_before: true, ..customer(1, 0) };
        let after_only = CustomerFact { ordered_recently: true, ..customer(1, 0) };
        let figures = customer_figures(&[before_and_after, before_only, before_only, after_only], &[]);
        let third = 1.0 / 3.0;
        assert_eq!(figures.retention, Some(third));
        assert_eq!(figures.churn, Some(1.0 - third));
    }

    #[test]
    fn value_splits_members_who_know_the_program_from_the_others() {
        let member = CustomerFact { joined_program: true, ..customer(1, 500) };
        let figures = customer_figures(&[member, customer(1, 100), customer(1, 300), customer(0, 0)], &[]);
        let split = figures.by_membership;
        assert_eq!((split.members, split.members_value), (1, Some(500.0)));
        assert_eq!((split.non_members, split.non_members_value), (2, Some(200.0)));
    }

    #[test]
    fn each_tier_counts_its_holders_by_lifetime_points_and_below_the_first_is_the_first() {
        let tiers = [tier("bronze", 100), tier("silver", 1000), tier("gold", 5000)];
        let at = |lifetime_points, net| CustomerFact { lifetime_points, ..customer(1, net) };
        let figures = customer_figures(&[at(0, 1), at(999, 2), at(1000, 4), at(10_000, 8)], &tiers);
        let rows: Vec<(&str, i64, i64)> = figures.tiers.iter().map(|t| (t.id.as_str(), t.members, t.revenue)).collect();
        assert_eq!(rows, [("bronze", 2, 3), ("silver", 1, 4), ("gold", 1, 8)]);
        assert_eq!(figures.tiers[1].name, "SILVER");
    }

    #[test]
    fn points_are_issued_redeemed_expired_donated_or_reversed_by_reason() {
        let sum = |reason, credited, debited| ReasonSum { reason, credited, debited };
        let sums = [
            sum("earn", 1000, 0),
            sum("refund", 0, 100),
            sum("adjustment", 50, 20),
            sum("redeem", 0, 300),
            sum("void", 100, 0),
            sum("expiry", 0, 40),
            sum("donation", 0, 60),
            sum("import", 500, 0),
            sum("import_spent", 0, 200),
            sum("from-a-newer-server", 5, 7),
        ];
        let points = points_figures(&sums, 1234);
        assert_eq!(points.issued, 1000 + 50 + 500 + 5);
        assert_eq!(points.redeemed, 300 - 100 + 200);
        assert_eq!(points.expired, 40);
        assert_eq!(points.donated, 60);
        assert_eq!(points.reversed, 100 + 20 + 7);
        assert_eq!(points.outstanding, 1234);
        assert_eq!(points.redemption_rate, Some(400.0 / 1555.0));
    }

    #[test]
    fn no_points_issued_is_no_redemption_rate() {
        assert_eq!(points_figures(&[], 0).redemption_rate, None);
    }

    #[test]
    fn credit_held_is_cashback_less_spent_and_reversed() {
        let figures = credit_figures(&[("cashback", 1000), ("spend", -300), ("refund", -50)]);
        assert_eq!(figures, CreditFigures { issued: 1000, spent: 300, reversed: 50, outstanding: 650 });
        assert_eq!(credit_figures(&[]).outstanding, 0);
    }
}
