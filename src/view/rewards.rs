//! The rewards: what a member can redeem now, what they still need for the
//! rest, the confirm step, and the codes they got.

use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::{fill, Locale};
use crate::ui::Ui;
use lojal_core::api::WidgetData;
use web_sys::Element;

pub fn section(locale: Locale, data: &WidgetData, ui: &Ui) -> Element {
    let words = locale.messages();
    let rewards = super::titled_section("rewards", words.rewards_heading);
    for issued in &ui.issued {
        let code = el("div", "code");
        attr(&code, "part", "code");
        append(&code, &el_text("p", "", &fill(words.your_code, "", &issued.title)));
        let row = el("p", "code-row");
        append(&row, &el_text("strong", "code-text", &issued.code));
        append(&row, &super::code_button(locale, ui, &issued.code));
        append(&code, &row);
        append(&code, &el_text("p", "quiet", words.code_hint));
        append(&rewards, &code);
    }
    if let Some(message) = &ui.message {
        let alert = el_text("p", "alert", message);
        attr(&alert, "role", "alert");
        append(&rewards, &alert);
    }
    let member = data.customer.as_ref();
    let list = el("ul", "");
    for reward in &data.rewards {
        let item = el("li", if reward.redeemable { "affordable" } else { "" });
        attr(&item, "data-reward", &reward.id);
        let label = el("span", "label");
        append(&label, &el_text("span", "title", &reward.title));
        append(&label, &el_text("span", "cost", &format!("{} {}", locale.number(reward.cost), words.points)));
        if let Some(day) = &reward.early_access_until {
            append(&label, &el_text("span", "badge", &fill(words.early_access, "", &locale.day(day))));
        } else if let (false, Some(member)) = (reward.tiers.is_empty(), member) {
            append(&label, &el_text("span", "badge", &fill(words.tier_only, "", &member.tier.name)));
        }
        append(&item, &label);
        if let Some(member) = member {
            if ui.confirming.as_deref() == Some(reward.id.as_str()) {
                let confirm = el("span", "confirm");
                let question = fill(words.confirm_question, &locale.number(reward.cost), &reward.title);
                super::ask(locale, &confirm, &question, ("confirm", "cancel"), &reward.id, ui.busy);
                append(&item, &confirm);
            } else if let (Some(rule), true) = (reward.points_off, reward.redeemable) {
                // The member picks how many points in the cart view, where
                // the cart's share is known.
                let hint = fill(
                    words.points_off_in_cart,
                    &locale.number(rule.step_points),
                    &locale.price(rule.step_value, &data.shop.currency),
                );
                append(&item, &el_text("span", "missing", &hint));
            } else if reward.redeemable {
                let redeem = dom::button("small", words.redeem, "redeem", &reward.id);
                attr(&redeem, "aria-label", &format!("{}: {}", words.redeem, reward.title));
                append(&item, &redeem);
            } else {
                let missing = (reward.cost - member.points).max(0);
                append(&item, &el_text("span", "missing", &fill(words.missing_points, &locale.number(missing), "")));
            }
        }
        append(&list, &item);
    }
    append(&rewards, &list);
    rewards
}
