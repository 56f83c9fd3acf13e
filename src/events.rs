//! The `lojal:*` events, dispatched on the `<lojal-widget>` element with
//! `bubbles` and `composed` so a page can listen anywhere above it.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

fn dispatch(host: &HtmlElement, name: &str, detail: &Object) {
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        // A listener of the page that throws must not break the widget.
        let _ = host.dispatch_event(&event);
    }
}

fn set(detail: &Object, key: &str, value: JsValue) {
    let _ = Reflect::set(detail, &key.into(), &value);
}

/// `lojal:ready` `{points, tier}`: both null for a guest.
pub fn ready(host: &HtmlElement, points: Option<i64>, tier: Option<&str>) {
    let detail = Object::new();
    set(&detail, "points", points.map_or(JsValue::NULL, |p| JsValue::from_f64(p as f64)));
    set(&detail, "tier", tier.map_or(JsValue::NULL, JsValue::from_str));
    dispatch(host, "lojal:ready", &detail);
}

/// `lojal:redeemed` `{reward_id, code, points_spent}`.
pub fn redeemed(host: &HtmlElement, reward_id: &str, code: &str, points_spent: i64) {
    let detail = Object::new();
    set(&detail, "reward_id", reward_id.into());
    set(&detail, "code", code.into());
    set(&detail, "points_spent", JsValue::from_f64(points_spent as f64));
    dispatch(host, "lojal:redeemed", &detail);
}

/// `lojal:referral-copied` `{url}`.
pub fn referral_copied(host: &HtmlElement, url: &str) {
    let detail = Object::new();
    set(&detail, "url", url.into());
    dispatch(host, "lojal:referral-copied", &detail);
}

/// `lojal:error` `{code, message}`.
pub fn error(host: &HtmlElement, code: &str, message: &str) {
    let detail = Object::new();
    set(&detail, "code", code.into());
    set(&detail, "message", message.into());
    dispatch(host, "lojal:error", &detail);
}
