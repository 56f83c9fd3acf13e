//! Codes at checkout: what a code is worth and whose it is, used by one
//! order only (even when two checkouts race), voided with its points given
//! back once, expired by its reward's days, and used by an order that
//! names it in the same transaction.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use futures_util::future::join_all;
use serde_json::{json, Value};
use std::sync::Arc;

on_each_backend!(
    a_redeemed_code_says_what_it_is_worth_and_whose_it_is,
    every_kind_of_code_answers_including_the_referees_welcome_reward,
    a_code_is_used_by_one_order_and_a_retry_gets_the_same_answer,
    two_checkouts_racing_for_one_code_one_wins,
    voiding_gives_the_points_back_once_and_a_used_code_cannot_be_voided,
    a_code_expires_after_its_rewards_days_and_keeps_its_points_unless_voided,
    an_order_that_names_codes_uses_them_or_is_refused_whole,
    the_widget_lists_the_members_codes_with_their_status,
    another_shops_code_is_not_found_and_bad_input_writes_nothing,
    voids_uses_and_orders_racing_for_one_code_settle_it_once,
);

async fn code_of(server: &TestServer, customer: &str, reward: &str) -> String {
    let reply = server.redeem(customer, reward).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()["code"].as_str().unwrap().to_owned()
}

async fn check(server: &TestServer, code: &str) -> crate::support::Reply {
    server.merchant(Method::GET, &format!("/v1/shops/demo/codes/{code}"), None).await
}

async fn use_code(server: &TestServer, code: &str, order: &str) -> crate::support::Reply {
    server.merchant(Method::POST, &format!("/v1/shops/demo/codes/{code}/use"), Some(json!({"order_id": order}))).await
}

async fn void(server: &TestServer, code: &str) -> crate::support::Reply {
    server.merchant(Method::POST, &format!("/v1/shops/demo/codes/{code}/void"), None).await
}

async fn a_redeemed_code_says_what_it_is_worth_and_whose_it_is(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 60_000).await;
    let code = code_of(&server, "anna", "r100").await;
    let reply = check(&server, &code).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    for (field, expected) in [
        ("code", json!(code)),
        ("customer", json!("anna")),
        ("reward_id", json!("r100")),
        ("title", json!("100 kr rabatt")),
        ("kind", json!("fixed_discount")),
        ("value", json!(10_000)),
        ("currency", json!("SEK")),
        ("status", json!("active")),
        ("points_spent", json!(500)),
        ("used_at", Value::Null),
        ("order_id", Value::Null),
        ("expires_at", Value::Null),
    ] {
        assert_eq!(body[field], expected, "{field} in {body}");
    }
    assert!(body["issued_at"].as_str().unwrap().ends_with('Z'), "{body}");
    // As a shopper types it: any case, dashes or not.
    let typed = code.to_lowercase().replace('-', "");
    assert_eq!(check(&server, &typed).await.json(), body);
    check(&server, "LOJ-2345-6789").await.assert_error(StatusCode::NOT_FOUND, "code_not_found");
    check(&server, "not-a-code").await.assert_error(StatusCode::NOT_FOUND, "code_not_found");
    // The merchant's secret is needed.
    let anonymous = Request::get(format!("/v1/shops/demo/codes/{code}")).body(Body::empty()).unwrap();
    server.send(anonymous).await.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

async fn every_kind_of_code_answers_including_the_referees_welcome_reward(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 10_000).await;
    let referral = server.customer("anna").await["referral_code"].as_str().unwrap().to_owned();
    let body = json!({"id": "o-2", "customer": "bo", "total": 20_000, "currency": "SEK", "referral_code": referral});
    assert_eq!(server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await.status, StatusCode::CREATED);
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("bo"), None).await.json();
    let welcome = &widget["codes"][0];
    assert_eq!((welcome["reward_id"].clone(), welcome["points_spent"].clone()), (json!("ship"), json!(0)));
    let code = welcome["code"].as_str().unwrap();
    let checked = check(&server, code).await.json();
    assert_eq!(
        (checked["kind"].clone(), checked["customer"].clone(), checked["status"].clone()),
        (json!("free_shipping"), json!("bo"), json!("active"))
    );
    // A full refund of the order that earned it voids it: worth nothing now.
    let refund = server.merchant(Method::POST, "/v1/shops/demo/orders/o-2/refund", None).await;
    assert_eq!(refund.status, StatusCode::OK);
    assert_eq!(check(&server, code).await.json()["status"], "void");
    use_code(&server, code, "o-3").await.assert_error(StatusCode::CONFLICT, "code_void");
}

