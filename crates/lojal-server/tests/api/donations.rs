//! Giving points to the shop's cause: spent like a redemption (never more
//! than the balance, even all at once), shown as a shared total.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{Method, StatusCode};
use futures_util::future::join_all;
use serde_json::json;
use std::sync::Arc;

on_each_backend!(
    a_gift_spends_points_and_grows_the_shared_total,
    concurrent_gifts_never_spend_more_than_the_balance,
    a_shop_without_a_cause_takes_no_gifts,
);

async fn with_cause(server: &TestServer) {
    let mut program = serde_json::to_value(program()).unwrap();
    program["donation"] = json!({"cause": "Stadsmissionen", "points": 100, "value": 1000});
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
}

async fn give(server: &TestServer, customer: &str, gifts: i64) -> crate::support::Reply {
    server.shopper(Method::POST, "/v1/shops/demo/donations", Some(customer), Some(json!({"gifts": gifts}))).await
}

async fn a_gift_spends_points_and_grows_the_shared_total(store: Store) {
    let server = server(store).await;
    with_cause(&server).await;
    server.order("o-1", "anna", 30_000).await;
    server.order("o-2", "bert", 10_000).await;
    let first = give(&server, "anna", 2).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.json(), json!({"points_spent": 200, "amount": 2000, "points": 100, "total": 2000}));
    assert_eq!(give(&server, "bert", 1).await.json()["total"], 3000, "the total is everyone's");
    give(&server, "bert", 1).await.assert_error(StatusCode::CONFLICT, "insufficient_points");
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    assert_eq!(
        widget["donation"],
        json!({"cause": "Stadsmissionen", "points": 100, "value": 1000, "total": 3000, "affordable": true})
    );
    let ledger = server.customer("anna").await["ledger"].clone();
    assert_eq!(ledger[0]["reason"], "donation");
    assert_eq!(ledger[0]["note"], "Stadsmissionen");
    let metrics = server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await.json();
    assert_eq!((metrics["donated_amount"].clone(), metrics["points"]["donated"].clone()), (json!(3000), json!(300)));
    give(&server, "anna", 0).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    server.assert_balances_match_ledger().await;
}

async fn concurrent_gifts_never_spend_more_than_the_balance(store: Store) {
    let server = Arc::new(server(store).await);
    with_cause(&server).await;
    server.order("o-1", "anna", 50_000).await; // 500 points: five gifts
    let attempts = (0..30).map(|_| {
        let server = server.clone();
        tokio::spawn(async move { give(&server, "anna", 1).await.status })
    });
    let statuses: Vec<StatusCode> = join_all(attempts).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 5, "{statuses:?}");
    assert_eq!(server.points("anna").await, 0);
    assert_eq!(server.count("donations").await, 5);
    let total: i64 = sqlx::query_scalar("SELECT total FROM donation_totals WHERE shop_id = 'demo'")
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    assert_eq!(total, 5 * 1000, "the kept total is the sum of the gifts");
    server.assert_balances_match_ledger().await;
}

async fn a_shop_without_a_cause_takes_no_gifts(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 30_000).await;
    give(&server, "anna", 1).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(server.points("anna").await, 300);
}
