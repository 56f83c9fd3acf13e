//! Shopify's webhook deliveries (topic in `X-Shopify-Topic`): only the
//! fields Lojal needs, every other field allowed.
//!
//! - `orders/paid`: the order earns (the topic says it is paid).
//! - `refunds/create`: the money of its successful refund transactions goes
//!   back, once per refund id.
//! - `orders/cancelled`: what is left of the order goes back.
//! - `customers/redact`, `customers/data_request`: the privacy webhooks
//!   every Shopify app must answer.

use super::{id_text, lojal_codes, member, parse_json, Action, Platform, PlatformOrder};
use crate::currency::parse_amount;
use crate::identity::CustomerId;
use crate::requests::LineItem;
use crate::Error;
use serde::Deserialize;

/// The topics taken, as Shopify names them.
pub const TOPICS: &[&str] =
    &["orders/paid", "refunds/create", "orders/cancelled", "customers/redact", "customers/data_request"];

#[derive(Debug, Deserialize)]
struct Order {
    id: u64,
    currency: String,
    total_price: String,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    customer: Option<Customer>,
    #[serde(default)]
    line_items: Vec<Line>,
    #[serde(default)]
    discount_codes: Vec<DiscountCode>,
}

#[derive(Debug, Deserialize)]
struct Customer {
    #[serde(default)]
    id: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Line {
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    variant_id: Option<u64>,
    #[serde(default)]
    product_id: Option<u64>,
    quantity: i64,
    /// Unit price.
    price: String,
}

#[derive(Debug, Deserialize)]
struct DiscountCode {
    code: String,
}

#[derive(Debug, Deserialize)]
struct Refund {
    id: u64,
    order_id: u64,
    #[serde(default)]
    transactions: Vec<Transaction>,
}

#[derive(Debug, Deserialize)]
struct Transaction {
    kind: String,
    status: String,
    amount: String,
}

#[derive(Debug, Deserialize)]
struct Cancelled {
    id: u64,
}

#[derive(Debug, Deserialize)]
struct CustomerRequest {
    customer: Customer,
}

/// What the delivery of `topic` with `body` asks, for a shop selling in
/// `shop_currency`; a 422 (`InvalidRequest`) for an unknown topic or a body
/// that does not fit.
pub fn actions(topic: &str, body: &[u8], shop_currency: &str) -> Result<Vec<Action>, Error> {
    match topic {
        "orders/paid" => {
            let order: Order = parse_json(Platform::Shopify, topic, body)?;
            Ok(vec![Action::Earn(order_of(order, shop_currency)?)])
        }
        "refunds/create" => {
            let refund: Refund = parse_json(Platform::Shopify, topic, body)?;
            let mut amount = 0_i64;
            for t in refund.transactions.iter().filter(|t| t.kind == "refund" && t.status == "success") {
                let part = parse_amount(&t.amount, shop_currency)?;
                amount = amount.checked_add(part).ok_or_else(|| Error::InvalidRequest("refund too large".into()))?;
            }
            let order_id = id_text(refund.order_id);
            if amount == 0 {
                return Ok(vec![Action::Ignore(format!(
                    "refund {} of order {order_id} gave no money back",
                    refund.id
                ))]);
            }
            Ok(vec![Action::Refund { order_id, refund_id: Some(id_text(refund.id)), amount: Some(amount) }])
        }
        "orders/cancelled" => {
            let order: Cancelled = parse_json(Platform::Shopify, topic, body)?;
            Ok(vec![Action::Cancel { order_id: id_text(order.id) }])
        }
        "customers/redact" | "customers/data_request" => {
            let request: CustomerRequest = parse_json(Platform::Shopify, topic, body)?;
            let Some(customer) = member(request.customer.id)? else {
                return Ok(vec![Action::Ignore("the request names no customer".into())]);
            };
            Ok(vec![if topic == "customers/redact" {
                Action::Redact { customer }
            } else {
                Action::DataRequest { customer }
            }])
        }
        _ => Err(unknown_topic(topic)),
    }
}

fn unknown_topic(topic: &str) -> Error {
    let shown: String = topic.chars().take(64).collect();
    Error::InvalidRequest(format!("Shopify topic `{shown}` is not taken here; send one of {}", TOPICS.join(", ")))
}

fn order_of(order: Order, shop_currency: &str) -> Result<PlatformOrder, Error> {
    let currency = order.currency;
    if currency != shop_currency {
        return Err(Error::InvalidRequest(format!(
            "the order is in {}, the shop sells in {shop_currency}",
            currency.chars().take(8).collect::<String>()
        )));
    }
    let mut items = Vec::with_capacity(order.line_items.len());
    for line in &order.line_items {
        items.push(LineItem { sku: sku_of(line), qty: line.quantity, price: parse_amount(&line.price, &currency)? });
    }
    let customer: Option<CustomerId> = member(order.customer.and_then(|c| c.id))?;
    let platform_order = PlatformOrder {
        id: id_text(order.id),
        customer,
        total: parse_amount(&order.total_price, &currency)?,
        items,
        codes: lojal_codes(order.discount_codes.iter().map(|d| d.code.as_str())),
        created_at: order.created_at,
        currency,
    };
    platform_order.check(shop_currency)?;
    Ok(platform_order)
}

/// The line's SKU; for a product without one, its variant's id, else its
/// product's, else the line's.
fn sku_of(line: &Line) -> String {
    match line.sku.as_deref().map(str::trim) {
        Some(sku) if !sku.is_empty() => sku.to_owned(),
        _ => line.variant_id.or(line.product_id).or(line.id).map_or_else(|| "unknown".to_owned(), id_text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order_json(customer: &str, codes: &str) -> String {
        format!(
            r#"{{"id": 820982911946154508, "currency": "SEK", "total_price": "404.95",
                "created_at": "2021-12-31T19:00:00-05:00", "customer": {customer},
                "discount_codes": {codes}, "extra": {{"anything": [1, 2]}},
                "line_items": [{{"id": 1, "sku": "SKU-1", "quantity": 2, "price": "89.99"}},
                               {{"id": 2, "sku": null, "variant_id": 808950810, "quantity": 1, "price": "19.99"}},
                               {{"id": 3, "sku": "", "product_id": 632910392, "quantity": 1, "price": "0.00"}}]}}"#
        )
    }

    #[test]
    fn a_paid_order_earns_for_its_customer() {
        let body = order_json(r#"{"id": 115310627314723954, "email": "john@example.com"}"#, "[]");
        let actions = actions("orders/paid", body.as_bytes(), "SEK").unwrap();
        let [Action::Earn(order)] = actions.as_slice() else { panic!("{actions:?}") };
        assert_eq!(order.id, "820982911946154508");
        assert_eq!(order.customer.as_ref().unwrap().as_str(), "115310627314723954");
        assert_eq!(order.total, 40_495);
        assert_eq!(order.created_at.as_deref(), Some("2021-12-31T19:00:00-05:00"));
        let items: Vec<(&str, i64, i64)> = order.items.iter().map(|i| (i.sku.as_str(), i.qty, i.price)).collect();
        assert_eq!(items, vec![("SKU-1", 2, 8999), ("808950810", 1, 1999), ("632910392", 1, 0)]);
    }

    #[test]
    fn a_guest_order_has_no_member() {
        for customer in ["null", "{}", r#"{"id": null}"#] {
            let body = order_json(customer, "[]");
            let actions = actions("orders/paid", body.as_bytes(), "SEK").unwrap();
            let [Action::Earn(order)] = actions.as_slice() else { panic!() };
            assert_eq!(order.customer, None, "{customer}");
        }
    }

    #[test]
    fn lojal_discount_codes_are_used_and_others_ignored() {
        let codes = r#"[{"code": "SUMMER10", "amount": "10.00", "type": "fixed_amount"},
                        {"code": "loj-k7qx-2m4p", "amount": "100.00", "type": "fixed_amount"}]"#;
        let body = order_json(r#"{"id": 7}"#, codes);
        let actions = actions("orders/paid", body.as_bytes(), "SEK").unwrap();
        let [Action::Earn(order)] = actions.as_slice() else { panic!() };
        assert_eq!(order.codes, vec!["LOJ-K7QX-2M4P".to_owned()]);
    }

    #[test]
    fn a_refund_gives_back_its_successful_transactions() {
        let body = br#"{"id": 890088186047892319, "order_id": 820982911946154508, "refund_line_items": [],
            "transactions": [{"kind": "refund", "status": "success", "amount": "75.00", "currency": null},
                             {"kind": "refund", "status": "failure", "amount": "5.00"},
                             {"kind": "refund", "status": "success", "amount": "10.00"}]}"#;
        assert_eq!(
            actions("refunds/create", body, "USD").unwrap(),
            vec![Action::Refund {
                order_id: "820982911946154508".into(),
                refund_id: Some("890088186047892319".into()),
                amount: Some(8500)
            }]
        );
        let restock_only = br#"{"id": 1, "order_id": 2, "transactions": []}"#;
        assert!(matches!(actions("refunds/create", restock_only, "USD").unwrap()[..], [Action::Ignore(_)]));
    }

    #[test]
    fn cancellations_and_privacy_requests() {
        assert_eq!(
            actions("orders/cancelled", br#"{"id": 5, "cancel_reason": "customer"}"#, "SEK").unwrap(),
            vec![Action::Cancel { order_id: "5".into() }]
        );
        let body = br#"{"shop_id": 954889, "customer": {"id": 191167, "email": "john@example.com"},
                        "orders_to_redact": [299938]}"#;
        let customer = CustomerId::parse("191167").unwrap();
        assert_eq!(
            actions("customers/redact", body, "SEK").unwrap(),
            vec![Action::Redact { customer: customer.clone() }]
        );
        assert_eq!(actions("customers/data_request", body, "SEK").unwrap(), vec![Action::DataRequest { customer }]);
    }

    #[test]
    fn unknown_topics_and_bodies_that_do_not_fit_are_refused() {
        let body = order_json("null", "[]");
        for topic in ["orders/create", "", "shop/redact", "ORDERS/PAID"] {
            assert!(matches!(actions(topic, body.as_bytes(), "SEK"), Err(Error::InvalidRequest(_))), "{topic}");
        }
        for bad in [
            "",
            "[]",
            "not json",
            r#"{"id": "820982911946154508", "currency": "SEK", "total_price": "1.00"}"#,
            r#"{"id": -1, "currency": "SEK", "total_price": "1.00"}"#,
            r#"{"id": 1, "currency": "SEK", "total_price": 1.0}"#,
            r#"{"id": 1, "currency": "SEK", "total_price": "-1.00"}"#,
            r#"{"id": 1, "currency": "SEK", "total_price": "1.001"}"#,
            r#"{"id": 1, "currency": "SEK", "total_price": "99999999999999999999.00"}"#,
            r#"{"id": 1, "currency": "SEK", "total_price": "10000000000.01"}"#,
            r#"{"id": 1, "currency": "USD", "total_price": "1.00"}"#,
            r#"{"id": 1, "currency": "SEK", "total_price": "1.00", "line_items": [{"sku": "a", "quantity": 0, "price": "1.00"}]}"#,
            r#"{"id": 1, "currency": "SEK", "total_price": "1.00", "customer": {"id": -5}}"#,
        ] {
            let result = actions("orders/paid", bad.as_bytes(), "SEK");
            assert!(matches!(result, Err(Error::InvalidRequest(_))), "{bad}: {result:?}");
        }
    }
}
