//! What the page tells the widget: from the script tag's `data-*` attributes
//! (read by `widget.js`) or from `mount(element, options)`.

use crate::i18n::Locale;
use crate::js::Js;
use lojal_core::wire::Source;
use wasm_bindgen::{JsCast, JsValue};

#[derive(Debug, Clone)]
pub struct Config {
    pub shop: String,
    /// The API's origin, without a trailing slash.
    pub api: String,
    pub customer: Option<SignedCustomer>,
    pub locale: Locale,
    /// Where a guest joins the program and signs in (the merchant's pages).
    pub join_url: Option<String>,
    pub sign_in_url: Option<String>,
    /// The launcher button's words, instead of the locale's "Rewards".
    pub launcher_label: Option<String>,
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
            locale: Locale::pick(text("locale").as_deref()),
            join_url: text("joinUrl").filter(|u| is_safe_link(u)),
            sign_in_url: text("signInUrl").filter(|u| is_safe_link(u)),
            launcher_label: text("launcherLabel").filter(|l| !l.trim().is_empty()),
            prefetch,
        })
    }
}

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
    use super::is_safe_link;

    #[test]
    fn only_web_links_and_paths_are_safe() {
        for ok in ["https://shop.example/join", "http://127.0.0.1:8081/", "/account/login"] {
            assert!(is_safe_link(ok), "{ok}");
        }
        for bad in ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//evil.example", "vbscript:x"] {
            assert!(!is_safe_link(bad), "{bad}");
        }
    }
}
