//! A person's data out and erased: the export holds everything kept about
//! them; erasure leaves nothing that leads back to them while the shop's
//! books (the ledger, every metric) still add up, and can be repeated.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{header, Method, StatusCode};
use serde_json::{json, Value};

on_each_backend!(
    the_export_holds_everything_kept_about_the_member,
    erasure_keeps_the_books_and_forgets_the_person,
    erasing_again_or_a_stranger_changes_nothing,
    the_members_csv_lists_every_member,
    erasure_leaves_the_id_in_no_event_and_no_recommendation_row,
    erasure_waits_for_a_write_in_flight_and_takes_its_events_too,
);

/// Anna with an order, a code, a cart, a birthday, an answered feedback
/// question and a member she referred.
async fn anna_with_history(server: &TestServer) {
    let mut with_feedback = serde_json::to_value(program()).unwrap();
    with_feedback["feedback"] = json!({"ask_within_days": 14, "points": 25});
    let put = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(with_feedback)).await;
    assert_eq!(put.status, StatusCode::OK);
    let order = json!({"id": "o-1", "customer": "anna", "total": 60_000, "currency": "SEK",
                       "items": [{"sku": "oat-milk", "qty": 2, "price": 30_000}]});
    assert_eq!(server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order)).await.status, StatusCode::CREATED);
    assert_eq!(server.redeem("anna", "r100").await.status, StatusCode::CREATED);
    let cart = json!({"items": [{"sku": "bread", "qty": 1, "price": 2_500}]});
    let put = server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("anna"), Some(cart)).await;
    assert!(put.status.is_success());
    let birthday = json!({"month": 3, "day": 14});
    let set = server.shopper(Method::PUT, "/v1/shops/demo/birthday", Some("anna"), Some(birthday)).await;
    assert!(set.status.is_success());
    let answer = json!({"order_id": "o-1", "score": 9, "comment": "Anna here, call me on 0701234567"});
    let answered = server.shopper(Method::POST, "/v1/shops/demo/feedback", Some("anna"), Some(answer)).await;
    assert!(answered.status.is_success(), "{}", String::from_utf8_lossy(&answered.body));
    let click = json!({"sku": "oat-milk"});
    let clicked =
        server.shopper(Method::POST, "/v1/shops/demo/recommendations/clicks", Some("anna"), Some(click)).await;
    assert!(clicked.status.is_success(), "{}", String::from_utf8_lossy(&clicked.body));
    let code = server.customer("anna").await["referral_code"].as_str().unwrap().to_owned();
    let referred = json!({"id": "o-2", "customer": "bo", "total": 20_000, "currency": "SEK", "referral_code": code});
    assert_eq!(
        server.merchant(Method::POST, "/v1/shops/demo/orders", Some(referred)).await.status,
        StatusCode::CREATED
    );
}

async fn export(server: &TestServer, customer: &str) -> crate::support::Reply {
    server.merchant(Method::GET, &format!("/v1/shops/demo/customers/{customer}/export"), None).await
}

