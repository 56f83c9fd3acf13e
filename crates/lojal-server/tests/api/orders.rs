//! Orders and refunds: idempotency, tiers, exact reversal.

use crate::on_each_backend;
use crate::support::{server, Store};
use axum::http::{Method, StatusCode};
use serde_json::json;

on_each_backend!(
    the_same_order_twice_awards_points_once,
    an_order_id_reused_for_another_purchase_is_refused,
    orders_earn_at_the_tier_held_when_they_arrive,
    a_refund_reverses_exactly_that_orders_points,
    partial_refunds_add_up_to_the_whole_without_drift,
    a_refund_after_redeeming_may_leave_the_balance_negative,
    a_refund_with_an_id_is_applied_once,
    refunds_beyond_the_order_are_refused,
    the_ledger_explains_every_point,
    the_ledger_refuses_edits_and_deletions,
);

async fn the_same_order_twice_awards_points_once(store: Store) {
    let server = server(store).await;
    let first = server.order("o-1", "anna", 24_900).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.json(), json!({"points_awarded": 249, "points": 249}));
    let again = server.order("o-1", "anna", 24_900).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json(), json!({"points_awarded": 249, "points": 249}));
    assert_eq!(server.points("anna").await, 249);
    assert_eq!(server.count("orders").await, 1);
    assert_eq!(server.count("ledger").await, 1);
}

async fn an_order_id_reused_for_another_purchase_is_refused(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 24_900).await;
    server.order("o-1", "anna", 10_000).await.assert_error(StatusCode::CONFLICT, "order_conflict");
    server.order("o-1", "bert", 24_900).await.assert_error(StatusCode::CONFLICT, "order_conflict");
    assert_eq!(server.points("anna").await, 249);
    assert_eq!(server.count("ledger").await, 1);
}

async fn orders_earn_at_the_tier_held_when_they_arrive(store: Store) {
    let server = server(store).await;
    // 600 kr in Brons: 600 points, which lifts Anna to Silver (500, x1.25).
    assert_eq!(server.order("o-1", "anna", 60_000).await.json()["points_awarded"], 600);
    // 99.99 kr in Silver: 1.25 x 99.99 = 124.98, rounded down once.
    assert_eq!(server.order("o-2", "anna", 9_999).await.json()["points_awarded"], 124);
    assert_eq!(server.customer("anna").await["tier"]["id"], "silver");
}

async fn a_refund_reverses_exactly_that_orders_points(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 10_000).await;
    server.order("o-2", "anna", 30_000).await;
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"points_reversed": 100, "points": 300, "refundable": 0}));
    let customer = server.customer("anna").await;
    assert_eq!(customer["lifetime_points"], 300, "refunded points no longer count towards the tier");
    server.assert_balances_match_ledger().await;
}

async fn partial_refunds_add_up_to_the_whole_without_drift(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 24_900).await;
    let mut reversed = 0;
    for amount in [10_000, 4_950, 9_950] {
        let reply =
            server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", Some(json!({"amount": amount}))).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
        reversed += reply.json()["points_reversed"].as_i64().unwrap();
    }
    assert_eq!(reversed, 249);
    assert_eq!(server.points("anna").await, 0);
}

async fn a_refund_after_redeeming_may_leave_the_balance_negative(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 60_000).await; // 600 points
    assert_eq!(server.redeem("anna", "r100").await.status, StatusCode::CREATED); // -500
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", None).await;
    assert_eq!(reply.json()["points"], -500);
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    assert_eq!(widget["customer"]["points"], -500, "the widget shows the debt honestly");
    // Nothing more can be redeemed until the debt is earned back.
    server.redeem("anna", "r10").await.assert_error(StatusCode::CONFLICT, "insufficient_points");
    server.assert_balances_match_ledger().await;
}

async fn a_refund_with_an_id_is_applied_once(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 20_000).await;
    let body = json!({"amount": 5_000, "id": "rf-1"});
    let first = server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", Some(body.clone())).await.json();
    let retry = server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", Some(body)).await.json();
    assert_eq!(first["points_reversed"], 50);
    assert_eq!(retry["points_reversed"], 50);
    assert_eq!(server.points("anna").await, 150);
}

async fn refunds_beyond_the_order_are_refused(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 20_000).await;
    let too_much =
        server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", Some(json!({"amount": 20_001}))).await;
    too_much.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "refund_too_large");
    server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", None).await;
    let twice = server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", None).await;
    twice.assert_error(StatusCode::CONFLICT, "already_refunded");
    let unknown = server.merchant(Method::POST, "/v1/shops/demo/orders/nope/refund", None).await;
    unknown.assert_error(StatusCode::NOT_FOUND, "unknown_order");
    assert_eq!(server.count("ledger").await, 2);
}

async fn the_ledger_explains_every_point(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 60_000).await;
    let code = server.redeem("anna", "r100").await.json()["code"].as_str().unwrap().to_owned();
    server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", Some(json!({"amount": 30_000}))).await;
    let adjust = json!({"points": 40, "note": "Sorry about the late delivery"});
    let adjusted = server.merchant(Method::POST, "/v1/shops/demo/customers/anna/adjustments", Some(adjust)).await;
    assert_eq!(adjusted.status, StatusCode::CREATED);
    let customer = server.customer("anna").await;
    let ledger = customer["ledger"].as_array().unwrap();
    let rows: Vec<(String, i64)> =
        ledger.iter().map(|r| (r["reason"].as_str().unwrap().to_owned(), r["delta"].as_i64().unwrap())).collect();
    assert_eq!(
        rows,
        [("adjustment".into(), 40), ("refund".into(), -300), ("redeem".into(), -500), ("earn".into(), 600)]
    );
    assert_eq!(ledger[0]["note"], "Sorry about the late delivery");
    assert_eq!(ledger[2]["reward_id"], "r100");
    assert_eq!(ledger[3]["order_id"], "o-1");
    assert!(ledger[3]["at"].as_str().unwrap().ends_with('Z'), "RFC 3339 UTC");
    assert_eq!(customer["points"], -160);
    assert!(code.starts_with("LOJ-"));
    server.assert_balances_match_ledger().await;
}

async fn the_ledger_refuses_edits_and_deletions(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 10_000).await;
    let edit = sqlx::query("UPDATE ledger SET delta = 1000000").execute(&server.db.pool).await;
    assert!(edit.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM ledger").execute(&server.db.pool).await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    assert_eq!(server.points("anna").await, 100);
}
