//! A member's standing: balance, tier and the way to the next tier.

use crate::action::Action;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::{fill, Lang, Speak};
use lojal_core::api::{CustomerView, Nudge};
use web_sys::Element;

pub fn standing(lang: Lang, customer: &CustomerView, currency: &str) -> Element {
    let words = lang.messages();
    let section = el("div", "standing");
    let balance = el("p", "balance");
    attr(&balance, "part", "balance");
    let negative = customer.points < 0;
    append(&balance, &el_text("span", if negative { "n negative" } else { "n" }, &lang.integer(customer.points)));
    append(&balance, &el_text("span", "", words.points));
    append(&section, &balance);
    if negative {
        append(&section, &el_text("p", "note", words.negative_note));
    }
    if let Some(credit) = customer.credit {
        let line = el_text("p", "credit", &fill(words.credit_line, "", &lang.price(credit, currency)));
        attr(&line, "part", "credit");
        append(&section, &line);
    }

    let tier = el("p", "tier");
    attr(&tier, "part", "tier");
    dom::text(&tier, words.tier_label);
    dom::text(&tier, ": ");
    append(&tier, &el_text("strong", "", &customer.tier.name));
    append(&section, &tier);
    if let Some(keep) = &customer.keep_tier {
        // Tiers over a rolling year: what keeping this one takes, and by when.
        let line =
            fill(words.keep_tier, &lang.integer(keep.points_needed), &keep.name).replace("{date}", &lang.day(&keep.by));
        let note = el_text("p", "keep-tier", &line);
        attr(&note, "part", "keep-tier");
        append(&section, &note);
    }

    append(&section, &progress(lang, customer));
    section
}

/// The tier progress bar and what the next tier takes (the progress view).
pub fn progress(lang: Lang, customer: &CustomerView) -> Element {
    let words = lang.messages();
    let section = el("div", "progress");
    match &customer.next_tier {
        Some(next) => {
            let percent = (next.progress * 100.0).round().clamp(0.0, 100.0) as i64;
            let to_next = fill(words.points_to_tier, &lang.integer(next.points_needed), &next.name);
            let bar = el("div", "bar");
            attr(&bar, "part", "progress");
            attr(&bar, "role", "progressbar");
            attr(&bar, "aria-valuemin", "0");
            attr(&bar, "aria-valuemax", "100");
            attr(&bar, "aria-valuenow", &percent.to_string());
            attr(&bar, "aria-label", &to_next);
            let filled = el("span", "");
            dom::set_style(&filled, "width", &format!("{percent}%"));
            append(&bar, &filled);
            append(&section, &bar);
            append(&section, &el_text("p", "to-next", &to_next));
        }
        None => append(&section, &el_text("p", "to-next", words.top_tier)),
    }
    section
}

/// The one nudge the server chose for this shopper, as it worded it, with
/// a button to dismiss it.
pub fn nudge(lang: Lang, nudge: &Nudge) -> Element {
    let note = el("div", "nudge");
    attr(&note, "part", "nudge");
    attr(&note, "data-kind", &nudge.kind);
    append(&note, &el_text("p", "nudge-text", &nudge.text));
    let close = dom::button("dismiss", "×", &Action::DismissNudge(nudge.kind.clone()));
    attr(&close, "aria-label", lang.messages().dismiss);
    append(&note, &close);
    note
}
