//! Ways to earn beyond purchases, each with its limit: a sign-up bonus
//! once, reviews a few times a month, a social follow once, the n-th order.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{Method, StatusCode};
use serde_json::json;

on_each_backend!(
    the_sign_up_bonus_is_paid_once_when_a_shopper_becomes_a_member,
    reviews_pay_per_report_id_up_to_their_limit,
    a_social_follow_is_claimed_once_from_the_widget,
    the_nth_order_pays_its_bonus_once,
);

async fn with_actions(server: &TestServer) {
    let mut program = serde_json::to_value(program()).unwrap();
    program["actions"] = json!([
        {"id": "welcome", "kind": "sign_up", "title": "Välkommen", "points": 100},
        {"id": "review", "kind": "review", "title": "Recensera en vara", "points": 50,
         "limit": {"times": 2, "per": "month"}},
        {"id": "instagram", "kind": "social_follow", "title": "Följ oss på Instagram", "points": 20,
         "url": "https://instagram.com/lojal"},
        {"id": "third", "kind": "purchase_count", "title": "Ditt tredje köp", "points": 300, "count": 3}
    ]);
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
}

async fn report(server: &TestServer, customer: &str, id: &str) -> crate::support::Reply {
    let body = json!({"action": "review", "id": id});
    server.merchant(Method::POST, &format!("/v1/shops/demo/customers/{customer}/actions"), Some(body)).await
}

async fn the_sign_up_bonus_is_paid_once_when_a_shopper_becomes_a_member(store: Store) {
    let server = server(store).await;
    with_actions(&server).await;
    // Signing in to the widget enrols; a second view, and an order, do not pay again.
    server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await;
    server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await;
    server.order("o-1", "anna", 10_000).await;
    let ledger = server.customer("anna").await["ledger"].clone();
    let actions: Vec<_> = ledger.as_array().unwrap().iter().filter(|e| e["reason"] == "action").collect();
    assert_eq!(actions.len(), 1);
    assert_eq!((actions[0]["delta"].clone(), actions[0]["note"].clone()), (json!(100), json!("welcome")));
    assert_eq!(server.points("anna").await, 200);
    // A first order enrols too, with its bonus.
    server.order("o-2", "bert", 10_000).await;
    assert_eq!(server.points("bert").await, 200);
}

async fn reviews_pay_per_report_id_up_to_their_limit(store: Store) {
    let server = server(store).await;
    with_actions(&server).await;
    let first = report(&server, "anna", "review-1").await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.json(), json!({"points_awarded": 50, "points": 150}));
    let retried = report(&server, "anna", "review-1").await;
    assert_eq!(retried.status, StatusCode::OK, "a retried report pays once");
    assert_eq!(retried.json(), json!({"points_awarded": 50, "points": 150}));
    assert_eq!(report(&server, "anna", "review-2").await.status, StatusCode::CREATED);
    let third = report(&server, "anna", "review-3").await;
    assert!(third.assert_error(StatusCode::CONFLICT, "limit_reached").contains("Recensera"));
    assert_eq!(server.points("anna").await, 200);
    // Sign-ups are not the merchant's to report.
    let body = json!({"action": "welcome", "id": "x"});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/customers/anna/actions", Some(body)).await;
    reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    server.assert_balances_match_ledger().await;
}

async fn a_social_follow_is_claimed_once_from_the_widget(store: Store) {
    let server = server(store).await;
    with_actions(&server).await;
    let claim = |customer| server.shopper(Method::POST, "/v1/shops/demo/actions/instagram/claim", customer, None);
    let first = claim(Some("anna")).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.json(), json!({"points_awarded": 20, "points": 120}));
    claim(Some("anna")).await.assert_error(StatusCode::CONFLICT, "limit_reached");
    assert_eq!(claim(None).await.status, StatusCode::UNAUTHORIZED);
    let review = server.shopper(Method::POST, "/v1/shops/demo/actions/review/claim", Some("anna"), None).await;
    review.assert_error(StatusCode::NOT_FOUND, "not_found");
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    let way = |id: &str| widget["ways_to_earn"].as_array().unwrap().iter().find(|w| w["id"] == id).unwrap().clone();
    assert_eq!(way("instagram")["done"], true);
    assert_eq!(way("instagram")["url"], "https://instagram.com/lojal");
    assert!(way("review").get("done").is_none(), "reviews pay again");
    assert_eq!(server.points("anna").await, 120);
}

async fn the_nth_order_pays_its_bonus_once(store: Store) {
    let server = server(store).await;
    with_actions(&server).await;
    for n in 1..=2 {
        server.order(&format!("o-{n}"), "anna", 1_000).await;
    }
    assert_eq!(server.points("anna").await, 100 + 20);
    assert_eq!(server.order("o-3", "anna", 1_000).await.json()["points"], 100 + 30 + 300);
    assert_eq!(server.order("o-3", "anna", 1_000).await.status, StatusCode::OK, "a replay pays nothing");
    server.order("o-4", "anna", 1_000).await;
    assert_eq!(server.points("anna").await, 100 + 40 + 300);
}
