//! Recommendations from what shoppers buy together.
//!
//! Item-to-item co-occurrence, normalised like a cosine so that staples
//! bought with everything (milk, bread) do not drown out real affinities:
//!
//! ```text
//! score(c) = Σ over context items q of  together(q, c) / (count(q)^½ · count(c)^β)
//!            + w · count(c) / baskets
//! ```
//!
//! β = ½ makes the first term the cosine. The second is a popularity prior:
//! what shoppers buy at all is a strong hint of what they buy next, and the
//! co-occurrence term says what this shopper's items add to it. The shipped
//! [`Params::default`] was chosen on `data/groceries.csv` by the quality
//! benchmark (`cargo xtask bench`), which reports it beside the cosine alone
//! and the most-popular baseline. Popularity alone fills up what
//! co-occurrence cannot (a newcomer, an empty context).

use std::collections::{HashMap, HashSet};

/// β and w in the score above.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub damping: f64,
    pub prior: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params { damping: 0.5, prior: 1.0 }
    }
}

impl Params {
    /// The plain cosine, without the popularity prior.
    pub const COSINE: Params = Params { damping: 0.5, prior: 0.0 };
}

/// Popular items are candidates beside the co-occurring ones, so the prior
/// can lift a staple the context says nothing about.
const POPULAR_CANDIDATES: usize = 50;

/// How many of an item's neighbours a ranking looks at: its strongest, by
/// baskets shared. Bounds the work of a request however large the catalogue
/// (a staple can share baskets with thousands of products); the quality
/// benchmark measures the shipped ranking with this cap.
pub const NEIGHBOURS_PER_ITEM: usize = 50;

/// The most items of one basket whose pairs are counted: its first this
/// many distinct items, by name. Pairs grow with the square of a basket and
/// the server counts them inside the order's write transaction, so a
/// 500-item order (an import, a wholesale order) would write ~250,000 pair
/// rows while every other write waits; capped, it writes 4,032. No shopper's
/// basket is cut: the largest in `data/groceries.csv` holds 32 items.
pub const MAX_PAIRED_ITEMS: usize = 64;

/// A basket as the model counts it: its distinct items, sorted (each counts
/// once however often it was bought).
pub fn distinct_items<S: AsRef<str>>(items: &[S]) -> Vec<&str> {
    let mut distinct: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct
}

/// The pairs a basket of `distinct` items (from [`distinct_items`]) counts,
/// each in both directions: those among its first [`MAX_PAIRED_ITEMS`].
pub fn basket_pairs<'a>(distinct: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let paired = &distinct[..distinct.len().min(MAX_PAIRED_ITEMS)];
    let mut pairs = Vec::with_capacity(paired.len() * paired.len().saturating_sub(1));
    for (i, a) in paired.iter().enumerate() {
        for b in &paired[i + 1..] {
            pairs.push((*a, *b));
            pairs.push((*b, *a));
        }
    }
    pairs
}

/// How often items were bought, alone and together: the model.
#[derive(Debug, Clone, Default)]
pub struct CoCounts {
    baskets: u32,
    count: HashMap<String, u32>,
    together: HashMap<String, HashMap<String, u32>>,
}

impl CoCounts {
    /// Counts one basket (duplicates within it count once; pairs as
    /// [`basket_pairs`] bounds them).
    pub fn add_basket<S: AsRef<str>>(&mut self, items: &[S]) {
        let distinct = distinct_items(items);
        self.baskets += 1;
        for a in &distinct {
            *self.count.entry((*a).to_owned()).or_default() += 1;
        }
        for (a, b) in basket_pairs(&distinct) {
            *self.together.entry(a.to_owned()).or_default().entry(b.to_owned()).or_default() += 1;
        }
    }

    /// A model from stored counts: `pairs` as `(a, b, together)` rows,
    /// each direction its own row.
    pub fn from_parts(
        baskets: u32,
        counts: impl IntoIterator<Item = (String, u32)>,
        pairs: impl IntoIterator<Item = (String, String, u32)>,
    ) -> CoCounts {
        let mut model = CoCounts { baskets, count: counts.into_iter().collect(), together: HashMap::new() };
        for (a, b, n) in pairs {
            model.together.entry(a).or_default().insert(b, n);
        }
        model
    }

    pub fn baskets(&self) -> u32 {
        self.baskets
    }

    pub fn count(&self, sku: &str) -> u32 {
        self.count.get(sku).copied().unwrap_or(0)
    }

