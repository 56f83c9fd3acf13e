//! Feedback: the widget asks about a member's latest order; one answer per
//! order, paid once; the answers make the NPS of the metrics.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{Method, StatusCode};
use serde_json::json;

on_each_backend!(
    the_widget_asks_about_the_latest_unanswered_order,
    an_answer_is_paid_once_per_order_and_only_for_ones_own_orders,
    answers_make_the_nps_and_its_split,
    a_shop_that_does_not_ask_takes_no_answers,
);

async fn asking(server: &TestServer) {
    let mut program = serde_json::to_value(program()).unwrap();
    program["feedback"] = json!({"ask_within_days": 14, "points": 25});
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
}

async fn answer(server: &TestServer, customer: &str, order: &str, score: u8) -> crate::support::Reply {
    let body = json!({"order_id": order, "score": score, "comment": "  Snabb leverans  "});
    server.shopper(Method::POST, "/v1/shops/demo/feedback", Some(customer), Some(body)).await
}

async fn the_widget_asks_about_the_latest_unanswered_order(store: Store) {
    let server = server(store).await;
    asking(&server).await;
    assert_eq!(server_widget(&server, "anna").await, json!(null), "no order, no question");
    server.order("o-1", "anna", 10_000).await;
    assert_eq!(server_widget(&server, "anna").await, json!({"order_id": "o-1", "points": 25}));
    assert_eq!(answer(&server, "anna", "o-1", 9).await.status, StatusCode::CREATED);
    assert_eq!(server_widget(&server, "anna").await, json!(null), "answered");
}

async fn server_widget(server: &TestServer, customer: &str) -> serde_json::Value {
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some(customer), None).await.json();
    widget.get("feedback").cloned().unwrap_or(json!(null))
}

async fn an_answer_is_paid_once_per_order_and_only_for_ones_own_orders(store: Store) {
    let server = server(store).await;
    asking(&server).await;
    server.order("o-1", "anna", 10_000).await;
    let first = answer(&server, "anna", "o-1", 10).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.json(), json!({"points_awarded": 25, "points": 125}));
    answer(&server, "anna", "o-1", 10).await.assert_error(StatusCode::CONFLICT, "already_answered");
    answer(&server, "bert", "o-1", 0).await.assert_error(StatusCode::NOT_FOUND, "unknown_order");
    answer(&server, "anna", "o-1", 11).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    let guest = server
        .shopper(Method::POST, "/v1/shops/demo/feedback", None, Some(json!({"order_id": "o-1", "score": 5})))
        .await;
    assert_eq!(guest.status, StatusCode::UNAUTHORIZED);
    assert_eq!(server.points("anna").await, 125);
    assert_eq!(server.count("feedback").await, 1);
    server.assert_balances_match_ledger().await;
}

async fn answers_make_the_nps_and_its_split(store: Store) {
    let server = server(store).await;
    asking(&server).await;
    // Promoters 10 and 9, a passive 7, a detractor 3: (2 - 1) / 4 = 25.
    for (n, score) in [10, 9, 7, 3].into_iter().enumerate() {
        let (order, customer) = (format!("o-{n}"), format!("c-{n}"));
        server.order(&order, &customer, 10_000).await;
        assert_eq!(answer(&server, &customer, &order, score).await.status, StatusCode::CREATED);
    }
    let metrics = server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await.json();
    assert_eq!(metrics["nps"], json!(25.0));
    assert_eq!(
        metrics["feedback"],
        json!({"answers": 4, "promoters": 2, "passives": 1, "detractors": 1, "score": 25.0})
    );
}

async fn a_shop_that_does_not_ask_takes_no_answers(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 10_000).await;
    answer(&server, "anna", "o-1", 10).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(server_widget(&server, "anna").await, json!(null));
}
