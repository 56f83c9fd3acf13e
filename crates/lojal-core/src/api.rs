//! The JSON bodies of the HTTP API (CONTRACT.md section 4), shared so the
//! server writes exactly what the widget reads.

use crate::points::Multiplier;
use crate::program::{Availability, Program, RewardKind};
use crate::tiers;
use serde::{Deserialize, Serialize};

mod merchant;
pub use merchant::{
    Cohort, CreditFigures, MembershipValue, Metrics, Month, PointsFigures, ProductsReply, RecommendationFigures,
    ReferralFigures, Status, StatusOk, TierFigures, Webhook, WebhookAttempt, WebhookAttempts, WebhookCreated,
    WebhookDelivery, WebhookEventSummary, WebhookEvents, WebhookList, WebhookResendReply,
};

/// `GET /v1/shops/{shop}/widget`: everything the widget draws, in one body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WidgetData {
    pub shop: ShopInfo,
    pub customer: Option<CustomerView>,
    pub ways_to_earn: Vec<WayToEarn>,
    pub rewards: Vec<RewardView>,
    pub tiers: Vec<TierView>,
    pub recommendations: Vec<Recommendation>,
    pub nudge: Option<Nudge>,
    /// The member's cart as last reported (`PUT .../cart`), for the cart view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart: Option<CartView>,
    /// The member's latest ledger rows, newest first, for the account view.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<LedgerEntryView>,
    /// Campaigns running now, for the banner that says until when.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub campaigns: Vec<CampaignView>,
    /// Percent of each purchase back as store credit, with a cashback program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashback_percent: Option<f64>,
    /// The cause members can give points to, with what they gave together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub donation: Option<crate::donation::DonationView>,
    /// The program's stamp card, as this shopper's card stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp_card: Option<StampCardView>,
    /// The feedback question to ask this member now, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<crate::feedback::FeedbackAsk>,
    /// The member's discount codes, newest first: active ones to copy, the
    /// others with what became of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<CodeView>,
    /// For a guest whose signed email hash has points waiting: what
    /// joining brings ("join now and get the 249 points of your last order").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_points: Option<GuestPointsView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestPointsView {
    pub points: i64,
    /// The last day (`YYYY-MM-DD`, the shop's time zone) joining still
    /// brings them.
    pub until: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StampCardView {
    pub title: String,
    /// Stamps that fill the card.
    pub stamps: i64,
    /// Stamps on it now (for a guest: the head start joining gives).
    pub filled: i64,
    /// The smallest order that earns a stamp, minor units.
    pub min_order: i64,
    pub reward_title: String,
    /// The code the member's last full card gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignView {
    pub id: String,
    pub title: String,
    pub multiplier: f64,
    /// The last day it runs, `YYYY-MM-DD`.
    pub ends_on: String,
    /// The categories it is limited to; empty for every purchase.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Only for orders spanning at least this many categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_categories: Option<u32>,
}

