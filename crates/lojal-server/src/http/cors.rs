//! CORS for the shopper API: a page may call shop `s` only from an origin
//! shop `s` listed. The shop comes from the path, the list from the store.

use crate::db::Db;
use crate::store::shops;
use axum::http::{header, HeaderName, Method};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The headers of the signed identity (CONTRACT.md section 3).
const IDENTITY_HEADERS: [&str; 3] = ["x-lojal-customer", "x-lojal-ts", "x-lojal-sig"];

pub fn per_shop(db: Db) -> CorsLayer {
    let allow = AllowOrigin::async_predicate(move |origin, parts| {
        let db = db.clone();
        let shop = shop_in_path(parts.uri.path()).map(str::to_owned);
        async move {
            let (Some(shop), Ok(origin)) = (shop, origin.to_str()) else {
                return false;
            };
            shops::allows_origin(&db, &shop, origin).await.unwrap_or(false)
        }
    });
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST, Method::PUT])
        .allow_headers([
            HeaderName::from_static(IDENTITY_HEADERS[0]),
            HeaderName::from_static(IDENTITY_HEADERS[1]),
            HeaderName::from_static(IDENTITY_HEADERS[2]),
            header::CONTENT_TYPE,
        ])
        // The identity headers make every member's request preflighted;
        // caching the preflight keeps that to once per ten minutes.
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
