//! The real binary, as an operator runs it: `serve --log-format json
//! --metrics-addr ... --metrics-token ...` writes one JSON object per log
//! line, each request's with its `X-Request-Id`, and serves `/metrics` on
//! the metrics address to anyone and on the API's only with the token.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_lojal-server");
const TOKEN: &str = "0f7b3d9e5a1c8f2e6b4d0a9c7e3f5b1d8a2c6e0f4b9d7a3e1c5f8b2d6a0e4c9f";

struct Server {
    child: Child,
    api: String,
    metrics: String,
    log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &str) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--db", db, "--log-format", "json", "--metrics-addr", "127.0.0.1:0"])
        .env("LOJAL_METRICS_TOKEN", TOKEN)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut api, mut metrics) = (None, None);
    while api.is_none() || metrics.is_none() {
        let line = lines.next().expect("the server prints its addresses").unwrap();
        if let Some(origin) = line.strip_prefix("Lojal API on ") {
            api = Some(origin.to_owned());
        } else if let Some(url) = line.strip_prefix("Metrics on ") {
            metrics = Some(url.strip_suffix("/metrics").expect("the metrics URL").to_owned());
        }
    }
    let log = common::collect_stderr(&mut child);
    Server { child, api: api.unwrap(), metrics: metrics.unwrap(), log }
}

/// Status, `X-Request-Id` and body of a GET.
fn get(url: &str, headers: &[(&str, &str)]) -> (u16, Option<String>, String) {
    let mut request = ureq::get(url).timeout(Duration::from_secs(10));
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let response = match request.call() {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("GET {url}: {e}"),
    };
    let status = response.status();
    let id = response.header("x-request-id").map(str::to_owned);
    (status, id, response.into_string().unwrap())
}

#[test]
fn json_logs_carry_request_ids_and_metrics_are_served_on_their_own_address() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&format!("sqlite://{}", dir.path().join("t.db").display()));

    let (status, id, _) = get(&format!("{}/healthz", server.api), &[]);
    assert_eq!(status, 200);
    assert!(id.is_some_and(|id| id.len() == 36), "a new UUID");
    assert_eq!(get(&format!("{}/readyz", server.api), &[]).0, 200);
    let (status, id, body) = get(&format!("{}/v1/shops/nope/widget", server.api), &[("X-Request-Id", "bin-probe-7")]);
    assert_eq!(status, 404, "{body}");
    assert_eq!(id.as_deref(), Some("bin-probe-7"));

    // The metrics address: no token needed, nothing else served.
    let (status, _, text) = get(&format!("{}/metrics", server.metrics), &[]);
    assert_eq!(status, 200);
    let sample = r#"lojal_http_requests_total{route="/v1/shops/{shop}/widget",method="GET",status="404"} 1"#;
    assert!(text.lines().any(|l| l == sample), "{text}");
    assert!(!text.contains("nope") && !text.contains(TOKEN), "{text}");
    assert_eq!(get(&format!("{}/healthz", server.metrics), &[]).0, 404);
    // The API's address: only with the token.
    assert_eq!(get(&format!("{}/metrics", server.api), &[]).0, 404);
    let bearer = format!("Bearer {TOKEN}");
    let (status, _, text) = get(&format!("{}/metrics", server.api), &[("Authorization", &bearer)]);
    assert_eq!(status, 200);
    assert!(text.contains("lojal_db_pool_max_connections 4"), "{text}");

    // Every log line is one JSON object; the request's names its id.
    let started = Instant::now();
    let logged = loop {
        let log = server.log.lock().unwrap().clone();
        let lines: Vec<serde_json::Value> = log
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("a log line that is not JSON ({e}): {l}")))
            .collect();
        if let Some(line) = lines.iter().find(|l| l["span"]["request_id"] == "bin-probe-7" && l["message"] == "request")
        {
            break line.clone();
        }
        assert!(started.elapsed() < Duration::from_secs(10), "no log line of the request in:\n{log}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(logged["level"], "INFO");
    assert_eq!(logged["status"], 404);
    assert_eq!(logged["span"]["route"], "/v1/shops/{shop}/widget");
    assert!(logged["timestamp"].is_string());
    let log = server.log.lock().unwrap().clone();
    assert!(!log.contains(TOKEN), "the metrics token appeared in the log");
}

#[test]
fn a_weak_metrics_token_is_refused_before_serving() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let output = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--db", &db, "--metrics-token", "letmein"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("metrics token must hold at least 32 random bytes"), "{stderr}");
    assert!(!stderr.contains("letmein"), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).is_empty(), "nothing served");
    assert!(!dir.path().join("t.db").exists(), "refused before opening the database");
}
