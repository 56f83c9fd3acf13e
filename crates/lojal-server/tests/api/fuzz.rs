//! Generated requests against every endpoint, on each backend: generated
//! bodies on the JSON endpoints, and generated path segments (NUL, invalid
//! UTF-8, encoded slashes, right-to-left marks, very long ones), query
//! strings and methods on every route, shopper and merchant. Every answer
//! is a 2xx or a 4xx in the contract's shape, never a 5xx, and a refused
//! request writes nothing. `PROPTEST_CASES=5000` for a long run.

use crate::on_each_backend;
use crate::support::{server, Store, TestServer, SECRET};
use axum::body::Body;
use axum::http::{header, Method, Request, Uri};
use lojal_core::identity::sign;
use lojal_server::clock;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Value};

on_each_backend!(
    generated_bodies_get_a_2xx_or_a_clean_4xx_and_refusals_write_nothing,
    generated_paths_queries_and_methods_get_a_2xx_or_a_clean_4xx_on_every_route,
);

/// Every route of the router, with `{}` for each path parameter after the
/// shop, and whether the shop secret (rather than a shopper) calls it.
const ROUTES: [(&str, &str, bool); 19] = [
    ("GET", "/v1/shops/{shop}/widget", false),
    ("POST", "/v1/shops/{shop}/redemptions", false),
    ("PUT", "/v1/shops/{shop}/cart", false),
    ("PUT", "/v1/shops/{shop}/birthday", false),
    ("POST", "/v1/shops/{shop}/referrals/{}/visits", false),
    ("POST", "/v1/shops/{shop}/nudges/{}/dismiss", false),
    ("POST", "/v1/shops/{shop}/feedback", false),
    ("POST", "/v1/shops/{shop}/donations", false),
    ("POST", "/v1/shops/{shop}/actions/{}/claim", false),
    ("PUT", "/v1/shops/{shop}/program", true),
    ("PUT", "/v1/shops/{shop}/products", true),
    ("POST", "/v1/shops/{shop}/orders", true),
    ("POST", "/v1/shops/{shop}/orders/{}/refund", true),
    ("GET", "/v1/shops/{shop}/customers/{}", true),
    ("POST", "/v1/shops/{shop}/customers/{}/adjustments", true),
    ("POST", "/v1/shops/{shop}/customers/{}/actions", true),
    ("POST", "/v1/shops/{shop}/customers/{}/credit/spend", true),
    ("GET", "/v1/shops/{shop}/metrics", true),
    // Anything else falls to the widget's files.
    ("GET", "/{}", false),
];

/// A string, sometimes with what databases and parsers trip on.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{0,20}",
        1 => "[\\x00-\\x1f\\u{202e}\\u{feff}a-z🎁]{0,8}",
        1 => Just("a\u{0}b".to_owned()),
    ]
}

/// The fields the endpoints' bodies have, so that generated bodies get near.
const KEYS: &[&str] = &[
    "id",
    "customer",
    "total",
    "currency",
    "items",
    "sku",
    "qty",
    "price",
    "reward_id",
    "amount",
    "month",
    "day",
    "order_id",
    "score",
    "comment",
    "gifts",
    "points",
    "note",
    "action",
    "name",
    "category",
    "url",
    "image",
    "earn",
    "points_per_unit",
    "tiers",
    "rewards",
    "threshold",
    "cost",
    "kind",
    "title",
];

/// Arbitrary JSON, biased towards the shapes the endpoints expect.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (0i64..2_000).prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        text().prop_map(Value::String),
        Just(json!("cust-42")),
        Just(json!("seed")),
        Just(json!("r10")),
        Just(json!("SEK")),
    ];
    let key = prop_oneof![prop::sample::select(KEYS).prop_map(str::to_owned), "[a-z_]{1,8}", text(),];
    leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Percent-encodes every byte but the unreserved ones.
fn encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A path segment as it goes into the URI (already encoded).
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        // What the seeded shop knows, so that some requests get through.
        3 => prop::sample::select(vec!["cust-42", "seed", "r10", "abandoned_cart", "follow", "demo", "other"])
            .prop_map(str::to_owned),
        // NUL, invalid UTF-8, encoded slashes and dots, stray `%`, RTL, emoji.
        2 => prop::sample::select(vec![
            "%00", "a%00b", "%00%00", "%FF", "%C3%28", "%ED%A0%80", "%2F", "..", "%2e%2e", "%", "%zz", "%25",
            "%2500", "%20", "+", "%E2%80%AE", "%F0%9F%8E%81", "%EF%BB%BF", "",
        ])
        .prop_map(str::to_owned),
        2 => "\\PC{0,40}".prop_map(|s| encode(s.as_bytes())),
        2 => proptest::collection::vec(any::<u8>(), 0..16).prop_map(|b| encode(&b)),
        1 => (1usize..4_000).prop_map(|n| "x".repeat(n)),
    ]
}

