//! `cargo xtask bench`: measures and writes BENCHMARKS.md (figures, machine,
//! date and the command). `--quick` runs a smaller version into
//! `target/bench-quick.md`, as part of the test command, so the benchmark
//! code cannot rot.

use crate::{build, load, shell};
use std::fmt::Write as _;

pub fn run(quick: bool) -> Result<(), String> {
    let mut report = String::new();
    let command = if quick { "cargo xtask bench --quick" } else { "cargo xtask bench" };
    writeln!(report, "# Benchmarks\n").unwrap();
    writeln!(
        report,
        "Written by `{command}` on {}.\n",
        shell::output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_default().trim()
    )
    .unwrap();
    writeln!(report, "Machine: {}.\n", machine()).unwrap();

    shell::step("Widget weight");
    report.push_str(&weight()?);

    shell::step("Time to first paint (headless Chromium, cold loads)");
    let server = if quick { "target/debug/lojal-server" } else { "target/release/lojal-server" };
    let profile: &[&str] =
        if quick { &["build", "-p", "lojal-server"] } else { &["build", "--release", "-p", "lojal-server"] };
    shell::run("cargo", profile)?;
    crate::setup::for_browser_tests()?;
    let loads = if quick { "3" } else { "30" };
    let paint = shell::capture_with_env("node", &["tests/bench/first-paint.mjs", loads], &[("LOJAL_SERVER", server)])?;
    print!("{paint}");
    report.push_str(&paint);
    report.push('\n');

    shell::step("The API under load (wrk), and as the shop grows");
    report.push_str(&load::run(&load::Plan::new(quick))?);

    shell::step("Recommendation quality (hit rate at 5 on data/groceries.csv)");
    let mut args = vec![
        "run",
        "--release",
        "--quiet",
        "-p",
        "lojal-core",
        "--example",
        "recommend_quality",
        "--",
        "data/groceries.csv",
    ];
    if quick {
        args.push("--quick");
    }
    let quality = shell::capture("cargo", &args)?;
    print!("{quality}");
    writeln!(report, "## Recommendation quality\n").unwrap();
    writeln!(
        report,
        "Reproduce: `cargo run --release -p lojal-core --example recommend_quality -- data/groceries.csv`\n"
    )
    .unwrap();
    report.push_str(&quality);
    report.push('\n');
    report.push_str(QUALITY_NOTES);

    let path = if quick { "target/bench-quick.md" } else { "BENCHMARKS.md" };
    if !quick {
        // Sections measured by their own scripts (webhooks, imports) stay,
        // each with its command: this run does not repeat them.
        let previous = std::fs::read_to_string(shell::root().join(path)).unwrap_or_default();
        report.push_str(&kept_sections(&previous, &report));
    }
    std::fs::write(shell::root().join(path), report).map_err(|e| format!("writing {path}: {e}"))?;
    shell::step(&format!("Wrote {path}"));
    Ok(())
}

/// The `## ` sections of `previous` whose titles `fresh` does not have.
fn kept_sections(previous: &str, fresh: &str) -> String {
    let title = |section: &str| section.lines().next().unwrap_or("").trim().to_owned();
    let fresh_titles: Vec<String> = fresh.split("\n## ").skip(1).map(title).collect();
    let mut kept = String::new();
    for section in previous.split("\n## ").skip(1) {
        if !fresh_titles.contains(&title(section)) {
            kept.push_str("\n## ");
            kept.push_str(section.trim_end());
            kept.push('\n');
        }
    }
    kept
}

