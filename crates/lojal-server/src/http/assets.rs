//! The widget's files: `widget.js`, the ES module and the wasm, served to
//! any origin since every shop's page loads them cross-origin.

use axum::http::{header, HeaderValue};
use axum::routing::{get_service, MethodRouter};
use std::path::Path;
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Short enough that a new release reaches shoppers within minutes, long
/// enough that a shopper's next page view does not fetch the widget again.
const CACHE_CONTROL: &str = "public, max-age=300";

pub fn service<S: Clone + Send + Sync + 'static>(dir: &Path) -> MethodRouter<S> {
    let files = ServeDir::new(dir).append_index_html_on_directories(false).not_found_service(get_service(
        tower::service_fn(|_| async {
            Ok::<_, std::convert::Infallible>(axum::response::IntoResponse::into_response(super::not_found().await))
        }),
    ));
    get_service(
        ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                HeaderValue::from_static(CACHE_CONTROL),
            ))
            .service(files),
    )
}
