//! `POST /v1/shops/{shop}/referrals/{code}/visits`: a visit through a
//! member's referral link (guests allowed: they are who it is for).

use super::auth::Shopper;
use super::AppState;
use crate::app::visit_referral;
use crate::clock;
use crate::error::Result;
use axum::extract::{Path, State};
use axum::http::StatusCode;

pub async fn visit(
    State(state): State<AppState>,
    shopper: Shopper,
    Path((_shop, code)): Path<(String, String)>,
) -> Result<StatusCode> {
    visit_referral::visit(&state.db, &shopper.shop.id, &code, clock::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