const QUALITY_NOTES: &str = "\
What this says: on grocery baskets the most popular items (whole milk,
vegetables, rolls, soda) are a strong baseline at four picks, and the
ranking shipped before RP3beta (the cosine with a fixed popularity prior)
showed them to nearly everyone: long-tail hit rate 0.008, 12% of the
catalogue ever shown. Every setting is chosen on inner validation only, as
the best hit rate whose long-tail hit rate is at least 0.055 (issue 19's
0.05 and a margin for validation's noise). The shipped ranking is two
stages over the stored counts: three picks by RP3beta (α = 1, β = 0.3,
pairs weighted by 1 / basket size, prior w = 0.01), the fourth the best
candidate outside the shop's ten most popular items by RP3beta (α = 0.8,
β = 0.4, no prior); the rule applied to the five inner validations pooled
chose it (validation: 0.253, long tail 0.060). On the test folds: 1.07x
most popular with a long-tail hit rate of 0.059, against 1.08x and 0.049
for the RP3beta shipped before (the difference in hit rate is 7 baskets
of 7676; the long tail gains a fifth). **Long-tail target met (0.059 ≥
0.05); hit-rate target missed (1.07x against 1.10x).** Choosing per fold
(the family row, the stricter estimate since a pooled validation basket
sits in another fold's test fold) gives 1.07x and 0.061. Nothing tried
reaches 1.10x under the long-tail floor: a small popularity blend on
RP3beta (w 0.001 to 0.01) trades long tail for hit rate almost one for one
(1.05x at 0.053), fusing RP3beta with the cosine or a flatter RP3beta
gives 1.03x, and 100 or all neighbours per item instead of 50 were never
the better choice on validation (the neighbour cap stays at 50, so the
server reads the same rows). Even EASE, dense and not shippable at 50,000
products, reaches only 1.08x under the same rule.

Tried for issue 19's 1.10x as well, each in its row and chosen by the same
rule on inner validation only. A learned blend: a conditional logit
(which candidate was the hidden item) over eight features the server can
compute from the rows it reads (log popularity; the sum and the largest
P(c | q) over the context; the share of context items bought with c;
RP3beta's walk sum; the cosine; naive Bayes' Σ ln P(q | c); the lift),
its weights fitted per fold on the inner validation's baskets. Alone it
has the best hit rate on validation (0.261 against most popular's 0.238
on the first fold's) and almost no long tail (0.013); with a bonus δ for a
long-tail candidate, which lets a confident one in for this member and not
that one instead of a fixed slot, the rule takes δ 0.5 to 0.75: 1.05x at
0.072 on the test folds. Its three best with a fourth pick from the long
tail (by the blend, blend + δ, or RP3beta): 1.07x at 0.058; a second blend
fitted on long-tail cases alone for the fourth pick: 1.07x at 0.062.
Association rules (confidence with lift ≥ 1 to 3 and support ≥ 2 to 10
baskets, + prior): 0.74x at the floor. EASE for three picks with the
RP3beta long-tail slot (its weights cut to each item's 50 strongest
neighbours or not; the rule took all neighbours in four folds of five,
and either is a model the server would have to fit and store beside the
counts): 1.08x at 0.066, the best row, 11 hits more than the shipped
ranking among 7676 cases (b − c: 140 against 129), where 1.10x needs
about 173.
**No variant reaches 1.10x on the test folds under the long-tail floor;
the shipped ranking is unchanged.** The long-tail slot
shows fewer distinct items (71% of the catalogue against 88%): three
picks now lean towards staples. The data set has no customers, so the
per-customer parts of the ranking (items bought again, recent orders as
context) are not measured here; they are covered by unit and HTTP tests.

Cost: the server reads what it read before (item counts, the 50 strongest
neighbours of each context item with their walk weights, the 50 most
popular); only the ranking's arithmetic grows. `cargo run --release -p
lojal-core --example recommend_quality -- --timing` ranks for a member
with 30 context items over 50,000 products (1,500 neighbour rows): 1.6 ms
against 1.3 ms before, on the shared 2 cores (a focused timing of the
ranking, not a wrk run of the endpoint).

Through the endpoint: `LOJAL_QUALITY_SAMPLE=500 cargo test -p lojal-server
--test api held_out_baskets -- --nocapture` seeds a shop with four baskets
in five, posts each of the first 500 held-out baskets' other items as a new
member's order and asks `GET /widget`: hit rate @4 0.258 against the
offline ranking's 0.260 on the same cases (one basket of 500: the endpoint
also counts each posted basket; most popular 0.242 on this sample),
long-tail 0.059 (323 cases). The sample is small and its split differs
from the cross-validation's, so these figures are noisier than the table's.
";

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = shell::output("nproc", &[]).unwrap_or_default().trim().to_owned();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<u64>().ok()))
        .map_or("unknown".into(), |kb| format!("{} GiB", kb / 1024 / 1024));
    format!("{cpu}, {cores} cores, {memory} memory")
}

/// What a shopper's browser downloads, raw, gzip and brotli, and the
/// budget the test command holds it to.
fn weight() -> Result<String, String> {
    let mut out =
        String::from("## Widget weight\n\nReproduce: `cargo xtask build-widget` (prints the same table).\n\n");
    out.push_str("| file | raw | gzip -9 | brotli -11 |\n|---|---|---|---|\n");
    let (mut raw_total, mut gzip_total, mut brotli_total) = (0, 0, 0);
    for file in build::SHIPPED {
        let raw = std::fs::metadata(shell::root().join(file)).map_err(|e| format!("{file}: {e}"))?.len() as usize;
        let gzip = build::gzipped_len(file)?;
        let brotli = brotli_len(file)?;
        writeln!(out, "| `{file}` | {raw} | {gzip} | {brotli} |").unwrap();
        raw_total += raw;
        gzip_total += gzip;
        brotli_total += brotli;
    }
    writeln!(out, "| **total** | {raw_total} | {gzip_total} | {brotli_total} |\n").unwrap();
    writeln!(
        out,
        "Requests to first render: one script (`/widget.js`: loader, module and glue in one file) and \
         one API request, a simple GET with the signed identity in its query string (no CORS preflight); \
         the first view (balance and tier) is drawn from that answer while the wasm downloads beside it \
         (`tests/browser/first-render.test.mjs` fails past 50 KB before the first render).\n\n\
         Target (issue 8): under 60 KB gzipped in all. **Missed**: {} KB. The widget reads the API without \
         serde (`lojal_core::wire`), which took the wasm from 95 KB to 79 KB with every program form of issue 7 \
         in it; the test command fails past a budget of {} KB gzipped for the wasm. What is left, by size \
         (twiggy on the unoptimized wasm): the views and session, the words of three languages, Rust's \
         formatting machinery (`format!`, number and float formatting), the allocator and wasm-bindgen's \
         glue. Next: build strings without `format!`, let `Intl` do all number formatting, and a smaller \
         allocator; bundling the loader, module and glue saves requests more than bytes.\n",
        gzip_total / 1000,
        build::WASM_GZIP_BUDGET / 1000
    )
    .unwrap();
    Ok(out)
}

/// Brotli at its best setting, through Node's zlib (no other tool needed).
fn brotli_len(file: &str) -> Result<usize, String> {
    let script = format!(
        "const z=require('zlib'),fs=require('fs');process.stdout.write(String(z.brotliCompressSync(fs.readFileSync({file:?}),{{params:{{[z.constants.BROTLI_PARAM_QUALITY]:11}}}}).length))"
    );
    shell::capture("node", &["-e", &script])?.trim().parse().map_err(|e| format!("brotli size of {file}: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sections_measured_elsewhere_are_kept_and_fresh_ones_replace_old_ones() {
        let previous = "# B\n\n## Widget weight\nold\n\n## Webhooks\nby its script\n";
        let fresh = "# B\n\n## Widget weight\nnew\n";
        assert_eq!(super::kept_sections(previous, fresh), "\n## Webhooks\nby its script\n");
    }
}
