//! The stamp card: a stamp per qualifying order, a free code when full,
//! a head start for new members, and refunds that take a stamp back once.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

on_each_backend!(
    a_new_member_starts_with_the_head_start_and_a_full_card_gives_a_free_code,
    small_orders_and_replayed_orders_earn_no_stamp,
    a_full_refund_takes_the_stamp_back_once,
);

async fn with_card(server: &TestServer) {
    let mut program = serde_json::to_value(program()).unwrap();
    program["rewards"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "coffee", "title": "Kaffe", "cost": 400, "kind": "free_product"}));
    program["stamp_card"] =
        json!({"title": "Kaffekortet", "stamps": 4, "head_start": 1, "min_order": 5000, "reward_id": "coffee"});
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
}

async fn card(server: &TestServer, customer: Option<&str>) -> Value {
    server.shopper(Method::GET, "/v1/shops/demo/widget", customer, None).await.json()["stamp_card"].clone()
}

async fn a_new_member_starts_with_the_head_start_and_a_full_card_gives_a_free_code(store: Store) {
    let server = server(store).await;
    with_card(&server).await;
    assert_eq!(card(&server, None).await["filled"], 1, "a guest is shown the head start");
    assert_eq!(card(&server, Some("anna")).await["filled"], 1);
    server.order("o-1", "anna", 5_000).await;
    server.order("o-2", "anna", 5_000).await;
    assert_eq!(card(&server, Some("anna")).await["filled"], 3);
    assert_eq!(server.count("redemptions").await, 0);
    server.order("o-3", "anna", 5_000).await;
    let full = card(&server, Some("anna")).await;
    assert_eq!(full["filled"], 0, "a fresh card, without a head start");
    let code = full["latest_code"].as_str().expect("the full card's code").to_owned();
    let (reward, spent): (String, i64) =
        sqlx::query_as("SELECT reward_id, points_spent FROM redemptions WHERE shop_id = 'demo' AND code = $1")
            .bind(&code)
            .fetch_one(&server.db.pool)
            .await
            .unwrap();
    assert_eq!((reward.as_str(), spent), ("coffee", 0), "free: no points spent");
    assert_eq!(server.points("anna").await, 150, "stamps do not touch the points");
}

async fn small_orders_and_replayed_orders_earn_no_stamp(store: Store) {
    let server = server(store).await;
    with_card(&server).await;
    server.order("o-1", "anna", 4_999).await;
    assert_eq!(card(&server, Some("anna")).await["filled"], 1);
    server.order("o-2", "anna", 5_000).await;
    assert_eq!(server.order("o-2", "anna", 5_000).await.status, StatusCode::OK, "a replay");
    assert_eq!(card(&server, Some("anna")).await["filled"], 2);
}

async fn a_full_refund_takes_the_stamp_back_once(store: Store) {
    let server = server(store).await;
    with_card(&server).await;
    server.order("o-1", "anna", 10_000).await;
    server.order("o-2", "anna", 10_000).await;
    assert_eq!(card(&server, Some("anna")).await["filled"], 3);
    // A partial refund keeps the stamp; the rest of it takes it back.
    let refund = |amount: Option<i64>| {
        let body = amount.map(|a| json!({"amount": a}));
        server.merchant(Method::POST, "/v1/shops/demo/orders/o-2/refund", body)
    };
    assert_eq!(refund(Some(2_000)).await.status, StatusCode::OK);
    assert_eq!(card(&server, Some("anna")).await["filled"], 3);
    assert_eq!(refund(None).await.status, StatusCode::OK);
    assert_eq!(card(&server, Some("anna")).await["filled"], 2);
    refund(None).await.assert_error(StatusCode::CONFLICT, "already_refunded");
    assert_eq!(card(&server, Some("anna")).await["filled"], 2);
}
