//! `GET /v1/shops/{shop}/widget`, identity and CORS.

use crate::on_each_backend;
use crate::support::{server, Store, ORIGIN, SECRET};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use lojal_core::identity::sign;
use lojal_server::clock;
use serde_json::{json, Value};

on_each_backend!(
    a_guest_gets_the_program_and_no_customer,
    a_signed_customer_gets_their_standing_as_in_the_contract,
    a_signed_newcomer_is_enrolled_with_zero_points_and_a_stable_referral_code,
    forged_stale_and_misdirected_signatures_get_the_guest_view,
    an_unknown_shop_is_a_404_in_the_contract_shape,
    cors_admits_only_the_shops_own_origins,
);

async fn a_guest_gets_the_program_and_no_customer(store: Store) {
    let server = server(store).await;
    let reply = server.shopper(Method::GET, "/v1/shops/demo/widget", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["customer"], Value::Null);
    assert_eq!(body["shop"], json!({"id": "demo", "name": "Demo", "currency": "SEK", "locale": "sv"}));
    assert_eq!(body["tiers"].as_array().unwrap().len(), 4);
    assert_eq!(body["rewards"][0]["redeemable"], false);
    assert_eq!(body["recommendations"], json!([]));
    assert_eq!(body["nudge"], Value::Null);
    assert_eq!(server.count("customers").await, 0, "a guest's visit enrols no one");
}

async fn a_signed_customer_gets_their_standing_as_in_the_contract(store: Store) {
    let server = server(store).await;
    // 2140 kr at one point per krona in Brons (multiplier 1).
    assert_eq!(server.order("o-1", "cust-42", 214_000).await.status, StatusCode::CREATED);
    let reply = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("cust-42"), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    let customer = &body["customer"];
    assert_eq!(customer["id"], "cust-42");
    assert_eq!(customer["points"], 2140);
    assert_eq!(customer["lifetime_points"], 2140);
    assert_eq!(customer["tier"], json!({"id": "gold", "name": "Guld"}));
    assert_eq!(
        customer["next_tier"],
        json!({"id": "platinum", "name": "Platina", "points_needed": 860, "progress": 0.71})
    );
    let code = customer["referral"]["code"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    assert_eq!(customer["referral"]["url"], format!("{ORIGIN}/?ref={code}"));
    assert_eq!(customer["referral"]["referrals"], 0);
    let redeemable: Vec<_> = body["rewards"].as_array().unwrap().iter().map(|r| r["redeemable"].clone()).collect();
    assert_eq!(redeemable, [json!(true), json!(true), json!(true)]);
}

async fn a_signed_newcomer_is_enrolled_with_zero_points_and_a_stable_referral_code(store: Store) {
    let server = server(store).await;
    let first = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("new@example.se"), None).await.json();
    let again = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("new@example.se"), None).await.json();
    assert_eq!(first["customer"]["points"], 0);
    assert_eq!(first["customer"]["tier"]["id"], "bronze");
    assert_eq!(first["customer"]["referral"]["code"], again["customer"]["referral"]["code"]);
    assert_eq!(server.count("customers").await, 1);
}

async fn forged_stale_and_misdirected_signatures_get_the_guest_view(store: Store) {
    let server = server(store).await;
    server.order("o-1", "cust-42", 100_000).await;
    let now = clock::now();
    let cases = [
        ("forged", "cust-42", now.to_string(), "0".repeat(64)),
        ("another customer's", "cust-42", now.to_string(), sign(SECRET, "demo", "cust-7", now)),
        ("another shop's", "cust-42", now.to_string(), sign("other-secret", "other", "cust-42", now)),
        ("stale", "cust-42", (now - 86_401).to_string(), sign(SECRET, "demo", "cust-42", now - 86_401)),
        // A minute past the window: the server's clock reads later than
        // `now` by the time it checks, which brings a ts closer.
        ("future", "cust-42", (now + 86_460).to_string(), sign(SECRET, "demo", "cust-42", now + 86_460)),
        ("uppercase", "cust-42", now.to_string(), sign(SECRET, "demo", "cust-42", now).to_uppercase()),
        ("non-numeric ts", "cust-42", "soon".into(), sign(SECRET, "demo", "cust-42", now)),
        ("bad id", "<script>", now.to_string(), sign(SECRET, "demo", "<script>", now)),
    ];
    for (what, customer, ts, sig) in cases {
        let request = Request::get("/v1/shops/demo/widget")
            .header("x-lojal-customer", customer)
            .header("x-lojal-ts", ts)
            .header("x-lojal-sig", sig)
            .body(Body::empty())
            .unwrap();
        let reply = server.send(request).await;
        assert_eq!(reply.status, StatusCode::OK, "{what}");
        assert_eq!(reply.json()["customer"], Value::Null, "a {what} signature must not reveal the customer");
    }
    // Writes by such a shopper are refused, not done as a guest.
    let forged = Request::post("/v1/shops/demo/redemptions")
        .header("x-lojal-customer", "cust-42")
        .header("x-lojal-ts", now.to_string())
        .header("x-lojal-sig", "0".repeat(64))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"reward_id": "r10"}"#))
        .unwrap();
    server.send(forged).await.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
}

async fn an_unknown_shop_is_a_404_in_the_contract_shape(store: Store) {
    let server = server(store).await;
    let reply = server.shopper(Method::GET, "/v1/shops/nope/widget", None, None).await;
    assert!(reply.assert_error(StatusCode::NOT_FOUND, "unknown_shop").contains("nope"));
    let path = server.shopper(Method::GET, "/v1/nothing-here", None, None).await;
    path.assert_error(StatusCode::NOT_FOUND, "not_found");
    let merchant = server.merchant(Method::GET, "/v1/shops/nope/metrics", None).await;
    merchant.assert_error(StatusCode::NOT_FOUND, "unknown_shop");
}

async fn cors_admits_only_the_shops_own_origins(store: Store) {
    let server = server(store).await;
    let preflight = |origin: &str, path: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri(path)
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type,x-lojal-customer,x-lojal-ts,x-lojal-sig")
            .body(Body::empty())
            .unwrap()
    };
    let allowed = server.send(preflight(ORIGIN, "/v1/shops/demo/redemptions")).await;
    assert_eq!(allowed.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(), ORIGIN);
    let allow_headers = allowed.headers.get(header::ACCESS_CONTROL_ALLOW_HEADERS).unwrap().to_str().unwrap();
    assert!(allow_headers.contains("x-lojal-sig"), "{allow_headers}");

    let refused = server.send(preflight("https://evil.example", "/v1/shops/demo/redemptions")).await;
    assert!(refused.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let unknown_shop = server.send(preflight(ORIGIN, "/v1/shops/nope/widget")).await;
    assert!(unknown_shop.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    let get_from = |origin: &str| {
        Request::get("/v1/shops/demo/widget").header(header::ORIGIN, origin).body(Body::empty()).unwrap()
    };
    let simple = server.send(get_from(ORIGIN)).await;
    assert_eq!(simple.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(), ORIGIN);
    let unlisted = server.send(get_from("https://other.example")).await;
    assert!(unlisted.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    // Merchant endpoints are for servers, never for browser pages.
    let merchant = server.send(preflight(ORIGIN, "/v1/shops/demo/orders")).await;
    assert!(merchant.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}
