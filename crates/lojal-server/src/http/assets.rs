//! The widget's files: `widget.js`, the ES module and the wasm, served to
//! any origin since every shop's page loads them cross-origin.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get_service, MethodRouter};
use std::path::Path;
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Short enough that a new release reaches shoppers within minutes, long
/// enough that a shopper's next page view does not fetch the widget again.
const CACHE_CONTROL: &str = "public, max-age=300";
/// The widget's files have short names. A longer path is none of them, and
/// is answered before the file system, which errs on a name past 255 bytes
/// rather than saying there is no such file.
const MAX_PATH_BYTES: usize = 200;

pub fn service<S: Clone + Send + Sync + 'static>(dir: &Path) -> MethodRouter<S> {
    let files = ServeDir::new(dir).append_index_html_on_directories(false).not_found_service(get_service(
        tower::service_fn(|_| async { Ok::<_, std::convert::Infallible>(super::not_found().await.into_response()) }),
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
    .layer(axum::middleware::from_fn(short_paths_only))
}

async fn short_paths_only(request: Request, next: Next) -> Response {
    if request.uri().path().len() > MAX_PATH_BYTES {
        return super::not_found().await.into_response();
    }
    next.run(request).await
}
