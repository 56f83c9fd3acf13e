//! The bodies merchants and widgets send (CONTRACT.md section 4), and the
//! checks JSON types cannot make. Every refusal says what is wrong.

use crate::identity::CustomerId;
use crate::Error;
use serde::{Deserialize, Serialize};

/// No amount (öre, cents) may exceed this: ten billion kronor, far beyond
/// any real order, and small enough that sums cannot overflow.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;
pub const MAX_ITEMS: usize = 500;
pub const MAX_QTY: i64 = 10_000;

fn invalid<T>(message: impl Into<String>) -> Result<T, Error> {
    Err(Error::InvalidRequest(message.into()))
}

/// An id chosen by the merchant (order, SKU, refund): 1 to 128 printable
/// characters, no control characters.
pub fn check_external_id(what: &str, id: &str) -> Result<(), Error> {
    if id.is_empty() || id.chars().count() > 128 || id.chars().any(char::is_control) {
        return invalid(format!("{what} must be 1 to 128 characters without control characters"));
    }
    Ok(())
}

fn check_text(what: &str, text: &str, max: usize) -> Result<(), Error> {
    if text.trim().is_empty() || text.chars().count() > max || text.contains('\0') {
        return invalid(format!("{what} must be 1 to {max} characters"));
    }
    Ok(())
}

fn check_amount(what: &str, amount: i64) -> Result<(), Error> {
    if !(0..=MAX_AMOUNT).contains(&amount) {
        return invalid(format!("{what} must be 0 to {MAX_AMOUNT} (minor units)"));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineItem {
    pub sku: String,
    pub qty: i64,
    /// Unit price, minor units.
    pub price: i64,
}

fn check_items(items: &[LineItem]) -> Result<(), Error> {
    if items.len() > MAX_ITEMS {
        return invalid(format!("at most {MAX_ITEMS} items"));
    }
    for item in items {
        check_external_id("items[].sku", &item.sku)?;
        if !(1..=MAX_QTY).contains(&item.qty) {
            return invalid(format!("items[].qty must be 1 to {MAX_QTY}"));
        }
        check_amount("items[].price", item.price)?;
    }
    Ok(())
}

/// `POST /v1/shops/{shop}/orders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRequest {
    pub id: String,
    pub customer: CustomerId,
    /// Minor units, what the customer paid.
    pub total: i64,
    pub currency: String,
    #[serde(default)]
    pub items: Vec<LineItem>,
    #[serde(default)]
    pub referral_code: Option<String>,
    /// RFC 3339; the time of arrival when absent.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Lojal discount codes the order used, marked used by it in the same
    /// transaction (as typed at checkout: case and dashes do not matter).
    #[serde(default)]
    pub codes: Vec<String>,
}

impl OrderRequest {
    pub fn validate(&self, shop_currency: &str) -> Result<(), Error> {
        check_external_id("id", &self.id)?;
        check_amount("total", self.total)?;
        if self.currency != shop_currency {
            return invalid(format!("currency must be the shop's currency, {shop_currency}"));
        }
        check_items(&self.items)?;
        if let Some(code) = &self.referral_code {
            check_external_id("referral_code", code)?;
        }
        if self.codes.len() > MAX_CODES_PER_ORDER {
            return invalid(format!("codes: at most {MAX_CODES_PER_ORDER} per order"));
        }
        if self.codes.iter().any(|code| crate::codes::normalize(code).is_none()) {
            return invalid("codes: each must be a Lojal code, LOJ-XXXX-XXXX");
        }
        Ok(())
    }
}

/// A checkout applies a handful of codes at most; the bound keeps one
/// order's transaction small.
pub const MAX_CODES_PER_ORDER: usize = 10;

/// `POST /v1/shops/{shop}/codes/{code}/use`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeUseRequest {
    /// The merchant's order id, as in `POST .../orders`.
    pub order_id: String,
}

impl CodeUseRequest {
    pub fn validate(&self) -> Result<(), Error> {
        check_external_id("order_id", &self.order_id)
    }
}

/// `POST /v1/shops/{shop}/orders/{id}/refund`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// Minor units; the whole remaining amount when absent.
    #[serde(default)]
    pub amount: Option<i64>,
    /// Makes a retried refund safe: the same id is applied once.
    #[serde(default)]
    pub id: Option<String>,
}

impl RefundRequest {
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(amount) = self.amount {
            if !(1..=MAX_AMOUNT).contains(&amount) {
                return invalid(format!("amount must be 1 to {MAX_AMOUNT} (minor units)"));
            }
        }
        if let Some(id) = &self.id {
            check_external_id("id", id)?;
        }
        Ok(())
    }
}

/// `POST /v1/shops/{shop}/redemptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedemptionRequest {
    pub reward_id: String,
}

