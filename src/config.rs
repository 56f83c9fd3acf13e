//! What the page tells the widget: from the script tag's `data-*` attributes
//! (read by `widget.js`) or from `mount(element, options)`.

use crate::i18n::Lang;
use crate::js::Js;
use lojal_core::wire::Source;
use wasm_bindgen::{JsCast, JsValue};

#[derive(Debug, Clone)]
pub struct Config {
    pub shop: String,
    /// The API's origin, without a trailing slash.
    pub api: String,
    pub customer: Option<SignedCustomer>,
    /// A guest's email hash the shop signed, for their pending points.
    pub guest: Option<SignedGuest>,
    pub locale: Lang,
    /// Where a guest joins the program and signs in (the merchant's pages).
    pub join_url: Option<String>,
    pub sign_in_url: Option<String>,
    /// The launcher button's words, instead of the locale's "Rewards".
    pub launcher_label: Option<String>,
    /// `data-theme` / `theme`: the palette, or following the host page.
    pub theme: Theme,
    /// `data-offset` / `offset`: the launcher's distance from the corner in
    /// CSS pixels, `(x, y)`; `None` keeps the stylesheet's.
    pub offset: Option<(u16, u16)>,
    /// `data-product` / `product`: the sku of the product page the widget
    /// is on, so its picks start from that product (for a guest too).
    pub product: Option<String>,
    /// The loader's early `fetch` of the widget's data (a `Promise` of a
    /// `Response`), started while the wasm was still downloading.
    pub prefetch: Option<js_sys::Promise>,
}

/// The merchant-signed identity, passed through untouched: the server checks it.
#[derive(Debug, Clone)]
pub struct SignedCustomer {
    pub id: String,
    pub ts: i64,
    pub sig: String,
}

/// A guest's email hash as the merchant signed it, passed through untouched.
#[derive(Debug, Clone)]
pub struct SignedGuest {
    pub email_hash: String,
    pub ts: i64,
    pub sig: String,
}

impl Config {
    pub fn from_js(value: JsValue) -> Result<Self, String> {
        let prefetch =
            js_sys::Reflect::get(&value, &"prefetch".into()).ok().and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
        let options = Js(value);
        let text = |key: &str| options.field(key).and_then(|v| v.string());
        let shop = text("shop").filter(|s| !s.is_empty()).ok_or("lojal: the `shop` option is required")?;
        let api = text("api").filter(|s| !s.is_empty()).ok_or("lojal: the `api` option is required")?;
        Ok(Config {
            shop,
            api: api.trim_end_matches('/').to_owned(),
            customer: options.field("customer").map(|c| signed_customer(&c)).transpose()?,
            guest: options.field("guest").and_then(|g| signed_guest(&g)),
            locale: Lang::parse(text("locale").as_deref().unwrap_or_default()),
            join_url: text("joinUrl").filter(|u| is_safe_link(u)),
            sign_in_url: text("signInUrl").filter(|u| is_safe_link(u)),
            launcher_label: text("launcherLabel").filter(|l| !l.trim().is_empty()),
            theme: Theme::parse(text("theme").as_deref()),
            offset: text("offset").as_deref().and_then(parse_offset),
            product: text("product").map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()),
            prefetch,
        })
    }
}

/// The widget's palette: `Auto` follows the page it sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn parse(value: Option<&str>) -> Theme {
        match value.map(str::trim) {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::Auto,
        }
    }
}

/// Whether a page whose `color-scheme` is `scheme` (the root's computed
/// value, or its `<meta name="color-scheme">`) shows dark, given the
/// shopper's `prefers-color-scheme`: only if it says it supports dark, and
/// either only dark or the shopper prefers dark.
pub fn page_is_dark(scheme: &str, prefers_dark: bool) -> bool {
    let words: Vec<&str> = scheme.split_whitespace().filter(|w| *w != "only").collect();
    let dark = words.contains(&"dark");
    dark && (prefers_dark || !words.contains(&"light"))
}

