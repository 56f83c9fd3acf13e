//! Points are money: the defects a review found, each a way to create,
//! destroy or double-count points or to answer 500, proven fixed on both
//! databases, with the ledger audit (`ledger verify`) run after each.

use crate::on_each_backend;
use crate::support::{server, Store, TestServer};
use axum::http::{Method, StatusCode};
use futures_util::future::join_all;
use lojal_server::clock::{self, rfc3339};
use serde_json::{json, Value};
use std::sync::Arc;

on_each_backend!(
    a_refund_after_expiry_takes_only_what_is_left_of_the_orders_points,
    a_referral_bonus_that_expired_is_not_taken_back_twice,
    feedback_is_taken_only_within_the_window_and_a_refund_takes_its_points_back,
    the_nth_order_bonus_counts_kept_orders_and_goes_back_with_a_refund,
    action_and_feedback_points_note_when_they_expire,
    a_reused_order_id_with_other_items_is_a_conflict,
    a_tier_of_one_and_an_eighth_earns_exactly,
    a_refunded_referred_order_voids_the_welcome_code_and_a_free_order_refers_nobody,
    one_order_id_for_two_customers_at_once_is_one_order_and_a_conflict,
    one_spend_id_for_two_members_at_once_is_one_spend_and_a_conflict,
    two_members_using_each_others_codes_at_once_make_no_loop,
    changing_the_expiry_rule_never_re_expires_points_already_earned,
    an_order_from_the_future_is_refused,
    a_refund_id_again_with_another_amount_is_a_conflict,
);

const DAY: i64 = 86_400;

