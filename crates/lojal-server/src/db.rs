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
    /// How many writes this process has committed or learnt of from other
    /// processes: what the caches of read facts are keyed by, so a cached
    /// read never outlives a write.
    counts: Arc<WriteCounts>,
}

/// The two counts a cache can be keyed by.
#[derive(Debug, Default)]
struct WriteCounts {
    /// Every committed write.
    writes: AtomicU64,
    /// Writes that changed a shop (its program, origins, secrets): what
    /// the shop cache is keyed by, so it is not emptied by every order.
    shops: AtomicU64,
}

impl WriteCounts {
    fn count(&self, shops_too: bool) {
        self.writes.fetch_add(1, Ordering::AcqRel);
        if shops_too {
            self.shops.fetch_add(1, Ordering::AcqRel);
        }
    }
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
    Ok(Db { pool, backend, url: Arc::from(url.as_str()), counts: Arc::default() })
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
/// The channel a write transaction that changed a shop also notifies.
const SHOPS_CHANNEL: &str = "lojal_shops";
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
        Ok(WriteTx {
            tx,
            counts: Arc::clone(&self.counts),
            backend: self.backend,
            changes_shop: false,
            changes_no_view: false,
        })
    }

    /// The count of committed writes, read before a read whose result is
    /// kept: if it is still the same when the result is used, nothing was
    /// committed in between (see [`WriteTx::commit`]).
    pub fn generation(&self) -> u64 {
        self.counts.writes.load(Ordering::Acquire)
    }

    /// The count of committed writes that changed a shop
    /// ([`WriteTx::changes_shop`]), here or in another process: what the
    /// shop cache is keyed by, like [`Db::generation`] for the views.
    pub fn shops_generation(&self) -> u64 {
        self.counts.shops.load(Ordering::Acquire)
    }

    /// Counts a write committed outside [`WriteTx`] on this process's own
    /// pool (raw SQL, as tests age rows with), which the watcher would
    /// otherwise hear of only at its next look.
    pub fn note_write(&self) {
        self.counts.count(true);
    }

    /// Keeps [`Db::generation`] moving with the writes of other processes
    /// (another server on the same PostgreSQL, a `lojal-server` command on
    /// the same SQLite file), in a task that lives as
    /// long as this `Db`. PostgreSQL: every write transaction notifies
    /// `lojal_writes` as it commits (and `lojal_shops` if it changed a
    /// shop), and a listener counts each notification. SQLite: every write
    /// transaction moves the counts in `write_marks` as it commits, read
    /// every 10 ms on a connection of its own (this process's own writes
    /// are counted twice, which costs a kept read, never a stale one).
    /// Writes outside [`WriteTx`] (the picks shown, recorded for the
    /// merchant's metrics) change no view and are not counted. Whenever the
    /// watcher cannot tell (not connected yet, lost its connection), it
    /// counts a write each time it looks, so nothing kept is trusted
    /// meanwhile.
    pub fn watch_other_writers(&self) {
        let writes = Arc::downgrade(&self.counts);
        let (url, backend) = (Arc::clone(&self.url), self.backend);
        tokio::spawn(async move {
            loop {
                let watched = match backend {
                    Backend::Postgres => listen(&url, &writes).await,
                    Backend::Sqlite => poll_write_marks(&url, &writes).await,
                };
                let Some(writes) = writes.upgrade() else { return };
                if let Err(error) = watched {
                    tracing::warn!(%error, "watching for other processes' writes");
                }
                writes.count(true);
                tokio::time::sleep(SQLITE_WATCH_EVERY).await;
            }
        });
    }
}

