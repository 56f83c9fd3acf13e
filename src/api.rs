//! The widget's requests to the Lojal API: the one that renders
//! (`GET .../widget`), and those a shopper's actions make.

use crate::config::Config;
use crate::js::{self, Js};
use lojal_core::api::{RedemptionReply, WidgetData};
use lojal_core::birthday::Birthday;
use lojal_core::donation::DonationReply;
use lojal_core::feedback::{FeedbackReply, FeedbackRequest};
use lojal_core::requests::LineItem;
use lojal_core::wire;
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// Past this the widget gives up and shows its fallback: a shop page must
/// not wait on loyalty.
const TIMEOUT_MS: u32 = 4_000;

/// Why a request failed. Each maps to the `code` of the `lojal:error` event.
#[derive(Debug)]
pub enum ApiError {
    /// No answer: the API is down, refused by CORS, or timed out.
    Unreachable,
    /// The API answered with an error status; `code` and `message` are from
    /// its error body when it had one.
    Status { status: u16, code: String, message: String },
    /// The API answered 2xx with something that is not the expected JSON.
    BadResponse,
}

impl ApiError {
    pub fn code(&self) -> &str {
        match self {
            ApiError::Unreachable => "unreachable",
            ApiError::Status { code, .. } => code,
            ApiError::BadResponse => "bad_response",
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Unreachable => f.write_str("the loyalty service did not answer"),
            ApiError::Status { status, message, .. } => write!(f, "the loyalty service answered {status}: {message}"),
            ApiError::BadResponse => f.write_str("the loyalty service answered with something that is not its JSON"),
        }
    }
}

fn shop_url(config: &Config, rest: &str) -> String {
    format!("{}/v1/shops/{}/{rest}", config.api, encode(&config.shop))
}

/// The widget's data; from `prefetched` (the loader's early request) when
/// given, else by a request of its own.
pub async fn fetch_widget(config: &Config, prefetched: Option<js_sys::Promise>) -> Result<WidgetData, ApiError> {
    let body = match prefetched {
        Some(promise) => {
            let response = JsFuture::from(promise).await.map_err(|_| ApiError::Unreachable)?;
            read(response.unchecked_into()).await?
        }
        None => {
            let mut url = format!("{}?locale={}", shop_url(config, "widget"), config.locale.tag());
            if let Some(product) = &config.product {
                url.push_str(&format!("&product={}", encode(product)));
            }
            send(config, "GET", &url, None).await?
        }
    };
    decode(body, wire::widget_data)
}

/// Redeems `reward_id`; `points` is the shopper's choice for a
/// `points_off` reward.
pub async fn redeem(config: &Config, reward_id: &str, points: Option<i64>) -> Result<RedemptionReply, ApiError> {
    let body = match points {
        Some(points) => js::json(&[("reward_id", reward_id.into()), ("points", js::int(points))]),
        None => js::json(&[("reward_id", reward_id.into())]),
    };
    decode(send(config, "POST", &shop_url(config, "redemptions"), Some(body)).await?, wire::redemption_reply)
}

pub async fn send_feedback(config: &Config, request: &FeedbackRequest) -> Result<FeedbackReply, ApiError> {
    let comment = request.comment.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    let body = js::json(&[
        ("order_id", request.order_id.as_str().into()),
        ("score", js::int(request.score.into())),
        ("comment", comment),
    ]);
    decode(send(config, "POST", &shop_url(config, "feedback"), Some(body)).await?, wire::feedback_reply)
}

pub async fn donate(config: &Config) -> Result<DonationReply, ApiError> {
    let body = send(config, "POST", &shop_url(config, "donations"), Some("{}".to_owned())).await?;
    decode(body, wire::donation_reply)
}

pub async fn set_birthday(config: &Config, birthday: Birthday) -> Result<(), ApiError> {
    let body = js::json(&[("month", js::int(birthday.month.into())), ("day", js::int(birthday.day.into()))]);
    send(config, "PUT", &shop_url(config, "birthday"), Some(body)).await.map(|_| ())
}

pub async fn claim_action(config: &Config, action: &str) -> Result<(), ApiError> {
    let url = shop_url(config, &format!("actions/{}/claim", encode(action)));
    send(config, "POST", &url, None).await.map(|_| ())
}

pub async fn put_cart(config: &Config, items: &[LineItem]) -> Result<(), ApiError> {
    let list: js_sys::Array = items
        .iter()
        .map(|i| {
            JsValue::from(js::object(&[
                ("sku", i.sku.as_str().into()),
                ("qty", js::int(i.qty)),
                ("price", js::int(i.price)),
            ]))
        })
        .collect();
    let body = js::json(&[("items", list.into())]);
    send(config, "PUT", &shop_url(config, "cart"), Some(body)).await.map(|_| ())
}

pub async fn dismiss_nudge(config: &Config, kind: &str) -> Result<(), ApiError> {
    let url = shop_url(config, &format!("nudges/{}/dismiss", encode(kind)));
    send(config, "POST", &url, None).await.map(|_| ())
}

