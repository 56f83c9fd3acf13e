//! Issue 20, part 6: a guest's order named by an email hash keeps its
//! points pending; the shopper who joins with that hash gets them once;
//! the guest widget, shown the hash signed, says what joining brings.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer, SECRET};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use futures_util::future::join_all;
use lojal_server::clock::{self, rfc3339};
use serde_json::{json, Value};
use std::sync::Arc;

const DAY: i64 = 86_400;
/// printf 'anna@example.se' | sha256sum
const ANNA: &str = "9b9ec4f6e1ad1d4d7b7a2d1cd5c5b8c2d6f0e2a4b8c6d4e2f0a1b3c5d7e9f1a3";

on_each_backend!(
    a_guest_order_keeps_its_points_pending_once,
    joining_credits_the_pending_points_once,
    racing_joins_credit_once,
    pending_points_lapse_after_the_days,
    the_guest_widget_shows_the_points_only_for_a_signed_hash,
    a_refund_lowers_the_pending_points,
    bad_email_hashes_are_refused,
    erasing_the_member_forgets_the_hash,
    a_guest_order_earns_by_the_same_rules_as_a_members,
    a_refund_id_used_before_the_claim_is_known_after_it,
    an_adopted_order_refunds_as_a_members_would_have,
    a_retried_guest_refund_answers_as_the_first_time,
);

async fn with_guest_points(server: &TestServer) {
    let mut body = serde_json::to_value(program()).unwrap();
    body["guest_points"] = json!({"pending_days": 30});
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(body)).await;
    assert!(reply.status.is_success(), "{}", String::from_utf8_lossy(&reply.body));
}

async fn guest_order(server: &TestServer, id: &str, hash: &str, total: i64, days_ago: i64) -> crate::support::Reply {
    let body = json!({"id": id, "email_hash": hash, "total": total, "currency": "SEK",
                      "created_at": rfc3339(clock::now() - days_ago * DAY)});
    server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await
}

async fn join(server: &TestServer, customer: &str, hash: &str) -> crate::support::Reply {
    let path = format!("/v1/shops/demo/customers/{customer}/guest-points");
    server.merchant(Method::POST, &path, Some(json!({"email_hash": hash}))).await
}

async fn guest_widget(server: &TestServer, headers: &[(&str, String)]) -> Value {
    let mut request = Request::builder().method(Method::GET).uri("/v1/shops/demo/widget");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let reply = server.send(request.body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.json()
}

fn signed(hash: &str, secret: &str) -> Vec<(&'static str, String)> {
    let ts = clock::now();
    vec![
        ("x-lojal-guest-email-hash", hash.to_owned()),
        ("x-lojal-guest-ts", ts.to_string()),
        ("x-lojal-guest-sig", lojal_core::identity::sign_guest(secret, "demo", hash, ts)),
    ]
}

async fn a_guest_order_keeps_its_points_pending_once(store: Store) {
    let server = server(store).await;
    // Without the rule a guest's order is recorded and earns nothing.
    let off = guest_order(&server, "g-0", ANNA, 24_900, 0).await;
    assert_eq!(off.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&off.body));
    assert_eq!(off.json()["points_pending"], 0);
    with_guest_points(&server).await;
    let first = guest_order(&server, "g-1", ANNA, 24_900, 0).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let body = first.json();
    assert_eq!((body["points_awarded"].clone(), body["points_pending"].clone()), (json!(0), json!(249)));
    assert!(body["pending_until"].as_str().is_some());
    let again = guest_order(&server, "g-1", ANNA, 24_900, 0).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["points_pending"], 249);
    guest_order(&server, "g-1", ANNA, 30_000, 0).await.assert_error(StatusCode::CONFLICT, "order_conflict");
    // A member's order id is not a guest's.
    server.order("m-1", "bo", 10_000).await;
    guest_order(&server, "m-1", ANNA, 10_000, 0).await.assert_error(StatusCode::CONFLICT, "order_conflict");
    // Neither customer nor hash: refused.
    let neither = json!({"id": "x", "total": 100, "currency": "SEK"});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(neither)).await;
    assert!(reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request").contains("email_hash"));
    assert_eq!(server.count("ledger").await, 1, "only bo's order moved points");
}

