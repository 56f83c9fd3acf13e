//! The widget's answer from the facts read and `now`: no I/O, so the same
//! facts give the same answer, whenever they were read.

use super::kept::Read;
use crate::clock;
use crate::store::member_facts::MemberFacts;
use crate::store::shops::Shop;
use crate::store::tier_standing;
use lojal_core::api::{self, CartView, GuestPointsView, Nudge, ReferralView, ShopInfo, Standing, WidgetData};
use lojal_core::nudge::{self, CartFacts, NudgeKind};
use lojal_core::tiers::TierStanding;
use lojal_core::words::{self, Lang, NudgeFigures};

pub fn widget_data(
    shop: &Shop,
    read: &Read,
    guest_points: Option<GuestPointsView>,
    lang: Lang,
    now: i64,
) -> WidgetData {
    let facts = read.member.as_ref();
    let program = &shop.program;
    let held = facts.map(|f| tier_standing::standing(program, f.member.lifetime_points, &f.tier_rows, now));
    let customer = facts.zip(held).map(|(f, held)| {
        let m = &f.member;
        let referral = shop.site().map(|site| ReferralView {
            code: m.referral_code.clone(),
            url: format!("{site}/?ref={}", m.referral_code),
            referrals: m.referrals,
        });
        let standing = Standing { id: &m.id, points: m.points, lifetime_points: m.lifetime_points, referral };
        let mut view = api::customer_view_at(program, standing, held);
        view.birthday = m.birthday.map(|(birthday, _)| birthday);
        view.credit = program.cashback.map(|_| f.credit);
        view
    });
    let (mut ways_to_earn, tiers) = api::program_views(program);
    if let Some(f) = facts {
        api::mark_done(&mut ways_to_earn, &f.claimed_actions);
    }
    let points = facts.map(|f| f.member.points);
    WidgetData {
        shop: ShopInfo {
            id: shop.id.clone(),
            name: shop.name.clone(),
            currency: shop.currency.clone(),
            locale: shop.locale.clone(),
        },
        rewards: api::reward_views(
            program,
            points.zip(customer.as_ref()).map(|(points, c)| api::Holder { points, tier: &c.tier.id }),
            now,
        ),
        nudge: facts.zip(held).and_then(|(f, held)| member_nudge(shop, f, held, lang, now)),
        cart: facts
            .and_then(|f| f.cart.as_ref())
            .map(|(items, _)| CartView { total: api::cart_total(items), items: items.clone() }),
        history: facts.map(|f| f.history.iter().cloned().map(|row| row.view()).collect()).unwrap_or_default(),
        codes: facts
            .map(|f| f.codes.iter().map(|c| c.view(program, &shop.currency, now)).collect())
            .unwrap_or_default(),
        feedback: facts.and_then(|f| {
            let rules = program.feedback.as_ref()?;
            let order = f.latest_order.as_ref().filter(|o| !o.answered && rules.asks_about(o.at, now))?;
            Some(lojal_core::feedback::FeedbackAsk { order_id: order.id.clone(), points: rules.points })
        }),
        stamp_card: program.stamp_card.as_ref().map(|card| api::StampCardView {
            title: card.title.clone(),
            stamps: card.stamps,
            filled: facts.map_or(card.head_start, |f| card.current(f.stamps)),
            min_order: card.min_order,
            reward_title: program.reward(&card.reward_id).map(|r| r.title.clone()).unwrap_or_default(),
            latest_code: facts.and_then(|f| f.latest_stamp_code.clone()),
        }),
        donation: program.donation.as_ref().map(|d| d.view(read.donated, points)),
        customer,
        ways_to_earn,
        tiers,
        recommendations: read.recommendations.clone(),
        campaigns: api::running_campaigns(program, now),
        cashback_percent: program.cashback.map(|c| c.percent),
        guest_points,
    }
}

/// The nudge the rules choose for the member now (`lojal_core::nudge`).
pub fn nudge_kind(shop: &Shop, facts: &MemberFacts, held: &TierStanding, now: i64) -> Option<NudgeKind> {
    let program = &shop.program;
    let member = &facts.member;
    let rules_facts = nudge::Facts {
        now,
        cart: cart_facts(shop, facts, held),
        next_expiry: member.next_expiry_at.map(|at| (at, member.next_expiry_points)),
        last_order_at: facts.latest_order.as_ref().map(|o| o.at),
        next_tier: held.next(&program.tiers).map(|n| (n.points_needed, n.tier.threshold)),
        dismissed: facts.dismissed.clone(),
    };
    nudge::choose(&program.nudges, &rules_facts)
}

/// The nudge for the member now, worded. A win-back shows once its code is
/// issued (the view writes it first when it falls due: `due`).
fn member_nudge(shop: &Shop, facts: &MemberFacts, held: TierStanding, lang: Lang, now: i64) -> Option<Nudge> {
    let program = &shop.program;
    let kind = nudge_kind(shop, facts, &held, now)?;
    let mut nudge = Nudge {
        kind: kind.as_str().to_owned(),
        text: String::new(),
        points: None,
        expires_at: None,
        code: None,
        reward_id: None,
    };
    let mut figures = NudgeFigures::default();
    let date;
    let next_tier = held.next(&program.tiers);
    match kind {
        NudgeKind::AbandonedCart => {
            figures.points = cart_facts(shop, facts, &held).map_or(0, |cart| cart.points);
        }
        NudgeKind::ExpiringPoints => {
            let member = &facts.member;
            figures.points = member.next_expiry_points;
            let expires_at = clock::rfc3339(member.next_expiry_at.unwrap_or_default());
            date = expires_at.get(..10).unwrap_or_default().to_owned();
            nudge.expires_at = Some(expires_at);
            figures.date = &date;
        }
        NudgeKind::WinBack => {
            let reward = program.nudges.win_back_reward_id.as_deref().and_then(|id| program.reward(id))?;
            let code = facts.latest_order.as_ref()?.win_back_code.as_deref()?;
            figures.name = &reward.title;
            figures.code = code;
            nudge.code = Some(code.to_owned());
            nudge.reward_id = Some(reward.id.clone());
        }
        NudgeKind::NextTier => {
            let next = next_tier.as_ref()?;
            figures.points = next.points_needed;
            figures.name = &next.tier.name;
        }
    }
    if kind != NudgeKind::WinBack {
        nudge.points = Some(figures.points);
    }
    nudge.text = words::nudge(lang, kind, &figures);
    Some(nudge)
}

/// The member's cart as the nudge rules see it: its items, and the points
/// it would earn at the tier they hold.
fn cart_facts(shop: &Shop, facts: &MemberFacts, held: &TierStanding) -> Option<CartFacts> {
    let program = &shop.program;
    facts.cart.as_ref().map(|(items, updated_at)| CartFacts {
        items: items.iter().map(|i| i.qty).sum(),
        points: program.points_for_purchase(
            api::cart_total(items),
            lojal_core::currency::exponent(&shop.currency).unwrap_or(2),
            held.multiplier(&program.tiers),
        ),
        updated_at: *updated_at,
    })
}
