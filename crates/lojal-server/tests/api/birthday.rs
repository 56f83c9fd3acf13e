//! Birthday rewards cannot be farmed: set once, paid once a year, and not
//! at all in the month the birthday was set.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{Method, StatusCode};
use futures_util::future::join_all;
use lojal_core::expiry::civil_from_unix;
use lojal_server::clock;
use serde_json::json;
use std::sync::Arc;

on_each_backend!(a_birthday_is_set_once_and_pays_once_a_year, a_birthday_set_this_month_pays_nothing_this_year);

async fn with_birthday_program(server: &TestServer) {
    let mut program = serde_json::to_value(program()).unwrap();
    program["birthday"] = json!({"points": 150});
    assert_eq!(server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await.status, StatusCode::OK);
}

fn this_month() -> u32 {
    civil_from_unix(clock::now()).1
}

async fn a_birthday_is_set_once_and_pays_once_a_year(store: Store) {
    let server = Arc::new(server(store).await);
    with_birthday_program(&server).await;
    let today = json!({"month": this_month(), "day": 1});
    let set = server.shopper(Method::PUT, "/v1/shops/demo/birthday", Some("anna"), Some(today.clone())).await;
    assert_eq!(set.status, StatusCode::NO_CONTENT);
    // Moving it to farm another month's reward is refused.
    let moved = json!({"month": this_month() % 12 + 1, "day": 1});
    let again = server.shopper(Method::PUT, "/v1/shops/demo/birthday", Some("anna"), Some(moved)).await;
    again.assert_error(StatusCode::CONFLICT, "birthday_locked");
    let bad = server
        .shopper(Method::PUT, "/v1/shops/demo/birthday", Some("bert"), Some(json!({"month": 2, "day": 30})))
        .await;
    bad.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    let guest = server.shopper(Method::PUT, "/v1/shops/demo/birthday", None, Some(today)).await;
    guest.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");

    // As if she had set it long ago: this month is her birthday month.
    sqlx::query("UPDATE customers SET birthday_set_at = $1 WHERE id = 'anna'")
        .bind(clock::now() - 200 * 86_400)
        .execute(&server.db.pool)
        .await
        .unwrap();
    server.db.note_write();
    let visits = (0..8).map(|_| {
        let server = server.clone();
        tokio::spawn(
            async move { server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.status },
        )
    });
    for status in join_all(visits).await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    let anna = server.customer("anna").await;
    assert_eq!(anna["points"], 150, "paid once however many visits at once");
    assert_eq!(anna["ledger"][0]["reason"], "birthday");
    server.assert_balances_match_ledger().await;
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", None, None).await.json();
    assert!(widget["ways_to_earn"].as_array().unwrap().iter().any(|w| w["id"] == "birthday" && w["points"] == 150));
}

async fn a_birthday_set_this_month_pays_nothing_this_year(store: Store) {
    let server = server(store).await;
    with_birthday_program(&server).await;
    let body = json!({"month": this_month(), "day": 1});
    server.shopper(Method::PUT, "/v1/shops/demo/birthday", Some("anna"), Some(body)).await;
    server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await;
    assert_eq!(server.customer("anna").await["points"], 0);
}
