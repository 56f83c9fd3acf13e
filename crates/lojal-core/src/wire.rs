//! Reading the widget's API answers without serde, for the wasm widget.
//!
//! serde's derives are the right tool on the server, but in the widget
//! they cost a quarter of the wasm (every type's visitor, monomorphized
//! for serde-wasm-bindgen's deserializer). Here each type is read field by
//! field from any [`Source`]: the widget reads JavaScript values, and the
//! tests read `serde_json::Value`s of real serialized data, so reader and
//! serializer are checked against each other on every type (see the
//! round-trip tests below).

use crate::actions::ActionKind;
use crate::api::{
    CampaignView, CartView, CodeView, Converted, CustomerView, GuestPointsView, KeepTierView, LedgerEntryView,
    NextTierView, Nudge, Recommendation, RedemptionReply, ReferralView, RewardView, ShopInfo, StampCardView, TierRef,
    TierView, WayToEarn, WidgetData,
};
use crate::birthday::Birthday;
use crate::codes::CodeStatus;
use crate::donation::{DonationReply, DonationView};
use crate::feedback::{FeedbackAsk, FeedbackReply};
use crate::points_off::PointsOff;
use crate::program::RewardKind;
use crate::requests::LineItem;

/// A JSON-like value: an object, array, string, number or boolean.
pub trait Source: Sized {
    /// The field `key` of an object; `None` when absent or null.
    fn field(&self, key: &str) -> Option<Self>;
    fn string(&self) -> Option<String>;
    fn number(&self) -> Option<f64>;
    fn boolean(&self) -> Option<bool>;
    /// The items of an array.
    fn items(&self) -> Option<Vec<Self>>;
}

/// The field that was missing or of the wrong type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bad(pub &'static str);

type Read<T> = Result<T, Bad>;

fn text<S: Source>(s: &S, key: &'static str) -> Read<String> {
    s.field(key).and_then(|v| v.string()).ok_or(Bad(key))
}

fn opt_text<S: Source>(s: &S, key: &'static str) -> Option<String> {
    s.field(key).and_then(|v| v.string())
}

/// A whole number: JSON numbers are f64 in JavaScript, and every integer
/// the API sends fits one exactly.
fn int<S: Source>(s: &S, key: &'static str) -> Read<i64> {
    opt_int(s, key).ok_or(Bad(key))
}

fn opt_int<S: Source>(s: &S, key: &'static str) -> Option<i64> {
    s.field(key).and_then(|v| v.number()).filter(|n| n.fract() == 0.0).map(|n| n as i64)
}

fn float<S: Source>(s: &S, key: &'static str) -> Read<f64> {
    s.field(key).and_then(|v| v.number()).ok_or(Bad(key))
}

fn flag<S: Source>(s: &S, key: &'static str) -> bool {
    s.field(key).and_then(|v| v.boolean()).unwrap_or(false)
}

fn object<S: Source, T>(s: &S, key: &'static str, read: fn(&S) -> Read<T>) -> Read<Option<T>> {
    s.field(key).map(|v| read(&v)).transpose()
}

/// An array field; absent is empty (the API leaves empty lists out).
fn list<S: Source, T>(s: &S, key: &'static str, read: fn(&S) -> Read<T>) -> Read<Vec<T>> {
    match s.field(key) {
        None => Ok(Vec::new()),
        Some(v) => v.items().ok_or(Bad(key))?.iter().map(read).collect(),
    }
}

fn texts<S: Source>(s: &S, key: &'static str) -> Read<Vec<String>> {
    list(s, key, |v| v.string().ok_or(Bad("a text in a list")))
}

