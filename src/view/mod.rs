//! Drawing the widget into a shadow root: plain functions from state to
//! nodes, every text through [`dom::text`]. The frame (launcher, panel,
//! live region) is built once per element; renders replace its body.

mod account;
mod birthday;
mod campaigns;
mod cart;
mod codes;
mod donation;
mod earn;
mod feedback;
mod guest;
mod member;
mod recommendations;
mod referral;
mod rewards;
mod stamps;
mod ways;

pub use cart::points_off_amount;

use crate::action::Action;
use crate::config::Config;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::{Lang, Speak};
use crate::ui::Ui;
use lojal_core::api::WidgetData;
use lojal_core::requests::LineItem;
use std::cell::RefCell;
use web_sys::{Element, HtmlElement, ShadowRoot};

const STYLE: &str = include_str!("../style.css");

/// One `<lojal-widget>` element: its shadow root, its options and what it
/// shows. Many views share one session (`session.rs`), which draws them.
pub struct View {
    pub host: HtmlElement,
    pub root: ShadowRoot,
    pub config: Config,
    pub kind: Kind,
    /// Held while the launcher's panel is open as a bottom sheet.
    pub scroll_lock: RefCell<Option<dom::ScrollLock>>,
}

/// What an element shows, from its attributes: `launcher`, or
/// `view="earn" | "cart" | "progress" | "account"`; the full panel inline
/// otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Launcher,
    Panel,
    Account,
    /// `price` (minor units) on the element: what buying it earns.
    Earn,
    Cart,
    Progress,
}

impl Kind {
    pub fn of(host: &HtmlElement) -> Kind {
        if dom::has_attr(host, "launcher") {
            return Kind::Launcher;
        }
        match dom::attr_of(host, "view").as_deref() {
            Some("account") => Kind::Account,
            Some("earn") => Kind::Earn,
            Some("cart") => Kind::Cart,
            Some("progress") => Kind::Progress,
            _ => Kind::Panel,
        }
    }

    /// The small views that sit inside the merchant's own page.
    fn is_compact(self) -> bool {
        matches!(self, Kind::Earn | Kind::Cart | Kind::Progress)
    }
}

/// Builds the frame: styles; for the panel kinds a panel with its heading
/// (a dialog behind a launcher button in launcher mode); for the compact
/// kinds a bare container; and a polite live region for announcements.
pub fn frame(root: &ShadowRoot, config: &Config, kind: Kind) {
    dom::adopt_styles(root, STYLE);
    let words = config.locale.messages();
    let status = el("p", "sr-only");
    attr(&status, "role", "status");
    attr(&status, "aria-live", "polite");
    if kind.is_compact() {
        let body = el("div", "body compact");
        attr(&body, "part", "body");
        dom::replace_children(root, &[&body, &status]);
        return;
    }
    let panel = el("section", "panel");
    attr(&panel, "part", "panel");
    attr(&panel, "id", "panel");
    attr(&panel, "aria-labelledby", "lojal-title");
    let head = el("div", "head");
    let title = el_text("h2", "", words.title);
    attr(&title, "id", "lojal-title");
    append(&head, &title);
    if kind == Kind::Launcher {
        attr(&panel, "role", "dialog");
        attr(&panel, "hidden", "");
        let close = dom::button("close", "×", &Action::Close);
        attr(&close, "aria-label", words.close);
        attr(&close, "part", "close");
        append(&head, &close);
    }
    append(&panel, &head);
    let body = el("div", "body");
    attr(&body, "part", "body");
    append(&panel, &body);
    if kind == Kind::Launcher {
        let label = config.launcher_label.as_deref().unwrap_or(words.launcher);
        let button = dom::button("launcher", label, &Action::Toggle);
        attr(&button, "part", "launcher");
        attr(&button, "aria-controls", "panel");
        attr(&button, "aria-haspopup", "dialog");
        attr(&button, "aria-expanded", "false");
        // Behind the bottom sheet on a phone: a tap on the page closes it.
        let scrim = el("div", "scrim");
        dom::mark_action(&scrim, &Action::Close);
        dom::replace_children(root, &[&panel, &scrim, &status, &button]);
    } else {
        dom::replace_children(root, &[&panel, &status]);
    }
}

fn fill_body(root: &ShadowRoot, children: &[Element]) {
    if let Some(body) = dom::query(root, ".body") {
        dom::replace_body(root, &body, children);
    }
}

pub fn render_loading(root: &ShadowRoot, config: &Config, kind: Kind) {
    // The compact views stay empty until there is something true to say.
    if !kind.is_compact() {
        fill_body(root, &[el_text("p", "quiet", config.locale.messages().loading)]);
    }
}

/// What shows when the API is down or answers nonsense: quiet, no jargon;
/// nothing at all in the compact views, which sit in the merchant's page.
pub fn render_fallback(root: &ShadowRoot, config: &Config, kind: Kind) {
    if kind.is_compact() {
        fill_body(root, &[]);
        return;
    }
    let note = el_text("p", "quiet", config.locale.messages().unavailable);
    attr(&note, "part", "fallback");
    fill_body(root, &[note]);
}

