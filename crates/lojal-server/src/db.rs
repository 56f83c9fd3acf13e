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
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// Where the database is, for [`Db::watch_other_writers`]'s own
    /// connection; never printed (it may carry a password).
    url: Arc<str>,
    /// How many write transactions this process has committed (and, on
    /// PostgreSQL, learnt of from the others): what the caches of read
    /// facts are keyed by, so a cached read never outlives a write.
    writes: Arc<AtomicU64>,
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
        // A SQLite connection is a file handle that cannot go stale: no
        // round trip to test it each time one is taken from the pool.
        .test_before_acquire(backend == Backend::Postgres)
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
    Ok(Db { pool, backend, url: Arc::from(url.as_str()), writes: Arc::default() })
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

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("backend", &self.backend).field("generation", &self.generation()).finish()
    }
}

/// The channel every write transaction notifies on PostgreSQL.
const WRITES_CHANNEL: &str = "lojal_writes";
/// How often a SQLite database is asked whether another process wrote.
const SQLITE_WATCH_EVERY: Duration = Duration::from_millis(10);

impl Db {
    /// Starts a transaction that will write. On SQLite it takes the write
    /// lock up front (`BEGIN IMMEDIATE`): a deferred transaction that reads
    /// first cannot later upgrade to a writer once another connection has
    /// committed, and would fail instead of waiting its turn.
    pub async fn begin_write(&self) -> Result<WriteTx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, writes: Arc::clone(&self.writes), notify: self.backend == Backend::Postgres })
    }

    /// The count of committed writes, read before a read whose result is
    /// kept: if it is still the same when the result is used, nothing was
    /// committed in between (see [`WriteTx::commit`]).
    pub fn generation(&self) -> u64 {
        self.writes.load(Ordering::Acquire)
    }

    /// Counts a write committed outside [`WriteTx`] on this process's own
    /// pool (raw SQL, as tests age rows with), which the watcher would
    /// otherwise hear of only at its next look.
    pub fn note_write(&self) {
        self.writes.fetch_add(1, Ordering::AcqRel);
    }

    /// Keeps [`Db::generation`] moving with the writes of other processes
    /// (another server on the same PostgreSQL, a `lojal-server` command on
    /// the same SQLite file, an operator's SQL), in a task that lives as
    /// long as this `Db`. PostgreSQL: every write transaction notifies
    /// `lojal_writes` as it commits, and a listener counts each
    /// notification. SQLite: `PRAGMA data_version`, which moves with every
    /// commit by any other connection, asked every 10 ms on a connection of
    /// its own. Whenever the watcher cannot tell (not connected yet, lost
    /// its connection), it counts a write each time it looks, so nothing
    /// kept is trusted meanwhile.
    pub fn watch_other_writers(&self) {
        let writes = Arc::downgrade(&self.writes);
        let (url, backend) = (Arc::clone(&self.url), self.backend);
        tokio::spawn(async move {
            loop {
                let watched = match backend {
                    Backend::Postgres => listen(&url, &writes).await,
                    Backend::Sqlite => poll_data_version(&url, &writes).await,
                };
                let Some(writes) = writes.upgrade() else { return };
                if let Err(error) = watched {
                    tracing::warn!(%error, "watching for other processes' writes");
                }
                writes.fetch_add(1, Ordering::AcqRel);
                tokio::time::sleep(SQLITE_WATCH_EVERY).await;
            }
        });
    }
}

/// Counts every notification on [`WRITES_CHANNEL`] until the `Db` is gone
/// (`Ok`) or the connection fails.
async fn listen(url: &str, writes: &Weak<AtomicU64>) -> Result<()> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    // Reconnecting is ours to do (then the caller counts a write for what
    // may have been missed meanwhile), not hidden inside `try_recv`.
    listener.eager_reconnect(false);
    listener.listen(WRITES_CHANNEL).await?;
    // Writes before the `LISTEN` took hold were not heard: count them.
    count_write(writes);
    loop {
        let heard = listener.try_recv();
        tokio::pin!(heard);
        // Look each second whether the `Db` still lives, without cancelling
        // the receive (a cancelled one could lose a notification).
        let heard = loop {
            tokio::select! {
                heard = &mut heard => break heard,
                () = tokio::time::sleep(Duration::from_secs(1)) => {
                    if writes.strong_count() == 0 {
                        return Ok(());
                    }
                }
            }
        };
        match heard? {
            Some(_) => count_write(writes),
            // The connection is gone: the caller counts a write and listens again.
            None => return Err(Error::Operation("the LISTEN connection closed".into())),
        }
    }
}

fn count_write(writes: &Weak<AtomicU64>) {
    if let Some(writes) = writes.upgrade() {
        writes.fetch_add(1, Ordering::AcqRel);
    }
}

/// Counts a write whenever SQLite's `data_version` moves, until the `Db` is
/// gone (`Ok`) or the connection fails.
async fn poll_data_version(url: &str, writes: &Weak<AtomicU64>) -> Result<()> {
    let mut conn = AnyConnection::connect(url).await?;
    let mut seen = data_version(&mut conn).await?;
    // Commits before this first look were not seen: count them.
    count_write(writes);
    loop {
        tokio::time::sleep(SQLITE_WATCH_EVERY).await;
        let Some(writes) = writes.upgrade() else { return Ok(()) };
        let version = data_version(&mut conn).await?;
        if version != seen {
            seen = version;
            writes.fetch_add(1, Ordering::AcqRel);
        }
    }
}

async fn data_version(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("PRAGMA data_version").fetch_one(conn).await?)
}

/// A write transaction that counts itself in [`Db::generation`] once it has
/// committed. The count moves after the commit, never before: a reader that
/// saw the old count may have read the old rows, and its result is then
/// discarded; a reader that saw the new count read after the commit.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    writes: Arc<AtomicU64>,
    /// Whether to tell other processes (PostgreSQL: `NOTIFY`, delivered
    /// with the commit and only if it commits).
    notify: bool,
}

impl WriteTx {
    pub async fn commit(mut self) -> Result<()> {
        if self.notify {
            sqlx::query("SELECT pg_notify($1, '')").bind(WRITES_CHANNEL).execute(&mut *self.tx).await?;
        }
        self.tx.commit().await?;
        self.writes.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        Ok(self.tx.rollback().await?)
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}
