//! Issue 18: every write begins in a use case (`lojal_server::app`) that is
//! handed its clock. Run at a `now` far from the wall clock, a shop added,
//! a webhook endpoint registered, enabled and resent, an event written to
//! the outbox, a referral visit and a recommendation click are all dated
//! at that `now`, which they could not be if the store below read the
//! clock. And the source keeps the rule: no transaction begins in `store`
//! or `http`, and `store` reads no clock.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use lojal_server::app::webhook_endpoints::{self, NewEndpoint};
use lojal_server::app::{add_shop, adjust, record_click, visit_referral};
use lojal_server::store::shops::{self, Shop};
use serde_json::json;
use std::path::Path;

/// 2001-09-09, long before any test runs.
const THEN: i64 = 1_000_000_000;
const DAY: i64 = 86_400;

on_each_backend!(
    a_shop_added_is_dated_at_the_now_it_is_handed,
    webhook_deliveries_are_due_at_the_now_they_are_handed,
    a_visit_and_a_click_are_dated_at_the_now_they_are_handed,
    the_command_line_goes_through_the_same_use_cases,
);

async fn scalar(server: &TestServer, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&server.db.pool).await.unwrap()
}

async fn a_shop_added_is_dated_at_the_now_it_is_handed(store: Store) {
    let server = server(store).await;
    let shop = Shop {
        id: "then".into(),
        name: "Then".into(),
        secret: "then-secret".into(),
        currency: "SEK".into(),
        locale: "sv".into(),
        program: program(),
        origins: vec!["https://then.example/".into()],
    };
    add_shop::add(&server.db, &shop, THEN).await.unwrap();
    assert_eq!(scalar(&server, "SELECT created_at FROM shops WHERE id = 'then'").await, THEN);
    // Its origins in the same transaction, without the trailing slash.
    assert_eq!(shops::get(&server.db, "then").await.unwrap().origins, ["https://then.example"]);

    // Added twice: refused, and the first one's row is as it was.
    let again = add_shop::add(&server.db, &shop, THEN + DAY).await;
    assert!(matches!(again, Err(lojal_server::Error::ShopExists(_))), "{again:?}");
    assert_eq!(scalar(&server, "SELECT created_at FROM shops WHERE id = 'then'").await, THEN);
    assert_eq!(scalar(&server, "SELECT COUNT(*) FROM shop_origins WHERE shop_id = 'then'").await, 1);
}

async fn webhook_deliveries_are_due_at_the_now_they_are_handed(store: Store) {
    let server = server(store).await;
    let shop = shops::get(&server.db, "demo").await.unwrap();
    let endpoint = NewEndpoint::checked("https://hooks.example.com/then".into(), vec!["points.earned".into()]).unwrap();
    let created = webhook_endpoints::add(&server.db, "demo", &endpoint, THEN).await.unwrap();
    assert_eq!(created.endpoint.created_at, THEN);
    let id = created.endpoint.id;

    // A change at THEN + 1 day writes its event due at that time, in ms.
    server.order("o-1", "anna", 10_000).await;
    let adjustment = serde_json::from_value(json!({"points": 5, "note": "goodwill"})).unwrap();
    adjust::adjust(&server.db, &shop, "anna", &adjustment, THEN + DAY).await.unwrap();
    let due = &format!(
        "SELECT d.next_attempt_ms FROM webhook_deliveries d JOIN webhook_events e ON e.seq = d.event_seq
         WHERE e.created_at = {}",
        THEN + DAY
    );
    assert_eq!(scalar(&server, due).await, (THEN + DAY) * 1000);

    // Sent again at THEN + 2 days: due then.
    let event: String = sqlx::query_scalar("SELECT id FROM webhook_events WHERE created_at = $1")
        .bind(THEN + DAY)
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    assert_eq!(webhook_endpoints::resend(&server.db, "demo", &event, THEN + 2 * DAY).await.unwrap(), 1);
    assert_eq!(scalar(&server, due).await, (THEN + 2 * DAY) * 1000);

    // Switched off (as the worker does past the retry window) and on again
    // at THEN + 3 days: whatever waits is due then, with a new window.
    sqlx::query("UPDATE webhook_endpoints SET disabled_at = $1, disabled_reason = 'kept failing' WHERE id = $2")
        .bind(THEN)
        .bind(&id)
        .execute(&server.db.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE webhook_deliveries SET first_attempt_ms = 1 WHERE endpoint_id = $1")
        .bind(&id)
        .execute(&server.db.pool)
        .await
        .unwrap();
    let enabled = webhook_endpoints::enable(&server.db, "demo", &id, THEN + 3 * DAY).await.unwrap();
    assert_eq!((enabled.disabled_at, enabled.disabled_reason.as_deref()), (None, None));
    assert_eq!(scalar(&server, due).await, (THEN + 3 * DAY) * 1000);
    let restarted =
        format!("SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = '{id}' AND first_attempt_ms IS NULL");
    assert_eq!(scalar(&server, &restarted).await, scalar(&server, "SELECT COUNT(*) FROM webhook_deliveries").await);

    // Enabling an enabled endpoint changes nothing; an unknown one is a 404.
    assert_eq!(webhook_endpoints::enable(&server.db, "demo", &id, THEN + 4 * DAY).await.unwrap(), enabled);
    assert_eq!(scalar(&server, due).await, (THEN + 3 * DAY) * 1000);
    let unknown = webhook_endpoints::enable(&server.db, "demo", "whk_none", THEN).await;
    assert!(matches!(unknown, Err(lojal_server::Error::UnknownWebhook(_))), "{unknown:?}");
}

async fn a_visit_and_a_click_are_dated_at_the_now_they_are_handed(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 10_000).await;
    let code: String = sqlx::query_scalar("SELECT referral_code FROM customers WHERE shop_id = 'demo' AND id = 'anna'")
        .fetch_one(&server.db.pool)
        .await
        .unwrap();
    visit_referral::visit(&server.db, "demo", &code, THEN).await.unwrap();
    assert_eq!(scalar(&server, "SELECT at FROM referral_visits").await, THEN);
    let unknown = visit_referral::visit(&server.db, "demo", "NOPE-NOPE", THEN).await;
    assert!(matches!(unknown, Err(lojal_server::Error::UnknownReferralCode(_))), "{unknown:?}");

    record_click::record(&server.db, "demo", "anna", "oat-milk", THEN + DAY).await.unwrap();
    assert_eq!(scalar(&server, "SELECT at FROM recommendation_clicks").await, THEN + DAY);
    // A bad sku is refused and writes nothing.
    assert!(record_click::record(&server.db, "demo", "anna", "", THEN).await.is_err());
    assert_eq!(server.count("recommendation_clicks").await, 1);
}

