//! A database that already holds a program's history, migrated by this
//! server: migration 0013 fixes each earlier credit's expiry by the shop's
//! rule (clamped to the month's end as the server does), notes when the
//! members' points next expire, and the ledger audit passes afterwards.

use crate::on_each_backend;
use crate::support::{fresh_postgres_database, Store};
use lojal_core::expiry::add_months;
use lojal_server::db::{self, Backend};
use lojal_server::store::audit;
use sqlx::any::AnyPoolOptions;
use std::borrow::Cow;

on_each_backend!(migrating_a_database_with_history_fixes_each_credits_expiry);

const JAN_31_2024_10H: i64 = 1_706_695_200; // 2024-01-31T10:00:00Z

async fn migrating_a_database_with_history_fixes_each_credits_expiry(store: Store) {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    let (url, backend) = match store {
        Store::Sqlite => (format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display()), Backend::Sqlite),
        Store::Postgres(admin) => (fresh_postgres_database(&admin).await, Backend::Postgres),
    };
    // The schema as the release before 0013 left it.
    let pool = AnyPoolOptions::new().max_connections(1).connect(&url).await.unwrap();
    let mut migrator = match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
    };
    migrator.migrations = Cow::Owned(migrator.migrations.iter().filter(|m| m.version < 13).cloned().collect());
    migrator.run(&pool).await.unwrap();
    let program = r#"{"earn": {"points_per_unit": 1}, "tiers": [], "rewards": [], "expiry": {"after_months": 1}}"#;
    for statement in [
        format!(
            "INSERT INTO shops (id, name, secret, currency, locale, program, created_at)
             VALUES ('demo', 'Demo', 's3cret', 'SEK', 'sv', '{program}', 0)"
        ),
        "INSERT INTO customers (shop_id, id, referral_code, points, lifetime_points, created_at)
         VALUES ('demo', 'anna', 'R1', 100, 100, 0)"
            .to_owned(),
        format!(
            "INSERT INTO ledger (shop_id, customer_id, delta, reason, order_id, at)
             VALUES ('demo', 'anna', 100, 'earn', 'o-1', {JAN_31_2024_10H})"
        ),
    ] {
        sqlx::query(&statement).execute(&pool).await.unwrap();
    }
    pool.close().await;

    let db = db::open(&url).await.unwrap();
    let (expires_at, next): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT l.expires_at, c.next_expiry_at FROM ledger l JOIN customers c ON c.shop_id = l.shop_id AND c.id = l.customer_id",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    // 31 January + 1 month is 29 February (2024 is a leap year), 10:00.
    assert_eq!(expires_at, Some(add_months(JAN_31_2024_10H, 1)));
    assert_eq!(expires_at, Some(1_709_200_800));
    assert_eq!(next, expires_at, "the member's next expiry is noted, so the next read settles it");
    let report = audit::verify(&db, None, lojal_server::clock::now()).await.unwrap();
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}
