//! The HTTP surface: one router for the API and the widget's assets.

mod assets;
mod cors;
mod identity;
mod widget;

use crate::db::Db;
use crate::error::Error;
use axum::routing::get;
use axum::Router;
use std::path::PathBuf;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    /// The built widget (`pkg/`): `widget.js`, its module and its wasm.
    pub assets: PathBuf,
}

/// No request of the API is near this size; a bigger body is refused
/// before it is read.
const MAX_BODY_BYTES: usize = 256 * 1024;

pub fn app(state: AppState) -> Router {
    let shopper_api = Router::new()
        .route("/v1/shops/{shop}/widget", get(widget::get_widget))
        .layer(cors::per_shop(state.db.clone()));
    Router::new()
        .merge(shopper_api)
        .fallback_service(assets::service(&state.assets))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .with_state(state)
}

/// The contract's 404 for paths that are neither API nor asset.
async fn not_found() -> Error {
    Error::NotFound
}
