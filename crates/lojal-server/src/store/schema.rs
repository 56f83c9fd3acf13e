//! The database's schema against the one this binary was built for, for
//! `/readyz`: the database answers, and the migrations applied to it are
//! exactly the ones this binary carries (none pending, none unknown, none
//! changed since).

use crate::db::{Backend, Db};
use crate::error::Result;
use sqlx::migrate::Migrator;
use std::collections::BTreeMap;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// How the database's schema stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schema {
    /// Every migration this binary carries is applied, and no other.
    Current,
    /// Migration `0` of this binary is not applied (yet, or it failed).
    Pending(i64),
    /// Migration `0` is applied but this binary does not carry it: a newer
    /// server migrated the database.
    Unknown(i64),
    /// Migration `0` was applied from a different text than this binary's.
    Changed(i64),
}

/// Fails when the database does not answer.
pub async fn ping(db: &Db) -> Result<()> {
    sqlx::query("SELECT 1").execute(&db.pool).await?;
    Ok(())
}

/// How the database's schema stands against this binary's migrations.
pub async fn check(db: &Db) -> Result<Schema> {
    let migrator = match db.backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    };
    let applied: BTreeMap<i64, Vec<u8>> =
        sqlx::query_as::<_, (i64, Vec<u8>)>("SELECT version, checksum FROM _sqlx_migrations WHERE success")
            .fetch_all(&db.pool)
            .await?
            .into_iter()
            .collect();
    let mut known = BTreeMap::new();
    for migration in migrator.iter().filter(|m| !m.migration_type.is_down_migration()) {
        known.insert(migration.version, &*migration.checksum);
    }
    if let Some(version) = applied.keys().find(|v| !known.contains_key(v)) {
        return Ok(Schema::Unknown(*version));
    }
    for (version, checksum) in known {
        match applied.get(&version) {
            None => return Ok(Schema::Pending(version)),
            Some(found) if found.as_slice() != checksum => return Ok(Schema::Changed(version)),
            Some(_) => {}
        }
    }
    Ok(Schema::Current)
}
