//! When a referral pays: the rules against self-dealing, decided from
//! facts the store reads (who referred whom), so that each refusal is
//! stated and tested here.

/// How far up a chain of referrals a loop is looked for: deeper loops are
/// not found (and cost a read per member, so the walk must end).
pub const MAX_CHAIN: usize = 64;

/// Why an order's referral code pays nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The customer used their own code.
    OwnCode,
    /// Not the customer's first paid order: a referral is made once, by the
    /// order that brings a new paying customer (an order of 0 makes none,
    /// as it earns nothing and could never be refunded).
    NotFirstPaidOrder,
    /// Someone already referred this customer.
    AlreadyReferred,
    /// The referrer was, directly or up a chain, referred by this customer.
    Loop,
}

/// An order that names a referral code, as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate<'a> {
    /// The customer who ordered.
    pub customer: &'a str,
    /// The member whose code the order names.
    pub referrer: &'a str,
    /// The order paid something and the customer had no paid order before.
    pub first_paid_order: bool,
    /// Who referred the customer already, if anyone.
    pub referred_by: Option<&'a str>,
    /// Who referred the referrer, who referred them, and so on upwards, as
    /// far as the store read (at most [`MAX_CHAIN`] members are looked at).
    pub referrers_above: &'a [String],
}

/// Whether `candidate`'s referrer is credited, or why not.
pub fn eligibility(candidate: &Candidate<'_>) -> Result<(), Refusal> {
    if candidate.referrer == candidate.customer {
        return Err(Refusal::OwnCode);
    }
    if !candidate.first_paid_order {
        return Err(Refusal::NotFirstPaidOrder);
    }
    if candidate.referred_by.is_some() {
        return Err(Refusal::AlreadyReferred);
    }
    // The referrer counts as the first member of the chain.
    if candidate.referrers_above.iter().take(MAX_CHAIN - 1).any(|m| m == candidate.customer) {
        return Err(Refusal::Loop);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate<'a>(above: &'a [String]) -> Candidate<'a> {
        Candidate {
            customer: "bo",
            referrer: "anna",
            first_paid_order: true,
            referred_by: None,
            referrers_above: above,
        }
    }

    fn chain(members: &[&str]) -> Vec<String> {
        members.iter().map(|m| (*m).to_owned()).collect()
    }

    #[test]
    fn a_new_paying_customer_on_someone_elses_code_pays_the_referrer() {
        assert_eq!(eligibility(&candidate(&[])), Ok(()));
        assert_eq!(eligibility(&candidate(&chain(&["cleo", "dan"]))), Ok(()));
    }

    #[test]
    fn ones_own_code_pays_nothing() {
        let own = Candidate { referrer: "bo", ..candidate(&[]) };
        assert_eq!(eligibility(&own), Err(Refusal::OwnCode));
    }

    #[test]
    fn only_the_first_paid_order_makes_a_referral() {
        let later = Candidate { first_paid_order: false, ..candidate(&[]) };
        assert_eq!(eligibility(&later), Err(Refusal::NotFirstPaidOrder));
    }

    #[test]
    fn a_customer_is_referred_once() {
        let again = Candidate { referred_by: Some("cleo"), ..candidate(&[]) };
        assert_eq!(eligibility(&again), Err(Refusal::AlreadyReferred));
    }

    #[test]
    fn a_referrer_brought_by_this_customer_directly_or_up_a_chain_is_a_loop() {
        assert_eq!(eligibility(&candidate(&chain(&["bo"]))), Err(Refusal::Loop));
        assert_eq!(eligibility(&candidate(&chain(&["cleo", "dan", "bo"]))), Err(Refusal::Loop));
    }

    #[test]
    fn a_loop_is_looked_for_only_as_far_as_the_chain_limit() {
        let mut above: Vec<String> = (0..MAX_CHAIN - 2).map(|i| format!("m{i}")).collect();
        above.push("bo".into());
        assert_eq!(above.len(), MAX_CHAIN - 1);
        assert_eq!(eligibility(&candidate(&above)), Err(Refusal::Loop), "the last member looked at");
        above.insert(0, "m-extra".into());
        assert_eq!(eligibility(&candidate(&above)), Ok(()), "one further up is not looked at");
    }
}
