//! Products picked for this shopper, each with a short reason.

use super::titled_section;
use crate::action::Action;
use crate::config::is_safe_link;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::{Lang, Speak};
use lojal_core::api::WidgetData;
use web_sys::Element;

pub fn section(lang: Lang, data: &WidgetData) -> Element {
    let block = titled_section("recommendations", lang.messages().recommendations_heading);
    let list = el("ul", "products");
    for product in &data.recommendations {
        let item = el("li", "product");
        let link = el(if is_safe_link(&product.url) { "a" } else { "span" }, "product-link");
        if is_safe_link(&product.url) {
            attr(&link, "href", &product.url);
        }
        // A click on a pick is counted (the controller's `Pick`).
        dom::mark_action(&link, &Action::Pick(product.sku.clone()));
        if is_safe_link(&product.image) {
            let image = el("img", "");
            attr(&image, "src", &product.image);
            attr(&image, "alt", "");
            attr(&image, "loading", "lazy");
            append(&link, &image);
        }
        let text = el("span", "product-text");
        append(&text, &el_text("span", "title", &product.name));
        append(&text, &el_text("span", "cost", &lang.price(product.price, &data.shop.currency)));
        append(&text, &el_text("span", "reason", &product.reason));
        append(&link, &text);
        append(&item, &link);
        append(&list, &item);
    }
    append(&block, &list);
    block
}
