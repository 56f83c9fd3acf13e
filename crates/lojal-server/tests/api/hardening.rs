//! The security review's findings (issue 16), each proven fixed: NUL in any
//! text that could reach SQL, answers outside the error shape, shops with a
//! currency the widget cannot format, and weak shop secrets.

use crate::on_each_backend;
use crate::support::{program, server, Reply, Store, TestServer, SECRET};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use lojal_server::app::add_shop;
use lojal_server::clock;
use lojal_server::store::shops::Shop;
use serde_json::json;
use std::process::Command;

on_each_backend!(
    nul_in_the_path_or_query_is_a_clean_400_and_writes_nothing,
    nul_in_any_json_string_is_refused_and_writes_nothing,
    answers_made_by_the_framework_are_in_the_error_shape,
    shops_with_a_currency_outside_iso_4217_are_refused,
);

async fn get(server: &TestServer, path: &str, merchant: bool) -> Reply {
    if merchant {
        server.merchant(Method::GET, path, None).await
    } else {
        server.shopper(Method::GET, path, Some("anna"), None).await
    }
}

async fn nul_in_the_path_or_query_is_a_clean_400_and_writes_nothing(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 10_000).await;
    // The review's example: a guest's referral visit. PostgreSQL answered 500.
    let visit = server.shopper(Method::POST, "/v1/shops/demo/referrals/%00/visits", None, None).await;
    assert!(visit.assert_error(StatusCode::BAD_REQUEST, "bad_request").contains("NUL"));
    for (method, path, merchant) in [
        (Method::POST, "/v1/shops/demo/referrals/AB%00CD/visits", false),
        (Method::POST, "/v1/shops/demo/nudges/win_back%00/dismiss", false),
        (Method::POST, "/v1/shops/demo/actions/%00/claim", false),
        (Method::GET, "/v1/shops/demo%00/widget", false),
        (Method::GET, "/v1/shops/demo/widget?locale=sv%00", false),
        (Method::GET, "/v1/shops/demo/customers/anna%00", true),
        (Method::POST, "/v1/shops/demo/customers/anna%00/adjustments", true),
        (Method::POST, "/v1/shops/demo/orders/o-1%00/refund", true),
        (Method::GET, "/v1/shops/demo/metrics?period_days=%00", true),
        (Method::GET, "/widget.js%00", false),
    ] {
        let reply = if merchant {
            server.merchant(method, path, None).await
        } else {
            server.shopper(method, path, Some("anna"), None).await
        };
        reply.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    }
    assert_eq!(server.count("referral_visits").await, 0);
    assert_eq!(server.points("anna").await, 100, "nothing refunded or adjusted");
}

async fn nul_in_any_json_string_is_refused_and_writes_nothing(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 10_000).await;
    let merchant_bodies = [
        (Method::PUT, "/v1/shops/demo/products", json!([{"sku": "oat", "name": "Oat\u{0}milk", "price": 1990}])),
        (Method::PUT, "/v1/shops/demo/products", json!([{"sku": "oat\u{0}", "name": "Oat milk", "price": 1990}])),
        (Method::POST, "/v1/shops/demo/customers/anna/adjustments", json!({"points": 5, "note": "a\u{0}b"})),
        (
            Method::POST,
            "/v1/shops/demo/orders",
            json!({"id": "o\u{0}2", "customer": "anna", "total": 100, "currency": "SEK"}),
        ),
        (
            Method::POST,
            "/v1/shops/demo/orders",
            json!({"id": "o-2", "customer": "anna", "total": 100, "currency": "SEK",
                   "items": [{"sku": "oat\u{0}", "qty": 1, "price": 100}]}),
        ),
        // The refund's body is read by hand (it may be empty): checked too.
        (Method::POST, "/v1/shops/demo/orders/o-1/refund", json!({"amount": 100, "id": "r\u{0}"})),
    ];
    for (method, path, body) in merchant_bodies {
        let reply = server.merchant(method, path, Some(body)).await;
        assert!(reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request").contains("NUL"), "{path}");
    }
    let mut renamed = serde_json::to_value(program()).unwrap();
    renamed["rewards"][0]["title"] = json!("100 kr\u{0}");
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(renamed)).await;
    reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    let cart = json!({"items": [{"sku": "oat\u{0}", "qty": 1, "price": 100}]});
    let reply = server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("anna"), Some(cart)).await;
    reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");

    assert_eq!(server.count("products").await, 0);
    assert_eq!(server.count("orders").await, 1);
    assert_eq!(server.count("carts").await, 0);
    assert_eq!(server.points("anna").await, 100);
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", None, None).await.json();
    assert_eq!(widget["rewards"][0]["title"], "100 kr rabatt", "the old program stands");
    // The six characters `\u0000` as text (an escaped backslash) are not NUL.
    let text = r#"[{"sku": "oat", "name": "Oat \\u0000 milk", "price": 1990}]"#;
    let reply = server.merchant_raw(Method::PUT, "/v1/shops/demo/products", Some(text.into())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
}

