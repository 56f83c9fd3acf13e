//! Cashback: a share of each purchase returned as store credit (money the
//! member spends at checkout) instead of, or beside, points.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cashback {
    /// Percent of the order total returned as credit (2 = 2 %).
    pub percent: f64,
}

impl Cashback {
    pub fn validate(&self) -> Result<(), String> {
        if !(self.percent.is_finite() && self.percent > 0.0 && self.percent <= 50.0) {
            return Err("cashback.percent must be above 0 and at most 50".into());
        }
        Ok(())
    }

    /// Credit for a purchase of `total` minor units, rounded down to the
    /// minor unit. In hundredths of a percent, so float error cannot drop
    /// an öre (2.3 % of 100 kr is 230 öre, not 229).
    pub fn credit_for(&self, total: i64) -> i64 {
        if total <= 0 {
            return 0;
        }
        let hundredths = (self.percent * 100.0).round() as i128;
        (total as i128 * hundredths / 10_000) as i64
    }
}

/// `POST /v1/shops/{shop}/customers/{customer}/credit/spend`: the merchant's
/// checkout uses credit; `id` makes a retried call spend once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditSpendRequest {
    pub id: String,
    pub amount: i64,
}

impl CreditSpendRequest {
    pub fn validate(&self) -> Result<(), crate::Error> {
        let invalid = |m: &str| Err(crate::Error::InvalidRequest(m.into()));
        if self.id.is_empty() || self.id.len() > 128 {
            return invalid("id must be 1 to 128 characters");
        }
        if !(1..=1_000_000_000_000).contains(&self.amount) {
            return invalid("amount must be a positive number of minor units");
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditSpendReply {
    pub amount: i64,
    /// The member's credit after it, minor units.
    pub credit: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_is_the_share_rounded_down_to_the_minor_unit() {
        let two = Cashback { percent: 2.0 };
        assert_eq!(two.credit_for(24_900), 498);
        assert_eq!(two.credit_for(49), 0);
        assert_eq!(two.credit_for(0), 0);
        assert_eq!(two.credit_for(-100), 0);
        assert_eq!(Cashback { percent: 2.3 }.credit_for(10_000), 230, "no float error");
        assert_eq!(Cashback { percent: 1.15 }.credit_for(10_000), 115);
    }

    #[test]
    fn bad_shares_and_spends_are_refused() {
        assert!(Cashback { percent: 0.0 }.validate().is_err());
        assert!(Cashback { percent: 51.0 }.validate().is_err());
        assert!(Cashback { percent: f64::NAN }.validate().is_err());
        assert!(CreditSpendRequest { id: "c-1".into(), amount: 0 }.validate().is_err());
        assert!(CreditSpendRequest { id: String::new(), amount: 100 }.validate().is_err());
        assert!(CreditSpendRequest { id: "c-1".into(), amount: 100 }.validate().is_ok());
    }
}
