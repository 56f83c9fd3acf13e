//! `POST /v1/shops/{shop}/orders` and `POST .../orders/{id}/refund`.

use super::auth::Merchant;
use super::json::{self, Json};
use super::AppState;
use crate::app::{ingest_order, refund};
use crate::clock;
use crate::error::Result;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lojal_core::api::{OrderReply, RefundReply};
use lojal_core::requests::{OrderRequest, RefundRequest};

pub async fn create(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Json(order): Json<OrderRequest>,
) -> Result<(StatusCode, Json<OrderReply>)> {
    let shop_id = shop.id.clone();
    let ingested = ingest_order::ingest(&state.orders, &state.db, shop, order, clock::now()).await?;
    if ingested.counted {
        // Its items changed the co-occurrence counts picks are made from.
        state.models.changed(&shop_id);
        state.telemetry.order_ingested(&shop_id);
    }
    let status = if ingested.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(ingested.reply)))
}

pub async fn refund(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, order_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<RefundReply>> {
    // The body is optional: no body refunds what is left of the order.
    let request: RefundRequest = json::parse_or_default(&body)?;
    Ok(Json(refund::refund(&state.db, &shop, &order_id, &request, clock::now()).await?))
}
