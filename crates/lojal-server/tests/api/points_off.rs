//! Issue 20, part 5: "points as money off": the shopper chooses how many
//! points to spend, in steps, up to a share of their cart; the code
//! carries the amount.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{Method, StatusCode};
use futures_util::future::join_all;
use serde_json::{json, Value};
use std::sync::Arc;

on_each_backend!(
    the_chosen_points_become_a_code_worth_their_money,
    a_wrong_amount_is_refused_and_writes_nothing,
    a_known_cart_caps_the_points_at_its_share,
    concurrent_choices_never_spend_past_the_balance,
    the_widget_offers_the_picker_with_its_steps,
    a_points_off_reward_without_its_rule_is_refused,
    codes_stacked_past_the_share_of_the_order_are_refused_when_used,
    a_checkout_using_a_points_off_code_states_the_order_total,
    a_guest_checkout_uses_a_members_code_all_the_same,
);

/// The support program with "100 points = 10 kr, at most 50 % of the cart".
async fn with_points_off(server: &TestServer) {
    let mut body = serde_json::to_value(program()).unwrap();
    body["rewards"].as_array_mut().unwrap().push(json!({
        "id": "off", "title": "Poäng som rabatt", "cost": 100, "kind": "points_off",
        "points_off": {"step_points": 100, "step_value": 1000, "max_share_percent": 50}}));
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(body)).await;
    assert!(reply.status.is_success(), "{}", String::from_utf8_lossy(&reply.body));
}

async fn spend(server: &TestServer, customer: &str, points: Value) -> crate::support::Reply {
    let body = json!({"reward_id": "off", "points": points});
    server.shopper(Method::POST, "/v1/shops/demo/redemptions", Some(customer), Some(body)).await
}

async fn the_chosen_points_become_a_code_worth_their_money(store: Store) {
    let server = server(store).await;
    with_points_off(&server).await;
    server.order("o-1", "anna", 74_000).await; // 740 points
    let reply = spend(&server, "anna", json!(300)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    let body = reply.json();
    assert_eq!((body["points_spent"].clone(), body["points"].clone()), (json!(300), json!(440)));
    let code = body["code"].as_str().unwrap();
    let seen = server.merchant(Method::GET, &format!("/v1/shops/demo/codes/{code}"), None).await.json();
    assert_eq!(seen["kind"], "points_off");
    assert_eq!(seen["value"], 3000, "300 points = 30 kr, in öre");
    assert_eq!(seen["points_spent"], 300);
    assert_eq!(seen["currency"], "SEK");
    // Voided, the code gives back exactly the points chosen.
    server.merchant(Method::POST, &format!("/v1/shops/demo/codes/{code}/void"), None).await;
    assert_eq!(server.points("anna").await, 740);
    server.assert_balances_match_ledger().await;
}

async fn a_wrong_amount_is_refused_and_writes_nothing(store: Store) {
    let server = server(store).await;
    with_points_off(&server).await;
    server.order("o-1", "anna", 74_000).await;
    for bad in [json!(150), json!(0), json!(-100), json!(null)] {
        let reply = spend(&server, "anna", bad.clone()).await;
        reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    }
    let message = spend(&server, "anna", json!(800)).await.assert_error(StatusCode::CONFLICT, "insufficient_points");
    assert_eq!(message, "You need 60 more points.");
    // A fixed reward's cost cannot be changed by naming points.
    let fixed = json!({"reward_id": "r10", "points": 1});
    let reply = server.shopper(Method::POST, "/v1/shops/demo/redemptions", Some("anna"), Some(fixed)).await;
    assert!(reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request").contains("costs 100"));
    // A new shopper refused: not even their membership is written.
    spend(&server, "newcomer", json!(150)).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    assert_eq!(server.count("redemptions").await, 0);
    assert_eq!(server.points("anna").await, 740);
    let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE id = 'newcomer'")
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    assert_eq!(members, 0);
}

async fn a_known_cart_caps_the_points_at_its_share(store: Store) {
    let server = server(store).await;
    with_points_off(&server).await;
    server.order("o-1", "anna", 200_000).await; // 2000 points
    let cart = json!({"items": [{"sku": "kaffe", "qty": 2, "price": 5_950}]}); // 119 kr
    let put = server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("anna"), Some(cart)).await;
    assert_eq!(put.status, StatusCode::NO_CONTENT);
    // Half of 119 kr is 59.50 kr: five steps (50 kr), not six.
    let too_much = spend(&server, "anna", json!(600)).await;
    assert!(too_much.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request").contains("500 points"));
    let reply = spend(&server, "anna", json!(500)).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(server.points("anna").await, 1500);
}

async fn concurrent_choices_never_spend_past_the_balance(store: Store) {
    let server = Arc::new(server(store).await);
    with_points_off(&server).await;
    server.order("o-1", "anna", 100_000).await; // 1000 points
    let attempts = (0..12).map(|_| {
        let server = server.clone();
        tokio::spawn(async move { spend(&server, "anna", json!(300)).await.status })
    });
    let statuses: Vec<StatusCode> = join_all(attempts).await.into_iter().map(Result::unwrap).collect();
    let created = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((created, refused), (3, 9), "{statuses:?}");
    assert_eq!(server.points("anna").await, 100);
    server.assert_balances_match_ledger().await;
}

async fn the_widget_offers_the_picker_with_its_steps(store: Store) {
    let server = server(store).await;
    with_points_off(&server).await;
    server.order("o-1", "anna", 74_000).await;
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    let reward = widget["rewards"].as_array().unwrap().iter().find(|r| r["id"] == "off").unwrap().clone();
    assert_eq!(reward["kind"], "points_off");
    assert_eq!(reward["points_off"], json!({"step_points": 100, "step_value": 1000, "max_share_percent": 50}));
    assert_eq!(reward["redeemable"], true);
}

async fn a_points_off_reward_without_its_rule_is_refused(store: Store) {
    let server = server(store).await;
    let mut body = serde_json::to_value(program()).unwrap();
    body["rewards"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "off", "title": "Off", "cost": 100, "kind": "points_off"}));
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(body)).await;
    assert!(reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program").contains("needs points_off"));
}

