//! Value-based giving: members turn points into a donation to the cause
//! the merchant names, and everyone sees what the members gave together.

use crate::Error;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Donation {
    /// Who receives it: "Stadsmissionen".
    pub cause: String,
    /// Points one gift takes...
    pub points: i64,
    /// ...and what the merchant gives for them, minor units.
    pub value: i64,
}

impl Donation {
    pub fn validate(&self) -> Result<(), String> {
        if self.cause.trim().is_empty() {
            return Err("donation.cause must not be empty".into());
        }
        if !(1..=crate::units::MAX_POINTS).contains(&self.points) {
            return Err("donation.points must be at least 1".into());
        }
        if !(1..=100_000_000).contains(&self.value) {
            return Err("donation.value must be 1 to 100000000 minor units".into());
        }
        Ok(())
    }

    /// Whether a member with `balance` points can give one gift; a guest
    /// (`None`) cannot.
    pub fn affordable(&self, balance: Option<i64>) -> bool {
        balance.is_some_and(|points| points >= self.points)
    }

    /// The cause as the widget shows it: what members gave together
    /// (`total`, minor units) and whether this shopper can give now.
    pub fn view(&self, total: i64, balance: Option<i64>) -> DonationView {
        DonationView {
            cause: self.cause.clone(),
            points: self.points,
            value: self.value,
            total,
            affordable: self.affordable(balance),
        }
    }
}

/// `POST /v1/shops/{shop}/donations`: how many gifts at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DonationRequest {
    #[serde(default = "one")]
    pub gifts: i64,
}

fn one() -> i64 {
    1
}

impl DonationRequest {
    pub fn validate(&self) -> Result<(), Error> {
        if !(1..=100).contains(&self.gifts) {
            return Err(Error::InvalidRequest("gifts must be 1 to 100".into()));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonationReply {
    pub points_spent: i64,
    /// What this gift gave, minor units.
    pub amount: i64,
    /// The member's balance after it.
    pub points: i64,
    /// What all members gave together, minor units.
    pub total: i64,
}

/// The cause as the widget shows it, with the shared total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonationView {
    pub cause: String,
    pub points: i64,
    pub value: i64,
    /// What all members gave together, minor units.
    pub total: i64,
    /// Whether this member's balance covers one gift (false for a guest).
    pub affordable: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cause() -> Donation {
        Donation { cause: "Stadsmissionen".into(), points: 500, value: 5000 }
    }

    #[test]
    fn one_gift_is_affordable_from_exactly_its_points_and_never_for_a_guest() {
        assert!(!cause().affordable(None));
        assert!(!cause().affordable(Some(499)));
        assert!(cause().affordable(Some(500)));
        assert!(cause().affordable(Some(10_000)));
        assert!(!cause().affordable(Some(-20)));
    }

    #[test]
    fn the_view_carries_the_total_and_the_shoppers_affordability() {
        let view = cause().view(123_400, Some(600));
        assert_eq!((view.cause.as_str(), view.points, view.value), ("Stadsmissionen", 500, 5000));
        assert_eq!((view.total, view.affordable), (123_400, true));
        assert!(!cause().view(0, None).affordable);
    }

    #[test]
    fn gifts_and_causes_are_checked() {
        let cause = Donation { cause: "Stadsmissionen".into(), points: 500, value: 5000 };
        assert!(cause.validate().is_ok());
        assert!(Donation { cause: " ".into(), ..cause.clone() }.validate().is_err());
        assert!(Donation { points: 0, ..cause.clone() }.validate().is_err());
        assert!(Donation { value: 0, ..cause }.validate().is_err());
        assert!(DonationRequest { gifts: 0 }.validate().is_err());
        assert!(DonationRequest { gifts: 101 }.validate().is_err());
        let parsed: DonationRequest = serde_json::from_str("{}").unwrap();
        assert_eq!(parsed.gifts, 1, "one gift by default");
    }
}