    pub fn neighbors(&self, sku: &str) -> impl Iterator<Item = (&str, u32)> {
        self.together.get(sku).into_iter().flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), *v)))
    }

    /// The model with each item's neighbours cut to its `n` strongest
    /// (most baskets shared; ties by name), as the server reads them.
    pub fn strongest_neighbours(mut self, n: usize) -> CoCounts {
        for neighbours in self.together.values_mut() {
            if neighbours.len() > n {
                let mut sorted: Vec<(String, u32)> = neighbours.drain().collect();
                sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                sorted.truncate(n);
                neighbours.extend(sorted);
            }
        }
        self
    }

    /// Items by how many baskets hold them, most first (ties by name).
    pub fn popular(&self) -> Vec<(&str, u32)> {
        let mut items: Vec<(&str, u32)> = self.count.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        items
    }
}

/// Why an item is recommended: what the shopper reads, in their language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Because {
    /// Often bought with this item of the shopper's cart or history.
    BoughtWith(String),
    /// The shopper buys this again and again.
    BuyAgain,
    /// Among the most bought, for shoppers we know little about.
    Popular,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub sku: String,
    pub score: f64,
    pub because: Because,
}

/// The shopper's side: what they have in mind now and what they bought.
#[derive(Debug, Clone, Default)]
pub struct Context<'a> {
    /// Items in the cart and recently bought: the co-occurrence query.
    pub items: Vec<&'a str>,
    /// Never recommend these (in the cart, just bought, not recommendable).
    pub exclude: HashSet<&'a str>,
    /// Items the shopper bought in several orders: offered again first,
    /// even when just bought, since they run out.
    pub buy_again: Vec<&'a str>,
}

/// The top `k` for `context`, with a reason each.
pub fn rank(model: &CoCounts, context: &Context<'_>, k: usize, params: Params) -> Vec<Pick> {
    // sku -> (co-occurrence score, the context item adding most, its part)
    let mut scores: HashMap<&str, (f64, &str, f64)> = HashMap::new();
    for q in &context.items {
        let nq = f64::from(model.count(q).max(1));
        for (c, together) in model.neighbors(q) {
            if context.exclude.contains(c) || context.items.contains(&c) {
                continue;
            }
            let nc = f64::from(model.count(c).max(1));
            let part = f64::from(together) / (nq.sqrt() * nc.powf(params.damping));
            let entry = scores.entry(c).or_insert((0.0, q, 0.0));
            entry.0 += part;
            if part > entry.2 {
                entry.1 = q;
                entry.2 = part;
            }
        }
    }
    let has_context = !scores.is_empty();
    if params.prior > 0.0 && has_context {
        for (c, _) in model.popular().into_iter().take(POPULAR_CANDIDATES) {
            if !context.exclude.contains(c) && !context.items.contains(&c) {
                scores.entry(c).or_insert((0.0, "", 0.0));
            }
        }
        let baskets = f64::from(model.baskets.max(1));
        for (c, entry) in scores.iter_mut() {
            entry.0 += params.prior * f64::from(model.count(c)) / baskets;
        }
    }
    let mut picks: Vec<Pick> = Vec::with_capacity(k);
    for sku in &context.buy_again {
        if picks.len() < k && model.count(sku) > 0 && !picks.iter().any(|p| p.sku == *sku) {
            picks.push(Pick { sku: (*sku).to_owned(), score: f64::INFINITY, because: Because::BuyAgain });
        }
    }
    let mut ranked: Vec<(&str, (f64, &str, f64))> = scores.into_iter().collect();
    ranked.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0).then(a.0.cmp(b.0)));
    for (sku, (score, with, _)) in ranked {
        if picks.len() == k {
            break;
        }
        if !picks.iter().any(|p| p.sku == sku) {
            // An item the prior brought in, with nothing in common with the
            // context, is recommended for being popular, and says so.
            let because = if with.is_empty() { Because::Popular } else { Because::BoughtWith(with.to_owned()) };
            picks.push(Pick { sku: sku.to_owned(), score, because });
        }
    }
    for (sku, count) in model.popular() {
        if picks.len() == k {
            break;
        }
        let taken = context.exclude.contains(sku) || context.items.contains(&sku) || picks.iter().any(|p| p.sku == sku);
        if !taken {
            picks.push(Pick { sku: sku.to_owned(), score: f64::from(count), because: Because::Popular });
        }
    }
    picks
}

