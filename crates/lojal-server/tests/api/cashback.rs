//! Cashback: a share of each purchase as store credit, taken back by
//! refunds in proportion, spent at checkout once per spend id and never
//! past the balance.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{Method, StatusCode};
use futures_util::future::join_all;
use serde_json::json;
use std::sync::Arc;

on_each_backend!(
    purchases_earn_credit_beside_points_and_refunds_take_it_back_exactly,
    a_spend_applies_once_per_id_and_never_past_the_balance,
    concurrent_spends_never_take_more_than_the_credit,
);

async fn with_cashback(server: &TestServer) {
    let mut program = serde_json::to_value(program()).unwrap();
    program["cashback"] = json!({"percent": 2.5});
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
}

async fn spend(server: &TestServer, customer: &str, id: &str, amount: i64) -> crate::support::Reply {
    let body = json!({"id": id, "amount": amount});
    server.merchant(Method::POST, &format!("/v1/shops/demo/customers/{customer}/credit/spend"), Some(body)).await
}

async fn credit(server: &TestServer, customer: &str) -> i64 {
    server.customer(customer).await["credit"].as_i64().unwrap()
}

async fn purchases_earn_credit_beside_points_and_refunds_take_it_back_exactly(store: Store) {
    let server = server(store).await;
    with_cashback(&server).await;
    server.order("o-1", "anna", 10_001).await; // 2.5 % of 100.01 kr: 250.025 öre, rounded down
    assert_eq!(credit(&server, "anna").await, 250);
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    assert_eq!((widget["customer"]["credit"].clone(), widget["cashback_percent"].clone()), (json!(250), json!(2.5)));
    // Three partial refunds that add up to the order take back exactly what it gave.
    for amount in [3_333, 3_333, 3_335] {
        let body = json!({"amount": amount});
        let reply = server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", Some(body)).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    assert_eq!(credit(&server, "anna").await, 0);
    let metrics = server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await.json();
    assert_eq!(metrics["credit"], json!({"issued": 250, "spent": 0, "reversed": 250, "outstanding": 0}));
    server.assert_balances_match_ledger().await;
}

async fn a_spend_applies_once_per_id_and_never_past_the_balance(store: Store) {
    let server = server(store).await;
    with_cashback(&server).await;
    server.order("o-1", "anna", 40_000).await; // 1000 öre of credit
    let first = spend(&server, "anna", "checkout-1", 600).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.json(), json!({"amount": 600, "credit": 400}));
    assert_eq!(spend(&server, "anna", "checkout-1", 600).await.status, StatusCode::OK, "a retry spends once");
    spend(&server, "anna", "checkout-1", 100).await.assert_error(StatusCode::CONFLICT, "spend_conflict");
    spend(&server, "anna", "checkout-2", 401).await.assert_error(StatusCode::CONFLICT, "insufficient_credit");
    spend(&server, "nobody", "checkout-3", 1).await.assert_error(StatusCode::NOT_FOUND, "unknown_customer");
    spend(&server, "anna", "checkout-4", 0).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    assert_eq!(credit(&server, "anna").await, 400);
    server.assert_balances_match_ledger().await;
}

async fn concurrent_spends_never_take_more_than_the_credit(store: Store) {
    let server = Arc::new(server(store).await);
    with_cashback(&server).await;
    server.order("o-1", "anna", 40_000).await; // 1000 öre: ten spends of 100
    let attempts = (0..40).map(|n| {
        let server = server.clone();
        tokio::spawn(async move { spend(&server, "anna", &format!("c-{n}"), 100).await.status })
    });
    let statuses: Vec<StatusCode> = join_all(attempts).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 10, "{statuses:?}");
    assert_eq!(credit(&server, "anna").await, 0);
    server.assert_balances_match_ledger().await;
}
