//! WooCommerce's webhook deliveries (topic in `X-WC-Webhook-Topic`; the
//! body is the REST API's order, `/wp-json/wc/v3/orders/{id}`).
//!
//! - `order.created`, `order.updated`: by the order's status. `processing`
//!   (paid) and `completed` earn, once however often the status flips;
//!   the order's refunds go back, once each; `cancelled`, `refunded`,
//!   `failed` and `trash` give back what is left; anything else (`pending`,
//!   `on-hold`, drafts) waits.
//! - `order.deleted` (`{"id": N}`): as a cancellation.
//!
//! WooCommerce pings a new webhook's URL with the form body `webhook_id=N`,
//! without a topic or a signature ([`is_ping`]).

use super::{id_text, lojal_codes, member, parse_json, Action, Platform, PlatformOrder};
use crate::currency::parse_amount;
use crate::requests::LineItem;
use crate::Error;
use serde::Deserialize;

pub const TOPICS: &[&str] = &["order.created", "order.updated", "order.deleted"];

#[derive(Debug, Deserialize)]
struct Order {
    id: u64,
    status: String,
    currency: String,
    total: String,
    #[serde(default)]
    customer_id: Option<u64>,
    #[serde(default)]
    date_created_gmt: Option<String>,
    #[serde(default)]
    line_items: Vec<Line>,
    #[serde(default)]
    coupon_lines: Vec<Coupon>,
    #[serde(default)]
    refunds: Vec<Refund>,
}

#[derive(Debug, Deserialize)]
struct Line {
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    product_id: Option<u64>,
    #[serde(default)]
    variation_id: Option<u64>,
    quantity: i64,
    /// The line's total before discounts: the unit price is this divided
    /// by the quantity (WooCommerce's own `price` is a JSON float).
    subtotal: String,
}

#[derive(Debug, Deserialize)]
struct Coupon {
    code: String,
}

#[derive(Debug, Deserialize)]
struct Refund {
    id: u64,
    /// Negative: `"-10.00"`.
    total: String,
}

#[derive(Debug, Deserialize)]
struct Deleted {
    id: u64,
}

/// Whether an unsigned delivery is WooCommerce's ping on creating a
/// webhook: exactly `webhook_id=` and digits. It is answered `200` and
/// changes nothing.
pub fn is_ping(body: &[u8]) -> bool {
    body.strip_prefix(b"webhook_id=")
        .is_some_and(|id| (1..=20).contains(&id.len()) && id.iter().all(u8::is_ascii_digit))
}

/// What the delivery of `topic` with `body` asks, for a shop selling in
/// `shop_currency`; a 422 (`InvalidRequest`) for an unknown topic or a body
/// that does not fit.
pub fn actions(topic: &str, body: &[u8], shop_currency: &str) -> Result<Vec<Action>, Error> {
    match topic {
        "order.created" | "order.updated" => {
            let order: Order = parse_json(Platform::WooCommerce, topic, body)?;
            let order_id = id_text(order.id);
            match order.status.as_str() {
                "processing" | "completed" => {
                    let refunds = refunds_of(&order, shop_currency)?;
                    let mut actions = vec![Action::Earn(order_of(order, shop_currency)?)];
                    actions.extend(refunds);
                    Ok(actions)
                }
                "cancelled" | "refunded" | "failed" | "trash" => Ok(vec![Action::Cancel { order_id }]),
                status => {
                    let status: String = status.chars().take(32).collect();
                    Ok(vec![Action::Ignore(format!("order {order_id} is {status}: it earns once paid"))])
                }
            }
        }
        "order.deleted" => {
            let order: Deleted = parse_json(Platform::WooCommerce, topic, body)?;
            Ok(vec![Action::Cancel { order_id: id_text(order.id) }])
        }
        _ => {
            let shown: String = topic.chars().take(64).collect();
            Err(Error::InvalidRequest(format!(
                "WooCommerce topic `{shown}` is not taken here; send one of {}",
                TOPICS.join(", ")
            )))
        }
    }
}

fn refunds_of(order: &Order, shop_currency: &str) -> Result<Vec<Action>, Error> {
    let mut actions = Vec::with_capacity(order.refunds.len());
    for refund in &order.refunds {
        let positive = refund.total.strip_prefix('-').unwrap_or(&refund.total);
        let amount = parse_amount(positive, shop_currency)?;
        if amount > 0 {
            actions.push(Action::Refund {
                order_id: id_text(order.id),
                refund_id: Some(id_text(refund.id)),
                amount: Some(amount),
            });
        }
    }
    Ok(actions)
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
        let subtotal = parse_amount(&line.subtotal, &currency)?;
        // Integer division: a line of 3 for 10.00 is priced 3.33 each.
        let price = if line.quantity > 0 { subtotal / line.quantity } else { subtotal };
        items.push(LineItem { sku: sku_of(line), qty: line.quantity, price });
    }
    // WooCommerce's GMT times carry no offset.
    let created_at = order.date_created_gmt.filter(|t| !t.is_empty()).map(|t| format!("{t}Z"));
    let platform_order = PlatformOrder {
        id: id_text(order.id),
        customer: member(order.customer_id)?,
        total: parse_amount(&order.total, &currency)?,
        items,
        codes: lojal_codes(order.coupon_lines.iter().map(|c| c.code.as_str())),
        created_at,
        currency,
    };
    platform_order.check(shop_currency)?;
    Ok(platform_order)
}

