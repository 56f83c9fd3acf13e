//! Orders straight from the platform: Shopify's and WooCommerce's own
//! webhook deliveries, on their documented example payloads.
//!
//! Fixtures (in `fixtures/`, as the platforms document them; Shopify's
//! repeated `*_set` money blocks kept as they are):
//! - `shopify_orders_paid.json`: the `orders/paid` sample payload,
//!   https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-orders/paid
//! - `shopify_refunds_create.json`: the `refunds/create` sample payload,
//!   https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-refunds/create
//! - `woocommerce_order_723_completed_refunded.json` and
//!   `woocommerce_order_727_guest_processing.json`: the orders of the REST
//!   API's "List all orders" example (a webhook's body is the REST order),
//!   https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-orders
//! - WooCommerce's ping (`webhook_id=N`, a form body without topic or
//!   signature): `WC_Webhook::deliver_ping`,
//!   https://github.com/woocommerce/woocommerce/blob/trunk/plugins/woocommerce/includes/class-wc-webhook.php

use crate::on_each_backend;
use crate::support::{program, server, Reply, Store, TestServer};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use lojal_core::platforms::{sign, Platform};
use lojal_server::app::set_platform_secret;
use lojal_server::clock;
use lojal_server::store::platforms;
use lojal_server::store::shops::Shop;
use serde_json::{json, Value};

const SHOPIFY_PAID: &str = include_str!("fixtures/shopify_orders_paid.json");
const SHOPIFY_REFUND: &str = include_str!("fixtures/shopify_refunds_create.json");
const WOO_723: &str = include_str!("fixtures/woocommerce_order_723_completed_refunded.json");
const WOO_727: &str = include_str!("fixtures/woocommerce_order_727_guest_processing.json");

const SHOPIFY_SECRET: &str = "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";
const WOO_SECRET: &str = "Wq]3x:9cVv~t@Lb!o2;Hn5%Fz";
/// The Shopify customer of the sample order, the member it earns for.
const JOHN: &str = "115310627314723954";

on_each_backend!(
    shopify_paid_order_earns_once_for_its_customer,
    shopify_refund_and_cancellation_reverse_points_once,
    shopify_guest_order_earns_nothing_but_counts,
    shopify_redact_erases_the_member,
    woocommerce_completed_order_earns_and_its_refunds_go_back,
    woocommerce_status_flips_earn_once,
    woocommerce_guest_order_and_ping,
    lojal_codes_on_a_platform_order_are_used_by_it,
    hostile_and_malformed_deliveries_are_refused_without_a_write,
    concurrent_redeliveries_earn_once,
);

/// A shop selling in USD (the samples' currency), without expiry (the
/// samples are from 2017 and 2021), with both platform secrets.
async fn usd_shop(store: Store) -> TestServer {
    let server = server(store).await;
    let mut program = serde_json::to_value(program()).unwrap();
    program.as_object_mut().unwrap().remove("expiry");
    let shop = Shop {
        id: "usd".into(),
        name: "USD".into(),
        secret: "usd-secret".into(),
        currency: "USD".into(),
        locale: "en".into(),
        program: serde_json::from_value(program).unwrap(),
        origins: vec![],
    };
    lojal_server::app::add_shop::add(&server.db, &shop, clock::now()).await.unwrap();
    set_platform_secret::set(&server.db, "usd", Platform::Shopify, SHOPIFY_SECRET, clock::now()).await.unwrap();
    set_platform_secret::set(&server.db, "usd", Platform::WooCommerce, WOO_SECRET, clock::now()).await.unwrap();
    server
}

/// A delivery as the platform sends it: the body signed with `secret`.
async fn deliver(server: &TestServer, shop: &str, platform: Platform, topic: &str, body: &str, secret: &str) -> Reply {
    let signature = sign(secret, body.as_bytes());
    let (topic_header, signature_header) = headers(platform);
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("/v1/shops/{shop}/platforms/{}", platform.as_str()))
        .header(header::CONTENT_TYPE, "application/json")
        .header(topic_header, topic)
        .header(signature_header, signature)
        .header("x-shopify-webhook-id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
        .body(Body::from(body.to_owned()))
        .unwrap();
    server.send(request).await
}

