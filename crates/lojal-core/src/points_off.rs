//! "Points as money off": a reward a member spends as many points on as
//! they choose, in steps (100 points = 10 kr), up to a share of the cart.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsOff {
    /// Points are spent in multiples of this.
    pub step_points: i64,
    /// What one step takes off, minor units.
    pub step_value: i64,
    /// The most of a known cart's total the points may pay, in percent.
    #[serde(default = "all_of_it")]
    pub max_share_percent: u32,
}

fn all_of_it() -> u32 {
    100
}

impl PointsOff {
    /// Checks what JSON cannot; `least` is the reward's `cost`, the fewest
    /// points one redemption spends.
    pub fn validate(&self, least: i64) -> Result<(), String> {
        if !(1..=crate::units::MAX_POINTS).contains(&self.step_points) {
            return Err(format!("points_off.step_points must be 1 to {}", crate::units::MAX_POINTS));
        }
        if !(1..=crate::requests::MAX_AMOUNT).contains(&self.step_value) {
            return Err(format!("points_off.step_value must be 1 to {} (minor units)", crate::requests::MAX_AMOUNT));
        }
        if !(1..=100).contains(&self.max_share_percent) {
            return Err("points_off.max_share_percent must be 1 to 100".into());
        }
        if least % self.step_points != 0 {
            return Err("a points_off reward's cost (the fewest points spent) must be a multiple of step_points".into());
        }
        Ok(())
    }

    /// Money off for `points` (a multiple of the step), minor units.
    pub fn value_of(&self, points: i64) -> i64 {
        let value = i128::from(points / self.step_points) * i128::from(self.step_value);
        i64::try_from(value).unwrap_or(i64::MAX)
    }

    /// The most money a cart of `total` lets points take off.
    pub fn cap(&self, cart_total: i64) -> i64 {
        share_of(cart_total, self.max_share_percent)
    }

    /// The most points one redemption may spend: a multiple of the step,
    /// within `balance` and, with a known cart, within its share of it.
    /// Below `least` (nothing can be spent), 0.
    pub fn most(&self, least: i64, balance: i64, cart_total: Option<i64>) -> i64 {
        let mut steps = balance.max(0) / self.step_points;
        if let Some(total) = cart_total {
            steps = steps.min(self.cap(total) / self.step_value);
        }
        let most = steps * self.step_points;
        if most < least {
            0
        } else {
            most
        }
    }

    /// Checks the shopper's choice of `points` and returns the money off.
    /// The balance is the ledger's to check (it refuses any overspend).
    pub fn price(&self, least: i64, points: i64, cart_total: Option<i64>) -> Result<i64, String> {
        if points <= 0 || points % self.step_points != 0 {
            return Err(format!("points must be a positive multiple of {}", self.step_points));
        }
        if points < least {
            return Err(format!("points must be at least {least}"));
        }
        if points > crate::units::MAX_POINTS {
            return Err(format!("points must be at most {}", crate::units::MAX_POINTS));
        }
        let value = self.value_of(points);
        if let Some(total) = cart_total {
            if value > self.cap(total) {
                let most = self.cap(total) / self.step_value * self.step_points;
                return Err(format!(
                    "points may pay at most {} % of the cart: {most} points on this one",
                    self.max_share_percent
                ));
            }
        }
        Ok(value)
    }
}

/// `percent` % of `total` (minor units), rounded down; 0 for a negative total.
pub fn share_of(total: i64, percent: u32) -> i64 {
    (i128::from(total.max(0)) * i128::from(percent) / 100) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The issue's example: 100 points = 10 kr, at most 50 % of the cart.
    const RULE: PointsOff = PointsOff { step_points: 100, step_value: 1000, max_share_percent: 50 };

    #[test]
    fn a_share_rounds_down_and_never_goes_negative() {
        assert_eq!(share_of(19_999, 50), 9_999);
        assert_eq!(share_of(20_000, 50), 10_000);
        assert_eq!(share_of(-5, 50), 0);
        assert_eq!(share_of(i64::MAX, 100), i64::MAX);
    }

    #[test]
    fn the_value_is_whole_steps() {
        assert_eq!(RULE.value_of(100), 1000);
        assert_eq!(RULE.value_of(2500), 25_000);
    }

    #[test]
    fn the_choice_must_be_whole_steps_from_the_least() {
        assert_eq!(RULE.price(100, 300, None), Ok(3000));
        assert!(RULE.price(100, 0, None).unwrap_err().contains("positive multiple of 100"));
        assert!(RULE.price(100, -100, None).is_err());
        assert!(RULE.price(100, 150, None).is_err());
        assert!(RULE.price(200, 100, None).unwrap_err().contains("at least 200"));
    }

    #[test]
    fn a_known_cart_caps_the_money_off_exactly_at_its_share() {
        // A 199 kr cart: at most 99.50 kr off, so 9 steps (90 kr), not 10.
        assert_eq!(RULE.price(100, 900, Some(19_900)), Ok(9000));
        assert!(RULE.price(100, 1000, Some(19_900)).unwrap_err().contains("900 points"));
        // Exactly on the cap: 200 kr cart, 100 kr off.
        assert_eq!(RULE.price(100, 1000, Some(20_000)), Ok(10_000));
        // Without a cart only the steps and the balance bound it.
        assert_eq!(RULE.price(100, 100_000, None), Ok(1_000_000));
    }

    #[test]
    fn the_most_is_bounded_by_balance_cart_and_least() {
        assert_eq!(RULE.most(100, 740, None), 700);
        assert_eq!(RULE.most(100, 740, Some(10_000)), 500, "50 kr of a 100 kr cart");
        assert_eq!(RULE.most(100, 99, None), 0);
        assert_eq!(RULE.most(100, 740, Some(1_500)), 0, "a 15 kr cart allows 7.50 kr: no whole step");
        assert_eq!(RULE.most(300, 250, None), 0);
        assert_eq!(RULE.most(100, -50, None), 0);
    }

    #[test]
    fn validation_names_the_field() {
        assert!(RULE.validate(100).is_ok());
        assert!(RULE.validate(150).unwrap_err().contains("multiple"));
        assert!(PointsOff { step_points: 0, ..RULE }.validate(100).unwrap_err().contains("step_points"));
        assert!(PointsOff { step_value: 0, ..RULE }.validate(100).unwrap_err().contains("step_value"));
        assert!(PointsOff { max_share_percent: 0, ..RULE }.validate(100).unwrap_err().contains("max_share"));
        assert!(PointsOff { max_share_percent: 101, ..RULE }.validate(100).is_err());
        let default: PointsOff = serde_json::from_str(r#"{"step_points": 100, "step_value": 1000}"#).unwrap();
        assert_eq!(default.max_share_percent, 100);
    }
}
