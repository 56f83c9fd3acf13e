//! The server's HTTP surface, driven through the real router with
//! `tower::ServiceExt::oneshot`, on a fresh SQLite file per test.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use lojal_core::identity::{sign, CustomerId};
use lojal_core::program::Program;
use lojal_server::store::orders::{self, NewOrder};
use lojal_server::store::shops::{self, Shop};
use lojal_server::{app, clock, db, AppState};
use serde_json::{json, Value};
use tower::ServiceExt;

const SECRET: &str = "s3cret";
const ORIGIN: &str = "https://shop.example";

struct TestServer {
    router: Router,
    _dir: tempfile::TempDir,
}

/// A server with shop `demo` (the contract's example program, four tiers)
/// and member `cust-42` holding 2140 points from one order.
async fn server() -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lojal_wasm_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.path().join("widget.js"), b"/* loader */").unwrap();
    let db = db::open(&format!("sqlite://{}", dir.path().join("t.db").display()))
        .await
        .unwrap();
    let program: Program = serde_json::from_value(json!({
        "earn": {"points_per_unit": 1},
        "tiers": [{"id": "bronze", "name": "Brons", "threshold": 0},
                  {"id": "silver", "name": "Silver", "threshold": 500, "multiplier": 1.25},
                  {"id": "gold", "name": "Guld", "threshold": 1500, "multiplier": 1.5},
                  {"id": "platinum", "name": "Platina", "threshold": 3000, "multiplier": 2}],
        "rewards": [{"id": "r100", "title": "100 kr rabatt", "cost": 500, "kind": "fixed_discount", "value": 10000},
                    {"id": "r300", "title": "300 kr rabatt", "cost": 3000, "kind": "fixed_discount", "value": 30000}]
    }))
    .unwrap();
    for (id, secret) in [("demo", SECRET), ("other", "other-secret")] {
        let shop = Shop {
            id: id.into(),
            name: "Demo".into(),
            secret: secret.into(),
            currency: "SEK".into(),
            locale: "sv".into(),
            program: program.clone(),
            origins: vec![ORIGIN.into()],
        };
        shops::add(&db, &shop).await.unwrap();
    }
    let order = NewOrder {
        id: "o-1".into(),
        customer: CustomerId::parse("cust-42").unwrap(),
        total: 214_000,
        currency: "SEK".into(),
        items: vec![],
        created_at: clock::now(),
    };
    let mut conn = db.pool.acquire().await.unwrap();
    orders::ingest(&mut conn, "demo", &program, &order)
        .await
        .unwrap();
    drop(conn);
    let router = app(AppState {
        db,
        assets: dir.path().to_path_buf(),
    });
    TestServer { router, _dir: dir }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }
}

