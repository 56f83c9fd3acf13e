//! `GET /openapi.json`: the API described for client generators and
//! humans. Kept true by `tests/openapi.rs`, which checks every documented
//! route against the router and real answers against their schemas.

use axum::http::header;
use axum::response::IntoResponse;

pub const DOCUMENT: &str = include_str!("../../openapi.json");

pub async fn get() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}
