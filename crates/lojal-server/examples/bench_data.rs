//! Data for `cargo xtask bench`: a shop at scale, generated reproducibly
//! from the real baskets of `data/groceries.csv`, and what the load
//! generator needs to act as its shoppers and its back end.
//!
//! `grow --members N` brings the shop `bench` to N members (creating it
//! first), so one database grows 10k -> 100k -> 1M between measurements.
//! Each member has three orders (real baskets, drawn by a fixed formula)
//! and ten ledger rows (three purchases, a birthday, a referral, four
//! engagement points, one redemption), and every tenth member was referred
//! by another. The catalogue is the data set's 169 product groups in 296
//! variants (50,024 products); the co-occurrence counts are the real
//! baskets' counts, per variant, as rebuilt counts would be.
//!
//! The rows are made by SQL inside the database (a recursive CTE of member
//! numbers), not one request at a time: loading 10M ledger rows through
//! the API would take hours and measure ingestion, which the bench times
//! on its own.
//!
//! `grow` also writes `--lua PATH`: signed identities of 1,000 members
//! spread over the id range, the merchant's bearer secret and real baskets
//! as order bodies, for the wrk scripts in `tests/bench/`.
//! `count-orders --prefix P` prints how many orders with ids starting with
//! P are stored (the durability check of the ingestion load).

use clap::{Parser, Subcommand};
use lojal_server::demo::catalogue::{self, BASKETS_CSV};
use lojal_server::store::shops::{self, Shop};
use lojal_server::{clock, db, Result};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

const SHOP: &str = "bench";
/// A fixed secret: this shop exists only in benchmark databases.
const SECRET: &str = "bench-secret-not-for-any-real-shop";
/// Members added per transaction.
const BATCH: i64 = 100_000;
const SAMPLED_MEMBERS: i64 = 1000;
const SAMPLED_BASKETS: usize = 500;

#[derive(Debug, Parser)]
struct Cli {
    #[arg(long)]
    db: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Grow {
        #[arg(long)]
        members: i64,
        /// Variants of each of the 169 product groups: 296 makes 50,024
        /// products (the test command's short run uses fewer).
        #[arg(long, default_value_t = 296)]
        variants: i64,
        #[arg(long)]
        lua: PathBuf,
    },
    CountOrders {
        #[arg(long)]
        prefix: String,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let db = db::open(&cli.db).await?;
    let mut conn = db.pool.acquire().await?;
    match cli.command {
        Command::Grow { members, variants, lua } => {
            if shops::find(&db, SHOP).await?.is_none() {
                let started = Instant::now();
                create_shop(&db, variants).await?;
                eprintln!("created shop {SHOP} with its catalogue in {:.1} s", started.elapsed().as_secs_f64());
            }
            let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE shop_id = $1")
                .bind(SHOP)
                .fetch_one(&mut *conn)
                .await?;
            let started = Instant::now();
            let mut from = have + 1;
            while from <= members {
                let to = (from + BATCH - 1).min(members);
                add_members(&db, from, to, variants).await?;
                from = to + 1;
            }
            if members > have {
                eprintln!("added members {}..={members} in {:.1} s", have + 1, started.elapsed().as_secs_f64());
            }
            if db.backend == db::Backend::Sqlite {
                // Fold the bulk load's write-ahead log into the database, as a
                // running server's checkpoints would have long since.
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *conn).await?;
            }
            std::fs::write(&lua, load_script_data(members.max(have), variants)).expect("writing the Lua data file");
        }
        Command::CountOrders { prefix } => {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE shop_id = $1 AND id LIKE $2")
                .bind(SHOP)
                .bind(format!("{prefix}%"))
                .fetch_one(&mut *conn)
                .await?;
            println!("{count}");
        }
    }
    Ok(())
}

/// The real baskets as (basket number, product group) pairs, each group once per basket.
fn baskets() -> Vec<Vec<String>> {
    BASKETS_CSV
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let unique: BTreeSet<String> =
                line.split(',').filter(|n| !n.trim().is_empty()).map(|n| n.trim().to_owned()).collect();
            unique.into_iter().collect()
        })
        .collect()
}

