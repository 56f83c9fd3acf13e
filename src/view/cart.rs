//! The cart view: what this cart earns, how far it brings the shopper
//! towards the next tier, and the reward they can already use on it.

use crate::action::Action;
use crate::config::Config;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::{fill, Speak};
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
    let lang = config.locale;
    let words = lang.messages();
    let earns = data.earn_preview(total, None);
    let block = el("div", "cart");
    attr(&block, "part", "cart");
    let Some(customer) = &data.customer else {
        let text = fill(words.cart_join, &lang.integer(earns), "");
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
    append(&block, &el_text("p", "earns", &fill(words.cart_earns, &lang.integer(earns), "")));
    if let Some(next) = &customer.next_tier {
        let line = if earns >= next.points_needed {
            fill(words.cart_reaches, "", &next.name)
        } else {
            fill(words.cart_after, &lang.integer(next.points_needed - earns), &next.name)
        };
        append(&block, &el_text("p", "towards", &line));
    }
    if let Some(reward) = data.best_affordable_reward() {
        let offer = el("p", "offer");
        append(&offer, &el_text("span", "", &fill(words.cart_reward, "", &reward.title)));
        if let Some(busy) = ui.doing.question_for(&reward.id) {
            let question = fill(words.confirm_question, &lang.integer(reward.cost), &reward.title);
            let answers = (Action::Confirm(reward.id.clone()), Action::Cancel(reward.id.clone()));
            super::ask(lang, &offer, &question, answers, busy);
        } else {
            append(&offer, &dom::button("small", words.redeem, &Action::Redeem(reward.id.clone())));
        }
        append(&block, &offer);
    }
    if let Some(picker) = points_off(config, data, ui, customer.points, total) {
        append(&block, &picker);
    }
    for issued in &ui.issued {
        let row = el("p", "code-row");
        append(&row, &el_text("strong", "code-text", &issued.code));
        append(&row, &super::code_button(lang, ui, &issued.code));
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
    let lang = config.locale;
    let words = lang.messages();
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
    dom::mark_action(&range, &Action::PickPoints(reward.id.clone()));
    let amount = points_off_amount(config, &data.shop.currency, rule, chosen);
    attr(&range, "aria-valuetext", &amount);
    append(&label, &range);
    append(&picker, &label);
    let said = el_text("p", "points-off-amount", &amount);
    attr(&said, "part", "points-off-amount");
    attr(&said, "aria-live", "polite");
    append(&picker, &said);
    let redeem = dom::button("small", words.points_off_use, &Action::RedeemPoints(reward.id.clone()));
    if ui.doing.is_busy() {
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
    let lang = config.locale;
    fill(lang.messages().points_off_value, &lang.integer(points), &lang.price(rule.value_of(points), currency))
}
