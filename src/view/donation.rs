//! Giving points to the shop's cause, and what members gave together.

use super::titled_section;
use crate::action::Action;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::{fill, Lang, Speak};
use crate::ui::Ui;
use lojal_core::api::WidgetData;
use web_sys::Element;

pub fn section(lang: Lang, data: &WidgetData, ui: &Ui) -> Option<Element> {
    let donation = data.donation.as_ref()?;
    let words = lang.messages();
    let currency = &data.shop.currency;
    let section = titled_section("donation", &fill(words.give_heading, "", &donation.cause));
    let total = fill(words.given_together, "", &lang.price(donation.total, currency));
    append(&section, &el_text("p", "given", &total));
    let gift = fill(words.give_gift, &lang.integer(donation.points), &lang.price(donation.value, currency));
    let row = el("p", "give-row");
    if let (true, Some(busy)) = (data.customer.is_some(), ui.doing.gift_question()) {
        let question = fill(words.give_confirm, "", &gift);
        super::ask(lang, &row, &question, (Action::ConfirmGift, Action::CancelGift), busy);
    } else if donation.affordable {
        append(&row, &dom::button("small", &gift, &Action::Give));
    } else if let Some(member) = &data.customer {
        let missing = (donation.points - member.points).max(0);
        append(&row, &el_text("span", "missing", &fill(words.missing_points, &lang.integer(missing), "")));
    }
    append(&section, &row);
    if let Some((note, given)) = &ui.gift_note {
        let note = el_text("p", if *given { "thanks" } else { "alert" }, note);
        attr(&note, "role", "alert");
        append(&section, &note);
    }
    Some(section)
}
