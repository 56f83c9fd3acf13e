//! `GET /widget` writes only what has fallen due: a returning member's page
//! view, with nothing due, commits nothing (SQLite's `data_version` moves
//! with every commit by any other connection, ours included).

use crate::on_each_backend;
use crate::support::{server, Store};
use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::pool::PoolConnection;
use sqlx::Any;

async fn data_version(probe: &mut PoolConnection<Any>) -> i64 {
    sqlx::query_scalar("PRAGMA data_version").fetch_one(&mut **probe).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_returning_members_page_view_writes_nothing() {
    let server = server(Store::Sqlite).await;
    assert_eq!(server.order("o-1", "cust-1", 50_000).await.status, StatusCode::CREATED);
    let cart = json!({"items": [{"sku": "oat-milk", "qty": 2, "price": 2500}]});
    assert_eq!(
        server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("cust-1"), Some(cart)).await.status,
        StatusCode::NO_CONTENT
    );
    // The first view writes what is due: the member has joined.
    let first = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("cust-1"), None).await;
    assert_eq!(first.status, StatusCode::OK);

    let mut probe = server.db.pool.acquire().await.unwrap();
    let before = data_version(&mut probe).await;
    let again = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("cust-1"), None).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(data_version(&mut probe).await, before, "the second view committed a write");
    assert_eq!(again.json()["customer"], first.json()["customer"]);
    assert_eq!(again.json()["customer"]["points"], 500);

    // A write in between is seen by the next view, and moves the version:
    // the probe does see commits.
    assert_eq!(server.order("o-2", "cust-1", 10_000).await.status, StatusCode::CREATED);
    assert_ne!(data_version(&mut probe).await, before);
    let after = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("cust-1"), None).await.json();
    // Silver from 500 points: 100 at 1.25.
    assert_eq!(after["customer"]["points"], 625);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_guests_page_view_writes_nothing() {
    let server = server(Store::Sqlite).await;
    let mut probe = server.db.pool.acquire().await.unwrap();
    let before = data_version(&mut probe).await;
    let reply = server.shopper(Method::GET, "/v1/shops/demo/widget", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(data_version(&mut probe).await, before);
}

on_each_backend!(another_process_s_write_reaches_the_kept_views);

/// A second `Db` on the same database is another server process: its
/// commit reaches this server's kept views (PostgreSQL: `NOTIFY`; SQLite:
/// `write_marks`) without anything written through this one.
async fn another_process_s_write_reaches_the_kept_views(store: Store) {
    let server = server(store).await;
    assert_eq!(server.order("o-1", "cust-1", 50_000).await.status, StatusCode::CREATED);
    let code = |body: &serde_json::Value| body["customer"]["referral"]["code"].as_str().unwrap().to_owned();
    let view = || server.shopper(Method::GET, "/v1/shops/demo/widget", Some("cust-1"), None);
    let first = code(&view().await.json());
    assert_eq!(code(&view().await.json()), first, "kept, and stable");

    let other = lojal_server::db::open(&server.url).await.unwrap();
    let mut tx = other.begin_write().await.unwrap();
    sqlx::query("UPDATE customers SET referral_code = 'OTHER1' WHERE shop_id = 'demo' AND id = 'cust-1'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // At once in practice; allowed two seconds on a loaded machine.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        if code(&view().await.json()) == "OTHER1" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the other process's write never reached the view");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

on_each_backend!(figures_for_the_merchant_leave_the_kept_views_standing);

/// A click on a pick and a referral visit write only what the merchant's
/// figures read: kept views stay, in this process and (nothing announced)
/// in the others; a write that does change a view still moves the count.
async fn figures_for_the_merchant_leave_the_kept_views_standing(store: Store) {
    let server = server(store).await;
    assert_eq!(server.order("o-1", "cust-1", 50_000).await.status, StatusCode::CREATED);
    let view = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("cust-1"), None).await.json();
    let code = view["customer"]["referral"]["code"].as_str().unwrap().to_owned();
    // The watcher hears this process's own order too (SQLite's
    // `write_marks`, PostgreSQL's NOTIFY), within its next look.
    let settle = std::time::Duration::from_millis(200);
    tokio::time::sleep(settle).await;
    let before = server.db.generation();

    let click = json!({"sku": "oat-milk"});
    let clicked = server.shopper(Method::POST, "/v1/shops/demo/recommendations/clicks", Some("cust-1"), Some(click));
    assert_eq!(clicked.await.status, StatusCode::NO_CONTENT);
    let visit = format!("/v1/shops/demo/referrals/{code}/visits");
    assert_eq!(server.shopper(Method::POST, &visit, None, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(server.count("recommendation_clicks").await, 1);
    assert_eq!(server.count("referral_visits").await, 1);
    // Long enough for the watcher to have heard of anything announced.
    tokio::time::sleep(settle).await;
    assert_eq!(server.db.generation(), before, "a click or a visit emptied the kept views");

    assert_eq!(server.order("o-2", "cust-1", 10_000).await.status, StatusCode::CREATED);
    assert!(server.db.generation() > before);
}
