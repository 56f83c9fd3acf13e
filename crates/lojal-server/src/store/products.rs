//! The shop's catalogue, as the merchant sends it.

use crate::error::Result;
use sqlx::AnyConnection;

#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub sku: String,
    pub name: String,
    pub category: String,
    /// Minor units.
    pub price: i64,
    pub url: String,
    pub image: String,
}

/// Adds or updates one product.
pub async fn upsert(conn: &mut AnyConnection, shop: &str, product: &Product) -> Result<()> {
    sqlx::query(
        "INSERT INTO products (shop_id, sku, name, category, price, url, image) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (shop_id, sku) DO UPDATE SET name = excluded.name, category = excluded.category,
             price = excluded.price, url = excluded.url, image = excluded.image",
    )
    .bind(shop)
    .bind(&product.sku)
    .bind(&product.name)
    .bind(&product.category)
    .bind(product.price)
    .bind(&product.url)
    .bind(&product.image)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
