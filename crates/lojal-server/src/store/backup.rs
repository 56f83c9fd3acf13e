//! `lojal-server backup` and `restore`: a consistent copy of a live SQLite
//! database, and putting one back. PostgreSQL has its own tools for this
//! (`pg_dump -Fc`, `pg_restore`; README, "For operators").
//!
//! A backup is `VACUUM INTO` a new file: SQLite writes it from one read
//! transaction, so it holds exactly what was committed when it began, while
//! the server goes on writing (WAL). Every file written here is created with
//! mode 0600 (it holds the shops' secrets), under a temporary name beside
//! its destination, synced, then renamed over it: a crash leaves either the
//! old file or the whole new one.

use crate::db::{self, Backend};
use crate::error::{Error, Result};
use sqlx::sqlite::{SqliteConnectOptions, SqliteLockingMode};
use sqlx::{ConnectOptions, Connection};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// What a backup or restore wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// The database file written.
    pub path: PathBuf,
    pub bytes: u64,
    /// The newest migration applied to the copy.
    pub migration: i64,
}

/// Copies the SQLite database at `url` to the new file `to` (replaced only
/// with `force`) without stopping the servers that use it.
pub async fn backup(url: &str, to: &Path, force: bool) -> Result<Copied> {
    let source = sqlite_options(url, "backup", "pg_dump -Fc")?;
    let path = source.get_filename().to_owned();
    if !path.is_file() {
        return Err(Error::Operation(format!("there is no database at {}", path.display())));
    }
    refuse_same_file(&path, to)?;
    refuse_existing(to, force)?;
    // Read-write but never created: VACUUM INTO reads only, and a read-only
    // connection to a WAL database cannot always open beside the server.
    let mut conn = source
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(5))
        // A backup is one long statement, and says so itself.
        .disable_statement_logging()
        .connect()
        .await?;
    let partial = Partial::create(to)?;
    let name = partial.path.to_str().ok_or_else(|| Error::Operation(format!("{} is not UTF-8", to.display())))?;
    // The file exists and is empty (so it keeps its mode 0600): VACUUM INTO
    // accepts that.
    sqlx::query("VACUUM INTO ?").bind(name).execute(&mut conn).await?;
    conn.close().await?;
    // SQLite wrote it from its own pages: opening it and reading its schema
    // is check enough here (a full check of a 1 GB file takes minutes; the
    // restore makes it).
    let migration = check_copy(&partial.path, Check::Schema).await?;
    let bytes = partial.finish(to)?;
    Ok(Copied { path: to.to_owned(), bytes, migration })
}

/// Puts the backup `from` in place of the SQLite database at `url`, after
/// checking it (`PRAGMA integrity_check`, foreign keys, a Lojal schema no
/// newer than this binary's). An existing database is replaced only with
/// `force`, and never while another process has it open (a running server).
pub async fn restore(from: &Path, url: &str, force: bool) -> Result<Copied> {
    let target = sqlite_options(url, "restore", "pg_restore")?;
    let path = target.get_filename().to_owned();
    if !from.is_file() {
        return Err(Error::Operation(format!("there is no backup at {}", from.display())));
    }
    refuse_same_file(from, &path)?;
    let known = db::newest_migration(Backend::Sqlite);
    let found = check_copy(from, Check::Integrity).await?;
    if found > known {
        return Err(Error::DatabaseNewer { found, known });
    }
    refuse_existing(&path, force)?;
    if path.exists() {
        refuse_in_use(&target).await?;
    }
    let partial = Partial::create(&path)?;
    {
        let mut source = File::open(from).map_err(Error::io(format!("reading {}", from.display())))?;
        let mut file = &partial.file;
        std::io::copy(&mut source, &mut file).map_err(Error::io(format!("writing {}", partial.path.display())))?;
    }
    let migration = check_copy(&partial.path, Check::Schema).await?;
    // What the replaced database left beside it belongs to it: SQLite would
    // replay an old write-ahead log into the restored file.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.clone().into_os_string();
        side.push(suffix);
        match std::fs::remove_file(&side) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::Io { context: format!("removing {}", Path::new(&side).display()), source: e });
            }
            _ => {}
        }
    }
    let bytes = partial.finish(&path)?;
    Ok(Copied { path, bytes, migration })
}

/// The options of the SQLite file `url` names; a PostgreSQL URL is answered
/// with the tool to use instead.
fn sqlite_options(url: &str, command: &str, postgres_tool: &str) -> Result<SqliteConnectOptions> {
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        return Err(Error::Operation(format!(
            "`{command}` copies SQLite databases; for PostgreSQL use {postgres_tool} \
             (README, \"For operators\": backups)"
        )));
    }
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return Err(Error::Operation(format!("`{command}` needs a SQLite file: --db sqlite://PATH")));
    }
    Ok(SqliteConnectOptions::from_str(url)?)
}

