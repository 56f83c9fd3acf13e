//! Issue 20, part 4: tiers over a rolling 12 months with a grace before a
//! downgrade; the widget says what keeps the tier; a refund below a
//! threshold moves the member down at once.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{Method, StatusCode};
use lojal_server::clock::{self, rfc3339};
use serde_json::{json, Value};

const DAY: i64 = 86_400;

on_each_backend!(
    lifetime_tiers_are_unchanged_without_a_period,
    points_older_than_twelve_months_stop_counting_after_the_grace,
    the_widget_says_what_keeps_the_tier_and_by_when,
    a_refund_below_the_threshold_moves_down_at_once,
    an_order_earns_at_the_tier_held_over_the_window,
    a_bad_period_is_refused,
);

async fn rolling(server: &TestServer, grace_days: u32) {
    let mut body = serde_json::to_value(program()).unwrap();
    body["tier_period"] = json!({"kind": "rolling_12_months", "grace_days": grace_days});
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(body)).await;
    assert!(reply.status.is_success(), "{}", String::from_utf8_lossy(&reply.body));
}

/// Places an order `days_ago`; returns its time.
async fn order_at(server: &TestServer, id: &str, customer: &str, total: i64, days_ago: i64) -> i64 {
    let at = clock::now() - days_ago * DAY;
    let body = json!({"id": id, "customer": customer, "total": total, "currency": "SEK", "created_at": rfc3339(at)});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    at
}

async fn widget_customer(server: &TestServer, customer: &str) -> Value {
    server.shopper(Method::GET, "/v1/shops/demo/widget", Some(customer), None).await.json()["customer"].clone()
}

async fn lifetime_tiers_are_unchanged_without_a_period(store: Store) {
    let server = server(store).await;
    order_at(&server, "o-1", "anna", 150_000, 400).await; // 1500 points, long ago
    let view = widget_customer(&server, "anna").await;
    assert_eq!(view["tier"]["id"], "gold", "lifetime points keep the tier");
    assert!(view.get("keep_tier").is_none());
    assert_eq!(server.customer("anna").await["tier"]["id"], "gold");
}

async fn points_older_than_twelve_months_stop_counting_after_the_grace(store: Store) {
    let server = server(store).await;
    rolling(&server, 30).await;
    // 1500 points (Guld) 12 months and 10 days ago: out of the window,
    // fallen below 10 days ago, still in a 30-day grace.
    order_at(&server, "in-grace", "anna", 150_000, 375).await;
    // The same 12 months and 40 days ago: the grace is over.
    order_at(&server, "past-grace", "bo", 150_000, 405).await;
    assert_eq!(widget_customer(&server, "anna").await["tier"]["id"], "gold");
    let bo = widget_customer(&server, "bo").await;
    assert_eq!(bo["tier"]["id"], "bronze");
    assert_eq!(bo["lifetime_points"], 1500, "lifetime points are still reported");
    assert_eq!(bo["next_tier"]["points_needed"], 500, "the way up counts the window");
    assert_eq!(server.customer("bo").await["tier"]["id"], "bronze");
    assert_eq!(server.customer("anna").await["tier"]["id"], "gold");
}

async fn the_widget_says_what_keeps_the_tier_and_by_when(store: Store) {
    let server = server(store).await;
    rolling(&server, 30).await;
    // 1000 points 300 days ago, 500 more 10 days ago: Guld (1500) until the
    // 1000 roll out, about 65 days ahead; then 30 days of grace.
    let old_at = order_at(&server, "old", "anna", 100_000, 300).await;
    order_at(&server, "new", "anna", 40_000, 10).await; // at Silver: 400 x 1.25 = 500
    let view = widget_customer(&server, "anna").await;
    assert_eq!(view["tier"]["id"], "gold");
    let keep = &view["keep_tier"];
    assert_eq!((keep["id"].clone(), keep["name"].clone()), (json!("gold"), json!("Guld")));
    assert_eq!(keep["points_needed"], 1000);
    let by = lojal_core::campaign::parse_date(keep["by"].as_str().unwrap()).unwrap();
    let lapses = lojal_core::expiry::add_months(old_at, 12) + 30 * DAY;
    assert_eq!(by, (lapses - 1).div_euclid(DAY) * DAY, "the last day before the tier lapses");
}

async fn a_refund_below_the_threshold_moves_down_at_once(store: Store) {
    let server = server(store).await;
    rolling(&server, 30).await;
    order_at(&server, "a", "anna", 100_000, 20).await; // 1000: Silver
    order_at(&server, "b", "anna", 48_000, 10).await; // 480 x 1.25 = 600: 1600, Guld
    assert_eq!(widget_customer(&server, "anna").await["tier"]["id"], "gold");
    // A third of b back: 200 points, 1400 left, below Guld: no grace for it.
    let refund = server.merchant(Method::POST, "/v1/shops/demo/orders/b/refund", Some(json!({"amount": 16_000}))).await;
    assert_eq!(refund.status, StatusCode::OK);
    assert_eq!(refund.json()["points_reversed"], 200);
    let view = widget_customer(&server, "anna").await;
    assert_eq!(view["tier"]["id"], "silver");
    assert_eq!(view["next_tier"]["points_needed"], 100);
    server.assert_balances_match_ledger().await;
}

async fn an_order_earns_at_the_tier_held_over_the_window(store: Store) {
    let server = server(store).await;
    rolling(&server, 0).await;
    order_at(&server, "old", "anna", 150_000, 400).await; // Guld once, long rolled out
    let reply = server.order("now", "anna", 10_000).await.json();
    assert_eq!(reply["points_awarded"], 100, "earned at Brons (x1), not Guld (x1.5)");
}

async fn a_bad_period_is_refused(store: Store) {
    let server = server(store).await;
    let mut body = serde_json::to_value(program()).unwrap();
    body["tier_period"] = json!({"kind": "rolling_12_months", "grace_days": 400});
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(body.clone())).await;
    assert!(reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program").contains("grace_days"));
    body["tier_period"] = json!({"kind": "fortnightly"});
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(body)).await;
    assert!(reply.status.is_client_error());
}
