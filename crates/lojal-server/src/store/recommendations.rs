//! Recommendations: the co-occurrence counts they are made from, kept up to
//! date order by order, and the picks for one shopper.

use crate::error::Result;
use crate::store::model_cache::{ModelCache, ShopCounts};
use lojal_core::api::{Recommendation, RecommendationFigures};
use lojal_core::recommend::{self, Because, CoCounts, Context, Pair, Params, NEIGHBOURS_PER_ITEM};
use lojal_core::words::{self, Lang};
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// How many picks the widget shows (the ranking's long-tail slot is the
/// last of them).
pub const PICKS: usize = recommend::SHOWN;
/// The orders of a member the picks look at.
const RECENT_ORDERS: i64 = 10;
/// Popular items loaded as candidates beside the context's neighbours.
const POPULAR: i64 = 50;
/// The distinct items of a typical basket (`data/groceries.csv`: 4.4), for
/// pairs counted before their walk weight was kept.
const TYPICAL_BASKET: usize = 4;
/// Items whose neighbours one statement reads (see [`load_neighbours`]).
const NEIGHBOUR_TERMS_PER_QUERY: usize = 100;

/// Adds one order's distinct items to the counts: one basket, each item
/// once, each pair once in each direction (pairs among its first
/// [`recommend::MAX_PAIRED_ITEMS`] only, as [`rebuild`] counts them). Called
/// in the order's transaction: a few multi-row statements, so even a
/// 500-item order holds SQLite's write lock briefly.
pub async fn count_basket(conn: &mut AnyConnection, shop: &str, skus: &[&str]) -> Result<()> {
    count_baskets(conn, shop, &[skus]).await
}

/// Adds several orders' baskets to the counts at once, each counted as
/// [`count_basket`] counts it: the order writer's batch, in its shared
/// transaction. The baskets are summed in memory first, so an item or pair
/// that several of them hold is one row written once, and the rows go in
/// key order (neighbouring rows share B-tree pages): three statements for
/// the batch instead of three per order.
pub async fn count_baskets<S: AsRef<str>>(conn: &mut AnyConnection, shop: &str, baskets: &[&[S]]) -> Result<()> {
    if baskets.is_empty() {
        return Ok(());
    }
    let mut model = CoCounts::default();
    for basket in baskets {
        model.add_basket(basket);
    }
    sqlx::query(
        "INSERT INTO shop_baskets (shop_id, baskets) VALUES ($1, $2)
         ON CONFLICT (shop_id) DO UPDATE SET baskets = shop_baskets.baskets + excluded.baskets",
    )
    .bind(shop)
    .bind(i64::from(model.baskets()))
    .execute(&mut *conn)
    .await?;
    add_model_counts(conn, shop, &model).await
}

/// Adds every item's and pair's counts of `model` to the stored ones, in
/// key order.
async fn add_model_counts(conn: &mut AnyConnection, shop: &str, model: &CoCounts) -> Result<()> {
    let mut items: Vec<(&str, i64)> = model.popular().into_iter().map(|(sku, n)| (sku, i64::from(n))).collect();
    items.sort_unstable_by(|x, y| x.0.cmp(y.0));
    add_item_counts(conn, shop, &items).await?;
    let mut pairs: Vec<(&str, &str, Pair)> =
        items.iter().flat_map(|(sku, _)| model.pairs(sku).map(|(other, pair)| (*sku, other, pair))).collect();
    pairs.sort_unstable_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
    add_pair_counts(conn, shop, &pairs).await
}

/// Recounts everything from the shop's orders (after an import, or to
/// repair). `conn` should be a write transaction. Returns the baskets counted.
pub async fn rebuild(conn: &mut AnyConnection, shop: &str) -> Result<u32> {
    for table in ["shop_baskets", "item_counts", "pair_counts"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE shop_id = $1")).bind(shop).execute(&mut *conn).await?;
    }
    let rows = sqlx::query("SELECT order_id, sku FROM order_items WHERE shop_id = $1 ORDER BY order_id")
        .bind(shop)
        .fetch_all(&mut *conn)
        .await?;
    let mut baskets: HashMap<String, Vec<String>> = HashMap::new();
    for row in rows {
        baskets.entry(row.try_get("order_id")?).or_default().push(row.try_get("sku")?);
    }
    let mut model = CoCounts::default();
    for items in baskets.values() {
        model.add_basket(items);
    }
    sqlx::query("INSERT INTO shop_baskets (shop_id, baskets) VALUES ($1, $2)")
        .bind(shop)
        .bind(i64::from(model.baskets()))
        .execute(&mut *conn)
        .await?;
    add_model_counts(conn, shop, &model).await?;
    Ok(model.baskets())
}

