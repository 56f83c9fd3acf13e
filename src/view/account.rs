//! The account view's history: what earned or spent points, and when, in
//! plain words.

use super::titled_section;
use crate::dom::{append, attr, el, el_text};
use crate::i18n::{fill, Locale};
use lojal_core::api::{LedgerEntryView, WidgetData};
use web_sys::Element;

pub fn history(locale: Locale, data: &WidgetData) -> Element {
    let words = locale.messages();
    let block = titled_section("history", words.history_heading);
    if data.history.is_empty() {
        append(&block, &el_text("p", "quiet", words.history_empty));
        return block;
    }
    let list = el("ul", "");
    for entry in &data.history {
        let item = el("li", "");
        let label = el("span", "label");
        append(&label, &el_text("span", "title", &describe(locale, data, entry)));
        let date = el_text("time", "cost", &locale.date(&entry.at));
        attr(&date, "datetime", &entry.at);
        append(&label, &date);
        append(&item, &label);
        let sign = if entry.delta > 0 { "+" } else { "" };
        let class = if entry.delta < 0 { "delta minus" } else { "delta plus" };
        append(&item, &el_text("span", class, &format!("{sign}{}", locale.number(entry.delta))));
        append(&list, &item);
    }
    append(&block, &list);
    block
}

fn describe(locale: Locale, data: &WidgetData, entry: &LedgerEntryView) -> String {
    let words = locale.messages();
    let order = entry.order_id.as_deref().unwrap_or("");
    match entry.reason.as_str() {
        "earn" => fill(words.reason_earn, "", order),
        "refund" => fill(words.reason_refund, "", order),
        "redeem" | "void" => {
            let id = entry.reward_id.as_deref().unwrap_or("");
            let title = data.rewards.iter().find(|r| r.id == id).map_or(id, |r| r.title.as_str());
            let phrase = if entry.reason == "void" { words.reason_void } else { words.reason_redeem };
            fill(phrase, "", title)
        }
        "referral" if entry.delta < 0 => words.reason_referral_back.to_owned(),
        "referral" => words.reason_referral.to_owned(),
        "expiry" => words.reason_expiry.to_owned(),
        "birthday" => words.reason_birthday.to_owned(),
        "feedback" => words.reason_feedback.to_owned(),
        _ => entry.note.clone().unwrap_or_else(|| words.reason_adjustment.to_owned()),
    }
}
