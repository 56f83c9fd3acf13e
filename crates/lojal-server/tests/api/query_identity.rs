//! Issue 17: the widget's read takes the signed identity in its query
//! string (`customer`, `ts`, `sig`; `guest_email_hash`, `guest_ts`,
//! `guest_sig`), so that a browser sends it as a simple request, without a
//! CORS preflight. It means exactly what the headers mean.

use crate::on_each_backend;
use crate::support::{server, Store, TestServer, ORIGIN, SECRET};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use lojal_core::identity::{sign, sign_guest};
use lojal_server::clock;
use serde_json::{json, Value};

on_each_backend!(
    a_signed_customer_in_the_query_gets_the_same_view_as_with_headers,
    a_bad_or_stale_signature_in_the_query_is_a_guest_as_in_the_headers,
    the_headers_win_over_the_query,
    writes_do_not_take_the_identity_from_the_query,
    a_guests_signed_hash_in_the_query_shows_their_pending_points,
    a_simple_cross_origin_get_is_answered_for_the_shops_origin,
);

/// `?customer=..&ts=..&sig=..` for `customer`, signed at `ts` with `secret`.
fn customer_query(customer: &str, ts: i64, secret: &str) -> String {
    let sig = sign(secret, "demo", customer, ts);
    format!("customer={}&ts={ts}&sig={sig}", urlencoding(customer))
}

/// Percent-encodes all but the unreserved characters of RFC 3986.
fn urlencoding(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn widget(server: &TestServer, query: &str) -> Value {
    let request = Request::get(format!("/v1/shops/demo/widget?locale=en&{query}")).body(Body::empty()).unwrap();
    let reply = server.send(request).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

async fn a_signed_customer_in_the_query_gets_the_same_view_as_with_headers(store: Store) {
    let server = server(store).await;
    assert_eq!(server.order("o-1", "cust-42", 214_000).await.status, StatusCode::CREATED);
    let by_query = widget(&server, &customer_query("cust-42", clock::now(), SECRET)).await;
    assert_eq!(by_query["customer"]["id"], "cust-42");
    assert_eq!(by_query["customer"]["points"], 2140);
    assert_eq!(by_query["customer"]["tier"], json!({"id": "gold", "name": "Guld"}));
    let by_headers = server.shopper(Method::GET, "/v1/shops/demo/widget?locale=en", Some("cust-42"), None).await;
    assert_eq!(by_query["customer"], by_headers.json()["customer"]);
    // An id that needs encoding in a URL: decoded before the signature is checked.
    let email = widget(&server, &customer_query("new+1@example.se", clock::now(), SECRET)).await;
    assert_eq!(email["customer"]["id"], "new+1@example.se");
    assert_eq!(email["customer"]["points"], 0);
}

async fn a_bad_or_stale_signature_in_the_query_is_a_guest_as_in_the_headers(store: Store) {
    let server = server(store).await;
    server.order("o-1", "cust-42", 100_000).await;
    let now = clock::now();
    let cases = [
        ("forged", format!("customer=cust-42&ts={now}&sig={}", "0".repeat(64))),
        ("another customer's", format!("customer=cust-42&ts={now}&sig={}", sign(SECRET, "demo", "cust-7", now))),
        ("another shop's", customer_query("cust-42", now, "other-secret")),
        ("stale", customer_query("cust-42", now - 86_401, SECRET)),
        ("future", customer_query("cust-42", now + 86_401, SECRET)),
        ("non-numeric ts", format!("customer=cust-42&ts=soon&sig={}", sign(SECRET, "demo", "cust-42", now))),
        ("incomplete", format!("customer=cust-42&ts={now}")),
        ("doubled", format!("{}&customer=cust-7", customer_query("cust-42", now, SECRET))),
    ];
    for (what, query) in cases {
        let body = widget(&server, &query).await;
        assert_eq!(body["customer"], Value::Null, "a {what} signature must not reveal the customer");
    }
    assert_eq!(server.count("customers").await, 1, "no refused identity enrols anyone");
}

async fn the_headers_win_over_the_query(store: Store) {
    let server = server(store).await;
    let query = customer_query("cust-7", clock::now(), SECRET);
    let path = format!("/v1/shops/demo/widget?{query}");
    let reply = server.shopper(Method::GET, &path, Some("cust-42"), None).await;
    assert_eq!(reply.json()["customer"]["id"], "cust-42");
}

async fn writes_do_not_take_the_identity_from_the_query(store: Store) {
    let server = server(store).await;
    server.order("o-1", "cust-42", 100_000).await;
    let query = customer_query("cust-42", clock::now(), SECRET);
    let request = Request::post(format!("/v1/shops/demo/redemptions?{query}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"reward_id": "r10"}"#))
        .unwrap();
    server.send(request).await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    assert_eq!(server.points("cust-42").await, 1000, "nothing was spent");
}

async fn a_guests_signed_hash_in_the_query_shows_their_pending_points(store: Store) {
    const ANNA: &str = "9b9ec4f6e1ad1d4d7b7a2d1cd5c5b8c2d6f0e2a4b8c6d4e2f0a1b3c5d7e9f1a3";
    let server = server(store).await;
    let mut program = serde_json::to_value(crate::support::program()).unwrap();
    program["guest_points"] = json!({"pending_days": 30});
    assert!(server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await.status.is_success());
    let order = json!({"id": "g-1", "email_hash": ANNA, "total": 24_900, "currency": "SEK"});
    assert_eq!(server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order)).await.status, StatusCode::CREATED);
    let guest = |ts: i64, secret: &str| {
        format!("guest_email_hash={ANNA}&guest_ts={ts}&guest_sig={}", sign_guest(secret, "demo", ANNA, ts))
    };
    let now = clock::now();
    let shown = widget(&server, &guest(now, SECRET)).await;
    assert_eq!(shown["customer"], Value::Null);
    assert_eq!(shown["guest_points"]["points"], 249);
    assert!(widget(&server, &guest(now, "other-secret")).await.get("guest_points").is_none());
    assert!(widget(&server, &guest(now - 2 * 86_400, SECRET)).await.get("guest_points").is_none());
    assert!(widget(&server, &format!("guest_email_hash={ANNA}")).await.get("guest_points").is_none());
}

async fn a_simple_cross_origin_get_is_answered_for_the_shops_origin(store: Store) {
    let server = server(store).await;
    // What the loader sends: a GET with no header a browser would preflight.
    let query = customer_query("cust-42", clock::now(), SECRET);
    let request = Request::get(format!("/v1/shops/demo/widget?locale=en&{query}"))
        .header(header::ORIGIN, ORIGIN)
        .body(Body::empty())
        .unwrap();
    let reply = server.send(request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(), ORIGIN);
    assert_eq!(reply.json()["customer"]["id"], "cust-42");
}
