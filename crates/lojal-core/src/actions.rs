//! Ways to earn beyond purchases: a sign-up bonus, a review, following the
//! shop on a social network, reaching a number of orders. Each has a limit
//! so it cannot be farmed: the one-off kinds pay once per member, reviews
//! a set number of times per calendar period.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub id: String,
    pub kind: ActionKind,
    /// What shoppers read: "Follow us on Instagram".
    pub title: String,
    pub points: i64,
    /// `social_follow`: the account to follow (https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `purchase_count`: the order that pays (5 = the fifth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// `review`: how often it pays; 5 a month when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Paid when a shopper becomes a member.
    SignUp,
    /// Reported by the merchant's back end when a review is published.
    Review,
    /// Claimed by the shopper in the widget, which opens `url`.
    SocialFollow,
    /// Paid with the member's `count`-th order.
    PurchaseCount,
}

impl ActionKind {
    /// Whether the widget shows an action of this kind as done once the
    /// member has been paid for it: a review pays again (within its
    /// limit), so it is never done; the others are one-off steps.
    pub fn done_once_paid(self) -> bool {
        self != ActionKind::Review
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    pub times: u32,
    pub per: Period,
}

/// Calendar periods in UTC; weeks start on Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    Week,
    Month,
    Year,
    Ever,
}

const DEFAULT_REVIEW_LIMIT: Limit = Limit { times: 5, per: Period::Month };
const ONCE: Limit = Limit { times: 1, per: Period::Ever };

impl Action {
    /// How often it pays: once ever for the one-off kinds, whatever the
    /// program says (a member signs up once).
    pub fn limit(&self) -> Limit {
        match self.kind {
            ActionKind::Review => self.limit.unwrap_or(DEFAULT_REVIEW_LIMIT),
            _ => ONCE,
        }
    }

    /// Whether the shopper may claim it from the widget (the others are
    /// paid by what the server sees or the merchant reports).
    pub fn claimable_by_shopper(&self) -> bool {
        self.kind == ActionKind::SocialFollow
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.id.is_empty() || self.title.is_empty() {
            return Err("every action needs an id and a title".into());
        }
        if !(1..=crate::units::MAX_POINTS).contains(&self.points) {
            return Err(format!("action {}: points must be 1 to {}", self.id, crate::units::MAX_POINTS));
        }
        match self.kind {
            ActionKind::SocialFollow if !self.url.as_deref().is_some_and(|u| u.starts_with("https://")) => {
                Err(format!("action {}: a social_follow needs an https url", self.id))
            }
            ActionKind::PurchaseCount if !self.count.is_some_and(|c| (2..=1000).contains(&c)) => {
                Err(format!("action {}: a purchase_count needs a count of 2 to 1000", self.id))
            }
            ActionKind::Review if self.limit.is_some_and(|l| l.times == 0) => {
                Err(format!("action {}: limit.times must be at least 1", self.id))
            }
            _ => Ok(()),
        }
    }
}

/// `POST /v1/shops/{shop}/customers/{customer}/actions`: the merchant's
/// back end reports an action (a published review); `id` makes a retried
/// report pay once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionReport {
    pub action: String,
    pub id: String,
}

