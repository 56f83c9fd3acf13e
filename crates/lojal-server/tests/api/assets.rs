//! The widget's files, served to every origin with the right types: by
//! default the copy built into the binary (from `pkg/`, which the test
//! command builds first), the module, glue and wasm under content-hashed
//! names cached for good; with `--assets DIR`, a folder from disk.

use crate::support::{server, Reply, Store, TestServer};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use lojal_server::{app, AppState};
use sha2::{Digest, Sha256};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const SHORT: &str = "public, max-age=300";

async fn get(server: &TestServer, path: &str) -> Reply {
    server.send(Request::get(path).header(header::ORIGIN, "https://anyone.example").body(Body::empty()).unwrap()).await
}

fn header(reply: &Reply, name: header::HeaderName) -> &str {
    reply.headers.get(&name).unwrap_or_else(|| panic!("no {name}")).to_str().unwrap()
}

/// The one quoted name in `text` of the form `{stem}.{16 hex}.{ext}`
/// (named once or more).
fn hashed_name(text: &str, stem: &str, ext: &str) -> String {
    let mut names: Vec<&str> = text
        .split(['"', '\'', '/'])
        .filter(|s| {
            s.strip_prefix(&format!("{stem}."))
                .and_then(|rest| rest.strip_suffix(&format!(".{ext}")))
                .is_some_and(|hash| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 1, "one {stem}.HASH.{ext} in {text:.200}");
    names[0].to_owned()
}

/// The name's hash is the start of the SHA-256 of what it serves.
fn assert_content_hash(name: &str, body: &[u8]) {
    let hex: String = Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(name.split('.').nth(1).unwrap(), &hex[..16], "{name} holds the hash of its content");
}

#[tokio::test]
async fn widget_js_is_the_stable_entry_and_loads_content_hashed_files_cached_for_good() {
    let server = server(Store::Sqlite).await;
    let widget = get(&server, "/widget.js").await;
    assert_eq!(widget.status, StatusCode::OK);
    assert_eq!(header(&widget, header::CONTENT_TYPE), "text/javascript; charset=utf-8");
    assert_eq!(header(&widget, header::CACHE_CONTROL), SHORT, "the stable entry: a new release within minutes");
    assert_eq!(header(&widget, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
    let loader = String::from_utf8(widget.body).unwrap();
    assert!(loader.contains("document.currentScript"), "the real loader from pkg/widget.js");
    // One script: the module and the glue are in it (issue 17).
    assert!(loader.contains("customElements.define"), "the module from pkg/index.js, inside");
    assert!(loader.contains("wasm_bindgen"), "wasm-bindgen's glue, inside");
    assert!(!loader.contains("import.meta"), "a classic script throughout");
    let index = hashed_name(&loader, "index", "js");
    let wasm = hashed_name(&loader, "lojal_wasm_bg", "wasm");
    assert!(!loader.contains("\"index.js\"") && !loader.contains("\"lojal_wasm_bg.wasm\""), "no plain name left");

    let module = get(&server, &format!("/{index}")).await;
    assert_eq!(module.status, StatusCode::OK);
    assert_eq!(header(&module, header::CONTENT_TYPE), "text/javascript; charset=utf-8");
    assert_eq!(header(&module, header::CACHE_CONTROL), IMMUTABLE);
    assert_eq!(header(&module, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
    assert_content_hash(&index, &module.body);
    let module_text = String::from_utf8(module.body).unwrap();
    assert!(module_text.contains("customElements.define"), "the real module from pkg/index.js");
    let glue = hashed_name(&module_text, "lojal_wasm", "js");
    assert_eq!(hashed_name(&module_text, "lojal_wasm_bg", "wasm"), wasm, "the module's own fallback, the same wasm");

    let glue_reply = get(&server, &format!("/{glue}")).await;
    assert_eq!(glue_reply.status, StatusCode::OK);
    assert_eq!(header(&glue_reply, header::CONTENT_TYPE), "text/javascript; charset=utf-8");
    assert_eq!(header(&glue_reply, header::CACHE_CONTROL), IMMUTABLE);
    assert_content_hash(&glue, &glue_reply.body);
    assert_eq!(hashed_name(&String::from_utf8(glue_reply.body).unwrap(), "lojal_wasm_bg", "wasm"), wasm);

    let binary = get(&server, &format!("/{wasm}")).await;
    assert_eq!(binary.status, StatusCode::OK);
    assert_eq!(header(&binary, header::CONTENT_TYPE), "application/wasm");
    assert_eq!(header(&binary, header::CACHE_CONTROL), IMMUTABLE);
    assert_eq!(header(&binary, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
    assert!(binary.body.starts_with(b"\0asm"), "a wasm module");
    assert_content_hash(&wasm, &binary.body);

    // The plain names serve the same files, cached briefly: a page importing
    // the module from the server, or a loader cached before an upgrade.
    for (plain, hashed) in [("index.js", &index), ("lojal_wasm.js", &glue), ("lojal_wasm_bg.wasm", &wasm)] {
        let (plain_reply, hashed_reply) =
            (get(&server, &format!("/{plain}")).await, get(&server, &format!("/{hashed}")).await);
        assert_eq!(plain_reply.status, StatusCode::OK, "{plain}");
        assert_eq!(header(&plain_reply, header::CACHE_CONTROL), SHORT, "{plain}");
        assert_eq!(plain_reply.body, hashed_reply.body, "{plain}");
    }
}

#[tokio::test]
async fn a_hash_that_is_not_this_build_s_and_other_files_are_404_in_the_error_shape() {
    let server = server(Store::Sqlite).await;
    let loader = String::from_utf8(get(&server, "/widget.js").await.body).unwrap();
    let wasm = hashed_name(&loader, "lojal_wasm_bg", "wasm");
    let stale = format!("/{}", wasm.replace(&wasm[14..30], "0123456789abcdef"));
    assert_ne!(stale, format!("/{wasm}"));
    for path in [
        stale.as_str(),
        "/index.0000000000000000.js",
        "/lojal_wasm.js.map",
        "/index.d.ts",
        "/package.json",
        "/nope.js",
        "/",
    ] {
        let reply = get(&server, path).await;
        reply.assert_error(StatusCode::NOT_FOUND, "not_found");
        assert!(reply.headers.get(header::CACHE_CONTROL).is_none_or(|v| !v.to_str().unwrap().contains("immutable")));
    }
}

#[tokio::test]
async fn a_browser_s_current_copy_is_confirmed_not_sent_again() {
    let server = server(Store::Sqlite).await;
    let first = get(&server, "/widget.js").await;
    let etag = header(&first, header::ETAG).to_owned();
    let strong = etag.strip_prefix("W/").expect("a weak validator: compression changes the bytes");
    assert!(strong.len() == 34 && strong.starts_with('"') && strong.ends_with('"'), "{etag}");
    for tag in [etag.clone(), strong.to_owned(), format!("\"other\", {etag}"), "*".to_owned()] {
        let request = Request::get("/widget.js").header(header::IF_NONE_MATCH, &tag).body(Body::empty()).unwrap();
        let again = server.send(request).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{tag}");
        assert!(again.body.is_empty());
        assert_eq!(header(&again, header::ETAG), etag);
        assert_eq!(header(&again, header::CACHE_CONTROL), SHORT);
    }
    let request = Request::get("/widget.js").header(header::IF_NONE_MATCH, "\"older\"").body(Body::empty()).unwrap();
    let changed = server.send(request).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(changed.body, first.body);

    // HEAD: the headers alone.
    let head = server.send(Request::head("/widget.js").body(Body::empty()).unwrap()).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    assert_eq!(header(&head, header::CONTENT_LENGTH), first.body.len().to_string());
    let post =
        server.send(Request::builder().method(Method::POST).uri("/widget.js").body(Body::empty()).unwrap()).await;
    post.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn with_assets_a_folder_is_served_as_it_is_on_disk() {
    let mut server = server(Store::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lojal_wasm_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.path().join("widget.js"), b"/* loader */").unwrap();
    server.router = app(AppState::new(server.db.clone(), Some(dir.path().to_path_buf())));

    let wasm = get(&server, "/lojal_wasm_bg.wasm").await;
    assert_eq!(wasm.status, StatusCode::OK);
    assert_eq!(header(&wasm, header::CONTENT_TYPE), "application/wasm");
    assert_eq!(header(&wasm, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
    assert_eq!(header(&wasm, header::CACHE_CONTROL), SHORT);
    assert_eq!(wasm.body, b"\0asm\x01\0\0\0");

    let js = get(&server, "/widget.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(header(&js, header::CONTENT_TYPE).contains("javascript"));
    assert_eq!(js.body, b"/* loader */", "the folder's file, not the one built in");

    get(&server, "/nope.js").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    get(&server, &format!("/{}", "a".repeat(300))).await.assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn answers_are_compressed_for_clients_that_ask() {
    let server = server(Store::Sqlite).await;
    let request = Request::get("/v1/shops/demo/widget").header(header::ACCEPT_ENCODING, "br, gzip").body(Body::empty());
    let reply = server.send(request.unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers.get(header::CONTENT_ENCODING).unwrap(), "br");
    // The widget's files too.
    let loader = String::from_utf8(get(&server, "/widget.js").await.body).unwrap();
    let path = format!("/{}", hashed_name(&loader, "lojal_wasm_bg", "wasm"));
    let plain = get(&server, &path).await;
    let request = Request::get(&path).header(header::ACCEPT_ENCODING, "br, gzip").body(Body::empty());
    let reply = server.send(request.unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers.get(header::CONTENT_ENCODING).unwrap(), "br");
    assert!(reply.body.len() < plain.body.len() * 3 / 4, "{} of {}", reply.body.len(), plain.body.len());
}
