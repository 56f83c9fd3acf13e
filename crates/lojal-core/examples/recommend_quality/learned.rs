//! The learned blend: a linear score over per-candidate features from
//! the counts, its weights fitted as a conditional logit (which of the
//! candidates was the hidden item) by Newton's method.

use super::{head, Dense};
use lojal_core::recommend;

/// How many features the blend weighs (see [`features`]).
pub const NF: usize = 8;
pub const FEATURE_NAMES: [&str; NF] = [
    "ln P(c)",
    "ln Σ P(c|q)",
    "ln max P(c|q)",
    "share of q with c",
    "ln Σ walk/n(q)",
    "Σ cosine",
    "Σ ln P(q|c)",
    "ln(1 + Σ lift)",
];

/// Each item's features for a context of `query`, from what the server
/// reads: counts, each context item's `NEIGHBOURS_PER_ITEM` strongest
/// neighbours with their pair counts, the 50 most popular. `None` for an
/// item that is no candidate (in the context, or neither a kept neighbour
/// nor among the 50 most popular).
pub fn features(d: &Dense, query: &[usize]) -> Vec<Option<[f64; NF]>> {
    let n = d.n;
    let cap = recommend::NEIGHBOURS_PER_ITEM;
    let (mut sp, mut mx, mut nco, mut sw, mut cos, mut nb) =
        (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut candidate = vec![false; n];
    for &c in d.popular.iter().take(50) {
        candidate[c] = true;
    }
    for &q in query {
        for c in 0..n {
            let kept = (d.place[q * n + c] as usize) < cap;
            let t = if kept { d.together[q * n + c] } else { 0.0 };
            // Naive Bayes' P(q | c), smoothed: a pair not kept counts as none.
            nb[c] += ((t + 0.5) / (d.count[c] + 1.0)).ln();
            if kept {
                candidate[c] = true;
                let p = t / d.count[q];
                sp[c] += p;
                mx[c] = f64::max(mx[c], p);
                nco[c] += 1.0;
                sw[c] += d.walk[q * n + c] / d.count[q];
                cos[c] += t / (d.count[q] * d.count[c]).sqrt();
            }
        }
    }
    let m = query.len().max(1) as f64;
    (0..n)
        .map(|c| {
            if !candidate[c] || query.contains(&c) || d.count[c] == 0.0 {
                return None;
            }
            let pc = d.count[c] / d.baskets;
            Some([
                pc.ln(),
                (1e-4 + sp[c]).ln(),
                (1e-4 + mx[c]).ln(),
                nco[c] / m,
                (1e-4 + sw[c]).ln(),
                cos[c],
                nb[c],
                (1.0 + sp[c] / pc).ln(),
            ])
        })
        .collect()
}

pub fn dot(w: &[f64; NF], f: &[f64; NF]) -> f64 {
    w.iter().zip(f).map(|(a, b)| a * b).sum()
}

/// One training case of the blend: the candidates' features and which of
/// them was hidden.
pub struct Sample {
    rows: Vec<[f64; NF]>,
    hidden: usize,
}

/// Every item of each basket hidden in turn, on the model `d` (which must
/// not have counted these baskets); with `tail_only`, only the long-tail
/// items hidden, and only long-tail candidates.
pub fn samples(d: &Dense, baskets: &[&Vec<usize>], tail_only: bool) -> Vec<Sample> {
    let head = head(d);
    let mut out = Vec::new();
    for b in baskets.iter().filter(|b| b.len() >= 2) {
        for (i, &hidden) in b.iter().enumerate() {
            if tail_only && head[hidden] {
                continue;
            }
            let query: Vec<usize> = b.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| *c).collect();
            let feats = features(d, &query);
            if feats[hidden].is_none() {
                continue;
            }
            let mut rows = Vec::new();
            let mut at = 0;
            for (c, f) in feats.iter().enumerate().filter(|(c, _)| !(tail_only && head[*c])) {
                if let Some(f) = f {
                    if c == hidden {
                        at = rows.len();
                    }
                    rows.push(*f);
                }
            }
            out.push(Sample { rows, hidden: at });
        }
    }
    out
}

/// The conditional logit's weights (which candidate was hidden), by
/// Newton's method on standardised features with a small ridge; returned
/// for the raw features.
pub fn fit(samples: &[Sample]) -> [f64; NF] {
    let rows = samples.iter().flat_map(|s| &s.rows);
    let count = samples.iter().map(|s| s.rows.len()).sum::<usize>().max(1) as f64;
    let mut mean = [0.0; NF];
    for r in rows.clone() {
        for k in 0..NF {
            mean[k] += r[k] / count;
        }
    }
    let mut sd = [0.0; NF];
    for r in rows {
        for k in 0..NF {
            sd[k] += (r[k] - mean[k]).powi(2) / count;
        }
    }
    let sd = sd.map(|v| v.sqrt().max(1e-9));
    let z = |r: &[f64; NF]| -> [f64; NF] { std::array::from_fn(|k| (r[k] - mean[k]) / sd[k]) };
    let ridge = 1e-2;
    let mut w = [0.0; NF];
    for _ in 0..25 {
        let mut grad: [f64; NF] = std::array::from_fn(|k| -ridge * w[k]);
        let mut hess = [[0.0; NF]; NF];
        for (k, row) in hess.iter_mut().enumerate() {
            row[k] = ridge;
        }
        for s in samples {
            let xs: Vec<[f64; NF]> = s.rows.iter().map(z).collect();
            let scores: Vec<f64> = xs.iter().map(|x| dot(&w, x)).collect();
            let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = scores.iter().map(|v| (v - top).exp()).collect();
            let total: f64 = e.iter().sum();
            let mut ef = [0.0; NF];
            let mut exx = [[0.0; NF]; NF];
            for (x, e) in xs.iter().zip(&e) {
                let p = e / total;
                for a in 0..NF {
                    ef[a] += p * x[a];
                    for b in 0..NF {
                        exx[a][b] += p * x[a] * x[b];
                    }
                }
            }
            for a in 0..NF {
                grad[a] += xs[s.hidden][a] - ef[a];
                for b in 0..NF {
                    hess[a][b] += exx[a][b] - ef[a] * ef[b];
                }
            }
        }
        let step = solve(hess, grad);
        for k in 0..NF {
            w[k] += step[k];
        }
        if step.iter().map(|v| v.abs()).fold(0.0, f64::max) < 1e-6 {
            break;
        }
    }
    std::array::from_fn(|k| w[k] / sd[k])
}

/// `a x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: [[f64; NF]; NF], mut b: [f64; NF]) -> [f64; NF] {
    for col in 0..NF {
        let pivot = (col..NF).max_by(|x, y| a[*x][col].abs().total_cmp(&a[*y][col].abs())).unwrap();
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col];
        for row in col + 1..NF {
            let f = a[row][col] / pivot_row[col];
            for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; NF];
    for row in (0..NF).rev() {
        let rest: f64 = (row + 1..NF).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - rest) / a[row][row];
    }
    x
}
