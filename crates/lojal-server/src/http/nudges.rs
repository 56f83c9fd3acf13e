//! `POST /v1/shops/{shop}/nudges/{kind}/dismiss`: the shopper closed a
//! nudge; it stays away for the program's dismissal period.

use super::auth::Shopper;
use super::AppState;
use crate::app::dismiss_nudge;
use crate::clock;
use crate::error::{Error, Result};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lojal_core::nudge::NudgeKind;

pub async fn dismiss(
    State(state): State<AppState>,
    shopper: Shopper,
    Path((_shop, kind)): Path<(String, String)>,
) -> Result<StatusCode> {
    let customer = shopper.signed_in()?;
    let kind = NudgeKind::parse(&kind).ok_or_else(|| {
        Error::Invalid(lojal_core::Error::InvalidRequest(format!(
            "there is no nudge `{kind}`: abandoned_cart, expiring_points, win_back or next_tier"
        )))
    })?;
    dismiss_nudge::dismiss(&state.db, &shopper.shop, customer, kind, clock::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
