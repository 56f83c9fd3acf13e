//! The rewards: what a member can redeem now, what they still need for the
//! rest, the confirm step, and the codes they got.

use crate::action::Action;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::{fill, Lang, Speak};
use crate::ui::Ui;
use lojal_core::api::WidgetData;
use web_sys::Element;

pub fn section(lang: Lang, data: &WidgetData, ui: &Ui) -> Element {
    let words = lang.messages();
    let rewards = super::titled_section("rewards", words.rewards_heading);
    for issued in &ui.issued {
        let code = el("div", "code");
        attr(&code, "part", "code");
        append(&code, &el_text("p", "", &fill(words.your_code, "", &issued.title)));
        let row = el("p", "code-row");
        append(&row, &el_text("strong", "code-text", &issued.code));
        append(&row, &super::code_button(lang, ui, &issued.code));
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
        append(&label, &el_text("span", "cost", &format!("{} {}", lang.integer(reward.cost), words.points)));
        if let Some(day) = &reward.early_access_until {
            append(&label, &el_text("span", "badge", &fill(words.early_access, "", &lang.day(day))));
        } else if let (false, Some(member)) = (reward.tiers.is_empty(), member) {
            append(&label, &el_text("span", "badge", &fill(words.tier_only, "", &member.tier.name)));
        }
        append(&item, &label);
        if let Some(member) = member {
            if let Some(busy) = ui.doing.question_for(&reward.id) {
                let confirm = el("span", "confirm");
                let question = fill(words.confirm_question, &lang.integer(reward.cost), &reward.title);
                let answers = (Action::Confirm(reward.id.clone()), Action::Cancel(reward.id.clone()));
                super::ask(lang, &confirm, &question, answers, busy);
                append(&item, &confirm);
            } else if let (Some(rule), true) = (reward.points_off, reward.redeemable) {
                // The member picks how many points in the cart view, where
                // the cart's share is known.
                let hint = fill(
                    words.points_off_in_cart,
                    &lang.integer(rule.step_points),
                    &lang.price(rule.step_value, &data.shop.currency),
                );
                append(&item, &el_text("span", "missing", &hint));
            } else if reward.redeemable {
                let redeem = dom::button("small", words.redeem, &Action::Redeem(reward.id.clone()));
                attr(&redeem, "aria-label", &format!("{}: {}", words.redeem, reward.title));
                append(&item, &redeem);
            } else {
                let missing = (reward.cost - member.points).max(0);
                append(&item, &el_text("span", "missing", &fill(words.missing_points, &lang.integer(missing), "")));
            }
        }
        append(&list, &item);
    }
    append(&rewards, &list);
    rewards
}
