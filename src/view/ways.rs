//! More ways for a member to earn: the program's actions (reviews, social
//! follows, order counts), with a button for the ones a shopper claims here.

use super::titled_section;
use crate::action::Action;
use crate::dom::{self, append, el, el_text};
use crate::i18n::{fill, Lang, Speak};
use lojal_core::actions::ActionKind;
use lojal_core::api::WidgetData;
use web_sys::Element;

pub fn section(lang: Lang, data: &WidgetData) -> Option<Element> {
    let words = lang.messages();
    // A member has signed up already: that one is not a way forward.
    let ways: Vec<_> = data.ways_to_earn.iter().filter(|w| w.kind.is_some_and(|k| k != ActionKind::SignUp)).collect();
    if ways.is_empty() {
        return None;
    }
    let section = titled_section("ways", words.ways_heading);
    let list = el("ul", "");
    for way in ways {
        let item = el("li", if way.done { "done" } else { "" });
        let label = el("span", "label");
        append(&label, &el_text("span", "title", &way.title));
        append(&label, &el_text("span", "cost", &format!("{} {}", lang.integer(way.points), words.points)));
        append(&item, &label);
        if way.done {
            append(&item, &el_text("span", "missing", words.done));
        } else if way.kind == Some(ActionKind::SocialFollow) && way.url.is_some() {
            append(&item, &dom::button("small", words.follow, &Action::Follow(way.id.clone())));
        }
        append(&list, &item);
    }
    append(&section, &list);
    Some(section)
}

/// A line of the guest's "how it works" for one of the program's actions.
pub fn guest_line(lang: Lang, title: &str, points: i64) -> String {
    fill(lang.messages().way_points, &lang.integer(points), title)
}
