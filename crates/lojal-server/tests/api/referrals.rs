//! Referrals: credited once, on the referee's first order, never to oneself.

use crate::on_each_backend;
use crate::support::{server, Store, TestServer};
use axum::http::{Method, StatusCode};
use serde_json::json;

on_each_backend!(
    the_referees_first_order_credits_the_referrer_once,
    self_referral_and_customers_who_already_ordered_earn_nothing,
    a_referral_loop_earns_nothing,
    a_refunded_referred_order_takes_the_bonus_back,
    visits_count_on_known_codes_only,
);

async fn code_of(server: &TestServer, customer: &str) -> String {
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some(customer), None).await.json();
    widget["customer"]["referral"]["code"].as_str().unwrap().to_owned()
}

async fn referred_order(server: &TestServer, id: &str, customer: &str, code: &str) -> StatusCode {
    let body = json!({"id": id, "customer": customer, "total": 10_000, "currency": "SEK", "referral_code": code});
    server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await.status
}

async fn the_referees_first_order_credits_the_referrer_once(store: Store) {
    let server = server(store).await;
    let code = code_of(&server, "anna").await;
    assert_eq!(referred_order(&server, "o-1", "bert", &code).await, StatusCode::CREATED);
    assert_eq!(referred_order(&server, "o-2", "bert", &code).await, StatusCode::CREATED);
    assert_eq!(server.points("anna").await, 200);
    let bert = server.customer("bert").await;
    assert_eq!(bert["referred_by"], "anna");
    assert_eq!(bert["points"], 200, "bert earns his own purchase points, no more");
    // The referee's welcome reward (free shipping) is issued as a code, free.
    let welcome: Vec<(String, i64)> =
        sqlx::query_as("SELECT reward_id, points_spent FROM redemptions WHERE customer_id = 'bert'")
            .fetch_all(&server.db.pool)
            .await
            .unwrap();
    assert_eq!(welcome, [("ship".to_owned(), 0)]);
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    assert_eq!(widget["customer"]["referral"]["referrals"], 1);
}

async fn self_referral_and_customers_who_already_ordered_earn_nothing(store: Store) {
    let server = server(store).await;
    let code = code_of(&server, "anna").await;
    referred_order(&server, "o-1", "anna", &code).await;
    assert_eq!(server.points("anna").await, 100, "her own purchase only");
    server.order("o-2", "carl", 10_000).await;
    referred_order(&server, "o-3", "carl", &code).await;
    assert_eq!(server.points("anna").await, 100, "carl had ordered before");
    assert_eq!(server.customer("carl").await["referred_by"], serde_json::Value::Null);
}

async fn a_referral_loop_earns_nothing(store: Store) {
    let server = server(store).await;
    let anna = code_of(&server, "anna").await;
    let bert = code_of(&server, "bert").await;
    referred_order(&server, "o-1", "bert", &anna).await; // anna referred bert
    referred_order(&server, "o-2", "anna", &bert).await; // bert "refers" anna back
    assert_eq!(server.points("bert").await, 100, "no bonus for referring one's own referrer");
    // A longer loop: anna -> bert -> carl, then carl "refers" anna.
    let server = crate::support::server(crate::support::Store::Sqlite).await;
    let anna = code_of(&server, "anna").await;
    referred_order(&server, "o-1", "bert", &anna).await;
    let bert = code_of(&server, "bert").await;
    referred_order(&server, "o-2", "carl", &bert).await;
    let carl = code_of(&server, "carl").await;
    referred_order(&server, "o-3", "anna", &carl).await;
    assert_eq!(server.points("carl").await, 100);
}

async fn a_refunded_referred_order_takes_the_bonus_back(store: Store) {
    let server = server(store).await;
    let code = code_of(&server, "anna").await;
    referred_order(&server, "o-1", "bert", &code).await;
    assert_eq!(server.points("anna").await, 200);
    server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", Some(json!({"amount": 4_000}))).await;
    assert_eq!(server.points("anna").await, 200, "a partial refund keeps a paying customer");
    server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", None).await;
    assert_eq!(server.points("anna").await, 0);
    server.assert_balances_match_ledger().await;
}

async fn visits_count_on_known_codes_only(store: Store) {
    let server = server(store).await;
    let code = code_of(&server, "anna").await;
    let path = format!("/v1/shops/demo/referrals/{code}/visits");
    assert_eq!(server.shopper(Method::POST, &path, None, None).await.status, StatusCode::NO_CONTENT);
    let unknown = server.shopper(Method::POST, "/v1/shops/demo/referrals/NOPE42/visits", None, None).await;
    unknown.assert_error(StatusCode::NOT_FOUND, "unknown_referral_code");
    assert_eq!(server.count("referral_visits").await, 1);
}