async fn a_code_is_used_by_one_order_and_a_retry_gets_the_same_answer(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 20_000).await;
    let code = code_of(&server, "anna", "r10").await;
    let first = use_code(&server, &code, "o-2").await;
    assert_eq!(first.status, StatusCode::OK, "{}", String::from_utf8_lossy(&first.body));
    let used = first.json();
    assert_eq!((used["status"].clone(), used["order_id"].clone()), (json!("used"), json!("o-2")));
    assert!(used["used_at"].is_string());
    let retry = use_code(&server, &code.to_lowercase(), "o-2").await;
    assert_eq!((retry.status, retry.json()), (StatusCode::OK, used.clone()));
    let message = use_code(&server, &code, "o-3").await.assert_error(StatusCode::CONFLICT, "code_used");
    assert!(message.contains("o-2"), "{message}");
    assert_eq!(check(&server, &code).await.json(), used);
    // Bad bodies are refused before anything is read or written.
    let empty = server.merchant(Method::POST, &format!("/v1/shops/demo/codes/{code}/use"), Some(json!({}))).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let blank = use_code(&server, &code, "").await;
    blank.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    assert_eq!(server.points("anna").await, 100);
    server.assert_balances_match_ledger().await;
}

async fn two_checkouts_racing_for_one_code_one_wins(store: Store) {
    let server = Arc::new(server(store).await);
    server.order("o-1", "anna", 20_000).await;
    let code = code_of(&server, "anna", "r10").await;
    let attempts = (0..12).map(|i| {
        let (server, code) = (server.clone(), code.clone());
        tokio::spawn(async move { use_code(&server, &code, &format!("checkout-{i}")).await })
    });
    let replies: Vec<_> = join_all(attempts).await.into_iter().map(Result::unwrap).collect();
    let winners: Vec<&crate::support::Reply> = replies.iter().filter(|r| r.status == StatusCode::OK).collect();
    assert_eq!(winners.len(), 1, "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    for loser in replies.iter().filter(|r| r.status != StatusCode::OK) {
        loser.assert_error(StatusCode::CONFLICT, "code_used");
    }
    let winner = winners[0].json();
    assert_eq!(check(&server, &code).await.json()["order_id"], winner["order_id"]);
}

async fn voiding_gives_the_points_back_once_and_a_used_code_cannot_be_voided(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 70_000).await; // 700 points
    let code = code_of(&server, "anna", "r100").await; // 200 left
    let voided = void(&server, &code).await;
    assert_eq!(voided.status, StatusCode::OK, "{}", String::from_utf8_lossy(&voided.body));
    assert_eq!(voided.json()["status"], "void");
    assert_eq!(server.points("anna").await, 700);
    let again = void(&server, &code).await;
    assert_eq!((again.status, again.json()), (StatusCode::OK, voided.json()));
    assert_eq!(server.points("anna").await, 700, "voided twice, given back once");
    let ledger = server.customer("anna").await["ledger"].clone();
    let back = ledger.as_array().unwrap().iter().filter(|row| row["reason"] == "void").collect::<Vec<_>>();
    assert_eq!(back.len(), 1, "{ledger}");
    assert_eq!((back[0]["delta"].clone(), back[0]["note"].clone()), (json!(500), json!(code)));
    assert_eq!(server.customer("anna").await["lifetime_points"], 700, "points given back are not earned");
    use_code(&server, &code, "o-2").await.assert_error(StatusCode::CONFLICT, "code_void");

    let used = code_of(&server, "anna", "r100").await;
    assert_eq!(use_code(&server, &used, "o-2").await.status, StatusCode::OK);
    void(&server, &used).await.assert_error(StatusCode::CONFLICT, "code_used");
    assert_eq!(server.points("anna").await, 200);
    void(&server, "LOJ-2345-6789").await.assert_error(StatusCode::NOT_FOUND, "code_not_found");
    server.assert_balances_match_ledger().await;
}

