//! Recommendations from what shoppers buy together.
//!
//! Item-to-item co-occurrence, one family of scores over the stored counts
//! (item-kNN with an asymmetric cosine and shrinkage, and RP3beta):
//!
//! ```text
//! score(c) = Σ over context items q of ( pair(q, c) / (count(q)^a · count(c)^b + λ) )^p
//!            + w · count(c) / baskets
//! ```
//!
//! where `pair` is the baskets shared or, for RP3beta, the random walk's
//! weight (each shared basket counted 1 / its size). The shipped
//! [`Params::SHIPPED`] is two stages over the same counts: the first three
//! of the [`SHOWN`] picks by RP3beta (Paudel et al. 2017) with α = 1,
//! β = 0.3 and a small prior (w = 0.01), the fourth the best candidate
//! outside the [`HEAD`] most popular items by RP3beta with α = 0.8, β = 0.4
//! and no prior (the long-tail slot). It was chosen by the quality benchmark
//! (`recommend_quality`, `cargo xtask bench`) on its inner validation splits
//! only, the five pooled: the best hit rate among settings whose long-tail
//! hit rate is 0.055 or more (issue 19's 0.05 and a margin). Three picks
//! that lean on what is bought most keep the hit rate; the fourth shows what
//! the shopper's items say beyond the staples. Popularity alone fills up what
//! co-occurrence cannot (a newcomer, an empty context).

use std::collections::{HashMap, HashSet};

/// The exponents, shrinkage and prior weight of the score above.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Exponent of the context item's count (α of the asymmetric cosine; 1
    /// makes the part a conditional probability, as in RP3beta).
    pub query: f64,
    /// Exponent of the candidate's count (1 − α for item-kNN, β / power for
    /// RP3beta): how much a popular candidate is damped.
    pub candidate: f64,
    /// Shrinkage λ: pairs seen in few baskets count for less.
    pub shrink: f64,
    /// Exponent of each part (RP3beta's α): above 1 sharpens towards the
    /// strongest pairs.
    pub power: f64,
    /// Weight w of the popularity prior.
    pub prior: f64,
    /// Count a pair by the walk's weight (each shared basket counts 1 / its
    /// size, as in RP3beta's random walk) rather than by baskets.
    pub walk: bool,
    /// The long-tail slot: when set, the last of the [`SHOWN`] picks goes to
    /// the best candidate outside the [`HEAD`] most popular items by these
    /// parameters (their own `long_tail` unused), whatever the main score.
    pub long_tail: Option<&'static Params>,
}

/// The picks the widget shows: the long-tail slot is the last of these.
pub const SHOWN: usize = 4;

/// The most popular items, which the long-tail slot never holds.
pub const HEAD: usize = 10;

impl Default for Params {
    fn default() -> Self {
        Params::SHIPPED
    }
}

impl Params {
    /// The plain cosine, without the popularity prior.
    pub const COSINE: Params =
        Params { query: 0.5, candidate: 0.5, shrink: 0.0, power: 1.0, prior: 0.0, walk: false, long_tail: None };
    /// The ranking shipped before issue 19: the cosine with a fixed prior.
    pub const PREVIOUS: Params =
        Params { query: 0.5, candidate: 0.5, shrink: 0.0, power: 1.0, prior: 1.0, walk: false, long_tail: None };
    /// What the server ranks with (see the module's documentation): three
    /// picks by RP3beta α = 1, β = 0.3 with a small prior, the fourth the
    /// best long-tail candidate by [`Params::LONG_TAIL`].
    pub const SHIPPED: Params =
        Params { walk: true, long_tail: Some(&Params::LONG_TAIL), ..Params::rp3beta(1.0, 0.3, 0.01) };
    /// The long-tail slot's ranking: RP3beta α = 0.8, β = 0.4 over the
    /// walk's weights, no prior.
    pub const LONG_TAIL: Params = Params { walk: true, ..Params::rp3beta(0.8, 0.4, 0.0) };
    /// RP3beta α = 0.8, β = 0.5 over the walk's weights, no prior: the
    /// ranking shipped before the long-tail slot.
    pub const RP3BETA_WALK: Params = Params { walk: true, ..Params::rp3beta(0.8, 0.5, 0.0) };

    /// RP3beta (Paudel et al. 2017) over the counts: `(pair / count(q))^α / count(c)^β`
    /// plus the prior `w`, pairs by baskets shared (set `walk` for the walk's weights).
    pub const fn rp3beta(alpha: f64, beta: f64, prior: f64) -> Params {
        Params { query: 1.0, candidate: beta / alpha, shrink: 0.0, power: alpha, prior, walk: false, long_tail: None }
    }