async fn send(server: &TestServer, request: Request<Body>) -> Reply {
    let response = server.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

fn get(uri: &str) -> axum::http::request::Builder {
    Request::builder().method(Method::GET).uri(uri)
}

fn signed(
    builder: axum::http::request::Builder,
    customer: &str,
    ts: i64,
    sig: &str,
) -> Request<Body> {
    builder
        .header("x-lojal-customer", customer)
        .header("x-lojal-ts", ts.to_string())
        .header("x-lojal-sig", sig)
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn a_guest_gets_the_program_and_no_customer() {
    let server = server().await;
    let reply = send(
        &server,
        get("/v1/shops/demo/widget").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["customer"], Value::Null);
    assert_eq!(
        body["shop"],
        json!({"id": "demo", "name": "Demo", "currency": "SEK", "locale": "sv"})
    );
    assert_eq!(body["tiers"].as_array().unwrap().len(), 4);
    assert_eq!(body["rewards"][0]["redeemable"], false);
    assert_eq!(body["recommendations"], json!([]));
    assert_eq!(body["nudge"], Value::Null);
}

#[tokio::test]
async fn a_signed_customer_gets_their_standing_as_in_the_contract() {
    let server = server().await;
    let ts = clock::now();
    let sig = sign(SECRET, "demo", "cust-42", ts);
    let reply = send(
        &server,
        signed(get("/v1/shops/demo/widget"), "cust-42", ts, &sig),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let customer = &reply.json()["customer"];
    // 2140 kr at one point per krona in Brons (multiplier 1).
    assert_eq!(customer["id"], "cust-42");
    assert_eq!(customer["points"], 2140);
    assert_eq!(customer["lifetime_points"], 2140);
    assert_eq!(customer["tier"], json!({"id": "gold", "name": "Guld"}));
    assert_eq!(
        customer["next_tier"],
        json!({"id": "platinum", "name": "Platina", "points_needed": 860, "progress": 0.71})
    );
    let referral = &customer["referral"];
    let code = referral["code"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    assert_eq!(referral["url"], format!("{ORIGIN}/?ref={code}"));
    let rewards = &reply.json()["rewards"];
    assert_eq!(
        (
            rewards[0]["redeemable"].clone(),
            rewards[1]["redeemable"].clone()
        ),
        (json!(true), json!(false))
    );
}

#[tokio::test]
async fn a_signed_newcomer_is_enrolled_with_zero_points_and_a_stable_referral_code() {
    let server = server().await;
    let ts = clock::now();
    let sig = sign(SECRET, "demo", "new@example.se", ts);
    let first = send(
        &server,
        signed(get("/v1/shops/demo/widget"), "new@example.se", ts, &sig),
    )
    .await
    .json();
    let again = send(
        &server,
        signed(get("/v1/shops/demo/widget"), "new@example.se", ts, &sig),
    )
    .await
    .json();
    assert_eq!(first["customer"]["points"], 0);
    assert_eq!(first["customer"]["tier"]["id"], "bronze");
    assert_eq!(
        first["customer"]["referral"]["code"],
        again["customer"]["referral"]["code"]
    );
}

#[tokio::test]
async fn forged_stale_and_misdirected_signatures_get_the_guest_view() {
    let server = server().await;
    let now = clock::now();
    let cases = [
        ("forged", "cust-42", now, "0".repeat(64)),
        (
            "another customer's",
            "cust-42",
            now,
            sign(SECRET, "demo", "cust-7", now),
        ),
        (
            "another shop's",
            "cust-42",
            now,
            sign("other-secret", "other", "cust-42", now),
        ),
        (
            "stale",
            "cust-42",
            now - 86_401,
            sign(SECRET, "demo", "cust-42", now - 86_401),
        ),
        (
            "from the future",
            "cust-42",
            now + 86_401,
            sign(SECRET, "demo", "cust-42", now + 86_401),
        ),
        (
            "uppercase",
            "cust-42",
            now,
            sign(SECRET, "demo", "cust-42", now).to_uppercase(),
        ),
    ];
    for (what, customer, ts, sig) in cases {
        let reply = send(
            &server,
            signed(get("/v1/shops/demo/widget"), customer, ts, &sig),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{what}");
        assert_eq!(
            reply.json()["customer"],
            Value::Null,
            "a {what} signature must not reveal the customer"
        );
    }
    // A timestamp that is not a number, and an id outside the contract's alphabet.
    let sig = sign(SECRET, "demo", "cust-42", now);
    let bad_ts = get("/v1/shops/demo/widget")
        .header("x-lojal-customer", "cust-42")
        .header("x-lojal-ts", "soon")
        .header("x-lojal-sig", &sig)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&server, bad_ts).await.json()["customer"], Value::Null);
    let bad_id = signed(
        get("/v1/shops/demo/widget"),
        "<script>",
        now,
        &sign(SECRET, "demo", "<script>", now),
    );
    assert_eq!(send(&server, bad_id).await.json()["customer"], Value::Null);
}

#[tokio::test]
async fn an_unknown_shop_is_a_404_in_the_contract_shape() {
    let server = server().await;
    let reply = send(
        &server,
        get("/v1/shops/nope/widget").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["error"]["code"], "unknown_shop");
    assert!(reply.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("nope"));
    let unknown_path = send(
        &server,
        get("/v1/nothing-here").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(unknown_path.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown_path.json()["error"]["code"], "not_found");
}

#[tokio::test]
async fn cors_admits_only_the_shops_own_origins() {
    let server = server().await;
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/v1/shops/demo/widget")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "x-lojal-customer,x-lojal-ts,x-lojal-sig",
            )
            .body(Body::empty())
            .unwrap()
    };
    let allowed = send(&server, preflight(ORIGIN)).await;
    assert_eq!(
        allowed
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .unwrap(),
        ORIGIN
    );
    let allow_headers = allowed
        .headers
        .get(header::ACCESS_CONTROL_ALLOW_HEADERS)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(allow_headers.contains("x-lojal-sig"), "{allow_headers}");

    let refused = send(&server, preflight("https://evil.example")).await;
    assert!(refused
        .headers
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());

    // Shop `other` lists the same origin; a shop that does not list it is refused.
    let get_from = |origin: &str, shop: &str| {
        get(&format!("/v1/shops/{shop}/widget"))
            .header(header::ORIGIN, origin)
            .body(Body::empty())
            .unwrap()
    };
    let simple = send(&server, get_from(ORIGIN, "demo")).await;
    assert_eq!(
        simple
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .unwrap(),
        ORIGIN
    );
    let unlisted = send(&server, get_from("https://other.example", "demo")).await;
    assert!(unlisted
        .headers
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());
}

#[tokio::test]
async fn the_widget_files_are_served_to_any_origin_with_the_right_types() {
    let server = server().await;
    let wasm = send(
        &server,
        get("/lojal_wasm_bg.wasm")
            .header(header::ORIGIN, "https://anyone.example")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(wasm.status, StatusCode::OK);
    assert_eq!(
        wasm.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/wasm"
    );
    assert_eq!(
        wasm.headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .unwrap(),
        "*"
    );
    assert!(wasm
        .headers
        .get(header::CACHE_CONTROL)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("max-age"));

    let js = send(&server, get("/widget.js").body(Body::empty()).unwrap()).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js
        .headers
        .get(header::CONTENT_TYPE)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("javascript"));

    let missing = send(&server, get("/nope.js").body(Body::empty()).unwrap()).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["error"]["code"], "not_found");
}

#[tokio::test]
async fn the_widget_files_are_compressed_for_browsers_that_ask() {
    let server = server().await;
    let reply = send(
        &server,
        get("/v1/shops/demo/widget")
            .header(header::ACCEPT_ENCODING, "br, gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers.get(header::CONTENT_ENCODING).unwrap(), "br");
}
