//! The one request the widget makes to render: `GET /v1/shops/{shop}/widget`.

use crate::config::Config;
use lojal_core::api::WidgetData;
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// Past this the widget gives up and shows its fallback: a shop page must
/// not wait on loyalty.
const TIMEOUT_MS: u32 = 4_000;

/// Why the widget could not get its data. Each maps to the `code` of the
/// `lojal:error` event.
#[derive(Debug)]
pub enum ApiError {
    /// No answer: the API is down, refused by CORS, or timed out.
    Unreachable,
    /// The API answered with an error status; `code` is from its error body
    /// when it had one.
    Status {
        status: u16,
        code: String,
        message: String,
    },
    /// The API answered 2xx with something that is not the widget's JSON.
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
            ApiError::Status {
                status, message, ..
            } => write!(f, "the loyalty service answered {status}: {message}"),
            ApiError::BadResponse => {
                f.write_str("the loyalty service answered with something that is not JSON")
            }
        }
    }
}

pub async fn fetch_widget(config: &Config) -> Result<WidgetData, ApiError> {
    let url = format!(
        "{}/v1/shops/{}/widget",
        config.api,
        encode_path_segment(&config.shop)
    );
    let body = get_json(&url, config).await?;
    serde_wasm_bindgen::from_value(body).map_err(|_| ApiError::BadResponse)
}

async fn get_json(url: &str, config: &Config) -> Result<JsValue, ApiError> {
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS)));
    let request = Request::new_with_str_and_init(url, &init).map_err(|_| ApiError::Unreachable)?;
    let headers = request.headers();
    if let Some(customer) = &config.customer {
        // Header values the browser refuses (control characters) would throw:
        // such an identity cannot be valid anyway, so the shopper is a guest.
        let _ = headers.set("X-Lojal-Customer", &customer.id);
        let _ = headers.set("X-Lojal-Ts", &customer.ts.to_string());
        let _ = headers.set("X-Lojal-Sig", &customer.sig);
    }
    let window = web_sys::window().ok_or(ApiError::Unreachable)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::Unreachable)?
        .unchecked_into();
    let body = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    if response.ok() {
        return body.ok_or(ApiError::BadResponse);
    }
    let (code, message) = body.as_ref().map(error_fields).unwrap_or_default();
    Err(ApiError::Status {
        status: response.status(),
        code: if code.is_empty() {
            format!("http_{}", response.status())
        } else {
            code
        },
        message,
    })
}

/// Reads `{"error": {"code", "message"}}`, the contract's error shape.
fn error_fields(body: &JsValue) -> (String, String) {
    let error = js_sys::Reflect::get(body, &"error".into()).unwrap_or(JsValue::UNDEFINED);
    let field = |name: &str| {
        js_sys::Reflect::get(&error, &name.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    (field("code"), field("message"))
}

fn encode_path_segment(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}
