//! Shops: who they are, their secret, their program and allowed origins.

use crate::db::Db;
use crate::error::{Error, Result};
use lojal_core::program::Program;
use sqlx::{AnyConnection, Row};
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

/// Writes a new shop's row and its allowed origins at `now`;
/// [`Error::ShopExists`] if its id is taken. Its id, currency and program
/// are the caller's to check (`app::add_shop`).
pub async fn add(conn: &mut AnyConnection, shop: &Shop, now: i64) -> Result<()> {
    let program = serde_json::to_string(&shop.program).expect("a program serializes");
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
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(Error::ShopExists(shop.id.clone()));
    }
    for origin in &shop.origins {
        allow_origin(conn, &shop.id, origin).await?;
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

/// Replaces the shop's program (checked by the caller: `app::set_program`).
pub async fn set_program(conn: &mut AnyConnection, id: &str, program: &Program) -> Result<()> {
    let json = serde_json::to_string(program).expect("a program serializes");
    sqlx::query("UPDATE shops SET program = $1 WHERE id = $2").bind(json).bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Lets pages on `origin` call shop `id`'s shopper API (no-op if they may).
pub async fn allow_origin(conn: &mut AnyConnection, id: &str, origin: &str) -> Result<()> {
    sqlx::query("INSERT INTO shop_origins (shop_id, origin) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(id)
        .bind(origin.trim_end_matches('/'))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A new shop secret: 32 bytes from the OS's RNG, as hex.
pub fn new_secret() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
