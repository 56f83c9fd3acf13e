//! The loyalty program a merchant describes: how points are earned, the tiers,
//! the rewards and the referral rewards (CONTRACT.md, `PUT .../program`).

use crate::points::Multiplier;
use crate::Error;
use serde::{Deserialize, Serialize};

/// No single cost or bonus may exceed this: large enough for any real
/// program, small enough that sums of them cannot overflow an i64.
pub const MAX_POINTS: i64 = 1_000_000_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Program {
    pub earn: Earn,
    pub tiers: Vec<Tier>,
    #[serde(default)]
    pub rewards: Vec<Reward>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
    /// Without it, points never expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Expiry>,
    /// Points a member gets in their birthday month, once a year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<BirthdayReward>,
    /// When to nudge a shopper, and with what (every field has a default).
    #[serde(default)]
    pub nudges: crate::nudge::NudgeRules,
    /// Extra points for a while: N times, optionally on chosen categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub campaigns: Vec<crate::campaign::Campaign>,
    /// Ways to earn beyond purchases: sign-up, reviews, social follows,
    /// order counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<crate::actions::Action>,
    /// A share of each purchase back as store credit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashback: Option<crate::cashback::Cashback>,
    /// Members may turn points into a donation to a named cause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub donation: Option<crate::donation::Donation>,
    /// One stamp per qualifying purchase, a free reward after a full card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp_card: Option<crate::stamp_card::StampCard>,
    /// Ask members "how likely are you to recommend us?" after an order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<crate::feedback::FeedbackRules>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthdayReward {
    pub points: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiry {
    /// Points expire this many calendar months after they were earned.
    pub after_months: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Earn {
    /// Points per major currency unit (per krona, per euro).
    pub points_per_unit: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tier {
    pub id: String,
    pub name: String,
    /// Lifetime points from which a customer holds this tier.
    pub threshold: i64,
    /// Scales what a purchase earns while the customer holds this tier.
    #[serde(default = "one")]
    pub multiplier: f64,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reward {
    pub id: String,
    pub title: String,
    pub cost: i64,
    pub kind: RewardKind,
    /// Minor units for `fixed_discount`, percent for `percent_discount`,
    /// unused (0) for the others.
    #[serde(default)]
    pub value: i64,
    /// Member-only: only members of these tiers see and redeem it (every
    /// member when empty), until `available_from`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// `YYYY-MM-DD` (UTC): from this day it is open to every member. With
    /// `tiers`, the tiers' members have early access before it; without,
    /// nobody sees it before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_from: Option<String>,
    /// A code issued for it can be used for this many days; without it, a
    /// code lasts until used or voided. An expired code's points are not
    /// given back: the merchant voids a code to return them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_after_days: Option<u32>,
}

/// Whether a member of a tier can see and redeem a reward now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Open,
    /// Open to their tier before everyone else.
    EarlyAccess,
    Hidden,
}

/// Ten years: beyond it a code is as good as everlasting.
pub const MAX_CODE_DAYS: u32 = 3650;

impl Reward {
    /// For a member of `tier` (`None`: a guest, who sees what is open to all).
    pub fn availability(&self, tier: Option<&str>, now: i64) -> Availability {
        // A malformed date never opens (validation refuses it anyway).
        let opened = match &self.available_from {
            Some(day) => crate::campaign::parse_date(day).is_some_and(|day| now >= day),
            None => true,
        };
        let scheduled = self.available_from.is_some();
        if self.tiers.is_empty() {
            return if opened { Availability::Open } else { Availability::Hidden };
        }
        let in_tiers = tier.is_some_and(|t| self.tiers.iter().any(|x| x == t));
        match (in_tiers, scheduled, opened) {
            (true, true, false) => Availability::EarlyAccess,
            (true, _, _) | (false, true, true) => Availability::Open,
            _ => Availability::Hidden,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardKind {
    FixedDiscount,
    PercentDiscount,
    FreeProduct,
    FreeShipping,
}

impl RewardKind {
    pub const ALL: [RewardKind; 4] =
        [RewardKind::FixedDiscount, RewardKind::PercentDiscount, RewardKind::FreeProduct, RewardKind::FreeShipping];

    /// Its name in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RewardKind::FixedDiscount => "fixed_discount",
            RewardKind::PercentDiscount => "percent_discount",
            RewardKind::FreeProduct => "free_product",
            RewardKind::FreeShipping => "free_shipping",
        }
    }

    pub fn parse(name: &str) -> Option<RewardKind> {
        RewardKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    pub referrer_points: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referee_reward_id: Option<String>,
}

impl Program {
    /// Checks what JSON cannot: tiers in order from a zero threshold, sane
    /// multipliers, unique ids, positive costs and references that resolve.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |msg: String| Err(Error::InvalidProgram(msg));
        if self.earn.points_per_unit > 10_000 {
            return invalid("earn.points_per_unit must be at most 10000".into());
        }
        match self.tiers.first() {
            None => return invalid("tiers must hold at least one tier".into()),
            Some(first) if first.threshold != 0 => {
                return invalid(format!("the first tier ({}) must have threshold 0", first.id));
            }
            Some(_) => {}
        }
        for pair in self.tiers.windows(2) {
            if pair[1].threshold <= pair[0].threshold {
                return invalid(format!("tier {} must have a higher threshold than tier {}", pair[1].id, pair[0].id));
            }
        }
        for tier in &self.tiers {
            if tier.id.is_empty() || tier.name.is_empty() {
                return invalid("every tier needs an id and a name".into());
            }
            if !(tier.multiplier.is_finite() && (0.0..=100.0).contains(&tier.multiplier)) {
                return invalid(format!("tier {} multiplier must be between 0 and 100", tier.id));
            }
            if !Multiplier::is_exact_decimal(tier.multiplier) {
                return invalid(format!("tier {} multiplier may have at most three decimals", tier.id));
            }
        }
        if has_duplicate(self.tiers.iter().map(|t| &t.id)) {
            return invalid("tier ids must be unique".into());
        }
        for reward in &self.rewards {
            if reward.id.is_empty() || reward.title.is_empty() {
                return invalid("every reward needs an id and a title".into());
            }
            if reward.cost <= 0 || reward.cost > MAX_POINTS {
                return invalid(format!("reward {} must cost 1 to {MAX_POINTS} points", reward.id));
            }
            if reward.kind == RewardKind::PercentDiscount && !(1..=100).contains(&reward.value) {
                return invalid(format!("reward {} percent must be 1 to 100", reward.id));
            }
            if reward.value < 0 {
                return invalid(format!("reward {} value must not be negative", reward.id));
            }
            if let Some(tier) = reward.tiers.iter().find(|t| !self.tiers.iter().any(|x| &x.id == *t)) {
                return invalid(format!("reward {} names tier {tier}, which the program does not have", reward.id));
            }
            if reward.available_from.as_deref().is_some_and(|d| crate::campaign::parse_date(d).is_none()) {
                return invalid(format!("reward {} available_from must be a date as YYYY-MM-DD", reward.id));
            }
            if reward.expires_after_days.is_some_and(|d| !(1..=MAX_CODE_DAYS).contains(&d)) {
                return invalid(format!("reward {} expires_after_days must be 1 to {MAX_CODE_DAYS}", reward.id));
            }
        }
        if has_duplicate(self.rewards.iter().map(|r| &r.id)) {
            return invalid("reward ids must be unique".into());
        }
        if let Some(referral) = &self.referral {
            if !(0..=MAX_POINTS).contains(&referral.referrer_points) {
                return invalid(format!("referral.referrer_points must be 0 to {MAX_POINTS}"));
            }
            if let Some(id) = &referral.referee_reward_id {
                if self.reward(id).is_none() {
                    return invalid(format!("referral.referee_reward_id {id} is not a reward"));
                }
            }
        }
        self.nudges.validate().map_err(Error::InvalidProgram)?;
        if let Some(birthday) = &self.birthday {
            if !(1..=MAX_POINTS).contains(&birthday.points) {
                return invalid(format!("birthday.points must be 1 to {MAX_POINTS}"));
            }
        }
        if let Some(id) = &self.nudges.win_back_reward_id {
            if self.reward(id).is_none() {
                return invalid(format!("nudges.win_back_reward_id {id} is not a reward"));
            }
        }
        if let Some(expiry) = &self.expiry {
            if !(1..=120).contains(&expiry.after_months) {
                return invalid("expiry.after_months must be 1 to 120".into());
            }
        }
        for campaign in &self.campaigns {
            campaign.validate().map_err(Error::InvalidProgram)?;
        }
        for action in &self.actions {
            action.validate().map_err(Error::InvalidProgram)?;
            if ["purchase", "referral", "birthday"].contains(&action.id.as_str()) {
                return invalid(format!("action id {} is taken by a built-in way to earn", action.id));
            }
        }
        if has_duplicate(self.actions.iter().map(|a| &a.id)) {
            return invalid("action ids must be unique".into());
        }
        if let Some(cashback) = &self.cashback {
            cashback.validate().map_err(Error::InvalidProgram)?;
        }
        if let Some(donation) = &self.donation {
            donation.validate().map_err(Error::InvalidProgram)?;
        }
        if let Some(card) = &self.stamp_card {
            card.validate(|id| self.reward(id).is_some()).map_err(Error::InvalidProgram)?;
        }
        if let Some(feedback) = &self.feedback {
            feedback.validate().map_err(Error::InvalidProgram)?;
        }
        if has_duplicate(self.campaigns.iter().map(|c| &c.id)) {
            return invalid("campaign ids must be unique".into());
        }
        Ok(())
    }

    /// What a new shop starts with until the merchant sends its own: a
    /// point per krona, three tiers and one reward.
    pub fn starter() -> Program {
        let tier = |id: &str, name: &str, threshold, multiplier| Tier {
            id: id.into(),
            name: name.into(),
            threshold,
            multiplier,
        };
        Program {
            earn: Earn { points_per_unit: 1 },
            tiers: vec![
                tier("bronze", "Bronze", 0, 1.0),
                tier("silver", "Silver", 1000, 1.25),
                tier("gold", "Gold", 3000, 1.5),
            ],
            rewards: vec![Reward {
                id: "r50".into(),
                title: "50 off".into(),
                cost: 500,
                kind: RewardKind::FixedDiscount,
                value: 5000,
                tiers: Vec::new(),
                available_from: None,
                expires_after_days: None,
            }],
            referral: None,
            expiry: Some(Expiry { after_months: 12 }),
            birthday: None,
            nudges: crate::nudge::NudgeRules::default(),
            campaigns: Vec::new(),
            actions: Vec::new(),
            cashback: None,
            donation: None,
            stamp_card: None,
            feedback: None,
        }
    }

    pub fn reward(&self, id: &str) -> Option<&Reward> {
        self.rewards.iter().find(|r| r.id == id)
    }
}

fn has_duplicate<'a>(ids: impl Iterator<Item = &'a String>) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    ids.into_iter().any(|id| !seen.insert(id))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The program of the contract's example, with two more tiers.
    pub(crate) fn sample() -> Program {
        serde_json::from_str(
            r#"{"earn": {"points_per_unit": 1},
                "tiers": [{"id": "bronze", "name": "Brons", "threshold": 0},
                          {"id": "silver", "name": "Silver", "threshold": 500, "multiplier": 1.25},
                          {"id": "gold", "name": "Guld", "threshold": 1500, "multiplier": 1.5},
                          {"id": "platinum", "name": "Platina", "threshold": 3000, "multiplier": 2}],
                "rewards": [{"id": "r100", "title": "100 kr rabatt", "cost": 500,
                             "kind": "fixed_discount", "value": 10000}],
                "referral": {"referrer_points": 200, "referee_reward_id": "r100"}}"#,
        )
        .unwrap()
    }

    #[test]
    fn the_contract_example_is_valid_and_defaults_multiplier_to_one() {
        let program = sample();
        program.validate().unwrap();
        assert_eq!(program.tiers[0].multiplier, 1.0);
    }

    #[test]
    fn member_only_rewards_open_to_their_tiers_and_early_access_ends_on_its_day() {
        let opens = crate::campaign::parse_date("2026-12-01").unwrap();
        let mut reward = sample().rewards[0].clone();
        assert_eq!(reward.availability(None, opens), Availability::Open, "plain rewards are open to all");

        reward.tiers = vec!["gold".into(), "platinum".into()];
        assert_eq!(reward.availability(Some("gold"), opens), Availability::Open);
        assert_eq!(reward.availability(Some("silver"), opens), Availability::Hidden, "member-only");
        assert_eq!(reward.availability(None, opens), Availability::Hidden, "guests do not see it");

        reward.available_from = Some("2026-12-01".into());
        assert_eq!(reward.availability(Some("gold"), opens - 1), Availability::EarlyAccess);
        assert_eq!(reward.availability(Some("silver"), opens - 1), Availability::Hidden);
        assert_eq!(reward.availability(Some("silver"), opens), Availability::Open, "open to all from its day");
        assert_eq!(reward.availability(Some("gold"), opens), Availability::Open);

        reward.tiers.clear();
        assert_eq!(reward.availability(Some("gold"), opens - 1), Availability::Hidden, "scheduled, no early access");
        assert_eq!(reward.availability(None, opens), Availability::Open);
    }

    #[test]
    fn the_starter_program_is_valid() {
        Program::starter().validate().unwrap();
    }

    fn refused(edit: impl FnOnce(&mut Program)) -> String {
        let mut program = sample();
        edit(&mut program);
        match program.validate() {
            Err(Error::InvalidProgram(msg)) => msg,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn invalid_programs_are_refused_with_a_reason() {
        assert!(refused(|p| p.tiers.clear()).contains("at least one tier"));
        assert!(refused(|p| p.tiers[0].threshold = 10).contains("threshold 0"));
        assert!(refused(|p| p.tiers[2].threshold = 500).contains("higher threshold"));
        assert!(refused(|p| p.tiers[1].multiplier = f64::NAN).contains("multiplier"));
        assert!(refused(|p| p.tiers[1].multiplier = -1.0).contains("multiplier"));
        assert!(refused(|p| p.rewards[0].cost = 0).contains("cost"));
        assert!(refused(|p| p.rewards[0].cost = i64::MAX).contains("cost"));
        assert!(refused(|p| p.expiry = Some(Expiry { after_months: 0 })).contains("expiry"));
        assert!(refused(|p| p.rewards.push(p.rewards[0].clone())).contains("unique"));
        assert!(
            refused(|p| p.referral.as_mut().unwrap().referee_reward_id = Some("nope".into())).contains("not a reward")
        );
        assert!(refused(|p| p.rewards[0].tiers = vec!["diamond".into()]).contains("tier diamond"));
        assert!(refused(|p| p.rewards[0].available_from = Some("1 Dec".into())).contains("available_from"));
        assert!(refused(|p| {
            p.rewards[0].kind = RewardKind::PercentDiscount;
            p.rewards[0].value = 150;
        })
        .contains("percent"));
    }
}
