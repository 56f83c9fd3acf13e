//! The use cases (`lojal_server::app`) are handed their clock: the store
//! below reads none, so a use case run at a `now` far from the wall clock
//! dates every row it writes at that `now`. And an order is one
//! implementation, whichever transaction it runs in: the order writer's,
//! a platform delivery's, or the caller's own.

use crate::on_each_backend;
use crate::support::{server, Store};
use lojal_core::identity::CustomerId;
use lojal_server::app::{adjust, cart, ingest_order};
use lojal_server::store::earning::Terms;
use lojal_server::store::orders::NewOrder;
use lojal_server::store::shops;
use serde_json::json;

/// 2001-09-09, long before any test runs.
const THEN: i64 = 1_000_000_000;
const DAY: i64 = 86_400;

on_each_backend!(
    a_use_case_dates_what_it_writes_at_the_now_it_is_handed,
    an_order_in_the_callers_transaction_is_the_same_order
);

async fn a_use_case_dates_what_it_writes_at_the_now_it_is_handed(store: Store) {
    let server = server(store).await;
    let shop = shops::get(&server.db, "demo").await.unwrap();
    let customer = CustomerId::parse("cust-then").unwrap();
    let order = NewOrder {
        id: "o-then".into(),
        customer: customer.clone(),
        total: 10_000,
        currency: "SEK".into(),
        items: Vec::new(),
        referral_code: None,
        created_at: THEN,
        codes: Vec::new(),
    };
    let mut tx = server.db.begin_write().await.unwrap();
    let receipt =
        ingest_order::within(&mut tx, &shop.id, &shop.program, &order, &Terms::plain("SEK"), THEN).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((receipt.points_awarded, receipt.duplicate), (100, false));
    // Enrolled by the order, at the order's `now`, not the wall clock's.
    let joined: i64 =
        sqlx::query_scalar("SELECT created_at FROM customers WHERE shop_id = 'demo' AND id = 'cust-then'")
            .fetch_one(&server.db.pool)
            .await
            .unwrap();
    assert_eq!(joined, THEN);

    let adjustment = serde_json::from_value(json!({"points": 5, "note": "goodwill"})).unwrap();
    assert_eq!(adjust::adjust(&server.db, &shop, "cust-then", &adjustment, THEN + DAY).await.unwrap(), 105);
    let adjusted: i64 = sqlx::query_scalar(
        "SELECT at FROM ledger WHERE shop_id = 'demo' AND customer_id = 'cust-then' AND reason = 'adjustment'",
    )
    .fetch_one(&server.db.pool)
    .await
    .unwrap();
    assert_eq!(adjusted, THEN + DAY);

    let request = serde_json::from_value(json!({"items": [{"sku": "oat-milk", "qty": 1, "price": 2500}]})).unwrap();
    cart::put(&server.db, &shop, &customer, &request, THEN + 2 * DAY).await.unwrap();
    let updated: i64 =
        sqlx::query_scalar("SELECT updated_at FROM carts WHERE shop_id = 'demo' AND customer_id = 'cust-then'")
            .fetch_one(&server.db.pool)
            .await
            .unwrap();
    assert_eq!(updated, THEN + 2 * DAY);

    // No row of the member's ledger was dated by the wall clock.
    let latest: i64 = sqlx::query_scalar(
        "SELECT CAST(MAX(at) AS BIGINT) FROM ledger WHERE shop_id = 'demo' AND customer_id = 'cust-then'",
    )
    .fetch_one(&server.db.pool)
    .await
    .unwrap();
    assert_eq!(latest, THEN + DAY);
}

/// The same order through `POST .../orders` (the order writer) and through
/// `ingest_order::within` in a transaction of the caller's: the same
/// answer, and a resend through the other door is a retry, not a second
/// order.
async fn an_order_in_the_callers_transaction_is_the_same_order(store: Store) {
    let server = server(store).await;
    let shop = shops::get(&server.db, "demo").await.unwrap();
    let first = server.order("o-1", "cust-1", 25_000).await;
    assert_eq!(first.status, axum::http::StatusCode::CREATED);
    let first = first.json();

    let again = NewOrder {
        id: "o-1".into(),
        customer: CustomerId::parse("cust-1").unwrap(),
        total: 25_000,
        currency: "SEK".into(),
        items: Vec::new(),
        referral_code: None,
        created_at: lojal_server::clock::now(),
        codes: Vec::new(),
    };
    let now = lojal_server::clock::now();
    let mut tx = server.db.begin_write().await.unwrap();
    let receipt =
        ingest_order::within(&mut tx, &shop.id, &shop.program, &again, &Terms::plain("SEK"), now).await.unwrap();
    tx.commit().await.unwrap();
    assert!(receipt.duplicate, "the same order id and contents are a retry");
    assert_eq!(json!(receipt.points_awarded), first["points_awarded"]);
    assert_eq!(json!(receipt.points), first["points"]);
    assert_eq!(server.count("orders").await, 1);
}
