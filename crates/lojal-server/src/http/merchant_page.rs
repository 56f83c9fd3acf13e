//! `GET /merchant`: the merchant's page, the figures of `GET .../metrics`
//! drawn as charts. The page is static and public; the figures behind it
//! need the shop secret, which the merchant types in (or the demo passes in
//! the URL fragment, which browsers never send to a server) and which the
//! page keeps in the tab's session storage only.
//!
//! Built into the binary, so `lojal-server serve` needs no other files.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

const PAGE: &str = include_str!("../../../../www/merchant/index.html");
const SCRIPT: &str = include_str!("../../../../www/merchant/merchant.js");
const STYLE: &str = include_str!("../../../../www/merchant/merchant.css");

/// Scripts and styles from this origin only, and no framing: the page
/// handles a secret.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn file(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

pub async fn page() -> Response {
    file("text/html; charset=utf-8", PAGE)
}

pub async fn script() -> Response {
    file("text/javascript; charset=utf-8", SCRIPT)
}

pub async fn style() -> Response {
    file("text/css; charset=utf-8", STYLE)
}
