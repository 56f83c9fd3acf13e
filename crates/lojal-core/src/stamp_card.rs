//! The digital stamp card: one stamp per qualifying purchase, a reward
//! after N, then a fresh card. New members may start with a head start of
//! free stamps: a card that is already partly full is more often finished
//! (the endowed-progress effect), which is why coffee shops print them so.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StampCard {
    /// What shoppers read: "Kaffekortet".
    pub title: String,
    /// Stamps that fill a card.
    pub stamps: i64,
    /// Free stamps on a new member's first card.
    #[serde(default)]
    pub head_start: i64,
    /// The smallest order total that earns a stamp, minor units.
    #[serde(default)]
    pub min_order: i64,
    /// The reward a full card gives, as a free code.
    pub reward_id: String,
}

/// What one qualifying purchase did to a member's card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Punch {
    /// Stamps on the card after it (0 after a full card: a fresh one).
    pub stamps: i64,
    /// The card filled up: its reward is due.
    pub completed: bool,
}

impl StampCard {
    pub fn validate(&self, reward_exists: impl Fn(&str) -> bool) -> Result<(), String> {
        if self.title.is_empty() {
            return Err("stamp_card.title must not be empty".into());
        }
        if !(2..=50).contains(&self.stamps) {
            return Err("stamp_card.stamps must be 2 to 50".into());
        }
        if !(0..self.stamps).contains(&self.head_start) {
            return Err("stamp_card.head_start must be 0 to one less than stamps".into());
        }
        if self.min_order < 0 {
            return Err("stamp_card.min_order must not be negative".into());
        }
        if !reward_exists(&self.reward_id) {
            return Err(format!("stamp_card.reward_id {} is not a reward", self.reward_id));
        }
        Ok(())
    }

    /// Stamps on a member's card now: `stored` is `None` until their first
    /// stamp, when the card holds the head start.
    pub fn current(&self, stored: Option<i64>) -> i64 {
        stored.unwrap_or(self.head_start).clamp(0, self.stamps)
    }

    /// A purchase of `total`: a stamp if it qualifies (`None` if not).
    pub fn punch(&self, stored: Option<i64>, total: i64) -> Option<Punch> {
        if total < self.min_order || total <= 0 {
            return None;
        }
        let stamps = self.current(stored) + 1;
        Some(if stamps >= self.stamps {
            Punch { stamps: 0, completed: true }
        } else {
            Punch { stamps, completed: false }
        })
    }

    /// A fully refunded stamped purchase takes its stamp back from the
    /// current card, never below empty (a card it helped fill stays filled:
    /// its code may already be spent).
    pub fn unpunch(&self, stored: Option<i64>) -> i64 {
        (self.current(stored) - 1).max(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> StampCard {
        StampCard {
            title: "Kaffekortet".into(),
            stamps: 5,
            head_start: 2,
            min_order: 5_000,
            reward_id: "coffee".into(),
        }
    }

    #[test]
    fn a_new_member_starts_with_the_head_start_and_fills_the_card_after_n_stamps() {
        let card = card();
        assert_eq!(card.current(None), 2);
        let mut stored = None;
        let mut completed = 0;
        // 2 free stamps + 3 purchases fill the first card; the next one takes 5.
        for purchase in 1..=8 {
            let punch = card.punch(stored, 5_000).unwrap();
            stored = Some(punch.stamps);
            if punch.completed {
                completed += 1;
                assert!(purchase == 3 || purchase == 8, "filled at purchase {purchase}");
            }
        }
        assert_eq!(completed, 2);
        assert_eq!(stored, Some(0), "a fresh card has no head start");
    }

    #[test]
    fn small_orders_earn_no_stamp() {
        assert_eq!(card().punch(Some(1), 4_999), None);
        assert_eq!(card().punch(Some(1), 5_000), Some(Punch { stamps: 2, completed: false }));
        let free = StampCard { min_order: 0, ..card() };
        assert_eq!(free.punch(Some(1), 0), None, "an order of nothing is no purchase");
    }

    #[test]
    fn a_refund_takes_a_stamp_back_but_never_below_empty() {
        assert_eq!(card().unpunch(Some(3)), 2);
        assert_eq!(card().unpunch(Some(0)), 0);
        assert_eq!(card().unpunch(None), 1, "from the head start");
    }

    #[test]
    fn bad_cards_are_refused() {
        let exists = |id: &str| id == "coffee";
        assert!(card().validate(exists).is_ok());
        assert!(StampCard { stamps: 1, ..card() }.validate(exists).unwrap_err().contains("stamps"));
        assert!(StampCard { head_start: 5, ..card() }.validate(exists).unwrap_err().contains("head_start"));
        assert!(StampCard { reward_id: "tea".into(), ..card() }.validate(exists).unwrap_err().contains("not a reward"));
    }
}
