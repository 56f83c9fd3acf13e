//! Nudges: the one message that brings a shopper back, chosen by rules.
//!
//! Priority, first that applies wins (and a kind the shopper dismissed is
//! skipped until its dismissal lapses):
//!
//! 1. **abandoned cart**: items waiting since at least the configured delay;
//! 2. **expiring points**: points expire within the configured window;
//! 3. **win-back**: no order for the configured number of days, and the
//!    program has a win-back reward (the shopper gets a personal code);
//! 4. **next tier**: the next tier is within the configured share of its
//!    threshold.
//!
//! What is at stake decides the order: a cart is a sale about to happen,
//! expiring points are a loss the shopper would regret, a lapsed customer is
//! worth a gift, and a tier is a goal.

use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400;

/// The merchant's settings (`nudges` in the program); every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NudgeRules {
    /// A cart untouched this long counts as left behind.
    pub abandoned_cart_after_hours: u32,
    /// Warn when points expire within this many days.
    pub expiring_within_days: u32,
    /// A customer without an order for this many days is lapsing.
    pub win_back_after_days: u32,
    /// The reward a lapsing customer gets for free; no win-back nudge without one.
    pub win_back_reward_id: Option<String>,
    /// Show the next tier when the points still needed are at most this
    /// share of its threshold (0.2: the last fifth of the way).
    pub next_tier_within: f64,
    /// A dismissed nudge stays away this long.
    pub dismiss_for_days: u32,
}

impl Default for NudgeRules {
    fn default() -> Self {
        NudgeRules {
            abandoned_cart_after_hours: 2,
            expiring_within_days: 30,
            win_back_after_days: 60,
            win_back_reward_id: None,
            next_tier_within: 0.2,
            dismiss_for_days: 7,
        }
    }
}