pub fn widget_data<S: Source>(s: &S) -> Read<WidgetData> {
    Ok(WidgetData {
        shop: object(s, "shop", shop)?.ok_or(Bad("shop"))?,
        customer: object(s, "customer", customer)?,
        ways_to_earn: list(s, "ways_to_earn", way_to_earn)?,
        rewards: list(s, "rewards", reward)?,
        tiers: list(s, "tiers", tier)?,
        recommendations: list(s, "recommendations", recommendation)?,
        nudge: object(s, "nudge", nudge)?,
        cart: object(s, "cart", cart)?,
        history: list(s, "history", ledger_entry)?,
        campaigns: list(s, "campaigns", campaign)?,
        cashback_percent: s.field("cashback_percent").and_then(|v| v.number()),
        donation: object(s, "donation", donation)?,
        stamp_card: object(s, "stamp_card", stamp_card)?,
        feedback: object(s, "feedback", |f| {
            Ok(FeedbackAsk { order_id: text(f, "order_id")?, points: int(f, "points")? })
        })?,
        codes: list(s, "codes", code)?,
        guest_points: object(s, "guest_points", |g| {
            Ok(GuestPointsView { points: int(g, "points")?, until: text(g, "until")? })
        })?,
    })
}

fn shop<S: Source>(s: &S) -> Read<ShopInfo> {
    Ok(ShopInfo {
        id: text(s, "id")?,
        name: text(s, "name")?,
        currency: text(s, "currency")?,
        locale: text(s, "locale")?,
    })
}

fn customer<S: Source>(s: &S) -> Read<CustomerView> {
    Ok(CustomerView {
        id: text(s, "id")?,
        points: int(s, "points")?,
        lifetime_points: int(s, "lifetime_points")?,
        tier: object(s, "tier", |t| Ok(TierRef { id: text(t, "id")?, name: text(t, "name")? }))?.ok_or(Bad("tier"))?,
        next_tier: object(s, "next_tier", |n| {
            Ok(NextTierView {
                id: text(n, "id")?,
                name: text(n, "name")?,
                points_needed: int(n, "points_needed")?,
                progress: float(n, "progress")?,
            })
        })?,
        referral: object(s, "referral", |r| {
            Ok(ReferralView { code: text(r, "code")?, url: text(r, "url")?, referrals: int(r, "referrals")? })
        })?,
        credit: opt_int(s, "credit"),
        birthday: object(s, "birthday", |b| {
            let part = |key| int(b, key).and_then(|n| u32::try_from(n).map_err(|_| Bad(key)));
            Ok(Birthday { month: part("month")?, day: part("day")? })
        })?,
        keep_tier: object(s, "keep_tier", |k| {
            Ok(KeepTierView {
                id: text(k, "id")?,
                name: text(k, "name")?,
                points_needed: int(k, "points_needed")?,
                by: text(k, "by")?,
            })
        })?,
    })
}

fn way_to_earn<S: Source>(s: &S) -> Read<WayToEarn> {
    Ok(WayToEarn {
        id: text(s, "id")?,
        title: text(s, "title")?,
        points: int(s, "points")?,
        kind: opt_text(s, "kind").map(|k| action_kind(&k)).transpose()?,
        url: opt_text(s, "url"),
        done: flag(s, "done"),
    })
}

fn action_kind(kind: &str) -> Read<ActionKind> {
    Ok(match kind {
        "sign_up" => ActionKind::SignUp,
        "review" => ActionKind::Review,
        "social_follow" => ActionKind::SocialFollow,
        "purchase_count" => ActionKind::PurchaseCount,
        _ => return Err(Bad("kind")),
    })
}

fn reward_kind<S: Source>(s: &S) -> Read<RewardKind> {
    RewardKind::parse(&text(s, "kind")?).ok_or(Bad("kind"))
}

fn code<S: Source>(s: &S) -> Read<CodeView> {
    Ok(CodeView {
        code: text(s, "code")?,
        customer: text(s, "customer")?,
        reward_id: text(s, "reward_id")?,
        title: text(s, "title")?,
        kind: reward_kind(s)?,
        value: int(s, "value")?,
        currency: text(s, "currency")?,
        status: text(s, "status").and_then(|t| CodeStatus::parse(&t).ok_or(Bad("status")))?,
        points_spent: int(s, "points_spent")?,
        issued_at: text(s, "issued_at")?,
        used_at: opt_text(s, "used_at"),
        order_id: opt_text(s, "order_id"),
        expires_at: opt_text(s, "expires_at"),
        voided_at: opt_text(s, "voided_at"),
    })
}