/// Rows per multi-row INSERT: a large basket is a few statements rather
/// than one per row, and each binds at most 3 * 300 + 1 parameters, under
/// even an old SQLite's limit (999).
const ROWS_PER_INSERT: usize = 300;

/// `($1, $2, $3), ($1, $4, $5), ...`: `rows` rows of the shop (`$1`) and
/// `columns` more values each.
fn value_rows(rows: usize, columns: usize) -> String {
    (0..rows).map(|row| format!("($1, {})", placeholders(2 + row * columns, columns))).collect::<Vec<_>>().join(", ")
}

/// Adds `n` to each item's basket count. Items must be distinct: PostgreSQL
/// refuses to update one row twice in one statement.
async fn add_item_counts(conn: &mut AnyConnection, shop: &str, items: &[(&str, i64)]) -> Result<()> {
    for chunk in items.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO item_counts (shop_id, sku, baskets) VALUES {}
             ON CONFLICT (shop_id, sku) DO UPDATE SET baskets = item_counts.baskets + excluded.baskets",
            value_rows(chunk.len(), 2)
        );
        let mut query = sqlx::query(&sql).bind(shop);
        for (sku, n) in chunk {
            query = query.bind(*sku).bind(*n);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Adds each directed pair's counts; pairs must be distinct.
async fn add_pair_counts(conn: &mut AnyConnection, shop: &str, pairs: &[(&str, &str, Pair)]) -> Result<()> {
    // 4 values a row: 225 rows bind 901 parameters, under SQLite's 999.
    for chunk in pairs.chunks(ROWS_PER_INSERT * 3 / 4) {
        let sql = format!(
            "INSERT INTO pair_counts (shop_id, a, b, baskets, walk) VALUES {}
             ON CONFLICT (shop_id, a, b) DO UPDATE SET baskets = pair_counts.baskets + excluded.baskets,
                 walk = pair_counts.walk + excluded.walk",
            value_rows(chunk.len(), 4)
        );
        let mut query = sqlx::query(&sql).bind(shop);
        for (a, b, pair) in chunk {
            query = query.bind(*a).bind(*b).bind(i64::from(pair.baskets)).bind(pair.walk);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `$first, $first+1, ...` for an `IN (...)` of `n` values (the Any driver
/// binds no arrays).
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The member's recent orders, newest first, each as its items.
async fn recent_orders(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Vec<Vec<String>>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM orders WHERE shop_id = $1 AND customer_id = $2 ORDER BY created_at DESC LIMIT $3",
    )
    .bind(shop)
    .bind(customer)
    .bind(RECENT_ORDERS)
    .fetch_all(&mut *conn)
    .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT order_id, sku FROM order_items WHERE shop_id = $1 AND order_id IN ({})",
        placeholders(2, ids.len())
    );
    let mut query = sqlx::query(&sql).bind(shop);
    for id in &ids {
        query = query.bind(id);
    }
    let mut by_order: HashMap<String, Vec<String>> = HashMap::new();
    for row in query.fetch_all(&mut *conn).await? {
        by_order.entry(row.try_get("order_id")?).or_default().push(row.try_get("sku")?);
    }
    Ok(ids.iter().map(|id| by_order.remove(id).unwrap_or_default()).collect())
}

/// The part of the model a ranking for `context` needs: the context items'
/// neighbours, their counts and the most popular items; from `cache` where
/// it has them, else in one query per kind for all that it lacks.
async fn model_for(conn: &mut AnyConnection, cache: &ModelCache, shop: &str, context: &[&str]) -> Result<CoCounts> {
    let (shop_key, generation) = cache.shop_key(shop);
    let item = |sku: &str| (shop_key.clone(), generation, sku.to_owned());

    let whole = match cache.shops.get(&(shop_key.clone(), generation)) {
        Some(whole) => whole,
        None => {
            let whole = Arc::new(load_shop(conn, shop).await?);
            cache.shops.insert((shop_key.clone(), generation), whole.clone());
            whole
        }
    };
    let (baskets, popular) = (&whole.0, &whole.1);

    let mut pairs = Vec::new();
    let mut missing = Vec::new();
    for sku in context {
        match cache.neighbours.get(&item(sku)) {
            Some(neighbours) => pairs.extend(neighbours.iter().map(|(b, p)| ((*sku).to_owned(), b.clone(), *p))),
            None => missing.push(*sku),
        }
    }
    if !missing.is_empty() {
        let mut loaded: HashMap<&str, Vec<(String, Pair)>> = missing.iter().map(|s| (*s, Vec::new())).collect();
        for (a, b, n) in load_neighbours(conn, shop, &missing).await? {
            if let Some(list) = loaded.get_mut(a.as_str()) {
                list.push((b.clone(), n));
            }
            pairs.push((a, b, n));
        }
        // Items without neighbours are kept too (empty), so they are not read again.
        for (sku, list) in loaded {
            cache.neighbours.insert(item(sku), Arc::new(list));
        }
    }

    let mut counts: HashMap<String, u32> = popular.iter().cloned().collect();
    let mut wanted: HashSet<&str> = context.iter().copied().collect();
    wanted.extend(pairs.iter().map(|(_, b, _)| b.as_str()));
    let mut unknown = Vec::new();
    let wanted: Vec<&str> = wanted.into_iter().filter(|s| !counts.contains_key(*s)).collect();
    for sku in wanted {
        match cache.counts.get(&item(sku)) {
            Some(n) => {
                counts.insert(sku.to_owned(), n);
            }
            None => unknown.push(sku),
        }
    }
    let loaded = load_counts(conn, shop, &unknown).await?;
    for sku in unknown {
        let n = loaded.get(sku).copied().unwrap_or(0);
        cache.counts.insert(item(sku), n);
        counts.insert(sku.to_owned(), n);
    }
    Ok(CoCounts::from_parts(*baskets, counts, pairs))
}

/// All baskets of the shop, and its most popular items.
async fn load_shop(conn: &mut AnyConnection, shop: &str) -> Result<ShopCounts> {
    let baskets: Option<i64> = sqlx::query_scalar("SELECT baskets FROM shop_baskets WHERE shop_id = $1")
        .bind(shop)
        .fetch_optional(&mut *conn)
        .await?;
    let popular =
        sqlx::query("SELECT sku, baskets FROM item_counts WHERE shop_id = $1 ORDER BY baskets DESC, sku LIMIT $2")
            .bind(shop)
            .bind(POPULAR)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("sku")?, row.try_get::<i64, _>("baskets")? as u32)))
            .collect::<Result<Vec<_>>>()?;
    Ok((baskets.unwrap_or(0) as u32, popular))
}

