//! Why a ledger row exists, and what each reason means for the balance and
//! the tier. The server writes these reasons and decides from them how a
//! row is checked and whether it moves lifetime points; the rules live here
//! so that every reason's meaning is stated (and tested) in one place.

/// Why a member's balance moved: one per ledger row, stored by its
/// [`Reason::as_str`] name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    Earn,
    Redeem,
    Refund,
    Referral,
    Expiry,
    Adjustment,
    Birthday,
    /// Points for answering the feedback question.
    Feedback,
    /// Points for an action beyond purchases; the note names it.
    Action,
    /// Points given to the shop's cause; the note names it.
    Donation,
    /// The points of a code the merchant voided, given back; the note
    /// names the code.
    Void,
    /// An imported member's opening credit: every point they earned in the
    /// program before Lojal (their lifetime points); the note names the import.
    Import,
    /// The part of that credit they had already spent (or lost) before
    /// Lojal: neither spending here nor moving the tier.
    ImportSpent,
}

impl Reason {
    /// Every reason, in a fixed order.
    pub const ALL: [Reason; 13] = [
        Reason::Earn,
        Reason::Redeem,
        Reason::Refund,
        Reason::Referral,
        Reason::Expiry,
        Reason::Adjustment,
        Reason::Birthday,
        Reason::Feedback,
        Reason::Action,
        Reason::Donation,
        Reason::Void,
        Reason::Import,
        Reason::ImportSpent,
    ];

    /// The name stored in the ledger and shown in the API's history.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Earn => "earn",
            Reason::Redeem => "redeem",
            Reason::Refund => "refund",
            Reason::Referral => "referral",
            Reason::Expiry => "expiry",
            Reason::Adjustment => "adjustment",
            Reason::Birthday => "birthday",
            Reason::Feedback => "feedback",
            Reason::Action => "action",
            Reason::Donation => "donation",
            Reason::Void => "void",
            Reason::Import => "import",
            Reason::ImportSpent => "import_spent",
        }
    }

    /// The reason a stored name stands for; `None` for a name this build
    /// does not know.
    pub fn parse(text: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The reasons whose rows sum to a member's lifetime points.
    pub fn towards_tier() -> impl Iterator<Item = Reason> {
        Reason::ALL.into_iter().filter(|r| r.counts_towards_tier())
    }

    /// The member's own choice to spend points: never past the balance.
    pub fn is_spending(self) -> bool {
        matches!(self, Reason::Redeem | Reason::Donation)
    }

    /// Points earned (and their reversal) move a member's tier; spending
    /// points or letting them expire does not take a tier away, and points
    /// spent before an import were never earned here.
    pub fn counts_towards_tier(self) -> bool {
        matches!(
            self,
            Reason::Earn
                | Reason::Refund
                | Reason::Referral
                | Reason::Adjustment
                | Reason::Birthday
                | Reason::Feedback
                | Reason::Action
                | Reason::Import
        )
    }

    /// The credit a negative row naming an order takes back: a refund
    /// reverses the purchase's points; any other reason (a referral or
    /// feedback bonus withdrawn) its own kind.
    pub fn reversed_credit(self) -> Reason {
        match self {
            Reason::Refund => Reason::Earn,
            other => other,
        }
    }
}

/// Why a member's store credit (cashback, minor units) moved: one per row
/// of the credit ledger, stored by its [`CreditReason::as_str`] name. A
/// ledger of money apart from points: none of these is a points [`Reason`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CreditReason {
    /// Credit an order earned.
    Cashback,
    /// That credit taken back by the order's refund.
    Refund,
    /// Credit a checkout spent.
    Spend,
}

impl CreditReason {
    /// Every reason, in a fixed order.
    pub const ALL: [CreditReason; 3] = [CreditReason::Cashback, CreditReason::Refund, CreditReason::Spend];

    /// The name stored in the credit ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            CreditReason::Cashback => "cashback",
            CreditReason::Refund => "refund",
            CreditReason::Spend => "spend",
        }
    }

    /// The reason a stored name stands for; `None` for a name this build
    /// does not know.
    pub fn parse(text: &str) -> Option<CreditReason> {
        CreditReason::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_its_reason_and_names_are_distinct() {
        let mut names = std::collections::HashSet::new();
        for reason in Reason::ALL {
            assert_eq!(Reason::parse(reason.as_str()), Some(reason));
            assert!(names.insert(reason.as_str()), "{reason:?} shares its name");
        }
    }

    #[test]
    fn an_unknown_or_differently_cased_name_is_no_reason() {
        assert_eq!(Reason::parse(""), None);
        assert_eq!(Reason::parse("Earn"), None);
        assert_eq!(Reason::parse("cashback"), None);
        assert_eq!(Reason::parse("import-spent"), None);
    }

    #[test]
    fn every_credit_name_parses_back_and_no_points_name_is_one() {
        let mut names = std::collections::HashSet::new();
        for reason in CreditReason::ALL {
            assert_eq!(CreditReason::parse(reason.as_str()), Some(reason));
            assert!(names.insert(reason.as_str()), "{reason:?} shares its name");
        }
        assert_eq!(CreditReason::parse("earn"), None);
        assert_eq!(CreditReason::parse("Cashback"), None);
    }

    #[test]
    fn only_redeeming_and_donating_are_spending() {
        let spending: Vec<Reason> = Reason::ALL.into_iter().filter(|r| r.is_spending()).collect();
        assert_eq!(spending, [Reason::Redeem, Reason::Donation]);
    }

    #[test]
    fn earning_and_its_reversal_move_the_tier_spending_and_expiry_do_not() {
        let towards: Vec<Reason> = Reason::towards_tier().collect();
        assert_eq!(
            towards,
            [
                Reason::Earn,
                Reason::Refund,
                Reason::Referral,
                Reason::Adjustment,
                Reason::Birthday,
                Reason::Feedback,
                Reason::Action,
                Reason::Import,
            ]
        );
        for not_towards in [Reason::Redeem, Reason::Expiry, Reason::Donation, Reason::Void, Reason::ImportSpent] {
            assert!(!not_towards.counts_towards_tier(), "{not_towards:?}");
        }
    }

    #[test]
    fn no_reason_is_both_spending_and_towards_the_tier() {
        assert!(Reason::ALL.into_iter().all(|r| !(r.is_spending() && r.counts_towards_tier())));
    }

    #[test]
    fn a_refund_reverses_the_purchase_and_other_withdrawals_their_own_kind() {
        assert_eq!(Reason::Refund.reversed_credit(), Reason::Earn);
        assert_eq!(Reason::Referral.reversed_credit(), Reason::Referral);
        assert_eq!(Reason::Feedback.reversed_credit(), Reason::Feedback);
        assert_eq!(Reason::Action.reversed_credit(), Reason::Action);
        assert_eq!(Reason::Earn.reversed_credit(), Reason::Earn);
    }
}
