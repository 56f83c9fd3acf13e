//! Giving points to the shop's cause, and what members gave together.

use super::titled_section;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::{fill, Locale};
use crate::ui::Ui;
use lojal_core::api::WidgetData;
use web_sys::Element;

pub fn section(locale: Locale, data: &WidgetData, ui: &Ui) -> Option<Element> {
    let donation = data.donation.as_ref()?;
    let words = locale.messages();
    let currency = &data.shop.currency;
    let section = titled_section("donation", &fill(words.give_heading, "", &donation.cause));
    let total = fill(words.given_together, "", &locale.price(donation.total, currency));
    append(&section, &el_text("p", "given", &total));
    let gift = fill(words.give_gift, &locale.number(donation.points), &locale.price(donation.value, currency));
    let row = el("p", "give-row");
    if data.customer.is_some() && ui.confirming_gift {
        let question = fill(words.give_confirm, "", &gift);
        super::ask(locale, &row, &question, ("confirm-gift", "cancel-gift"), "", ui.busy);
    } else if donation.affordable {
        append(&row, &dom::button("small", &gift, "give", ""));
    } else if let Some(member) = &data.customer {
        let missing = (donation.points - member.points).max(0);
        append(&row, &el_text("span", "missing", &fill(words.missing_points, &locale.number(missing), "")));
    }
    append(&section, &row);
    if let Some((note, given)) = &ui.gift_note {
        let note = el_text("p", if *given { "thanks" } else { "alert" }, note);
        attr(&note, "role", "alert");
        append(&section, &note);
    }
    Some(section)
}