/// The program's campaigns that run at `now`, as the widget shows them.
pub fn running_campaigns(program: &crate::program::Program, now: i64) -> Vec<CampaignView> {
    let zone = program.zone();
    program
        .campaigns
        .iter()
        .filter(|c| c.runs_at(now, &zone))
        .map(|c| CampaignView {
            id: c.id.clone(),
            title: c.title.clone(),
            multiplier: c.multiplier,
            ends_on: c.ends_on.clone(),
            categories: c.categories.clone(),
            min_categories: c.min_categories,
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartView {
    pub items: Vec<crate::requests::LineItem>,
    /// Sum of qty x price, minor units.
    pub total: i64,
}

impl WidgetData {
    /// Points a purchase of `total_minor` in `category` (`None`: not
    /// known) would earn this shopper now: at their tier's multiplier, or
    /// the base rate for a guest (what joining would earn them), times the
    /// best running campaign that applies to it, exactly as the order will
    /// be counted.
    pub fn earn_preview(&self, total_minor: i64, category: Option<&str>) -> i64 {
        let per_unit = self.ways_to_earn.iter().find(|w| w.id == "purchase").map_or(0, |w| w.points);
        let tier = self
            .customer
            .as_ref()
            .and_then(|c| self.tiers.iter().find(|t| t.id == c.tier.id))
            .map_or(Multiplier::ONE, |t| Multiplier::from_decimal(t.multiplier));
        let campaign = self.campaign_for(category).map_or(Multiplier::ONE, |c| Multiplier::from_decimal(c.multiplier));
        // Points are per major unit: a yen, a krona, a dinar.
        let exponent = crate::currency::decimals(&self.shop.currency);
        crate::points::earned(per_unit, total_minor, exponent, tier.times(campaign))
    }

    /// The running campaign with the most points for a purchase in
    /// `category`: one on every purchase, or on that category. Campaigns
    /// for orders spanning several categories cannot be known from one
    /// product, and are left out.
    pub fn campaign_for(&self, category: Option<&str>) -> Option<&CampaignView> {
        self.campaigns
            .iter()
            .filter(|c| c.min_categories.is_none())
            .filter(|c| c.categories.is_empty() || category.is_some_and(|cat| c.categories.iter().any(|x| x == cat)))
            .max_by(|a, b| a.multiplier.total_cmp(&b.multiplier))
    }

    /// The costliest reward the member's balance covers: the one to offer
    /// on a cart.
    /// The costliest reward the member can redeem as it is; a `points_off`
    /// reward is not one (the cart view has its own picker for it).
    pub fn best_affordable_reward(&self) -> Option<&RewardView> {
        self.rewards.iter().filter(|r| r.redeemable && r.points_off.is_none()).max_by_key(|r| r.cost)
    }
}

/// The total of a cart's lines.
pub fn cart_total(items: &[crate::requests::LineItem]) -> i64 {
    items.iter().map(|i| i.qty.saturating_mul(i.price)).fold(0_i64, i64::saturating_add)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopInfo {
    pub id: String,
    pub name: String,
    /// ISO 4217, e.g. `SEK`.
    pub currency: String,
    pub locale: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    pub id: String,
    /// May be negative after a refund of points already spent.
    pub points: i64,
    pub lifetime_points: i64,
    pub tier: TierRef,
    pub next_tier: Option<NextTierView>,
    pub referral: Option<ReferralView>,
    /// Store credit from cashback, minor units (with a cashback program).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<i64>,
    /// The birthday the member set (once); absent until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<crate::birthday::Birthday>,
    /// With tiers over a rolling 12 months: what keeps the tier held when
    /// it is at risk ("keep Guld: earn 300 more by 31 March").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_tier: Option<KeepTierView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeepTierView {
    pub id: String,
    pub name: String,
    pub points_needed: i64,
    /// The last day (`YYYY-MM-DD`, the shop's time zone) on which earning
    /// them keeps the tier.
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextTierView {
    pub id: String,
    pub name: String,
    pub points_needed: i64,
    pub progress: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferralView {
    pub code: String,
    pub url: String,
    pub referrals: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WayToEarn {
    pub id: String,
    pub title: String,
    pub points: i64,
    /// For the program's actions: which kind (absent for the built-in ways).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<crate::actions::ActionKind>,
    /// A social account to follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The member has done this once-only action already.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub done: bool,
}

impl WayToEarn {
    fn built_in(id: &str, title: &str, points: i64) -> WayToEarn {
        WayToEarn { id: id.into(), title: title.into(), points, kind: None, url: None, done: false }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RewardView {
    pub id: String,
    pub title: String,
    pub cost: i64,
    pub kind: RewardKind,
    pub value: i64,
    /// Whether this customer's balance covers it now (always false for a guest).
    pub redeemable: bool,
    /// Member-only: the tiers it is for (absent when open to every member).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// Early access: the day it opens to everyone, while this member's
    /// tier has it first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_access_until: Option<String>,
    /// For `points_off`: its steps and share; `cost` is the fewest points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_off: Option<crate::points_off::PointsOff>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierView {
    pub id: String,
    pub name: String,
    pub threshold: i64,
    pub multiplier: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub sku: String,
    pub name: String,
    pub url: String,
    pub image: String,
    pub price: i64,
    pub reason: String,
}

/// The one nudge for this shopper now, worded in their language, with the
/// figures it speaks of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nudge {
    /// `abandoned_cart`, `expiring_points`, `win_back` or `next_tier`.
    pub kind: String,
    pub text: String,
    /// Points the nudge speaks of: what the cart earns, what expires, what
    /// the next tier still needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// When the points expire (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// A win-back offer's personal code and its reward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward_id: Option<String>,
}

/// A discount code as a checkout (`GET .../codes/{code}`, `POST
/// .../codes/{code}/use|void`) and the member's widget see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeView {
    /// Canonical form, `LOJ-XXXX-XXXX`.
    pub code: String,
    pub customer: String,
    pub reward_id: String,
    pub title: String,
    pub kind: crate::program::RewardKind,
    /// Minor units of `currency` for `fixed_discount`, percent for
    /// `percent_discount`, 0 for the others.
    pub value: i64,
    pub currency: String,
    pub status: crate::codes::CodeStatus,
    /// What the member paid for it (0 for a code given, not bought).
    pub points_spent: i64,
    /// RFC 3339 UTC, as the rest.
    pub issued_at: String,
    pub used_at: Option<String>,
    /// The order that used it.
    pub order_id: Option<String>,
    pub expires_at: Option<String>,
    pub voided_at: Option<String>,
}

/// `201` of `POST .../redemptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedemptionReply {
    /// The discount code the shopper enters at checkout.
    pub code: String,
    pub reward_id: String,
    pub points_spent: i64,
    /// The balance after the redemption.
    pub points: i64,
}

/// `201` (new) or `200` (already known) of `POST .../orders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderReply {
    pub points_awarded: i64,
    pub points: i64,
    /// A guest's order: the points waiting for them to join (0 without
    /// `program.guest_points`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_pending: Option<i64>,
    /// Until when (RFC 3339) joining claims them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_until: Option<String>,
}

/// `200` of `POST .../customers/{customer}/guest-points`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestClaimReply {
    /// What the member's guest orders had pending, credited now (0 when
    /// nothing waits or it was claimed before).
    pub points_credited: i64,
    /// The balance after it.
    pub points: i64,
}

/// `200` of `POST .../orders/{id}/refund`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundReply {
    pub points_reversed: i64,
    pub points: i64,
    /// What is left of the order that could still be refunded (minor units).
    pub refundable: i64,
}

/// `GET .../customers/{customer}`: a member with their ledger, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerDetail {
    pub id: String,
    pub points: i64,
    pub lifetime_points: i64,
    pub tier: TierRef,
    pub referral_code: String,
    /// Whom this member was referred by, if anyone.
    pub referred_by: Option<String>,
    pub ledger: Vec<LedgerEntryView>,
    /// Store credit from cashback, minor units.
    #[serde(default)]
    pub credit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntryView {
    /// RFC 3339 UTC.
    pub at: String,
    pub delta: i64,
    /// `earn`, `redeem`, `refund`, `referral`, `expiry`, `adjustment`,
    /// `birthday`, `feedback`, `action`, `donation`, `void`, `import` or
    /// `import_spent` (worded for shoppers by [`crate::history::describe`]).
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reward_id: Option<String>,
    /// The merchant's note of an adjustment, the cause of a donation, the
    /// action's id, the campaign of a purchase's bonus.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For an order in another currency than the shop's: what it was and
    /// the rate it earned at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converted: Option<Converted>,
}

/// An amount in another currency than the shop's, converted at a rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Converted {
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: String,
    /// The shop's currency per unit of `currency`, as the merchant set it (`"11.50"`).
    pub rate: String,
}

/// A member's standing as stored: the figures the ledger sums to.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing<'a> {
    pub id: &'a str,
    pub points: i64,
    pub lifetime_points: i64,
    pub referral: Option<ReferralView>,
}

/// The program's public parts, the same for every visitor.
pub fn program_views(program: &Program) -> (Vec<WayToEarn>, Vec<TierView>) {
    let mut ways = vec![WayToEarn::built_in("purchase", "Shop", i64::from(program.earn.points_per_unit))];
    if let Some(birthday) = &program.birthday {
        ways.push(WayToEarn::built_in("birthday", "Birthday", birthday.points));
    }
    if let Some(referral) = program.referral.as_ref().filter(|r| r.referrer_points > 0) {
        ways.push(WayToEarn::built_in("referral", "Refer a friend", referral.referrer_points));
    }
    ways.extend(program.actions.iter().map(|a| WayToEarn {
        id: a.id.clone(),
        title: a.title.clone(),
        points: a.points,
        kind: Some(a.kind),
        url: a.url.clone(),
        done: false,
    }));
    let tiers = program
        .tiers
        .iter()
        .map(|t| TierView { id: t.id.clone(), name: t.name.clone(), threshold: t.threshold, multiplier: t.multiplier })
        .collect();
    (ways, tiers)
}

/// A member's balance and tier, as the rewards they see depend on them.
#[derive(Debug, Clone, Copy)]
pub struct Holder<'a> {
    pub points: i64,
    pub tier: &'a str,
}