pub fn render(view: &View, data: &WidgetData, ui: &Ui, cart: Option<&[LineItem]>) {
    let config = &view.config;
    let lang = config.locale;
    let sections = match view.kind {
        Kind::Earn => earn::view(config, data, price_of(&view.host), dom::attr_of(&view.host, "category").as_deref()),
        Kind::Cart => cart::view(config, data, ui, cart.unwrap_or_default()),
        Kind::Progress => match &data.customer {
            Some(customer) => vec![member::progress(lang, customer)],
            None => guest::join_prompt(config).into_iter().collect(),
        },
        Kind::Launcher | Kind::Panel | Kind::Account => {
            let mut sections = Vec::new();
            match &data.customer {
                Some(customer) => {
                    sections.push(member::standing(lang, customer, &data.shop.currency));
                    sections.extend(campaigns::section(lang, &data.campaigns));
                    if let Some(nudge) = &data.nudge {
                        sections.push(member::nudge(lang, nudge));
                    }
                    sections.extend(stamps::section(lang, data, ui));
                    sections.push(rewards::section(lang, data, ui));
                    if view.kind == Kind::Account {
                        sections.extend(codes::section(lang, &data.codes, ui));
                    }
                    sections.extend(ways::section(lang, data));
                    sections.extend(birthday::section(lang, data, ui));
                    sections.extend(donation::section(lang, data, ui));
                    sections.extend(feedback::section(lang, data, ui));
                    if let Some(referral) = &customer.referral {
                        sections.push(referral::section(lang, data, referral, ui));
                    }
                    if !data.recommendations.is_empty() {
                        sections.push(recommendations::section(lang, data));
                    }
                    if view.kind == Kind::Account {
                        sections.push(account::history(lang, data));
                    }
                }
                None => {
                    sections.push(guest::intro(config, data));
                    sections.extend(campaigns::section(lang, &data.campaigns));
                    sections.extend(stamps::section(lang, data, ui));
                    sections.push(rewards::section(lang, data, ui));
                    sections.extend(donation::section(lang, data, ui));
                    sections.push(guest::tiers(lang, data));
                    // On a product page (the page named it), a guest's picks
                    // start from that product; elsewhere they say nothing
                    // about the guest, so the view keeps to the program.
                    if config.product.is_some() && !data.recommendations.is_empty() {
                        sections.push(recommendations::section(lang, data));
                    }
                }
            }
            sections
        }
    };
    fill_body(&view.root, &sections);
}

/// The `price` attribute of an earn view, in minor units.
fn price_of(host: &HtmlElement) -> Option<i64> {
    dom::attr_of(host, "price")?.trim().parse().ok().filter(|p| *p >= 0)
}

/// Says `text` to screen readers, politely.
pub fn announce(root: &ShadowRoot, text: &str) {
    if let Some(status) = dom::query(root, "[role=status]") {
        dom::set_text(&status, text);
    }
}

pub fn panel(root: &ShadowRoot) -> Option<Element> {
    dom::query(root, ".panel")
}

pub fn is_open(root: &ShadowRoot) -> bool {
    panel(root).is_some_and(|p| !dom::has_attr(&p, "hidden"))
}

/// Where the launcher's panel opens as a bottom sheet; `style.css` has the
/// same width.
const SHEET: &str = "(max-width: 600px)";

/// Opens or closes the panel. Opening moves focus into it so keyboard and
/// screen-reader users land where the content is; as a bottom sheet, the
/// page behind stops scrolling until it closes.
pub fn set_open(view: &View, open: bool) {
    let root = &view.root;
    let Some(panel) = panel(root) else { return };
    {
        let mut lock = view.scroll_lock.borrow_mut();
        if !open {
            *lock = None;
        } else if lock.is_none() && view.kind == Kind::Launcher && dom::media_matches(SHEET) {
            *lock = Some(dom::ScrollLock::new());
        }
    }
    if open {
        dom::remove_attr(&panel, "hidden");
        dom::focus(root, ".close");
    } else {
        attr(&panel, "hidden", "");
    }
    if let Some(button) = dom::query(root, ".launcher") {
        attr(&button, "aria-expanded", if open { "true" } else { "false" });
    }
}

/// Closes the panel and gives focus back to the launcher that opened it.
pub fn close_and_refocus(view: &View) {
    set_open(view, false);
    dom::focus(&view.root, ".launcher");
}

/// The dialog's keyboard: Escape closes it, Tab stays inside it.
pub fn key(view: &View, key: &web_sys::KeyboardEvent) {
    let root = &view.root;
    if view.kind != Kind::Launcher || !is_open(root) {
        return;
    }
    match dom::key_name(key).as_str() {
        "Escape" => close_and_refocus(view),
        "Tab" => {
            if let Some(panel) = panel(root) {
                dom::wrap_tab(root, &panel, key);
            }
        }
        _ => {}
    }
}

/// The button for a discount code: on a phone with a share sheet, "Share"
/// (which copies when sharing fails); elsewhere "Copy", then "Copied". Its
/// name says which code: the account view lists several.
fn code_button(lang: Lang, ui: &Ui, code: &str) -> Element {
    let words = lang.messages();
    let copy = Action::CopyCode(code.to_owned());
    let (said, action) = if ui.copied.as_deref() == Some(code) {
        (words.copied, copy)
    } else if dom::prefers_share() {
        (words.share, Action::ShareCode(code.to_owned()))
    } else {
        (words.copy, copy)
    };
    let button = dom::button("small", said, &action);
    attr(&button, "aria-label", &format!("{said}: {code}"));
    button
}

/// A question that spends points, with its confirm and cancel buttons
/// (`yes` and `no`), both disabled while the spend is on its way.
fn ask(lang: Lang, into: &Element, question: &str, (yes, no): (Action, Action), busy: bool) {
    let words = lang.messages();
    append(into, &el_text("span", "question", question));
    let yes = dom::button("small", words.confirm, &yes);
    let no = dom::button("small secondary", words.cancel, &no);
    if busy {
        attr(&yes, "disabled", "");
        attr(&no, "disabled", "");
    }
    append(into, &yes);
    append(into, &no);
}

fn titled_section(class: &str, heading: &str) -> Element {
    let section = el("section", class);
    attr(&section, "part", class);
    if !heading.is_empty() {
        append(&section, &el_text("h3", "", heading));
    }
    section
}
