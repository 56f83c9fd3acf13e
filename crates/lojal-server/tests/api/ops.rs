//! What load balancers and operators ask: `/healthz`, `/readyz`,
//! `/metrics` (behind the metrics token on the API's address), and the
//! `X-Request-Id` of every answer, which the request's log lines carry.

use crate::on_each_backend;
use crate::support::{server, server_with_limits, Reply, Store, TestServer, METRICS_TOKEN, ORIGIN, SECRET};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use lojal_server::http::limits::Limits;
use serde_json::Value;
use std::io::Write;
use std::sync::{Arc, Mutex};

async fn get(server: &TestServer, path: &str) -> Reply {
    server.send(Request::get(path).body(Body::empty()).unwrap()).await
}

async fn metrics(server: &TestServer) -> String {
    let request =
        Request::get("/metrics").header(header::AUTHORIZATION, format!("Bearer {METRICS_TOKEN}")).body(Body::empty());
    let reply = server.send(request.unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.headers[header::CONTENT_TYPE], "text/plain; version=0.0.4; charset=utf-8");
    assert_eq!(reply.headers[header::CACHE_CONTROL], "no-store");
    String::from_utf8(reply.body).unwrap()
}

/// The value of the sample `name` (with its labels, as written), if any.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

on_each_backend!(
    healthz_answers_while_the_process_lives,
    readyz_is_ready_only_with_this_binarys_migrations_on_a_database_that_answers,
    metrics_are_served_only_with_the_token,
    metrics_count_requests_by_route_template_orders_and_refusals,
    every_answer_has_a_request_id_and_a_sane_one_is_kept,
    error_log_lines_carry_the_request_id,
);