async fn joining_credits_the_pending_points_once(store: Store) {
    let server = server(store).await;
    with_guest_points(&server).await;
    guest_order(&server, "g-1", ANNA, 24_900, 2).await;
    let figures = |m: Value| (m["orders"].clone(), m["revenue"].clone());
    let before = figures(server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await.json());
    assert_eq!(before, (json!(1), json!(24_900)), "a guest's order counts in the metrics");
    let joined = join(&server, "anna", ANNA).await;
    assert_eq!(joined.status, StatusCode::OK, "{}", String::from_utf8_lossy(&joined.body));
    assert_eq!(joined.json(), json!({"points_credited": 249, "points": 249}));
    let after = figures(server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await.json());
    assert_eq!(after, before, "claimed, it counts once, as hers");
    let again = join(&server, "anna", ANNA).await.json();
    assert_eq!(again, json!({"points_credited": 0, "points": 249}));
    let someone_else = join(&server, "bo", ANNA).await.json();
    assert_eq!(someone_else["points_credited"], 0);
    let anna = server.customer("anna").await;
    assert_eq!((anna["points"].clone(), anna["lifetime_points"].clone()), (json!(249), json!(249)));
    let row = &anna["ledger"][0];
    assert_eq!((row["reason"].clone(), row["order_id"].clone()), (json!("earn"), json!("g-1")));
    // The order is hers now: a refund takes its points back as any order's.
    let refund = server.merchant(Method::POST, "/v1/shops/demo/orders/g-1/refund", None).await;
    assert_eq!(refund.status, StatusCode::OK);
    assert_eq!(refund.json()["points_reversed"], 249);
    assert_eq!(server.points("anna").await, 0);
    server.assert_balances_match_ledger().await;
}

async fn racing_joins_credit_once(store: Store) {
    let server = Arc::new(server(store).await);
    with_guest_points(&server).await;
    guest_order(&server, "g-1", ANNA, 24_900, 1).await;
    guest_order(&server, "g-2", ANNA, 10_000, 0).await;
    let joins = (0..8).map(|i| {
        let server = server.clone();
        // Twice as the same member, and as others who claim the same hash.
        let who = if i % 2 == 0 { "anna".to_owned() } else { format!("other-{i}") };
        tokio::spawn(async move { join(&server, &who, ANNA).await.json()["points_credited"].as_i64().unwrap() })
    });
    let credited: Vec<i64> = join_all(joins).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(credited.iter().sum::<i64>(), 349, "{credited:?}");
    let earns: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger WHERE reason = 'earn'")
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    assert_eq!(earns, 2, "one earn row per guest order");
    server.assert_balances_match_ledger().await;
}

async fn pending_points_lapse_after_the_days(store: Store) {
    let server = server(store).await;
    with_guest_points(&server).await;
    // 31 days ago with 30 days of waiting: nothing waits any more.
    let late = guest_order(&server, "g-old", ANNA, 24_900, 31).await.json();
    assert_eq!(late["points_pending"], 0);
    assert!(late.get("pending_until").is_none());
    // 29 days ago: still waiting.
    assert_eq!(guest_order(&server, "g-new", ANNA, 10_000, 29).await.json()["points_pending"], 100);
    assert_eq!(join(&server, "anna", ANNA).await.json()["points_credited"], 100);
}

async fn the_guest_widget_shows_the_points_only_for_a_signed_hash(store: Store) {
    let server = server(store).await;
    with_guest_points(&server).await;
    guest_order(&server, "g-1", ANNA, 24_900, 0).await;
    let shown = guest_widget(&server, &signed(ANNA, SECRET)).await;
    assert_eq!(shown["guest_points"]["points"], 249);
    let until = shown["guest_points"]["until"].as_str().unwrap();
    assert!(lojal_core::campaign::parse_date(until).is_some(), "{until}");
    // Unsigned, signed with another shop's secret, or stale: nothing shown.
    let unsigned = vec![("x-lojal-guest-email-hash", ANNA.to_owned())];
    assert!(guest_widget(&server, &unsigned).await.get("guest_points").is_none());
    assert!(guest_widget(&server, &signed(ANNA, "other-secret")).await.get("guest_points").is_none());
    let mut stale = signed(ANNA, SECRET);
    let old = clock::now() - 2 * DAY;
    stale[1].1 = old.to_string();
    stale[2].1 = lojal_core::identity::sign_guest(SECRET, "demo", ANNA, old);
    assert!(guest_widget(&server, &stale).await.get("guest_points").is_none());
    // Another hash has nothing waiting.
    let other = "a".repeat(64);
    assert!(guest_widget(&server, &signed(&other, SECRET)).await.get("guest_points").is_none());
    // Once claimed, nothing waits.
    join(&server, "anna", ANNA).await;
    assert!(guest_widget(&server, &signed(ANNA, SECRET)).await.get("guest_points").is_none());
}