/// Each of `skus`' strongest neighbours, as the quality benchmark measures
/// them: one index range per item, however many products share baskets
/// with it. One `UNION ALL` term per item, so at most
/// [`NEIGHBOUR_TERMS_PER_QUERY`] items per statement: a member whose cart
/// and recent orders hold hundreds of items would pass SQLite's limit of
/// 500 terms in one compound SELECT.
async fn load_neighbours(conn: &mut AnyConnection, shop: &str, skus: &[&str]) -> Result<Vec<(String, String, Pair)>> {
    let mut pairs = Vec::new();
    for chunk in skus.chunks(NEIGHBOUR_TERMS_PER_QUERY) {
        let sql = (0..chunk.len())
            .map(|i| {
                format!(
                    "SELECT * FROM (SELECT a, b, baskets, walk FROM pair_counts WHERE shop_id = $1 AND a = ${param}
                     ORDER BY baskets DESC, b LIMIT {NEIGHBOURS_PER_ITEM}) AS n{i}",
                    param = i + 2
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let mut query = sqlx::query(&sql).bind(shop);
        for sku in chunk {
            query = query.bind(*sku);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let baskets = row.try_get::<i64, _>("baskets")? as u32;
            let mut walk: f64 = row.try_get("walk")?;
            if walk <= 0.0 {
                // Counted before the walk weight was kept (migration 0019):
                // estimated as if each basket held a typical number of
                // items, until `recommendations rebuild` recounts it.
                walk = f64::from(baskets) * recommend::walk_weight(TYPICAL_BASKET);
            }
            pairs.push((row.try_get("a")?, row.try_get("b")?, Pair { baskets, walk }));
        }
    }
    Ok(pairs)
}

/// Baskets holding each of `skus` (absent: none).
async fn load_counts(conn: &mut AnyConnection, shop: &str, skus: &[&str]) -> Result<HashMap<String, u32>> {
    let mut counts = HashMap::new();
    for chunk in skus.chunks(500) {
        let sql = format!(
            "SELECT sku, baskets FROM item_counts WHERE shop_id = $1 AND sku IN ({})",
            placeholders(2, chunk.len())
        );
        let mut query = sqlx::query(&sql).bind(shop);
        for sku in chunk {
            query = query.bind(*sku);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let n: i64 = row.try_get("baskets")?;
            counts.insert(row.try_get("sku")?, n as u32);
        }
    }
    Ok(counts)
}

struct ProductRow {
    name: String,
    category: String,
    price: i64,
    url: String,
    image: String,
    recommendable: bool,
}

async fn products(conn: &mut AnyConnection, shop: &str, skus: &[&str]) -> Result<HashMap<String, ProductRow>> {
    let mut out = HashMap::new();
    for chunk in skus.chunks(500) {
        let sql = format!(
            // The Any driver reads no SQLite BOOLEAN: the flag comes back as a number.
            "SELECT sku, name, category, price, url, image,
                    CAST(CASE WHEN recommendable THEN 1 ELSE 0 END AS BIGINT) AS recommendable
             FROM products WHERE shop_id = $1 AND sku IN ({})",
            placeholders(2, chunk.len())
        );
        let mut query = sqlx::query(&sql).bind(shop);
        for sku in chunk {
            query = query.bind(*sku);
        }
        for row in query.fetch_all(&mut *conn).await? {
            out.insert(
                row.try_get("sku")?,
                ProductRow {
                    name: row.try_get("name")?,
                    category: row.try_get("category")?,
                    price: row.try_get("price")?,
                    url: row.try_get("url")?,
                    image: row.try_get("image")?,
                    recommendable: row.try_get::<i64, _>("recommendable")? == 1,
                },
            );
        }
    }
    Ok(out)
}

/// Picks for a member (their recent orders and cart) or a guest (the cart
/// alone), each with its reason in `lang`. On a product page, `product` (its
/// sku) comes first in the context and is not offered itself.
pub async fn for_shopper(
    conn: &mut AnyConnection,
    cache: &ModelCache,
    shop: &str,
    customer: Option<&str>,
    cart: &[String],
    product: Option<&str>,
    lang: Lang,
) -> Result<Vec<Recommendation>> {
    let orders = match customer {
        Some(customer) => recent_orders(conn, shop, customer).await?,
        None => Vec::new(),
    };
    let context = Context::for_shopper(&orders, cart, product);
    let model = model_for(conn, cache, shop, &context.items).await?;
    // Rank more than needed: some picks may be unknown or not recommendable
    // (then the long-tail pick, ranked fourth, moves up a place).
    let picks = recommend::rank(&model, &context, PICKS * 3, Params::default());
    let mut wanted: Vec<&str> = picks.iter().map(|p| p.sku.as_str()).collect();
    for pick in &picks {
        if let Because::BoughtWith(with) = &pick.because {
            wanted.push(with);
        }
    }
    let catalogue = products(conn, shop, &wanted).await?;
    let mut out = Vec::new();
    for pick in picks {
        let Some(product) = catalogue.get(&pick.sku).filter(|p| p.recommendable) else { continue };
        let reason = match &pick.because {
            Because::BoughtWith(with) => {
                words::often_bought_with(lang, catalogue.get(with).map_or(with.as_str(), |p| p.name.as_str()))
            }
            Because::BuyAgain => words::buy_again(lang),
            Because::Popular => words::popular_in(lang, &product.category),
        };
        out.push(Recommendation {
            sku: pick.sku,
            name: product.name.clone(),
            url: product.url.clone(),
            image: product.image.clone(),
            price: product.price,
            reason,
        });
        if out.len() == PICKS {
            break;
        }
    }
    Ok(out)
}

/// Days after a view within which an order holding a shown item is
/// credited to the recommendations.
pub const ATTRIBUTION_DAYS: i64 = 14;

/// Whether this process recorded `skus` as shown to the member today, so
/// that [`record_view`] would write nothing.
pub fn view_recorded(cache: &ModelCache, shop: &str, customer: &str, skus: &[&str], now: i64) -> bool {
    if skus.is_empty() {
        return true;
    }
    let key = (Arc::<str>::from(shop), customer.to_owned(), now.div_euclid(86_400));
    cache.views.get(&key).is_some_and(|last| *last == skus.join("\n"))
}

/// Records the picks shown to a member today: one row per member, day and
/// item, written only when the picks differ from the last ones this
/// process recorded for the member today (`cache`), so a member's repeated
/// views cost no write. Another process's duplicate is ignored.
pub async fn record_view(
    conn: &mut AnyConnection,
    cache: &ModelCache,
    shop: &str,
    customer: &str,
    skus: &[&str],
    now: i64,
) -> Result<()> {
    if skus.is_empty() {
        return Ok(());
    }
    if view_recorded(cache, shop, customer, skus, now) {
        return Ok(());
    }
    let day = now.div_euclid(86_400);
    let key = (Arc::<str>::from(shop), customer.to_owned(), day);
    let shown = skus.join("\n");
    let sql = format!(
        "INSERT INTO recommendation_views (shop_id, customer_id, day, sku, at) VALUES {}
         ON CONFLICT (shop_id, customer_id, day, sku) DO NOTHING",
        (0..skus.len()).map(|i| format!("($1, $2, $3, ${}, $4)", 5 + i)).collect::<Vec<_>>().join(", ")
    );
    let mut query = sqlx::query(&sql).bind(shop).bind(customer).bind(day).bind(now);
    for sku in skus {
        query = query.bind(*sku);
    }
    query.execute(&mut *conn).await?;
    cache.views.insert(key, Arc::from(shown.as_str()));
    Ok(())
}

/// A member clicked a pick.
pub async fn record_click(conn: &mut AnyConnection, shop: &str, customer: &str, sku: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO recommendation_clicks (shop_id, customer_id, sku, at) VALUES ($1, $2, $3, $4)")
        .bind(shop)
        .bind(customer)
        .bind(sku)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether recommendations earn money, over the last `period_days`.
pub async fn figures(
    conn: &mut AnyConnection,
    shop: &str,
    now: i64,
    period_days: i64,
) -> Result<RecommendationFigures> {
    let since = now - period_days * 86_400;
    let views: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT DISTINCT customer_id, day FROM recommendation_views
          WHERE shop_id = $1 AND at >= $2) AS shown",
    )
    .bind(shop)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?;
    let clicks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recommendation_clicks WHERE shop_id = $1 AND at >= $2")
        .bind(shop)
        .bind(since)
        .fetch_one(&mut *conn)
        .await?;
    let row = sqlx::query(
        "SELECT COUNT(DISTINCT o.id) AS orders, CAST(COALESCE(SUM(i.qty * i.price), 0) AS BIGINT) AS revenue
         FROM orders o JOIN order_items i ON i.shop_id = o.shop_id AND i.order_id = o.id
         WHERE o.shop_id = $1 AND o.created_at >= $2
           AND EXISTS (SELECT 1 FROM recommendation_views v
                       WHERE v.shop_id = o.shop_id AND v.customer_id = o.customer_id AND v.sku = i.sku
                         AND v.at <= o.created_at AND v.at > o.created_at - $3)",
    )
    .bind(shop)
    .bind(since)
    .bind(ATTRIBUTION_DAYS * 86_400)
    .fetch_one(&mut *conn)
    .await?;
    Ok(RecommendationFigures {
        views,
        clicks,
        click_rate: lojal_core::metrics::ratio(clicks, views),
        attributed_orders: row.try_get("orders")?,
        attributed_revenue: row.try_get("revenue")?,
        attribution_days: ATTRIBUTION_DAYS,
    })
}