async fn healthz_answers_while_the_process_lives(store: Store) {
    let server = server(store).await;
    let reply = get(&server, "/healthz").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), serde_json::json!({"status": "ok"}));
    assert_eq!(reply.headers[header::CACHE_CONTROL], "no-store");
    // HEAD too, as some load balancers probe.
    let head = server.send(Request::head("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(head.status, StatusCode::OK);
    // Not the shops' API: no CORS for any origin, and a POST is 405.
    let with_origin =
        server.send(Request::get("/healthz").header(header::ORIGIN, ORIGIN).body(Body::empty()).unwrap()).await;
    assert!(with_origin.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let post = server.send(Request::post("/healthz").body(Body::empty()).unwrap()).await;
    post.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    // The NUL guard holds here as everywhere.
    get(&server, "/healthz?x=%00").await.assert_error(StatusCode::BAD_REQUEST, "bad_request");
}

async fn readyz_is_ready_only_with_this_binarys_migrations_on_a_database_that_answers(store: Store) {
    let server = server(store).await;
    let ready = get(&server, "/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", String::from_utf8_lossy(&ready.body));
    assert_eq!(ready.json(), serde_json::json!({"status": "ok"}));
    assert_eq!(ready.headers[header::CACHE_CONTROL], "no-store");

    // A newer server migrated the database (as in a rolling upgrade).
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES ($1, 'from a newer server', TRUE, $2, 0)",
    )
    .bind(99_990_101_i64)
    .bind(vec![0_u8; 48])
    .execute(&server.db.pool)
    .await
    .unwrap();
    let newer = get(&server, "/readyz").await;
    let message = newer.assert_error(StatusCode::SERVICE_UNAVAILABLE, "not_ready");
    assert!(message.contains("99990101") && message.contains("newer"), "{message}");
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 99990101").execute(&server.db.pool).await.unwrap();
    assert_eq!(get(&server, "/readyz").await.status, StatusCode::OK);

    // A migration of this binary's is not applied.
    let newest: i64 = sqlx::query_scalar("SELECT CAST(MAX(version) AS BIGINT) FROM _sqlx_migrations")
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    let checksum: Vec<u8> = sqlx::query_scalar("SELECT checksum FROM _sqlx_migrations WHERE version = $1")
        .bind(newest)
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE _sqlx_migrations SET checksum = $1 WHERE version = $2")
        .bind(vec![1_u8; 48])
        .bind(newest)
        .execute(&server.db.pool)
        .await
        .unwrap();
    let changed = get(&server, "/readyz").await.assert_error(StatusCode::SERVICE_UNAVAILABLE, "not_ready");
    assert!(changed.contains(&format!("migration {newest} was applied from a different text")), "{changed}");
    sqlx::query("UPDATE _sqlx_migrations SET success = FALSE, checksum = $1 WHERE version = $2")
        .bind(checksum)
        .bind(newest)
        .execute(&server.db.pool)
        .await
        .unwrap();
    let pending = get(&server, "/readyz").await.assert_error(StatusCode::SERVICE_UNAVAILABLE, "not_ready");
    assert!(pending.contains(&format!("migration {newest} is not applied")), "{pending}");
    // Put back as it was: the test command audits every database the tests
    // leave, and would find this one half-migrated.
    sqlx::query("UPDATE _sqlx_migrations SET success = TRUE WHERE version = $1")
        .bind(newest)
        .execute(&server.db.pool)
        .await
        .unwrap();
    assert_eq!(get(&server, "/readyz").await.status, StatusCode::OK);

    // The database does not answer; the process still lives.
    server.db.pool.close().await;
    let gone = get(&server, "/readyz").await.assert_error(StatusCode::SERVICE_UNAVAILABLE, "not_ready");
    assert!(gone.contains("does not answer"), "{gone}");
    assert!(get(&server, "/readyz").await.headers.contains_key("x-request-id"));
    assert_eq!(get(&server, "/healthz").await.status, StatusCode::OK);
}

async fn metrics_are_served_only_with_the_token(store: Store) {
    let server = server(store).await;
    // Without it, with a wrong one, with a shop's secret: as if there were
    // no such path.
    for authorization in
        [None, Some("Bearer wrong".to_owned()), Some(format!("Bearer {SECRET}")), Some(METRICS_TOKEN.to_owned())]
    {
        let mut request = Request::get("/metrics");
        if let Some(value) = &authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        let reply = server.send(request.body(Body::empty()).unwrap()).await;
        reply.assert_error(StatusCode::NOT_FOUND, "not_found");
        assert_eq!(reply.json(), get(&server, "/no-such-path").await.json(), "{authorization:?}");
    }
    let text = metrics(&server).await;
    assert!(text.contains("# TYPE lojal_http_requests_total counter"), "{text}");
    assert!(text.contains("# TYPE lojal_http_request_duration_seconds histogram"), "{text}");
    assert!(!text.contains(METRICS_TOKEN) && !text.contains(SECRET) && !text.contains("other-secret"), "{text}");
}

async fn metrics_count_requests_by_route_template_orders_and_refusals(store: Store) {
    let server = server_with_limits(store.clone(), Limits::new((1, 3), (100_000, 100_000))).await;
    // A customer id no label may hold.
    let customer = "cust-7f3a9c2e51";
    assert_eq!(server.order("o-1", customer, 10_000).await.status, StatusCode::CREATED);
    assert_eq!(server.order("o-1", customer, 10_000).await.status, StatusCode::OK, "the same order again");
    assert_eq!(server.order("o-2", customer, 5_000).await.status, StatusCode::CREATED);
    server.merchant(Method::GET, &format!("/v1/shops/demo/customers/{customer}"), None).await;
    let mut limited = 0;
    for _ in 0..5 {
        let reply = server.shopper(Method::GET, "/v1/shops/demo/widget", Some(customer), None).await;
        limited += u32::from(reply.status == StatusCode::TOO_MANY_REQUESTS);
    }
    assert!(limited >= 1, "the IP limit refused some");

    let text = metrics(&server).await;
    assert_eq!(sample(&text, r#"lojal_orders_ingested_total{shop="demo"}"#), Some(2.0), "{text}");
    let orders = r#"lojal_http_requests_total{route="/v1/shops/{shop}/orders",method="POST","#;
    assert_eq!(sample(&text, &format!(r#"{orders}status="201"}}"#)), Some(2.0), "{text}");
    assert_eq!(sample(&text, &format!(r#"{orders}status="200"}}"#)), Some(1.0), "{text}");
    let customers =
        r#"lojal_http_requests_total{route="/v1/shops/{shop}/customers/{customer}",method="GET",status="200"}"#;
    assert_eq!(sample(&text, customers), Some(1.0), "{text}");
    let widget = r#"lojal_http_requests_total{route="/v1/shops/{shop}/widget",method="GET",status="429"}"#;
    assert_eq!(sample(&text, widget), Some(f64::from(limited)), "{text}");
    assert_eq!(sample(&text, r#"lojal_rate_limited_total{scope="ip"}"#), Some(f64::from(limited)), "{text}");
    assert_eq!(sample(&text, r#"lojal_rate_limited_total{scope="customer"}"#), Some(0.0), "{text}");
    let count = r#"lojal_http_request_duration_seconds_count{route="/v1/shops/{shop}/orders"}"#;
    assert_eq!(sample(&text, count), Some(3.0), "{text}");
    let max = match store {
        Store::Sqlite => 4.0,
        Store::Postgres(_) => 16.0,
    };
    assert_eq!(sample(&text, "lojal_db_pool_max_connections"), Some(max), "{text}");
    let idle = sample(&text, r#"lojal_db_pool_connections{state="idle"}"#).expect("idle connections");
    let in_use = sample(&text, r#"lojal_db_pool_connections{state="in_use"}"#).expect("connections in use");
    assert!(idle + in_use <= max && idle + in_use >= 1.0, "{text}");
    // Templates only: the raw path (a customer id) is no label, and no
    // secret is anywhere.
    assert!(!text.contains(customer), "a customer id in the metrics:\n{text}");
    assert!(!text.contains(METRICS_TOKEN) && !text.contains(SECRET), "{text}");
    // A path no route has is `fallback`, whatever it was.
    get(&server, "/some/made-up/path-9d1e").await;
    let text = metrics(&server).await;
    assert!(!text.contains("path-9d1e"), "{text}");
    let fallback = r#"lojal_http_requests_total{route="fallback",method="GET",status="404"}"#;
    assert_eq!(sample(&text, fallback), Some(1.0), "{text}");
    // A made-up method is `other`.
    let brew = server.send(Request::builder().method("BREW").uri("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(brew.status, StatusCode::METHOD_NOT_ALLOWED);
    let text = metrics(&server).await;
    assert!(!text.contains("BREW"), "{text}");
    assert_eq!(sample(&text, r#"lojal_http_requests_total{route="/healthz",method="other",status="405"}"#), Some(1.0));
}

async fn every_answer_has_a_request_id_and_a_sane_one_is_kept(store: Store) {
    let server = server(store).await;
    let id = |reply: &Reply| reply.headers["x-request-id"].to_str().unwrap().to_owned();
    let made = |id: &str| id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    // Success, our errors, the guard's, axum's and the files' answers.
    let answers = [
        server.shopper(Method::GET, "/v1/shops/demo/widget", None, None).await,
        server.order("o-1", "anna", 1_000).await,
        get(&server, "/v1/shops/nope/widget").await,
        get(&server, "/v1/shops/demo/widget?locale=%00").await,
        server.send(Request::delete("/v1/shops/demo/widget").body(Body::empty()).unwrap()).await,
        server.merchant(Method::GET, "/v1/shops/demo/customers/anna", None).await,
        get(&server, "/widget.js").await,
        get(&server, "/nothing-here").await,
    ];
    let ids: Vec<String> = answers.iter().map(id).collect();
    assert!(ids.iter().all(|id| made(id)), "{ids:?}");
    let distinct: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "each request its own id: {ids:?}");

    let with = |value: &'static str| Request::get("/v1/shops/nope/widget").header("x-request-id", value);
    for kept in ["lb-4f2a.9_c", "3f0c9a52-1b7e-4d0a-9c1e-6b2f8d4e7a10"] {
        let reply = server.send(with(kept).body(Body::empty()).unwrap()).await;
        reply.assert_error(StatusCode::NOT_FOUND, "unknown_shop");
        assert_eq!(id(&reply), kept);
    }
    let too_long: &'static str = Box::leak("a".repeat(65).into_boxed_str());
    for replaced in ["two words", "x\"}{\"level\":\"ERROR\"", too_long] {
        let reply = server.send(with(replaced).body(Body::empty()).unwrap()).await;
        assert!(made(&id(&reply)), "{replaced:?} was kept as {:?}", id(&reply));
    }
    let twice =
        Request::get("/healthz").header("x-request-id", "one").header("x-request-id", "two").body(Body::empty());
    let reply = server.send(twice.unwrap()).await;
    assert!(made(&id(&reply)));
    assert_eq!(reply.headers.get_all("x-request-id").iter().count(), 1);
}

/// Log lines written by the test's own subscriber, the server's JSON one.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<Value> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect()
    }
}

async fn error_log_lines_carry_the_request_id(store: Store) {
    let server = server(store).await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber =
        lojal_server::telemetry::subscriber(lojal_server::telemetry::LogFormat::Json, move || writer.clone());
    // The request runs on this thread: the test's future is not spawned.
    let _guard = tracing::subscriber::set_default(subscriber);
    server.db.pool.close().await;
    let request = Request::get("/v1/shops/demo/customers/anna")
        .header(header::AUTHORIZATION, format!("Bearer {SECRET}"))
        .header("x-request-id", "err-probe-1")
        .body(Body::empty());
    let reply = server.send(request.unwrap()).await;
    reply.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "internal");
    assert_eq!(reply.headers["x-request-id"], "err-probe-1");

    let lines = captured.lines();
    let of_request: Vec<&Value> = lines.iter().filter(|l| l["span"]["request_id"] == "err-probe-1").collect();
    let error = of_request
        .iter()
        .find(|l| l["level"] == "ERROR" && l["message"] == "request failed")
        .unwrap_or_else(|| panic!("no error line with the request id in {lines:#?}"));
    assert_eq!(error["span"]["route"], "/v1/shops/{shop}/customers/{customer}");
    assert_eq!(error["span"]["method"], "GET");
    let done = of_request
        .iter()
        .find(|l| l["message"] == "request")
        .unwrap_or_else(|| panic!("no request line in {lines:#?}"));
    assert_eq!(done["status"], 500);
    assert!(done["latency_ms"].as_f64().is_some());
    let all = serde_json::to_string(&lines).unwrap();
    assert!(!all.contains(SECRET) && !all.contains("/customers/anna"), "no secret, no raw path: {all}");
}
