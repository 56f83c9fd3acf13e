//! The shop's catalogue, as the merchant sends it.

use crate::error::Result;
use lojal_core::requests::ProductRequest;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

pub type Product = ProductRequest;

/// Adds or updates one product.
pub async fn upsert(conn: &mut AnyConnection, shop: &str, product: &Product) -> Result<()> {
    sqlx::query(
        "INSERT INTO products (shop_id, sku, name, category, price, url, image, recommendable)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (shop_id, sku) DO UPDATE SET name = excluded.name, category = excluded.category,
             price = excluded.price, url = excluded.url, image = excluded.image,
             recommendable = excluded.recommendable",
    )
    .bind(shop)
    .bind(&product.sku)
    .bind(&product.name)
    .bind(&product.category)
    .bind(product.price)
    .bind(&product.url)
    .bind(&product.image)
    .bind(product.recommendable)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Makes `products` the whole catalogue: products left out are removed.
/// `conn` should be a transaction, so shoppers never see half a catalogue.
pub async fn replace(conn: &mut AnyConnection, shop: &str, products: &[Product]) -> Result<()> {
    sqlx::query("DELETE FROM products WHERE shop_id = $1").bind(shop).execute(&mut *conn).await?;
    for product in products {
        upsert(conn, shop, product).await?;
    }
    Ok(())
}

pub async fn count(conn: &mut AnyConnection, shop: &str) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE shop_id = $1").bind(shop).fetch_one(&mut *conn).await?)
}

/// The categories of those of `skus` the catalogue holds.
pub async fn categories(conn: &mut AnyConnection, shop: &str, skus: &[&str]) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for chunk in skus.chunks(500) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql =
            format!("SELECT sku, category FROM products WHERE shop_id = $1 AND sku IN ({})", placeholders.join(", "));
        let mut query = sqlx::query(&sql).bind(shop);
        for sku in chunk {
            query = query.bind(*sku);
        }
        for row in query.fetch_all(&mut *conn).await? {
            out.insert(row.try_get("sku")?, row.try_get("category")?);
        }
    }
    Ok(out)
}
