//! `POST /v1/shops/{shop}/customers/{customer}/credit/spend`: the
//! merchant's checkout uses a member's store credit.

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::clock;
use crate::error::{Error, Result};
use crate::store::credit::{self, Spent};
use crate::store::members;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lojal_core::cashback::{CreditSpendReply, CreditSpendRequest};
use lojal_core::identity::CustomerId;

pub async fn spend(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_, customer)): Path<(String, String)>,
    Json(request): Json<CreditSpendRequest>,
) -> Result<(StatusCode, Json<CreditSpendReply>)> {
    request.validate()?;
    let customer = CustomerId::parse(&customer)?;
    let mut tx = state.db.begin_write().await?;
    if members::find(&mut tx, &shop.id, customer.as_str()).await?.is_none() {
        return Err(Error::UnknownCustomer(customer.as_str().to_owned()));
    }
    let spent = credit::spend(&mut tx, &shop.id, customer.as_str(), &request.id, request.amount, clock::now()).await?;
    let balance = credit::balance(&mut tx, &shop.id, customer.as_str()).await?;
    tx.commit().await?;
    let status = if spent == Spent::Now { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(CreditSpendReply { amount: request.amount, credit: balance })))
}
