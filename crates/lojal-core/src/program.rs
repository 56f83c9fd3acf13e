//! The loyalty program a merchant describes: how points are earned, the tiers,
//! the rewards and the referral rewards (CONTRACT.md, `PUT .../program`).

pub use crate::points::Counts;
pub use crate::tiers::Tier;
use crate::units::Multiplier;
pub use crate::units::MAX_POINTS;
use crate::Error;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Program {
    pub earn: Earn,
    /// The shop's time zone, an IANA name (`Europe/Stockholm`): every
    /// calendar rule (campaign days, birthday months, limits per day, week,
    /// month or year, expiry after N months, the figures by month) goes by
    /// the shop's own clock. UTC when absent.
    #[serde(default = "utc_name", skip_serializing_if = "is_utc_name")]
    pub time_zone: String,
    /// Orders in other currencies than the shop's earn at these rates: the
    /// shop's currency per one unit of the other (`{"EUR": "11.50"}`). An
    /// order in a currency with no rate is refused.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub rates: std::collections::BTreeMap<String, crate::currency::Rate>,
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
    /// What tiers go by: lifetime points (the default) or the points of a
    /// rolling 12 months, with a grace before a member moves down.
    #[serde(default, skip_serializing_if = "crate::tiers::TierPeriod::is_lifetime")]
    pub tier_period: crate::tiers::TierPeriod,
    /// A guest's order named by an email hash keeps its points pending
    /// this long for them to claim by joining; without it, guests earn nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_points: Option<crate::guest::GuestPoints>,
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
    /// Which parts of an order count towards points.
    #[serde(default, skip_serializing_if = "Counts::is_default")]
    pub counts: Counts,
    /// Lines that earn nothing (gift cards, deposits).
    #[serde(default, skip_serializing_if = "Exclude::is_empty")]
    pub exclude: Exclude,
}

/// Lines of an order that earn no points: by SKU, or by the category the
/// catalogue (`PUT .../products`) gives the SKU.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclude {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
}

impl Exclude {
    fn is_empty(&self) -> bool {
        self.skus.is_empty() && self.categories.is_empty()
    }

    /// Whether a line of `sku` (of `category`, if the catalogue knows it)
    /// earns nothing.
    pub fn excludes(&self, sku: &str, category: Option<&str>) -> bool {
        self.skus.iter().any(|s| s == sku) || category.is_some_and(|c| self.categories.iter().any(|x| x == c))
    }
}

/// At most this many excluded SKUs and categories: a rule, not a catalogue.
pub const MAX_EXCLUDED: usize = 1_000;

fn utc_name() -> String {
    crate::zone::UTC.to_owned()
}

