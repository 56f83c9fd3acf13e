//! The cart view: what this cart earns, how far it brings the shopper
//! towards the next tier, and the reward they can already use on it.

use crate::config::Config;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::fill;
use crate::ui::Ui;
use lojal_core::api::{cart_total, WidgetData};
use lojal_core::points_off::PointsOff;
use lojal_core::requests::LineItem;
use web_sys::Element;

pub fn view(config: &Config, data: &WidgetData, ui: &Ui, items: &[LineItem]) -> Vec<Element> {
    let total = cart_total(items);
    if total <= 0 {
        return Vec::new();
    }
    let locale = config.locale;
    let words = locale.messages();
    let earns = data.earn_preview(total, None);
    let block = el("div", "cart");
    attr(&block, "part", "cart");
    let Some(customer) = &data.customer else {
        let text = fill(words.cart_join, &locale.number(earns), "");
        match &config.join_url {
            Some(url) => {
                let join = el_text("a", "link", &text);
                attr(&join, "href", url);
                attr(&join, "part", "join");
                append(&block, &join);
            }
            None => append(&block, &el_text("p", "", &text)),
        }
        return vec![block];
    };
    append(&block, &el_text("p", "earns", &fill(words.cart_earns, &locale.number(earns), "")));
    if let Some(next) = &customer.next_tier {
        let line = if earns >= next.points_needed {
            fill(words.cart_reaches, "", &next.name)
        } else {
            fill(words.cart_after, &locale.number(next.points_needed - earns), &next.name)
        };
        append(&block, &el_text("p", "towards", &line));
    }
    if let Some(reward) = data.best_affordable_reward() {
        let offer = el("p", "offer");
        append(&offer, &el_text("span", "", &fill(words.cart_reward, "", &reward.title)));
        if ui.confirming.as_deref() == Some(reward.id.as_str()) {
            let question = fill(words.confirm_question, &locale.number(reward.cost), &reward.title);
            append(&offer, &el_text("span", "question", &question));
            append(&offer, &dom::button("small", words.confirm, "confirm", &reward.id));
            append(&offer, &dom::button("small secondary", words.cancel, "cancel", &reward.id));
        } else {
            append(&offer, &dom::button("small", words.redeem, "redeem", &reward.id));
        }
        append(&block, &offer);
    }
    if let Some(picker) = points_off(config, data, ui, customer.points, total) {
        append(&block, &picker);
    }
    for issued in &ui.issued {
        let row = el("p", "code-row");
        append(&row, &el_text("strong", "code-text", &issued.code));
        append(&row, &super::code_button(locale, ui, &issued.code));
        append(&block, &row);
    }
    vec![block]
}

/// The points picker of the program's `points_off` reward: a range in its
/// steps, from its least up to what the balance and the cart's share allow
/// (keyboard: arrows, Page Up/Down, Home/End), the money off it makes, and
/// the button that turns the chosen points into a code.
fn points_off(config: &Config, data: &WidgetData, ui: &Ui, balance: i64, total: i64) -> Option<Element> {
    let (reward, rule) = data.rewards.iter().find_map(|r| r.points_off.map(|rule| (r, rule)))?;
    let most = rule.most(reward.cost, balance, Some(total));
    if most == 0 {
        return None;
    }
    let locale = config.locale;
    let words = locale.messages();
    let chosen =
        ui.points_off.filter(|p| (reward.cost..=most).contains(p) && p % rule.step_points == 0).unwrap_or(most);
    let picker = el("div", "points-off");
    attr(&picker, "part", "points-off");
    append(&picker, &el_text("p", "points-off-title", &reward.title));
    let label = el("label", "points-off-label");
    dom::text(&label, words.points_off_label);
    let range = el("input", "");
    attr(&range, "type", "range");
    attr(&range, "min", &reward.cost.to_string());
    attr(&range, "max", &most.to_string());
    attr(&range, "step", &rule.step_points.to_string());
    attr(&range, "value", &chosen.to_string());
    attr(&range, "data-action", "points-off-pick");
    attr(&range, "data-arg", &reward.id);
    let amount = points_off_amount(config, &data.shop.currency, rule, chosen);
    attr(&range, "aria-valuetext", &amount);
    append(&label, &range);
    append(&picker, &label);
    let said = el_text("p", "points-off-amount", &amount);
    attr(&said, "part", "points-off-amount");
    attr(&said, "aria-live", "polite");
    append(&picker, &said);
    let redeem = dom::button("small", words.points_off_use, "redeem-points", &reward.id);
    if ui.busy {
        attr(&redeem, "disabled", "");
    }
    append(&picker, &redeem);
    if let Some(message) = &ui.message {
        append(&picker, &el_text("p", "error", message));
    }
    Some(picker)
}

/// "500 points = 50 kr off".
pub fn points_off_amount(config: &Config, currency: &str, rule: PointsOff, points: i64) -> String {
    let locale = config.locale;
    fill(locale.messages().points_off_value, &locale.number(points), &locale.price(rule.value_of(points), currency))
}
