//! Birthday rewards: a shopper sets their birthday once; the reward arrives
//! in their birthday month, once a year.
//!
//! Farming is closed by two rules: a birthday cannot be changed once set
//! (the server refuses), and a year's reward is paid only if the birthday
//! was set before that year's birthday month began, so setting "this
//! month" to collect at once pays nothing until next year.

use crate::zone::Zone;
use crate::Error;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Birthday {
    pub month: u32,
    pub day: u32,
}

impl Birthday {
    pub fn validate(&self) -> Result<(), Error> {
        // 29 February is a birthday too (its reward comes in February).
        let days = match self.month {
            2 => 29,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => 0,
        };
        if self.day == 0 || self.day > days {
            return Err(Error::InvalidRequest(
                "birthday must be a real date: month 1 to 12 and a day in that month".into(),
            ));
        }
        Ok(())
    }
}

/// The year whose birthday reward is due at `now`, if one is: `now` is in
/// the birthday month (in the shop's time zone), the birthday was set
/// before that month began, and that year's reward was not paid yet
/// (`paid_up_to`: the last year paid).
pub fn due(birthday: Birthday, set_at: i64, paid_up_to: Option<i32>, now: i64, zone: &Zone) -> Option<i32> {
    let (year, month, _) = zone.date_of(now);
    let year = year as i32;
    if month != birthday.month || paid_up_to.is_some_and(|paid| paid >= year) {
        return None;
    }
    let month_began = zone.start_of(i64::from(year), birthday.month, 1);
    (set_at < month_began).then_some(year)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAR_14: Birthday = Birthday { month: 3, day: 14 };
    const FEB_1_2026: i64 = 1_769_904_000;
    const MAR_1_2026: i64 = 1_772_323_200;
    const MAR_31_2026_LATE: i64 = 1_775_001_599; // 23:59:59
    const APR_1_2026: i64 = 1_775_001_600;

    #[test]
    fn the_reward_is_due_in_the_birthday_month_once_a_year() {
        assert_eq!(due(MAR_14, FEB_1_2026, None, MAR_1_2026, &Zone::utc()), Some(2026));
        assert_eq!(due(MAR_14, FEB_1_2026, None, MAR_31_2026_LATE, &Zone::utc()), Some(2026));
        assert_eq!(due(MAR_14, FEB_1_2026, None, APR_1_2026, &Zone::utc()), None);
        assert_eq!(due(MAR_14, FEB_1_2026, None, FEB_1_2026 + 86_400, &Zone::utc()), None);
        assert_eq!(due(MAR_14, FEB_1_2026, Some(2026), MAR_1_2026 + 86_400, &Zone::utc()), None, "paid already");
        assert_eq!(due(MAR_14, FEB_1_2026, Some(2025), MAR_1_2026, &Zone::utc()), Some(2026));
    }

    #[test]
    fn a_birthday_set_during_its_month_pays_only_from_next_year() {
        assert_eq!(due(MAR_14, MAR_1_2026, None, MAR_1_2026 + 3_600, &Zone::utc()), None);
        assert_eq!(due(MAR_14, MAR_1_2026 - 1, None, MAR_1_2026 + 3_600, &Zone::utc()), Some(2026));
        let next_march = MAR_1_2026 + 365 * 86_400;
        assert_eq!(due(MAR_14, MAR_1_2026 + 3_600, None, next_march, &Zone::utc()), Some(2027));
    }

    #[test]
    fn only_real_dates_are_birthdays() {
        assert!(Birthday { month: 2, day: 29 }.validate().is_ok());
        for (month, day) in [(2, 30), (4, 31), (13, 1), (0, 5), (6, 0)] {
            assert!(Birthday { month, day }.validate().is_err(), "{month}-{day}");
        }
    }

    #[cfg(feature = "time-zones")]
    #[test]
    fn the_birthday_month_is_the_shops_month() {
        let stockholm = Zone::named("Europe/Stockholm").unwrap();
        // 23:30 UTC on 28 February is 00:30 on 1 March in Stockholm (UTC+1).
        let early_march = MAR_1_2026 - 1800;
        assert_eq!(due(MAR_14, FEB_1_2026, None, early_march, &stockholm), Some(2026));
        assert_eq!(due(MAR_14, FEB_1_2026, None, early_march, &Zone::utc()), None);
        // 22:30 UTC on 31 March is 00:30 on 1 April in Stockholm (UTC+2 by then).
        let early_april = APR_1_2026 - 5400;
        assert_eq!(due(MAR_14, FEB_1_2026, None, early_april, &stockholm), None);
        assert_eq!(due(MAR_14, FEB_1_2026, None, early_april - 3600, &stockholm), Some(2026));
    }
}
