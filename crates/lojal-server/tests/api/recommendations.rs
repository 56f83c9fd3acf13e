//! Recommendations and nudges in the widget's answer.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{Method, StatusCode};
use futures_util::future::join_all;
use lojal_server::clock::{self, rfc3339};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

on_each_backend!(
    recommendations_follow_what_is_bought_together_with_a_reason,
    counts_kept_order_by_order_match_a_full_rebuild,
    a_new_order_shows_in_the_next_picks_though_the_model_is_cached,
    an_abandoned_cart_nudges_until_an_order_clears_it,
    a_dismissed_nudge_gives_way_to_the_next,
    expiring_points_and_win_back_nudges_carry_their_figures,
    parallel_views_of_a_lapsed_member_issue_one_win_back_code,
    an_order_of_500_items_counts_bounded_pairs_and_lets_other_orders_through,
    a_member_with_over_500_skus_in_cart_and_orders_gets_the_widget_every_time,
    a_guest_on_a_product_page_gets_picks_from_that_product,
    clicks_views_and_attributed_orders_reach_the_merchant_metrics,
    walk_weights_kept_order_by_order_match_a_full_rebuild,
);

/// Issue 19: the offline figure, through `GET /widget`. On SQLite only: it
/// ingests ~7,900 orders.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn held_out_baskets_through_the_widget_match_the_offline_figure() {
    held_out_baskets_through_the_widget(Store::Sqlite).await;
}

