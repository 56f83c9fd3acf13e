//! Many requests for one customer at once, from many connections.

use crate::on_each_backend;
use crate::support::{server, Store};
use axum::http::{Method, StatusCode};
use futures_util::future::join_all;
use serde_json::json;
use std::sync::Arc;

on_each_backend!(
    a_hundred_concurrent_redemptions_against_a_balance_for_ten_spend_exactly_ten,
    the_same_order_delivered_concurrently_counts_once,
    orders_refunds_and_redemptions_at_once_keep_the_ledger_true,
);

async fn a_hundred_concurrent_redemptions_against_a_balance_for_ten_spend_exactly_ten(store: Store) {
    let server = Arc::new(server(store).await);
    server.order("o-1", "anna", 100_000).await; // 1000 points; r10 costs 100
    let attempts = (0..100).map(|_| {
        let server = server.clone();
        tokio::spawn(async move { server.redeem("anna", "r10").await.status })
    });
    let statuses: Vec<StatusCode> = join_all(attempts).await.into_iter().map(Result::unwrap).collect();
    let created = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((created, refused), (10, 90), "{statuses:?}");
    assert_eq!(server.points("anna").await, 0);
    assert_eq!(server.count("redemptions").await, 10);
    server.assert_balances_match_ledger().await;
}

async fn the_same_order_delivered_concurrently_counts_once(store: Store) {
    let server = Arc::new(server(store).await);
    let deliveries = (0..20).map(|_| {
        let server = server.clone();
        tokio::spawn(async move { server.order("o-1", "anna", 50_000).await.status })
    });
    let statuses: Vec<StatusCode> = join_all(deliveries).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::OK), "{statuses:?}");
    assert_eq!(server.points("anna").await, 500);
    assert_eq!(server.count("ledger").await, 1);
}

async fn orders_refunds_and_redemptions_at_once_keep_the_ledger_true(store: Store) {
    let server = Arc::new(server(store).await);
    server.order("seed", "anna", 50_000).await;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            match i % 3 {
                0 => server.order(&format!("o-{i}"), "anna", 10_000).await.status,
                1 => server.redeem("anna", "r10").await.status,
                _ => {
                    let order = format!("o-{}", i - 2);
                    let body = Some(json!({"amount": 5_000}));
                    server.merchant(Method::POST, &format!("/v1/shops/demo/orders/{order}/refund"), body).await.status
                }
            }
        }));
    }
    for status in join_all(tasks).await.into_iter().map(Result::unwrap) {
        // A refund may race ahead of its order (404); nothing may fail.
        assert!(!status.is_server_error(), "{status}");
    }
    let balance = server.points("anna").await;
    assert!(balance >= 0, "no redemption overspent: {balance}");
    server.assert_balances_match_ledger().await;
}
