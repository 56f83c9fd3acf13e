//! Drawing the widget's state into its shadow root: plain functions from
//! data to nodes, every text through [`dom::text`].

use crate::config::Config;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::{fill, Locale};
use lojal_core::api::{CustomerView, WidgetData};
use web_sys::{Element, HtmlElement, ShadowRoot};

const STYLE: &str = include_str!("style.css");

/// The frame every state is drawn in: styles, the launcher button (in
/// launcher mode) and the panel whose body `content` fills.
fn frame(root: &ShadowRoot, config: &Config, launcher: bool, content: Element) {
    let words = config.locale.messages();
    let panel = el("section", "panel");
    attr(&panel, "part", "panel");
    attr(&panel, "id", "panel");
    attr(&panel, "aria-label", words.title);
    if launcher {
        attr(&panel, "role", "dialog");
        attr(&panel, "hidden", "");
        let head = el("div", "head");
        append(&head, &el_text("h2", "", words.title));
        let close = el_text("button", "close", "×");
        attr(&close, "aria-label", words.close);
        attr(&close, "part", "close");
        append(&head, &close);
        append(&panel, &head);
    }
    // Balance changes are announced to screen readers, politely.
    attr(&content, "aria-live", "polite");
    append(&panel, &content);
    if launcher {
        let button = el_text("button", "launcher", words.launcher);
        attr(&button, "part", "launcher");
        attr(&button, "aria-controls", "panel");
        attr(&button, "aria-expanded", "false");
        dom::replace_children(root, &[&panel, &button]);
    } else {
        dom::replace_children(root, &[&panel]);
    }
}

/// Gives the shadow root the widget's styles, once.
pub fn install_styles(root: &ShadowRoot) {
    dom::adopt_styles(root, STYLE);
}

pub fn render_loading(root: &ShadowRoot, config: &Config, launcher: bool) {
    let body = el("div", "body");
    append(
        &body,
        &el_text("p", "quiet", config.locale.messages().loading),
    );
    frame(root, config, launcher, body);
}

/// What shows when the API is down or answers nonsense: quiet, no jargon.
pub fn render_fallback(root: &ShadowRoot, config: &Config, launcher: bool) {
    let body = el("div", "body");
    append(
        &body,
        &el_text("p", "quiet", config.locale.messages().unavailable),
    );
    frame(root, config, launcher, body);
}

pub fn render(root: &ShadowRoot, config: &Config, data: &WidgetData, launcher: bool) {
    let was_open = is_open(root);
    let body = el("div", "body");
    attr(&body, "part", "body");
    match &data.customer {
        Some(customer) => member(&body, config.locale, customer),
        None => guest(&body, config.locale, data),
    }
    rewards(&body, config.locale, data);
    frame(root, config, launcher, body);
    if launcher && was_open {
        set_open(root, true);
    }
}

fn member(body: &Element, locale: Locale, customer: &CustomerView) {
    let words = locale.messages();
    let balance = el("p", "balance");
    attr(&balance, "part", "balance");
    let number = el_text(
        "span",
        if customer.points < 0 {
            "n negative"
        } else {
            "n"
        },
        &locale.number(customer.points),
    );
    append(&balance, &number);
    append(&balance, &el_text("span", "", words.points));
    append(body, &balance);

    let tier = el("p", "tier");
    attr(&tier, "part", "tier");
    dom::text(&tier, words.tier_label);
    dom::text(&tier, ": ");
    append(&tier, &el_text("strong", "", &customer.tier.name));
    append(body, &tier);

    match &customer.next_tier {
        Some(next) => {
            let percent = (next.progress * 100.0).round() as i64;
            let bar = el("div", "bar");
            attr(&bar, "part", "progress");
            attr(&bar, "role", "progressbar");
            attr(&bar, "aria-valuemin", "0");
            attr(&bar, "aria-valuemax", "100");
            attr(&bar, "aria-valuenow", &percent.to_string());
            let fill_el = el("span", "");
            dom::set_style(&fill_el, "width", &format!("{percent}%"));
            append(&bar, &fill_el);
            append(body, &bar);
            let to_next = fill(
                words.points_to_tier,
                &locale.number(next.points_needed),
                &next.name,
            );
            let line = el_text("p", "to-next", &to_next);
            attr(&bar, "aria-label", &to_next);
            append(body, &line);
        }
        None => append(body, &el_text("p", "to-next", words.top_tier)),
    }
}

fn guest(body: &Element, locale: Locale, data: &WidgetData) {
    let words = locale.messages();
    append(body, &el_text("p", "intro", words.guest_intro));
    if let Some(purchase) = data.ways_to_earn.iter().find(|w| w.id == "purchase") {
        let unit = locale.price(100, &data.shop.currency);
        append(
            body,
            &el_text(
                "p",
                "quiet",
                &fill(words.earn_per_unit, &locale.number(purchase.points), &unit),
            ),
        );
    }
    append(body, &el_text("h3", "", words.tiers_heading));
    let list = el("ul", "");
    attr(&list, "part", "tiers");
    for tier in &data.tiers {
        let item = el("li", "");
        append(&item, &el_text("span", "", &tier.name));
        append(
            &item,
            &el_text(
                "span",
                "cost",
                &fill(words.from_points, &locale.number(tier.threshold), ""),
            ),
        );
        append(&list, &item);
    }
    append(body, &list);
}

fn rewards(body: &Element, locale: Locale, data: &WidgetData) {
    if data.rewards.is_empty() {
        return;
    }
    let words = locale.messages();
    append(body, &el_text("h3", "", words.rewards_heading));
    let list = el("ul", "");
    attr(&list, "part", "rewards");
    for reward in &data.rewards {
        let item = el("li", if reward.redeemable { "affordable" } else { "" });
        append(&item, &el_text("span", "", &reward.title));
        let cost = format!("{} {}", locale.number(reward.cost), words.points);
        append(&item, &el_text("span", "cost", &cost));
        append(&list, &item);
    }
    append(body, &list);
}

pub fn launcher_button(root: &ShadowRoot) -> Option<HtmlElement> {
    dom::query(root, ".launcher").and_then(dom::as_html)
}

pub fn close_button(root: &ShadowRoot) -> Option<HtmlElement> {
    dom::query(root, ".close").and_then(dom::as_html)
}

pub fn is_open(root: &ShadowRoot) -> bool {
    dom::query(root, ".panel").is_some_and(|p| !p.has_attribute("hidden"))
}

/// Opens or closes the panel. Opening moves focus into it so keyboard and
/// screen-reader users land where the content is.
pub fn set_open(root: &ShadowRoot, open: bool) {
    let Some(panel) = dom::query(root, ".panel") else {
        return;
    };
    if open {
        let _ = panel.remove_attribute("hidden");
        if let Some(close) = close_button(root) {
            let _ = close.focus();
        }
    } else {
        attr(&panel, "hidden", "");
    }
    if let Some(button) = launcher_button(root) {
        attr(
            &button,
            "aria-expanded",
            if open { "true" } else { "false" },
        );
    }
}
