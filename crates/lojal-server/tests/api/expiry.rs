//! Points expire 12 months after they were earned, oldest first.

use crate::on_each_backend;
use crate::support::{server, Store, TestServer};
use axum::http::{Method, StatusCode};
use lojal_server::clock::{self, rfc3339};
use serde_json::json;

on_each_backend!(unspent_points_expire_a_year_after_they_were_earned, expiry_is_written_once_however_often_it_is_read);

const DAY: i64 = 86_400;

async fn order_at(server: &TestServer, id: &str, total: i64, days_ago: i64) {
    let at = rfc3339(clock::now() - days_ago * DAY);
    let body = json!({"id": id, "customer": "anna", "total": total, "currency": "SEK", "created_at": at});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
}

async fn unspent_points_expire_a_year_after_they_were_earned(store: Store) {
    let server = server(store).await;
    order_at(&server, "old", 30_000, 400).await; // 300 points, 400 days ago: expired
    order_at(&server, "new", 20_000, 30).await; // 200 points, a month ago (Brons still: lifetime 300)
    let customer = server.customer("anna").await;
    assert_eq!(customer["points"], 200);
    assert_eq!(customer["lifetime_points"], 500, "expiry does not take a tier away");
    let rows: Vec<(&str, i64)> = customer["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["reason"].as_str().unwrap(), r["delta"].as_i64().unwrap()))
        .collect();
    assert_eq!(rows, [("earn", 200), ("expiry", -300), ("earn", 300)]);
}

async fn expiry_is_written_once_however_often_it_is_read(store: Store) {
    let server = server(store).await;
    order_at(&server, "old", 30_000, 400).await;
    for _ in 0..3 {
        server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await;
        server.customer("anna").await;
    }
    let expiries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger WHERE reason = 'expiry'")
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    assert_eq!(expiries, 1);
    assert_eq!(server.points("anna").await, 0);
    server.assert_balances_match_ledger().await;
}