fn query() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        3 => Just(None),
        2 => prop::sample::select(vec![
            "period_days=30", "period_days=1&period_days=2", "period_days=abc", "period_days=%00",
            "period_days=99999999999999999999", "locale=sv", "locale=sv&locale=da", "locale=%00", "locale=%FF",
            "%FF=1", "a=%00", "&&&", "=", "locale", "period_days[]=1",
        ])
        .prop_map(|q| Some(q.to_owned())),
        1 => ("[a-z_]{1,12}", "\\PC{0,20}").prop_map(|(k, v)| Some(format!("{k}={}", encode(v.as_bytes())))),
    ]
}

fn method() -> impl Strategy<Value = Option<Method>> {
    prop_oneof![
        4 => Just(None),
        1 => prop::sample::select(vec![Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::PATCH])
            .prop_map(Some),
    ]
}

/// What a refused request must not have changed.
async fn written(server: &TestServer) -> Vec<i64> {
    let tables = [
        "orders",
        "refunds",
        "ledger",
        "redemptions",
        "customers",
        "carts",
        "referral_visits",
        "credit_ledger",
        "products",
        "feedback",
        "donations",
    ];
    let mut counts = Vec::new();
    for table in tables {
        counts.push(server.count(table).await);
    }
    counts
}

/// Sends one request and checks the invariants on its answer.
async fn check(
    server: &TestServer,
    method: Method,
    uri: &str,
    merchant: bool,
    signed_in: bool,
    body: Option<String>,
) -> Result<(), TestCaseError> {
    let Ok(uri) = uri.parse::<Uri>() else {
        // Not a URI a client could send; nothing to test.
        return Ok(());
    };
    let before = written(server).await;
    let mut request = Request::builder().method(method).uri(uri.clone());
    if merchant {
        request = request.header(header::AUTHORIZATION, format!("Bearer {SECRET}"));
    } else if signed_in {
        let ts = clock::now();
        request = request
            .header("x-lojal-customer", "cust-42")
            .header("x-lojal-ts", ts.to_string())
            .header("x-lojal-sig", sign(SECRET, "demo", "cust-42", ts));
    }
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let reply = server.send(request.body(body.clone().map_or_else(Body::empty, Body::from)).unwrap()).await;
    let shown = || {
        format!("{uri} {}: {} {}", body.as_deref().unwrap_or(""), reply.status, String::from_utf8_lossy(&reply.body))
    };
    prop_assert!(!reply.status.is_server_error(), "{}", shown());
    prop_assert!(reply.status.is_success() || reply.status.is_client_error(), "{}", shown());
    if reply.status.is_client_error() {
        let json = reply.headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes() == b"application/json");
        prop_assert!(json, "not JSON: {}", shown());
        let error: Value = serde_json::from_slice(&reply.body).unwrap_or_default();
        prop_assert!(error["error"]["code"].is_string() && error["error"]["message"].is_string(), "{}", shown());
        prop_assert_eq!(before, written(server).await, "a refused request wrote something: {}", shown());
    }
    Ok(())
}

fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
    TestRunner::new(Config { cases, ..Config::default() })
}

/// Runs a future from a generated case, inside the test's own runtime.
fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(future))
}

async fn seeded(store: Store) -> TestServer {
    let server = server(store).await;
    server.order("seed", "cust-42", 100_000).await;
    server
}

async fn generated_bodies_get_a_2xx_or_a_clean_4xx_and_refusals_write_nothing(store: Store) {
    let server = seeded(store).await;
    let endpoints: Vec<_> = ROUTES.iter().filter(|(method, _, _)| *method != "GET").collect();
    let cases = (json_value(), 0..endpoints.len(), any::<bool>());
    let result = runner().run(&cases, |(body, which, signed_in)| {
        let (method, path, merchant) = *endpoints[which];
        let uri = path.replace("{shop}", "demo").replace("{}", "seed");
        block_on(check(&server, method.parse().unwrap(), &uri, merchant, signed_in, Some(body.to_string())))
    });
    result.unwrap();
    server.assert_balances_match_ledger().await;
}

async fn generated_paths_queries_and_methods_get_a_2xx_or_a_clean_4xx_on_every_route(store: Store) {
    let server = seeded(store).await;
    let shop = prop_oneof![4 => Just("demo".to_owned()), 1 => segment()];
    let cases =
        (0..ROUTES.len(), shop, segment(), query(), method(), proptest::option::of(json_value()), any::<bool>());
    let result = runner().run(&cases, |(which, shop, segment, query, method, body, signed_in)| {
        let (route_method, path, merchant) = ROUTES[which];
        let mut uri = path.replace("{shop}", &shop).replace("{}", &segment);
        if let Some(query) = query {
            uri = format!("{uri}?{query}");
        }
        let method = method.unwrap_or_else(|| route_method.parse().unwrap());
        block_on(check(&server, method, &uri, merchant, signed_in, body.map(|b| b.to_string())))
    });
    result.unwrap();
    server.assert_balances_match_ledger().await;
}
