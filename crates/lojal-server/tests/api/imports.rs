//! Issue 15, importing what exists: members with opening balances, and past
//! orders, from CSV.

use crate::on_each_backend;
use crate::support::{Store, TestServer, SECRET};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::Value;

on_each_backend!(
    members_arrive_with_their_balance_tier_and_history,
    the_same_import_twice_pays_nobody_twice,
    a_member_already_here_gets_the_opening_balance_once,
    a_bad_row_refuses_the_whole_file_and_writes_nothing,
    bad_rows_can_be_skipped_and_are_listed,
    a_dry_run_writes_nothing,
    hostile_requests_get_4xx_in_the_error_shape,
    past_orders_earn_nothing_unless_asked,
    past_orders_can_earn_when_asked,
    an_order_stored_differently_is_a_bad_row,
);

const MEMBERS: &str = "id,points,lifetime_points,birthday,joined_at\n\
    anna,500,2000,03-14,2021-06-01\n\
    bo,0,,,\n\
    cem,1200,,1990-12-01,2022-01-05T10:30:00+01:00\n";

async fn import(server: &TestServer, kind: &str, query: &str, csv: &str) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("/v1/shops/demo/imports/{kind}{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {SECRET}"))
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .body(Body::from(csv.to_owned()))
        .unwrap();
    let reply = server.send(request).await;
    let body = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    (reply.status, body)
}

async fn members_arrive_with_their_balance_tier_and_history(store: Store) {
    let server = crate::support::server(store).await;
    let (status, report) = import(&server, "members", "?name=from-shopify", MEMBERS).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["kind"], "members");
    assert_eq!(report["name"], "from-shopify");
    assert_eq!((report["rows"].as_i64(), report["imported"].as_i64()), (Some(3), Some(3)));
    assert_eq!(report["already_imported"], 0);
    assert_eq!(report["points"], 1700);
    assert_eq!(report["skipped"], serde_json::json!([]));

    let anna = server.customer("anna").await;
    assert_eq!((anna["points"].as_i64(), anna["lifetime_points"].as_i64()), (Some(500), Some(2000)));
    assert_eq!(anna["tier"]["id"], "gold", "the tier goes by the lifetime points");
    let rows: Vec<(i64, &str, &str)> = anna["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["delta"].as_i64().unwrap(), r["reason"].as_str().unwrap(), r["note"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(rows, vec![(-1500, "import_spent", "from-shopify"), (2000, "import", "from-shopify")]);
    let cem = server.customer("cem").await;
    assert_eq!((cem["points"].as_i64(), cem["lifetime_points"].as_i64()), (Some(1200), Some(1200)));
    assert_eq!(server.points("bo").await, 0);

    // The shopper sees the balance and their birthday; nothing was paid for signing up.
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    assert_eq!(widget["customer"]["points"], 500);
    assert_eq!(widget["customer"]["birthday"], serde_json::json!({"month": 3, "day": 14}));
    // Imported points spend like any others.
    assert_eq!(server.redeem("anna", "r100").await.status, StatusCode::CREATED);
    assert_eq!(server.points("anna").await, 0);
    server.assert_balances_match_ledger().await;
    let metrics = server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await;
    assert_eq!(metrics.status, StatusCode::OK);
    let points = &metrics.json()["points"];
    assert_eq!(points["issued"], 3200, "{points}");
    assert_eq!(points["redeemed"], 2000, "the spent part counts as redeemed, before Lojal: {points}");
}

async fn the_same_import_twice_pays_nobody_twice(store: Store) {
    let server = crate::support::server(store).await;
    assert_eq!(import(&server, "members", "", MEMBERS).await.0, StatusCode::OK);
    let ledger_rows = server.count("ledger").await;
    // Again, under another name, and a file naming anna again.
    let (status, report) = import(&server, "members", "?name=again", MEMBERS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((report["imported"].as_i64(), report["already_imported"].as_i64()), (Some(0), Some(3)));
    let (_, report) = import(&server, "members", "", "id,points\nanna,999\ndan,10\n").await;
    assert_eq!((report["imported"].as_i64(), report["already_imported"].as_i64()), (Some(1), Some(1)));
    assert_eq!(server.points("anna").await, 500);
    assert_eq!(server.count("ledger").await, ledger_rows + 1);
    server.assert_balances_match_ledger().await;
}

async fn a_member_already_here_gets_the_opening_balance_once(store: Store) {
    let server = crate::support::server(store).await;
    assert_eq!(server.order("o-1", "anna", 10_000).await.status, StatusCode::CREATED);
    let earned = server.points("anna").await;
    assert!(earned > 0);
    let (status, report) = import(&server, "members", "", MEMBERS).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["imported"], 3);
    let anna = server.customer("anna").await;
    assert_eq!(anna["points"].as_i64(), Some(earned + 500));
    assert_eq!(anna["lifetime_points"].as_i64(), Some(earned + 2000));
    let (_, report) = import(&server, "members", "", MEMBERS).await;
    assert_eq!(report["already_imported"], 3);
    assert_eq!(server.points("anna").await, earned + 500);
    server.assert_balances_match_ledger().await;
}

