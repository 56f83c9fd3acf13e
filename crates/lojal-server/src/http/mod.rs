//! The HTTP surface: one router for the API and the widget's assets.

mod actions;
mod assets;
mod auth;
mod birthday;
mod cart;
mod codes;
mod cors;
mod credit;
mod customers;
mod donations;
mod feedback;
mod guard;
mod guests;
mod imports;
mod json;
pub mod limits;
mod merchant_page;
mod metrics;
mod nudges;
mod openapi;
pub mod ops;
mod orders;
mod platforms;
mod privacy;
mod products;
mod program;
mod recommendations;
mod redemptions;
mod referrals;
pub mod shop_cache;
mod webhooks;
mod widget;

use crate::db::Db;
use crate::error::Error;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
use axum::Router;
use limits::Limits;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    /// Where the widget's files (`widget.js`, its module, glue and wasm)
    /// come from: `None`, the copy built into the binary; `Some(dir)`, a
    /// folder on disk (`--assets`, for working on the widget).
    pub assets: Option<PathBuf>,
    pub limits: Arc<Limits>,
    pub shops: Arc<shop_cache::ShopCache>,
    pub models: Arc<crate::store::model_cache::ModelCache>,
    /// The widget's reads, kept until anything is written.
    pub views: Arc<crate::app::widget_view::kept::KeptViews>,
    /// Requests, orders, ... counted for `/metrics`.
    pub telemetry: Arc<crate::telemetry::Metrics>,
    /// `/metrics` on the API's address takes this bearer token; without
    /// one it is not served there (`--metrics-token`).
    pub metrics_token: Option<crate::telemetry::MetricsToken>,
    /// Where `POST .../orders` hands its orders (group commit on SQLite).
    pub orders: Arc<crate::order_writer::OrderWriter>,
}

impl AppState {
    /// With the standard rate limits.
    pub fn new(db: Db, assets: Option<PathBuf>) -> AppState {
        // The kept widget views must hear of other processes' writes.
        db.watch_other_writers();
        AppState {
            orders: Arc::new(crate::order_writer::OrderWriter::new(db.clone())),
            db,
            assets,
            limits: Limits::standard(),
            shops: Arc::default(),
            models: Arc::default(),
            views: Arc::default(),
            telemetry: Arc::default(),
            metrics_token: None,
        }
    }
}

/// No request but a catalogue is near this size; a bigger body is refused
/// before it is read.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// A catalogue of 100,000 products.
const MAX_CATALOGUE_BYTES: usize = 64 * 1024 * 1024;
/// An import file: 100,000 members take about 4 MB, as many order lines about 8.
const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;
/// A platform's order of 500 lines (the most one may have) in full.
const MAX_PLATFORM_BYTES: usize = 2 * 1024 * 1024;

pub fn app(state: AppState) -> Router {
    // Called from shoppers' browsers on the shop's pages: CORS per shop.
    let shopper = Router::new()
        .route("/v1/shops/{shop}/widget", get(widget::get))
        .route("/v1/shops/{shop}/redemptions", post(redemptions::create))
        .route("/v1/shops/{shop}/cart", put(cart::put))
        .route("/v1/shops/{shop}/birthday", put(birthday::put))
        .route("/v1/shops/{shop}/referrals/{code}/visits", post(referrals::visit))
        .route("/v1/shops/{shop}/nudges/{kind}/dismiss", post(nudges::dismiss))
        .route("/v1/shops/{shop}/recommendations/clicks", post(recommendations::click))
        .route("/v1/shops/{shop}/feedback", post(feedback::create))
        .route("/v1/shops/{shop}/donations", post(donations::create))
        .route("/v1/shops/{shop}/actions/{action}/claim", post(actions::claim))
        .layer(axum::middleware::from_fn_with_state(state.limits.clone(), limits::per_ip))
        .layer(cors::per_shop(state.db.clone(), state.shops.clone()));
    // Called by the merchant's back end with the shop secret: no CORS, so
    // no browser page can call them with a shopper's cookies or otherwise.
    let merchant = Router::new()
        .route("/v1/shops/{shop}/program", put(program::put))
        .route("/v1/shops/{shop}/products", put(products::put).layer(DefaultBodyLimit::max(MAX_CATALOGUE_BYTES)))
        .route("/v1/shops/{shop}/orders", post(orders::create))
        .route(
            "/v1/shops/{shop}/imports/members",
            post(imports::members).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
        )
        .route("/v1/shops/{shop}/imports/orders", post(imports::orders).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)))
        .route("/v1/shops/{shop}/orders/{id}/refund", post(orders::refund))
        // Signed by the platform, not the shop secret; orders can be long.
        .route(
            "/v1/shops/{shop}/platforms/shopify",
            post(platforms::shopify).layer(DefaultBodyLimit::max(MAX_PLATFORM_BYTES)),
        )
        .route(
            "/v1/shops/{shop}/platforms/woocommerce",
            post(platforms::woocommerce).layer(DefaultBodyLimit::max(MAX_PLATFORM_BYTES)),
        )
        .route("/v1/shops/{shop}/customers/{customer}", get(customers::get).delete(privacy::erase))
        .route("/v1/shops/{shop}/customers/{customer}/export", get(privacy::export))
        .route("/v1/shops/{shop}/members.csv", get(privacy::members_csv))
        .route("/v1/shops/{shop}/customers/{customer}/adjustments", post(customers::adjust))
        .route("/v1/shops/{shop}/customers/{customer}/actions", post(actions::report))
        .route("/v1/shops/{shop}/customers/{customer}/credit/spend", post(credit::spend))
        .route("/v1/shops/{shop}/customers/{customer}/guest-points", post(guests::claim))
        .route("/v1/shops/{shop}/codes/{code}", get(codes::get))
        .route("/v1/shops/{shop}/codes/{code}/use", post(codes::use_code))
        .route("/v1/shops/{shop}/codes/{code}/void", post(codes::void))
        .route("/v1/shops/{shop}/metrics", get(metrics::get))
        .route("/v1/shops/{shop}/webhooks", post(webhooks::create).get(webhooks::list))
        .route("/v1/shops/{shop}/webhooks/events", get(webhooks::events))
        .route("/v1/shops/{shop}/webhooks/events/{event_id}/resend", post(webhooks::resend))
        .route("/v1/shops/{shop}/webhooks/{id}", delete(webhooks::remove))
        .route("/v1/shops/{shop}/webhooks/{id}/enable", post(webhooks::enable))
        .route("/v1/shops/{shop}/webhooks/{id}/attempts", get(webhooks::attempts));
    Router::new()
        .merge(shopper)
        .merge(merchant)
        .route("/openapi.json", get(openapi::get))
        // For load balancers and operators: no CORS, no rate limits.
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/merchant", get(merchant_page::page))
        .route("/merchant/merchant.js", get(merchant_page::script))
        .route("/merchant/merchant.css", get(merchant_page::style))
        .fallback_service(assets::service(state.assets.as_deref()))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Inside compression, so that it reads the answers as they were made.
        .layer(axum::middleware::from_fn(guard::guard))
        .layer(CompressionLayer::new())
        // Outermost, so that every answer (the guard's too) has its id and
        // is counted, and every log line of the request names the id.
        .layer(axum::middleware::from_fn_with_state(state.telemetry.clone(), ops::observe))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::map_request(ops::sane_request_id))
        .with_state(state)
}

/// The contract's 404 for paths that are neither API nor asset.
async fn not_found() -> Error {
    Error::NotFound
}