fn reward<S: Source>(s: &S) -> Read<RewardView> {
    Ok(RewardView {
        id: text(s, "id")?,
        title: text(s, "title")?,
        cost: int(s, "cost")?,
        kind: reward_kind(s)?,
        value: opt_int(s, "value").unwrap_or(0),
        redeemable: flag(s, "redeemable"),
        tiers: texts(s, "tiers")?,
        early_access_until: opt_text(s, "early_access_until"),
        points_off: object(s, "points_off", |p| {
            let share = int(p, "max_share_percent")?;
            Ok(PointsOff {
                step_points: int(p, "step_points")?,
                step_value: int(p, "step_value")?,
                max_share_percent: u32::try_from(share).map_err(|_| Bad("max_share_percent"))?,
            })
        })?,
    })
}

fn tier<S: Source>(s: &S) -> Read<TierView> {
    Ok(TierView {
        id: text(s, "id")?,
        name: text(s, "name")?,
        threshold: int(s, "threshold")?,
        multiplier: float(s, "multiplier")?,
    })
}

fn recommendation<S: Source>(s: &S) -> Read<Recommendation> {
    Ok(Recommendation {
        sku: text(s, "sku")?,
        name: text(s, "name")?,
        url: text(s, "url")?,
        image: text(s, "image")?,
        price: int(s, "price")?,
        reason: text(s, "reason")?,
    })
}

fn nudge<S: Source>(s: &S) -> Read<Nudge> {
    Ok(Nudge {
        kind: text(s, "kind")?,
        text: text(s, "text")?,
        points: opt_int(s, "points"),
        expires_at: opt_text(s, "expires_at"),
        code: opt_text(s, "code"),
        reward_id: opt_text(s, "reward_id"),
    })
}

pub fn line_item<S: Source>(s: &S) -> Read<LineItem> {
    Ok(LineItem { sku: text(s, "sku")?, qty: int(s, "qty")?, price: int(s, "price")? })
}

/// `[{sku, qty, price}]`, as `setCart` takes it.
pub fn line_items<S: Source>(s: &S) -> Read<Vec<LineItem>> {
    s.items().ok_or(Bad("items"))?.iter().map(line_item).collect()
}

fn cart<S: Source>(s: &S) -> Read<CartView> {
    Ok(CartView { items: list(s, "items", line_item)?, total: int(s, "total")? })
}

fn ledger_entry<S: Source>(s: &S) -> Read<LedgerEntryView> {
    Ok(LedgerEntryView {
        at: text(s, "at")?,
        delta: int(s, "delta")?,
        reason: text(s, "reason")?,
        order_id: opt_text(s, "order_id"),
        reward_id: opt_text(s, "reward_id"),
        note: opt_text(s, "note"),
        converted: s.field("converted").map(|c| converted(&c)).transpose()?,
    })
}

fn converted<S: Source>(s: &S) -> Read<Converted> {
    Ok(Converted { amount: int(s, "amount")?, currency: text(s, "currency")?, rate: text(s, "rate")? })
}

fn campaign<S: Source>(s: &S) -> Read<CampaignView> {
    Ok(CampaignView {
        id: text(s, "id")?,
        title: text(s, "title")?,
        multiplier: float(s, "multiplier")?,
        ends_on: text(s, "ends_on")?,
        categories: texts(s, "categories")?,
        min_categories: opt_int(s, "min_categories").and_then(|n| u32::try_from(n).ok()),
    })
}

fn donation<S: Source>(s: &S) -> Read<DonationView> {
    Ok(DonationView {
        cause: text(s, "cause")?,
        points: int(s, "points")?,
        value: int(s, "value")?,
        total: int(s, "total")?,
        affordable: flag(s, "affordable"),
    })
}

fn stamp_card<S: Source>(s: &S) -> Read<StampCardView> {
    Ok(StampCardView {
        title: text(s, "title")?,
        stamps: int(s, "stamps")?,
        filled: int(s, "filled")?,
        min_order: int(s, "min_order")?,
        reward_title: text(s, "reward_title")?,
        latest_code: opt_text(s, "latest_code"),
    })
}

pub fn redemption_reply<S: Source>(s: &S) -> Read<RedemptionReply> {
    Ok(RedemptionReply {
        code: text(s, "code")?,
        reward_id: text(s, "reward_id")?,
        points_spent: int(s, "points_spent")?,
        points: int(s, "points")?,
    })
}