async fn a_bad_row_refuses_the_whole_file_and_writes_nothing(store: Store) {
    let server = crate::support::server(store).await;
    let (customers, ledger) = (server.count("customers").await, server.count("ledger").await);
    let csv = format!("{MEMBERS}dan,-5,,,\neve,10,5,,\nanna,1,1,,\n");
    let (status, body) = import(&server, "members", "", &csv).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_import");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("3 bad rows: line 5: points must be a whole number"), "{message}");
    assert!(message.contains("line 6: lifetime_points (5) is less than points (10)"), "{message}");
    assert!(message.contains("line 7: member `anna` is also on line 2"), "{message}");
    assert!(message.contains("nothing was imported"), "{message}");
    assert_eq!((server.count("customers").await, server.count("ledger").await), (customers, ledger));
}

async fn bad_rows_can_be_skipped_and_are_listed(store: Store) {
    let server = crate::support::server(store).await;
    let csv = format!("{MEMBERS}dan,-5,,,\n");
    let (status, report) = import(&server, "members", "?skip_bad_rows=true", &csv).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["rows"].as_i64(), report["imported"].as_i64()), (Some(4), Some(3)));
    assert_eq!(report["skipped"][0]["line"], 5);
    assert!(report["skipped"][0]["problem"].as_str().unwrap().contains("points must be"));
    assert_eq!(server.points("anna").await, 500);
    let missing = server.merchant(Method::GET, "/v1/shops/demo/customers/dan", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

async fn a_dry_run_writes_nothing(store: Store) {
    let server = crate::support::server(store).await;
    let (customers, ledger) = (server.count("customers").await, server.count("ledger").await);
    let (status, report) = import(&server, "members", "?dry_run=true", MEMBERS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((report["dry_run"].as_bool(), report["imported"].as_i64()), (Some(true), Some(3)));
    assert_eq!((server.count("customers").await, server.count("ledger").await), (customers, ledger));
    let orders = "id,customer,total,currency,created_at\n1,anna,100,SEK,2024-01-01\n";
    let (status, report) = import(&server, "orders", "?dry_run=true", orders).await;
    assert_eq!((status, report["imported"].as_i64()), (StatusCode::OK, Some(1)));
    assert_eq!(server.count("orders").await, 0);
}

async fn hostile_requests_get_4xx_in_the_error_shape(store: Store) {
    let server = crate::support::server(store).await;
    let cases: Vec<(&str, &str, &str)> = vec![
        ("members", "", ""),
        ("members", "", "\u{feff}"),
        ("members", "", "id\nanna\n"),
        ("members", "", "id,points,secret\n"),
        ("members", "?dry_run=maybe", MEMBERS),
        ("members", "?unknown=1", MEMBERS),
        ("members", "?name=%00", MEMBERS),
        ("members", "?name=", MEMBERS),
        ("orders", "", "id,customer,total\n"),
        ("orders", "", "id,customer,total,currency,created_at\n1,a,1,EUR,2024-01-01\n"),
        ("members", "", "\u{0}\u{1}\u{2}"),
        ("members", "", "\"\"\"\n\"\n,,,,,,,,,,,,,,,,,,\n"),
    ];
    for (kind, query, body) in cases {
        let (status, reply) = import(&server, kind, query, body).await;
        assert!(status.is_client_error(), "{kind}{query} {body:?}: {status} {reply}");
        assert!(reply["error"]["code"].is_string(), "{kind}{query} {body:?}: {reply}");
    }
    // Not CSV, no secret, another shop's secret.
    let request = |content_type: &str, secret: &str| {
        Request::builder()
            .method(Method::POST)
            .uri("/v1/shops/demo/imports/members")
            .header(header::AUTHORIZATION, format!("Bearer {secret}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(MEMBERS))
            .unwrap()
    };
    let reply = server.send(request("application/json", SECRET)).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(reply.json()["error"]["code"], "not_csv");
    let reply = server.send(request("text/csv", "other-secret")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // Binary noise as a CSV body: bad rows, never a 500.
    let noise: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let mut body = b"id,points\n".to_vec();
    body.extend(noise);
    let request = Request::builder()
        .method(Method::POST)
        .uri("/v1/shops/demo/imports/members")
        .header(header::AUTHORIZATION, format!("Bearer {SECRET}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(body))
        .unwrap();
    assert!(server.send(request).await.status.is_client_error());
    assert_eq!(server.count("customers").await, 0);
}

const ORDERS: &str = "id,customer,total,currency,created_at,sku,qty,price\n\
    1001,anna,5980,SEK,2024-05-01T10:00:00Z,milk,2,1990\n\
    1001,anna,5980,SEK,2024-05-01T10:00:00Z,bread,1,2000\n\
    1002,bo,20000,SEK,2024-05-02,milk,1,1990\n\
    1002,bo,20000,SEK,2024-05-02,bread,1,2000\n\
    1003,anna,0,SEK,2024-05-03,,,\n";

async fn past_orders_earn_nothing_unless_asked(store: Store) {
    let server = crate::support::server(store).await;
    let (status, report) = import(&server, "orders", "", ORDERS).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["kind"].as_str(), report["rows"].as_i64(), report["imported"].as_i64()),
        (Some("orders"), Some(5), Some(3))
    );
    assert_eq!(report["points"], 0);
    assert_eq!((server.count("orders").await, server.count("order_items").await), (3, 4));
    assert_eq!(server.count("ledger").await, 0, "nothing earned");
    assert_eq!(server.points("anna").await, 0);
    // The recommendation counts were rebuilt from them.
    let baskets: i64 = sqlx::query_scalar("SELECT baskets FROM shop_baskets WHERE shop_id = 'demo'")
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    assert_eq!(baskets, 2);
    // Again: the same orders are known, nothing new.
    let (status, report) = import(&server, "orders", "", ORDERS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((report["imported"].as_i64(), report["already_imported"].as_i64()), (Some(0), Some(3)));
    assert_eq!(server.count("order_items").await, 4);
    // The same id sent live again is a retry, as for any order.
    let body = serde_json::json!({"id": "1003", "customer": "anna", "total": 0, "currency": "SEK"});
    assert_eq!(server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await.status, StatusCode::OK);
    let metrics = server.merchant(Method::GET, "/v1/shops/demo/metrics?period_days=3650", None).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert_eq!(metrics.json()["orders"], 3);
    server.assert_balances_match_ledger().await;
}

async fn past_orders_can_earn_when_asked(store: Store) {
    let server = crate::support::server(store).await;
    let (status, report) = import(&server, "orders", "?earn=true", ORDERS).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["imported"], 3);
    // Earned as when they were placed: with the test program's expiry of
    // 12 months, points from 2024 are expired on arrival.
    assert_eq!(report["points"], 59 + 200);
    assert_eq!(server.customer("bo").await["lifetime_points"], 200);
    let (_, report) = import(&server, "orders", "?earn=true", ORDERS).await;
    assert_eq!((report["imported"].as_i64(), report["already_imported"].as_i64()), (Some(0), Some(3)));
    assert_eq!(server.customer("bo").await["lifetime_points"], 200);
    server.assert_balances_match_ledger().await;
}

async fn an_order_stored_differently_is_a_bad_row(store: Store) {
    let server = crate::support::server(store).await;
    assert_eq!(server.order("1002", "bo", 100).await.status, StatusCode::CREATED);
    let orders = server.count("orders").await;
    let (status, body) = import(&server, "orders", "", ORDERS).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("line 4: order `1002` is stored already"), "{body}");
    assert_eq!(server.count("orders").await, orders);
    let (status, report) = import(&server, "orders", "?skip_bad_rows=true", ORDERS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["imported"], 2);
    assert_eq!(report["skipped"][0]["line"], 4);
}
