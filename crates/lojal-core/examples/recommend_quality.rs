//! How good are the recommendations? On real baskets (`data/groceries.csv`),
//! in five folds: train on four fifths of the baskets, then for each
//! held-out basket of two or more items hide one item and ask for 5
//! recommendations from the rest.
//! A hit is the hidden item among the 5. Reported for the shipped ranking,
//! for the cosine alone, and for the most-popular baseline, on the same
//! folds, with McNemar's test of shipped against baseline.
//!
//! cargo run --release -p lojal-core --example recommend_quality -- data/groceries.csv [--quick]

use lojal_core::recommend::{self, CoCounts, Context, Params};

/// A tiny deterministic generator (xorshift64*), so every run splits and
/// hides the same way without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const K: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.iter().find(|a| !a.starts_with("--")).map_or("data/groceries.csv", String::as_str);
    let quick = args.iter().any(|a| a == "--quick");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let mut baskets: Vec<Vec<String>> = text
        .lines()
        .map(|line| {
            let mut items: Vec<String> =
                line.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
            items.sort();
            items.dedup();
            items
        })
        .filter(|b| !b.is_empty())
        .collect();
    if quick {
        // The test command's run: enough to catch a broken benchmark, fast.
        baskets.truncate(2_000);
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in (1..baskets.len()).rev() {
        let j = rng.below(i + 1);
        baskets.swap(i, j);
    }

    // Five folds: every basket is held out once, the model trained on the rest.
    let variants = [
        ("co-occurrence, cosine alone", Params::COSINE),
        ("co-occurrence + popularity prior **(shipped)**", Params::default()),
    ];
    let mut hits = [0_u32; 2];
    let (mut baseline_hits, mut cases) = (0_u32, 0_u32);
    // Paired outcomes of the shipped ranking against the baseline, for McNemar's test.
    let (mut only_shipped, mut only_baseline) = (0_u32, 0_u32);
    let folds = 5;
    for fold in 0..folds {
        let mut model = CoCounts::default();
        for (i, basket) in baskets.iter().enumerate() {
            if i % folds != fold {
                model.add_basket(basket);
            }
        }
        // As the server reads the model: each item's strongest neighbours only.
        let model = model.strongest_neighbours(recommend::NEIGHBOURS_PER_ITEM);
        for basket in baskets.iter().enumerate().filter(|(i, b)| i % folds == fold && b.len() >= 2).map(|(_, b)| b) {
            let hidden = rng.below(basket.len());
            let query: Vec<&str> =
                basket.iter().enumerate().filter(|(i, _)| *i != hidden).map(|(_, s)| s.as_str()).collect();
            let target = basket[hidden].as_str();
            let context = Context { items: query, ..Default::default() };
            cases += 1;
            let mut hit = [false; 2];
            for (v, (_, params)) in variants.iter().enumerate() {
                hit[v] = recommend::rank(&model, &context, K, *params).iter().any(|p| p.sku == target);
                hits[v] += u32::from(hit[v]);
            }
            let base = recommend::most_popular(&model, &context, K).iter().any(|s| s == target);
            baseline_hits += u32::from(base);
            only_shipped += u32::from(hit[1] && !base);
            only_baseline += u32::from(base && !hit[1]);
        }
    }

    let rate = |h: u32| f64::from(h) / f64::from(cases.max(1));
    let discordant = f64::from(only_shipped + only_baseline).max(1.0);
    let chi2 = (f64::from(only_shipped) - f64::from(only_baseline)).powi(2) / discordant;
    println!(
        "Data: `{path}`: {} baskets, 5-fold cross-validation; {cases} held-out baskets of 2+ items,",
        baskets.len()
    );
    println!("one item hidden from each, {K} recommendations asked for from the rest.");
    println!();
    println!("| ranking | hits | hit rate @{K} | vs. baseline |");
    println!("|---|---|---|---|");
    println!("| most popular (baseline) | {baseline_hits} | {:.3} | 1.00x |", rate(baseline_hits));
    for (v, (name, _)) in variants.iter().enumerate() {
        println!(
            "| {name} | {} | {:.3} | {:.2}x |",
            hits[v],
            rate(hits[v]),
            rate(hits[v]) / rate(baseline_hits).max(f64::EPSILON)
        );
    }
    println!();
    println!(
        "Shipped against baseline, paired: {only_shipped} baskets hit only by the shipped ranking, {only_baseline} only by the \
         baseline; McNemar's χ² = {chi2:.1} (above 10.8 means p < 0.001)."
    );
}
