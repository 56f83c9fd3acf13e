//! The merchant's endpoints: program, catalogue, cart, customer and metrics.

use crate::on_each_backend;
use crate::support::{server, Store};
use axum::http::{Method, StatusCode};
use serde_json::json;

on_each_backend!(
    a_new_program_takes_effect_at_once,
    the_catalogue_is_replaced_as_a_whole,
    a_cart_is_kept_until_an_order_clears_it,
    metrics_match_a_hand_computed_example,
    an_unknown_customer_is_a_404,
);

async fn a_new_program_takes_effect_at_once(store: Store) {
    let server = server(store).await;
    let program = json!({"earn": {"points_per_unit": 2},
                         "tiers": [{"id": "member", "name": "Medlem", "threshold": 0}],
                         "rewards": [{"id": "bag", "title": "Tygkasse", "cost": 150, "kind": "free_product"}]});
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program.clone())).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(server.order("o-1", "anna", 10_000).await.json()["points_awarded"], 200);
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    assert_eq!(widget["rewards"][0]["id"], "bag");
    assert_eq!(widget["customer"]["next_tier"], serde_json::Value::Null, "one tier: already at the top");
}

async fn the_catalogue_is_replaced_as_a_whole(store: Store) {
    let server = server(store).await;
    let first = json!([{"sku": "a", "name": "Oat milk", "category": "Dairy", "price": 1990},
                       {"sku": "b", "name": "Rye bread", "category": "Bakery", "price": 3490, "recommendable": false}]);
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/products", Some(first)).await;
    assert_eq!(reply.json(), json!({"products": 2}));
    let second = json!([{"sku": "c", "name": "Coffee", "price": 5990}]);
    assert_eq!(
        server.merchant(Method::PUT, "/v1/shops/demo/products", Some(second)).await.json(),
        json!({"products": 1})
    );
    assert_eq!(server.count("products").await, 1);
}

async fn a_cart_is_kept_until_an_order_clears_it(store: Store) {
    let server = server(store).await;
    let cart = json!({"items": [{"sku": "a", "qty": 2, "price": 1990}]});
    let reply = server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("anna"), Some(cart)).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let replaced = json!({"items": [{"sku": "b", "qty": 1, "price": 3490}]});
    server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("anna"), Some(replaced)).await;
    assert_eq!(server.count("carts").await, 1);
    server.order("o-1", "anna", 3_490).await;
    assert_eq!(server.count("carts").await, 0);
}

/// Four customers, hand-computed:
/// - anna: 2 orders (100 + 300 kr), a refund of 100 kr of the first; redeems 100 points.
/// - bert: 1 order (200 kr).
/// - carl: signed in, never ordered.
/// - dora: 3 orders (50 kr each).
///
/// members 4; with orders 3; orders 6; revenue 30000 + 20000 + 15000 = 65000 öre;
/// repeat rate 2/3; average customer value 65000/3.
/// points issued: anna 100 + 300 (still Brons at 100 lifetime points), bert 200,
/// dora 150 -> 750; redeemed 100; reversed 100 (the refund of a-1);
/// outstanding 750 - 100 - 100 = 550; redemption rate 100/750.
/// tiers by lifetime now: anna 300, bert 200, carl 0, dora 150 -> all Brons.
async fn metrics_match_a_hand_computed_example(store: Store) {
    let server = server(store).await;
    server.order("a-1", "anna", 10_000).await;
    server.order("a-2", "anna", 30_000).await;
    server.merchant(Method::POST, "/v1/shops/demo/orders/a-1/refund", None).await;
    server.order("b-1", "bert", 20_000).await;
    server.shopper(Method::GET, "/v1/shops/demo/widget", Some("bert"), None).await;
    server.shopper(Method::GET, "/v1/shops/demo/widget", Some("carl"), None).await;
    for i in 1..=3 {
        server.order(&format!("d-{i}"), "dora", 5_000).await;
    }
    server.redeem("anna", "r10").await;
    let m = server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await.json();
    assert_eq!(m["members"], 4);
    assert_eq!(m["customers_with_orders"], 3);
    assert_eq!(m["orders"], 6);
    assert_eq!(m["revenue"], 65_000);
    assert_eq!(m["repeat_purchase_rate"], json!(2.0 / 3.0));
    assert_eq!(m["average_customer_value"], json!(65_000.0 / 3.0));
    // Of those who ordered, only bert has opened the widget (carl did, but never ordered).
    assert_eq!(
        m["customer_value_by_membership"],
        json!({"members": 1, "members_value": 20_000.0, "non_members": 2, "non_members_value": 22_500.0})
    );
    assert_eq!(m["points"]["issued"], 750);
    assert_eq!(m["points"]["redeemed"], 100);
    assert_eq!(m["points"]["reversed"], 100);
    assert_eq!(m["points"]["outstanding"], 550);
    assert_eq!(m["points"]["redemption_rate"], json!(100.0 / 750.0));
    assert_eq!(m["tiers"][0]["members"], 4);
    assert_eq!(m["tiers"][0]["revenue"], 65_000);
    // Everyone ordered within the last 90 days and no one before: no base for retention yet.
    assert_eq!(m["retention"], serde_json::Value::Null);
    assert_eq!(m["nps"], serde_json::Value::Null);
}

async fn an_unknown_customer_is_a_404(store: Store) {
    let server = server(store).await;
    let reply = server.merchant(Method::GET, "/v1/shops/demo/customers/nobody", None).await;
    reply.assert_error(StatusCode::NOT_FOUND, "unknown_customer");
    let adjust = json!({"points": 10, "note": "welcome"});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/customers/nobody/adjustments", Some(adjust)).await;
    reply.assert_error(StatusCode::NOT_FOUND, "unknown_customer");
}
