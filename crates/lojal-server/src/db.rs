//! Opening the database and bringing its schema up to date.
//!
//! Queries run through sqlx's `Any` driver with `$1`-style parameters, which
//! SQLite and PostgreSQL both read, so one query text serves both. Each
//! backend has its own migration folder for the few places their SQL differs
//! (identity columns, triggers).

use crate::error::{Error, Result};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

/// Opens `url` (`sqlite://PATH`, created if missing, or `postgres://...`)
/// and runs any pending migrations. Migrations only go forward: a database
/// that a newer binary has migrated beyond what this one knows is refused
/// ([`Error::DatabaseNewer`]) before anything is changed.
pub async fn open(url: &str) -> Result<Db> {
    sqlx::any::install_default_drivers();
    let (url, backend) = if let Some(rest) = url.strip_prefix("sqlite:") {
        let created = if rest.contains("mode=") {
            url.to_owned()
        } else if rest.contains('?') {
            format!("{url}&mode=rwc")
        } else {
            format!("{url}?mode=rwc")
        };
        (created, Backend::Sqlite)
    } else {
        (url.to_owned(), Backend::Postgres)
    };
    let options = AnyConnectOptions::from_str(&url)?;
    let pool = AnyPoolOptions::new()
        // SQLite takes one writer at a time; a few connections serve reads
        // beside it without piling up on the write lock.
        .max_connections(if backend == Backend::Sqlite { 4 } else { 16 })
        // A running server always holds a connection to its SQLite file, so
        // `lojal-server restore` can tell that it is in use even when idle.
        .min_connections(if backend == Backend::Sqlite { 1 } else { 0 })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers run beside the writer; busy_timeout makes
                    // a writer wait for the lock instead of failing at once;
                    // foreign keys are off by default in SQLite; FULL (SQLite's
                    // default, stated so it stays) syncs the WAL at every commit,
                    // so an acknowledged order survives a power cut. A page cache
                    // of 64 MiB per connection instead of SQLite's 2 MiB keeps
                    // a large shop's hot indexes in memory (the scale
                    // benchmark lost 40% of its throughput past 10k members
                    // without it).
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;
                         PRAGMA cache_size = -65536; PRAGMA synchronous = FULL;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    let known = newest_migration(backend);
    let found = applied_migration(&pool, backend).await?;
    if found > known {
        return Err(Error::DatabaseNewer { found, known });
    }
    // Another process may migrate between the check and here (a rolling
    // upgrade starting a newer binary beside this one): sqlx then finds an
    // applied migration it does not carry.
    migrator(backend).run(&pool).await.map_err(|e| match e {
        MigrateError::VersionMissing(found) if found > known => Error::DatabaseNewer { found, known },
        e => e.into(),
    })?;
    Ok(Db { pool, backend })
}

fn migrator(backend: Backend) -> Migrator {
    match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
    }
}

/// The newest migration this binary carries for `backend`.
pub fn newest_migration(backend: Backend) -> i64 {
    migrator(backend).iter().map(|m| m.version).max().unwrap_or(0)
}

/// The newest migration applied to the database behind `pool` (0 for a new
/// database): more than [`newest_migration`] means a newer binary was here.
pub async fn applied_migration(pool: &AnyPool, backend: Backend) -> Result<i64> {
    let exists = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
        }
    };
    let tables: i64 = sqlx::query_scalar(exists).fetch_one(pool).await?;
    if tables == 0 {
        return Ok(0);
    }
    Ok(sqlx::query_scalar("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await?)
}

impl Db {
    /// Starts a transaction that will write. On SQLite it takes the write
    /// lock up front (`BEGIN IMMEDIATE`): a deferred transaction that reads
    /// first cannot later upgrade to a writer once another connection has
    /// committed, and would fail instead of waiting its turn.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }
}

/// Starts a write transaction, as [`Db::begin_write`] does, on a connection
/// the caller already holds: a read path that now and then writes (the
/// widget issuing a win-back code) must not wait for a second connection
/// from the pool while holding one, or a burst of such requests could hold
/// every connection and wait for each other.
pub async fn begin_write_on(conn: &mut AnyConnection) -> Result<sqlx::Transaction<'_, sqlx::Any>> {
    // The Any driver names its backend; "SQLite" is sqlx's name for it.
    Ok(if conn.backend_name() == "SQLite" { conn.begin_with("BEGIN IMMEDIATE").await? } else { conn.begin().await? })
}