/// The shopper clicked the pick `sku`. Sent with `keepalive`: the click
/// also follows the pick's link, and the page may be leaving.
pub async fn record_click(config: &Config, sku: &str) -> Result<(), ApiError> {
    let body = js::json(&[("sku", sku.into())]);
    let url = shop_url(config, "recommendations/clicks");
    send_with(config, "POST", &url, Some(body), true).await.map(|_| ())
}

pub async fn referral_visit(config: &Config, code: &str) -> Result<(), ApiError> {
    let url = shop_url(config, &format!("referrals/{}/visits", encode(code)));
    send(config, "POST", &url, None).await.map(|_| ())
}

/// A 2xx answer's body as `T`, through its reader in `lojal_core::wire`.
fn decode<T>(body: Option<JsValue>, read: fn(&Js) -> Result<T, wire::Bad>) -> Result<T, ApiError> {
    read(&Js(body.ok_or(ApiError::BadResponse)?)).map_err(|_| ApiError::BadResponse)
}

/// Sends one request with the shopper's identity; the JSON body of a 2xx
/// answer (`None` for an empty one).
async fn send(config: &Config, method: &str, url: &str, body: Option<String>) -> Result<Option<JsValue>, ApiError> {
    send_with(config, method, url, body, false).await
}

/// [`send`], with `keepalive` for a request that must outlive the page.
async fn send_with(
    config: &Config,
    method: &str,
    url: &str,
    body: Option<String>,
    keepalive: bool,
) -> Result<Option<JsValue>, ApiError> {
    // A read carries the identity in its query string: with no custom
    // header it is a "simple" request, which needs no CORS preflight.
    let read_only = method == "GET";
    let url = if read_only { with_identity(config, url) } else { url.to_owned() };
    let init = RequestInit::new();
    init.set_method(method);
    if keepalive {
        // web-sys has no setter for it; the fetch standard's field it is.
        let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
    }
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS)));
    if let Some(body) = &body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = Request::new_with_str_and_init(&url, &init).map_err(|_| ApiError::Unreachable)?;
    let headers = request.headers();
    if body.is_some() {
        let _ = headers.set("Content-Type", "application/json");
    }
    if read_only {
        // The identity is in the URL.
    } else if let Some(customer) = &config.customer {
        // Header values the browser refuses (control characters) would throw:
        // such an identity cannot be valid anyway, so the shopper is a guest.
        let _ = headers.set("X-Lojal-Customer", &customer.id);
        let _ = headers.set("X-Lojal-Ts", &customer.ts.to_string());
        let _ = headers.set("X-Lojal-Sig", &customer.sig);
    } else if let Some(guest) = &config.guest {
        let _ = headers.set("X-Lojal-Guest-Email-Hash", &guest.email_hash);
        let _ = headers.set("X-Lojal-Guest-Ts", &guest.ts.to_string());
        let _ = headers.set("X-Lojal-Guest-Sig", &guest.sig);
    }
    let window = web_sys::window().ok_or(ApiError::Unreachable)?;
    let response: Response =
        JsFuture::from(window.fetch_with_request(&request)).await.map_err(|_| ApiError::Unreachable)?.unchecked_into();
    read(response).await
}

/// `url` (which has a query already) with the shopper's signed identity
/// in its query string: `customer`, `ts`, `sig`, or a guest's
/// `guest_email_hash`, `guest_ts`, `guest_sig`.
fn with_identity(config: &Config, url: &str) -> String {
    let identity = if let Some(c) = &config.customer {
        format!("customer={}&ts={}&sig={}", encode(&c.id), c.ts, encode(&c.sig))
    } else if let Some(g) = &config.guest {
        format!("guest_email_hash={}&guest_ts={}&guest_sig={}", encode(&g.email_hash), g.ts, encode(&g.sig))
    } else {
        return url.to_owned();
    };
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{identity}")
}

/// The JSON body of a 2xx answer (`None` for an empty one), or the error.
async fn read(response: Response) -> Result<Option<JsValue>, ApiError> {
    if response.status() == 204 {
        return Ok(None);
    }
    let json = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    if response.ok() {
        return json.map(Some).ok_or(ApiError::BadResponse);
    }
    let (code, message) = json.as_ref().map(error_fields).unwrap_or_default();
    Err(ApiError::Status {
        status: response.status(),
        code: if code.is_empty() { format!("http_{}", response.status()) } else { code },
        message,
    })
}

/// Reads `{"error": {"code", "message"}}`, the contract's error shape.
fn error_fields(body: &JsValue) -> (String, String) {
    let error = js_sys::Reflect::get(body, &"error".into()).unwrap_or(JsValue::UNDEFINED);
    let field =
        |name: &str| js_sys::Reflect::get(&error, &name.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    (field("code"), field("message"))
}

fn encode(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}
