//! Webhook endpoints: `POST/GET /v1/shops/{shop}/webhooks`, `DELETE
//! .../webhooks/{id}`, `POST .../webhooks/{id}/enable`, `GET
//! .../webhooks/{id}/attempts`, `GET .../webhooks/events` and `POST
//! .../webhooks/events/{event_id}/resend`. The secret is in the answer to
//! the registration only.

use super::auth::Merchant;
use super::json::Json;
use super::AppState;
use crate::app::webhook_endpoints::{self, NewEndpoint};
use crate::clock;
use crate::error::{Error, Result};
use crate::store::webhooks::{self, Endpoint};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use lojal_core::api::{
    Webhook, WebhookAttempt, WebhookAttempts, WebhookCreated, WebhookDelivery, WebhookEventSummary, WebhookEvents,
    WebhookList, WebhookResendReply,
};
use lojal_core::Error as Invalid;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    url: String,
    events: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Limit {
    limit: Option<i64>,
}

impl Limit {
    fn get(&self) -> Result<i64> {
        let limit = self.limit.unwrap_or(100);
        if !(1..=500).contains(&limit) {
            return Err(Error::Invalid(Invalid::InvalidRequest("limit must be 1 to 500".into())));
        }
        Ok(limit)
    }
}

pub fn endpoint_view(endpoint: Endpoint) -> Webhook {
    Webhook {
        id: endpoint.id,
        url: endpoint.url,
        events: endpoint.events,
        enabled: endpoint.disabled_at.is_none(),
        created_at: clock::rfc3339(endpoint.created_at),
        disabled_at: endpoint.disabled_at.map(clock::rfc3339),
        disabled_reason: endpoint.disabled_reason,
        pending: endpoint.pending,
    }
}

pub async fn create(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Json(body): Json<NewWebhook>,
) -> Result<(StatusCode, Json<WebhookCreated>)> {
    let endpoint = NewEndpoint::checked(body.url, body.events)?;
    let created = webhook_endpoints::add(&state.db, &shop.id, &endpoint, clock::now()).await?;
    let view = WebhookCreated { webhook: endpoint_view(created.endpoint), secret: created.secret };
    Ok((StatusCode::CREATED, Json(view)))
}

pub async fn list(State(state): State<AppState>, Merchant(shop): Merchant) -> Result<Json<WebhookList>> {
    let mut conn = state.db.pool.acquire().await?;
    let endpoints = webhooks::list(&mut conn, &shop.id).await?;
    Ok(Json(WebhookList { webhooks: endpoints.into_iter().map(endpoint_view).collect() }))
}

pub async fn remove(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    webhook_endpoints::remove(&state.db, &shop.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn enable(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, id)): Path<(String, String)>,
) -> Result<Json<Webhook>> {
    Ok(Json(endpoint_view(webhook_endpoints::enable(&state.db, &shop.id, &id, clock::now()).await?)))
}

pub async fn attempts(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, id)): Path<(String, String)>,
    Query(limit): Query<Limit>,
) -> Result<Json<WebhookAttempts>> {
    let limit = limit.get()?;
    let mut conn = state.db.pool.acquire().await?;
    let attempts = webhooks::attempts(&mut conn, &shop.id, &id, limit).await?;
    let attempts = attempts
        .into_iter()
        .map(|a| WebhookAttempt {
            ok: a.error.is_none(),
            event_id: a.event_id,
            event_type: a.event_type,
            at: clock::rfc3339(a.at),
            status: a.status,
            duration_ms: a.duration_ms,
            error: a.error,
        })
        .collect();
    Ok(Json(WebhookAttempts { attempts }))
}

pub async fn events(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Query(limit): Query<Limit>,
) -> Result<Json<WebhookEvents>> {
    let limit = limit.get()?;
    let mut conn = state.db.pool.acquire().await?;
    let events = webhooks::events(&mut conn, &shop.id, limit).await?;
    let events = events
        .into_iter()
        .map(|e| WebhookEventSummary {
            id: e.id,
            event_type: e.event_type,
            customer: e.customer,
            created_at: clock::rfc3339(e.created_at),
            deliveries: e
                .deliveries
                .into_iter()
                .map(|d| WebhookDelivery {
                    endpoint_id: d.endpoint_id,
                    state: d.state,
                    attempts: d.attempts,
                    last_error: d.last_error,
                })
                .collect(),
        })
        .collect();
    Ok(Json(WebhookEvents { events }))
}

pub async fn resend(
    State(state): State<AppState>,
    Merchant(shop): Merchant,
    Path((_shop, event_id)): Path<(String, String)>,
) -> Result<(StatusCode, Json<WebhookResendReply>)> {
    let endpoints = webhook_endpoints::resend(&state.db, &shop.id, &event_id, clock::now()).await?;
    Ok((StatusCode::ACCEPTED, Json(WebhookResendReply { event_id, endpoints })))
}
