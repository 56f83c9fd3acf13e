//! Two rules for every request and every answer, as one middleware around
//! the whole router:
//!
//! - A NUL character (`%00`) in the path or the query is refused with `400
//!   bad_request` before any handler runs: PostgreSQL can neither store nor
//!   compare text holding one. (In JSON bodies: `json.rs`.)
//! - Every error answer is in the contract's shape. Ours already are; the
//!   ones axum and tower-http make themselves (a method the route does not
//!   take, a malformed or repeated query parameter, a body over the limit
//!   where a handler reads raw bytes) are rewritten here, keeping their
//!   status and headers (`Allow`, CORS).

use crate::error::Error;
use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The most of a rejection's plain-text body kept as the error's message.
const MAX_DETAIL: usize = 300;

pub async fn guard(request: Request, next: Next) -> Response {
    if has_nul(request.uri()) {
        return Error::BadRequest("the address must not hold a NUL character (%00)".into()).into_response();
    }
    in_error_shape(next.run(request).await).await
}

/// `%00` anywhere in the path or query: percent-decoding either makes a NUL
/// (a raw one cannot be in a URI at all).
fn has_nul(uri: &Uri) -> bool {
    let nul = |s: &str| s.contains("%00");
    nul(uri.path()) || uri.query().is_some_and(nul)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"))
}

async fn in_error_shape(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(response.headers()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // axum's rejections explain themselves in a line of plain text.
    let detail = match axum::body::to_bytes(body, 4 * 1024).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().chars().take(MAX_DETAIL).collect(),
        Err(_) => String::new(),
    };
    let error = match status {
        StatusCode::BAD_REQUEST if !detail.is_empty() => Error::BadRequest(detail),
        StatusCode::NOT_FOUND => Error::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => Error::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => Error::TooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::NotJson,
        StatusCode::UNPROCESSABLE_ENTITY if !detail.is_empty() => Error::BadJsonData(detail),
        status => Error::Refused(status),
    };
    let (shaped, body) = error.into_response().into_parts();
    for name in [header::CONTENT_TYPE, header::CONTENT_LENGTH, header::CONTENT_ENCODING, header::TRANSFER_ENCODING] {
        parts.headers.remove(name);
    }
    parts.headers.extend(shaped.headers);
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_in_the_path_and_the_query_only_as_percent_00() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert!(has_nul(&uri("/v1/shops/demo/referrals/%00/visits")));
        assert!(has_nul(&uri("/v1/shops/demo/widget?locale=sv%00")));
        assert!(!has_nul(&uri("/v1/shops/demo/referrals/A%2500/visits")), "an encoded `%` then `00` is text");
        assert!(!has_nul(&uri("/v1/shops/demo/widget?locale=sv")));
    }
}