async fn a_code_expires_after_its_rewards_days_and_keeps_its_points_unless_voided(store: Store) {
    let server = server(store).await;
    let mut lasting = serde_json::to_value(program()).unwrap();
    lasting["rewards"][1]["expires_after_days"] = json!(30);
    let put = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(lasting.clone())).await;
    assert_eq!(put.status, StatusCode::OK, "{}", String::from_utf8_lossy(&put.body));
    lasting["rewards"][1]["expires_after_days"] = json!(0);
    let zero = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(lasting)).await;
    zero.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program");

    server.order("o-1", "anna", 20_000).await;
    let code = code_of(&server, "anna", "r10").await;
    let body = check(&server, &code).await.json();
    let at = |field: &str| {
        let text = body[field].as_str().unwrap();
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap().unix_timestamp()
    };
    assert_eq!(at("expires_at") - at("issued_at"), 30 * 86_400);
    assert_eq!(body["status"], "active");

    // Thirty days on: the code was issued a month ago.
    sqlx::query("UPDATE redemptions SET expires_at = expires_at - 31 * 86400, created_at = created_at - 31 * 86400")
        .execute(&server.db.pool)
        .await
        .unwrap();
    assert_eq!(check(&server, &code).await.json()["status"], "expired");
    use_code(&server, &code, "o-2").await.assert_error(StatusCode::CONFLICT, "code_expired");
    // Its points stay spent: an expired coupon, as the README says...
    assert_eq!(server.points("anna").await, 100);
    // ...unless the merchant voids it, which gives them back.
    assert_eq!(void(&server, &code).await.json()["status"], "void");
    assert_eq!(server.points("anna").await, 200);
    server.assert_balances_match_ledger().await;
}

async fn an_order_that_names_codes_uses_them_or_is_refused_whole(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 20_000).await; // 200 points
    let code = code_of(&server, "anna", "r10").await; // 100 left
    let typed = code.to_lowercase();
    let order = |id: &str, codes: Value| json!({"id": id, "customer": "anna", "total": 9_000, "currency": "SEK", "codes": codes});
    let placed = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order("o-2", json!([typed])))).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&placed.body));
    assert_eq!(placed.json()["points_awarded"], 90, "points on what was paid, after the discount");
    let used = check(&server, &code).await.json();
    assert_eq!((used["status"].clone(), used["order_id"].clone()), (json!("used"), json!("o-2")));
    // The same order again is a replay: nothing new, the same answer.
    let replay = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order("o-2", json!([code])))).await;
    assert_eq!(replay.status, StatusCode::OK);

    let (orders, ledger) = (server.count("orders").await, server.count("ledger").await);
    let second = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order("o-3", json!([code])))).await;
    second.assert_error(StatusCode::CONFLICT, "code_used");
    let unknown =
        server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order("o-3", json!(["LOJ-2345-6789"])))).await;
    unknown.assert_error(StatusCode::NOT_FOUND, "code_not_found");
    let malformed =
        server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order("o-3", json!(["SUMMER10"])))).await;
    malformed.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    assert_eq!((server.count("orders").await, server.count("ledger").await), (orders, ledger), "refused whole");
    // A resend of o-2 that adds a code it did not use is not the same order.
    let other = code_of(&server, "anna", "r10").await;
    let changed =
        server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order("o-2", json!([code, other])))).await;
    changed.assert_error(StatusCode::CONFLICT, "order_conflict");
    assert_eq!(check(&server, &other).await.json()["status"], "active");
    server.assert_balances_match_ledger().await;
}

async fn the_widget_lists_the_members_codes_with_their_status(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 30_000).await;
    let first = code_of(&server, "anna", "r10").await;
    let second = code_of(&server, "anna", "r10").await;
    assert_eq!(use_code(&server, &first, "o-2").await.status, StatusCode::OK);
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    let codes = widget["codes"].as_array().unwrap();
    let status_of = |code: &str| codes.iter().find(|c| c["code"] == code).map(|c| c["status"].clone());
    assert_eq!(codes.len(), 2, "{codes:?}");
    assert_eq!((status_of(&first), status_of(&second)), (Some(json!("used")), Some(json!("active"))));
    let guest = server.shopper(Method::GET, "/v1/shops/demo/widget", None, None).await.json();
    assert!(guest.get("codes").is_none(), "{guest}");
}

async fn another_shops_code_is_not_found_and_bad_input_writes_nothing(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 20_000).await;
    let code = code_of(&server, "anna", "r10").await;
    let as_other = |method: Method, path: String| {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, "Bearer other-secret")
            .header(header::CONTENT_TYPE, "application/json");
        request.body(Body::from(json!({"order_id": "x-1"}).to_string())).unwrap()
    };
    for (method, path) in [
        (Method::GET, format!("/v1/shops/other/codes/{code}")),
        (Method::POST, format!("/v1/shops/other/codes/{code}/use")),
        (Method::POST, format!("/v1/shops/other/codes/{code}/void")),
    ] {
        server.send(as_other(method, path)).await.assert_error(StatusCode::NOT_FOUND, "code_not_found");
    }
    let not_json = server
        .merchant_raw(Method::POST, &format!("/v1/shops/demo/codes/{code}/use"), Some("{\"order_id\":".into()))
        .await;
    not_json.assert_error(StatusCode::BAD_REQUEST, "bad_json");
    let long = "x".repeat(10_000);
    assert!(check(&server, &long).await.status.is_client_error());
    assert_eq!(check(&server, &code).await.json()["status"], "active");
    assert_eq!(server.points("anna").await, 100);
}