async fn erase(server: &TestServer, customer: &str) -> Value {
    let reply = server.merchant(Method::DELETE, &format!("/v1/shops/demo/customers/{customer}"), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

async fn the_export_holds_everything_kept_about_the_member(store: Store) {
    let server = server(store).await;
    anna_with_history(&server).await;
    let reply = export(&server, "anna").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    let data = reply.json();
    assert_eq!((data["shop"].clone(), data["customer"].clone()), (json!("demo"), json!("anna")));
    let member = &data["member"];
    // 600 earned + 25 for the feedback + 200 for referring Bo, 500 spent.
    assert_eq!((member["points"].clone(), member["lifetime_points"].clone()), (json!(325), json!(825)));
    assert_eq!(member["birthday"], json!({"month": 3, "day": 14}));
    assert_eq!(member["referrals"], 1);
    let reasons: Vec<&str> = data["ledger"].as_array().unwrap().iter().map(|r| r["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["earn", "redeem", "feedback", "referral"], "oldest first");
    assert_eq!(data["orders"][0]["items"], json!([{"sku": "oat-milk", "qty": 2, "price": 30_000}]));
    assert_eq!(data["codes"][0]["reward_id"], "r100");
    assert_eq!(data["cart"]["items"][0]["sku"], "bread");
    assert_eq!(data["feedback"][0]["comment"], "Anna here, call me on 0701234567");
    assert!(data["recommendations"].as_array().unwrap().iter().any(|r| r["kind"] == "click" && r["sku"] == "oat-milk"));
    let secret = crate::support::SECRET;
    assert!(!reply.body.windows(secret.len()).any(|w| w == secret.as_bytes()), "no secret in an export");
    export(&server, "nobody").await.assert_error(StatusCode::NOT_FOUND, "unknown_customer");
}

/// Every text column of every table that could hold `id`.
async fn mentions(server: &TestServer, id: &str) -> Vec<String> {
    let tables = [
        ("customers", "id"),
        ("customers", "referred_by"),
        ("orders", "customer_id"),
        ("orders", "referrer_id"),
        ("ledger", "customer_id"),
        ("credit_ledger", "customer_id"),
        ("redemptions", "customer_id"),
        ("carts", "customer_id"),
        ("feedback", "customer_id"),
        ("stamp_events", "customer_id"),
        ("action_events", "customer_id"),
        ("donations", "customer_id"),
        ("birthday_rewards", "customer_id"),
        ("nudge_dismissals", "customer_id"),
        ("win_backs", "customer_id"),
        ("webhook_events", "customer_id"),
        ("recommendation_views", "customer_id"),
        ("recommendation_clicks", "customer_id"),
    ];
    let mut found = Vec::new();
    for (table, column) in tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1"))
            .bind(id)
            .fetch_one(&server.db.pool)
            .await
            .unwrap();
        if n > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    found
}

async fn erasure_keeps_the_books_and_forgets_the_person(store: Store) {
    let server = server(store).await;
    anna_with_history(&server).await;
    let metrics = || async { server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await.json() };
    let before = metrics().await;
    let ledger_rows = server.count("ledger").await;

    assert_eq!(erase(&server, "anna").await, json!({"customer": "anna", "erased": true}));

    assert_eq!(mentions(&server, "anna").await, Vec::<String>::new());
    let comments: Vec<Option<String>> =
        sqlx::query_scalar("SELECT comment FROM feedback").fetch_all(&server.db.pool).await.unwrap();
    assert_eq!(comments, vec![None], "the comment is gone, the score stays");
    let birthdays: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE birthday_month IS NOT NULL")
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    assert_eq!(birthdays, 0);
    assert_eq!(server.count("carts").await, 0);
    // The books: every row kept, every metric the same, the audit clean.
    assert_eq!(server.count("ledger").await, ledger_rows);
    assert_eq!(metrics().await, before);
    server.assert_balances_match_ledger().await;
    // Bo's referral stays, to someone nobody can name.
    let referred_by = server.customer("bo").await["referred_by"].as_str().unwrap().to_owned();
    assert!(referred_by.starts_with("erased-") && referred_by.len() > 20, "{referred_by}");
    let pseudonym_export = export(&server, &referred_by).await.json();
    assert_eq!(pseudonym_export["member"]["birthday"], Value::Null);
    assert_eq!(pseudonym_export["member"]["points"], 325);
    // Anna's old referral link no longer works.
    let old_link = server.customer(&referred_by).await["referral_code"].clone();
    assert_eq!(old_link, json!(referred_by));
    // Her old id signs in as a new member with nothing.
    server
        .merchant(Method::GET, "/v1/shops/demo/customers/anna", None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "unknown_customer");
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    assert_eq!(widget["customer"]["points"], 0);
    assert!(widget.get("codes").is_none() && widget.get("history").is_none(), "{widget}");
}

async fn erasing_again_or_a_stranger_changes_nothing(store: Store) {
    let server = server(store).await;
    anna_with_history(&server).await;
    assert_eq!(erase(&server, "anna").await["erased"], true);
    let customers = server.count("customers").await;
    assert_eq!(erase(&server, "anna").await, json!({"customer": "anna", "erased": false}));
    assert_eq!(erase(&server, "nobody").await["erased"], false);
    assert_eq!(server.count("customers").await, customers);
    let anonymous = server
        .send(axum::http::Request::delete("/v1/shops/demo/customers/bo").body(axum::body::Body::empty()).unwrap())
        .await;
    anonymous.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(server.customer("bo").await["id"], "bo");
    server.assert_balances_match_ledger().await;
}

async fn the_members_csv_lists_every_member(store: Store) {
    let server = server(store).await;
    anna_with_history(&server).await;
    let reply = server.merchant(Method::GET, "/v1/shops/demo/members.csv", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    let text = String::from_utf8(reply.body).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "id,points,lifetime_points,tier,joined_at,last_order_at");
    assert!(lines[1].starts_with("anna,325,825,silver,"), "{text}");
    assert!(lines[2].starts_with("bo,200,200,bronze,"), "{text}");
    assert_eq!(lines.len(), 3, "{text}");
}

/// A webhook endpoint receiving `events` (nothing delivers in these tests:
/// the events wait in the outbox, where erasure must find them).
async fn subscribe(server: &TestServer, events: Value) {
    let hook = json!({"url": "http://127.0.0.1:9/hook", "events": events});
    let made = server.merchant(Method::POST, "/v1/shops/demo/webhooks", Some(hook)).await;
    assert!(made.status.is_success(), "{}", String::from_utf8_lossy(&made.body));
}

/// The referrer's `referral.completed` event names the referee in its
/// body, and the picks a member was shown and clicked name them in their
/// own tables: none of it may keep the erased id.
async fn erasure_leaves_the_id_in_no_event_and_no_recommendation_row(store: Store) {
    let server = server(store).await;
    subscribe(&server, json!(["referral.completed", "points.earned", "member.joined"])).await;
    assert_eq!(server.order("o-1", "anna", 10_000).await.status, StatusCode::CREATED);
    let code = server.customer("anna").await["referral_code"].as_str().unwrap().to_owned();
    let referred =
        json!({"id": "o-2", "customer": "bjorn.k", "total": 20_000, "currency": "SEK", "referral_code": code});
    assert_eq!(
        server.merchant(Method::POST, "/v1/shops/demo/orders", Some(referred)).await.status,
        StatusCode::CREATED
    );
    // What the widget records when it shows Björn picks and he clicks one.
    let now = lojal_server::clock::now();
    sqlx::query("INSERT INTO recommendation_views (shop_id, customer_id, day, sku, at) VALUES ('demo', 'bjorn.k', $1, 'bread', $2)")
        .bind(now / 86_400)
        .bind(now)
        .execute(&server.db.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO recommendation_clicks (shop_id, customer_id, sku, at) VALUES ('demo', 'bjorn.k', 'bread', $1)",
    )
    .bind(now)
    .execute(&server.db.pool)
    .await
    .unwrap();
    let metrics = || async { server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await.json() };
    let before = metrics().await;

    assert_eq!(erase(&server, "bjorn.k").await["erased"], true);

    let bodies: Vec<String> =
        sqlx::query_scalar("SELECT body FROM webhook_events").fetch_all(&server.db.pool).await.unwrap();
    let naming: Vec<&String> = bodies.iter().filter(|b| b.contains("bjorn.k")).collect();
    assert!(naming.is_empty(), "events still name the erased member: {naming:#?}");
    let referrals = bodies.iter().filter(|b| b.contains("referral.completed")).count();
    assert_eq!(referrals, 1, "Anna's own event stays, naming nobody: {bodies:#?}");
    for table in ["recommendation_views", "recommendation_clicks"] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE customer_id = 'bjorn.k'"))
            .fetch_one(&server.db.pool)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table} still holds the erased id");
    }
    assert_eq!(metrics().await, before);
    server.assert_balances_match_ledger().await;
}

/// A write for Anna in flight (her row locked, an event about her written,
/// not yet committed) when her erasure arrives: the erasure waits for it
/// and takes its event too. On PostgreSQL the erasure deleted her events
/// before waiting for her lock, so the write's event outlived her.
async fn erasure_waits_for_a_write_in_flight_and_takes_its_events_too(store: Store) {
    let server = server(store).await;
    subscribe(&server, json!(["points.earned"])).await;
    assert_eq!(server.order("o-1", "anna", 10_000).await.status, StatusCode::CREATED);
    let mut write = server.db.begin_write().await.unwrap();
    sqlx::query("UPDATE customers SET points = points WHERE shop_id = 'demo' AND id = 'anna'")
        .execute(&mut *write)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO webhook_events (id, shop_id, customer_id, type, body, created_at)
         VALUES ('evt_in_flight', 'demo', 'anna', 'points.earned', '{\"customer\":\"anna\"}', 0)",
    )
    .execute(&mut *write)
    .await
    .unwrap();
    let commit_later = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        write.commit().await.unwrap();
    };
    let (erased, ()) = tokio::join!(erase(&server, "anna"), commit_later);
    assert_eq!(erased["erased"], true);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_events WHERE customer_id = 'anna'")
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "an event about the erased member outlived the erasure");
    assert_eq!(mentions(&server, "anna").await, Vec::<String>::new());
}
