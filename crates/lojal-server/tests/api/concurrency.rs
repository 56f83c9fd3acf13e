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
    orders_arriving_together_commit_together_and_a_refused_one_refuses_only_itself,
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

/// On SQLite the orders that arrive together share one commit, each in its
/// own savepoint: the one refused among them (a code another order of the
/// same burst used first) writes nothing, and every other is stored with
/// its points.
async fn orders_arriving_together_commit_together_and_a_refused_one_refuses_only_itself(store: Store) {
    let server = Arc::new(server(store).await);
    server.order("seed", "anna", 70_000).await; // 700 points
    let reply = server.redeem("anna", "r100").await;
    let code = reply.json()["code"].as_str().unwrap().to_owned();
    let orders = (0..24).map(|i| {
        let (server, code) = (server.clone(), code.clone());
        tokio::spawn(async move {
            let order = if i == 5 || i == 17 {
                json!({"id": format!("o-{i}"), "customer": "anna", "total": 10_000, "currency": "SEK", "codes": [code]})
            } else {
                json!({"id": format!("o-{i}"), "customer": format!("c-{i}"), "total": 10_000, "currency": "SEK"})
            };
            (i, server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order)).await)
        })
    });
    let replies: Vec<_> = join_all(orders).await.into_iter().map(Result::unwrap).collect();
    let refused: Vec<_> = replies.iter().filter(|(_, r)| r.status != StatusCode::CREATED).collect();
    assert_eq!(refused.len(), 1, "{:?}", replies.iter().map(|(i, r)| (i, r.status)).collect::<Vec<_>>());
    let (loser, reply) = refused[0];
    assert!(*loser == 5 || *loser == 17, "{loser}");
    reply.assert_error(StatusCode::CONFLICT, "code_used");
    assert_eq!(server.count("orders").await, 1 + 23);
    for i in (0..24).filter(|i| *i != 5 && *i != 17) {
        assert_eq!(server.points(&format!("c-{i}")).await, 100, "c-{i}");
    }
    let winner = if *loser == 5 { 17 } else { 5 };
    let won = &replies.iter().find(|(i, _)| *i == winner).unwrap().1;
    assert_eq!(server.points("anna").await, won.json()["points"].as_i64().unwrap());
    server.assert_balances_match_ledger().await;
}
