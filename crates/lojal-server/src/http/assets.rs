//! The widget's files: `widget.js`, the ES module, its glue and the wasm,
//! served to any origin since every shop's page loads them cross-origin.
//!
//! By default, the copy compiled into the binary (`build.rs`, from `pkg/`):
//! the module, glue and wasm under names holding a hash of their content,
//! cached for a year, and `widget.js`, the stable entry, cached for minutes
//! and loading those names. `--assets DIR` serves a folder from disk instead,
//! as it is, for working on the widget without rebuilding the server.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, get_service, MethodRouter};
use std::path::Path;
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Short enough that a new release reaches shoppers within minutes, long
/// enough that a shopper's next page view does not fetch the widget again.
const CACHE_CONTROL: &str = "public, max-age=300";
/// A hashed name always holds the same bytes: cached for good.
const CACHE_IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The widget's files have short names. A longer path is none of them, and
/// is answered before the file system, which errs on a name past 255 bytes
/// rather than saying there is no such file.
const MAX_PATH_BYTES: usize = 200;

/// One of the widget's files as compiled in.
pub(crate) struct File {
    /// Without the leading `/`.
    pub path: &'static str,
    pub body: &'static [u8],
    pub content_type: &'static str,
    /// A hash of `body`, as a weak validator (`W/"..."`): compression
    /// sends the same content in other bytes.
    pub etag: &'static str,
    /// The name holds a hash of the content.
    pub immutable: bool,
}

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/widget_assets.rs"));
}

/// The files compiled in, or those in `dir` (`--assets`).
pub fn service<S: Clone + Send + Sync + 'static>(dir: Option<&Path>) -> MethodRouter<S> {
    match dir {
        None => get(embedded_file),
        Some(dir) => from_dir(dir),
    }
}

async fn embedded_file(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().strip_prefix('/').unwrap_or_default();
    let Some(file) = embedded::FILES.iter().find(|file| file.path == path) else {
        return super::not_found().await.into_response();
    };
    let cache = if file.immutable { CACHE_IMMUTABLE } else { CACHE_CONTROL };
    let headers_out = [
        (header::CONTENT_TYPE, file.content_type),
        (header::CACHE_CONTROL, cache),
        (header::ETAG, file.etag),
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
    ];
    if matches_etag(&headers, file.etag) {
        return (StatusCode::NOT_MODIFIED, headers_out).into_response();
    }
    (headers_out, file.body).into_response()
}

/// `If-None-Match` names `etag` (or `*`): the browser's copy is current.
/// The comparison is weak, as RFC 9110 asks for this header.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().strip_prefix("W/").unwrap_or(tag.trim()).to_owned();
    let etag = opaque(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == "*" || opaque(tag) == etag)
}

fn from_dir<S: Clone + Send + Sync + 'static>(dir: &Path) -> MethodRouter<S> {
    tracing::info!("serving the widget's files from {} (--assets), not the copy built in", dir.display());
    if !dir.join("widget.js").is_file() {
        tracing::warn!("{} holds no widget.js: the script tag will find nothing", dir.display());
    }
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