/// `lojal-server ARGS --db URL`, run as an operator would.
fn cli(url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_lojal-server"))
        .args(args)
        .args(["--db", url])
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

fn succeeded(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The commands whose transactions now begin in `app/` (`customer export`
/// and `erase` through `app::privacy`, `shop program` through
/// `app::set_program`, `recommendations rebuild`) do what the API does.
async fn the_command_line_goes_through_the_same_use_cases(store: Store) {
    let server = server(store).await;
    let order = json!({"id": "o-1", "customer": "anna", "total": 5000, "currency": "SEK",
                       "items": [{"sku": "oat-milk", "qty": 2, "price": 2500}]});
    let placed = server.merchant(axum::http::Method::POST, "/v1/shops/demo/orders", Some(order)).await;
    assert_eq!(placed.status, axum::http::StatusCode::CREATED);
    let url = server.url.clone();

    let exported = succeeded(&cli(&url, &["customer", "export", "--shop", "demo", "--id", "anna"]));
    let exported: serde_json::Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(exported["customer"], "anna", "{exported}");
    let unknown = cli(&url, &["customer", "export", "--shop", "demo", "--id", "nobody"]);
    assert!(!unknown.status.success());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("program.json");
    let mut changed = serde_json::to_value(program()).unwrap();
    changed["earn"]["points_per_unit"] = json!(3);
    std::fs::write(&file, changed.to_string()).unwrap();
    succeeded(&cli(&url, &["shop", "program", "--id", "demo", "--file", file.to_str().unwrap()]));
    let stored = shops::find(&lojal_server::db::open(&url).await.unwrap(), "demo").await.unwrap().unwrap();
    assert_eq!(serde_json::to_value(&stored.program).unwrap()["earn"]["points_per_unit"], 3);
    // A rate for the shop's own currency is refused here as by the API.
    changed["rates"] = json!({"SEK": "1.00"});
    std::fs::write(&file, changed.to_string()).unwrap();
    let refused = cli(&url, &["shop", "program", "--id", "demo", "--file", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("own currency"));

    let rebuilt = succeeded(&cli(&url, &["recommendations", "rebuild", "--shop", "demo"]));
    assert!(rebuilt.contains("Recounted 1 orders"), "{rebuilt}");

    assert!(succeeded(&cli(&url, &["customer", "erase", "--shop", "demo", "--id", "anna"])).contains("Erased."));
    let again = succeeded(&cli(&url, &["customer", "erase", "--shop", "demo", "--id", "anna"]));
    assert!(again.contains("Nothing to erase"), "{again}");
}

/// The files under `src/{dir}` of this crate, with their text.
fn sources(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    // `dir` "" is all of `src`.
    let mut found = Vec::new();
    let mut todo = vec![root];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    assert!(!found.is_empty(), "no sources under src/{dir}");
    found
}

/// Where a transaction may begin outside `app/`: the `Db` that defines
/// it, and the two background jobs, each its own use case (the order
/// writer's group commit, the webhook worker's claims).
const BEGINS_OUTSIDE_APP: [&str; 3] = ["db.rs", "order_writer.rs", "webhooks.rs"];

#[test]
fn transactions_begin_in_use_cases_and_the_store_reads_no_clock() {
    let begins = ["begin_write(", ".begin()", "begin_with("];
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for (path, text) in sources("") {
        let relative = Path::new(&path).strip_prefix(&src).unwrap().display().to_string();
        if relative.starts_with("app/") || BEGINS_OUTSIDE_APP.contains(&relative.as_str()) {
            continue;
        }
        for begin in begins {
            assert!(!text.contains(begin), "{path} begins a transaction ({begin}): that is a use case's, in app/");
        }
    }
    for (path, text) in sources("store") {
        for read in ["clock::now(", "clock::now_ms(", "SystemTime::now(", "Utc::now(", "OffsetDateTime::now"] {
            assert!(!text.contains(read), "{path} reads the clock ({read}): the use case hands it `now`");
        }
    }
}