/// The rewards this shopper may see now (`None`: a guest, who sees those
/// open to all), each marked redeemable when their balance covers it.
/// Marks the ways to earn the member has done: the program's actions they
/// have been paid for (`paid`, action ids) whose kind is done once paid
/// ([`crate::actions::ActionKind::done_once_paid`]). Built-in ways (a
/// purchase, a birthday) are never done.
pub fn mark_done(ways: &mut [WayToEarn], paid: &[String]) {
    for way in ways {
        way.done = way.kind.is_some_and(|kind| kind.done_once_paid()) && paid.contains(&way.id);
    }
}

pub fn reward_views(program: &Program, holder: Option<Holder<'_>>, now: i64) -> Vec<RewardView> {
    let zone = program.zone();
    program
        .rewards
        .iter()
        .filter_map(|r| {
            let availability = r.availability(holder.map(|h| h.tier), now, &zone);
            let member_only = availability == Availability::Open && !r.tiers.is_empty() && r.available_from.is_none();
            (availability != Availability::Hidden).then(|| RewardView {
                id: r.id.clone(),
                title: r.title.clone(),
                cost: r.cost,
                kind: r.kind,
                value: r.value,
                redeemable: holder.is_some_and(|h| h.points >= r.cost),
                tiers: if member_only { r.tiers.clone() } else { Vec::new() },
                early_access_until: (availability == Availability::EarlyAccess)
                    .then(|| r.available_from.clone())
                    .flatten(),
                points_off: r.points_off,
            })
        })
        .collect()
}