/// On SQLite only: the tampered database is a temporary file, while the
/// test command audits every PostgreSQL database the tests leave.
#[tokio::test]
async fn the_audit_finds_points_given_back_for_a_used_code() {
    let server = server(Store::Sqlite).await;
    server.order("o-1", "anna", 20_000).await;
    let code = code_of(&server, "anna", "r10").await;
    assert_eq!(use_code(&server, &code, "o-2").await.status, StatusCode::OK);
    server.assert_balances_match_ledger().await;
    // What a bug giving back a used code's points would write.
    sqlx::query(
        "INSERT INTO ledger (shop_id, customer_id, delta, reason, note, at) VALUES ('demo', 'anna', 100, 'void', $1, 0)",
    )
    .bind(&code)
    .execute(&server.db.pool)
    .await
    .unwrap();
    let report =
        lojal_server::store::audit::verify(&server.db, Some("demo"), lojal_server::clock::now()).await.unwrap();
    let found: Vec<&str> = report.findings.iter().map(|f| f.what.as_str()).collect();
    assert!(found.iter().any(|f| f.contains(&code) && f.contains("expected 0")), "{found:?}");
    assert!(found.iter().any(|f| f.contains("for no voided code")), "{found:?}");
}

/// Voids, checkouts' uses and orders naming the code (its member's and
/// others'), all at once: the code ends used by one order or void, never
/// both; its points come back once and only if it was voided; every loser
/// is a clean 409 that wrote nothing; no deadlock between a void (member,
/// then code) and an order (members, then code).
async fn voids_uses_and_orders_racing_for_one_code_settle_it_once(store: Store) {
    let server = Arc::new(server(store).await);
    server.order("o-1", "anna", 70_000).await; // 700 points
    let code = code_of(&server, "anna", "r100").await; // 200 left
    let (orders_before, ledger_before) = (server.count("orders").await, server.count("ledger").await);
    let attempts = (0..18).map(|i| {
        let (server, code) = (server.clone(), code.clone());
        tokio::spawn(async move {
            match i % 3 {
                0 => ("void", void(&server, &code).await),
                1 => ("use", use_code(&server, &code, &format!("checkout-{i}")).await),
                _ => {
                    let customer = if i % 2 == 0 { "anna" } else { "bo" };
                    let order = json!({"id": format!("order-{i}"), "customer": customer, "total": 5_000,
                                       "currency": "SEK", "codes": [code]});
                    ("order", server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order)).await)
                }
            }
        })
    });
    let replies: Vec<_> = join_all(attempts).await.into_iter().map(Result::unwrap).collect();
    let statuses: Vec<_> = replies.iter().map(|(kind, r)| (*kind, r.status)).collect();
    let final_state = check(&server, &code).await.json();
    let won = |kind: &str| replies.iter().filter(|(k, r)| *k == kind && r.status.is_success()).count();
    match final_state["status"].as_str().unwrap() {
        "void" => {
            assert_eq!((won("use"), won("order")), (0, 0), "{statuses:?}");
            assert_eq!(won("void"), 6, "voiding a void code again answers as the first: {statuses:?}");
            for (_, loser) in replies.iter().filter(|(k, r)| *k != "void" || !r.status.is_success()) {
                loser.assert_error(StatusCode::CONFLICT, "code_void");
            }
            assert_eq!(server.points("anna").await, 700, "given back once");
            assert_eq!(server.count("orders").await, orders_before);
        }
        "used" => {
            assert_eq!((won("void"), won("use") + won("order")), (0, 1), "{statuses:?}");
            for (_, loser) in replies.iter().filter(|(_, r)| !r.status.is_success()) {
                loser.assert_error(StatusCode::CONFLICT, "code_used");
            }
            assert_eq!(server.count("orders").await, orders_before + won("order") as i64);
            let void_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger WHERE reason = 'void'")
                .fetch_one(&server.db.pool)
                .await
                .unwrap();
            assert_eq!(void_rows, 0, "a used code gives nothing back");
        }
        other => panic!("the code ended {other}: {statuses:?}"),
    }
    assert!(server.count("ledger").await >= ledger_before);
    server.assert_balances_match_ledger().await;
}