/// The most-popular baseline the benchmark compares against.
pub fn most_popular(model: &CoCounts, context: &Context<'_>, k: usize) -> Vec<String> {
    model
        .popular()
        .into_iter()
        .map(|(sku, _)| sku)
        .filter(|sku| !context.exclude.contains(sku) && !context.items.contains(sku))
        .take(k)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> CoCounts {
        let mut m = CoCounts::default();
        // Milk is in everything; pasta and sauce go together; so do tea and honey.
        for basket in [
            &["milk", "pasta", "sauce"][..],
            &["milk", "pasta", "sauce"],
            &["milk", "pasta", "sauce", "bread"],
            &["milk", "tea", "honey"],
            &["milk", "tea", "honey"],
            &["milk", "bread"],
            &["milk", "bread"],
            &["milk", "bread", "pasta"],
            &["milk"],
        ] {
            m.add_basket(basket);
        }
        m
    }

    #[test]
    fn a_huge_basket_counts_every_item_but_pairs_only_its_first_items() {
        let items: Vec<String> = (0..100).map(|i| format!("sku-{i:03}")).collect();
        let mut m = CoCounts::default();
        m.add_basket(&items);
        assert!(items.iter().all(|sku| m.count(sku) == 1));
        assert_eq!(m.neighbors("sku-000").count(), MAX_PAIRED_ITEMS - 1);
        assert_eq!(m.neighbors("sku-063").count(), MAX_PAIRED_ITEMS - 1);
        assert_eq!(m.neighbors("sku-064").count(), 0, "past the cap: no pairs");
        let pairs: usize = items.iter().map(|sku| m.neighbors(sku).count()).sum();
        assert_eq!(pairs, MAX_PAIRED_ITEMS * (MAX_PAIRED_ITEMS - 1));
        // A basket under the cap is counted whole, each pair both ways.
        assert_eq!(basket_pairs(&distinct_items(&["b", "a", "b", "c"])).len(), 6);
    }

    #[test]
    fn strongest_neighbours_keeps_the_most_shared_and_breaks_ties_by_name() {
        let capped = model().strongest_neighbours(4);
        let mut milk: Vec<(&str, u32)> = capped.neighbors("milk").collect();
        milk.sort();
        // Milk shares 4 baskets with bread and pasta, 3 with sauce, 2 with
        // honey and tea: the tie for the fourth place goes to honey by name.
        assert_eq!(milk, vec![("bread", 4), ("honey", 2), ("pasta", 4), ("sauce", 3)]);
        assert_eq!(capped.neighbors("tea").count(), 2, "items under the cap keep all their neighbours");
        assert_eq!(capped.count("bread"), model().count("bread"), "item counts are untouched");
    }

    #[test]
    fn co_occurrence_beats_raw_popularity_for_real_affinities() {
        let m = model();
        let context = Context { items: vec!["pasta"], ..Default::default() };
        let picks = rank(&m, &context, 2, Params::COSINE);
        // Raw counts would say milk (4 baskets with pasta); the cosine says sauce.
        assert_eq!(picks[0].sku, "sauce");
        assert_eq!(picks[0].because, Because::BoughtWith("pasta".into()));
        let baseline = most_popular(&m, &context, 1);
        assert_eq!(baseline, ["milk"]);
    }

    #[test]
    fn excluded_and_context_items_are_never_recommended() {
        let m = model();
        let context = Context { items: vec!["pasta"], exclude: ["sauce"].into(), ..Default::default() };
        let picks: Vec<String> = rank(&m, &context, 10, Params::default()).into_iter().map(|p| p.sku).collect();
        assert!(!picks.contains(&"sauce".to_owned()) && !picks.contains(&"pasta".to_owned()), "{picks:?}");
        assert_eq!(picks.len(), 4, "every other item, filled up by popularity");
    }

    #[test]
    fn a_newcomer_gets_the_most_popular_items() {
        let m = model();
        let picks = rank(&m, &Context::default(), 2, Params::default());
        assert_eq!(picks.iter().map(|p| p.sku.as_str()).collect::<Vec<_>>(), ["milk", "bread"]);
        assert!(picks.iter().all(|p| p.because == Because::Popular));
    }

    #[test]
    fn items_bought_again_and_again_come_first_even_when_just_bought() {
        let m = model();
        let context = Context { items: vec!["tea"], buy_again: vec!["milk"], ..Default::default() };
        let picks = rank(&m, &context, 2, Params::COSINE);
        assert_eq!((picks[0].sku.as_str(), &picks[0].because), ("milk", &Because::BuyAgain));
        assert_eq!(picks[1].sku, "honey");
    }

    #[test]
    fn the_strongest_context_item_is_named_as_the_reason() {
        let m = model();
        let context = Context { items: vec!["milk", "tea"], ..Default::default() };
        let top = &rank(&m, &context, 1, Params::default())[0];
        assert_eq!(top.sku, "honey");
        assert_eq!(top.because, Because::BoughtWith("tea".into()));
    }
}