async fn order_at(server: &TestServer, id: &str, customer: &str, total: i64, days_ago: i64) -> Value {
    let at = rfc3339(clock::now() - days_ago * DAY);
    let body = json!({"id": id, "customer": customer, "total": total, "currency": "SEK", "created_at": at});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

async fn refund(server: &TestServer, order: &str) -> Value {
    let reply = server.merchant(Method::POST, &format!("/v1/shops/demo/orders/{order}/refund"), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

/// The test program with more forms switched on.
async fn with_program(server: &TestServer, extra: Value) {
    let mut program = serde_json::to_value(crate::support::program()).unwrap();
    for (key, value) in extra.as_object().unwrap() {
        program[key] = value.clone();
    }
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    assert!(reply.status.is_success(), "{}", String::from_utf8_lossy(&reply.body));
}

async fn code_of(server: &TestServer, customer: &str) -> String {
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some(customer), None).await.json();
    widget["customer"]["referral"]["code"].as_str().unwrap().to_owned()
}

async fn a_refund_after_expiry_takes_only_what_is_left_of_the_orders_points(store: Store) {
    let server = server(store).await;
    order_at(&server, "old", "anna", 30_000, 400).await; // 300 points, expired
    assert_eq!(server.points("anna").await, 0);
    // The expired 300 are gone already: taking them again would leave -300
    // that eats the next purchase.
    assert_eq!(refund(&server, "old").await["points_reversed"], 0);
    assert_eq!(server.points("anna").await, 0);
    order_at(&server, "new", "anna", 10_000, 1).await;
    assert_eq!(server.points("anna").await, 100);

    // Part spent, the rest expired: the spent part is still taken back.
    order_at(&server, "bert-old", "bert", 20_000, 400).await; // 200
    order_at(&server, "bert-new", "bert", 10_000, 1).await; // 100
                                                            // 200 expired at once; spend 100 of the new points.
    assert_eq!(server.redeem("bert", "r10").await.status, StatusCode::CREATED);
    assert_eq!(refund(&server, "bert-old").await["points_reversed"], 0);
    assert_eq!(refund(&server, "bert-new").await["points_reversed"], 100);
    assert_eq!(server.points("bert").await, -100, "the spent points of a refunded order are still owed");
    server.assert_balances_match_ledger().await;
}

async fn a_referral_bonus_that_expired_is_not_taken_back_twice(store: Store) {
    let server = server(store).await;
    let code = code_of(&server, "anna").await;
    let at = rfc3339(clock::now() - 400 * DAY);
    let body = json!({"id": "o-1", "customer": "bert", "total": 10_000, "currency": "SEK",
                      "referral_code": code, "created_at": at});
    assert_eq!(server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await.status, StatusCode::CREATED);
    // Anna's 200 bonus was earned 400 days ago: expired.
    assert_eq!(server.points("anna").await, 0);
    refund(&server, "o-1").await;
    assert_eq!(server.points("anna").await, 0, "the expired bonus is not taken a second time");
    server.assert_balances_match_ledger().await;
}

async fn feedback(server: &TestServer, customer: &str, order: &str) -> crate::support::Reply {
    let body = json!({"order_id": order, "score": 9});
    server.shopper(Method::POST, "/v1/shops/demo/feedback", Some(customer), Some(body)).await
}

async fn feedback_is_taken_only_within_the_window_and_a_refund_takes_its_points_back(store: Store) {
    let server = server(store).await;
    with_program(&server, json!({"feedback": {"ask_within_days": 14, "points": 25}})).await;
    order_at(&server, "old", "anna", 10_000, 30).await;
    feedback(&server, "anna", "old").await.assert_error(StatusCode::CONFLICT, "feedback_closed");
    order_at(&server, "new", "anna", 10_000, 1).await;
    assert_eq!(feedback(&server, "anna", "new").await.status, StatusCode::CREATED);
    assert_eq!(server.points("anna").await, 225);
    // Buy, answer, refund: nothing is kept.
    refund(&server, "new").await;
    assert_eq!(server.points("anna").await, 100);
    // A refunded order is not asked about again.
    order_at(&server, "third", "anna", 10_000, 1).await;
    refund(&server, "third").await;
    feedback(&server, "anna", "third").await.assert_error(StatusCode::CONFLICT, "feedback_closed");
    server.assert_balances_match_ledger().await;
}

async fn the_nth_order_bonus_counts_kept_orders_and_goes_back_with_a_refund(store: Store) {
    let server = server(store).await;
    with_program(
        &server,
        json!({"actions": [{"id": "third", "kind": "purchase_count", "title": "Third", "points": 50, "count": 3}]}),
    )
    .await;
    order_at(&server, "o-1", "anna", 10_000, 3).await;
    order_at(&server, "o-2", "anna", 10_000, 2).await;
    refund(&server, "o-2").await;
    // The second order was refunded: this is her second kept order.
    order_at(&server, "o-3", "anna", 10_000, 1).await;
    assert_eq!(server.points("anna").await, 200);
    order_at(&server, "o-4", "anna", 10_000, 0).await;
    assert_eq!(server.points("anna").await, 350, "the third kept order pays the bonus");
    refund(&server, "o-4").await;
    assert_eq!(server.points("anna").await, 200, "its refund takes the bonus back");
    // Earned again by the next third kept order, not lost for good.
    order_at(&server, "o-5", "anna", 10_000, 0).await;
    assert_eq!(server.points("anna").await, 350);
    // Refunding an earlier order also leaves two kept orders: the bonus goes.
    refund(&server, "o-1").await;
    assert_eq!(server.points("anna").await, 200);
    server.assert_balances_match_ledger().await;
}

async fn action_and_feedback_points_note_when_they_expire(store: Store) {
    let server = server(store).await;
    with_program(&server, json!({"actions": [{"id": "review", "kind": "review", "title": "Review", "points": 40}]}))
        .await;
    let body = json!({"action": "review", "id": "review-1"});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/customers/anna/actions", Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    let (next_at, next_points): (Option<i64>, i64) = sqlx::query_as(
        "SELECT next_expiry_at, next_expiry_points FROM customers WHERE shop_id = 'demo' AND id = 'anna'",
    )
    .fetch_one(&server.db.pool)
    .await
    .unwrap();
    assert!(next_at.is_some_and(|at| at > clock::now() + 300 * DAY), "{next_at:?}");
    assert_eq!(next_points, 40);
    server.assert_balances_match_ledger().await;
}

async fn a_reused_order_id_with_other_items_is_a_conflict(store: Store) {
    let server = server(store).await;
    let order =
        |items: Value| json!({"id": "o-1", "customer": "anna", "total": 5_000, "currency": "SEK", "items": items});
    let first = json!([{"sku": "milk", "qty": 1, "price": 2_000}, {"sku": "bread", "qty": 1, "price": 3_000}]);
    let reordered = json!([{"sku": "bread", "qty": 1, "price": 3_000}, {"sku": "milk", "qty": 1, "price": 2_000}]);
    let other = json!([{"sku": "cheese", "qty": 1, "price": 5_000}]);
    let post = |body: Value| server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body));
    assert_eq!(post(order(first)).await.status, StatusCode::CREATED);
    assert_eq!(post(order(reordered)).await.status, StatusCode::OK, "the same lines in another order are a retry");
    post(order(other)).await.assert_error(StatusCode::CONFLICT, "order_conflict");
    assert_eq!(server.count("order_items").await, 2);
}

async fn a_tier_of_one_and_an_eighth_earns_exactly(store: Store) {
    let server = server(store).await;
    with_program(&server, json!({"tiers": [{"id": "bronze", "name": "Brons", "threshold": 0, "multiplier": 1.125}]}))
        .await;
    // 1,000 kr at 1.125 is 1,125 points (hundredths would make it 1.13: 1,130).
    assert_eq!(order_at(&server, "o-1", "anna", 100_000, 0).await["points_awarded"], 1_125);
    // More than three decimals cannot be held exactly: refused.
    let mut program = serde_json::to_value(crate::support::program()).unwrap();
    program["tiers"][1]["multiplier"] = json!(1.0005);
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program");
}

