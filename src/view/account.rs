//! The account view's history: what earned or spent points, and when, in
//! plain words.

use super::titled_section;
use crate::dom::{append, attr, el, el_text};
use crate::i18n::{Lang, Speak};
use lojal_core::api::{LedgerEntryView, WidgetData};
use web_sys::Element;

pub fn history(lang: Lang, data: &WidgetData) -> Element {
    let words = lang.messages();
    let block = titled_section("history", words.history_heading);
    if data.history.is_empty() {
        append(&block, &el_text("p", "quiet", words.history_empty));
        return block;
    }
    let list = el("ul", "");
    for entry in &data.history {
        let item = el("li", "");
        let label = el("span", "label");
        append(&label, &el_text("span", "title", &describe(lang, data, entry)));
        let date = el_text("time", "cost", &lang.date(&entry.at));
        attr(&date, "datetime", &entry.at);
        append(&label, &date);
        append(&item, &label);
        let sign = if entry.delta > 0 { "+" } else { "" };
        let class = if entry.delta < 0 { "delta minus" } else { "delta plus" };
        append(&item, &el_text("span", class, &format!("{sign}{}", lang.integer(entry.delta))));
        append(&list, &item);
    }
    append(&block, &list);
    block
}

/// Why the balance moved, in the shopper's words (`lojal_core::history`).
fn describe(lang: Lang, data: &WidgetData, entry: &LedgerEntryView) -> String {
    lojal_core::history::describe(lang, data, entry, &|minor, currency| lang.price(minor, currency))
}