/// The shop, its catalogue and co-occurrence counts, and the real baskets
/// as a table the member rows are drawn from.
async fn create_shop(db: &db::Db, variants: i64) -> Result<()> {
    lojal_server::app::add_shop::add(
        db,
        &Shop {
            id: SHOP.into(),
            name: "Bench".into(),
            secret: SECRET.into(),
            currency: "SEK".into(),
            locale: "sv".into(),
            program: lojal_server::demo::program(),
            origins: vec!["http://127.0.0.1".into()],
        },
        clock::now(),
    )
    .await?;
    let mut tx = db.begin_write().await?;
    for table in [
        "CREATE TABLE bench_baskets (basket BIGINT NOT NULL, sku TEXT NOT NULL, price BIGINT NOT NULL)",
        "CREATE TABLE bench_groups (sku TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, price BIGINT NOT NULL)",
    ] {
        sqlx::query(table).execute(&mut *tx).await?;
    }
    let baskets = baskets();
    let mut groups = BTreeSet::new();
    let mut rows = Vec::new();
    for (n, basket) in baskets.iter().enumerate() {
        for name in basket {
            let product = catalogue::product(name);
            rows.push((n as i64, product.sku.clone(), product.price));
            groups.insert((product.sku, product.name, product.category, product.price));
        }
    }
    for chunk in rows.chunks(300) {
        let mut sql = String::from("INSERT INTO bench_baskets (basket, sku, price) VALUES ");
        for i in 0..chunk.len() {
            let p = i * 3;
            write!(sql, "{}(${}, ${}, ${})", if i == 0 { "" } else { ", " }, p + 1, p + 2, p + 3).unwrap();
        }
        let mut query = sqlx::query(&sql);
        for (basket, sku, price) in chunk {
            query = query.bind(*basket).bind(sku.clone()).bind(*price);
        }
        query.execute(&mut *tx).await?;
    }
    for (sku, name, category, price) in &groups {
        sqlx::query("INSERT INTO bench_groups (sku, name, category, price) VALUES ($1, $2, $3, $4)")
            .bind(sku)
            .bind(name)
            .bind(category)
            .bind(*price)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("CREATE INDEX bench_baskets_by_basket ON bench_baskets (basket)").execute(&mut *tx).await?;
    let variant_numbers = format!(
        "WITH RECURSIVE v(v) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT v + 1 FROM v WHERE v < {})",
        variants - 1
    );
    let statements = [
        format!(
            "INSERT INTO products (shop_id, sku, name, category, price, url, image)
             {variant_numbers} SELECT '{SHOP}', g.sku || '-v' || v, g.name || ' ' || (v + 1), g.category, g.price,
                 '/products/' || g.sku || '-v' || v, '' FROM bench_groups g CROSS JOIN v"
        ),
        format!(
            "INSERT INTO item_counts (shop_id, sku, baskets)
             {variant_numbers} SELECT '{SHOP}', c.sku || '-v' || v, c.n
             FROM (SELECT sku, COUNT(*) AS n FROM bench_baskets GROUP BY sku) c CROSS JOIN v"
        ),
        format!(
            "INSERT INTO pair_counts (shop_id, a, b, baskets)
             {variant_numbers} SELECT '{SHOP}', p.a || '-v' || v, p.b || '-v' || v, p.n
             FROM (SELECT x.sku AS a, y.sku AS b, COUNT(*) AS n FROM bench_baskets x
                   JOIN bench_baskets y ON y.basket = x.basket AND y.sku <> x.sku GROUP BY x.sku, y.sku) p
             CROSS JOIN v"
        ),
        format!("INSERT INTO shop_baskets (shop_id, baskets) VALUES ('{SHOP}', {})", baskets.len() as i64 * variants),
        "CREATE TABLE bench_basket_totals AS SELECT basket, SUM(price) AS total FROM bench_baskets GROUP BY basket"
            .to_owned(),
        "CREATE INDEX bench_basket_totals_by_basket ON bench_basket_totals (basket)".to_owned(),
    ];
    for statement in statements {
        sqlx::query(&statement).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Members `from..=to` with their orders, items and ledger rows, and their
/// cached sums made from those rows, in one transaction.
async fn add_members(db: &db::Db, from: i64, to: i64, variants: i64) -> Result<()> {
    let now = clock::now();
    let basket_count = baskets().len() as i64;
    let members = format!(
        "WITH RECURSIVE n(i) AS (SELECT CAST({from} AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < {to}),
                       k(k) AS (VALUES (0), (1), (2))"
    );
    // Which real basket member i's k-th order is: spread by two primes.
    let basket = format!("(n.i * 31 + k.k * 7919) % {basket_count}");
    let statements = [
        format!(
            "INSERT INTO customers (shop_id, id, referral_code, referred_by, created_at)
             {members} SELECT '{SHOP}', 'm' || i, 'R' || i,
                 CASE WHEN i % 10 = 0 AND i > 10 THEN 'm' || (i / 10) END, {created} FROM n",
            created = now - 200 * 86_400
        ),
        // Orders within the last 30 days: active members, as a widget's
        // readers mostly are.
        format!(
            "INSERT INTO orders (shop_id, id, customer_id, total, currency, points_awarded, created_at)
             {members} SELECT '{SHOP}', 'o' || n.i || '-' || k.k, 'm' || n.i, t.total, 'SEK', t.total / 100,
                 {now} - 86400 * ((n.i + 11 * k.k) % 30) - k.k
             FROM n CROSS JOIN k JOIN bench_basket_totals t ON t.basket = {basket}"
        ),
        format!(
            "INSERT INTO order_items (shop_id, order_id, sku, qty, price)
             {members} SELECT '{SHOP}', 'o' || n.i || '-' || k.k, b.sku || '-v' || (n.i % {variants}), 1, b.price
             FROM n CROSS JOIN k JOIN bench_baskets b ON b.basket = {basket}"
        ),
        format!(
            "INSERT INTO ledger (shop_id, customer_id, delta, reason, order_id, at)
             SELECT shop_id, customer_id, points_awarded, 'earn', id, created_at FROM orders
             WHERE shop_id = '{SHOP}' AND customer_id IN (
                 {members} SELECT 'm' || i FROM n)"
        ),
        format!(
            "INSERT INTO ledger (shop_id, customer_id, delta, reason, order_id, reward_id, note, at)
             {members}, e(j, delta, reason, reward_id, note) AS (VALUES
                 (0, 100, 'birthday', NULL, NULL), (1, 200, 'referral', NULL, NULL),
                 (2, 50, 'adjustment', NULL, 'review'), (3, 50, 'adjustment', NULL, 'review'),
                 (4, 20, 'adjustment', NULL, 'social follow'), (5, 30, 'adjustment', NULL, 'survey'),
                 (6, -300, 'redeem', 'free-shipping', NULL))
             SELECT '{SHOP}', 'm' || n.i, e.delta, e.reason,
                 -- As the server writes them: a referral bonus names the
                 -- referred order, a redemption its code.
                 CASE WHEN e.reason = 'referral' THEN 'referred-' || n.i END, e.reward_id,
                 CASE WHEN e.reason = 'redeem' THEN 'B' || n.i ELSE e.note END, {now} - 86400 * (7 - e.j)
             FROM n CROSS JOIN e"
        ),
        format!(
            "INSERT INTO redemptions (shop_id, code, customer_id, reward_id, points_spent, created_at)
             {members} SELECT '{SHOP}', 'B' || i, 'm' || i, 'free-shipping', 300, {now} - 86400 FROM n"
        ),
        format!(
            "UPDATE customers SET
                 points = (SELECT SUM(delta) FROM ledger l WHERE l.shop_id = customers.shop_id AND l.customer_id = customers.id),
                 lifetime_points = (SELECT SUM(delta) FROM ledger l WHERE l.shop_id = customers.shop_id
                     AND l.customer_id = customers.id AND l.reason <> 'redeem')
             WHERE shop_id = '{SHOP}' AND lifetime_points = 0"
        ),
    ];
    let mut tx = db.begin_write().await?;
    for statement in statements {
        sqlx::query(&statement).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A Lua table for the wrk scripts: the shop, the merchant secret, signed
/// identities of members spread over the whole id range, and real baskets
/// as the JSON items of new orders.
fn load_script_data(members: i64, variants: i64) -> String {
    let ts = clock::now();
    let mut lua = format!("return {{\n  shop = {SHOP:?},\n  secret = {SECRET:?},\n  members = {{\n");
    let sampled = SAMPLED_MEMBERS.min(members);
    for j in 0..sampled {
        let id = format!("m{}", 1 + j * members / sampled);
        let sig = lojal_core::identity::sign(SECRET, SHOP, &id, ts);
        writeln!(lua, "    {{{id:?}, \"{ts}\", {sig:?}}},").unwrap();
    }
    lua.push_str("  },\n  baskets = {\n");
    for (n, basket) in baskets().iter().take(SAMPLED_BASKETS).enumerate() {
        let variant = n as i64 % variants;
        let items: Vec<String> = basket
            .iter()
            .map(|name| {
                let p = catalogue::product(name);
                format!(r#"{{"sku":"{}-v{variant}","qty":1,"price":{}}}"#, p.sku, p.price)
            })
            .collect();
        let total: i64 = basket.iter().map(|name| catalogue::product(name).price).sum();
        writeln!(lua, "    {{{total}, {:?}}},", format!("[{}]", items.join(","))).unwrap();
    }
    lua.push_str("  },\n}\n");
    lua
}