/// The line's SKU; for a product without one, its variation's id, else
/// its product's, else the line's.
fn sku_of(line: &Line) -> String {
    match line.sku.as_deref().map(str::trim) {
        Some(sku) if !sku.is_empty() => sku.to_owned(),
        _ => line
            .variation_id
            .filter(|id| *id != 0)
            .or(line.product_id.filter(|id| *id != 0))
            .or(line.id)
            .map_or_else(|| "unknown".to_owned(), id_text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::CustomerId;

    fn order(status: &str, customer: u64, refunds: &str) -> String {
        format!(
            r#"{{"id": 723, "status": "{status}", "currency": "USD", "total": "39.00", "customer_id": {customer},
                "date_created_gmt": "2017-03-21T19:16:00", "prices_include_tax": false,
                "line_items": [{{"id": 311, "sku": "", "product_id": 87, "variation_id": 0, "quantity": 1,
                                 "subtotal": "9.00", "price": 9}},
                               {{"id": 313, "sku": "WOO-NINJA", "product_id": 34, "variation_id": 0, "quantity": 3,
                                 "subtotal": "20.00", "price": 6.666666}}],
                "coupon_lines": [{{"id": 1, "code": "loj-k7qx-2m4p", "discount": "5.00"}}, {{"id": 2, "code": "welcome"}}],
                "refunds": {refunds}}}"#
        )
    }

    #[test]
    fn a_paid_or_completed_order_earns_and_its_refunds_go_back() {
        for status in ["processing", "completed"] {
            for topic in ["order.created", "order.updated"] {
                let body = order(status, 26, r#"[{"id": 726, "refund": "", "total": "-10.00"}]"#);
                let actions = actions(topic, body.as_bytes(), "USD").unwrap();
                let [Action::Earn(earn), Action::Refund { order_id, refund_id, amount }] = actions.as_slice() else {
                    panic!("{actions:?}")
                };
                assert_eq!(earn.id, "723");
                assert_eq!(earn.customer, Some(CustomerId::parse("26").unwrap()));
                assert_eq!(earn.total, 3900);
                assert_eq!(earn.created_at.as_deref(), Some("2017-03-21T19:16:00Z"));
                assert_eq!(earn.codes, vec!["LOJ-K7QX-2M4P".to_owned()]);
                let items: Vec<(&str, i64, i64)> =
                    earn.items.iter().map(|i| (i.sku.as_str(), i.qty, i.price)).collect();
                assert_eq!(items, vec![("87", 1, 900), ("WOO-NINJA", 3, 666)]);
                assert_eq!((order_id.as_str(), refund_id.as_deref(), *amount), ("723", Some("726"), Some(1000)));
            }
        }
    }

    #[test]
    fn a_guest_order_has_no_member() {
        let actions = actions("order.created", order("processing", 0, "[]").as_bytes(), "USD").unwrap();
        let [Action::Earn(earn)] = actions.as_slice() else { panic!() };
        assert_eq!(earn.customer, None);
    }

    #[test]
    fn other_statuses_wait_or_cancel() {
        for status in ["pending", "on-hold", "checkout-draft"] {
            let actions = actions("order.updated", order(status, 26, "[]").as_bytes(), "USD").unwrap();
            assert!(matches!(actions[..], [Action::Ignore(_)]), "{status}");
        }
        for status in ["cancelled", "refunded", "failed", "trash"] {
            let actions = actions("order.updated", order(status, 26, "[]").as_bytes(), "USD").unwrap();
            assert_eq!(actions, vec![Action::Cancel { order_id: "723".into() }], "{status}");
        }
        assert_eq!(
            actions("order.deleted", br#"{"id": 723}"#, "USD").unwrap(),
            vec![Action::Cancel { order_id: "723".into() }]
        );
    }

    #[test]
    fn the_ping_is_recognised_and_nothing_else() {
        assert!(is_ping(b"webhook_id=17"));
        for body in [&b""[..], b"webhook_id=", b"webhook_id=1&x=2", b"webhook_id=abc", b"{\"webhook_id\": 1}"] {
            assert!(!is_ping(body), "{body:?}");
        }
    }

    #[test]
    fn unknown_topics_and_bodies_that_do_not_fit_are_refused() {
        let body = order("processing", 26, "[]");
        for topic in ["order.restored", "action.wc_webhook_ping", "product.created", ""] {
            assert!(matches!(actions(topic, body.as_bytes(), "USD"), Err(Error::InvalidRequest(_))), "{topic}");
        }
        assert!(matches!(actions("order.created", body.as_bytes(), "SEK"), Err(Error::InvalidRequest(_))));
        let bad_refund = order("processing", 26, r#"[{"id": 1, "total": "-1.005"}]"#);
        assert!(matches!(actions("order.updated", bad_refund.as_bytes(), "USD"), Err(Error::InvalidRequest(_))));
        for bad in ["", "webhook_id=1", "{}", r#"{"id": 1, "status": "processing", "currency": "USD", "total": 39}"#] {
            assert!(matches!(actions("order.created", bad.as_bytes(), "USD"), Err(Error::InvalidRequest(_))), "{bad}");
        }
    }
}
