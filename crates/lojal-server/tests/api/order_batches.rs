//! Orders that arrive together (issue 17, target 3): on SQLite the order
//! writer commits them in one transaction and adds their baskets to the
//! co-occurrence counts once for the batch, summed. The counts must come
//! out as if each order had counted its own basket, a resent order id
//! counting once, and the next view must see the orders.

use crate::on_each_backend;
use crate::support::{server, Store, TestServer};
use axum::http::{Method, StatusCode};
use futures_util::future::join_all;
use serde_json::{json, Value};

on_each_backend!(orders_sent_together_count_each_new_basket_once_as_a_rebuild_does);

const BASKETS: [&[&str]; 5] = [
    &["pasta", "sauce"],
    &["pasta", "sauce", "basil"],
    &["milk", "tea", "honey"],
    &["tea", "honey"],
    &["pasta", "pasta", "basil", "milk"],
];

fn order(id: &str, customer: &str, skus: &[&str]) -> Value {
    let items: Vec<Value> = skus.iter().map(|s| json!({"sku": s, "qty": 1, "price": 1000})).collect();
    json!({"id": id, "customer": customer, "total": 1000 * skus.len() as i64, "currency": "SEK", "items": items})
}

type Counts = (i64, Vec<(String, String, i64, i64)>, Vec<(String, i64)>);

/// The shop's baskets, pairs (walk to 1e-9) and items as stored.
async fn counts(server: &TestServer) -> Counts {
    let pool = &server.db.pool;
    let baskets: i64 =
        sqlx::query_scalar("SELECT baskets FROM shop_baskets WHERE shop_id = 'demo'").fetch_one(pool).await.unwrap();
    let pairs: Vec<(String, String, i64, f64)> =
        sqlx::query_as("SELECT a, b, baskets, walk FROM pair_counts WHERE shop_id = 'demo' ORDER BY a, b")
            .fetch_all(pool)
            .await
            .unwrap();
    let pairs = pairs.into_iter().map(|(a, b, n, walk)| (a, b, n, (walk * 1e9).round() as i64)).collect();
    let items: Vec<(String, i64)> =
        sqlx::query_as("SELECT sku, baskets FROM item_counts WHERE shop_id = 'demo' ORDER BY sku")
            .fetch_all(pool)
            .await
            .unwrap();
    (baskets, pairs, items)
}

async fn orders_sent_together_count_each_new_basket_once_as_a_rebuild_does(store: Store) {
    let server = server(store).await;
    catalogue(&server).await;
    // Two waves of 20 orders at once (each wave queues behind the first
    // commit, so on SQLite most go in shared batches), the second wave
    // resending five of the first's ids: those count nothing more.
    for wave in 0..2 {
        let sends = (0..20).map(|i| {
            let n = if wave == 1 && i < 5 { i } else { wave * 20 + i };
            let body = order(&format!("o-{n}"), &format!("member-{}", n % 7), BASKETS[n % BASKETS.len()]);
            server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body))
        });
        for reply in join_all(sends).await {
            assert!(reply.status.is_success(), "{}: {}", reply.status, String::from_utf8_lossy(&reply.body));
        }
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE shop_id = 'demo'")
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, 35, "20 new orders, then 15 new and 5 resent");

    let together = counts(&server).await;
    assert_eq!(together.0, 35, "each new order's basket once, a resend never");
    // pasta and sauce: in baskets 0, 1 of every five orders (7 times each).
    assert!(together.1.iter().any(|(a, b, n, _)| a == "pasta" && b == "sauce" && *n == 14), "{:?}", together.1);
    // Basket 4 repeats pasta: counted once per basket (7 such orders), as
    // baskets 0 and 1 count it (14).
    assert!(together.2.contains(&("pasta".into(), 21)), "{:?}", together.2);

    let mut tx = server.db.begin_write().await.unwrap();
    assert_eq!(lojal_server::store::recommendations::rebuild(&mut tx, "demo").await.unwrap(), 35);
    tx.commit().await.unwrap();
    assert_eq!(counts(&server).await, together, "the counts kept batch by batch are a full rebuild's");

    // The next view after orders acknowledged together sees them: saffron,
    // bought alone so far (the picks cached without it), then ten baskets
    // of saffron and honey at once.
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order("a-1", "anna", &["saffron"]))).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let before = picks(&server, "anna").await;
    assert!(before.as_array().unwrap().iter().all(|p| p["reason"] != "Often bought with saffron"), "{before}");
    let sends = (0..10).map(|i| {
        let body = order(&format!("s-{i}"), &format!("cook-{i}"), &["saffron", "honey"]);
        server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body))
    });
    assert!(join_all(sends).await.iter().all(|reply| reply.status == StatusCode::CREATED));
    let after = picks(&server, "anna").await;
    assert_eq!(
        (after[0]["sku"].clone(), after[0]["reason"].clone()),
        (json!("honey"), json!("Often bought with saffron"))
    );
}

async fn picks(server: &TestServer, customer: &str) -> Value {
    let reply = server.shopper(Method::GET, "/v1/shops/demo/widget?locale=en", Some(customer), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()["recommendations"].clone()
}

async fn catalogue(server: &TestServer) {
    let products: Vec<Value> = ["pasta", "sauce", "basil", "milk", "tea", "honey", "saffron"]
        .iter()
        .map(|sku| json!({"sku": sku, "name": sku, "category": "Pantry", "price": 1000}))
        .collect();
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/products", Some(json!(products))).await;
    assert_eq!(reply.status, StatusCode::OK);
}
