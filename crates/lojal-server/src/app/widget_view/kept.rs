//! The widget's reads, kept between page views until anything is written.
//!
//! A page view reads a dozen rows that change only when something is
//! written: kept here with the database's write count at the time of the
//! read ([`Db::generation`]), a read serves later views while that count
//! stands, composed again at each view's own `now` (the facts hold no
//! time). Any committed write moves the count (this process's at once,
//! other processes' as `Db::watch_other_writers` hears of them), so no kept
//! read outlives a write. Measured in BENCHMARKS.md: the fifteen queries a
//! view made were its whole cost.
//!
//! [`Db::generation`]: crate::db::Db::generation

use crate::store::member_facts::{MemberFacts, Needs};
use lojal_core::api::Recommendation;
use lojal_core::words::Lang;
use moka::sync::Cache;
use std::sync::Arc;
use std::time::Duration;

/// Views kept: a few kilobytes each.
const VIEWS: u64 = 20_000;
/// A view not asked for again this long is dropped.
const IDLE: Duration = Duration::from_secs(600);

/// (shop, member or "" for a guest, language, product page)
type Key = (Arc<str>, String, Lang, Option<String>);

/// What a view read: everything but the clock.
#[derive(Debug)]
pub struct Read {
    /// [`crate::db::Db::generation`] before the read began.
    pub generation: u64,
    pub member: Option<MemberFacts>,
    pub recommendations: Vec<Recommendation>,
    /// What all members gave to the shop's cause.
    pub donated: i64,
}

pub struct KeptViews {
    views: Cache<Key, Arc<Read>>,
}

impl Default for KeptViews {
    fn default() -> Self {
        KeptViews { views: Cache::builder().max_capacity(VIEWS).time_to_idle(IDLE).build() }
    }
}

impl std::fmt::Debug for KeptViews {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptViews").field("views", &self.views.entry_count()).finish()
    }
}

pub fn key(shop: &str, customer: Option<&str>, lang: Lang, product: Option<&str>) -> Key {
    (Arc::from(shop), customer.unwrap_or_default().to_owned(), lang, product.map(str::to_owned))
}

impl KeptViews {
    /// The read kept for `key`, if nothing was written since it and it read
    /// all that the program now shows.
    pub fn get(&self, key: &Key, generation: u64, needs: Needs) -> Option<Arc<Read>> {
        self.views
            .get(key)
            .filter(|read| read.generation == generation && read.member.as_ref().is_none_or(|m| m.needs.covers(needs)))
    }

    pub fn keep(&self, key: Key, read: Arc<Read>) {
        self.views.insert(key, read);
    }
}