/// Two codes redeemed against one cart (or none): each within the share
/// alone, together past it. The order that uses both is refused whole, and
/// the codes stay unused; one of them alone goes through.
async fn codes_stacked_past_the_share_of_the_order_are_refused_when_used(store: Store) {
    let server = server(store).await;
    with_points_off(&server).await;
    server.order("o-1", "anna", 300_000).await; // 3000 points
    let first = spend(&server, "anna", json!(1000)).await.json()["code"].as_str().unwrap().to_owned();
    let second = spend(&server, "anna", json!(1000)).await.json()["code"].as_str().unwrap().to_owned();
    let (orders, ledger) = (server.count("orders").await, server.count("ledger").await);
    // 100 kr off each; the order is 200 kr, of which points may pay 100.
    let both = json!({"id": "o-2", "customer": "anna", "total": 20_000, "currency": "SEK", "codes": [first, second]});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(both)).await;
    reply.assert_error(StatusCode::CONFLICT, "code_over_share");
    assert_eq!((server.count("orders").await, server.count("ledger").await), (orders, ledger), "nothing written");
    for code in [&first, &second] {
        let seen = server.merchant(Method::GET, &format!("/v1/shops/demo/codes/{code}"), None).await.json();
        assert_eq!(seen["status"], "active", "{seen}");
    }
    let one = json!({"id": "o-2", "customer": "anna", "total": 20_000, "currency": "SEK", "codes": [first]});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(one)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    server.assert_balances_match_ledger().await;
}

async fn a_checkout_using_a_points_off_code_states_the_order_total(store: Store) {
    let server = server(store).await;
    with_points_off(&server).await;
    server.order("o-1", "anna", 300_000).await;
    let code = spend(&server, "anna", json!(1000)).await.json()["code"].as_str().unwrap().to_owned();
    let path = format!("/v1/shops/demo/codes/{code}/use");
    let reply = server.merchant(Method::POST, &path, Some(json!({"order_id": "c-1"}))).await;
    reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    // 100 kr off a 199.98 kr order is past its half.
    let reply = server.merchant(Method::POST, &path, Some(json!({"order_id": "c-1", "order_total": 19_998}))).await;
    reply.assert_error(StatusCode::CONFLICT, "code_over_share");
    let seen = server.merchant(Method::GET, &format!("/v1/shops/demo/codes/{code}"), None).await.json();
    assert_eq!(seen["status"], "active", "a refused use writes nothing: {seen}");
    let reply = server.merchant(Method::POST, &path, Some(json!({"order_id": "c-1", "order_total": 20_000}))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["status"], "used");
}

/// A member who checks out without signing in still spends their code:
/// the guest's order marks it used, and no second order can use it.
async fn a_guest_checkout_uses_a_members_code_all_the_same(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 70_000).await;
    let code = server.redeem("anna", "r100").await.json()["code"].as_str().unwrap().to_owned();
    let hash = "ab".repeat(32);
    let guest = json!({"id": "g-1", "email_hash": hash, "total": 20_000, "currency": "SEK", "codes": [code]});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(guest)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    let seen = server.merchant(Method::GET, &format!("/v1/shops/demo/codes/{code}"), None).await.json();
    assert_eq!((seen["status"].clone(), seen["order_id"].clone()), (json!("used"), json!("g-1")));
    let again = json!({"id": "o-2", "customer": "anna", "total": 20_000, "currency": "SEK", "codes": [code]});
    server
        .merchant(Method::POST, "/v1/shops/demo/orders", Some(again))
        .await
        .assert_error(StatusCode::CONFLICT, "code_used");
}
