//! The cart view: what this cart earns, how far it brings the shopper
//! towards the next tier, and the reward they can already use on it.

use crate::config::Config;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::fill;
use crate::ui::Ui;
use lojal_core::api::{cart_total, WidgetData};
use lojal_core::requests::LineItem;
use web_sys::Element;

pub fn view(config: &Config, data: &WidgetData, ui: &Ui, items: &[LineItem]) -> Vec<Element> {
    let total = cart_total(items);
    if total <= 0 {
        return Vec::new();
    }
    let locale = config.locale;
    let words = locale.messages();
    let earns = data.earn_preview(total, None);
    let block = el("div", "cart");
    attr(&block, "part", "cart");
    let Some(customer) = &data.customer else {
        let text = fill(words.cart_join, &locale.number(earns), "");
        match &config.join_url {
            Some(url) => {
                let join = el_text("a", "link", &text);
                attr(&join, "href", url);
                attr(&join, "part", "join");
                append(&block, &join);
            }
            None => append(&block, &el_text("p", "", &text)),
        }
        return vec![block];
    };
    append(&block, &el_text("p", "earns", &fill(words.cart_earns, &locale.number(earns), "")));
    if let Some(next) = &customer.next_tier {
        let line = if earns >= next.points_needed {
            fill(words.cart_reaches, "", &next.name)
        } else {
            fill(words.cart_after, &locale.number(next.points_needed - earns), &next.name)
        };
        append(&block, &el_text("p", "towards", &line));
    }
    if let Some(reward) = data.best_affordable_reward() {
        let offer = el("p", "offer");
        append(&offer, &el_text("span", "", &fill(words.cart_reward, "", &reward.title)));
        if ui.confirming.as_deref() == Some(reward.id.as_str()) {
            let question = fill(words.confirm_question, &locale.number(reward.cost), &reward.title);
            append(&offer, &el_text("span", "question", &question));
            append(&offer, &dom::button("small", words.confirm, "confirm", &reward.id));
            append(&offer, &dom::button("small secondary", words.cancel, "cancel", &reward.id));
        } else {
            append(&offer, &dom::button("small", words.redeem, "redeem", &reward.id));
        }
        append(&block, &offer);
    }
    for issued in &ui.issued {
        let row = el("p", "code-row");
        append(&row, &el_text("strong", "code-text", &issued.code));
        append(&row, &super::code_button(locale, ui, &issued.code));
        append(&block, &row);
    }
    vec![block]
}
