//! What a guest sees: how the program works, and the way in.

use super::titled_section;
use crate::config::Config;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::{fill, Lang, Speak};
use lojal_core::api::WidgetData;
use web_sys::Element;

pub fn intro(config: &Config, data: &WidgetData) -> Element {
    let lang = config.locale;
    let words = lang.messages();
    let intro = el("div", "guest");
    append(&intro, &el_text("p", "intro", words.guest_intro));
    if let Some(pending) = &data.guest_points {
        // The shop signed this guest's email hash: their last order's points wait.
        let line = el_text("p", "guest-points", &fill(words.guest_pending, &lang.integer(pending.points), ""));
        attr(&line, "part", "guest-points");
        append(&intro, &line);
    }
    let cta = el("p", "cta");
    if let Some(url) = &config.join_url {
        let join = el_text("a", "button", words.join);
        attr(&join, "href", url);
        attr(&join, "part", "join");
        append(&cta, &join);
    }
    if let Some(url) = &config.sign_in_url {
        let sign_in = el_text("a", "link", words.sign_in);
        attr(&sign_in, "href", url);
        attr(&sign_in, "part", "sign-in");
        append(&cta, &sign_in);
    }
    if dom::has_children(&cta) {
        append(&intro, &cta);
    }
    let how = titled_section("how", words.how_heading);
    let list = el("ul", "");
    for way in &data.ways_to_earn {
        let text = match way.id.as_str() {
            "purchase" => {
                let template = if way.points == 1 { words.earn_per_unit_one } else { words.earn_per_unit };
                fill(template, &lang.integer(way.points), &lang.price(100, &data.shop.currency))
            }
            "referral" => fill(words.earn_referral, &lang.integer(way.points), ""),
            "birthday" => fill(words.earn_birthday, &lang.integer(way.points), ""),
            _ => super::ways::guest_line(lang, &way.title, way.points),
        };
        append(&list, &el_text("li", "", &text));
    }
    if let Some(percent) = data.cashback_percent {
        let percent = lang.decimal(percent).unwrap_or_default();
        append(&list, &el_text("li", "", &fill(words.cashback_way, &percent, "")));
    }
    append(&how, &list);
    append(&intro, &how);
    intro
}

pub fn tiers(lang: Lang, data: &WidgetData) -> Element {
    let words = lang.messages();
    let tiers = titled_section("tiers", words.tiers_heading);
    let list = el("ul", "");
    for tier in &data.tiers {
        let item = el("li", "");
        append(&item, &el_text("span", "", &tier.name));
        append(&item, &el_text("span", "cost", &fill(words.from_points, &lang.integer(tier.threshold), "")));
        append(&list, &item);
    }
    append(&tiers, &list);
    tiers
}

/// A one-line way in for a guest, where a compact view has nothing else to say.
pub fn join_prompt(config: &Config) -> Option<Element> {
    let url = config.join_url.as_ref()?;
    let join = el_text("a", "link", config.locale.messages().join_prompt);
    attr(&join, "href", url);
    attr(&join, "part", "join");
    Some(join)
}
