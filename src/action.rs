//! What a shopper can do with a click (or a drag): one type for the
//! buttons that offer it and the controller that does it.
//!
//! A button is built from an [`Action`] (`dom::button`), which writes its
//! [`name`](Action::name) and [`arg`](Action::arg) into `data-action` and
//! `data-arg`; a click reads them back through [`Action::parse`], and
//! `controller` matches on the result exhaustively. A new action that the
//! controller does not handle does not compile; a name the parser does not
//! know cannot be written, since no button is built from a string.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The launcher button: opens or closes the panel.
    Toggle,
    /// The panel's close button, and the scrim behind the bottom sheet.
    Close,
    /// Asks to confirm spending points on this reward.
    Redeem(String),
    /// Yes: redeems this reward.
    Confirm(String),
    /// No: back from the question about this reward.
    Cancel(String),
    /// The cart view's points picker: redeems this `points_off` reward for
    /// the points picked.
    RedeemPoints(String),
    /// The points picker moved (an `input` event, not a click).
    PickPoints(String),
    CopyCode(String),
    ShareCode(String),
    /// The member's referral link.
    CopyReferral(String),
    ShareReferral(String),
    /// Dismisses the nudge of this kind.
    DismissNudge(String),
    /// Asks to confirm a gift to the shop's cause.
    Give,
    ConfirmGift,
    CancelGift,
    /// Saves the birthday picked in the form.
    SaveBirthday,
    /// Follows the merchant's social account of this action and claims it.
    Follow(String),
    /// Picks a feedback score, 0 to 10.
    FeedbackScore(u8),
    /// Sends the feedback about this order.
    SendFeedback(String),
    /// A recommended product (this sku) was followed.
    Pick(String),
}

impl Action {
    /// The `data-action` of its button.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Toggle => "toggle",
            Action::Close => "close",
            Action::Redeem(_) => "redeem",
            Action::Confirm(_) => "confirm",
            Action::Cancel(_) => "cancel",
            Action::RedeemPoints(_) => "redeem-points",
            Action::PickPoints(_) => "points-off-pick",
            Action::CopyCode(_) => "copy-code",
            Action::ShareCode(_) => "share-code",
            Action::CopyReferral(_) => "copy-referral",
            Action::ShareReferral(_) => "share-referral",
            Action::DismissNudge(_) => "dismiss-nudge",
            Action::Give => "give",
            Action::ConfirmGift => "confirm-gift",
            Action::CancelGift => "cancel-gift",
            Action::SaveBirthday => "save-birthday",
            Action::Follow(_) => "follow",
            Action::FeedbackScore(_) => "feedback-score",
            Action::SendFeedback(_) => "send-feedback",
            Action::Pick(_) => "pick",
        }
    }

    /// The `data-arg` of its button: what it acts on (empty: nothing).
    pub fn arg(&self) -> String {
        match self {
            Action::Redeem(arg)
            | Action::Confirm(arg)
            | Action::Cancel(arg)
            | Action::RedeemPoints(arg)
            | Action::PickPoints(arg)
            | Action::CopyCode(arg)
            | Action::ShareCode(arg)
            | Action::CopyReferral(arg)
            | Action::ShareReferral(arg)
            | Action::DismissNudge(arg)
            | Action::Follow(arg)
            | Action::SendFeedback(arg)
            | Action::Pick(arg) => arg.clone(),
            Action::FeedbackScore(score) => score.to_string(),
            Action::Toggle
            | Action::Close
            | Action::Give
            | Action::ConfirmGift
            | Action::CancelGift
            | Action::SaveBirthday => String::new(),
        }
    }

    /// The action a button's `data-action` and `data-arg` stand for; `None`
    /// for anything no button of the widget writes (a score out of range).
    pub fn parse(name: &str, arg: String) -> Option<Action> {
        Some(match name {
            "toggle" => Action::Toggle,
            "close" => Action::Close,
            "redeem" => Action::Redeem(arg),
            "confirm" => Action::Confirm(arg),
            "cancel" => Action::Cancel(arg),
            "redeem-points" => Action::RedeemPoints(arg),
            "points-off-pick" => Action::PickPoints(arg),
            "copy-code" => Action::CopyCode(arg),
            "share-code" => Action::ShareCode(arg),
            "copy-referral" => Action::CopyReferral(arg),
            "share-referral" => Action::ShareReferral(arg),
            "dismiss-nudge" => Action::DismissNudge(arg),
            "give" => Action::Give,
            "confirm-gift" => Action::ConfirmGift,
            "cancel-gift" => Action::CancelGift,
            "save-birthday" => Action::SaveBirthday,
            "follow" => Action::Follow(arg),
            "feedback-score" => Action::FeedbackScore(arg.parse().ok().filter(|score| *score <= 10)?),
            "send-feedback" => Action::SendFeedback(arg),
            "pick" => Action::Pick(arg),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_action() -> Vec<Action> {
        let id = || "r-1".to_owned();
        vec![
            Action::Toggle,
            Action::Close,
            Action::Redeem(id()),
            Action::Confirm(id()),
            Action::Cancel(id()),
            Action::RedeemPoints(id()),
            Action::PickPoints(id()),
            Action::CopyCode(id()),
            Action::ShareCode(id()),
            Action::CopyReferral(id()),
            Action::ShareReferral(id()),
            Action::DismissNudge(id()),
            Action::Give,
            Action::ConfirmGift,
            Action::CancelGift,
            Action::SaveBirthday,
            Action::Follow(id()),
            Action::FeedbackScore(10),
            Action::SendFeedback(id()),
            Action::Pick(id()),
        ]
    }

    #[test]
    fn every_button_reads_back_as_the_action_it_was_built_from() {
        let actions = every_action();
        for action in &actions {
            assert_eq!(Action::parse(action.name(), action.arg()).as_ref(), Some(action), "{}", action.name());
        }
        let mut names: Vec<_> = actions.iter().map(Action::name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), actions.len(), "each action has a name of its own");
    }

    #[test]
    fn what_no_button_writes_is_no_action() {
        assert_eq!(Action::parse("redeme", "r-1".into()), None, "a typo is not silently some other action");
        assert_eq!(Action::parse("feedback-score", "11".into()), None);
        assert_eq!(Action::parse("feedback-score", "ten".into()), None);
        assert_eq!(Action::parse("feedback-score", "0".into()), Some(Action::FeedbackScore(0)));
    }
}
