//! The member's birthday: a form to set it (once) when the program gives
//! birthday points, or the date they set and what it brings.

use super::titled_section;
use crate::action::Action;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::{fill, Lang, Speak};
use crate::ui::Ui;
use lojal_core::api::WidgetData;
use web_sys::Element;

pub fn section(lang: Lang, data: &WidgetData, ui: &Ui) -> Option<Element> {
    let customer = data.customer.as_ref()?;
    let points = data.ways_to_earn.iter().find(|w| w.id == "birthday")?.points;
    let words = lang.messages();
    let section = titled_section("birthday", words.birthday_heading);
    let gift = fill(words.earn_birthday, &lang.integer(points), "");
    match customer.birthday {
        Some(birthday) => {
            let date = fill(words.birthday_set, "", &lang.month_day(birthday.month, birthday.day));
            append(&section, &el_text("p", "", &date));
            append(&section, &el_text("p", "quiet", &gift));
        }
        None => {
            append(&section, &el_text("p", "", &gift));
            let row = el("p", "birthday-row");
            append(&row, &select("month", words.birthday_month, (1..=12).map(|m| (m, lang.month(m)))));
            append(&row, &select("day", words.birthday_day, (1..=31).map(|d| (d, d.to_string()))));
            append(&row, &dom::button("small", words.save, &Action::SaveBirthday));
            append(&section, &row);
            append(&section, &el_text("p", "quiet", words.birthday_once));
            if let Some(note) = &ui.birthday_note {
                let alert = el_text("p", "alert", note);
                attr(&alert, "role", "alert");
                append(&section, &alert);
            }
        }
    }
    Some(section)
}

fn select(name: &str, label: &str, options: impl Iterator<Item = (u32, String)>) -> Element {
    let select = el("select", "");
    attr(&select, "name", name);
    attr(&select, "aria-label", label);
    for (value, text) in options {
        let option = el_text("option", "", &text);
        attr(&option, "value", &value.to_string());
        append(&select, &option);
    }
    select
}
