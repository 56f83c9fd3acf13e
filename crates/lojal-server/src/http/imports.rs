//! `POST /v1/shops/{shop}/imports/members` and `.../imports/orders`: an
//! existing program's members (opening balances) and past orders, as CSV
//! (`Content-Type: text/csv`); `?dry_run=true` checks and writes nothing,
//! `?skip_bad_rows=true` imports the good rows and lists the bad, `?name=`
//! names the import on the ledger rows, `?earn=true` (orders) earns points.

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::app::import::{self as imports, Options, Report};
use crate::clock;
use crate::error::{Error, Result};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    skip_bad_rows: bool,
    name: Option<String>,
    #[serde(default)]
    earn: bool,
}

impl ImportQuery {
    fn options(self, now: i64) -> Options {
        Options {
            name: self.name.unwrap_or_else(|| default_name(now)),
            dry_run: self.dry_run,
            skip_bad_rows: self.skip_bad_rows,
            earn: self.earn,
        }
    }
}

/// `import 2026-03-01`: the day it ran, when the merchant names none.
pub fn default_name(now: i64) -> String {
    let (y, m, d) = lojal_core::expiry::civil_from_unix(now);
    format!("import {y:04}-{m:02}-{d:02}")
}

fn csv_body(headers: &HeaderMap) -> Result<()> {
    let kind = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = kind.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("text/csv") {
        Ok(())
    } else {
        Err(Error::NotCsv)
    }
}

pub async fn members(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Report>> {
    csv_body(&headers)?;
    let now = clock::now();
    let options = query.options(now);
    Ok(Json(imports::members(&state.db, &shop.id, &shop.program, &body, &options, now).await?))
}

pub async fn orders(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Report>> {
    csv_body(&headers)?;
    let now = clock::now();
    let options = query.options(now);
    let report = imports::orders(&state.db, &shop.id, &shop.currency, &shop.program, &body, &options, now).await?;
    if report.imported > 0 && !options.dry_run {
        state.models.changed(&shop.id);
    }
    Ok(Json(report))
}