fn headers(platform: Platform) -> (&'static str, &'static str) {
    match platform {
        Platform::Shopify => ("X-Shopify-Topic", "X-Shopify-Hmac-Sha256"),
        Platform::WooCommerce => ("X-WC-Webhook-Topic", "X-WC-Webhook-Signature"),
    }
}

async fn shopify(server: &TestServer, topic: &str, body: &str) -> Reply {
    deliver(server, "usd", Platform::Shopify, topic, body, SHOPIFY_SECRET).await
}

async fn woo(server: &TestServer, topic: &str, body: &str) -> Reply {
    deliver(server, "usd", Platform::WooCommerce, topic, body, WOO_SECRET).await
}

async fn member(server: &TestServer, customer: &str) -> Value {
    let request = Request::get(format!("/v1/shops/usd/customers/{customer}"))
        .header(header::AUTHORIZATION, "Bearer usd-secret")
        .body(Body::empty())
        .unwrap();
    let reply = server.send(request).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

async fn metrics(server: &TestServer) -> Value {
    let request = Request::get("/v1/shops/usd/metrics")
        .header(header::AUTHORIZATION, "Bearer usd-secret")
        .body(Body::empty())
        .unwrap();
    server.send(request).await.json()
}

fn with(body: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut value: Value = serde_json::from_str(body).unwrap();
    change(&mut value);
    value.to_string()
}

fn ok(reply: &Reply) -> Value {
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

async fn shopify_paid_order_earns_once_for_its_customer(store: Store) {
    let server = usd_shop(store).await;
    let first = ok(&shopify(&server, "orders/paid", SHOPIFY_PAID).await);
    // 404.95 USD: 40495 cents, 404 points at 1 a dollar.
    assert_eq!(first, json!({"result": "earned", "order_id": "820982911946154508", "points_awarded": 404}));
    // Shopify delivers at least once: the same delivery again earns nothing more.
    let again = ok(&shopify(&server, "orders/paid", SHOPIFY_PAID).await);
    assert_eq!(again["result"], "earned");
    assert_eq!(again["points_awarded"], 404);
    let john = member(&server, JOHN).await;
    assert_eq!(john["points"], 404);
    assert_eq!(server.count("ledger").await, 1);
    assert_eq!(server.count("orders").await, 1);
    let items: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT sku, qty, price FROM order_items WHERE shop_id = 'usd' ORDER BY sku")
            .fetch_all(&server.db.pool)
            .await
            .unwrap();
    assert_eq!(
        items,
        vec![
            ("CASE-LEATHER-PREM".to_owned(), 1, 2499),
            ("LENS-PROTECT-2YR".to_owned(), 1, 1999),
            ("SKU2006-001".to_owned(), 1, 8999),
            ("SKU2006-020".to_owned(), 1, 15999),
            ("SKU2006-035".to_owned(), 1, 11999),
        ]
    );
    server.assert_balances_match_ledger().await;
}

async fn shopify_refund_and_cancellation_reverse_points_once(store: Store) {
    let server = usd_shop(store).await;
    ok(&shopify(&server, "orders/paid", SHOPIFY_PAID).await);
    // 85.00 of 404.95 given back (two transactions of 75.00 and 10.00).
    let refund = ok(&shopify(&server, "refunds/create", SHOPIFY_REFUND).await);
    assert_eq!(refund["result"], "refunded");
    let after_refund = member(&server, JOHN).await["points"].as_i64().unwrap();
    assert_eq!(after_refund, 404 - 85, "the kept 319.95 earns 319: 85 taken back, as any refund");
    ok(&shopify(&server, "refunds/create", SHOPIFY_REFUND).await);
    assert_eq!(member(&server, JOHN).await["points"], after_refund, "the same refund id applies once");
    // The cancellation gives back the rest, once.
    let cancelled = ok(&shopify(&server, "orders/cancelled", SHOPIFY_PAID).await);
    assert_eq!(cancelled["result"], "cancelled");
    assert_eq!(member(&server, JOHN).await["points"], 0);
    let rows = server.count("ledger").await;
    let again = ok(&shopify(&server, "orders/cancelled", SHOPIFY_PAID).await);
    assert_eq!(again["result"], "cancelled", "a redelivery answers as the first did");
    assert_eq!(server.count("ledger").await, rows, "and gives nothing back twice");
    // A late redelivery of the payment does not earn again.
    ok(&shopify(&server, "orders/paid", SHOPIFY_PAID).await);
    assert_eq!(member(&server, JOHN).await["points"], 0);
    assert_eq!(metrics(&server).await["revenue"], 0);
    server.assert_balances_match_ledger().await;
}

async fn shopify_guest_order_earns_nothing_but_counts(store: Store) {
    let server = usd_shop(store).await;
    let guest = with(SHOPIFY_PAID, |v| v["customer"] = Value::Null);
    let reply = ok(&shopify(&server, "orders/paid", &guest).await);
    assert_eq!(reply["result"], "guest_order");
    assert_eq!(reply["points_awarded"], 0);
    ok(&shopify(&server, "orders/paid", &guest).await);
    assert_eq!(server.count("customers").await, 0);
    assert_eq!(server.count("ledger").await, 0);
    let figures = metrics(&server).await;
    assert_eq!((figures["orders"].clone(), figures["revenue"].clone()), (json!(1), json!(40_495)));
    assert_eq!(figures["customers_with_orders"], 0);
    ok(&shopify(&server, "refunds/create", SHOPIFY_REFUND).await);
    ok(&shopify(&server, "refunds/create", SHOPIFY_REFUND).await);
    assert_eq!(metrics(&server).await["revenue"], 40_495 - 8_500);
    ok(&shopify(&server, "orders/cancelled", &guest).await);
    assert_eq!(metrics(&server).await["revenue"], 0);
}

async fn shopify_redact_erases_the_member(store: Store) {
    let server = usd_shop(store).await;
    ok(&shopify(&server, "orders/paid", SHOPIFY_PAID).await);
    // Shopify's sample bodies of the two privacy webhooks, for this customer.
    let asked = json!({"shop_id": 954889, "shop_domain": "usd.myshopify.com", "orders_requested": [299938],
                       "customer": {"id": 115310627314723954_u64, "email": "john@example.com", "phone": "555-625-1199"},
                       "data_request": {"id": 9999}});
    let reply = ok(&shopify(&server, "customers/data_request", &asked.to_string()).await);
    assert_eq!(reply["result"], "data_request_noted");
    let redact = json!({"shop_id": 954889, "shop_domain": "usd.myshopify.com",
                        "customer": {"id": 115310627314723954_u64, "email": "john@example.com", "phone": "555-625-1199"},
                        "orders_to_redact": [299938, 280263, 220458]});
    assert_eq!(ok(&shopify(&server, "customers/redact", &redact.to_string()).await)["result"], "erased");
    assert_eq!(ok(&shopify(&server, "customers/redact", &redact.to_string()).await)["result"], "erased");
    let request = Request::get(format!("/v1/shops/usd/customers/{JOHN}"))
        .header(header::AUTHORIZATION, "Bearer usd-secret")
        .body(Body::empty())
        .unwrap();
    assert_eq!(server.send(request).await.status, StatusCode::NOT_FOUND);
}

async fn woocommerce_completed_order_earns_and_its_refunds_go_back(store: Store) {
    let server = usd_shop(store).await;
    let reply = ok(&woo(&server, "order.updated", WOO_723).await);
    assert_eq!(reply, json!({"result": "earned", "order_id": "723", "points_awarded": 39}));
    // 39.00 earned 39; its refunds of 10.00 and 9.00 took back 19.
    assert_eq!(member(&server, "26").await["points"], 20);
    ok(&woo(&server, "order.updated", WOO_723).await);
    assert_eq!(member(&server, "26").await["points"], 20, "each refund once");
    assert_eq!(server.count("refunds").await, 2);
    let items: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT sku, qty, price FROM order_items WHERE shop_id = 'usd' ORDER BY price")
            .fetch_all(&server.db.pool)
            .await
            .unwrap();
    // No SKUs in the sample: the product ids stand in.
    assert_eq!(items, vec![("87".to_owned(), 1, 900), ("34".to_owned(), 1, 2000)]);
    // Deleted: the rest goes back.
    ok(&woo(&server, "order.deleted", r#"{"id":723}"#).await);
    assert_eq!(member(&server, "26").await["points"], 0);
    server.assert_balances_match_ledger().await;
}

async fn woocommerce_status_flips_earn_once(store: Store) {
    let server = usd_shop(store).await;
    let status = |s: &'static str| {
        with(WOO_723, move |v| {
            v["status"] = json!(s);
            v["refunds"] = json!([]);
        })
    };
    assert_eq!(ok(&woo(&server, "order.created", &status("pending")).await)["result"], "ignored");
    assert_eq!(server.count("orders").await, 0);
    assert_eq!(ok(&woo(&server, "order.updated", &status("processing")).await)["result"], "earned");
    ok(&woo(&server, "order.updated", &status("on-hold")).await);
    ok(&woo(&server, "order.updated", &status("completed")).await);
    assert_eq!(member(&server, "26").await["points"], 39);
    // Edited on the platform after it earned: answered, not refused, and it earns once.
    let edited = with(&status("completed"), |v| v["total"] = json!("45.00"));
    let reply = ok(&woo(&server, "order.updated", &edited).await);
    assert_eq!(reply["result"], "ignored");
    assert_eq!(member(&server, "26").await["points"], 39);
    ok(&woo(&server, "order.updated", &status("refunded")).await);
    assert_eq!(member(&server, "26").await["points"], 0);
    ok(&woo(&server, "order.updated", &status("processing")).await);
    assert_eq!(member(&server, "26").await["points"], 0, "paid again after a refund: it earned once");
    assert_eq!(server.count("ledger").await, 2);
    server.assert_balances_match_ledger().await;
}

async fn woocommerce_guest_order_and_ping(store: Store) {
    let server = usd_shop(store).await;
    // The ping on creating the webhook: a form body, no topic, no signature.
    let ping = Request::post("/v1/shops/usd/platforms/woocommerce")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::USER_AGENT, "WooCommerce/8.5.2 Hookshot (WordPress/6.4.3)")
        .body(Body::from("webhook_id=17"))
        .unwrap();
    assert_eq!(ok(&server.send(ping).await), json!({"result": "ping"}));
    let reply = ok(&woo(&server, "order.created", WOO_727).await);
    assert_eq!(reply["result"], "guest_order");
    let figures = metrics(&server).await;
    assert_eq!((figures["orders"].clone(), figures["revenue"].clone()), (json!(1), json!(2935)));
    assert_eq!(server.count("customers").await, 0);
    // The secret is kept as given and never shown by Debug (log lines).
    let mut conn = server.db.pool.acquire().await.unwrap();
    let stored = platforms::secret(&mut conn, "usd", Platform::WooCommerce).await.unwrap().unwrap();
    assert_eq!(stored.expose(), WOO_SECRET);
    assert!(!format!("{stored:?}").contains(WOO_SECRET));
}

async fn lojal_codes_on_a_platform_order_are_used_by_it(store: Store) {
    let server = server(store).await;
    set_platform_secret::set(&server.db, "demo", Platform::WooCommerce, WOO_SECRET, clock::now()).await.unwrap();
    // Member 26 earns 1000 points and takes a 10 kr code for 100.
    assert_eq!(server.order("o-1", "26", 100_000).await.status, StatusCode::CREATED);
    let code = server.redeem("26", "r10").await.json()["code"].as_str().unwrap().to_owned();
    let order = with(WOO_723, |v| {
        v["currency"] = json!("SEK");
        v["refunds"] = json!([]);
        v["coupon_lines"] =
            json!([{"id": 1, "code": code.to_lowercase(), "discount": "10.00"}, {"id": 2, "code": "summer"}]);
    });
    ok(&deliver(&server, "demo", Platform::WooCommerce, "order.created", &order, WOO_SECRET).await);
    let stored = server.merchant(Method::GET, &format!("/v1/shops/demo/codes/{code}"), None).await.json();
    assert_eq!(stored["status"], "used", "{stored}");
    // Another order with the used code still earns; the code stays the first's.
    let other = with(&order, |v| v["id"] = json!(724));
    assert_eq!(
        ok(&deliver(&server, "demo", Platform::WooCommerce, "order.created", &other, WOO_SECRET).await)["result"],
        "earned"
    );
    assert_eq!(server.count("orders").await, 3);
    // A guest checkout (the member not signed in) uses a code all the same.
    let guest_code = server.redeem("26", "r10").await.json()["code"].as_str().unwrap().to_owned();
    let guest = with(&order, |v| {
        v["id"] = json!(725);
        v["customer_id"] = json!(0);
        v["coupon_lines"] = json!([{"id": 3, "code": guest_code, "discount": "10.00"}]);
    });
    let reply = ok(&deliver(&server, "demo", Platform::WooCommerce, "order.created", &guest, WOO_SECRET).await);
    assert_eq!(reply["result"], "guest_order", "{reply}");
    let stored = server.merchant(Method::GET, &format!("/v1/shops/demo/codes/{guest_code}"), None).await.json();
    assert_eq!((stored["status"].clone(), stored["order_id"].clone()), (json!("used"), json!("725")), "{stored}");
}

async fn hostile_and_malformed_deliveries_are_refused_without_a_write(store: Store) {
    let server = usd_shop(store).await;
    let tables = ["orders", "ledger", "customers", "guest_orders", "refunds", "order_items"];
    let before: Vec<i64> = futures_util::future::join_all(tables.iter().map(|t| server.count(t))).await;
    let paid = SHOPIFY_PAID;
    let cases: Vec<(Reply, StatusCode, &str)> = vec![
        // Signed with another secret, or another shop's.
        (
            deliver(&server, "usd", Platform::Shopify, "orders/paid", paid, "guess").await,
            StatusCode::UNAUTHORIZED,
            "bad_signature",
        ),
        (
            deliver(&server, "usd", Platform::Shopify, "orders/paid", paid, WOO_SECRET).await,
            StatusCode::UNAUTHORIZED,
            "bad_signature",
        ),
        (
            deliver(&server, "demo", Platform::Shopify, "orders/paid", paid, SHOPIFY_SECRET).await,
            StatusCode::UNAUTHORIZED,
            "bad_signature",
        ),
        (
            deliver(&server, "nope", Platform::Shopify, "orders/paid", paid, SHOPIFY_SECRET).await,
            StatusCode::NOT_FOUND,
            "unknown_shop",
        ),
        // Well signed but not what it should be.
        (shopify(&server, "orders/create", paid).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request"),
        (shopify(&server, "orders/paid", "{\"id\": \"x\"}").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request"),
        (shopify(&server, "orders/paid", "not json").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request"),
        (
            shopify(&server, "orders/paid", &with(paid, |v| v["total_price"] = json!("1e308"))).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            shopify(&server, "orders/paid", &with(paid, |v| v["total_price"] = json!("99999999999999999999999.00")))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            shopify(&server, "orders/paid", &with(paid, |v| v["total_price"] = json!("20000000000.00"))).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            shopify(&server, "orders/paid", &with(paid, |v| v["total_price"] = json!(404.95))).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            shopify(&server, "orders/paid", &with(paid, |v| v["currency"] = json!("SEK"))).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            shopify(&server, "orders/paid", &with(paid, |v| v["created_at"] = json!("2999-01-01T00:00:00Z"))).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            shopify(&server, "orders/paid", &with(paid, |v| v["created_at"] = json!("yesterday"))).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            shopify(&server, "orders/paid", &with(paid, |v| v["line_items"][0]["quantity"] = json!(1_000_000))).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (woo(&server, "order.restored", WOO_723).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request"),
        (woo(&server, "order.created", "webhook_id=17").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request"),
        (
            woo(&server, "order.created", &with(WOO_723, |v| v["customer_id"] = json!(-1))).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
    ];
    for (i, (reply, status, code)) in cases.iter().enumerate() {
        assert_eq!(reply.status, *status, "case {i}: {}", String::from_utf8_lossy(&reply.body));
        reply.assert_error(*status, code);
    }
    // Missing headers: no signature, a signature but no topic.
    for (platform, drop) in
        [(Platform::Shopify, 1), (Platform::Shopify, 0), (Platform::WooCommerce, 1), (Platform::WooCommerce, 0)]
    {
        let (topic_header, signature_header) = headers(platform);
        let topic = if platform == Platform::Shopify { "orders/paid" } else { "order.created" };
        let secret = if platform == Platform::Shopify { SHOPIFY_SECRET } else { WOO_SECRET };
        let mut request = Request::post(format!("/v1/shops/usd/platforms/{}", platform.as_str()));
        if drop != 0 {
            request = request.header(topic_header, topic);
        } else {
            request = request.header(signature_header, sign(secret, paid.as_bytes()));
        }
        let reply = server.send(request.body(Body::from(paid)).unwrap()).await;
        let expected = if drop != 0 {
            (StatusCode::UNAUTHORIZED, "bad_signature")
        } else {
            (StatusCode::BAD_REQUEST, "bad_request")
        };
        reply.assert_error(expected.0, expected.1);
    }
    // A body bigger than any order is refused before it is read.
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    assert!(shopify(&server, "orders/paid", &huge).await.status.is_client_error());
    let after: Vec<i64> = futures_util::future::join_all(tables.iter().map(|t| server.count(t))).await;
    assert_eq!(before, after, "nothing was written");
}

async fn concurrent_redeliveries_earn_once(store: Store) {
    let server = usd_shop(store).await;
    let replies = futures_util::future::join_all((0..6).map(|_| shopify(&server, "orders/paid", SHOPIFY_PAID))).await;
    for reply in &replies {
        assert_eq!(ok(reply)["points_awarded"], 404);
    }
    assert_eq!(member(&server, JOHN).await["points"], 404);
    assert_eq!(server.count("ledger").await, 1);
    server.assert_balances_match_ledger().await;
}

#[tokio::test]
async fn answers_fit_the_documented_schema() {
    let server = usd_shop(Store::Sqlite).await;
    let doc = server.send(Request::get("/openapi.json").body(Body::empty()).unwrap()).await.json();
    let schema = json!({"$ref": "#/components/schemas/PlatformDeliveryReply", "components": doc["components"]});
    let validator = jsonschema::validator_for(&schema).unwrap();
    let ping = Request::post("/v1/shops/usd/platforms/woocommerce").body(Body::from("webhook_id=1")).unwrap();
    let replies = [
        shopify(&server, "orders/paid", SHOPIFY_PAID).await,
        shopify(&server, "orders/paid", SHOPIFY_PAID).await,
        shopify(&server, "refunds/create", SHOPIFY_REFUND).await,
        woo(&server, "order.created", WOO_727).await,
        woo(&server, "order.created", &with(WOO_727, |v| v["status"] = json!("pending"))).await,
        server.send(ping).await,
    ];
    for reply in &replies {
        let body = ok(reply);
        assert!(validator.is_valid(&body), "{body}");
    }
    for path in ["/v1/shops/{shop}/platforms/shopify", "/v1/shops/{shop}/platforms/woocommerce"] {
        assert!(doc["paths"][path]["post"].is_object(), "{path} is documented");
    }
}
