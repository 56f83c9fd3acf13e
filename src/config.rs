//! What the page tells the widget: from the script tag's `data-*` attributes
//! (read by `widget.js`) or from `mount(element, options)`.

use crate::i18n::Locale;
use serde::Deserialize;
use wasm_bindgen::JsValue;

#[derive(Debug, Clone)]
pub struct Config {
    pub shop: String,
    /// The API's origin, without a trailing slash.
    pub api: String,
    pub customer: Option<SignedCustomer>,
    pub locale: Locale,
}

/// The merchant-signed identity, passed through untouched: the server checks it.
#[derive(Debug, Clone, Deserialize)]
pub struct SignedCustomer {
    pub id: String,
    pub ts: i64,
    pub sig: String,
}

#[derive(Deserialize)]
struct RawConfig {
    shop: Option<String>,
    api: Option<String>,
    customer: Option<SignedCustomer>,
    locale: Option<String>,
}

impl Config {
    pub fn from_js(value: JsValue) -> Result<Self, String> {
        let raw: RawConfig = serde_wasm_bindgen::from_value(value)
            .map_err(|e| format!("lojal: bad options: {e}"))?;
        let shop = raw
            .shop
            .filter(|s| !s.is_empty())
            .ok_or("lojal: the `shop` option is required")?;
        let api = raw
            .api
            .filter(|s| !s.is_empty())
            .ok_or("lojal: the `api` option is required")?;
        Ok(Config {
            shop,
            api: api.trim_end_matches('/').to_owned(),
            customer: raw.customer,
            locale: Locale::pick(raw.locale.as_deref()),
        })
    }
}
