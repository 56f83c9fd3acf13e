//! A test server per test, on either backend, and short ways to call it.

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use lojal_core::identity::sign;
use lojal_core::program::Program;
use lojal_server::db::{self, Db};
use lojal_server::http::limits::Limits;
use lojal_server::store::shops::Shop;
use lojal_server::telemetry::MetricsToken;
use lojal_server::{app, clock, AppState};
use serde_json::{json, Value};
use tower::ServiceExt;

pub const SECRET: &str = "s3cret";
pub const ORIGIN: &str = "https://shop.example";
/// `/metrics` on the API's address takes it (`--metrics-token`).
pub const METRICS_TOKEN: &str = "5e8d1c3a9f07b2e64d1a8c5f3b9e07d26a4c8f1e3b5d7092c6e4a8f1d3b5c7e9";

/// Runs an `async fn(Store)` test once per backend:
/// `on_each_backend!(name);` makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_each_backend {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name($crate::support::Store::Sqlite).await
            }

            // Ignored unless asked for, so that `cargo test` without a
            // PostgreSQL server reports these as not run rather than passed.
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            #[ignore = "PostgreSQL: set LOJAL_TEST_POSTGRES and pass --include-ignored (cargo xtask test does both)"]
            async fn postgres() {
                let store = $crate::support::Store::postgres().expect("LOJAL_TEST_POSTGRES names no server");
                super::$name(store).await
            }
        }
    )*};
}

#[derive(Debug, Clone)]
pub enum Store {
    Sqlite,
    /// The admin URL of a PostgreSQL server; each test makes its own database.
    Postgres(String),
}

impl Store {
    pub fn postgres() -> Option<Store> {
        std::env::var("LOJAL_TEST_POSTGRES").ok().filter(|u| !u.is_empty()).map(Store::Postgres)
    }
}

pub fn program() -> Program {
    serde_json::from_value(json!({
        "earn": {"points_per_unit": 1},
        "tiers": [{"id": "bronze", "name": "Brons", "threshold": 0},
                  {"id": "silver", "name": "Silver", "threshold": 500, "multiplier": 1.25},
                  {"id": "gold", "name": "Guld", "threshold": 1500, "multiplier": 1.5},
                  {"id": "platinum", "name": "Platina", "threshold": 3000, "multiplier": 2}],
        "rewards": [{"id": "r100", "title": "100 kr rabatt", "cost": 500, "kind": "fixed_discount", "value": 10000},
                    {"id": "r10", "title": "10 kr rabatt", "cost": 100, "kind": "fixed_discount", "value": 1000},
                    {"id": "ship", "title": "Fri frakt", "cost": 300, "kind": "free_shipping"}],
        "referral": {"referrer_points": 200, "referee_reward_id": "ship"},
        "expiry": {"after_months": 12}
    }))
    .unwrap()
}

pub struct TestServer {
    pub router: Router,
    pub db: Db,
    /// The database's address, for a second `Db` on it (another process).
    pub url: String,
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    /// Asserts the status and that the body is the contract's error shape
    /// with `code`; returns the message.
    pub fn assert_error(&self, status: StatusCode, code: &str) -> String {
        assert_eq!(self.status, status, "{}", String::from_utf8_lossy(&self.body));
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "{body}");
        let message = body["error"]["message"].as_str().expect("an error message").to_owned();
        assert!(!message.is_empty());
        message
    }
}

/// A server with shops `demo` (secret `s3cret`, the program above) and
/// `other`, both allowing `https://shop.example`.
pub async fn server(store: Store) -> TestServer {
    // Limits far above what any test sends, except the rate limit tests'.
    server_with_limits(store, Limits::new((100_000, 100_000), (100_000, 100_000))).await
}

pub async fn server_with_limits(store: Store, limits: std::sync::Arc<Limits>) -> TestServer {
    // The server logs the cause of a 500 here; shown with a failing test.
    let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("lojal_server=debug").try_init();
    let dir = tempfile::tempdir().unwrap();
    let url = match store {
        Store::Sqlite => format!("sqlite://{}", dir.path().join("t.db").display()),
        Store::Postgres(admin) => fresh_postgres_database(&admin).await,
    };
    let db = db::open(&url).await.unwrap();
    for (id, secret) in [("demo", SECRET), ("other", "other-secret")] {
        let shop = Shop {
            id: id.into(),
            name: "Demo".into(),
            secret: secret.into(),
            currency: "SEK".into(),
            locale: "sv".into(),
            program: program(),
            origins: vec![ORIGIN.into()],
        };
        app::add_shop::add(&db, &shop, clock::now()).await.unwrap();
    }
    // The widget's files as built into the binary, as `serve` serves them.
    let router = app(AppState {
        limits,
        metrics_token: MetricsToken::new(METRICS_TOKEN.into()),
        ..AppState::new(db.clone(), None)
    });
    TestServer { router, db, url, _dir: dir }
}

pub async fn fresh_postgres_database(admin: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("lojal_test_{}", lojal_server::store::shops::new_secret()[..16].to_owned());
    let mut conn = sqlx::AnyConnection::connect(admin).await.expect("LOJAL_TEST_POSTGRES must be reachable");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
    let (base, _) = admin.rsplit_once('/').expect("a URL with a database name");
    format!("{base}/{name}")
}

impl TestServer {
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
        Reply { status, headers, body }
    }

    /// A merchant call with the shop secret of `demo`.
    pub async fn merchant(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.merchant_raw(method, path, body.map(|b| b.to_string())).await
    }

    pub async fn merchant_raw(&self, method: Method, path: &str, body: Option<String>) -> Reply {
        let mut request =
            Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {SECRET}"));
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        self.send(request.body(body.map_or_else(Body::empty, Body::from)).unwrap()).await
    }

    /// A shopper call, signed as `customer` when given.
    pub async fn shopper(&self, method: Method, path: &str, customer: Option<&str>, body: Option<Value>) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(customer) = customer {
            let ts = clock::now();
            request = request
                .header("x-lojal-customer", customer)
                .header("x-lojal-ts", ts.to_string())
                .header("x-lojal-sig", sign(SECRET, "demo", customer, ts));
        }
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        self.send(request.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap()).await
    }

    pub async fn order(&self, id: &str, customer: &str, total: i64) -> Reply {
        let body = json!({"id": id, "customer": customer, "total": total, "currency": "SEK"});
        self.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await
    }

    pub async fn redeem(&self, customer: &str, reward: &str) -> Reply {
        self.shopper(Method::POST, "/v1/shops/demo/redemptions", Some(customer), Some(json!({"reward_id": reward})))
            .await
    }

    pub async fn customer(&self, customer: &str) -> Value {
        let reply = self.merchant(Method::GET, &format!("/v1/shops/demo/customers/{customer}"), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
        reply.json()
    }

    pub async fn points(&self, customer: &str) -> i64 {
        self.customer(customer).await["points"].as_i64().unwrap()
    }

    /// Rows in a table, to prove a refused request wrote nothing.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&self.db.pool).await.unwrap()
    }

    /// The ledgers' promise, as `lojal-server ledger verify` checks it:
    /// cached balances equal their ledgers, no expiry or reversal takes
    /// more than was left, referral bonuses paid once, each code's points
    /// spent once.
    pub async fn assert_balances_match_ledger(&self) {
        let report = lojal_server::store::audit::verify(&self.db, None, clock::now()).await.unwrap();
        assert!(report.findings.is_empty(), "the ledger audit failed: {:#?}", report.findings);
    }
}