/// `PUT /v1/shops/{shop}/cart`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CartRequest {
    pub items: Vec<LineItem>,
}

impl CartRequest {
    pub fn validate(&self) -> Result<(), Error> {
        check_items(&self.items)
    }
}

/// One product of `PUT /v1/shops/{shop}/products`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductRequest {
    pub sku: String,
    pub name: String,
    #[serde(default)]
    pub category: String,
    pub price: i64,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub image: String,
    /// False keeps a product out of recommendations (gift cards, deposits).
    #[serde(default = "yes")]
    pub recommendable: bool,
}

fn yes() -> bool {
    true
}

pub const MAX_CATALOGUE: usize = 100_000;

pub fn validate_catalogue(products: &[ProductRequest]) -> Result<(), Error> {
    if products.len() > MAX_CATALOGUE {
        return invalid(format!("at most {MAX_CATALOGUE} products"));
    }
    let mut seen = std::collections::HashSet::new();
    for p in products {
        check_external_id("sku", &p.sku)?;
        if !seen.insert(p.sku.as_str()) {
            return invalid(format!("sku {} appears twice", p.sku));
        }
        check_text("name", &p.name, 200)?;
        if p.category.chars().count() > 100 || p.url.chars().count() > 2000 || p.image.chars().count() > 2000 {
            return invalid(format!("product {}: category, url or image is too long", p.sku));
        }
        check_amount("price", p.price)?;
    }
    Ok(())
}

/// `POST /v1/shops/{shop}/customers/{customer}/adjustments`: a merchant's
/// manual correction, with the reason the shopper will read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentRequest {
    pub points: i64,
    pub note: String,
}

impl AdjustmentRequest {
    pub fn validate(&self) -> Result<(), Error> {
        let max = crate::program::MAX_POINTS;
        if self.points == 0 || !(-max..=max).contains(&self.points) {
            return invalid(format!("points must be non-zero, -{max} to {max}"));
        }
        check_text("note", &self.note, 200)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> OrderRequest {
        serde_json::from_str(
            r#"{"id": "o-1", "customer": "cust-42", "total": 24900, "currency": "SEK",
                "items": [{"sku": "milk", "qty": 2, "price": 1490}]}"#,
        )
        .unwrap()
    }

    fn refusal(result: Result<(), Error>) -> String {
        match result {
            Err(Error::InvalidRequest(message)) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_plain_order_is_valid() {
        order().validate("SEK").unwrap();
    }

    #[test]
    fn bad_orders_are_refused_with_the_field_named() {
        let with = |edit: fn(&mut OrderRequest)| {
            let mut o = order();
            edit(&mut o);
            refusal(o.validate("SEK"))
        };
        assert!(with(|o| o.total = -1).contains("total"));
        assert!(with(|o| o.total = i64::MAX).contains("total"));
        assert!(with(|o| o.id = String::new()).contains("id"));
        assert!(with(|o| o.id = "a\0b".into()).contains("id"));
        assert!(with(|o| o.currency = "EUR".into()).contains("SEK"));
        assert!(with(|o| o.items[0].qty = 0).contains("qty"));
        assert!(with(|o| o.items[0].price = -5).contains("price"));
        assert!(with(|o| o.items = vec![o.items[0].clone(); MAX_ITEMS + 1]).contains("items"));
    }

    #[test]
    fn unknown_fields_and_bad_customer_ids_do_not_parse() {
        assert!(serde_json::from_str::<OrderRequest>(
            r#"{"id":"o","customer":"c","total":1,"currency":"SEK","bonus":5}"#
        )
        .is_err());
        assert!(
            serde_json::from_str::<OrderRequest>(r#"{"id":"o","customer":"<b>","total":1,"currency":"SEK"}"#).is_err()
        );
    }

    #[test]
    fn catalogues_need_unique_skus_and_names() {
        let product = |sku: &str| ProductRequest {
            sku: sku.into(),
            name: "Oat milk".into(),
            category: "Dairy".into(),
            price: 1990,
            url: String::new(),
            image: String::new(),
            recommendable: true,
        };
        validate_catalogue(&[product("a"), product("b")]).unwrap();
        assert!(refusal(validate_catalogue(&[product("a"), product("a")])).contains("twice"));
        let mut nameless = product("c");
        nameless.name = " ".into();
        assert!(refusal(validate_catalogue(&[nameless])).contains("name"));
    }

    #[test]
    fn refunds_and_adjustments_have_bounds() {
        assert!(refusal(RefundRequest { amount: Some(0), id: None }.validate()).contains("amount"));
        RefundRequest::default().validate().unwrap();
        assert!(refusal(AdjustmentRequest { points: 0, note: "x".into() }.validate()).contains("points"));
        assert!(refusal(AdjustmentRequest { points: 5, note: String::new() }.validate()).contains("note"));
    }
}