fn is_utc_name(name: &String) -> bool {
    name == crate::zone::UTC
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
    /// `YYYY-MM-DD` (the shop's time zone): from this day it is open to every member. With
    /// `tiers`, the tiers' members have early access before it; without,
    /// nobody sees it before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_from: Option<String>,
    /// A code issued for it can be used for this many days; without it, a
    /// code lasts until used or voided. An expired code's points are not
    /// given back: the merchant voids a code to return them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_after_days: Option<u32>,
    /// For `points_off`: the step (points and money) and the most of a
    /// cart the points may pay; `cost` is then the fewest points spent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_off: Option<crate::points_off::PointsOff>,
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
    pub fn availability(&self, tier: Option<&str>, now: i64, zone: &crate::zone::Zone) -> Availability {
        // A malformed date never opens (validation refuses it anyway).
        let opened = match &self.available_from {
            Some(day) => zone.parse_date(day).is_some_and(|day| now >= day),
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
    /// As many points as the member chooses, in steps, as money off.
    PointsOff,
}

impl RewardKind {
    pub const ALL: [RewardKind; 5] = [
        RewardKind::FixedDiscount,
        RewardKind::PercentDiscount,
        RewardKind::FreeProduct,
        RewardKind::FreeShipping,
        RewardKind::PointsOff,
    ];

    /// Its name in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RewardKind::FixedDiscount => "fixed_discount",
            RewardKind::PercentDiscount => "percent_discount",
            RewardKind::FreeProduct => "free_product",
            RewardKind::FreeShipping => "free_shipping",
            RewardKind::PointsOff => "points_off",
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
    /// Points a purchase of `total_minor` (öre, cents) earns at a tier
    /// `multiplier`, in a currency whose minor unit has `exponent` decimals.
    ///
    /// Rounding: fractional points are rounded down (CONTRACT.md), once, after
    /// the multiplier, so 1.25 x 99.99 kr earns 124, not 123. The product is
    /// exact integer arithmetic (see [`crate::units::Multiplier`]).
    pub fn points_for_purchase(&self, total_minor: i64, exponent: u32, multiplier: Multiplier) -> i64 {
        crate::points::earned(i64::from(self.earn.points_per_unit), total_minor, exponent, multiplier)
    }

    /// Checks what JSON cannot: tiers in order from a zero threshold, sane
    /// multipliers, unique ids, positive costs and references that resolve.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |msg: String| Err(Error::InvalidProgram(msg));
        if self.earn.points_per_unit > 10_000 {
            return invalid("earn.points_per_unit must be at most 10000".into());
        }
        let exclude = &self.earn.exclude;
        if exclude.skus.len() + exclude.categories.len() > MAX_EXCLUDED {
            return invalid(format!("earn.exclude may name at most {MAX_EXCLUDED} SKUs and categories"));
        }
        if exclude.skus.iter().chain(&exclude.categories).any(|x| x.is_empty() || x.chars().count() > 128) {
            return invalid("earn.exclude: each SKU and category must be 1 to 128 characters".into());
        }
        crate::zone::Zone::named(&self.time_zone)?;
        for (code, rate) in &self.rates {
            if !crate::currency::is_active(code) {
                return invalid(format!(
                    "rates: `{}` is not the ISO 4217 code of a currency in use",
                    code.chars().take(16).collect::<String>()
                ));
            }
            rate.validate().map_err(|why| Error::InvalidProgram(format!("rates.{code}: {why}")))?;
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
            if reward.available_from.as_deref().is_some_and(|d| crate::zone::parse_date(d).is_none()) {
                return invalid(format!("reward {} available_from must be a date as YYYY-MM-DD", reward.id));
            }
            if reward.expires_after_days.is_some_and(|d| !(1..=MAX_CODE_DAYS).contains(&d)) {
                return invalid(format!("reward {} expires_after_days must be 1 to {MAX_CODE_DAYS}", reward.id));
            }
            match (reward.kind, &reward.points_off) {
                (RewardKind::PointsOff, Some(rule)) => rule
                    .validate(reward.cost)
                    .map_err(|m| Error::InvalidProgram(format!("reward {}: {m}", reward.id)))?,
                (RewardKind::PointsOff, None) => {
                    return invalid(format!("reward {} of kind points_off needs points_off", reward.id));
                }
                (_, Some(_)) => {
                    return invalid(format!("reward {}: points_off is only for kind points_off", reward.id))
                }
                (_, None) => {}
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
        self.tier_period.validate().map_err(Error::InvalidProgram)?;
        if let Some(guest) = &self.guest_points {
            guest.validate().map_err(Error::InvalidProgram)?;
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
            earn: Earn { points_per_unit: 1, counts: Counts::default(), exclude: Exclude::default() },
            time_zone: utc_name(),
            rates: std::collections::BTreeMap::new(),
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
                points_off: None,
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
            tier_period: crate::tiers::TierPeriod::Lifetime,
            guest_points: None,
        }
    }

    /// The shop's time zone ([`Program::time_zone`]; validation refuses an
    /// unknown name, so UTC stands only for a program never checked).
    pub fn zone(&self) -> crate::zone::Zone {
        crate::zone::Zone::named(&self.time_zone).unwrap_or_default()
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

    const POINTS_OFF: crate::points_off::PointsOff =
        crate::points_off::PointsOff { step_points: 100, step_value: 1000, max_share_percent: 50 };

    #[test]
    fn a_points_off_reward_and_the_new_rules_read_from_json_and_pass() {
        let program: Program = serde_json::from_str(
            r#"{"earn": {"points_per_unit": 1}, "tiers": [{"id": "b", "name": "B", "threshold": 0}],
                "rewards": [{"id": "off", "title": "Points off", "cost": 100, "kind": "points_off",
                             "points_off": {"step_points": 100, "step_value": 1000, "max_share_percent": 50}}],
                "tier_period": {"kind": "rolling_12_months", "grace_days": 30},
                "guest_points": {"pending_days": 30}}"#,
        )
        .unwrap();
        program.validate().unwrap();
        assert_eq!(program.rewards[0].points_off, Some(POINTS_OFF));
        let json = serde_json::to_value(&program).unwrap();
        assert_eq!(json["tier_period"]["kind"], "rolling_12_months");
        // The defaults write nothing: a program saved before reads back the same.
        let plain = serde_json::to_value(sample()).unwrap();
        assert!(plain.get("tier_period").is_none() && plain.get("guest_points").is_none());
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
        assert_eq!(
            reward.availability(None, opens, &crate::zone::Zone::utc()),
            Availability::Open,
            "plain rewards are open to all"
        );

        reward.tiers = vec!["gold".into(), "platinum".into()];
        assert_eq!(reward.availability(Some("gold"), opens, &crate::zone::Zone::utc()), Availability::Open);
        assert_eq!(
            reward.availability(Some("silver"), opens, &crate::zone::Zone::utc()),
            Availability::Hidden,
            "member-only"
        );
        assert_eq!(
            reward.availability(None, opens, &crate::zone::Zone::utc()),
            Availability::Hidden,
            "guests do not see it"
        );

        reward.available_from = Some("2026-12-01".into());
        assert_eq!(reward.availability(Some("gold"), opens - 1, &crate::zone::Zone::utc()), Availability::EarlyAccess);
        assert_eq!(reward.availability(Some("silver"), opens - 1, &crate::zone::Zone::utc()), Availability::Hidden);
        assert_eq!(
            reward.availability(Some("silver"), opens, &crate::zone::Zone::utc()),
            Availability::Open,
            "open to all from its day"
        );
        assert_eq!(reward.availability(Some("gold"), opens, &crate::zone::Zone::utc()), Availability::Open);

        reward.tiers.clear();
        assert_eq!(
            reward.availability(Some("gold"), opens - 1, &crate::zone::Zone::utc()),
            Availability::Hidden,
            "scheduled, no early access"
        );
        assert_eq!(reward.availability(None, opens, &crate::zone::Zone::utc()), Availability::Open);
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
        assert!(refused(|p| p.rewards[0].kind = RewardKind::PointsOff).contains("needs points_off"));
        assert!(refused(|p| p.rewards[0].points_off = Some(POINTS_OFF)).contains("only for kind points_off"));
        assert!(refused(|p| {
            p.rewards[0].kind = RewardKind::PointsOff;
            p.rewards[0].points_off = Some(crate::points_off::PointsOff { step_points: 300, ..POINTS_OFF });
        })
        .contains("multiple of step_points"));
        assert!(refused(|p| p.tier_period = crate::tiers::TierPeriod::Rolling12Months { grace_days: 999 })
            .contains("grace_days"));
        assert!(
            refused(|p| p.guest_points = Some(crate::guest::GuestPoints { pending_days: 0 })).contains("pending_days")
        );
        assert!(refused(|p| {
            p.rewards[0].kind = RewardKind::PercentDiscount;
            p.rewards[0].value = 150;
        })
        .contains("percent"));
    }
}
