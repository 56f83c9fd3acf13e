//! The stamp card, drawn as a card of stamps: how many are filled, how
//! many purchases remain to the reward, and the code of the last full card.

use crate::dom::{append, attr, el, el_text};
use crate::i18n::{fill, Lang, Speak};
use crate::ui::Ui;
use lojal_core::api::{StampCardView, WidgetData};
use web_sys::Element;

pub fn section(lang: Lang, data: &WidgetData, ui: &Ui) -> Option<Element> {
    let card = data.stamp_card.as_ref()?;
    let words = lang.messages();
    let section = super::titled_section("stamps", &card.title);
    let row = el("ol", "stamp-row");
    let filled_label = fill(words.stamps_filled, &lang.integer(card.filled), &lang.integer(card.stamps));
    attr(&row, "aria-label", &filled_label);
    for n in 0..card.stamps {
        let stamp = el("li", if n < card.filled { "stamp filled" } else { "stamp" });
        // The last place on the card shows what it gives.
        if n == card.stamps - 1 {
            attr(&stamp, "data-reward", "");
        }
        append(&row, &stamp);
    }
    append(&section, &row);
    append(&section, &el_text("p", "stamps-to-go", &to_go(lang, data, card)));
    if card.min_order > 0 {
        let price = lang.price(card.min_order, &data.shop.currency);
        append(&section, &el_text("p", "quiet", &fill(words.stamps_min_order, "", &price)));
    }
    if let (Some(code), true) = (&card.latest_code, data.customer.is_some()) {
        let row = el("p", "code-row");
        append(&row, &el_text("span", "", &fill(words.your_code, "", &card.reward_title)));
        append(&row, &el_text("strong", "code-text", code));
        append(&row, &super::code_button(lang, ui, code));
        append(&section, &row);
    }
    Some(section)
}

fn to_go(lang: Lang, data: &WidgetData, card: &StampCardView) -> String {
    let words = lang.messages();
    let remaining = (card.stamps - card.filled).max(1);
    match (&data.customer, card.filled) {
        (None, 0) => fill(words.stamps_guest, &lang.integer(card.stamps), &card.reward_title),
        (None, head_start) => fill(words.stamps_head_start, &lang.integer(head_start), &card.reward_title),
        (Some(_), _) => fill(words.stamps_to_go, &lang.integer(remaining), &card.reward_title),
    }
}