/// A copy onto its own source would replace a database under the processes
/// that have it open.
fn refuse_same_file(source: &Path, copy: &Path) -> Result<()> {
    if let (Ok(a), Ok(b)) = (source.canonicalize(), copy.canonicalize()) {
        if a == b {
            return Err(Error::Operation(format!("{} is the database itself", copy.display())));
        }
    }
    Ok(())
}

fn refuse_existing(path: &Path, force: bool) -> Result<()> {
    if path.exists() && !force {
        return Err(Error::Operation(format!("{} exists; add --force to replace it", path.display())));
    }
    Ok(())
}

/// Refuses when any other connection has the database open: one in
/// exclusive locking mode cannot take its lock beside them.
async fn refuse_in_use(target: &SqliteConnectOptions) -> Result<()> {
    let mut conn = target
        .clone()
        .create_if_missing(false)
        .locking_mode(SqliteLockingMode::Exclusive)
        .busy_timeout(Duration::ZERO)
        .connect()
        .await?;
    let locked = sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await;
    let busy = match locked {
        Ok(_) => {
            sqlx::query("ROLLBACK").execute(&mut conn).await?;
            false
        }
        // SQLITE_BUSY and SQLITE_LOCKED, and their extended codes.
        Err(sqlx::Error::Database(e))
            if e.code().is_some_and(|c| matches!(c.parse::<i32>(), Ok(c) if c & 0xff == 5 || c & 0xff == 6)) =>
        {
            true
        }
        Err(e) => return Err(e.into()),
    };
    conn.close().await?;
    if busy {
        return Err(Error::Operation(format!(
            "{} is open in another process (a running lojal-server?): stop it first",
            target.get_filename().display()
        )));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// It opens as SQLite and holds a Lojal schema.
    Schema,
    /// And also `PRAGMA integrity_check` and `foreign_key_check` pass:
    /// every page is read (about a minute and a half per GB on a small VM).
    Integrity,
}

/// Checks a copy as a Lojal database, without changing it; returns its
/// newest migration (which a newer binary may have applied: a backup is
/// still taken, a restore refused).
async fn check_copy(path: &Path, check: Check) -> Result<i64> {
    let unsound = |why: String| Error::Operation(format!("{} is not a sound Lojal backup: {why}", path.display()));
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true)
        .create_if_missing(false)
        .disable_statement_logging()
        .connect()
        .await
        .map_err(|e| unsound(e.to_string()))?;
    let tables: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| unsound(e.to_string()))?;
    if tables == 0 {
        return Err(unsound("it holds no Lojal schema".to_owned()));
    }
    let found: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| unsound(e.to_string()))?;
    if check == Check::Integrity {
        let problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut conn)
            .await
            .map_err(|e| unsound(e.to_string()))?;
        if problems != ["ok"] {
            return Err(unsound(problems.into_iter().take(5).collect::<Vec<_>>().join("; ")));
        }
        let dangling = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut conn)
            .await
            .map_err(|e| unsound(e.to_string()))?
            .len();
        if dangling > 0 {
            return Err(unsound(format!("{dangling} rows refer to rows that are not there")));
        }
    }
    conn.close().await?;
    Ok(found)
}

/// A file being written under a temporary name beside its destination;
/// removed unless it was finished.
struct Partial {
    path: PathBuf,
    file: File,
    done: bool,
}

impl Partial {
    fn create(destination: &Path) -> Result<Partial> {
        let name = destination
            .file_name()
            .ok_or_else(|| Error::Operation(format!("{} names no file", destination.display())))?;
        let mut partial = name.to_owned();
        partial.push(format!(".{}.partial", std::process::id()));
        let path = destination.with_file_name(partial);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(Error::io(format!("creating {}", path.display())))?;
        Ok(Partial { path, file, done: false })
    }

    /// Syncs the file, renames it to `destination` and syncs the directory;
    /// returns its size.
    fn finish(mut self, destination: &Path) -> Result<u64> {
        let context = |what: &str| format!("{what} {}", self.path.display());
        (&self.file).flush().map_err(Error::io(context("writing")))?;
        self.file.sync_all().map_err(Error::io(context("syncing")))?;
        let bytes = self.file.metadata().map_err(Error::io(context("reading")))?.len();
        std::fs::rename(&self.path, destination).map_err(Error::io(format!(
            "renaming {} to {}",
            self.path.display(),
            destination.display()
        )))?;
        self.done = true;
        #[cfg(unix)]
        {
            let dir = match destination.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir,
                _ => Path::new("."),
            };
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(Error::io(format!("syncing the directory {}", dir.display())))?;
        }
        Ok(bytes)
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
