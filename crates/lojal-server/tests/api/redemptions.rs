//! Redemptions: points into a unique discount code, never beyond the balance.

use crate::on_each_backend;
use crate::support::{server, Store};
use axum::http::{Method, StatusCode};
use serde_json::json;

on_each_backend!(
    redeeming_spends_points_and_issues_a_unique_code,
    a_balance_short_of_the_cost_is_refused_and_says_by_how_much,
    guests_and_unknown_rewards_are_refused,
);

async fn redeeming_spends_points_and_issues_a_unique_code(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 30_000).await; // 300 points
    let first = server.redeem("anna", "r10").await;
    assert_eq!(first.status, StatusCode::CREATED);
    let body = first.json();
    assert_eq!(
        (body["reward_id"].clone(), body["points_spent"].clone(), body["points"].clone()),
        (json!("r10"), json!(100), json!(200))
    );
    let second = server.redeem("anna", "r10").await.json();
    assert_ne!(body["code"], second["code"]);
    let code = body["code"].as_str().unwrap();
    assert!(code.starts_with("LOJ-") && code.len() == 13, "{code}");
    assert_eq!(server.points("anna").await, 100);
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    assert_eq!(widget["customer"]["points"], 100);
    assert_eq!(widget["customer"]["lifetime_points"], 300, "spending keeps the tier");
    server.assert_balances_match_ledger().await;
}

async fn a_balance_short_of_the_cost_is_refused_and_says_by_how_much(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 38_000).await; // 380 points
    let reply = server.redeem("anna", "r100").await;
    let message = reply.assert_error(StatusCode::CONFLICT, "insufficient_points");
    assert_eq!(message, "You need 120 more points.");
    assert_eq!(server.count("redemptions").await, 0);
    assert_eq!(server.points("anna").await, 380);
}

async fn guests_and_unknown_rewards_are_refused(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 100_000).await;
    let guest =
        server.shopper(Method::POST, "/v1/shops/demo/redemptions", None, Some(json!({"reward_id": "r10"}))).await;
    guest.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    server.redeem("anna", "r999").await.assert_error(StatusCode::NOT_FOUND, "unknown_reward");
    assert_eq!(server.count("redemptions").await, 0);
    assert_eq!(server.points("anna").await, 1000);
}