impl ActionReport {
    pub fn validate(&self) -> Result<(), crate::Error> {
        if self.id.is_empty() || self.id.len() > 128 {
            return Err(crate::Error::InvalidRequest("id must be 1 to 128 characters".into()));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionReply {
    pub points_awarded: i64,
    pub points: i64,
}

/// The start of the calendar period holding `now` in the shop's time zone
/// (weeks start on Monday); `i64::MIN` for `ever`.
pub fn period_start(per: Period, now: i64, zone: &crate::zone::Zone) -> i64 {
    let (y, m, d) = zone.date_of(now);
    match per {
        Period::Day => zone.start_of(y, m, d),
        Period::Week => {
            // 1970-01-01 was a Thursday: days since a Monday are (days + 3) % 7.
            let local_day = crate::expiry::unix_from_civil(y, m, d).div_euclid(86_400);
            let monday = (local_day - (local_day + 3).rem_euclid(7)) * 86_400;
            zone.instant_of(monday)
        }
        Period::Month => zone.start_of(y, m, 1),
        Period::Year => zone.start_of(y, 1, 1),
        Period::Ever => i64::MIN,
    }
}

/// Whether another payment is allowed with `paid_in_period` already paid
/// since [`period_start`].
pub fn allowed(limit: Limit, paid_in_period: i64) -> bool {
    paid_in_period < i64::from(limit.times)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expiry::unix_from_civil;
    use crate::zone::Zone;

    #[test]
    fn every_kind_but_a_review_is_done_once_paid() {
        assert!(ActionKind::SignUp.done_once_paid());
        assert!(ActionKind::SocialFollow.done_once_paid());
        assert!(ActionKind::PurchaseCount.done_once_paid());
        assert!(!ActionKind::Review.done_once_paid());
    }

    static UTC: std::sync::LazyLock<Zone> = std::sync::LazyLock::new(Zone::utc);

    fn at(y: i64, m: u32, d: u32, hour: i64) -> i64 {
        unix_from_civil(y, m, d) + hour * 3600
    }

    #[test]
    fn periods_start_on_calendar_boundaries_in_utc() {
        // Tuesday 2026-12-01 18:00.
        let now = at(2026, 12, 1, 18);
        assert_eq!(period_start(Period::Day, now, &UTC), at(2026, 12, 1, 0));
        assert_eq!(period_start(Period::Week, now, &UTC), at(2026, 11, 30, 0), "the Monday before");
        assert_eq!(period_start(Period::Month, now, &UTC), at(2026, 12, 1, 0));
        assert_eq!(period_start(Period::Year, now, &UTC), at(2026, 1, 1, 0));
        assert_eq!(period_start(Period::Ever, now, &UTC), i64::MIN);
        // A Monday is its own week's start; New Year's Eve is in the old year.
        assert_eq!(period_start(Period::Week, at(2026, 11, 30, 0), &UTC), at(2026, 11, 30, 0));
        assert_eq!(period_start(Period::Year, at(2026, 12, 31, 23), &UTC), at(2026, 1, 1, 0));
        assert_eq!(period_start(Period::Month, at(2024, 2, 29, 12), &UTC), at(2024, 2, 1, 0));
    }

    #[cfg(feature = "time-zones")]
    #[test]
    fn periods_start_at_the_shops_midnight_across_clock_changes() {
        let stockholm = Zone::named("Europe/Stockholm").unwrap();
        // 00:30 on Tuesday 1 December in Stockholm: 23:30 UTC on Monday 30 November.
        let now = at(2026, 11, 30, 23) + 1800;
        assert_eq!(period_start(Period::Day, now, &stockholm), at(2026, 11, 30, 23));
        assert_eq!(period_start(Period::Month, now, &stockholm), at(2026, 11, 30, 23), "December has begun");
        assert_eq!(period_start(Period::Week, now, &stockholm), at(2026, 11, 29, 23), "Monday 00:00 CET");
        assert_eq!(period_start(Period::Year, now, &stockholm), at(2025, 12, 31, 23));
        // The week of the spring change began in winter time; the next day in summer time.
        let after_spring = at(2026, 3, 30, 12);
        assert_eq!(period_start(Period::Week, after_spring, &stockholm), at(2026, 3, 29, 22));
        assert_eq!(period_start(Period::Week, at(2026, 3, 29, 12), &stockholm), at(2026, 3, 22, 23));
        assert_eq!(period_start(Period::Day, at(2026, 3, 29, 12), &stockholm), at(2026, 3, 28, 23));
        // After the autumn change back.
        assert_eq!(period_start(Period::Day, at(2026, 10, 25, 12), &stockholm), at(2026, 10, 24, 22));
        assert_eq!(period_start(Period::Day, at(2026, 10, 26, 12), &stockholm), at(2026, 10, 25, 23));
    }

    #[test]
    fn one_off_actions_pay_once_whatever_the_program_says() {
        let follow = Action {
            id: "ig".into(),
            kind: ActionKind::SocialFollow,
            title: "Follow us".into(),
            points: 20,
            url: Some("https://instagram.com/shop".into()),
            count: None,
            limit: Some(Limit { times: 10, per: Period::Day }),
        };
        assert_eq!(follow.limit(), ONCE);
        assert!(allowed(follow.limit(), 0));
        assert!(!allowed(follow.limit(), 1));
        let review = Action { kind: ActionKind::Review, url: None, limit: None, ..follow.clone() };
        assert_eq!(review.limit(), DEFAULT_REVIEW_LIMIT);
        assert!(allowed(review.limit(), 4) && !allowed(review.limit(), 5));
    }

    #[test]
    fn actions_are_checked() {
        let base = Action {
            id: "x".into(),
            kind: ActionKind::SocialFollow,
            title: "X".into(),
            points: 10,
            url: Some("http://insecure.example".into()),
            count: None,
            limit: None,
        };
        assert!(base.validate().unwrap_err().contains("https"));
        let count = Action { kind: ActionKind::PurchaseCount, count: Some(1), ..base.clone() };
        assert!(count.validate().unwrap_err().contains("count"));
        let zero = Action { kind: ActionKind::SignUp, points: 0, ..base.clone() };
        assert!(zero.validate().unwrap_err().contains("points"));
        assert!(Action { kind: ActionKind::SignUp, ..base }.validate().is_ok());
    }
}
