//! `POST /v1/shops/{shop}/platforms/shopify` and `.../woocommerce`: the
//! platforms' own webhook deliveries. No bearer token: the platform signs
//! the raw body with the shop's secret for it, checked (in constant time)
//! before anything is parsed or written.

use super::json::Json;
use super::AppState;
use crate::app::platform_delivery;
use crate::clock;
use crate::error::{Error, Result};
use crate::store::platforms;
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
    let mut conn = state.db.pool.acquire().await?;
    let secret = platforms::secret(&mut conn, &shop.id, platform).await?.ok_or(Error::PlatformUnverified(platform))?;
    drop(conn);
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

/// Applies the delivery's actions (`app::platform_delivery`) and answers.
async fn deliver(
    state: &AppState,
    shop: &Shop,
    platform: Platform,
    actions: Vec<Action>,
) -> Result<Json<DeliveryReply>> {
    let delivered = platform_delivery::deliver(&state.db, shop, platform, actions, clock::now()).await?;
    for _ in 0..delivered.ingested {
        state.models.changed(&shop.id);
        state.telemetry.order_ingested(&shop.id);
    }
    Ok(Json(delivered.reply))
}