async fn a_guest_on_a_product_page_gets_picks_from_that_product(store: Store) {
    let server = server(store).await;
    catalogue(&server).await;
    history(&server).await;
    let reply = server.shopper(Method::GET, "/v1/shops/demo/widget?locale=sv&product=tea", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let picks = reply.json()["recommendations"].clone();
    assert_eq!(picks[0]["sku"], "honey", "{picks}");
    assert_eq!(picks[0]["reason"], "Köps ofta med tea");
    assert!(picks.as_array().unwrap().iter().all(|p| p["sku"] != "tea"), "not the page's own product: {picks}");
    // An unusable sku is ignored, not an error: the page still gets its widget.
    let reply = server.shopper(Method::GET, "/v1/shops/demo/widget?product=%20", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
}

async fn clicks_views_and_attributed_orders_reach_the_merchant_metrics(store: Store) {
    let server = server(store).await;
    catalogue(&server).await;
    history(&server).await;
    basket(&server, "a-1", "anna", &["pasta"]).await;
    let picks = widget(&server, Some("anna"), "en").await["recommendations"].clone();
    assert_eq!(picks[0]["sku"], "sauce");
    // Views again the same day with the same picks: no new rows.
    widget(&server, Some("anna"), "en").await;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recommendation_views WHERE customer_id = 'anna'")
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    assert_eq!(rows, picks.as_array().unwrap().len() as i64);
    let click = server
        .shopper(Method::POST, "/v1/shops/demo/recommendations/clicks", Some("anna"), Some(json!({"sku": "sauce"})))
        .await;
    assert_eq!(click.status, StatusCode::NO_CONTENT, "{}", String::from_utf8_lossy(&click.body));
    let guest = server
        .shopper(Method::POST, "/v1/shops/demo/recommendations/clicks", None, Some(json!({"sku": "sauce"})))
        .await;
    guest.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
    let bad = server
        .shopper(Method::POST, "/v1/shops/demo/recommendations/clicks", Some("anna"), Some(json!({"sku": ""})))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Anna buys the recommended sauce (2 × 1000) and basil (never shown): one attributed order, the sauce's line.
    let body = json!({"id": "a-2", "customer": "anna", "total": 3000, "currency": "SEK",
        "items": [{"sku": "sauce", "qty": 2, "price": 1000}, {"sku": "basil", "qty": 1, "price": 1000}]});
    assert_eq!(server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await.status, StatusCode::CREATED);
    // Bert was never shown anything: his sauce is not attributed.
    basket(&server, "b-1", "bert", &["sauce"]).await;
    let metrics = server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await.json();
    let figures = &metrics["recommendations"];
    assert_eq!(figures["views"], 1, "{figures}");
    assert_eq!(figures["clicks"], 1);
    assert_eq!(figures["click_rate"], 1.0);
    assert_eq!(figures["attributed_orders"], 1);
    assert_eq!(figures["attributed_revenue"], 2000);
    assert_eq!(figures["attribution_days"], 14);
}

async fn walk_weights_kept_order_by_order_match_a_full_rebuild(store: Store) {
    let server = server(store).await;
    catalogue(&server).await;
    history(&server).await;
    let walks = |server: &TestServer| {
        let pool = server.db.pool.clone();
        async move {
            let rows: Vec<(String, String, f64)> =
                sqlx::query_as("SELECT a, b, walk FROM pair_counts ORDER BY a, b").fetch_all(&pool).await.unwrap();
            rows.into_iter().map(|(a, b, w)| (a, b, (w * 1e9).round() as i64)).collect::<Vec<_>>()
        }
    };
    let incremental = walks(&server).await;
    let mut tx = server.db.begin_write().await.unwrap();
    lojal_server::store::recommendations::rebuild(&mut tx, "demo").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(walks(&server).await, incremental);
    // Pasta and sauce: in a basket of 3 (with the gift card), of 2 and of 3.
    let expected = ((1.0 / 3.0 + 1.0 / 2.0 + 1.0 / 3.0) * 1e9_f64).round() as i64;
    assert!(incremental.contains(&("pasta".into(), "sauce".into(), expected)), "{incremental:?}");
}

async fn held_out_baskets_through_the_widget(store: Store) {
    use lojal_core::recommend::{self, CoCounts, Context, Params};
    use lojal_server::app::ingest_order;
    use lojal_server::demo::catalogue::{self as groceries, BASKETS_CSV};
    use lojal_server::store::orders::NewOrder;
    use lojal_server::store::products;
    let sample: usize = std::env::var("LOJAL_QUALITY_SAMPLE").ok().and_then(|s| s.parse().ok()).unwrap_or(120);
    let server = server(store).await;
    let baskets: Vec<Vec<String>> = BASKETS_CSV
        .lines()
        .map(|line| {
            let mut skus: Vec<String> =
                line.split(',').filter(|n| !n.trim().is_empty()).map(|n| groceries::product(n).sku).collect();
            skus.sort();
            skus.dedup();
            skus
        })
        .filter(|b| !b.is_empty())
        .collect();
    let mut tx = server.db.begin_write().await.unwrap();
    let mut seen = HashSet::new();
    for name in BASKETS_CSV.lines().flat_map(|l| l.split(',')).filter(|n| !n.trim().is_empty()) {
        if seen.insert(name.trim().to_owned()) {
            products::upsert(&mut tx, "demo", &groceries::product(name)).await.unwrap();
        }
    }
    // Train: four baskets in five, as other customers' orders.
    let now = clock::now();
    let order = |id: String, customer: &str, skus: &[String]| NewOrder {
        id,
        customer: lojal_core::identity::CustomerId::parse(customer).unwrap(),
        total: 1000 * skus.len() as i64,
        currency: "SEK".into(),
        items: skus.iter().map(|s| lojal_core::requests::LineItem { sku: s.clone(), qty: 1, price: 1000 }).collect(),
        referral_code: None,
        created_at: now - 86_400,
        codes: Vec::new(),
    };
    let train: Vec<NewOrder> = baskets
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 5 != 0)
        .map(|(i, b)| order(format!("t-{i}"), &format!("t-{i}"), b))
        .collect();
    ingest_order::import(&mut tx, "demo", &program(), &train, now).await.unwrap();
    tx.commit().await.unwrap();
    let mut model = CoCounts::default();
    for b in baskets.iter().enumerate().filter(|(i, _)| i % 5 != 0).map(|(_, b)| b) {
        model.add_basket(b);
    }
    let model = model.strongest_neighbours(recommend::NEIGHBOURS_PER_ITEM);
    let head: Vec<String> = model.popular().iter().take(10).map(|(s, _)| (*s).to_owned()).collect();
    // Held out: every fifth basket of 2+ items, one item hidden; the rest
    // posted as a new member's order, then the widget asked.
    let (mut cases, mut tail, mut offline, mut popular, mut endpoint, mut endpoint_tail) = (0, 0, 0, 0, 0, 0);
    for (i, b) in baskets.iter().enumerate().filter(|(i, b)| i % 5 == 0 && b.len() >= 2).take(sample) {
        let hidden = &b[(i / 5) % b.len()];
        let rest: Vec<String> = b.iter().filter(|s| *s != hidden).cloned().collect();
        let context = Context { items: rest.iter().map(String::as_str).collect(), ..Default::default() };
        let long_tail = !head.contains(hidden);
        cases += 1;
        tail += usize::from(long_tail);
        offline +=
            usize::from(recommend::rank(&model, &context, 4, Params::default()).iter().any(|p| &p.sku == hidden));
        popular += usize::from(recommend::most_popular(&model, &context, 4).contains(hidden));
        let member = format!("m-{i}");
        let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
        basket(&server, &format!("q-{i}"), &member, &rest).await;
        let picks = widget(&server, Some(&member), "en").await["recommendations"].clone();
        let picks = picks.as_array().unwrap();
        assert!(picks.len() == 4 && picks.iter().all(|p| !p["reason"].as_str().unwrap().is_empty()), "{picks:?}");
        let hit = picks.iter().any(|p| p["sku"] == hidden.as_str());
        endpoint += usize::from(hit);
        endpoint_tail += usize::from(hit && long_tail);
    }
    let rate = |hits: usize, of: usize| hits as f64 / of.max(1) as f64;
    eprintln!(
        "through GET /widget: {cases} held-out baskets ({tail} long-tail): hit rate @4 {:.3} (offline, same cases: {:.3}; \
         most popular: {:.3}), long-tail {:.3}",
        rate(endpoint, cases),
        rate(offline, cases),
        rate(popular, cases),
        rate(endpoint_tail, tail),
    );
    // The endpoint counts each posted basket too, so it may differ by a hair.
    assert!(endpoint.abs_diff(offline) <= 1 + cases / 50, "endpoint {endpoint} against offline {offline} of {cases}");
}

async fn catalogue(server: &TestServer) {
    let products = json!([
        {"sku": "pasta", "name": "Pasta", "category": "Pantry", "price": 1990},
        {"sku": "sauce", "name": "Tomato sauce", "category": "Pantry", "price": 2490},
        {"sku": "milk", "name": "Milk", "category": "Dairy", "price": 1490},
        {"sku": "tea", "name": "Tea", "category": "Drinks", "price": 3990},
        {"sku": "honey", "name": "Honey", "category": "Pantry", "price": 5990},
        {"sku": "gift-card", "name": "Gift card", "category": "", "price": 50000, "recommendable": false},
    ]);
    assert_eq!(server.merchant(Method::PUT, "/v1/shops/demo/products", Some(products)).await.status, StatusCode::OK);
}

async fn basket(server: &TestServer, id: &str, customer: &str, skus: &[&str]) {
    let items: Vec<Value> = skus.iter().map(|s| json!({"sku": s, "qty": 1, "price": 1000})).collect();
    let body =
        json!({"id": id, "customer": customer, "total": 1000 * skus.len() as i64, "currency": "SEK", "items": items});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
}

async fn history(server: &TestServer) {
    let baskets: [&[&str]; 8] = [
        &["pasta", "sauce", "gift-card"],
        &["pasta", "sauce"],
        &["milk", "pasta", "sauce"],
        &["milk", "tea", "honey"],
        &["tea", "honey"],
        &["milk", "gift-card"],
        &["milk"],
        &["milk", "gift-card"],
    ];
    for (i, items) in baskets.iter().enumerate() {
        basket(server, &format!("h-{i}"), &format!("shopper-{i}"), items).await;
    }
}

async fn widget(server: &TestServer, customer: Option<&str>, locale: &str) -> Value {
    let reply = server.shopper(Method::GET, &format!("/v1/shops/demo/widget?locale={locale}"), customer, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

async fn recommendations_follow_what_is_bought_together_with_a_reason(store: Store) {
    let server = server(store).await;
    catalogue(&server).await;
    history(&server).await;
    basket(&server, "a-1", "anna", &["pasta"]).await;
    let picks = widget(&server, Some("anna"), "en").await["recommendations"].clone();
    assert_eq!(picks[0]["sku"], "sauce");
    assert_eq!(picks[0]["reason"], "Often bought with pasta");
    assert_eq!(picks[0]["name"], "Tomato sauce");
    assert_eq!(picks[0]["price"], 2490);
    let skus: Vec<&str> = picks.as_array().unwrap().iter().map(|p| p["sku"].as_str().unwrap()).collect();
    assert!(!skus.contains(&"pasta"), "just bought: {skus:?}");
    assert!(!skus.contains(&"gift-card"), "not recommendable: {skus:?}");
    assert!(skus.len() <= 4);
    // In Swedish, and for a guest: the most bought, by category.
    let guest = widget(&server, None, "sv").await["recommendations"].clone();
    assert_eq!(guest[0]["sku"], "milk");
    assert_eq!(guest[0]["reason"], "Populär i Dairy");
    // What is in the cart is not offered; what goes with it is.
    let cart = json!({"items": [{"sku": "tea", "qty": 1, "price": 3990}]});
    server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("bert"), Some(cart)).await;
    let with_cart = widget(&server, Some("bert"), "en").await["recommendations"].clone();
    assert_eq!(with_cart[0]["sku"], "honey");
    assert!(with_cart.as_array().unwrap().iter().all(|p| p["sku"] != "tea"));
}

async fn a_new_order_shows_in_the_next_picks_though_the_model_is_cached(store: Store) {
    let server = server(store).await;
    catalogue(&server).await;
    history(&server).await;
    basket(&server, "a-1", "anna", &["basil"]).await;
    // Basil has never been bought with anything: popular picks, cached now.
    let before = widget(&server, Some("anna"), "en").await["recommendations"].clone();
    assert!(before.as_array().unwrap().iter().all(|p| p["reason"] != "Often bought with basil"), "{before}");
    // Three baskets of basil with honey: the very next view knows.
    for i in 0..3 {
        basket(&server, &format!("b-{i}"), &format!("cook-{i}"), &["basil", "honey"]).await;
    }
    let after = widget(&server, Some("anna"), "en").await["recommendations"].clone();
    assert_eq!(
        (after[0]["sku"].clone(), after[0]["reason"].clone()),
        (json!("honey"), json!("Often bought with basil"))
    );
}

async fn counts_kept_order_by_order_match_a_full_rebuild(store: Store) {
    let server = server(store).await;
    catalogue(&server).await;
    history(&server).await;
    let counts = |server: &TestServer| {
        let pool = server.db.pool.clone();
        async move {
            let pairs: Vec<(String, String, i64)> =
                sqlx::query_as("SELECT a, b, baskets FROM pair_counts ORDER BY a, b").fetch_all(&pool).await.unwrap();
            let items: Vec<(String, i64)> =
                sqlx::query_as("SELECT sku, baskets FROM item_counts ORDER BY sku").fetch_all(&pool).await.unwrap();
            (pairs, items)
        }
    };
    let incremental = counts(&server).await;
    let mut tx = server.db.begin_write().await.unwrap();
    assert_eq!(lojal_server::store::recommendations::rebuild(&mut tx, "demo").await.unwrap(), 8);
    tx.commit().await.unwrap();
    assert_eq!(counts(&server).await, incremental);
    assert!(incremental.0.contains(&("pasta".into(), "sauce".into(), 3)));
}

async fn set_nudges(server: &TestServer, nudges: Value) {
    let mut program = serde_json::to_value(program()).unwrap();
    program["nudges"] = nudges;
    let reply = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
}

async fn an_abandoned_cart_nudges_until_an_order_clears_it(store: Store) {
    let server = server(store).await;
    set_nudges(&server, json!({"abandoned_cart_after_hours": 0})).await;
    server.order("o-1", "anna", 10_000).await;
    assert_eq!(widget(&server, Some("anna"), "en").await["nudge"], Value::Null);
    let cart = json!({"items": [{"sku": "tea", "qty": 2, "price": 12_000}]});
    server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("anna"), Some(cart)).await;
    let nudge = widget(&server, Some("anna"), "en").await["nudge"].clone();
    assert_eq!(nudge["kind"], "abandoned_cart");
    assert_eq!(nudge["points"], 240);
    assert_eq!(nudge["text"], "Your cart is waiting: complete your order to earn 240 points.");
    server.order("o-2", "anna", 24_000).await;
    assert_eq!(widget(&server, Some("anna"), "en").await["nudge"], Value::Null, "the order cleared the cart");
}

async fn a_dismissed_nudge_gives_way_to_the_next(store: Store) {
    let server = server(store).await;
    set_nudges(&server, json!({"abandoned_cart_after_hours": 0, "next_tier_within": 0.5})).await;
    server.order("o-1", "anna", 30_000).await; // 300 of Silver's 500: 200 to go, within half
    let cart = json!({"items": [{"sku": "tea", "qty": 1, "price": 5_000}]});
    server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("anna"), Some(cart)).await;
    assert_eq!(widget(&server, Some("anna"), "en").await["nudge"]["kind"], "abandoned_cart");
    let reply = server.shopper(Method::POST, "/v1/shops/demo/nudges/abandoned_cart/dismiss", Some("anna"), None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let nudge = widget(&server, Some("anna"), "sv").await["nudge"].clone();
    assert_eq!(nudge["kind"], "next_tier");
    assert_eq!(nudge["text"], "Bara 200 poäng kvar till Silver.");
    let bad = server.shopper(Method::POST, "/v1/shops/demo/nudges/lottery/dismiss", Some("anna"), None).await;
    bad.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    let guest = server.shopper(Method::POST, "/v1/shops/demo/nudges/next_tier/dismiss", None, None).await;
    guest.assert_error(StatusCode::UNAUTHORIZED, "not_signed_in");
}

async fn expiring_points_and_win_back_nudges_carry_their_figures(store: Store) {
    let server = server(store).await;
    set_nudges(&server, json!({"win_back_after_days": 60, "win_back_reward_id": "r10", "expiring_within_days": 30}))
        .await;
    // 11 months ago: expires in about a month's last days (within 30 days).
    let at = clock::now() - 340 * 86_400;
    let body = json!({"id": "old", "customer": "anna", "total": 20_000, "currency": "SEK", "created_at": rfc3339(at)});
    server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await;
    let nudge = widget(&server, Some("anna"), "en").await["nudge"].clone();
    assert_eq!(nudge["kind"], "expiring_points", "{nudge}");
    assert_eq!(nudge["points"], 200);
    let date = &nudge["expires_at"].as_str().unwrap()[..10];
    assert_eq!(nudge["text"], format!("200 of your points expire on {date}. Use them before then."));

    // Bert last ordered 61 days ago: a personal code, the same on every visit.
    let at = clock::now() - 61 * 86_400;
    let body = json!({"id": "b-old", "customer": "bert", "total": 5_000, "currency": "SEK", "created_at": rfc3339(at)});
    server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await;
    let first = widget(&server, Some("bert"), "en").await["nudge"].clone();
    assert_eq!(first["kind"], "win_back", "{first}");
    let code = first["code"].as_str().unwrap();
    assert!(code.starts_with("LOJ-"));
    assert_eq!(first["text"], format!("We miss you! 10 kr rabatt is yours with code {code}."));
    let again = widget(&server, Some("bert"), "en").await["nudge"].clone();
    assert_eq!(again["code"], first["code"]);
    let issued: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM redemptions WHERE customer_id = 'bert' AND points_spent = 0")
            .fetch_one(&server.db.pool)
            .await
            .unwrap();
    assert_eq!(issued, 1);
}

/// Issue 16 (8): a lapsed member's page views at once (several tabs, the
/// widget on every page) agree on one win-back code, and none fails.
async fn parallel_views_of_a_lapsed_member_issue_one_win_back_code(store: Store) {
    let server = Arc::new(server(store).await);
    set_nudges(&server, json!({"win_back_after_days": 60, "win_back_reward_id": "r10"})).await;
    let at = clock::now() - 61 * 86_400;
    let body = json!({"id": "b-old", "customer": "bert", "total": 5_000, "currency": "SEK", "created_at": rfc3339(at)});
    assert_eq!(server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await.status, StatusCode::CREATED);
    let views = (0..16).map(|_| {
        let server = server.clone();
        tokio::spawn(async move { server.shopper(Method::GET, "/v1/shops/demo/widget", Some("bert"), None).await })
    });
    let mut codes = HashSet::new();
    for reply in join_all(views).await.into_iter().map(Result::unwrap) {
        assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
        let nudge = reply.json()["nudge"].clone();
        assert_eq!(nudge["kind"], "win_back", "{nudge}");
        codes.insert(nudge["code"].as_str().unwrap().to_owned());
    }
    assert_eq!(codes.len(), 1, "one code for one lapse: {codes:?}");
    let issued: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM redemptions WHERE customer_id = 'bert' AND points_spent = 0")
            .fetch_one(&server.db.pool)
            .await
            .unwrap();
    assert_eq!((issued, server.count("win_backs").await), (1, 1), "no orphan code");
}

/// Issue 16 (9): a 500-item order counts co-occurrence for a bounded number
/// of its items in a few statements, so it neither holds SQLite's write lock
/// past another order's busy timeout nor writes ~250,000 pair rows; a full
/// rebuild applies the same bound.
async fn an_order_of_500_items_counts_bounded_pairs_and_lets_other_orders_through(store: Store) {
    let server = Arc::new(server(store).await);
    let skus: Vec<String> = (0..500).map(|i| format!("sku-{i:03}")).collect();
    let big = {
        let server = server.clone();
        tokio::spawn(async move {
            let skus: Vec<&str> = skus.iter().map(String::as_str).collect();
            let started = Instant::now();
            basket(&server, "big", "anna", &skus).await;
            started.elapsed()
        })
    };
    // The small order arrives while the big one is being counted.
    tokio::time::sleep(Duration::from_millis(50)).await;
    basket(&server, "small", "bert", &["pasta", "sauce"]).await;
    let took = big.await.unwrap();
    assert!(took < Duration::from_secs(5), "the big order held the write lock for {took:?}");
    let paired = lojal_core::recommend::MAX_PAIRED_ITEMS as i64;
    assert_eq!(server.count("pair_counts").await, paired * (paired - 1) + 2);
    assert_eq!(server.count("item_counts").await, 502, "every item's own count is kept");
    let counts = |pool: sqlx::AnyPool| async move {
        let pairs: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT a, b, baskets FROM pair_counts ORDER BY a, b").fetch_all(&pool).await.unwrap();
        let items: Vec<(String, i64)> =
            sqlx::query_as("SELECT sku, baskets FROM item_counts ORDER BY sku").fetch_all(&pool).await.unwrap();
        (pairs, items)
    };
    let incremental = counts(server.db.pool.clone()).await;
    let mut tx = server.db.begin_write().await.unwrap();
    assert_eq!(lojal_server::store::recommendations::rebuild(&mut tx, "demo").await.unwrap(), 2);
    tx.commit().await.unwrap();
    assert!(counts(server.db.pool.clone()).await == incremental, "a rebuild counts as the orders did");
}

/// Issue 16 (10): the picks for a member whose cart and recent orders hold
/// more distinct items than SQLite allows terms in one compound SELECT (500).
async fn a_member_with_over_500_skus_in_cart_and_orders_gets_the_widget_every_time(store: Store) {
    let server = server(store).await;
    catalogue(&server).await;
    history(&server).await;
    let bought: Vec<String> = (0..400).map(|i| format!("bought-{i:03}")).collect();
    basket(&server, "big", "anna", &bought.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let items: Vec<Value> = (0..200).map(|i| json!({"sku": format!("cart-{i:03}"), "qty": 1, "price": 100})).collect();
    let reply = server.shopper(Method::PUT, "/v1/shops/demo/cart", Some("anna"), Some(json!({"items": items}))).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", String::from_utf8_lossy(&reply.body));
    // Every view, not only the first: a failed one cached nothing to skip
    // the query next time. None of these items was bought with anything the
    // catalogue has, so the most bought comes first.
    for _ in 0..3 {
        let picks = widget(&server, Some("anna"), "en").await["recommendations"].clone();
        assert_eq!(picks[0]["sku"], "milk", "{picks}");
    }
}
