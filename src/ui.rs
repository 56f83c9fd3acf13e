//! What the shopper is doing in the widget right now, beside the data from
//! the API: the reward they are confirming, codes they got, a message.

#[derive(Debug, Default)]
pub struct Ui {
    /// The reward whose redemption awaits the shopper's confirmation.
    pub confirming: Option<String>,
    /// A redemption is on its way: buttons are disabled meanwhile.
    pub busy: bool,
    /// Codes issued while the page is open, newest first.
    pub issued: Vec<Issued>,
    /// A message for the shopper in the rewards section (a refused redemption).
    pub message: Option<String>,
    /// The copy button that just copied, to say so on it.
    pub copied: Option<String>,
    /// The score the shopper picked in the feedback question, not yet sent.
    pub feedback_score: Option<u8>,
    /// What became of the sent answer: thanks, or why it failed.
    pub feedback_note: Option<String>,
    /// Why the birthday was not saved (a day the month does not have).
    pub birthday_note: Option<String>,
    /// A gift to the shop's cause awaits the shopper's confirmation.
    pub confirming_gift: bool,
    /// What became of the gift: thanks (`true`), or why it failed.
    pub gift_note: Option<(String, bool)>,
    /// The points the shopper picked for a `points_off` reward in the cart
    /// view (the most allowed until they pick).
    pub points_off: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Issued {
    pub title: String,
    pub code: String,
}
