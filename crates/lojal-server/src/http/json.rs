//! axum's `Json` with our error shape: a body that is not JSON, not the
//! right JSON or too large is answered like every other error. A string
//! holding NUL (`\u0000`) is refused here too, for every JSON body: no
//! field needs one, and PostgreSQL cannot store one.

use crate::error::Error;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        if !json_content_type(req.headers()) {
            return Err(Error::NotJson);
        }
        let body = Bytes::from_request(req, state).await.map_err(|rejection| match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Error::TooLarge,
            _ => Error::BadJson(rejection.body_text()),
        })?;
        let axum::Json(value) = axum::Json::<T>::from_bytes(&body).map_err(from_rejection)?;
        refuse_nul(&body)?;
        Ok(Json(value))
    }
}

/// `application/json` or `application/...+json`, as axum's own `Json` asks.
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence.strip_prefix("application/").is_some_and(|sub| sub == "json" || sub.ends_with("+json"))
}

/// Refuses JSON text holding a NUL in a string. JSON cannot hold a raw
/// control character, so a NUL can only be the escape `\u0000`; walking the
/// escapes (a `\\` is skipped whole) finds exactly those.
fn refuse_nul(json: &[u8]) -> Result<(), Error> {
    let mut i = 0;
    while i < json.len() {
        if json[i] != b'\\' {
            i += 1;
        } else if json[i + 1..].starts_with(b"u0000") {
            return Err(Error::Invalid(lojal_core::Error::InvalidRequest(
                "text must not hold a NUL character (\\u0000)".into(),
            )));
        } else {
            i += 2;
        }
    }
    Ok(())
}

fn from_rejection(rejection: JsonRejection) -> Error {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => Error::TooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::NotJson,
        StatusCode::UNPROCESSABLE_ENTITY => Error::BadJsonData(rejection.body_text()),
        _ => Error::BadJson(rejection.body_text()),
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Parses an optional JSON body: empty means `T::default()`.
pub fn parse_or_default<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let value = serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => Error::BadJsonData(e.to_string()),
        _ => Error::BadJson(e.to_string()),
    })?;
    refuse_nul(body)?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_only_where_it_is_a_character() {
        assert!(refuse_nul(br#"{"name": "a\u0000b"}"#).is_err());
        assert!(refuse_nul(br#"{"a\u0000": 1}"#).is_err(), "in a key too");
        assert!(refuse_nul(br#"["\\", "\u0000"]"#).is_err());
        assert!(refuse_nul(br#"{"name": "a\\u0000b"}"#).is_ok(), "an escaped backslash, then text");
        assert!(refuse_nul(br#"{"name": "\u00001", "n": 0}"#).is_err());
        assert!(refuse_nul(br#"{"name": "\u0001 \"\\"}"#).is_ok());
    }

    #[test]
    fn json_content_types_are_those_axum_takes() {
        let with = |v: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, v.parse().unwrap());
            json_content_type(&headers)
        };
        assert!(with("application/json"));
        assert!(with("application/json; charset=utf-8"));
        assert!(with("Application/JSON"));
        assert!(with("application/merge-patch+json"));
        assert!(!with("text/plain"));
        assert!(!with("application/jsonx"));
        assert!(!json_content_type(&HeaderMap::new()));
    }
}
