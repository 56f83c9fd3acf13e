//! The widget's files, served to every origin with the right types.

use crate::support::{server, Store};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

#[tokio::test]
async fn the_widget_files_are_served_to_any_origin_with_the_right_types() {
    let server = server(Store::Sqlite).await;
    let wasm = Request::get("/lojal_wasm_bg.wasm").header(header::ORIGIN, "https://anyone.example").body(Body::empty());
    let wasm = server.send(wasm.unwrap()).await;
    assert_eq!(wasm.status, StatusCode::OK);
    assert_eq!(wasm.headers.get(header::CONTENT_TYPE).unwrap(), "application/wasm");
    assert_eq!(wasm.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(), "*");
    assert!(wasm.headers.get(header::CACHE_CONTROL).unwrap().to_str().unwrap().contains("max-age"));

    let js = server.send(Request::get("/widget.js").body(Body::empty()).unwrap()).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().contains("javascript"));

    let missing = server.send(Request::get("/nope.js").body(Body::empty()).unwrap()).await;
    missing.assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn answers_are_compressed_for_clients_that_ask() {
    let server = server(Store::Sqlite).await;
    let request = Request::get("/v1/shops/demo/widget").header(header::ACCEPT_ENCODING, "br, gzip").body(Body::empty());
    let reply = server.send(request.unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers.get(header::CONTENT_ENCODING).unwrap(), "br");
}