/// Counts every notification on [`WRITES_CHANNEL`] and [`SHOPS_CHANNEL`]
/// until the `Db` is gone (`Ok`) or the connection fails.
async fn listen(url: &str, writes: &Weak<WriteCounts>) -> Result<()> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    // Reconnecting is ours to do (then the caller counts a write for what
    // may have been missed meanwhile), not hidden inside `try_recv`.
    listener.eager_reconnect(false);
    listener.listen_all([WRITES_CHANNEL, SHOPS_CHANNEL]).await?;
    // Writes before the `LISTEN` took hold were not heard: count them.
    count_write(writes, true);
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
            Some(notification) if notification.channel() == SHOPS_CHANNEL => {
                if let Some(counts) = writes.upgrade() {
                    counts.shops.fetch_add(1, Ordering::AcqRel);
                }
            }
            Some(_) => count_write(writes, false),
            // The connection is gone: the caller counts a write and listens again.
            None => return Err(Error::Operation("the LISTEN connection closed".into())),
        }
    }
}

fn count_write(writes: &Weak<WriteCounts>, shops_too: bool) {
    if let Some(writes) = writes.upgrade() {
        writes.count(shops_too);
    }
}

/// Counts the writes and shop changes `write_marks` shows since the last
/// look, until the `Db` is gone (`Ok`) or the connection fails.
async fn poll_write_marks(url: &str, writes: &Weak<WriteCounts>) -> Result<()> {
    let mut conn = AnyConnection::connect(url).await?;
    let mut seen = write_marks(&mut conn).await?;
    // Commits before this first look were not seen: count them.
    count_write(writes, true);
    loop {
        tokio::time::sleep(SQLITE_WATCH_EVERY).await;
        let Some(writes) = writes.upgrade() else { return Ok(()) };
        let marks = write_marks(&mut conn).await?;
        if marks != seen {
            writes.count(marks.1 != seen.1);
            seen = marks;
        }
    }
}

/// (writes, shop changes) committed through [`WriteTx`] by any process.
async fn write_marks(conn: &mut AnyConnection) -> Result<(i64, i64)> {
    Ok(sqlx::query_as("SELECT writes, shop_changes FROM write_marks WHERE id = 1").fetch_one(conn).await?)
}

/// A write transaction that counts itself in [`Db::generation`] once it has
/// committed. The count moves after the commit, never before: a reader that
/// saw the old count may have read the old rows, and its result is then
/// discarded; a reader that saw the new count read after the commit.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    counts: Arc<WriteCounts>,
    /// How other processes are told, with the commit and only if it
    /// commits: PostgreSQL's `NOTIFY`, SQLite's `write_marks`.
    backend: Backend,
    changes_shop: bool,
    changes_no_view: bool,
}

impl WriteTx {
    /// Marks this transaction as changing a shop (what [`Shop`] holds:
    /// its program, origins, secrets), so every process's shop cache reads
    /// it again once it commits.
    ///
    /// [`Shop`]: crate::store::shops::Shop
    pub fn changes_shop(&mut self) {
        self.changes_shop = true;
    }

    /// Marks this transaction as writing only what no view or shop reads
    /// (a click on a pick, a visit through a referral link: figures for
    /// the merchant), so it leaves every kept read standing. A shopper's
    /// clicks would otherwise empty every kept view of every shop.
    pub fn changes_no_view(&mut self) {
        self.changes_no_view = true;
    }

    pub async fn commit(mut self) -> Result<()> {
        if self.changes_no_view && !self.changes_shop {
            return Ok(self.tx.commit().await?);
        }
        match self.backend {
            Backend::Postgres => {
                sqlx::query("SELECT pg_notify($1, '')").bind(WRITES_CHANNEL).execute(&mut *self.tx).await?;
                if self.changes_shop {
                    sqlx::query("SELECT pg_notify($1, '')").bind(SHOPS_CHANNEL).execute(&mut *self.tx).await?;
                }
            }
            Backend::Sqlite => {
                sqlx::query(
                    "UPDATE write_marks SET writes = writes + 1, shop_changes = shop_changes + $1 WHERE id = 1",
                )
                .bind(i64::from(self.changes_shop))
                .execute(&mut *self.tx)
                .await?;
            }
        }
        self.tx.commit().await?;
        self.counts.count(self.changes_shop);
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