async fn a_refunded_referred_order_voids_the_welcome_code_and_a_free_order_refers_nobody(store: Store) {
    let server = server(store).await;
    let code = code_of(&server, "anna").await;
    let referred = |id: &str, customer: &str, total: i64| json!({"id": id, "customer": customer, "total": total, "currency": "SEK", "referral_code": code});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(referred("o-1", "bert", 10_000))).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    refund(&server, "o-1").await;
    let voided: Vec<Option<i64>> =
        sqlx::query_scalar("SELECT voided_at FROM redemptions WHERE shop_id = 'demo' AND customer_id = 'bert'")
            .fetch_all(&server.db.pool)
            .await
            .unwrap();
    assert_eq!(voided.len(), 1);
    assert!(voided[0].is_some(), "the welcome code of a refunded first order is void");
    assert_eq!(server.points("anna").await, 0);

    // A first order of 0 earns nothing and can never be refunded: no referral.
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(referred("o-2", "cecilia", 0))).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(server.points("anna").await, 0);
    assert_eq!(server.customer("cecilia").await["referred_by"], Value::Null);
    server.assert_balances_match_ledger().await;
}

async fn one_order_id_for_two_customers_at_once_is_one_order_and_a_conflict(store: Store) {
    let server = Arc::new(server(store).await);
    let attempts = (0..8).map(|i| {
        let server = server.clone();
        tokio::spawn(async move { server.order("shared", &format!("c-{i}"), 10_000).await.status })
    });
    let statuses: Vec<StatusCode> = join_all(attempts).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 7, "{statuses:?}");
    assert_eq!(server.count("orders").await, 1);
    server.assert_balances_match_ledger().await;
}

async fn one_spend_id_for_two_members_at_once_is_one_spend_and_a_conflict(store: Store) {
    let server = Arc::new(server(store).await);
    with_program(&server, json!({"cashback": {"percent": 10}})).await;
    for i in 0..6 {
        server.order(&format!("o-{i}"), &format!("c-{i}"), 100_000).await;
    }
    let attempts = (0..6).map(|i| {
        let server = server.clone();
        tokio::spawn(async move {
            let body = json!({"id": "checkout-1", "amount": 500});
            let path = format!("/v1/shops/demo/customers/c-{i}/credit/spend");
            server.merchant(Method::POST, &path, Some(body)).await.status
        })
    });
    let statuses: Vec<StatusCode> = join_all(attempts).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(statuses.iter().filter(|s| s.is_success()).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 5, "{statuses:?}");
    server.assert_balances_match_ledger().await;
}

async fn two_members_using_each_others_codes_at_once_make_no_loop(store: Store) {
    for referrer_points in [200, 0] {
        let server = Arc::new(server(store.clone()).await);
        with_program(&server, json!({"referral": {"referrer_points": referrer_points, "referee_reward_id": "ship"}}))
            .await;
        let (x_code, y_code) = (code_of(&server, "x").await, code_of(&server, "y").await);
        let orders = [("o-x", "x", y_code), ("o-y", "y", x_code)].map(|(id, customer, code)| {
            let server = server.clone();
            tokio::spawn(async move {
                let body = json!({"id": id, "customer": customer, "total": 10_000, "currency": "SEK",
                                  "referral_code": code});
                server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await.status
            })
        });
        let statuses: Vec<StatusCode> = join_all(orders).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CREATED]);
        let referred: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE shop_id = 'demo' AND referred_by IS NOT NULL")
                .fetch_one(&server.db.pool)
                .await
                .unwrap();
        assert_eq!(referred, 1, "one of the two is referred, never both (referrer_points {referrer_points})");
        server.assert_balances_match_ledger().await;
    }
}

async fn changing_the_expiry_rule_never_re_expires_points_already_earned(store: Store) {
    let server = server(store).await;
    with_program(&server, json!({"expiry": null})).await;
    order_at(&server, "old", "anna", 100_000, 400).await; // 1,000 points, 400 days ago, no expiry then
    for _ in 0..9 {
        assert_eq!(server.redeem("anna", "r10").await.status, StatusCode::CREATED);
    }
    assert_eq!(server.points("anna").await, 100);
    // The rule now says 12 months: it applies to points earned from now on.
    with_program(&server, json!({"expiry": {"after_months": 12}})).await;
    order_at(&server, "new", "anna", 10_000, 0).await;
    // 100 left of the old points, and 125 for the new order at Silver (1.25).
    assert_eq!(server.points("anna").await, 225, "the old points keep the rule they were earned under");
    server.assert_balances_match_ledger().await;
}

async fn an_order_from_the_future_is_refused(store: Store) {
    let server = server(store).await;
    let at = rfc3339(clock::now() + 365 * DAY);
    let body = json!({"id": "o-1", "customer": "anna", "total": 10_000, "currency": "SEK", "created_at": at});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await;
    reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    assert_eq!(server.count("orders").await, 0);
}

async fn a_refund_id_again_with_another_amount_is_a_conflict(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 10_000).await;
    let path = "/v1/shops/demo/orders/o-1/refund";
    let first = server.merchant(Method::POST, path, Some(json!({"id": "r-1", "amount": 2_000}))).await;
    assert_eq!(first.status, StatusCode::OK);
    let retry = server.merchant(Method::POST, path, Some(json!({"id": "r-1", "amount": 2_000}))).await;
    assert_eq!(retry.json(), first.json());
    let other = server.merchant(Method::POST, path, Some(json!({"id": "r-1", "amount": 5_000}))).await;
    other.assert_error(StatusCode::CONFLICT, "refund_conflict");
    assert_eq!(server.points("anna").await, 80);
}