async fn a_refund_lowers_the_pending_points(store: Store) {
    let server = server(store).await;
    with_guest_points(&server).await;
    guest_order(&server, "g-1", ANNA, 24_900, 0).await;
    let refund =
        server.merchant(Method::POST, "/v1/shops/demo/orders/g-1/refund", Some(json!({"amount": 12_450}))).await;
    assert_eq!(refund.status, StatusCode::OK, "{}", String::from_utf8_lossy(&refund.body));
    assert_eq!(refund.json()["points_reversed"], 125);
    assert_eq!(refund.json()["refundable"], 12_450);
    assert_eq!(join(&server, "anna", ANNA).await.json()["points_credited"], 124);
    let unknown = server.merchant(Method::POST, "/v1/shops/demo/orders/nope/refund", None).await;
    unknown.assert_error(StatusCode::NOT_FOUND, "unknown_order");
}

async fn bad_email_hashes_are_refused(store: Store) {
    let server = server(store).await;
    with_guest_points(&server).await;
    for bad in ["anna@example.se", &ANNA.to_uppercase(), &ANNA[..63]] {
        guest_order(&server, "g-1", bad, 100, 0)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
        join(&server, "anna", bad).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    }
    assert_eq!(server.count("guest_orders").await, 0);
    assert_eq!(server.count("customers").await, 0);
}

async fn erasing_the_member_forgets_the_hash(store: Store) {
    let server = server(store).await;
    with_guest_points(&server).await;
    guest_order(&server, "g-1", ANNA, 24_900, 0).await;
    join(&server, "anna", ANNA).await;
    // What is kept about them, before erasure, names the hash they claimed.
    let export = server.merchant(Method::GET, "/v1/shops/demo/customers/anna/export", None).await.json();
    assert_eq!(export["email_hashes"], serde_json::json!([ANNA]), "{export}");
    let erased = server.merchant(Method::DELETE, "/v1/shops/demo/customers/anna", None).await;
    assert!(erased.status.is_success(), "{}", String::from_utf8_lossy(&erased.body));
    let (hash, claimed): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT email_hash, claimed_by FROM guest_orders WHERE id = 'g-1'")
            .fetch_one(&server.db.pool)
            .await
            .unwrap();
    assert_eq!(hash, None);
    assert!(claimed.is_some_and(|c| c != "anna"));
    server.assert_balances_match_ledger().await;
}

async fn a_guest_order_earns_by_the_same_rules_as_a_members(store: Store) {
    let server = server(store).await;
    let mut body = serde_json::to_value(program()).unwrap();
    body["guest_points"] = json!({"pending_days": 30});
    body["earn"]["counts"] = json!({"shipping": false});
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(body)).await;
    assert!(reply.status.is_success(), "{}", String::from_utf8_lossy(&reply.body));
    // 249 kr of which 49 kr shipping, which earns nothing here: 200 points.
    let order = json!({"id": "g-1", "email_hash": ANNA, "total": 24_900, "shipping": 4_900, "currency": "SEK"});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["points_pending"], 200);
    // A guest's order in another currency is refused, whatever the rates.
    let foreign = json!({"id": "g-2", "email_hash": ANNA, "total": 1_000, "currency": "EUR"});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(foreign)).await;
    assert!(reply.status.is_client_error());
    assert_eq!(join(&server, "anna", ANNA).await.json()["points_credited"], 200);
}

async fn refund(server: &TestServer, order: &str, body: Value) -> crate::support::Reply {
    server.merchant(Method::POST, &format!("/v1/shops/demo/orders/{order}/refund"), Some(body)).await
}

/// The answer's points taken back and what is left to refund, checked OK.
fn taken_and_left(reply: &crate::support::Reply) -> (i64, i64) {
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    let json = reply.json();
    (json["points_reversed"].as_i64().unwrap(), json["refundable"].as_i64().unwrap())
}