impl NudgeRules {
    pub fn validate(&self) -> Result<(), String> {
        if !(self.next_tier_within.is_finite() && (0.0..=1.0).contains(&self.next_tier_within)) {
            return Err("nudges.next_tier_within must be between 0 and 1".into());
        }
        if self.abandoned_cart_after_hours > 24 * 90
            || self.expiring_within_days > 365
            || self.win_back_after_days > 3650
        {
            return Err(
                "nudges: a delay is out of range (cart at most 90 days, expiry window 365, win-back 3650)".into()
            );
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NudgeKind {
    AbandonedCart,
    ExpiringPoints,
    WinBack,
    NextTier,
}

impl NudgeKind {
    pub const ALL: [NudgeKind; 4] =
        [NudgeKind::AbandonedCart, NudgeKind::ExpiringPoints, NudgeKind::WinBack, NudgeKind::NextTier];

    pub fn as_str(self) -> &'static str {
        match self {
            NudgeKind::AbandonedCart => "abandoned_cart",
            NudgeKind::ExpiringPoints => "expiring_points",
            NudgeKind::WinBack => "win_back",
            NudgeKind::NextTier => "next_tier",
        }
    }

    pub fn parse(kind: &str) -> Option<NudgeKind> {
        NudgeKind::ALL.into_iter().find(|k| k.as_str() == kind)
    }
}

/// What the rules look at, for one member, now.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub now: i64,
    /// The cart's total (minor units), the points it would earn, and when it
    /// last changed; `None` without a cart or with an empty one.
    pub cart: Option<CartFacts>,
    /// When the next points expire, and how many.
    pub next_expiry: Option<(i64, i64)>,
    /// The member's last order, if any (Unix seconds).
    pub last_order_at: Option<i64>,
    /// Points still needed for the next tier, and its threshold.
    pub next_tier: Option<(i64, i64)>,
    /// When each kind was dismissed last.
    pub dismissed: Vec<(NudgeKind, i64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CartFacts {
    pub items: i64,
    pub points: i64,
    pub updated_at: i64,
}

/// The nudge to show, if any.
pub fn choose(rules: &NudgeRules, facts: &Facts) -> Option<NudgeKind> {
    let dismissed = |kind: NudgeKind| {
        facts.dismissed.iter().any(|(k, at)| *k == kind && facts.now < at + i64::from(rules.dismiss_for_days) * DAY)
    };
    let applies = |kind: NudgeKind| match kind {
        NudgeKind::AbandonedCart => facts.cart.is_some_and(|cart| {
            cart.items > 0 && facts.now >= cart.updated_at + i64::from(rules.abandoned_cart_after_hours) * 3_600
        }),
        NudgeKind::ExpiringPoints => facts.next_expiry.is_some_and(|(at, points)| {
            points > 0 && at > facts.now && at - facts.now <= i64::from(rules.expiring_within_days) * DAY
        }),
        NudgeKind::WinBack => {
            rules.win_back_reward_id.is_some()
                && facts.last_order_at.is_some_and(|at| facts.now >= at + i64::from(rules.win_back_after_days) * DAY)
        }
        NudgeKind::NextTier => facts.next_tier.is_some_and(|(needed, threshold)| {
            needed > 0 && (needed as f64) <= rules.next_tier_within * threshold as f64
        }),
    };
    NudgeKind::ALL.into_iter().find(|kind| applies(*kind) && !dismissed(*kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_780_000_000;

    fn rules() -> NudgeRules {
        NudgeRules { win_back_reward_id: Some("r50".into()), ..NudgeRules::default() }
    }

    fn cart_since(seconds_ago: i64) -> Option<CartFacts> {
        Some(CartFacts { items: 2, points: 240, updated_at: NOW - seconds_ago })
    }

    #[test]
    fn an_abandoned_cart_shows_exactly_at_the_delay_not_before() {
        let at = |ago| choose(&rules(), &Facts { now: NOW, cart: cart_since(ago), ..Default::default() });
        assert_eq!(at(2 * 3_600 - 1), None);
        assert_eq!(at(2 * 3_600), Some(NudgeKind::AbandonedCart));
    }

    #[test]
    fn an_emptied_cart_or_an_order_clears_the_nudge() {
        let emptied = Facts {
            now: NOW,
            cart: Some(CartFacts { items: 0, points: 0, updated_at: NOW - 10 * 3_600 }),
            ..Default::default()
        };
        assert_eq!(choose(&rules(), &emptied), None);
        // An order deletes the cart (store::orders::ingest): the facts then hold none.
        let after_order = Facts { now: NOW, cart: None, last_order_at: Some(NOW - 60), ..Default::default() };
        assert_eq!(choose(&rules(), &after_order), None);
    }

    #[test]
    fn expiring_points_show_within_the_window_only() {
        let expiring = |in_days: i64, points| Facts {
            now: NOW,
            next_expiry: Some((NOW + in_days * DAY, points)),
            ..Default::default()
        };
        assert_eq!(choose(&rules(), &expiring(30, 100)), Some(NudgeKind::ExpiringPoints));
        assert_eq!(choose(&rules(), &expiring(31, 100)), None);
        assert_eq!(choose(&rules(), &expiring(5, 0)), None);
    }

    #[test]
    fn win_back_needs_the_lapse_and_a_reward() {
        let lapsed = |days: i64| Facts { now: NOW, last_order_at: Some(NOW - days * DAY), ..Default::default() };
        assert_eq!(choose(&rules(), &lapsed(59)), None);
        assert_eq!(choose(&rules(), &lapsed(60)), Some(NudgeKind::WinBack));
        assert_eq!(choose(&NudgeRules::default(), &lapsed(400)), None, "no reward configured");
        let never_ordered = Facts { now: NOW, ..Default::default() };
        assert_eq!(choose(&rules(), &never_ordered), None);
    }

    #[test]
    fn the_next_tier_shows_in_the_last_stretch() {
        let needing = |needed| Facts { now: NOW, next_tier: Some((needed, 3_000)), ..Default::default() };
        assert_eq!(choose(&rules(), &needing(600)), Some(NudgeKind::NextTier));
        assert_eq!(choose(&rules(), &needing(601)), None);
    }

    #[test]
    fn one_nudge_at_a_time_by_priority_and_dismissals_last_their_period() {
        let everything = Facts {
            now: NOW,
            cart: cart_since(5 * 3_600),
            next_expiry: Some((NOW + DAY, 50)),
            last_order_at: Some(NOW - 100 * DAY),
            next_tier: Some((10, 3_000)),
            dismissed: vec![],
        };
        assert_eq!(choose(&rules(), &everything), Some(NudgeKind::AbandonedCart));
        let cart_dismissed = Facts { dismissed: vec![(NudgeKind::AbandonedCart, NOW - DAY)], ..everything.clone() };
        assert_eq!(choose(&rules(), &cart_dismissed), Some(NudgeKind::ExpiringPoints));
        let long_ago = Facts { dismissed: vec![(NudgeKind::AbandonedCart, NOW - 7 * DAY)], ..everything };
        assert_eq!(choose(&rules(), &long_ago), Some(NudgeKind::AbandonedCart), "dismissal lapsed at exactly 7 days");
    }

    #[test]
    fn rules_are_validated() {
        assert!(NudgeRules { next_tier_within: 1.5, ..NudgeRules::default() }.validate().is_err());
        assert!(NudgeRules::default().validate().is_ok());
    }
}
