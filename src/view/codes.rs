//! The account view's discount codes, newest first: an active one to copy
//! for the checkout (until when, if it expires), the others with what
//! became of them (used and when, cancelled, expired) and no copy button.

use super::titled_section;
use crate::dom::{append, attr, el, el_text};
use crate::i18n::{fill, Lang, Speak};
use crate::ui::Ui;
use lojal_core::api::CodeView;
use lojal_core::codes::CodeStatus;
use web_sys::Element;

/// Nothing when the member has no codes yet.
pub fn section(lang: Lang, codes: &[CodeView], ui: &Ui) -> Option<Element> {
    if codes.is_empty() {
        return None;
    }
    let words = lang.messages();
    let block = titled_section("codes", words.codes_heading);
    let list = el("ul", "");
    for code in codes {
        let active = code.status == CodeStatus::Active;
        let item = el("li", if active { "active" } else { "spent" });
        attr(&item, "data-code", &code.code);
        attr(&item, "data-status", code.status.as_str());
        let label = el("span", "label");
        append(&label, &el_text("span", "title", &code.title));
        append(&label, &el_text("span", "code-value", &code.code));
        append(&label, &el_text("span", "status", &status(lang, code)));
        append(&item, &label);
        if active {
            append(&item, &super::code_button(lang, ui, &code.code));
        }
        append(&list, &item);
    }
    append(&block, &list);
    Some(block)
}

/// "Valid until 24 Nov 2026", "Used 21 Nov 2026", "Cancelled", ...: a
/// missing date leaves the words alone.
fn status(lang: Lang, code: &CodeView) -> String {
    let words = lang.messages();
    let dated = |template: &str, at: Option<&String>| {
        fill(template, "", &at.map(|at| lang.date(at)).unwrap_or_default()).trim().to_owned()
    };
    match code.status {
        CodeStatus::Active => match &code.expires_at {
            Some(at) => fill(words.code_valid_until, "", &lang.date(at)),
            None => words.code_active.to_owned(),
        },
        CodeStatus::Used => dated(words.code_used, code.used_at.as_ref()),
        CodeStatus::Void => words.code_void.to_owned(),
        CodeStatus::Expired => dated(words.code_expired, code.expires_at.as_ref()),
    }
}
