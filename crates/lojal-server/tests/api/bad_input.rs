//! Bad input: a 4xx in the contract's shape, and nothing written.

use crate::on_each_backend;
use crate::support::{server, Store, TestServer};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;

on_each_backend!(
    malformed_orders_are_refused_and_write_nothing,
    oversized_and_deeply_nested_bodies_are_refused,
    merchant_endpoints_need_the_shop_secret,
    bad_programs_catalogues_and_carts_are_refused,
);

async fn counts(server: &TestServer) -> (i64, i64, i64) {
    (server.count("orders").await, server.count("ledger").await, server.count("customers").await)
}

async fn malformed_orders_are_refused_and_write_nothing(store: Store) {
    let server = server(store).await;
    server.order("o-0", "anna", 10_000).await;
    let before = counts(&server).await;
    let path = "/v1/shops/demo/orders";
    let cases: [(&str, StatusCode, &str); 14] = [
        ("{not json", StatusCode::BAD_REQUEST, "bad_json"),
        ("", StatusCode::BAD_REQUEST, "bad_json"),
        (
            r#"{"id": "o-1", "customer": "anna", "total": "100", "currency": "SEK"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            r#"{"id": "o-1", "customer": "anna", "total": -100, "currency": "SEK"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            r#"{"id": "o-1", "customer": "anna", "total": 1e30, "currency": "SEK"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            r#"{"id": "o-1", "customer": "anna", "total": 99999999999999999999, "currency": "SEK"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            r#"{"id": "o-1", "customer": "anna", "total": 9223372036854775807, "currency": "SEK"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            r#"{"id": "o-1", "customer": "anna", "total": 100, "currency": "EUR"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            // A currency the program has no rate for (issue 20).
            "currency_not_accepted",
        ),
        (
            r#"{"id": "o-1", "customer": "anna\u0000", "total": 100, "currency": "SEK"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            r#"{"id": "o-1", "customer": "אנה", "total": 100, "currency": "SEK"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            r#"{"id": "", "customer": "anna", "total": 100, "currency": "SEK"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            r#"{"id": "o-1", "customer": "anna", "total": 100, "currency": "SEK", "created_at": "yesterday"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            r#"{"id": "o-1", "customer": "anna", "total": 100, "currency": "SEK", "items": [{"sku": "x", "qty": -1, "price": 5}]}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            r#"{"id": "o-1", "customer": "anna", "total": 100, "currency": "SEK", "points": 1000000}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
    ];
    for (body, status, code) in cases {
        let reply = server.merchant_raw(Method::POST, path, Some(body.to_owned())).await;
        reply.assert_error(status, code);
    }
    // Unicode that is valid stays valid: an emoji or RTL text in an order id is data, not an error.
    let emoji = json!({"id": "ordre-🎁-\u{202e}", "customer": "anna", "total": 100, "currency": "SEK"});
    assert_eq!(server.merchant(Method::POST, path, Some(emoji)).await.status, StatusCode::CREATED);
    let after = counts(&server).await;
    assert_eq!((after.0, after.2), (before.0 + 1, before.2), "only the valid order was written");

    let not_json = Request::post(path)
        .header(header::AUTHORIZATION, "Bearer s3cret")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    server.send(not_json).await.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_json");
    let refund =
        server.merchant_raw(Method::POST, "/v1/shops/demo/orders/o-0/refund", Some(r#"{"amount": -5}"#.into())).await;
    refund.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    let refund = server.merchant_raw(Method::POST, "/v1/shops/demo/orders/o-0/refund", Some("[1,".into())).await;
    refund.assert_error(StatusCode::BAD_REQUEST, "bad_json");
    assert_eq!(server.points("anna").await, 101);
}

async fn oversized_and_deeply_nested_bodies_are_refused(store: Store) {
    let server = server(store).await;
    let huge = format!(
        r#"{{"id": "o-1", "customer": "anna", "total": 100, "currency": "SEK", "pad": "{}"}}"#,
        "x".repeat(200_000)
    );
    let reply = server.merchant_raw(Method::POST, "/v1/shops/demo/orders", Some(huge)).await;
    reply.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let reply = server.merchant_raw(Method::POST, "/v1/shops/demo/orders", Some(nested)).await;
    assert!(reply.status.is_client_error());
    reply.assert_error(reply.status, reply.json()["error"]["code"].as_str().unwrap());
    let cart = json!({"items": [{"sku": "x", "qty": 1, "price": 1}], "pad": "y".repeat(100_000)});
    let reply = server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("anna"), Some(cart)).await;
    reply.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    assert_eq!(counts(&server).await, (0, 0, 0));
}

async fn merchant_endpoints_need_the_shop_secret(store: Store) {
    let server = server(store).await;
    let body = r#"{"id": "o-1", "customer": "anna", "total": 100, "currency": "SEK"}"#;
    for auth in [None, Some("Bearer wrong"), Some("Bearer other-secret"), Some("s3cret"), Some("Bearer s3cret ")] {
        let mut request = Request::post("/v1/shops/demo/orders").header(header::CONTENT_TYPE, "application/json");
        if let Some(auth) = auth {
            request = request.header(header::AUTHORIZATION, auth);
        }
        let reply = server.send(request.body(Body::from(body)).unwrap()).await;
        let message = reply.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
        assert!(!message.contains("s3cret"), "the secret never appears in an error");
    }
    assert_eq!(counts(&server).await, (0, 0, 0));
}

async fn bad_programs_catalogues_and_carts_are_refused(store: Store) {
    let server = server(store).await;
    let program = json!({"earn": {"points_per_unit": 1}, "tiers": [{"id": "b", "name": "B", "threshold": 10}]});
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    assert!(reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program").contains("threshold 0"));
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", None, None).await.json();
    assert_eq!(widget["tiers"].as_array().unwrap().len(), 4, "the old program stands");

    let catalogue = json!([{"sku": "a", "name": "A", "price": 100}, {"sku": "a", "name": "A again", "price": 100}]);
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/products", Some(catalogue)).await;
    assert!(reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request").contains("twice"));
    assert_eq!(server.count("products").await, 0);

    let cart = json!({"items": [{"sku": "a", "qty": 0, "price": 100}]});
    let reply = server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("anna"), Some(cart)).await;
    reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    let guest = server.shopper(Method::PUT, "/v1/shops/demo/cart", None, Some(json!({"items": []}))).await;
    guest.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    assert_eq!(server.count("carts").await, 0);
}
