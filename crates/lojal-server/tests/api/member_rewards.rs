//! Member-only rewards and early access: shown and redeemable by the
//! tiers they are for, and by everyone from their `available_from` day.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{Method, StatusCode};
use lojal_core::campaign::format_date;
use serde_json::{json, Value};

on_each_backend!(
    a_member_only_reward_is_shown_and_redeemable_only_in_its_tiers,
    early_access_opens_to_everyone_on_its_day,
);

async fn with_rewards(server: &TestServer, available_from: Option<String>) {
    let mut program = serde_json::to_value(program()).unwrap();
    let mut reward = json!({"id": "vip", "title": "VIP-kväll", "cost": 100, "kind": "free_product",
                            "tiers": ["gold", "platinum"]});
    if let Some(day) = available_from {
        reward["available_from"] = json!(day);
    }
    program["rewards"].as_array_mut().unwrap().push(reward);
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    // Gold is 1,500 lifetime points; Silver 500.
    assert_eq!(server.order("o-gold", "guld", 160_000).await.status, StatusCode::CREATED);
    assert_eq!(server.order("o-silver", "silver", 60_000).await.status, StatusCode::CREATED);
}

async fn vip_reward(server: &TestServer, customer: Option<&str>) -> Option<Value> {
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", customer, None).await.json();
    widget["rewards"].as_array().unwrap().iter().find(|r| r["id"] == "vip").cloned()
}

async fn a_member_only_reward_is_shown_and_redeemable_only_in_its_tiers(store: Store) {
    let server = server(store).await;
    with_rewards(&server, None).await;
    let shown = vip_reward(&server, Some("guld")).await.expect("gold sees it");
    assert_eq!(shown["tiers"], json!(["gold", "platinum"]));
    assert!(vip_reward(&server, Some("silver")).await.is_none());
    assert!(vip_reward(&server, None).await.is_none(), "guests do not see it");

    let refused = server.redeem("silver", "vip").await;
    refused.assert_error(StatusCode::FORBIDDEN, "reward_not_available");
    assert_eq!(server.points("silver").await, 600, "a refused redemption spends nothing");
    assert_eq!(server.redeem("guld", "vip").await.status, StatusCode::CREATED);
}

async fn early_access_opens_to_everyone_on_its_day(store: Store) {
    let tomorrow = format_date(lojal_server::clock::now() + 86_400);
    let server = server(store).await;
    with_rewards(&server, Some(tomorrow.clone())).await;
    let early = vip_reward(&server, Some("guld")).await.expect("gold has early access");
    assert_eq!(early["early_access_until"], json!(tomorrow));
    assert!(vip_reward(&server, Some("silver")).await.is_none(), "not before its day");
    server.redeem("silver", "vip").await.assert_error(StatusCode::FORBIDDEN, "reward_not_available");

    // From its day it is open to all: the same program with yesterday's date.
    let yesterday = format_date(lojal_server::clock::now() - 86_400);
    let mut program = serde_json::to_value(program()).unwrap();
    program["rewards"].as_array_mut().unwrap().push(json!({"id": "vip", "title": "VIP-kväll", "cost": 100,
        "kind": "free_product", "tiers": ["gold", "platinum"], "available_from": yesterday}));
    server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    let open = vip_reward(&server, Some("silver")).await.expect("open to all");
    assert!(open.get("early_access_until").is_none() && open.get("tiers").is_none());
    assert_eq!(server.redeem("silver", "vip").await.status, StatusCode::CREATED);
}