async fn a_refund_id_used_before_the_claim_is_known_after_it(store: Store) {
    let server = server(store).await;
    with_guest_points(&server).await;
    guest_order(&server, "g-1", ANNA, 24_900, 0).await;
    let first = refund(&server, "g-1", json!({"id": "r-1", "amount": 12_450})).await;
    assert_eq!(taken_and_left(&first), (125, 12_450));
    assert_eq!(join(&server, "anna", ANNA).await.json()["points_credited"], 124);
    // The merchant never saw the first answer and retries: the same refund.
    let retry = refund(&server, "g-1", json!({"id": "r-1", "amount": 12_450})).await;
    assert_eq!(taken_and_left(&retry), (125, 12_450));
    assert_eq!(server.points("anna").await, 124, "the retry took nothing");
    let other = refund(&server, "g-1", json!({"id": "r-1", "amount": 100})).await;
    other.assert_error(StatusCode::CONFLICT, "refund_conflict");
    let rest = refund(&server, "g-1", json!({"id": "r-2"})).await;
    assert_eq!(taken_and_left(&rest), (124, 0));
    assert_eq!(server.points("anna").await, 0);
    server.assert_balances_match_ledger().await;
}

async fn an_adopted_order_refunds_as_a_members_would_have(store: Store) {
    let server = server(store).await;
    with_guest_points(&server).await;
    guest_order(&server, "g-1", ANNA, 24_900, 0).await;
    // Bo's order of the same total, a member's from the start, is the yardstick.
    assert_eq!(server.order("m-1", "bo", 24_900).await.json()["points_awarded"], 249);
    let guest = refund(&server, "g-1", json!({"amount": 12_450})).await;
    let member = refund(&server, "m-1", json!({"amount": 12_450})).await;
    assert_eq!((taken_and_left(&guest), taken_and_left(&member)), ((125, 12_450), (125, 12_450)));
    assert_eq!(join(&server, "anna", ANNA).await.json()["points_credited"], 124);
    let guest = refund(&server, "g-1", json!({"amount": 6_225})).await;
    let member = refund(&server, "m-1", json!({"amount": 6_225})).await;
    assert_eq!((taken_and_left(&guest), taken_and_left(&member)), ((62, 6_225), (62, 6_225)));
    assert_eq!(server.points("anna").await, 62);
    // The rest takes the rest: 125 + 62 + 62 is all the order earned.
    let guest = refund(&server, "g-1", json!({})).await;
    let member = refund(&server, "m-1", json!({})).await;
    assert_eq!((taken_and_left(&guest), taken_and_left(&member)), ((62, 0), (62, 0)));
    let anna = server.customer("anna").await;
    assert_eq!((anna["points"].clone(), anna["lifetime_points"].clone()), (json!(0), json!(0)));
    assert_eq!(server.points("bo").await, 0);
    refund(&server, "g-1", json!({})).await.assert_error(StatusCode::CONFLICT, "already_refunded");
    server.assert_balances_match_ledger().await;
}

async fn a_retried_guest_refund_answers_as_the_first_time(store: Store) {
    let server = server(store).await;
    with_guest_points(&server).await;
    guest_order(&server, "g-1", ANNA, 24_900, 0).await;
    guest_order(&server, "g-2", ANNA, 10_000, 0).await;
    // A full refund, retried without and with its amount.
    let first = refund(&server, "g-1", json!({"id": "r-1"})).await;
    assert_eq!(taken_and_left(&first), (249, 0));
    let retry = refund(&server, "g-1", json!({"id": "r-1"})).await;
    assert_eq!(taken_and_left(&retry), (249, 0));
    let retry = refund(&server, "g-1", json!({"id": "r-1", "amount": 24_900})).await;
    assert_eq!(taken_and_left(&retry), (249, 0));
    let other = refund(&server, "g-1", json!({"id": "r-1", "amount": 100})).await;
    other.assert_error(StatusCode::CONFLICT, "refund_conflict");
    let another = refund(&server, "g-1", json!({"id": "r-2"})).await;
    another.assert_error(StatusCode::CONFLICT, "already_refunded");
    // A partial one: the retry takes nothing more.
    let first = refund(&server, "g-2", json!({"id": "r-1", "amount": 2_500})).await;
    assert_eq!(taken_and_left(&first), (25, 7_500));
    let retry = refund(&server, "g-2", json!({"id": "r-1", "amount": 2_500})).await;
    assert_eq!(taken_and_left(&retry), (25, 7_500));
    assert_eq!(join(&server, "anna", ANNA).await.json()["points_credited"], 75);
    server.assert_balances_match_ledger().await;
}