/// A member's view: their balance, tier and the way to the next tier.
pub fn customer_view(program: &Program, standing: Standing<'_>) -> CustomerView {
    let by_lifetime = tiers::TierStanding::lifetime(&program.tiers, standing.lifetime_points);
    customer_view_at(program, standing, by_lifetime)
}

/// [`customer_view`] with the tier as the program's period has it.
pub fn customer_view_at(program: &Program, standing: Standing<'_>, held: tiers::TierStanding) -> CustomerView {
    let tier_held = held.tier(&program.tiers);
    let tier = tier_held
        .map(|t| TierRef { id: t.id.clone(), name: t.name.clone() })
        .unwrap_or(TierRef { id: String::new(), name: String::new() });
    let next_tier = held.next(&program.tiers).map(|n| NextTierView {
        id: n.tier.id.clone(),
        name: n.tier.name.clone(),
        points_needed: n.points_needed,
        progress: n.progress,
    });
    let keep_tier = held.keep.zip(tier_held).map(|(keep, t)| KeepTierView {
        id: t.id.clone(),
        name: t.name.clone(),
        points_needed: keep.points_needed,
        by: crate::campaign::format_date(program.zone().local(keep.lapses_at - 1)),
    });
    CustomerView {
        id: standing.id.to_owned(),
        points: standing.points,
        lifetime_points: standing.lifetime_points,
        tier,
        next_tier,
        referral: standing.referral,
        credit: None,
        birthday: None,
        keep_tier,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paid_one_off_actions_are_done_never_reviews_or_built_in_ways() {
        use crate::actions::ActionKind;
        let way = |id: &str, kind: Option<ActionKind>| WayToEarn {
            id: id.into(),
            title: id.into(),
            points: 10,
            kind,
            url: None,
            done: false,
        };
        let mut ways = vec![
            way("purchase", None),
            way("join", Some(ActionKind::SignUp)),
            way("follow", Some(ActionKind::SocialFollow)),
            way("review", Some(ActionKind::Review)),
            way("third-order", Some(ActionKind::PurchaseCount)),
        ];
        let paid: Vec<String> = ["purchase", "join", "review", "third-order"].map(String::from).to_vec();
        mark_done(&mut ways, &paid);
        let done: Vec<&str> = ways.iter().filter(|w| w.done).map(|w| w.id.as_str()).collect();
        assert_eq!(done, ["join", "third-order"]);
        mark_done(&mut ways, &[]);
        assert!(ways.iter().all(|w| !w.done), "nothing paid: nothing done");
    }
    use crate::program::tests::sample;

    #[test]
    fn a_member_view_matches_the_contract_example() {
        let view =
            customer_view(&sample(), Standing { id: "cust-42", points: 740, lifetime_points: 2140, referral: None });
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["tier"], serde_json::json!({"id": "gold", "name": "Guld"}));
        assert_eq!(json["next_tier"]["name"], "Platina");
        assert_eq!(json["next_tier"]["points_needed"], 860);
    }

    fn widget_for(program: &Program, standing: Option<Standing<'_>>) -> WidgetData {
        let (ways_to_earn, tiers) = program_views(program);
        let points = standing.as_ref().map(|s| s.points);
        WidgetData {
            shop: ShopInfo { id: "demo".into(), name: "Demo".into(), currency: "SEK".into(), locale: "sv".into() },
            customer: standing.map(|s| customer_view(program, s)),
            ways_to_earn,
            rewards: reward_views(program, points.map(|points| Holder { points, tier: "bronze" }), 0),
            tiers,
            recommendations: vec![],
            nudge: None,
            cart: None,
            history: vec![],
            campaigns: vec![],
            cashback_percent: None,
            donation: None,
            stamp_card: None,
            feedback: None,
            codes: Vec::new(),
            guest_points: None,
        }
    }

    #[test]
    fn the_earn_preview_uses_the_members_tier_as_the_order_will() {
        let program = sample();
        let guest = widget_for(&program, None);
        assert_eq!(guest.earn_preview(24_900, None), 249);
        // Guld (1.5x): 249 kr earns 373 (373.5 rounded down), as the order would.
        let gold = widget_for(&program, Some(Standing { id: "c", points: 740, lifetime_points: 2140, referral: None }));
        assert_eq!(gold.earn_preview(24_900, None), 373);
        assert_eq!(
            gold.earn_preview(24_900, None),
            program.points_for_purchase(24_900, 2, Multiplier::from_decimal(1.5))
        );
        assert_eq!(gold.best_affordable_reward().map(|r| r.id.as_str()), Some("r100"));
        assert_eq!(guest.best_affordable_reward(), None);
    }

    #[test]
    fn a_points_off_reward_is_never_the_cart_views_one_button_offer() {
        let mut program = sample();
        program.rewards.push(crate::program::Reward {
            id: "off".into(),
            title: "Points off".into(),
            cost: 700,
            kind: RewardKind::PointsOff,
            value: 0,
            tiers: Vec::new(),
            available_from: None,
            expires_after_days: None,
            points_off: Some(crate::points_off::PointsOff {
                step_points: 100,
                step_value: 1000,
                max_share_percent: 50,
            }),
        });
        let member =
            widget_for(&program, Some(Standing { id: "c", points: 740, lifetime_points: 2140, referral: None }));
        let off = member.rewards.iter().find(|r| r.id == "off").unwrap();
        assert!(off.redeemable && off.points_off.is_some(), "shown with its steps");
        assert_eq!(member.best_affordable_reward().map(|r| r.id.as_str()), Some("r100"), "the picker offers it");
    }

    #[test]
    fn the_earn_preview_counts_a_running_campaign_as_the_order_will() {
        let mut program = sample();
        let campaign =
            |id: &str, multiplier: f64, categories: &[&str], min_categories: Option<u32>| crate::campaign::Campaign {
                id: id.into(),
                title: id.into(),
                multiplier,
                starts_on: "2026-11-01".into(),
                ends_on: "2026-11-30".into(),
                categories: categories.iter().map(|c| (*c).to_owned()).collect(),
                min_categories,
            };
        program.campaigns = vec![
            campaign("all-x2", 2.0, &[], None),
            campaign("dairy-x3", 3.0, &["Dairy"], None),
            campaign("mix-x5", 5.0, &[], Some(2)),
        ];
        let now = crate::campaign::parse_date("2026-11-24").unwrap();
        let mut gold =
            widget_for(&program, Some(Standing { id: "c", points: 0, lifetime_points: 2140, referral: None }));
        gold.campaigns = running_campaigns(&program, now);
        // Guld 1.5x with double points on everything: 3x; on dairy the triple: 4.5x.
        assert_eq!(gold.earn_preview(10_000, None), 300);
        assert_eq!(gold.earn_preview(10_000, Some("Bakery")), 300);
        assert_eq!(gold.earn_preview(10_000, Some("Dairy")), 450);
        // What the order will earn, by the campaign rules themselves.
        let line = [crate::campaign::Line { amount: 10_000, category: Some("Dairy") }];
        let sek = crate::points::EarnRate { points_per_unit: 1, exponent: 2 };
        let bonus = crate::campaign::best_bonus(
            &program.campaigns,
            sek,
            10_000,
            &line,
            Multiplier::from_decimal(1.5),
            now,
            &program.zone(),
        )
        .unwrap();
        assert_eq!(program.points_for_purchase(10_000, 2, Multiplier::from_decimal(1.5)) + bonus.points, 450);
        assert_eq!(gold.campaign_for(Some("Dairy")).map(|c| c.id.as_str()), Some("dairy-x3"));
    }

    #[test]
    fn cart_totals_do_not_overflow() {
        use crate::requests::LineItem;
        let line = |qty, price| LineItem { sku: "x".into(), qty, price };
        assert_eq!(cart_total(&[line(2, 1990), line(1, 500)]), 4480);
        assert_eq!(cart_total(&[line(i64::MAX, 2), line(1, 1)]), i64::MAX);
    }

    #[test]
    fn rewards_are_redeemable_only_when_the_balance_covers_them() {
        let program = sample();
        let holding = |points| Some(Holder { points, tier: "bronze" });
        assert!(!reward_views(&program, None, 0)[0].redeemable);
        assert!(!reward_views(&program, holding(499), 0)[0].redeemable);
        assert!(reward_views(&program, holding(500), 0)[0].redeemable);
        assert_eq!(serde_json::to_value(&reward_views(&program, None, 0)[0]).unwrap()["kind"], "fixed_discount");
    }
}
