//! The parts of a shop's recommendation model that every shopper's picks
//! read, kept in memory: each item's strongest neighbours and basket count,
//! and the shop's most popular items. Items are shared between shoppers,
//! so one member's page view warms the cache for the next; the widget
//! endpoint read them with four queries per request before.
//!
//! Entries are keyed by the shop's generation, which this server bumps
//! with every order it ingests (`changed`), so its own orders show in the
//! next picks; an order taken by another process (a second server on the
//! same PostgreSQL) shows within `TTL`.

use moka::sync::Cache;
use std::sync::Arc;
use std::time::Duration;

const TTL: Duration = Duration::from_secs(60);
/// Items kept per kind: a few hundred bytes each.
const ITEMS: u64 = 200_000;

/// (shop, generation, sku)
type ItemKey = (Arc<str>, u64, String);
/// (shop, generation)
type ShopKey = (Arc<str>, u64);
/// All of a shop's baskets, and its most popular items with their counts.
pub(crate) type ShopCounts = (u32, Vec<(String, u32)>);

pub struct ModelCache {
    generations: Cache<Arc<str>, u64>,
    pub(crate) neighbours: Cache<ItemKey, Arc<Vec<(String, lojal_core::recommend::Pair)>>>,
    pub(crate) counts: Cache<ItemKey, u32>,
    /// (all baskets, the most popular items), by (shop, generation).
    pub(crate) shops: Cache<ShopKey, Arc<ShopCounts>>,
    /// The picks last recorded as shown to a member, by (shop, member, day):
    /// a member's views write once a day unless the picks change.
    pub(crate) views: Cache<(Arc<str>, String, i64), Arc<str>>,
}

impl Default for ModelCache {
    fn default() -> Self {
        ModelCache {
            generations: Cache::builder().max_capacity(10_000).build(),
            neighbours: Cache::builder().max_capacity(ITEMS).time_to_live(TTL).build(),
            counts: Cache::builder().max_capacity(ITEMS).time_to_live(TTL).build(),
            shops: Cache::builder().max_capacity(10_000).time_to_live(TTL).build(),
            views: Cache::builder().max_capacity(ITEMS).time_to_live(Duration::from_secs(86_400)).build(),
        }
    }
}

impl std::fmt::Debug for ModelCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ModelCache")
    }
}

impl ModelCache {
    /// The key prefix of a shop's entries now.
    pub(crate) fn shop_key(&self, shop: &str) -> ShopKey {
        let shop: Arc<str> = Arc::from(shop);
        let generation = self.generations.get(&shop).unwrap_or(0);
        (shop, generation)
    }

    /// The shop's counts changed (an order was ingested): later reads load
    /// them anew.
    pub fn changed(&self, shop: &str) {
        let shop: Arc<str> = Arc::from(shop);
        let next = self.generations.get(&shop).unwrap_or(0) + 1;
        self.generations.insert(shop, next);
    }
}
