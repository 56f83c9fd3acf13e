//! Properties of the rules and parsers over generated input: nothing
//! panics, overflows or creates points out of thin air. A short run by
//! default; `PROPTEST_CASES=100000 cargo test -p lojal-core --test properties`
//! for a long one.

use lojal_core::expiry::{expired_by, Movement};
use lojal_core::identity::{self, CustomerId};
use lojal_core::points;
use lojal_core::requests::{CartRequest, OrderRequest, RefundRequest};
use proptest::prelude::*;

proptest! {
    #[test]
    fn order_bodies_never_panic_the_parser_or_the_checks(body in ".{0,400}") {
        if let Ok(order) = serde_json::from_str::<OrderRequest>(&body) {
            let _ = order.validate("SEK");
        }
        if let Ok(cart) = serde_json::from_str::<CartRequest>(&body) {
            let _ = cart.validate();
        }
        if let Ok(refund) = serde_json::from_str::<RefundRequest>(&body) {
            let _ = refund.validate();
        }
    }

    #[test]
    fn orders_with_extreme_numbers_are_refused_not_wrapped(total in any::<i64>(), qty in any::<i64>(), price in any::<i64>()) {
        let body = format!(r#"{{"id":"o","customer":"c","total":{total},"currency":"SEK","items":[{{"sku":"s","qty":{qty},"price":{price}}}]}}"#);
        let order: OrderRequest = serde_json::from_str(&body).unwrap();
        let valid = order.validate("SEK").is_ok();
        prop_assert_eq!(valid, (0..=1_000_000_000_000).contains(&total) && (1..=10_000).contains(&qty) && (0..=1_000_000_000_000).contains(&price));
    }

    #[test]
    fn customer_ids_accept_exactly_the_contracts_alphabet(id in "\\PC{0,140}") {
        let allowed = !id.is_empty() && id.len() <= 128 && id.chars().all(|c| c.is_ascii_alphanumeric() || ".-_@+".contains(c));
        prop_assert_eq!(CustomerId::parse(&id).is_ok(), allowed);
    }

    #[test]
    fn signatures_of_anything_never_panic_and_forgeries_fail(customer in "\\PC{0,40}", sig in "\\PC{0,80}", ts in any::<i64>()) {
        let real = identity::sign("secret", "demo", &customer, ts);
        prop_assume!(sig != real);
        prop_assert!(identity::verify("secret", "demo", &customer, ts, &sig, ts).is_err());
    }

    #[test]
    fn purchase_points_are_never_negative_and_grow_with_the_total(
        per_unit in 0_i64..10_000, a in any::<i64>(), b in any::<i64>(), multiplier in 0_u32..100_000
    ) {
        let (low, high) = (a.min(b), a.max(b));
        let multiplier = points::Multiplier::from_decimal(f64::from(multiplier) / 1_000.0);
        let p_low = points::earned(per_unit, low, 2, multiplier);
        let p_high = points::earned(per_unit, high, 2, multiplier);
        prop_assert!(p_low >= 0);
        prop_assert!(p_low <= p_high);
    }

    #[test]
    fn partial_refunds_take_back_exactly_what_the_order_earned(
        awarded in 0_i64..1_000_000, total in 1_i64..100_000_000, cuts in proptest::collection::vec(1_u32..100, 1..8)
    ) {
        let sum: u64 = cuts.iter().map(|c| u64::from(*c)).sum();
        let mut refunded = 0_i64;
        let mut taken = 0_i64;
        for (i, cut) in cuts.iter().enumerate() {
            let part = if i + 1 == cuts.len() { total - refunded } else { (total as u64 * u64::from(*cut) / sum) as i64 };
            let part = part.min(total - refunded);
            let back = points::refund_reversal(awarded, total, refunded, part);
            prop_assert!(back >= 0);
            taken += back;
            refunded += part;
        }
        prop_assert_eq!(refunded, total);
        prop_assert_eq!(taken, awarded);
    }

    #[test]
    fn expiry_never_takes_more_than_was_credited_and_is_stable(
        moves in proptest::collection::vec((0_i64..3 * 365, -500_i64..1_000), 0..40),
        months in 1_u32..24,
        later in 0_i64..3 * 365,
    ) {
        let start = 1_700_000_000_i64;
        // In any order: the ledger's order need not be the order of dates.
        let mut movements: Vec<Movement> = moves
            .iter()
            .map(|(day, delta)| match *delta {
                d if d > 0 => Movement::expiring(start + day * 86_400, d, months),
                d => Movement::new(start + day * 86_400, d),
            })
            .collect();
        let credited: i64 = movements.iter().filter(|m| m.delta > 0).map(|m| m.delta).sum();
        let now = start + later * 86_400;
        let state = expired_by(&movements, now);
        prop_assert!(state.expired >= 0 && state.expired <= credited);
        // Writing the expiry as a row and replaying again changes nothing.
        movements.push(Movement { is_expiry: true, ..Movement::new(now, -state.expired) });
        prop_assert_eq!(expired_by(&movements, now).expired, state.expired);
        // Expiry only grows with time.
        prop_assert!(expired_by(&movements, now + 400 * 86_400).expired >= state.expired);
    }
}
