//! Balance moves made by the use cases (`lojal_server::app`), not by the
//! store: whichever request enrols a shopper pays the sign-up bonus, once,
//! before what the request itself moves, and the rows keep that order.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{Method, StatusCode};
use serde_json::json;

on_each_backend!(a_shopper_enrolled_by_any_use_case_gets_the_sign_up_bonus_first_and_once);

async fn with_actions(server: &TestServer) {
    let mut program = serde_json::to_value(program()).unwrap();
    program["actions"] = json!([
        {"id": "welcome", "kind": "sign_up", "title": "Välkommen", "points": 100},
        {"id": "review", "kind": "review", "title": "Recensera en vara", "points": 50},
        {"id": "instagram", "kind": "social_follow", "title": "Följ oss på Instagram", "points": 20,
         "url": "https://instagram.com/lojal"}
    ]);
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
}

/// A member's ledger rows, oldest first: reason, delta and note.
async fn rows(server: &TestServer, customer: &str) -> Vec<(String, i64, Option<String>)> {
    sqlx::query_as("SELECT reason, delta, note FROM ledger WHERE shop_id = 'demo' AND customer_id = $1 ORDER BY id")
        .bind(customer)
        .fetch_all(&server.db.pool)
        .await
        .unwrap()
}

fn row(reason: &str, delta: i64, note: &str) -> (String, i64, Option<String>) {
    (reason.to_owned(), delta, Some(note.to_owned()))
}

async fn a_shopper_enrolled_by_any_use_case_gets_the_sign_up_bonus_first_and_once(store: Store) {
    let server = server(store).await;
    with_actions(&server).await;

    // Claiming a follow in the widget enrols: the bonus, then the follow.
    let claim = server.shopper(Method::POST, "/v1/shops/demo/actions/instagram/claim", Some("cleo"), None).await;
    assert_eq!(claim.status, StatusCode::CREATED);
    assert_eq!(claim.json(), json!({"points_awarded": 20, "points": 120}));
    assert_eq!(rows(&server, "cleo").await, [row("action", 100, "welcome"), row("action", 20, "instagram")]);
    // Claimed again: refused, and no second bonus.
    let again = server.shopper(Method::POST, "/v1/shops/demo/actions/instagram/claim", Some("cleo"), None).await;
    again.assert_error(StatusCode::CONFLICT, "limit_reached");
    assert_eq!(rows(&server, "cleo").await.len(), 2);

    // The merchant's report of a review enrols too.
    let body = json!({"action": "review", "id": "review-1"});
    let report = server.merchant(Method::POST, "/v1/shops/demo/customers/dora/actions", Some(body)).await;
    assert_eq!(report.status, StatusCode::CREATED);
    assert_eq!(report.json(), json!({"points_awarded": 50, "points": 150}));
    assert_eq!(rows(&server, "dora").await, [row("action", 100, "welcome"), row("action", 50, "review")]);

    // A request that moves no points itself still enrols with the bonus.
    let cart = json!({"items": [{"sku": "a", "qty": 1, "price": 100}]});
    let put = server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("eva"), Some(cart.clone())).await;
    assert!(put.status.is_success(), "{}", String::from_utf8_lossy(&put.body));
    server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("eva"), Some(cart)).await;
    assert_eq!(rows(&server, "eva").await, [row("action", 100, "welcome")]);

    // A first order: the bonus before the purchase's points.
    server.order("o-1", "finn", 10_000).await;
    let finn = rows(&server, "finn").await;
    assert_eq!(finn.iter().map(|r| (r.0.as_str(), r.1)).collect::<Vec<_>>(), [("action", 100), ("earn", 100)]);
    server.assert_balances_match_ledger().await;
}
