//! Shops: who they are, their secret, their program and allowed origins.

use crate::clock;
use crate::db::Db;
use crate::error::{Error, Result};
use lojal_core::program::Program;
use sqlx::Row;
use std::fmt;

#[derive(Clone)]
pub struct Shop {
    pub id: String,
    pub name: String,
    pub secret: String,
    pub currency: String,
    pub locale: String,
    pub program: Program,
    /// Origins (`https://shop.example`) whose pages may call the shopper API.
    pub origins: Vec<String>,
}

/// Written by hand so that the secret can never reach a log line.
impl fmt::Debug for Shop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shop")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("secret", &"<redacted>")
            .field("currency", &self.currency)
            .field("locale", &self.locale)
            .field("origins", &self.origins)
            .finish_non_exhaustive()
    }
}

impl Shop {
    /// The shop's own site, for links such as referral URLs: its first
    /// allowed origin.
    pub fn site(&self) -> Option<&str> {
        self.origins.first().map(String::as_str)
    }
}

/// Adds a shop, checked first: its id, its currency (ISO 4217, in use) and
/// its program. The secret is the caller's to check (`main.rs`), since
/// tests and benchmarks make shops with short known secrets.
pub async fn add(db: &Db, shop: &Shop) -> Result<()> {
    lojal_core::identity::validate_shop_id(&shop.id)?;
    lojal_core::currency::validate(&shop.currency)?;
    shop.program.validate()?;
    let program = serde_json::to_string(&shop.program).expect("a program serializes");
    let mut tx = db.pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO shops (id, name, secret, currency, locale, program, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&shop.id)
    .bind(&shop.name)
    .bind(&shop.secret)
    .bind(&shop.currency)
    .bind(&shop.locale)
    .bind(program)
    .bind(clock::now())
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(Error::ShopExists(shop.id.clone()));
    }
    tx.commit().await?;
    for origin in &shop.origins {
        allow_origin(db, &shop.id, origin).await?;
    }
    Ok(())
}

pub async fn find(db: &Db, id: &str) -> Result<Option<Shop>> {
    let Some(row) = sqlx::query("SELECT id, name, secret, currency, locale, program FROM shops WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
    else {
        return Ok(None);
    };
    let id: String = row.try_get("id")?;
    let program: String = row.try_get("program")?;
    let program =
        serde_json::from_str(&program).map_err(|source| Error::CorruptProgram { shop: id.clone(), source })?;
    let origins = sqlx::query_scalar("SELECT origin FROM shop_origins WHERE shop_id = $1 ORDER BY origin")
        .bind(&id)
        .fetch_all(&db.pool)
        .await?;
    Ok(Some(Shop {
        id,
        name: row.try_get("name")?,
        secret: row.try_get("secret")?,
        currency: row.try_get("currency")?,
        locale: row.try_get("locale")?,
        program,
        origins,
    }))
}

/// The shop, or the contract's 404 when there is none.
pub async fn get(db: &Db, id: &str) -> Result<Shop> {
    find(db, id).await?.ok_or_else(|| Error::UnknownShop(id.to_owned()))
}

/// Replaces the shop's program (validated first).
pub async fn set_program(db: &Db, id: &str, program: &Program) -> Result<()> {
    program.validate()?;
    let json = serde_json::to_string(program).expect("a program serializes");
    // A write transaction, so that the widget's kept views (which read as
    // much as the program shows) and other servers hear of it.
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE shops SET program = $1 WHERE id = $2").bind(json).bind(id).execute(&mut *tx).await?;
    tx.commit().await
}

/// Lets pages on `origin` call shop `id`'s shopper API (no-op if they may).
pub async fn allow_origin(db: &Db, id: &str, origin: &str) -> Result<()> {
    sqlx::query("INSERT INTO shop_origins (shop_id, origin) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(id)
        .bind(origin.trim_end_matches('/'))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// A new shop secret: 32 bytes from the OS's RNG, as hex.
pub fn new_secret() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
