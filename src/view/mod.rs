//! Drawing the widget into its shadow root: plain functions from state to
//! nodes, every text through [`dom::text`]. The frame (launcher, panel,
//! live region) is built once; renders replace the panel's body.

mod guest;
mod member;
mod recommendations;
mod referral;
mod rewards;

use crate::config::Config;
use crate::dom::{self, append, attr, el, el_text};
use crate::ui::Ui;
use lojal_core::api::WidgetData;
use web_sys::{Element, HtmlElement, ShadowRoot};

const STYLE: &str = include_str!("../style.css");

/// Builds the frame: styles, the launcher button (in launcher mode), the
/// panel with its heading, and a polite live region for announcements.
pub fn frame(root: &ShadowRoot, config: &Config, launcher: bool) {
    dom::adopt_styles(root, STYLE);
    let words = config.locale.messages();
    let panel = el("section", "panel");
    attr(&panel, "part", "panel");
    attr(&panel, "id", "panel");
    attr(&panel, "aria-labelledby", "lojal-title");
    let head = el("div", "head");
    let title = el_text("h2", "", words.title);
    attr(&title, "id", "lojal-title");
    append(&head, &title);
    if launcher {
        attr(&panel, "role", "dialog");
        attr(&panel, "hidden", "");
        let close = dom::button("close", "×", "close", "");
        attr(&close, "aria-label", words.close);
        attr(&close, "part", "close");
        append(&head, &close);
    }
    append(&panel, &head);
    let body = el("div", "body");
    attr(&body, "part", "body");
    append(&panel, &body);
    let status = el("p", "sr-only");
    attr(&status, "role", "status");
    attr(&status, "aria-live", "polite");
    let mut nodes: Vec<&web_sys::Node> = vec![&panel, &status];
    let button;
    if launcher {
        let label = config.launcher_label.as_deref().unwrap_or(words.launcher);
        button = dom::button("launcher", label, "toggle", "");
        attr(&button, "part", "launcher");
        attr(&button, "aria-controls", "panel");
        attr(&button, "aria-haspopup", "dialog");
        attr(&button, "aria-expanded", "false");
        nodes.push(&button);
    }
    dom::replace_children(root, &nodes);
}

fn body(root: &ShadowRoot) -> Option<Element> {
    dom::query(root, ".body")
}

fn fill_body(root: &ShadowRoot, children: &[Element]) {
    let Some(body) = body(root) else { return };
    while let Some(child) = body.first_child() {
        let _ = body.remove_child(&child);
    }
    for child in children {
        append(&body, child);
    }
}

pub fn render_loading(root: &ShadowRoot, config: &Config) {
    fill_body(root, &[el_text("p", "quiet", config.locale.messages().loading)]);
}

/// What shows when the API is down or answers nonsense: quiet, no jargon.
pub fn render_fallback(root: &ShadowRoot, config: &Config) {
    let note = el_text("p", "quiet", config.locale.messages().unavailable);
    attr(&note, "part", "fallback");
    fill_body(root, &[note]);
}

pub fn render(root: &ShadowRoot, config: &Config, data: &WidgetData, ui: &Ui) {
    let locale = config.locale;
    let mut sections = Vec::new();
    match &data.customer {
        Some(customer) => {
            sections.push(member::standing(locale, customer));
            if let Some(nudge) = &data.nudge {
                sections.push(member::nudge(nudge));
            }
            sections.push(rewards::section(locale, data, ui));
            if let Some(referral) = &customer.referral {
                sections.push(referral::section(locale, data, referral, ui));
            }
            if !data.recommendations.is_empty() {
                sections.push(recommendations::section(locale, data));
            }
        }
        None => {
            sections.push(guest::intro(config, data));
            sections.push(rewards::section(locale, data, ui));
            sections.push(guest::tiers(locale, data));
        }
    }
    fill_body(root, &sections);
}

/// Says `text` to screen readers, politely.
pub fn announce(root: &ShadowRoot, text: &str) {
    if let Some(status) = dom::query(root, "[role=status]") {
        status.set_text_content(Some(text));
    }
}

pub fn launcher_button(root: &ShadowRoot) -> Option<HtmlElement> {
    dom::query(root, ".launcher").and_then(dom::as_html)
}

pub fn panel(root: &ShadowRoot) -> Option<Element> {
    dom::query(root, ".panel")
}

pub fn is_open(root: &ShadowRoot) -> bool {
    panel(root).is_some_and(|p| !p.has_attribute("hidden"))
}

/// Opens or closes the panel. Opening moves focus into it so keyboard and
/// screen-reader users land where the content is.
pub fn set_open(root: &ShadowRoot, open: bool) {
    let Some(panel) = panel(root) else { return };
    if open {
        let _ = panel.remove_attribute("hidden");
        dom::focus(root, ".close");
    } else {
        attr(&panel, "hidden", "");
    }
    if let Some(button) = launcher_button(root) {
        attr(&button, "aria-expanded", if open { "true" } else { "false" });
    }
}

/// A section with a heading.
fn titled_section(class: &str, heading: &str) -> Element {
    let section = el("section", class);
    attr(&section, "part", class);
    if !heading.is_empty() {
        append(&section, &el_text("h3", "", heading));
    }
    section
}
