//! For load balancers and operators, apart from the shops' API (no CORS,
//! no rate limits):
//!
//! - `GET /healthz`: the process answers (`200 {"status":"ok"}`).
//! - `GET /readyz`: the database answers within two seconds and its
//!   migrations are exactly this binary's; else `503 not_ready`, saying
//!   which check failed.
//! - `GET /metrics`: Prometheus's text format; on the API's address only
//!   with `Authorization: Bearer <--metrics-token>` (else the 404 of any
//!   unknown path), on `--metrics-addr` ([`metrics_app`]) to anyone who
//!   reaches that address.
//!
//! And what wraps every request ([`sane_request_id`], then tower-http's
//! request id layers, then [`observe`]): an `X-Request-Id` (the caller's
//! if it is a short token, else a new UUID) returned on every answer, a
//! span carrying it (so every log line of the request, errors included,
//! names it), the request's figures and one log line.

use super::AppState;
use crate::error::{Error, Result};
use crate::store::schema::{self, Schema};
use crate::telemetry::{self, Gauges, Metrics};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lojal_core::api::Status;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// The header naming a request, in both directions.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// The longest caller's request id kept; a longer one is replaced.
const MAX_REQUEST_ID: usize = 64;
/// How long `/readyz` waits for the database: a probe's own timeout is
/// usually a few seconds, and a database slower than this is not ready.
const READY_TIMEOUT: Duration = Duration::from_secs(2);
/// The routes load balancers and Prometheus call every few seconds: their
/// log lines are at `debug`, not `info`.
const PROBES: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

fn no_store() -> [(header::HeaderName, HeaderValue); 1] {
    [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))]
}

/// `GET /healthz`: the process is alive and serving HTTP.
pub async fn healthz() -> impl IntoResponse {
    (no_store(), Json(Status::OK))
}

/// `GET /readyz`: the database answers and its schema is this binary's.
pub async fn readyz(State(state): State<AppState>) -> Result<impl IntoResponse> {
    let checks = async {
        if let Err(e) = schema::ping(&state.db).await {
            tracing::warn!(error = ?e, "readiness: the database does not answer");
            return Err(Error::NotReady("the database does not answer".into()));
        }
        let schema = schema::check(&state.db).await.map_err(|e| {
            tracing::warn!(error = ?e, "readiness: reading the applied migrations failed");
            Error::NotReady("the database's migrations cannot be read".into())
        })?;
        match schema {
            Schema::Current => Ok(()),
            Schema::Pending(version) => Err(Error::NotReady(format!("migration {version} is not applied"))),
            Schema::Unknown(version) => Err(Error::NotReady(format!(
                "migration {version} is applied but unknown to this server (a newer server migrated the database)"
            ))),
            Schema::Changed(version) => Err(Error::NotReady(format!(
                "migration {version} was applied from a different text than this server's"
            ))),
        }
    };
    match tokio::time::timeout(READY_TIMEOUT, checks).await {
        Ok(result) => result?,
        Err(_) => return Err(Error::NotReady("the database did not answer within 2 seconds".into())),
    }
    Ok((no_store(), Json(Status::OK)))
}

/// `GET /metrics` on the API's address: only with the metrics token, and
/// otherwise the same 404 as a path that does not exist.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let given =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    match (&state.metrics_token, given) {
        (Some(token), Some(given)) if token.matches(given) => Ok(render(&state)),
        _ => Err(Error::NotFound),
    }
}

fn render(state: &AppState) -> Response {
    let pool = &state.db.pool;
    let open = u64::from(pool.size());
    let idle = u64::try_from(pool.num_idle()).unwrap_or(u64::MAX).min(open);
    let (rate_limited_ip, rate_limited_customer) = state.limits.refused();
    let text = state.telemetry.render(Gauges {
        pool_idle: idle,
        pool_in_use: open - idle,
        pool_max: u64::from(pool.options().get_max_connections()),
        rate_limited_ip,
        rate_limited_customer,
    });
    let content_type = [(header::CONTENT_TYPE, HeaderValue::from_static(telemetry::CONTENT_TYPE))];
    (no_store(), content_type, text).into_response()
}

/// What `--metrics-addr` serves: `GET /metrics` to anyone reaching the
/// address (an internal network's), and the contract's 404 for the rest.
pub fn metrics_app(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(|State(state): State<AppState>| async move { render(&state) }))
        .fallback(super::not_found)
        .layer(axum::middleware::from_fn(super::guard::guard))
        .with_state(state)
}

/// A caller's request id is kept when it is one short token (letters,
/// digits, `-`, `_`, `.`; at most 64): anything else could forge or break
/// log lines, so it is dropped and a new one made.
fn is_sane(id: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID).contains(&id.len()) && id.iter().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(b))
}

/// Drops a caller's `X-Request-Id` unless it is one sane token, so that
/// tower-http's `SetRequestId` after it makes a new one.
pub async fn sane_request_id(mut request: Request) -> Request {
    let headers = request.headers_mut();
    let mut ids = headers.get_all(&REQUEST_ID).iter();
    let keep = match (ids.next(), ids.next()) {
        (Some(id), None) => is_sane(id.as_bytes()),
        _ => false,
    };
    if !keep {
        headers.remove(&REQUEST_ID);
    }
    request
}

/// Around every request: its span (method, route template, request id),
/// its count and latency by route template, and one log line with its
/// status. Nothing of the raw path, the query or the headers is logged:
/// they hold customer ids and secrets.
pub async fn observe(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    // Not the path asked for: it holds customer ids. The widget's files
    // and paths no route has are `fallback`.
    let route = request.extensions().get::<MatchedPath>().map_or("fallback", MatchedPath::as_str).to_owned();
    let method = telemetry::method_label(request.method());
    let request_id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    // At level ERROR so that the span is on whenever error lines are:
    // every error line of the request then carries its id.
    let span = tracing::error_span!("request", method, route = %route, request_id = %request_id);
    async move {
        let started = Instant::now();
        let response = next.run(request).await;
        let took = started.elapsed();
        let status = response.status().as_u16();
        metrics.request(&route, method, status, took);
        let latency_ms = took.as_secs_f64() * 1e3;
        if PROBES.contains(&route.as_str()) {
            tracing::debug!(status, latency_ms, "request");
        } else {
            tracing::info!(status, latency_ms, "request");
        }
        response
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::is_sane;

    #[test]
    fn only_short_plain_tokens_are_kept_as_request_ids() {
        assert!(is_sane(b"3f0c9a52-1b7e-4d0a-9c1e-6b2f8d4e7a10"));
        assert!(is_sane(b"lb.req_42"));
        assert!(!is_sane(b""));
        assert!(!is_sane("a".repeat(65).as_bytes()));
        assert!(!is_sane(b"id with spaces"));
        assert!(!is_sane(b"x\"}{\"level\":\"ERROR"));
        assert!(!is_sane("ümlaut".as_bytes()));
    }
}