/// `"72"` (from the bottom; the side keeps its default) or `"16,72"` (from
/// the side, from the bottom), in CSS pixels, with or without `px`.
pub fn parse_offset(value: &str) -> Option<(u16, u16)> {
    let number = |s: &str| s.trim().trim_end_matches("px").trim().parse::<u16>().ok().filter(|n| *n <= 2000);
    match value.split_once(',') {
        Some((x, y)) => Some((number(x)?, number(y)?)),
        None => Some((DEFAULT_OFFSET, number(value)?)),
    }
}

/// The launcher's distance from the side and from the bottom, by default.
pub const DEFAULT_OFFSET: u16 = 20;

/// `{id, ts, sig}`; `ts` as a number or the digits of one (from a data
/// attribute), so either way of passing it works.
fn signed_customer(customer: &Js) -> Result<SignedCustomer, String> {
    let field = |key: &str| customer.field(key);
    let text = |key: &str| field(key).and_then(|v| v.string());
    let ts = field("ts").and_then(|v| {
        v.number().filter(|n| n.fract() == 0.0).map(|n| n as i64).or_else(|| v.string()?.trim().parse().ok())
    });
    match (text("id"), ts, text("sig")) {
        (Some(id), Some(ts), Some(sig)) => Ok(SignedCustomer { id, ts, sig }),
        _ => Err("lojal: bad options: `customer` takes {id, ts, sig}".into()),
    }
}

/// `{emailHash, ts, sig}`; anything incomplete is no guest hash (it only
/// ever adds a line to the guest view).
fn signed_guest(guest: &Js) -> Option<SignedGuest> {
    let text = |key: &str| guest.field(key).and_then(|v| v.string());
    let ts = guest.field("ts").and_then(|v| {
        v.number().filter(|n| n.fract() == 0.0).map(|n| n as i64).or_else(|| v.string()?.trim().parse().ok())
    })?;
    Some(SignedGuest { email_hash: text("emailHash")?, ts, sig: text("sig")? })
}

/// Links the widget puts in `href`/`src`: web addresses and paths only, so
/// a `javascript:` URL can never become a link a shopper clicks.
pub fn is_safe_link(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || (lower.starts_with('/') && !lower.starts_with("//"))
}

#[cfg(test)]
mod tests {
    use super::{is_safe_link, page_is_dark, parse_offset, Theme};

    #[test]
    fn only_web_links_and_paths_are_safe() {
        for ok in ["https://shop.example/join", "http://127.0.0.1:8081/", "/account/login"] {
            assert!(is_safe_link(ok), "{ok}");
        }
        for bad in ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//evil.example", "vbscript:x"] {
            assert!(!is_safe_link(bad), "{bad}");
        }
    }

    #[test]
    fn the_page_decides_dark_only_when_it_supports_dark() {
        // (computed color-scheme, prefers dark) -> dark
        for (scheme, prefers, dark) in [
            ("normal", true, false),
            ("light", true, false),
            ("only light", true, false),
            ("", true, false),
            ("light dark", false, false),
            ("light dark", true, true),
            ("dark light", true, true),
            ("dark", false, true),
            ("only dark", false, true),
        ] {
            assert_eq!(page_is_dark(scheme, prefers), dark, "{scheme:?} prefers dark: {prefers}");
        }
    }

    #[test]
    fn offsets_and_themes_parse() {
        assert_eq!(parse_offset("72"), Some((20, 72)));
        assert_eq!(parse_offset(" 16 , 72px "), Some((16, 72)));
        assert_eq!(parse_offset("0,0"), Some((0, 0)));
        for bad in ["", "-4", "a,b", "1,2,3", "99999"] {
            assert_eq!(parse_offset(bad), None, "{bad}");
        }
        assert_eq!(Theme::parse(Some("dark")), Theme::Dark);
        assert_eq!(Theme::parse(Some("light")), Theme::Light);
        assert_eq!(Theme::parse(Some("auto")), Theme::Auto);
        assert_eq!(Theme::parse(Some("purple")), Theme::Auto);
        assert_eq!(Theme::parse(None), Theme::Auto);
    }
}
