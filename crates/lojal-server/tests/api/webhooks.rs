//! Webhooks out (issue 14): endpoints registered, listed and removed; every
//! event written in the transaction of its change (none for a refused or
//! rolled-back one); delivered to a real receiver on loopback that checks
//! each signature and fails the first attempts; retried, logged, switched
//! off past the retry window, enabled again and sent again on request.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use lojal_core::webhooks::{verify, EVENT_TYPES};
use lojal_server::store::ledger::{self, Entry, Reason};
use lojal_server::webhooks::{self, Config};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

on_each_backend!(
    endpoints_are_registered_listed_and_removed,
    bad_input_is_refused_and_writes_nothing,
    a_shop_without_endpoints_writes_no_events,
    each_change_writes_its_events_in_its_transaction,
    refused_and_rolled_back_changes_write_no_event,
    tiers_change_up_and_down,
    expiry_and_the_reminder_before_it,
    a_receiver_gets_every_event_signed_in_order_after_failures,
    a_failing_endpoint_is_switched_off_and_enabled_again,
    answers_and_events_fit_the_documented_schemas,
);

const ALL: &[&str] = &EVENT_TYPES;

async fn register(server: &TestServer, url: &str, events: &[&str]) -> Value {
    let reply =
        server.merchant(Method::POST, "/v1/shops/demo/webhooks", Some(json!({"url": url, "events": events}))).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

/// The shop's events, oldest first.
async fn events(server: &TestServer) -> Vec<Value> {
    let reply = server.merchant(Method::GET, "/v1/shops/demo/webhooks/events?limit=500", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let mut events = reply.json()["events"].as_array().unwrap().clone();
    events.reverse();
    events
}

async fn types(server: &TestServer) -> Vec<String> {
    events(server).await.iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect()
}

/// The bodies of the shop's events, oldest first, as they will be sent.
async fn bodies(server: &TestServer) -> Vec<Value> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT body FROM webhook_events ORDER BY seq").fetch_all(&server.db.pool).await.unwrap();
    rows.iter().map(|b| serde_json::from_str(b).unwrap()).collect()
}

async fn endpoints_are_registered_listed_and_removed(store: Store) {
    let server = server(store).await;
    let created = register(&server, "https://hooks.example.com/lojal", &["points.earned", "tier.changed"]).await;
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("whk_"), "{created}");
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_") && secret.len() == 70, "{created}");
    assert_eq!(created["enabled"], true);
    assert_eq!(created["events"], json!(["points.earned", "tier.changed"]));

    let list = server.merchant(Method::GET, "/v1/shops/demo/webhooks", None).await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.json();
    assert_eq!(list["webhooks"].as_array().unwrap().len(), 1);
    assert_eq!(list["webhooks"][0]["id"], id);
    assert_eq!(list["webhooks"][0]["url"], "https://hooks.example.com/lojal");
    assert!(!list.to_string().contains(secret), "the secret is shown once only");
    assert!(list["webhooks"][0].get("secret").is_none());

    // Another shop sees none of it, and cannot remove it.
    let other = server
        .send(
            axum::http::Request::builder()
                .method(Method::DELETE)
                .uri(format!("/v1/shops/other/webhooks/{id}"))
                .header("authorization", "Bearer other-secret")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    other.assert_error(StatusCode::NOT_FOUND, "unknown_webhook");
    // Without the secret: nothing.
    let anonymous =
        server.send(axum::http::Request::get("/v1/shops/demo/webhooks").body(axum::body::Body::empty()).unwrap()).await;
    anonymous.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");

    let removed = server.merchant(Method::DELETE, &format!("/v1/shops/demo/webhooks/{id}"), None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let again = server.merchant(Method::DELETE, &format!("/v1/shops/demo/webhooks/{id}"), None).await;
    again.assert_error(StatusCode::NOT_FOUND, "unknown_webhook");
    assert_eq!(server.count("webhook_endpoints").await, 0);
}

async fn bad_input_is_refused_and_writes_nothing(store: Store) {
    let server = server(store).await;
    let post = |body: String| {
        let server = &server;
        async move { server.merchant_raw(Method::POST, "/v1/shops/demo/webhooks", Some(body)).await }
    };
    for (body, status, code) in [
        (json!({"url": "http://hooks.example.com/", "events": ["points.earned"]}), 422, "invalid_request"),
        (json!({"url": "http://10.0.0.1/", "events": ["points.earned"]}), 422, "invalid_request"),
        (json!({"url": "ftp://hooks.example.com/", "events": ["points.earned"]}), 422, "invalid_request"),
        (json!({"url": "https://u:p@hooks.example.com/", "events": ["points.earned"]}), 422, "invalid_request"),
        (json!({"url": "not a url", "events": ["points.earned"]}), 422, "invalid_request"),
        (json!({"url": "https://hooks.example.com/", "events": []}), 422, "invalid_request"),
        (json!({"url": "https://hooks.example.com/", "events": ["points.made"]}), 422, "invalid_request"),
        (
            json!({"url": "https://hooks.example.com/", "events": ["points.earned", "points.earned"]}),
            422,
            "invalid_request",
        ),
        (json!({"url": "https://hooks.example.com/", "events": "points.earned"}), 422, "invalid_request"),
        (json!({"url": "https://hooks.example.com/"}), 422, "invalid_request"),
        (
            json!({"url": "https://hooks.example.com/", "events": ["points.earned"], "secret": "x"}),
            422,
            "invalid_request",
        ),
        (
            json!({"url": format!("https://hooks.example.com/{}", "a".repeat(3000)), "events": ["points.earned"]}),
            422,
            "invalid_request",
        ),
    ] {
        let reply = post(body.to_string()).await;
        reply.assert_error(StatusCode::from_u16(status).unwrap(), code);
    }
    post("{".into()).await.assert_error(StatusCode::BAD_REQUEST, "bad_json");
    let not_json = server
        .send(
            axum::http::Request::post("/v1/shops/demo/webhooks")
                .header("authorization", "Bearer s3cret")
                .body(axum::body::Body::from("url=x"))
                .unwrap(),
        )
        .await;
    not_json.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_json");
    assert_eq!(server.count("webhook_endpoints").await, 0);

    // At most 16 per shop.
    for n in 0..16 {
        register(&server, &format!("https://hooks.example.com/{n}"), &["points.earned"]).await;
    }
    post(json!({"url": "https://hooks.example.com/17", "events": ["points.earned"]}).to_string())
        .await
        .assert_error(StatusCode::CONFLICT, "too_many_webhooks");
    assert_eq!(server.count("webhook_endpoints").await, 16);

    for (method, path, status, code) in [
        (Method::GET, "/v1/shops/demo/webhooks/whk_nope/attempts", 404, "unknown_webhook"),
        (Method::POST, "/v1/shops/demo/webhooks/whk_nope/enable", 404, "unknown_webhook"),
        (Method::DELETE, "/v1/shops/demo/webhooks/whk_nope", 404, "unknown_webhook"),
        (Method::POST, "/v1/shops/demo/webhooks/events/evt_nope/resend", 404, "unknown_event"),
        (Method::GET, "/v1/shops/demo/webhooks/events?limit=0", 422, "invalid_request"),
        (Method::GET, "/v1/shops/demo/webhooks/events?limit=501", 422, "invalid_request"),
        (Method::GET, "/v1/shops/demo/webhooks/events?limit=x", 400, "bad_request"),
        (Method::GET, "/v1/shops/nope/webhooks", 404, "unknown_shop"),
    ] {
        let reply = server.merchant(method.clone(), path, None).await;
        assert!(reply.status.is_client_error(), "{method} {path}: {}", reply.status);
        reply.assert_error(StatusCode::from_u16(status).unwrap(), code);
    }
    assert_eq!(server.count("webhook_endpoints").await, 16);
    assert_eq!(server.count("webhook_events").await, 0);
}

async fn a_shop_without_endpoints_writes_no_events(store: Store) {
    let server = server(store).await;
    assert_eq!(server.order("o-1", "anna", 100_000).await.status, StatusCode::CREATED);
    assert_eq!(server.redeem("anna", "r10").await.status, StatusCode::CREATED);
    // Another shop's endpoint does not make this shop's events.
    let other = server
        .send(
            axum::http::Request::post("/v1/shops/other/webhooks")
                .header("authorization", "Bearer other-secret")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(json!({"url": "https://x.example/", "events": ALL}).to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED);
    assert_eq!(server.order("o-2", "anna", 100_000).await.status, StatusCode::CREATED);
    assert_eq!(server.count("webhook_events").await, 0);
    assert_eq!(server.count("webhook_deliveries").await, 0);
}

async fn each_change_writes_its_events_in_its_transaction(store: Store) {
    let server = server(store).await;
    let hook = register(&server, "https://hooks.example.com/all", ALL).await;
    let only_tiers = register(&server, "https://hooks.example.com/tiers", &["tier.changed"]).await;

    // A member joins with a first order of 100 kr.
    assert_eq!(server.order("o-1", "anna", 10_000).await.status, StatusCode::CREATED);
    assert_eq!(types(&server).await, ["member.joined", "points.earned"]);
    let earned = &bodies(&server).await[1];
    assert!(earned["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(earned["shop"], "demo");
    assert!(earned["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(earned["data"]["customer"], "anna");
    assert_eq!(earned["data"]["order_id"], "o-1");
    assert_eq!(earned["data"]["reason"], "earn");
    let points = earned["data"]["points"].as_i64().unwrap();
    assert!(points > 0);
    assert_eq!(earned["data"]["balance"], points);

    // A redemption: the points spent, the reward with its code.
    server.order("o-2", "anna", 100_000).await;
    let before = events(&server).await.len();
    let redeemed = server.redeem("anna", "r10").await;
    assert_eq!(redeemed.status, StatusCode::CREATED);
    let code = redeemed.json()["code"].as_str().unwrap().to_owned();
    let all = bodies(&server).await;
    let new: Vec<&Value> = all[before..].iter().collect();
    assert_eq!(
        new.iter().map(|e| e["type"].as_str().unwrap()).collect::<Vec<_>>(),
        ["points.spent", "reward.redeemed"]
    );
    assert_eq!(new[0]["data"]["points"], -100);
    assert_eq!(new[1]["data"]["code"], code.as_str());
    assert_eq!(new[1]["data"]["reward_id"], "r10");
    assert_eq!(new[1]["data"]["points"], 100);

    // A refund takes points back.
    let refund = server
        .merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", Some(json!({"id": "rf-1", "amount": 10_000})))
        .await;
    assert!(refund.status.is_success(), "{}", String::from_utf8_lossy(&refund.body));
    let last = bodies(&server).await.pop().unwrap();
    assert_eq!(last["type"], "points.reversed");
    assert_eq!(last["data"]["reason"], "refund");
    assert_eq!(last["data"]["points"], -points);

    // A referral: the referrer credited, the referral completed.
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    let referral_code = widget["customer"]["referral"]["code"].as_str().unwrap().to_owned();
    let body =
        json!({"id": "o-3", "customer": "bert", "total": 10_000, "currency": "SEK", "referral_code": referral_code});
    assert_eq!(server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await.status, StatusCode::CREATED);
    let all = bodies(&server).await;
    let completed = all.iter().find(|e| e["type"] == "referral.completed").expect("referral.completed");
    assert_eq!(completed["data"], json!({"referrer": "anna", "customer": "bert", "order_id": "o-3", "points": 200}));
    assert!(all.iter().any(|e| e["type"] == "member.joined" && e["data"]["customer"] == "bert"));
    assert!(all.iter().any(|e| e["type"] == "points.earned" && e["data"]["reason"] == "referral"));

    // Feedback.
    let mut with_feedback = serde_json::to_value(program()).unwrap();
    with_feedback["feedback"] = json!({"ask_within_days": 14, "points": 25});
    server.merchant(Method::PUT, "/v1/shops/demo/program", Some(with_feedback)).await;
    let answer = json!({"order_id": "o-3", "score": 9, "comment": "Snabbt"});
    let reply = server.shopper(Method::POST, "/v1/shops/demo/feedback", Some("bert"), Some(answer)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    let last = bodies(&server).await.pop().unwrap();
    assert_eq!(last["type"], "feedback.received");
    assert_eq!(
        last["data"],
        json!({"customer": "bert", "order_id": "o-3", "score": 9, "comment": "Snabbt", "points": 25})
    );

    // Each event has a delivery per endpoint receiving its type, and ids
    // are unique.
    let all = events(&server).await;
    let mut ids: Vec<&str> = all.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len());
    for event in &all {
        let to: Vec<&str> =
            event["deliveries"].as_array().unwrap().iter().map(|d| d["endpoint_id"].as_str().unwrap()).collect();
        assert!(to.contains(&hook["id"].as_str().unwrap()));
        assert_eq!(to.contains(&only_tiers["id"].as_str().unwrap()), event["type"] == "tier.changed", "{event}");
        assert_eq!(event["deliveries"][0]["state"], "pending");
    }
    server.assert_balances_match_ledger().await;
}

async fn refused_and_rolled_back_changes_write_no_event(store: Store) {
    let server = server(store).await;
    register(&server, "https://hooks.example.com/all", ALL).await;
    server.order("o-1", "anna", 10_000).await;
    let before = server.count("webhook_events").await;

    // Refused: not enough points, an order already received otherwise.
    server.redeem("anna", "r100").await.assert_error(StatusCode::CONFLICT, "insufficient_points");
    let conflict = json!({"id": "o-1", "customer": "anna", "total": 99, "currency": "SEK"});
    server
        .merchant(Method::POST, "/v1/shops/demo/orders", Some(conflict))
        .await
        .assert_error(StatusCode::CONFLICT, "order_conflict");
    assert_eq!(server.count("webhook_events").await, before, "a refused change sends nothing");

    // Rolled back: a ledger move in a transaction that is not committed.
    let shop = lojal_server::store::shops::get(&server.db, "demo").await.unwrap();
    let now = lojal_server::clock::now();
    let baseline = server.count("webhook_events").await;
    {
        let mut tx = server.db.begin_write().await.unwrap();
        let entry = Entry::new(Reason::Adjustment, 5_000, now).note("rolled back");
        ledger::post(&mut tx, "demo", "anna", &shop.program, entry, now).await.unwrap();
        tx.rollback().await.unwrap();
    }
    assert_eq!(server.count("webhook_events").await, baseline, "a rolled-back change sends nothing");
    assert_eq!(server.count("webhook_deliveries").await, baseline);
    {
        let mut tx = server.db.begin_write().await.unwrap();
        let entry = Entry::new(Reason::Adjustment, 5_000, now).note("kept");
        ledger::post(&mut tx, "demo", "anna", &shop.program, entry, now).await.unwrap();
        tx.commit().await.unwrap();
    }
    let last = bodies(&server).await;
    let kinds: Vec<&str> = last[baseline as usize..].iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["points.earned", "tier.changed"]);

    // Erasure takes the member's events with their deliveries.
    let events_before = server.count("webhook_events").await;
    let mut tx = server.db.begin_write().await.unwrap();
    let forgotten = lojal_server::store::webhooks::forget_member(&mut tx, "demo", "anna").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(forgotten as i64, events_before);
    assert_eq!(server.count("webhook_events").await, 0);
    assert_eq!(server.count("webhook_deliveries").await, 0);
}

async fn tiers_change_up_and_down(store: Store) {
    let server = server(store).await;
    register(&server, "https://hooks.example.com/tiers", &["tier.changed"]).await;
    // 1 point per krona: 600 kr reaches silver (500).
    server.order("o-1", "anna", 60_000).await;
    let refund = json!({"id": "rf-1", "amount": 60_000});
    let reply = server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", Some(refund)).await;
    assert!(reply.status.is_success());
    let all = bodies(&server).await;
    assert_eq!(all.len(), 2, "{all:#?}");
    assert_eq!(all[0]["data"]["from"], "bronze");
    assert_eq!(all[0]["data"]["to"], "silver");
    assert_eq!(all[0]["data"]["direction"], "up");
    assert_eq!(all[1]["data"]["from"], "silver");
    assert_eq!(all[1]["data"]["to"], "bronze");
    assert_eq!(all[1]["data"]["direction"], "down");
}

async fn expiry_and_the_reminder_before_it(store: Store) {
    let server = server(store).await;
    register(&server, "https://hooks.example.com/expiry", &["points.earned", "points.expired", "points.expiring"])
        .await;
    // Points earned two years ago expired a year ago (12 months).
    let old = json!({"id": "o-old", "customer": "anna", "total": 10_000, "currency": "SEK",
                     "created_at": "2024-01-10T10:00:00Z"});
    assert_eq!(server.merchant(Method::POST, "/v1/shops/demo/orders", Some(old)).await.status, StatusCode::CREATED);
    let all = bodies(&server).await;
    let kinds: Vec<&str> = all.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["points.earned", "points.expired"]);
    assert_eq!(all[1]["data"]["points"], -all[0]["data"]["points"].as_i64().unwrap());
    assert_eq!(all[1]["data"]["balance"], 0);

    // A fresh order's points expire in 12 months: a reminder 400 days
    // ahead finds them, once.
    server.order("o-new", "anna", 10_000).await;
    let now = lojal_server::clock::now();
    let sweep = lojal_server::webhooks::remind_expiring;
    assert_eq!(sweep(&server.db, now, 30 * 86_400).await.unwrap(), 0, "not within 30 days");
    assert_eq!(sweep(&server.db, now, 400 * 86_400).await.unwrap(), 1);
    assert_eq!(sweep(&server.db, now, 400 * 86_400).await.unwrap(), 0, "once per member and date");
    let last = bodies(&server).await.pop().unwrap();
    assert_eq!(last["type"], "points.expiring");
    assert_eq!(last["data"]["customer"], "anna");
    assert_eq!(last["data"]["points"], 100);
    assert!(last["data"]["expires_at"].as_str().unwrap().ends_with('Z'));
}

/// A webhook receiver on loopback: checks every signature with the secret
/// it is given, fails the first `fail_first` requests with a 500 and keeps
/// the events it accepted.
#[derive(Clone, Default)]
struct Receiver {
    secret: Arc<Mutex<String>>,
    fail_first: Arc<Mutex<usize>>,
    /// Every request: whether its signature held.
    requests: Arc<Mutex<Vec<bool>>>,
    accepted: Arc<Mutex<Vec<Value>>>,
    always_fail: Arc<Mutex<bool>>,
}

impl Receiver {
    async fn start(&self) -> String {
        async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            let secret = r.secret.lock().unwrap().clone();
            let signed = verify(&secret, &header("lojal-signature"), &body, lojal_server::clock::now(), 300).is_ok();
            let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let signed = signed && event["id"] == header("lojal-event-id").as_str();
            r.requests.lock().unwrap().push(signed);
            if !signed {
                return StatusCode::BAD_REQUEST;
            }
            {
                let mut fail = r.fail_first.lock().unwrap();
                if *fail > 0 {
                    *fail -= 1;
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
            }
            if *r.always_fail.lock().unwrap() {
                return StatusCode::SERVICE_UNAVAILABLE;
            }
            r.accepted.lock().unwrap().push(event);
            StatusCode::NO_CONTENT
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().route("/hook", axum::routing::post(hook)).with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/hook")
    }
}

fn fast() -> Config {
    Config {
        poll: Duration::from_millis(20),
        retry_base_ms: 50,
        retry_window_ms: 60_000,
        sweep_every: Duration::from_secs(3600),
        ..Config::default()
    }
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(30), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_receiver_gets_every_event_signed_in_order_after_failures(store: Store) {
    let server = server(store).await;
    let receiver = Receiver::default();
    let url = receiver.start().await;
    let created = register(&server, &url, &["member.joined", "points.earned", "points.spent", "reward.redeemed"]).await;
    *receiver.secret.lock().unwrap() = created["secret"].as_str().unwrap().to_owned();
    *receiver.fail_first.lock().unwrap() = 3;
    for (n, customer) in ["anna", "bert", "anna", "cleo", "bert", "anna"].iter().enumerate() {
        assert_eq!(server.order(&format!("o-{n}"), customer, 20_000).await.status, StatusCode::CREATED);
    }
    assert_eq!(server.redeem("anna", "r10").await.status, StatusCode::CREATED);
    let written = bodies(&server).await;

    let worker = webhooks::start(server.db.clone(), fast());
    let expected = written.len();
    let accepted = receiver.accepted.clone();
    wait_for("every event delivered", || accepted.lock().unwrap().len() >= expected).await;
    // Delivered: the rows say so (the worker records right after the answer).
    let started = Instant::now();
    while server.merchant(Method::GET, "/v1/shops/demo/webhooks", None).await.json()["webhooks"][0]["pending"] != 0 {
        assert!(started.elapsed() < Duration::from_secs(10), "deliveries recorded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    worker.stop(Duration::from_secs(5)).await;

    assert!(receiver.requests.lock().unwrap().iter().all(|signed| *signed), "every request signed");
    let got = receiver.accepted.lock().unwrap().clone();
    let mut got_ids: Vec<&str> = got.iter().map(|e| e["id"].as_str().unwrap()).collect();
    got_ids.sort_unstable();
    got_ids.dedup();
    assert_eq!(got_ids.len(), expected, "each event delivered (at least once)");
    // Per member, in the order written.
    for member in ["anna", "bert", "cleo"] {
        let of = |events: &[Value]| -> Vec<String> {
            let mut seen = Vec::new();
            for e in events.iter().filter(|e| e["data"]["customer"] == member) {
                let id = e["id"].as_str().unwrap().to_owned();
                if !seen.contains(&id) {
                    seen.push(id);
                }
            }
            seen
        };
        assert_eq!(of(&got), of(&written), "{member}'s events in order");
    }
    // The body is exactly what was written.
    for event in &got {
        assert!(written.contains(event));
    }

    // The attempts log shows the failures and the successes.
    let id = created["id"].as_str().unwrap();
    let log = server.merchant(Method::GET, &format!("/v1/shops/demo/webhooks/{id}/attempts?limit=500"), None).await;
    assert_eq!(log.status, StatusCode::OK);
    let log = log.json()["attempts"].as_array().unwrap().clone();
    let failed: Vec<&Value> = log.iter().filter(|a| a["ok"] == false).collect();
    assert_eq!(failed.len(), 3, "{log:#?}");
    assert!(failed.iter().all(|a| a["status"] == 500 && a["error"].as_str().unwrap().contains("500")));
    assert_eq!(log.iter().filter(|a| a["ok"] == true).count(), got.len());
    assert!(log.iter().all(|a| a["at"].as_str().unwrap().ends_with('Z') && a["duration_ms"].as_i64().unwrap() >= 0));

    // Sent again on request: the same id and body.
    let first = written[0]["id"].as_str().unwrap();
    let resend = server.merchant(Method::POST, &format!("/v1/shops/demo/webhooks/events/{first}/resend"), None).await;
    assert_eq!(resend.status, StatusCode::ACCEPTED);
    assert_eq!(resend.json()["endpoints"], 1);
    let worker = webhooks::start(server.db.clone(), fast());
    wait_for("the resent event", || accepted.lock().unwrap().len() > got.len()).await;
    worker.stop(Duration::from_secs(5)).await;
    assert_eq!(receiver.accepted.lock().unwrap().last().unwrap(), &written[0]);
}

async fn a_failing_endpoint_is_switched_off_and_enabled_again(store: Store) {
    let server = server(store).await;
    let receiver = Receiver::default();
    let url = receiver.start().await;
    let created = register(&server, &url, &["points.earned"]).await;
    let id = created["id"].as_str().unwrap().to_owned();
    *receiver.secret.lock().unwrap() = created["secret"].as_str().unwrap().to_owned();
    *receiver.always_fail.lock().unwrap() = true;
    server.order("o-1", "anna", 10_000).await;
    server.order("o-2", "anna", 10_000).await;

    let worker = webhooks::start(server.db.clone(), Config { retry_window_ms: 400, ..fast() });
    let started = Instant::now();
    let endpoint = loop {
        let list = server.merchant(Method::GET, "/v1/shops/demo/webhooks", None).await.json();
        if list["webhooks"][0]["enabled"] == false {
            break list["webhooks"][0].clone();
        }
        assert!(started.elapsed() < Duration::from_secs(30), "switched off past the window");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(endpoint["disabled_reason"].as_str().unwrap().contains("503"), "{endpoint}");
    assert!(endpoint["disabled_at"].as_str().is_some());
    assert_eq!(endpoint["pending"], 2, "nothing is lost: both wait");
    let attempts_then = receiver.requests.lock().unwrap().len();
    assert!(attempts_then >= 2, "retried before giving up");
    // Switched off: no more attempts, and no new events for it.
    server.order("o-3", "anna", 10_000).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.requests.lock().unwrap().len(), attempts_then);

    // The merchant fixes the receiver and enables it again: what waited goes out, in order.
    *receiver.always_fail.lock().unwrap() = false;
    let enabled = server.merchant(Method::POST, &format!("/v1/shops/demo/webhooks/{id}/enable"), None).await;
    assert_eq!(enabled.status, StatusCode::OK);
    assert_eq!(enabled.json()["enabled"], true);
    let accepted = receiver.accepted.clone();
    wait_for("the waiting events", || accepted.lock().unwrap().len() >= 2).await;
    worker.stop(Duration::from_secs(5)).await;
    let got = receiver.accepted.lock().unwrap().clone();
    assert_eq!(got[0]["data"]["order_id"], "o-1");
    assert_eq!(got[1]["data"]["order_id"], "o-2");
    assert!(receiver.requests.lock().unwrap().iter().all(|signed| *signed));
}

/// Asserts that `body` is valid for `/openapi.json`'s schema `name`.
async fn assert_fits(server: &TestServer, name: &str, body: &Value) {
    let doc =
        server.send(axum::http::Request::get("/openapi.json").body(axum::body::Body::empty()).unwrap()).await.json();
    let schema = json!({"$ref": format!("#/components/schemas/{name}"), "components": doc["components"]});
    let validator = jsonschema::validator_for(&schema).expect("the document's schemas compile");
    let errors: Vec<String> = validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "{name} does not fit the document: {errors:?}\n{body:#}");
}

async fn answers_and_events_fit_the_documented_schemas(store: Store) {
    let server = server(store).await;
    let receiver = Receiver::default();
    let url = receiver.start().await;
    let created = register(&server, &url, ALL).await;
    assert_fits(&server, "WebhookCreated", &created).await;
    *receiver.secret.lock().unwrap() = created["secret"].as_str().unwrap().to_owned();
    *receiver.fail_first.lock().unwrap() = 1;
    server.order("o-1", "anna", 60_000).await;
    assert_eq!(server.redeem("anna", "r10").await.status, StatusCode::CREATED);
    server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", Some(json!({"amount": 60_000}))).await;
    let written = bodies(&server).await;
    let worker = webhooks::start(server.db.clone(), fast());
    let accepted = receiver.accepted.clone();
    wait_for("every event", || accepted.lock().unwrap().len() >= written.len()).await;
    worker.stop(Duration::from_secs(5)).await;
    let got = receiver.accepted.lock().unwrap().clone();
    for event in &got {
        assert_fits(&server, "WebhookEvent", event).await;
    }
    let list = server.merchant(Method::GET, "/v1/shops/demo/webhooks", None).await.json();
    assert_fits(&server, "WebhookList", &list).await;
    let id = created["id"].as_str().unwrap();
    let attempts = server.merchant(Method::GET, &format!("/v1/shops/demo/webhooks/{id}/attempts"), None).await.json();
    assert_fits(&server, "WebhookAttempts", &attempts).await;
    let events = server.merchant(Method::GET, "/v1/shops/demo/webhooks/events", None).await.json();
    assert_fits(&server, "WebhookEvents", &events).await;
    let first = written[0]["id"].as_str().unwrap();
    let resent = server.merchant(Method::POST, &format!("/v1/shops/demo/webhooks/events/{first}/resend"), None).await;
    assert_fits(&server, "WebhookResendReply", &resent.json()).await;
    let enabled = server.merchant(Method::POST, &format!("/v1/shops/demo/webhooks/{id}/enable"), None).await;
    assert_fits(&server, "Webhook", &enabled.json()).await;
    for reply in [
        server.merchant(Method::DELETE, "/v1/shops/demo/webhooks/whk_x", None).await,
        server.merchant(Method::POST, "/v1/shops/demo/webhooks", Some(json!({"url": "x", "events": []}))).await,
    ] {
        assert_fits(&server, "Error", &reply.json()).await;
    }
}
