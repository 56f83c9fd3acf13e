//! A person's data for the merchant to hand over or erase:
//! `GET .../customers/{customer}/export`, `DELETE .../customers/{customer}`,
//! and the members as a spreadsheet, `GET .../members.csv`.

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::app;
use crate::clock;
use crate::error::Result;
use crate::store::privacy;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use lojal_core::privacy::{ErasureReply, PersonalData};

pub async fn export(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, customer)): Path<(String, String)>,
) -> Result<Json<PersonalData>> {
    Ok(Json(app::privacy::export(&state.db, &shop, &customer, clock::now()).await?))
}

pub async fn erase(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, customer)): Path<(String, String)>,
) -> Result<Json<ErasureReply>> {
    let erased = app::privacy::erase(&state.db, &shop, &customer).await?;
    if erased {
        // Which shop, never whom: the id is what was erased.
        tracing::info!(shop = %shop.id, "a member was erased");
    }
    Ok(Json(ErasureReply { customer, erased }))
}

pub async fn members_csv(State(state): State<AppState>, Merchant(shop): Merchant) -> Result<impl IntoResponse> {
    let mut conn = state.db.pool.acquire().await?;
    let csv = privacy::members_csv(&mut conn, &shop).await?;
    let disposition = format!("attachment; filename=\"{}-members.csv\"", shop.id);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        csv,
    ))
}
