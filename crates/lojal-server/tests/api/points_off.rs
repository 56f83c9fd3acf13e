//! Issue 20, part 5: "points as money off": the shopper chooses how many
//! points to spend, in steps, up to a share of their cart; the code
//! carries the amount.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{Method, StatusCode};
use futures_util::future::join_all;
use serde_json::{json, Value};
use std::sync::Arc;

on_each_backend!(
    the_chosen_points_become_a_code_worth_their_money,
    a_wrong_amount_is_refused_and_writes_nothing,
    a_known_cart_caps_the_points_at_its_share,
    concurrent_choices_never_spend_past_the_balance,
    the_widget_offers_the_picker_with_its_steps,
    a_points_off_reward_without_its_rule_is_refused,
);

/// The support program with "100 points = 10 kr, at most 50 % of the cart".
async fn with_points_off(server: &TestServer) {
    let mut body = serde_json::to_value(program()).unwrap();
    body["rewards"].as_array_mut().unwrap().push(json!({
        "id": "off", "title": "Poäng som rabatt", "cost": 100, "kind": "points_off",
        "points_off": {"step_points": 100, "step_value": 1000, "max_share_percent": 50}}));
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(body)).await;
    assert!(reply.status.is_success(), "{}", String::from_utf8_lossy(&reply.body));
}

async fn spend(server: &TestServer, customer: &str, points: Value) -> crate::support::Reply {
    let body = json!({"reward_id": "off", "points": points});
    server.shopper(Method::POST, "/v1/shops/demo/redemptions", Some(customer), Some(body)).await
}

async fn the_chosen_points_become_a_code_worth_their_money(store: Store) {
    let server = server(store).await;
    with_points_off(&server).await;
    server.order("o-1", "anna", 74_000).await; // 740 points
    let reply = spend(&server, "anna", json!(300)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    let body = reply.json();
    assert_eq!((body["points_spent"].clone(), body["points"].clone()), (json!(300), json!(440)));
    let code = body["code"].as_str().unwrap();
    let seen = server.merchant(Method::GET, &format!("/v1/shops/demo/codes/{code}"), None).await.json();
    assert_eq!(seen["kind"], "points_off");
    assert_eq!(seen["value"], 3000, "300 points = 30 kr, in öre");
    assert_eq!(seen["points_spent"], 300);
    assert_eq!(seen["currency"], "SEK");
    // Voided, the code gives back exactly the points chosen.
    server.merchant(Method::POST, &format!("/v1/shops/demo/codes/{code}/void"), None).await;
    assert_eq!(server.points("anna").await, 740);
    server.assert_balances_match_ledger().await;
}

async fn a_wrong_amount_is_refused_and_writes_nothing(store: Store) {
    let server = server(store).await;
    with_points_off(&server).await;
    server.order("o-1", "anna", 74_000).await;
    for bad in [json!(150), json!(0), json!(-100), json!(null)] {
        let reply = spend(&server, "anna", bad.clone()).await;
        reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    }
    let message = spend(&server, "anna", json!(800)).await.assert_error(StatusCode::CONFLICT, "insufficient_points");
    assert_eq!(message, "You need 60 more points.");
    // A fixed reward's cost cannot be changed by naming points.
    let fixed = json!({"reward_id": "r10", "points": 1});
    let reply = server.shopper(Method::POST, "/v1/shops/demo/redemptions", Some("anna"), Some(fixed)).await;
    assert!(reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request").contains("costs 100"));
    // A new shopper refused: not even their membership is written.
    spend(&server, "newcomer", json!(150)).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    assert_eq!(server.count("redemptions").await, 0);
    assert_eq!(server.points("anna").await, 740);
    let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE id = 'newcomer'")
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    assert_eq!(members, 0);
}

async fn a_known_cart_caps_the_points_at_its_share(store: Store) {
    let server = server(store).await;
    with_points_off(&server).await;
    server.order("o-1", "anna", 200_000).await; // 2000 points
    let cart = json!({"items": [{"sku": "kaffe", "qty": 2, "price": 5_950}]}); // 119 kr
    let put = server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("anna"), Some(cart)).await;
    assert_eq!(put.status, StatusCode::NO_CONTENT);
    // Half of 119 kr is 59.50 kr: five steps (50 kr), not six.
    let too_much = spend(&server, "anna", json!(600)).await;
    assert!(too_much.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request").contains("500 points"));
    let reply = spend(&server, "anna", json!(500)).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(server.points("anna").await, 1500);
}

async fn concurrent_choices_never_spend_past_the_balance(store: Store) {
    let server = Arc::new(server(store).await);
    with_points_off(&server).await;
    server.order("o-1", "anna", 100_000).await; // 1000 points
    let attempts = (0..12).map(|_| {
        let server = server.clone();
        tokio::spawn(async move { spend(&server, "anna", json!(300)).await.status })
    });
    let statuses: Vec<StatusCode> = join_all(attempts).await.into_iter().map(Result::unwrap).collect();
    let created = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((created, refused), (3, 9), "{statuses:?}");
    assert_eq!(server.points("anna").await, 100);
    server.assert_balances_match_ledger().await;
}

async fn the_widget_offers_the_picker_with_its_steps(store: Store) {
    let server = server(store).await;
    with_points_off(&server).await;
    server.order("o-1", "anna", 74_000).await;
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    let reward = widget["rewards"].as_array().unwrap().iter().find(|r| r["id"] == "off").unwrap().clone();
    assert_eq!(reward["kind"], "points_off");
    assert_eq!(reward["points_off"], json!({"step_points": 100, "step_value": 1000, "max_share_percent": 50}));
    assert_eq!(reward["redeemable"], true);
}

async fn a_points_off_reward_without_its_rule_is_refused(store: Store) {
    let server = server(store).await;
    let mut body = serde_json::to_value(program()).unwrap();
    body["rewards"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "off", "title": "Off", "cost": 100, "kind": "points_off"}));
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(body)).await;
    assert!(reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program").contains("needs points_off"));
}
