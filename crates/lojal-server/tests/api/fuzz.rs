//! Generated bodies against the JSON endpoints: every answer is a 2xx or a
//! 4xx in the contract's shape, never a 5xx, and a refused request writes
//! nothing. `PROPTEST_CASES=5000` for a long run.

use crate::support::{server, Store};
use axum::http::{Method, StatusCode};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

/// Arbitrary JSON, biased towards the shapes the endpoints expect.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        "\\PC{0,20}".prop_map(Value::String),
        Just(json!("cust-42")),
        Just(json!("SEK")),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("customer".to_owned()),
                    Just("total".to_owned()),
                    Just("currency".to_owned()),
                    Just("items".to_owned()),
                    Just("sku".to_owned()),
                    Just("qty".to_owned()),
                    Just("price".to_owned()),
                    Just("reward_id".to_owned()),
                    Just("amount".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_bodies_get_a_2xx_or_a_clean_4xx_and_refusals_write_nothing() {
    let server = server(Store::Sqlite).await;
    server.order("seed", "cust-42", 100_000).await;
    let handle = tokio::runtime::Handle::current();
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(96);
    let mut runner = TestRunner::new(Config { cases, ..Config::default() });
    let endpoints = [
        (Method::POST, "/v1/shops/demo/orders", true),
        (Method::POST, "/v1/shops/demo/orders/seed/refund", true),
        (Method::PUT, "/v1/shops/demo/program", true),
        (Method::POST, "/v1/shops/demo/redemptions", false),
        (Method::PUT, "/v1/shops/demo/cart", false),
    ];
    let result = runner.run(&(json_value(), 0..endpoints.len()), |(body, which)| {
        let (method, path, merchant) = endpoints[which].clone();
        tokio::task::block_in_place(|| {
            handle.block_on(async {
                let before =
                    (server.count("orders").await, server.count("ledger").await, server.count("redemptions").await);
                let reply = if merchant {
                    server.merchant(method, path, Some(body.clone())).await
                } else {
                    server.shopper(method, path, Some("cust-42"), Some(body.clone())).await
                };
                prop_assert!(!reply.status.is_server_error(), "{path} {body}: {}", reply.status);
                if reply.status.is_client_error() {
                    let error = reply.json();
                    prop_assert!(
                        error["error"]["code"].is_string() && error["error"]["message"].is_string(),
                        "{error}"
                    );
                    let after =
                        (server.count("orders").await, server.count("ledger").await, server.count("redemptions").await);
                    prop_assert_eq!(before, after, "a refused request wrote something: {} {}", path, body);
                }
                prop_assert!(
                    reply.status.is_success()
                        || reply.status.is_client_error()
                        || reply.status == StatusCode::NO_CONTENT
                );
                Ok(())
            })
        })
    });
    result.unwrap();
    server.assert_balances_match_ledger().await;
}
