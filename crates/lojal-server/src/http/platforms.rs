//! `POST /v1/shops/{shop}/platforms/shopify` and `.../woocommerce`: the
//! platforms' own webhook deliveries. No bearer token: the platform signs
//! the raw body with the shop's secret for it, checked (in constant time)
//! before anything is parsed or written.

use super::json::Json;
use super::AppState;
use crate::clock;
use crate::error::{Error, Result};
use crate::store::platforms::{self, Outcome};
use crate::store::shops::Shop;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use lojal_core::platforms::{self as core, shopify, woocommerce, Action, DeliveryReply, Platform};

pub async fn shopify(
    State(state): State<AppState>,
    Path(shop): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<DeliveryReply>> {
    let shop = Shop::clone(&*state.shops.get(&state.db, &shop).await?);
    let topic =
        verified_topic(&state, &shop, Platform::Shopify, &headers, &body, "x-shopify-hmac-sha256", "x-shopify-topic")
            .await?;
    let actions = shopify::actions(&topic, &body, &shop.currency)?;
    deliver(&state, &shop, Platform::Shopify, actions).await
}

pub async fn woocommerce(
    State(state): State<AppState>,
    Path(shop): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<DeliveryReply>> {
    let shop = Shop::clone(&*state.shops.get(&state.db, &shop).await?);
    // The ping WooCommerce sends when a webhook is made is a form body,
    // neither signed nor with a topic; it is answered and changes nothing.
    if !headers.contains_key("x-wc-webhook-signature")
        && !headers.contains_key("x-wc-webhook-topic")
        && woocommerce::is_ping(&body)
    {
        return Ok(Json(DeliveryReply { result: "ping".into(), order_id: None, points_awarded: None, reason: None }));
    }
    let topic = verified_topic(
        &state,
        &shop,
        Platform::WooCommerce,
        &headers,
        &body,
        "x-wc-webhook-signature",
        "x-wc-webhook-topic",
    )
    .await?;
    let actions = woocommerce::actions(&topic, &body, &shop.currency)?;
    deliver(&state, &shop, Platform::WooCommerce, actions).await
}

/// The delivery's topic, once its signature holds under the shop's secret
/// for the platform (401 otherwise: no secret set, no or a wrong signature).
async fn verified_topic(
    state: &AppState,
    shop: &Shop,
    platform: Platform,
    headers: &HeaderMap,
    body: &[u8],
    signature_header: &str,
    topic_header: &str,
) -> Result<String> {
    let secret = platforms::secret(&state.db, &shop.id, platform).await?.ok_or(Error::PlatformUnverified(platform))?;
    let signature =
        headers.get(signature_header).and_then(|v| v.to_str().ok()).ok_or(Error::PlatformUnverified(platform))?;
    if !core::verify(secret.expose(), body, signature) {
        return Err(Error::PlatformUnverified(platform));
    }
    let topic = headers
        .get(topic_header)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Error::BadRequest(format!("the {topic_header} header is missing")))?;
    Ok(topic.to_owned())
}

/// Applies the delivery's actions in one write transaction. An order whose
/// Lojal codes cannot be used still earns (the codes are left as they
/// are); an order that earned before with other contents (a platform edit)
/// is answered as done: it earns once.
async fn deliver(
    state: &AppState,
    shop: &Shop,
    platform: Platform,
    mut actions: Vec<Action>,
) -> Result<Json<DeliveryReply>> {
    let outcomes = match apply_all(state, shop, platform, &actions).await {
        Err(
            Error::CodeNotFound(_)
            | Error::CodeUsed { .. }
            | Error::CodeVoid(_)
            | Error::CodeExpired(_)
            | Error::CodeOverShare { .. },
        ) => {
            tracing::warn!(shop = %shop.id, platform = platform.as_str(), "an order's Lojal code could not be used; it earns without it");
            for action in &mut actions {
                if let Action::Earn(order) = action {
                    order.codes.clear();
                }
            }
            apply_all(state, shop, platform, &actions).await
        }
        other => other,
    };
    let outcomes = match outcomes {
        Err(Error::OrderConflict(id)) => {
            let reason = "this order earned before with other contents; it earns once".to_owned();
            let reply = DeliveryReply {
                result: "ignored".into(),
                order_id: Some(id),
                points_awarded: None,
                reason: Some(reason),
            };
            return Ok(Json(reply));
        }
        other => other?,
    };
    for outcome in &outcomes {
        if outcome.ingested {
            state.models.changed(&shop.id);
            state.telemetry.order_ingested(&shop.id);
        }
    }
    // The first action's answer: the order's (a WooCommerce order's refunds follow it).
    let reply = outcomes.into_iter().next().map(|o| o.reply).unwrap_or_else(|| DeliveryReply {
        result: "ignored".into(),
        order_id: None,
        points_awarded: None,
        reason: Some("nothing to do".into()),
    });
    Ok(Json(reply))
}

async fn apply_all(state: &AppState, shop: &Shop, platform: Platform, actions: &[Action]) -> Result<Vec<Outcome>> {
    let now = clock::now();
    let mut tx = state.db.begin_write().await?;
    let mut outcomes = Vec::with_capacity(actions.len());
    for action in actions {
        outcomes.push(platforms::apply(&mut tx, shop, platform, action, now).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}
