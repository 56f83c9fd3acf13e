//! Campaigns: N times the points while they run, on chosen categories,
//! shown in the widget until their last day.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{Method, StatusCode};
use lojal_core::campaign::format_date;
use serde_json::{json, Value};

on_each_backend!(
    a_running_campaign_multiplies_the_points_of_its_categories,
    a_refund_takes_back_the_campaign_bonus_in_proportion,
    the_widget_shows_running_campaigns_only,
    a_bad_campaign_is_refused_and_the_old_program_kept,
);

fn day(offset_days: i64) -> String {
    format_date(lojal_server::clock::now() + offset_days * 86_400)
}

/// The test program with a double-dairy campaign running now and a
/// triple-everything one that starts next week.
async fn with_campaigns(server: &TestServer) {
    let mut program = serde_json::to_value(program()).unwrap();
    program["campaigns"] = json!([
        {"id": "dairy-x2", "title": "Dubbla poäng på mejeri", "multiplier": 2,
         "starts_on": day(-1), "ends_on": day(1), "categories": ["Dairy"]},
        {"id": "all-x3", "title": "Trippla poäng", "multiplier": 3,
         "starts_on": day(7), "ends_on": day(9)}
    ]);
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    let products = json!([
        {"sku": "milk", "name": "Milk", "category": "Dairy", "price": 2000, "url": "/milk"},
        {"sku": "bread", "name": "Bread", "category": "Bakery", "price": 3000, "url": "/bread"}
    ]);
    assert_eq!(server.merchant(Method::PUT, "/v1/shops/demo/products", Some(products)).await.status, StatusCode::OK);
}

fn order(id: &str) -> Value {
    // 50 kr of dairy and 30 kr of bread.
    json!({"id": id, "customer": "anna", "total": 8000, "currency": "SEK",
           "items": [{"sku": "milk", "qty": 2, "price": 2500}, {"sku": "bread", "qty": 1, "price": 3000}]})
}

async fn a_running_campaign_multiplies_the_points_of_its_categories(store: Store) {
    let server = server(store).await;
    with_campaigns(&server).await;
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order("o-1"))).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    // 80 points for 80 kr, and 50 more for doubling the 50 kr of dairy; the
    // triple campaign has not started.
    assert_eq!(reply.json()["points_awarded"], 130);
    let ledger = &server.customer("anna").await["ledger"];
    assert_eq!(ledger[0]["delta"], 130);
    assert_eq!(ledger[0]["note"], "dairy-x2", "the ledger row names the campaign");
    server.assert_balances_match_ledger().await;
}

async fn a_refund_takes_back_the_campaign_bonus_in_proportion(store: Store) {
    let server = server(store).await;
    with_campaigns(&server).await;
    server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order("o-1"))).await;
    let refund = server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", None).await;
    assert_eq!(refund.json()["points_reversed"], 130);
    assert_eq!(server.points("anna").await, 0);
}

async fn the_widget_shows_running_campaigns_only(store: Store) {
    let server = server(store).await;
    with_campaigns(&server).await;
    for customer in [Some("anna"), None] {
        let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", customer, None).await.json();
        assert_eq!(
            widget["campaigns"],
            json!([{"id": "dairy-x2", "title": "Dubbla poäng på mejeri", "multiplier": 2.0,
                    "ends_on": day(1), "categories": ["Dairy"]}])
        );
    }
}

async fn a_bad_campaign_is_refused_and_the_old_program_kept(store: Store) {
    let server = server(store).await;
    with_campaigns(&server).await;
    let mut program = serde_json::to_value(program()).unwrap();
    program["campaigns"] = json!([{"id": "x", "title": "X", "multiplier": 2,
                                   "starts_on": day(3), "ends_on": day(1)}]);
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    assert!(reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program").contains("before starts_on"));
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", None, None).await.json();
    assert_eq!(widget["campaigns"][0]["id"], "dairy-x2");
}
