//! `POST /v1/shops/{shop}/customers/{customer}/credit/spend`: the
//! merchant's checkout uses a member's store credit.

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::app::spend_credit;
use crate::clock;
use crate::error::Result;
use crate::store::credit::Spent;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lojal_core::cashback::{CreditSpendReply, CreditSpendRequest};

pub async fn spend(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_, customer)): Path<(String, String)>,
    Json(request): Json<CreditSpendRequest>,
) -> Result<(StatusCode, Json<CreditSpendReply>)> {
    let (spent, credit) = spend_credit::spend(&state.db, &shop, &customer, &request, clock::now()).await?;
    let status = if spent == Spent::Now { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(CreditSpendReply { amount: request.amount, credit })))
}
