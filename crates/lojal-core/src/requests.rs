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
    /// The member; absent for a guest's order, which then names `email_hash`.
    #[serde(default)]
    pub customer: Option<CustomerId>,
    /// A guest's order: lowercase hex SHA-256 of their lowercased email.
    /// With `program.guest_points` its points wait for them to join.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_hash: Option<crate::guest::EmailHash>,
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
    /// Minor units of the order's shipping, tax and discount, as parts of
    /// what `earn.counts` counts (0 when absent): shipping and tax are in
    /// `total`, the discount was already taken off it.
    #[serde(default)]
    pub shipping: i64,
    #[serde(default)]
    pub tax: i64,
    #[serde(default)]
    pub discount: i64,
}

/// The rate an order in `currency` earns at in a program in
/// `program_currency`: `None` for the program's own currency, the
/// merchant's rate for another; refused when the program has none for it.
pub fn accepted_rate<'a>(
    currency: &str,
    program_currency: &str,
    rates: &'a std::collections::BTreeMap<String, crate::currency::Rate>,
) -> Result<Option<&'a crate::currency::Rate>, Error> {
    if currency == program_currency {
        return Ok(None);
    }
    rates.get(currency).map(Some).ok_or_else(|| Error::CurrencyNotAccepted {
        currency: currency.chars().take(16).collect(),
        program: program_currency.to_owned(),
    })
}

impl OrderRequest {
    pub fn validate(&self, shop_currency: &str) -> Result<(), Error> {
        check_external_id("id", &self.id)?;
        if self.customer.is_none() && self.email_hash.is_none() {
            return invalid("customer is required (a guest's order names email_hash instead)");
        }
        check_amount("total", self.total)?;
        // Another currency than the shop's is the program's to accept
        // (`accepted_rate`); here it must at least be one.
        if self.currency != shop_currency {
            crate::currency::validate(&self.currency)?;
        }
        check_amount("shipping", self.shipping)?;
        check_amount("tax", self.tax)?;
        check_amount("discount", self.discount)?;
        if self.shipping + self.tax > self.total {
            return invalid("shipping and tax are parts of total: together they cannot exceed it");
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
    /// The order's total, minor units: required for a points-off code,
    /// which may pay at most its reward's share of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_total: Option<i64>,
}

impl CodeUseRequest {
    pub fn validate(&self) -> Result<(), Error> {
        check_external_id("order_id", &self.order_id)?;
        if let Some(total) = self.order_total {
            check_amount("order_total", total)?;
        }
        Ok(())
    }
}

/// A line of an order a refund names: `qty` of its `sku` returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundLine {
    pub sku: String,
    pub qty: i64,
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
    /// The lines returned, when the merchant knows them: a line that earned
    /// nothing (a gift card) then takes no points back. Without `amount`,
    /// the refund is these lines' value. (Last: serde also reads a struct
    /// from an array, in field order.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<RefundLine>,
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
        if self.items.len() > MAX_ITEMS {
            return invalid(format!("at most {MAX_ITEMS} items"));
        }
        for line in &self.items {
            check_external_id("items[].sku", &line.sku)?;
            if !(1..=MAX_QTY).contains(&line.qty) {
                return invalid(format!("items[].qty must be 1 to {MAX_QTY}"));
            }
        }
        Ok(())
    }
}

/// `POST /v1/shops/{shop}/redemptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedemptionRequest {
    pub reward_id: String,
    /// For a `points_off` reward: how many points to spend (a multiple of
    /// its step); refused for the other kinds, whose cost is fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
}

/// `POST /v1/shops/{shop}/customers/{customer}/guest-points`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuestClaimRequest {
    /// The hash the member's guest orders carried.
    pub email_hash: crate::guest::EmailHash,
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

/// The longest note an adjustment may carry.
pub const MAX_NOTE: usize = 200;

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
        let max = crate::units::MAX_POINTS;
        if self.points == 0 || !(-max..=max).contains(&self.points) {
            return invalid(format!("points must be non-zero, -{max} to {max}"));
        }
        // The shopper reads it as the reason their balance moved.
        if self.note.trim().is_empty()
            || self.note.chars().count() > MAX_NOTE
            || self.note.chars().any(char::is_control)
        {
            return Err(Error::NoteRequired(MAX_NOTE));
        }
        Ok(())
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
        assert!(matches!(
            {
                let mut o = order();
                o.currency = "XXX".into();
                o.validate("SEK")
            },
            Err(Error::InvalidCurrency(_))
        ));
        assert!(with(|o| o.shipping = -1).contains("shipping"));
        assert!(with(|o| o.discount = MAX_AMOUNT + 1).contains("discount"));
        assert!(with(|o| {
            o.shipping = 20_000;
            o.tax = 5_000
        })
        .contains("exceed"));
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
        assert!(refusal(RefundRequest { amount: Some(0), ..RefundRequest::default() }.validate()).contains("amount"));
        let bad_line = RefundLine { sku: "card".into(), qty: 0 };
        assert!(refusal(RefundRequest { items: vec![bad_line], ..RefundRequest::default() }.validate()).contains("qty"));
        RefundRequest::default().validate().unwrap();
        assert!(refusal(AdjustmentRequest { points: 0, note: "x".into() }.validate()).contains("points"));
        for note in ["", "   ", "a\u{7}b"] {
            let e = AdjustmentRequest { points: 5, note: note.into() }.validate();
            assert_eq!(e, Err(Error::NoteRequired(MAX_NOTE)), "{note:?}");
        }
        let long = AdjustmentRequest { points: 5, note: "x".repeat(MAX_NOTE + 1) };
        assert_eq!(long.validate(), Err(Error::NoteRequired(MAX_NOTE)));
        AdjustmentRequest { points: -5, note: "Damaged parcel, goodwill".into() }.validate().unwrap();
    }

    #[test]
    fn an_order_in_another_currency_needs_a_rate() {
        let mut rates = std::collections::BTreeMap::new();
        assert_eq!(accepted_rate("SEK", "SEK", &rates), Ok(None));
        let refused = accepted_rate("EUR", "SEK", &rates).unwrap_err();
        assert!(matches!(&refused, Error::CurrencyNotAccepted { currency, .. } if currency == "EUR"));
        assert!(refused.to_string().contains("rates"));
        rates.insert("EUR".to_owned(), crate::currency::Rate::parse("11.50").unwrap());
        assert_eq!(accepted_rate("EUR", "SEK", &rates).unwrap().map(|r| r.to_string()), Some("11.50".into()));
    }
}
