//! Shopper endpoints are rate limited per customer and per IP: `429` with
//! `Retry-After`, in the contract's error shape, and nothing done.

use crate::support::{server_with_limits, Store};
use axum::http::{header, Method, StatusCode};
use lojal_server::http::limits::Limits;

#[tokio::test]
async fn a_customer_over_their_allowance_gets_429_with_retry_after() {
    let server = server_with_limits(Store::Sqlite, Limits::new((1_000, 1_000), (1, 3))).await;
    server.order("o-1", "anna", 100_000).await;
    for _ in 0..3 {
        assert_eq!(server.redeem("anna", "r10").await.status, StatusCode::CREATED);
    }
    let limited = server.redeem("anna", "r10").await;
    limited.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let retry: u64 = limited.headers.get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert_eq!(server.count("redemptions").await, 3, "the limited request did nothing");
    // Another customer has their own allowance.
    server.order("o-2", "bert", 100_000).await;
    assert_eq!(server.redeem("bert", "r10").await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn an_ip_over_its_allowance_gets_429() {
    let server = server_with_limits(Store::Sqlite, Limits::new((1, 5), (1_000, 1_000))).await;
    for _ in 0..5 {
        assert_eq!(server.shopper(Method::GET, "/v1/shops/demo/widget", None, None).await.status, StatusCode::OK);
    }
    let limited = server.shopper(Method::GET, "/v1/shops/demo/widget", None, None).await;
    limited.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert!(limited.headers.get(header::RETRY_AFTER).is_some());
    // The merchant's back end is not a shopper: its calls are not limited here.
    assert_eq!(server.order("o-1", "anna", 1_000).await.status, StatusCode::CREATED);
}
