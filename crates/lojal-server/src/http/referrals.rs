//! `POST /v1/shops/{shop}/referrals/{code}/visits`: a visit through a
//! member's referral link (guests allowed: they are who it is for).

use super::auth::Shopper;
use super::AppState;
use crate::clock;
use crate::error::Result;
use crate::store::referrals;
use axum::extract::{Path, State};
use axum::http::StatusCode;

pub async fn visit(
    State(state): State<AppState>,
    shopper: Shopper,
    Path((_shop, code)): Path<(String, String)>,
) -> Result<StatusCode> {
    let mut conn = state.db.pool.acquire().await?;
    referrals::visit(&mut conn, &shopper.shop.id, &code, clock::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