pub fn feedback_reply<S: Source>(s: &S) -> Read<FeedbackReply> {
    Ok(FeedbackReply { points_awarded: int(s, "points_awarded")?, points: int(s, "points")? })
}

pub fn donation_reply<S: Source>(s: &S) -> Read<DonationReply> {
    Ok(DonationReply {
        points_spent: int(s, "points_spent")?,
        amount: int(s, "amount")?,
        points: int(s, "points")?,
        total: int(s, "total")?,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::{json, Value};

    impl Source for Value {
        fn field(&self, key: &str) -> Option<Value> {
            self.get(key).filter(|v| !v.is_null()).cloned()
        }
        fn string(&self) -> Option<String> {
            self.as_str().map(str::to_owned)
        }
        fn number(&self) -> Option<f64> {
            self.as_f64()
        }
        fn boolean(&self) -> Option<bool> {
            self.as_bool()
        }
        fn items(&self) -> Option<Vec<Value>> {
            self.as_array().cloned()
        }
    }

    /// Every field of every type filled, as the server would send it.
    pub(crate) fn everything() -> WidgetData {
        serde_json::from_value(json!({
            "shop": {"id": "demo", "name": "Lojal Livs", "currency": "SEK", "locale": "sv"},
            "customer": {"id": "cust-42", "points": -40, "lifetime_points": 2140,
                "tier": {"id": "gold", "name": "Guld"},
                "next_tier": {"id": "platinum", "name": "Platina", "points_needed": 860, "progress": 0.71},
                "referral": {"code": "K7QX2M", "url": "https://shop.example/?ref=K7QX2M", "referrals": 3},
                "credit": 250, "birthday": {"month": 3, "day": 14},
                "keep_tier": {"id": "gold", "name": "Guld", "points_needed": 300, "by": "2027-03-31"}},
            "ways_to_earn": [{"id": "purchase", "title": "Shop", "points": 1},
                {"id": "ig", "title": "Follow", "points": 20, "kind": "social_follow", "url": "https://x.example", "done": true},
                {"id": "r", "title": "Review", "points": 50, "kind": "review"},
                {"id": "w", "title": "Welcome", "points": 100, "kind": "sign_up"},
                {"id": "n", "title": "Fifth", "points": 250, "kind": "purchase_count"}],
            "rewards": [{"id": "r50", "title": "50 kr", "cost": 500, "kind": "fixed_discount", "value": 5000, "redeemable": true},
                {"id": "p10", "title": "10 %", "cost": 900, "kind": "percent_discount", "value": 10, "redeemable": false,
                 "tiers": ["gold"]},
                {"id": "c", "title": "Coffee", "cost": 400, "kind": "free_product", "value": 0, "redeemable": false,
                 "early_access_until": "2026-12-01"},
                {"id": "s", "title": "Shipping", "cost": 300, "kind": "free_shipping", "value": 0, "redeemable": true},
                {"id": "off", "title": "Points off", "cost": 100, "kind": "points_off", "value": 0, "redeemable": true,
                 "points_off": {"step_points": 100, "step_value": 1000, "max_share_percent": 50}}],
            "tiers": [{"id": "bronze", "name": "Brons", "threshold": 0, "multiplier": 1.0},
                {"id": "gold", "name": "Guld", "threshold": 2500, "multiplier": 1.5}],
            "recommendations": [{"sku": "milk", "name": "Milk", "url": "/milk", "image": "", "price": 1490, "reason": "Often"}],
            "nudge": {"kind": "expiring_points", "text": "120 points expire", "points": 120,
                "expires_at": "2026-12-01T00:00:00Z", "code": "LOJ-X", "reward_id": "r50"},
            "cart": {"items": [{"sku": "milk", "qty": 2, "price": 1490}], "total": 2980},
            "history": [{"at": "2026-11-24T06:00:00Z", "delta": 249, "reason": "earn", "order_id": "o-1",
                "reward_id": "r50", "note": "double",
                "converted": {"amount": 1200, "currency": "EUR", "rate": "11.50"}},
                {"at": "2026-11-25T06:00:00Z", "delta": 50, "reason": "adjustment", "note": "Sorry"}],
            "campaigns": [{"id": "x2", "title": "Double", "multiplier": 2.0, "ends_on": "2026-11-30", "categories": ["Dairy"]},
                {"id": "x3", "title": "Mix", "multiplier": 3.0, "ends_on": "2026-11-30", "min_categories": 2}],
            "cashback_percent": 2.5,
            "donation": {"cause": "Stadsmissionen", "points": 500, "value": 5000, "total": 12000, "affordable": true},
            "stamp_card": {"title": "Kaffekortet", "stamps": 8, "filled": 3, "min_order": 20000,
                "reward_title": "Kaffe", "latest_code": "LOJ-Y"},
            "feedback": {"order_id": "o-1", "points": 25},
            "codes": [{"code": "LOJ-ABCD-2345", "customer": "cust-42", "reward_id": "r50", "title": "50 kr",
                "kind": "fixed_discount", "value": 5000, "currency": "SEK", "status": "used", "points_spent": 500,
                "issued_at": "2026-11-20T10:00:00Z", "used_at": "2026-11-21T10:00:00Z", "order_id": "o-2",
                "expires_at": "2026-12-20T10:00:00Z", "voided_at": null},
                {"code": "LOJ-EFGH-2345", "customer": "cust-42", "reward_id": "c", "title": "Coffee",
                "kind": "free_product", "value": 0, "currency": "SEK", "status": "active", "points_spent": 0,
                "issued_at": "2026-11-22T10:00:00Z", "used_at": null, "order_id": null,
                "expires_at": null, "voided_at": null}],
            "guest_points": {"points": 249, "until": "2026-12-24"}
        }))
        .unwrap()
    }

    fn round_trip(data: &WidgetData) -> WidgetData {
        widget_data(&serde_json::to_value(data).unwrap()).unwrap()
    }

    #[test]
    fn every_field_reads_back_as_the_server_wrote_it() {
        let data = everything();
        assert_eq!(round_trip(&data), data);
    }

    #[test]
    fn what_the_server_leaves_out_reads_as_absent() {
        let mut data = everything();
        data.customer = None;
        data.nudge = None;
        data.cart = None;
        data.history.clear();
        data.campaigns.clear();
        data.cashback_percent = None;
        data.donation = None;
        data.stamp_card = None;
        data.feedback = None;
        data.guest_points = None;
        data.rewards[4].points_off = None;
        data.rewards[1].tiers.clear();
        data.rewards[2].early_access_until = None;
        assert_eq!(round_trip(&data), data);
    }

    #[test]
    fn a_wrong_answer_names_the_field() {
        let mut value = serde_json::to_value(everything()).unwrap();
        value["customer"]["points"] = json!("many");
        assert_eq!(widget_data(&value), Err(Bad("points")));
        value["customer"]["points"] = json!(1.5);
        assert_eq!(widget_data(&value), Err(Bad("points")), "points are whole");
        let mut value = serde_json::to_value(everything()).unwrap();
        value["rewards"][0]["kind"] = json!("gold_bar");
        assert_eq!(widget_data(&value), Err(Bad("kind")));
        assert_eq!(widget_data(&json!({})), Err(Bad("shop")));
    }

    #[test]
    fn replies_and_cart_items_read_back() {
        let reply = RedemptionReply { code: "LOJ-1".into(), reward_id: "r50".into(), points_spent: 500, points: 240 };
        assert_eq!(redemption_reply(&serde_json::to_value(&reply).unwrap()), Ok(reply));
        let reply = FeedbackReply { points_awarded: 25, points: 145 };
        assert_eq!(feedback_reply(&serde_json::to_value(reply).unwrap()), Ok(reply));
        let reply = DonationReply { points_spent: 500, amount: 5000, points: 10, total: 9000 };
        assert_eq!(donation_reply(&serde_json::to_value(reply).unwrap()), Ok(reply));
        let items = json!([{"sku": "a", "qty": 1, "price": 100}, {"sku": "b", "qty": 2, "price": 50}]);
        assert_eq!(line_items(&items).unwrap().len(), 2);
        assert_eq!(line_items(&json!([{"sku": "a"}])), Err(Bad("qty")));
    }
}