    /// One context item's part of a candidate's score.
    fn part(&self, pair: Pair, count_q: f64, count_c: f64) -> f64 {
        let den = count_q.powf(self.query) * count_c.powf(self.candidate) + self.shrink;
        let part = if self.walk { pair.walk } else { f64::from(pair.baskets) } / den;
        if self.power == 1.0 {
            part
        } else {
            part.powf(self.power)
        }
    }
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

/// How often two items were bought together.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pair {
    /// Baskets holding both.
    pub baskets: u32,
    /// Σ over those baskets of 1 / the basket's distinct items: a pair in a
    /// small basket says more than one in a big shop of everything.
    pub walk: f64,
}

/// What one basket adds to each of its pairs' walk weight.
pub fn walk_weight(distinct_items: usize) -> f64 {
    1.0 / distinct_items.max(1) as f64
}

/// How often items were bought, alone and together: the model.
#[derive(Debug, Clone, Default)]
pub struct CoCounts {
    baskets: u32,
    count: HashMap<String, u32>,
    together: HashMap<String, HashMap<String, Pair>>,
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
        let walk = walk_weight(distinct.len());
        for (a, b) in basket_pairs(&distinct) {
            let pair = self.together.entry(a.to_owned()).or_default().entry(b.to_owned()).or_default();
            pair.baskets += 1;
            pair.walk += walk;
        }
    }

    /// A model from stored counts: `pairs` as `(a, b, together)` rows,
    /// each direction its own row.
    pub fn from_parts(
        baskets: u32,
        counts: impl IntoIterator<Item = (String, u32)>,
        pairs: impl IntoIterator<Item = (String, String, Pair)>,
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

    /// `sku`'s neighbours with the baskets each shares with it.
    pub fn neighbors(&self, sku: &str) -> impl Iterator<Item = (&str, u32)> {
        self.pairs(sku).map(|(k, p)| (k, p.baskets))
    }

    /// `sku`'s neighbours with their pair counts.
    pub fn pairs(&self, sku: &str) -> impl Iterator<Item = (&str, Pair)> {
        self.together.get(sku).into_iter().flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), *v)))
    }

    /// The model with each item's neighbours cut to its `n` strongest
    /// (most baskets shared; ties by name), as the server reads them.
    pub fn strongest_neighbours(mut self, n: usize) -> CoCounts {
        for neighbours in self.together.values_mut() {
            if neighbours.len() > n {
                let mut sorted: Vec<(String, Pair)> = neighbours.drain().collect();
                sorted.sort_by(|a, b| b.1.baskets.cmp(&a.1.baskets).then_with(|| a.0.cmp(&b.0)));
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

/// The latest orders of a shopper whose items are the context of "bought
/// together" (older recent orders only tell staples apart).
pub const CONTEXT_ORDERS: usize = 3;
/// Orders an item must appear in to be a staple of the household.
pub const STAPLE_ORDERS: usize = 2;

impl<'a> Context<'a> {
    /// The context of a shopper's picks: `orders` are their recent orders,
    /// newest first, each as its items (none for a guest); `cart` what
    /// waits in the cart; `product` the product page they are on.
    ///
    /// - The query is the product first, then the cart, then the items of
    ///   the latest [`CONTEXT_ORDERS`] orders, each item once.
    /// - A staple is an item in [`STAPLE_ORDERS`] or more recent orders;
    ///   the one bought most often (then by sku) is offered again, unless it
    ///   is in the cart or is the product shown.
    /// - What is in the cart, the product shown and what the latest order
    ///   held is not offered, except a staple the shopper keeps buying.
    pub fn for_shopper(orders: &'a [Vec<String>], cart: &'a [String], product: Option<&'a str>) -> Context<'a> {
        let mut seen_in: HashMap<&str, usize> = HashMap::new();
        for order in orders {
            let distinct: HashSet<&str> = order.iter().map(String::as_str).collect();
            for sku in distinct {
                *seen_in.entry(sku).or_default() += 1;
            }
        }
        let mut staples: Vec<&str> = seen_in.iter().filter(|(_, n)| **n >= STAPLE_ORDERS).map(|(s, _)| *s).collect();
        staples.sort_by(|a, b| seen_in[b].cmp(&seen_in[a]).then(a.cmp(b)));
        let just_bought: HashSet<&str> = orders.first().into_iter().flatten().map(String::as_str).collect();
        let in_cart: HashSet<&str> = cart.iter().map(String::as_str).collect();

        let mut items: Vec<&str> = product.into_iter().collect();
        let recent = orders.iter().take(CONTEXT_ORDERS).flatten();
        for sku in cart.iter().chain(recent) {
            if !items.contains(&sku.as_str()) {
                items.push(sku);
            }
        }

        let mut exclude: HashSet<&str> = in_cart.clone();
        exclude.extend(product);
        exclude.extend(just_bought.iter().filter(|s| !staples.contains(s)));
        let mut buy_again = staples;
        buy_again.retain(|s| !in_cart.contains(s) && Some(*s) != product);
        buy_again.truncate(1);
        Context { items, exclude, buy_again }
    }
}

/// A candidate's co-occurrence score, the context item adding most to it,
/// that item's part, and the long-tail slot's score.
type Score<'a> = (f64, &'a str, f64, f64);

/// The top `k` for `context`, with a reason each.
pub fn rank(model: &CoCounts, context: &Context<'_>, k: usize, params: Params) -> Vec<Pick> {
    let mut scores: HashMap<&str, Score<'_>> = HashMap::new();
    for q in &context.items {
        let nq = f64::from(model.count(q).max(1));
        for (c, together) in model.pairs(q) {
            if context.exclude.contains(c) || context.items.contains(&c) {
                continue;
            }
            let nc = f64::from(model.count(c).max(1));
            let part = params.part(together, nq, nc);
            let entry = scores.entry(c).or_insert((0.0, q, 0.0, 0.0));
            entry.0 += part;
            if let Some(tail) = params.long_tail {
                entry.3 += tail.part(together, nq, nc);
            }
            if part > entry.2 {
                entry.1 = q;
                entry.2 = part;
            }
        }
    }
    let has_context = !scores.is_empty();
    // Sorted once: the prior's candidates, the head and the fill below read it.
    let popular = model.popular();
    if params.prior > 0.0 && has_context {
        for &(c, _) in popular.iter().take(POPULAR_CANDIDATES) {
            if !context.exclude.contains(c) && !context.items.contains(&c) {
                scores.entry(c).or_insert((0.0, "", 0.0, 0.0));
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
    let mut ranked: Vec<(&str, Score<'_>)> = scores.into_iter().collect();
    ranked.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0).then(a.0.cmp(b.0)));
    // The long-tail slot's candidates: its best few outside the head (as
    // many as could be taken before it), by their score.
    let mut tail: Vec<(&str, f64, &str)> = Vec::with_capacity(SHOWN + 1);
    if params.long_tail.is_some() {
        let head: Vec<&str> = popular.iter().take(HEAD).map(|(s, _)| *s).collect();
        for &(sku, (_, with, _, score)) in &ranked {
            let better = |t: &(&str, f64, &str)| score > t.1 || (score == t.1 && sku < t.0);
            if score > 0.0 && !head.contains(&sku) && (tail.len() < SHOWN || better(&tail[SHOWN - 1])) {
                let at = tail.iter().position(better).unwrap_or(tail.len());
                tail.insert(at, (sku, score, with));
                tail.truncate(SHOWN);
            }
        }
    }
    let mut slot_open = !tail.is_empty();
    // Fills the long-tail slot when the picks before it are made.
    let mut fill_slot = |picks: &mut Vec<Pick>| {
        if slot_open && picks.len() == SHOWN - 1 && picks.len() < k {
            slot_open = false;
            if let Some(&(sku, score, with)) = tail.iter().find(|(c, _, _)| !picks.iter().any(|p| p.sku == *c)) {
                let because = if with.is_empty() { Because::Popular } else { Because::BoughtWith(with.to_owned()) };
                picks.push(Pick { sku: sku.to_owned(), score, because });
            }
        }
    };
    for (sku, (score, with, _, _)) in ranked {
        if picks.len() == k {
            break;
        }
        fill_slot(&mut picks);
        if picks.len() < k && !picks.iter().any(|p| p.sku == sku) {
            // An item the prior brought in, with nothing in common with the
            // context, is recommended for being popular, and says so.
            let because = if with.is_empty() { Because::Popular } else { Because::BoughtWith(with.to_owned()) };
            picks.push(Pick { sku: sku.to_owned(), score, because });
        }
    }
    for (sku, count) in popular {
        fill_slot(&mut picks);
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
    fn pairs_weigh_each_shared_basket_by_its_size() {
        let m = model();
        let sauce = m.pairs("pasta").find(|(c, _)| *c == "sauce").unwrap().1;
        // Two baskets of 3 and one of 4.
        assert_eq!(sauce.baskets, 3);
        assert!((sauce.walk - (2.0 / 3.0 + 1.0 / 4.0)).abs() < 1e-12);
    }

    #[test]
    fn the_shipped_ranking_offers_a_rare_companion_over_a_staple_with_its_reason() {
        let m = model();
        // Tea is bought with milk (2 baskets) and honey (2): honey, the
        // rarer, is the more telling and comes first, named for tea.
        let picks = rank(&m, &Context { items: vec!["tea"], ..Default::default() }, 2, Params::default());
        assert_eq!(picks[0].sku, "honey");
        assert_eq!(picks[0].because, Because::BoughtWith("tea".into()));
        // The previous ranking's prior put milk first for everyone.
        let before = rank(&m, &Context { items: vec!["tea"], ..Default::default() }, 1, Params::PREVIOUS);
        assert_eq!(before[0].sku, "milk");
    }

    #[test]
    fn the_fourth_pick_is_the_best_outside_the_most_popular() {
        let mut m = CoCounts::default();
        // Tea and nine staples are the ten most popular; honey is rare.
        let staples: Vec<String> = (1..10).map(|i| format!("staple-{i}")).collect();
        for staple in &staples {
            for _ in 0..5 {
                m.add_basket(&["tea", staple.as_str()]);
            }
        }
        for _ in 0..10 {
            m.add_basket(&staples);
        }
        m.add_basket(&["tea", "honey"]);
        let context = Context { items: vec!["tea"], ..Default::default() };
        let picks = rank(&m, &context, 12, Params::default());
        assert!(picks[..3].iter().all(|p| p.sku.starts_with("staple-")), "{picks:?}");
        assert_eq!(picks[3].sku, "honey");
        assert_eq!(picks[3].because, Because::BoughtWith("tea".into()));
        assert_eq!(rank(&m, &context, 4, Params::default()), picks[..4], "the same four however many are ranked");
        // Without the slot, honey comes after every staple.
        let plain = rank(&m, &context, 12, Params { long_tail: None, ..Params::default() });
        assert_eq!(plain.iter().position(|p| p.sku == "honey"), Some(9));
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

#[cfg(test)]
mod context_tests {
    use super::*;

    fn orders(list: &[&[&str]]) -> Vec<Vec<String>> {
        list.iter().map(|o| o.iter().map(|s| (*s).to_owned()).collect()).collect()
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn sorted<'a>(set: &HashSet<&'a str>) -> Vec<&'a str> {
        let mut v: Vec<&str> = set.iter().copied().collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn a_guest_with_nothing_has_an_empty_context() {
        let context = Context::for_shopper(&[], &[], None);
        assert!(context.items.is_empty() && context.exclude.is_empty() && context.buy_again.is_empty());
    }

    #[test]
    fn the_query_is_the_product_then_the_cart_then_the_latest_three_orders_each_item_once() {
        let orders = orders(&[&["a", "milk"], &["b"], &["c", "a"], &["too-old"]]);
        let cart = strings(&["milk", "cart"]);
        let context = Context::for_shopper(&orders, &cart, Some("page"));
        assert_eq!(context.items, ["page", "milk", "cart", "a", "b", "c"]);
    }

    #[test]
    fn the_cart_the_product_and_the_latest_order_are_not_offered() {
        let orders = orders(&[&["just"], &["earlier"]]);
        let cart = strings(&["cart"]);
        let context = Context::for_shopper(&orders, &cart, Some("page"));
        assert_eq!(sorted(&context.exclude), ["cart", "just", "page"]);
        assert!(context.buy_again.is_empty());
    }

    #[test]
    fn an_item_in_two_orders_is_a_staple_offered_again_even_when_just_bought() {
        let orders = orders(&[&["milk", "bread"], &["milk"]]);
        let context = Context::for_shopper(&orders, &[], None);
        assert_eq!(context.buy_again, ["milk"]);
        assert_eq!(sorted(&context.exclude), ["bread"]);
    }

    #[test]
    fn an_item_twice_in_one_order_is_no_staple() {
        let orders = orders(&[&["milk", "milk"], &["bread"]]);
        let context = Context::for_shopper(&orders, &[], None);
        assert!(context.buy_again.is_empty());
        assert!(context.exclude.contains("milk"));
    }

    #[test]
    fn the_most_bought_staple_wins_then_the_first_by_sku() {
        let three = orders(&[&["b", "a"], &["b", "a"], &["b"]]);
        assert_eq!(Context::for_shopper(&three, &[], None).buy_again, ["b"]);
        let tie = orders(&[&["b", "a"], &["b", "a"]]);
        assert_eq!(Context::for_shopper(&tie, &[], None).buy_again, ["a"]);
    }

    #[test]
    fn a_staple_in_the_cart_or_on_the_page_is_not_offered_again_and_stays_excluded() {
        let orders = orders(&[&["milk", "eggs"], &["milk", "eggs"]]);
        let cart = strings(&["milk"]);
        let context = Context::for_shopper(&orders, &cart, Some("eggs"));
        assert!(context.buy_again.is_empty());
        assert_eq!(sorted(&context.exclude), ["eggs", "milk"]);
    }

    #[test]
    fn a_staple_bought_only_in_orders_past_the_context_still_counts() {
        let orders = orders(&[&["x"], &["y"], &["z"], &["old"], &["old"]]);
        let context = Context::for_shopper(&orders, &[], None);
        assert_eq!(context.buy_again, ["old"]);
        assert!(!context.items.contains(&"old"));
    }
}
