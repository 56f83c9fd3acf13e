//! What the shopper is doing in the widget right now, beside the data from
//! the API: the one thing under way ([`Doing`]), the codes they got, and
//! what became of their last request in each section.

#[derive(Debug, Default)]
pub struct Ui {
    /// The one thing the shopper is in the middle of.
    pub doing: Doing,
    /// Codes issued while the page is open, newest first.
    pub issued: Vec<Issued>,
    /// A message for the shopper in the rewards section (a refused redemption).
    pub message: Option<&'static str>,
    /// The copy button that just copied, to say so on it.
    pub copied: Option<String>,
    /// What became of the sent feedback answer: thanks, or why it failed.
    pub feedback_note: Option<&'static str>,
    /// Why the birthday was not saved (a day the month does not have).
    pub birthday_note: Option<&'static str>,
    /// What became of the gift: thanks (`true`), or why it failed.
    pub gift_note: Option<(String, bool)>,
    /// The points the shopper picked for a `points_off` reward in the cart
    /// view (the most allowed until they pick).
    pub points_off: Option<i64>,
}

/// One thing at a time: a question on screen, a spend on its way, or a
/// feedback score picked. A spend on its way disables the spend buttons and
/// nothing else may start until it is answered.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum Doing {
    #[default]
    Browsing,
    /// Asked "Spend N points on this reward?" (its id).
    Confirming(String),
    /// Said yes: the redemption of this reward is on its way.
    Redeeming(String),
    /// The cart view's points picker: its redemption is on its way.
    RedeemingPoints,
    /// Asked "Give N points to the cause?".
    ConfirmingGift,
    /// Said yes: the gift is on its way.
    Giving,
    /// Picked a feedback score (0 to 10), not yet sent: the comment is open.
    Scoring(u8),
}

impl Doing {
    /// A spend on its way: its buttons are disabled, and no other starts.
    pub fn is_busy(&self) -> bool {
        matches!(self, Doing::Redeeming(_) | Doing::RedeemingPoints | Doing::Giving)
    }

    /// The reward whose confirm question shows, and whether its answer is
    /// on its way.
    pub fn question_for(&self, reward_id: &str) -> Option<bool> {
        match self {
            Doing::Confirming(id) if id == reward_id => Some(false),
            Doing::Redeeming(id) if id == reward_id => Some(true),
            _ => None,
        }
    }

    /// Whether the gift's question shows, and whether its answer is on its way.
    pub fn gift_question(&self) -> Option<bool> {
        match self {
            Doing::ConfirmingGift => Some(false),
            Doing::Giving => Some(true),
            _ => None,
        }
    }

    pub fn feedback_score(&self) -> Option<u8> {
        match self {
            Doing::Scoring(score) => Some(*score),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Issued {
    pub title: String,
    pub code: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_shows_for_its_reward_only_and_is_disabled_once_answered() {
        let asking = Doing::Confirming("r1".into());
        assert_eq!(asking.question_for("r1"), Some(false));
        assert_eq!(asking.question_for("r2"), None);
        assert!(!asking.is_busy());
        let sending = Doing::Redeeming("r1".into());
        assert_eq!(sending.question_for("r1"), Some(true));
        assert!(sending.is_busy());
        assert_eq!(Doing::RedeemingPoints.question_for("r1"), None, "the picker asks no question");
        assert!(Doing::RedeemingPoints.is_busy());
    }

    #[test]
    fn the_gift_and_the_score_are_each_one_state() {
        assert_eq!(Doing::ConfirmingGift.gift_question(), Some(false));
        assert_eq!(Doing::Giving.gift_question(), Some(true));
        assert!(Doing::Giving.is_busy());
        assert_eq!(Doing::Scoring(9).feedback_score(), Some(9));
        assert_eq!(Doing::Scoring(9).gift_question(), None);
        assert_eq!(Doing::Browsing.feedback_score(), None);
        assert!(!Doing::Scoring(9).is_busy());
    }
}
