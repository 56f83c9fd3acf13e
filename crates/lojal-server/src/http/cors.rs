//! CORS for the shopper API: a page may call shop `s` only from an origin
//! shop `s` listed. The shop comes from the path, the list from the shop
//! as the request's own extractors see it (the shop cache).

use super::auth::{CUSTOMER_HEADERS, GUEST_HEADERS};
use super::shop_cache::ShopCache;
use crate::db::Db;
use axum::http::{header, HeaderName, Method};
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub fn per_shop(db: Db, shops: Arc<ShopCache>) -> CorsLayer {
    let allow = AllowOrigin::async_predicate(move |origin, parts| {
        let (db, shops) = (db.clone(), shops.clone());
        let shop = shop_in_path(parts.uri.path()).map(str::to_owned);
        async move {
            let (Some(shop), Ok(origin)) = (shop, origin.to_str()) else {
                return false;
            };
            shops.get(&db, &shop).await.is_ok_and(|shop| shop.origins.iter().any(|o| o == origin))
        }
    });
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST, Method::PUT])
        .allow_headers([
            HeaderName::from_static(CUSTOMER_HEADERS[0]),
            HeaderName::from_static(CUSTOMER_HEADERS[1]),
            HeaderName::from_static(CUSTOMER_HEADERS[2]),
            HeaderName::from_static(GUEST_HEADERS[0]),
            HeaderName::from_static(GUEST_HEADERS[1]),
            HeaderName::from_static(GUEST_HEADERS[2]),
            header::CONTENT_TYPE,
        ])
        // Writes and identity headers are preflighted; caching the
        // preflight keeps that to once per ten minutes. The widget's read
        // sends the identity in its query string instead: no preflight.
        .max_age(Duration::from_secs(600))
}

/// `shop` of `/v1/shops/{shop}/...`.
fn shop_in_path(path: &str) -> Option<&str> {
    path.strip_prefix("/v1/shops/")?.split('/').next().filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::shop_in_path;

    #[test]
    fn the_shop_is_read_from_the_path() {
        assert_eq!(shop_in_path("/v1/shops/demo/widget"), Some("demo"));
        assert_eq!(shop_in_path("/v1/shops//widget"), None);
        assert_eq!(shop_in_path("/widget.js"), None);
    }
}