async fn answers_made_by_the_framework_are_in_the_error_shape(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 10_000).await;
    // A method the route does not take: 405 in the shape, `Allow` kept.
    for (method, path, merchant) in [
        (Method::DELETE, "/v1/shops/demo/orders", true),
        (Method::GET, "/v1/shops/demo/orders/o-1/refund", true),
        (Method::PATCH, "/v1/shops/demo/program", true),
        (Method::GET, "/v1/shops/demo/redemptions", false),
        (Method::DELETE, "/v1/shops/demo/cart", false),
        (Method::POST, "/widget.js", false),
    ] {
        let reply = if merchant {
            server.merchant(method.clone(), path, None).await
        } else {
            server.shopper(method.clone(), path, Some("anna"), None).await
        };
        reply.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert!(reply.headers.contains_key(header::ALLOW), "{method} {path}");
        assert_eq!(reply.headers[header::CONTENT_TYPE], "application/json");
    }
    // Repeated and malformed query parameters: axum's Query rejections.
    for (path, merchant) in [
        ("/v1/shops/demo/metrics?period_days=1&period_days=2", true),
        ("/v1/shops/demo/metrics?period_days=abc", true),
        ("/v1/shops/demo/metrics?period_days=99999999999999999999", true),
        ("/v1/shops/demo/widget?locale=sv&locale=da", false),
    ] {
        let message = get(&server, path, merchant).await.assert_error(StatusCode::BAD_REQUEST, "bad_request");
        assert!(message.contains("query"), "{path}: {message}");
    }
    // A body over the limit where the handler reads raw bytes (the refund).
    let huge = format!(r#"{{"amount": 100, "pad": "{}"}}"#, "x".repeat(100_000));
    let reply = server.merchant_raw(Method::POST, "/v1/shops/demo/orders/o-1/refund", Some(huge)).await;
    reply.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    // Without a Content-Length, as a chunked upload would come.
    let stream = chunked(vec![vec![b' '; 40_000], vec![b' '; 40_000]]);
    let request = Request::post("/v1/shops/demo/orders/o-1/refund")
        .header(header::AUTHORIZATION, format!("Bearer {SECRET}"))
        .body(stream)
        .unwrap();
    server.send(request).await.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    assert_eq!(server.points("anna").await, 100, "nothing refunded");
    assert_eq!(server.count("refunds").await, 0);
    // A file name past what the file system takes: ServeDir answered 500.
    let long = format!("/{}.js", "x".repeat(300));
    server.shopper(Method::GET, &long, None, None).await.assert_error(StatusCode::NOT_FOUND, "not_found");
}

/// A body of these chunks, with no length told up front.
fn chunked(chunks: Vec<Vec<u8>>) -> Body {
    Body::from_stream(futures_util::stream::iter(chunks.into_iter().map(Ok::<_, std::convert::Infallible>)))
}

async fn shops_with_a_currency_outside_iso_4217_are_refused(store: Store) {
    let server = server(store).await;
    let shop = |id: &str, currency: &str| Shop {
        id: id.into(),
        name: "Kronor".into(),
        secret: "3f9a1c0e7b2d45e8a6c3f1098d7e2b4c5a6f8e9d0c1b2a3f4e5d6c7b8a9f0e1d".into(),
        currency: currency.into(),
        locale: "sv".into(),
        program: program(),
        origins: vec![],
    };
    // `kr` made `Intl.NumberFormat` throw in the widget; `XYZ` is well formed but no money.
    for (n, currency) in ["kr", "sek", "SEKK", "XYZ", "XXX", "HRK", "€", ""].into_iter().enumerate() {
        let refused = add_shop::add(&server.db, &shop(&format!("bad-{n}"), currency), clock::now()).await;
        assert!(
            matches!(refused, Err(lojal_server::Error::Invalid(lojal_core::Error::InvalidCurrency(_)))),
            "{currency:?}: {refused:?}"
        );
    }
    assert_eq!(server.count("shops").await, 2, "none of them was made");
    add_shop::add(&server.db, &shop("euro", "EUR"), clock::now()).await.unwrap();
}

/// `lojal-server shop add`, run as an operator would, on a fresh database.
fn shop_add(db: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lojal-server"))
        .args(["shop", "add", "--name", "Shop", "--db", db])
        .args(args)
        .env_remove("LOJAL_SHOP_SECRET")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

#[test]
fn shop_add_refuses_weak_secrets_and_unknown_currencies_and_makes_a_strong_secret() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("shops.db").display());
    let strong = "3f9a1c0e7b2d45e8a6c3f1098d7e2b4c5a6f8e9d0c1b2a3f4e5d6c7b8a9f0e1d";
    for (n, secret) in ["s3cret", "crash-test-secret-0123456789abcdef", &"a".repeat(64), &"0123456789".repeat(7)]
        .into_iter()
        .enumerate()
    {
        let out = shop_add(&db, &["--id", &format!("weak-{n}"), "--secret", secret]);
        assert!(!out.status.success(), "{secret} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("32 random bytes"), "{stderr}");
        assert!(!stderr.contains(secret), "the refusal does not echo the secret: {stderr}");
    }
    let out = shop_add(&db, &["--id", "kronor", "--secret", strong, "--currency", "kr"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ISO 4217"));

    let out = shop_add(&db, &["--id", "strong", "--secret", strong, "--currency", "EUR"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = shop_add(&db, &["--id", "base64", "--secret", "q8Vd3Jm+0bX/7kP2rT9wYzL4nH6cF1sGaQeUiOo5RlM="]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Without --secret, one is made, printed once, and passes the same rule.
    let out = shop_add(&db, &["--id", "made"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let made = stdout.lines().find_map(|l| l.rsplit_once(": ").map(|(_, s)| s.trim().to_owned())).unwrap();
    assert_eq!(made.len(), 64, "{stdout}");
    assert_eq!(lojal_core::secret::validate(&made), Ok(()));
}
