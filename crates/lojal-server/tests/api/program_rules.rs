//! Issue 20's program rules: the shop's time zone in every calendar rule,
//! orders in other currencies, what counts towards points, and why a
//! balance moved, worded for the shopper with the merchant's note.

use crate::on_each_backend;
use crate::support::{program, server, Store, TestServer};
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

on_each_backend!(
    a_time_zone_must_be_an_iana_name_and_is_kept_with_the_program,
    a_swedish_campaign_ends_at_midnight_in_stockholm_in_summer_and_winter_time,
    an_order_at_half_past_midnight_on_1_november_in_stockholm_counts_in_november,
    expiry_months_are_the_shops_months_across_the_autumn_clock_change,
    an_order_in_another_currency_without_a_rate_is_refused_and_writes_nothing,
    an_order_in_another_currency_earns_at_the_merchants_rate_stated_on_its_rows,
    zero_and_three_decimal_currencies_convert_exactly,
    shipping_tax_and_excluded_lines_earn_nothing_when_the_program_says_so,
    a_refunded_gift_card_takes_no_points_back_and_the_rest_takes_them_all,
    a_discount_counts_when_the_program_says_so_and_bad_amounts_write_nothing,
    an_adjustment_needs_a_note_which_the_shopper_reads,
);

async fn put_program(server: &TestServer, edit: impl FnOnce(&mut Value)) -> crate::support::Reply {
    let mut body = serde_json::to_value(program()).unwrap();
    edit(&mut body);
    server.merchant(Method::PUT, "/v1/shops/demo/program", Some(body)).await
}

async fn set_program(server: &TestServer, edit: impl FnOnce(&mut Value)) {
    let reply = put_program(server, edit).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
}

async fn post_order(server: &TestServer, body: Value) -> crate::support::Reply {
    server.merchant(Method::POST, "/v1/shops/demo/orders", Some(body)).await
}

async fn refund(server: &TestServer, order: &str, body: Value) -> crate::support::Reply {
    server.merchant(Method::POST, &format!("/v1/shops/demo/orders/{order}/refund"), Some(body)).await
}

async fn written(server: &TestServer) -> [i64; 4] {
    [
        server.count("orders").await,
        server.count("order_items").await,
        server.count("ledger").await,
        server.count("customers").await,
    ]
}

async fn a_time_zone_must_be_an_iana_name_and_is_kept_with_the_program(store: Store) {
    let server = server(store).await;
    for bad in ["Europe/Stockholmm", "Mars/Olympus", "", "+01:00"] {
        let reply = put_program(&server, |p| p["time_zone"] = json!(bad)).await;
        let message = reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program");
        assert!(message.contains("time_zone"), "{message}");
    }
    let reply = put_program(&server, |p| p["time_zone"] = json!("Europe/Stockholm")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["time_zone"], "Europe/Stockholm");
    // Without one, the program is in UTC and says nothing of it.
    let reply = put_program(&server, |_| {}).await;
    assert_eq!(reply.json().get("time_zone"), None);
}

/// A campaign whose last day is `ends_on` (all of October or November so
/// far), and an order placed at `at` (UTC) by a new member (at the base tier).
async fn campaign_points(server: &TestServer, zone: &str, ends_on: &str, id: &str, at: &str) -> i64 {
    let zone = zone.to_owned();
    let ends_on = ends_on.to_owned();
    set_program(server, move |p| {
        p["time_zone"] = json!(zone);
        p["campaigns"] = json!([{"id": "x2", "title": "Dubbla poäng", "multiplier": 2,
                                 "starts_on": "2026-10-01", "ends_on": ends_on}]);
    })
    .await;
    let reply =
        post_order(server, json!({"id": id, "customer": id, "total": 10_000, "currency": "SEK", "created_at": at}))
            .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()["points_awarded"].as_i64().unwrap()
}

async fn a_swedish_campaign_ends_at_midnight_in_stockholm_in_summer_and_winter_time(store: Store) {
    let server = server(store).await;
    let sthlm = "Europe/Stockholm";
    // Summer time (UTC+2): "until 24 October" ends at 22:00 UTC.
    assert_eq!(campaign_points(&server, sthlm, "2026-10-24", "s-1", "2026-10-24T21:59:59Z").await, 200);
    assert_eq!(campaign_points(&server, sthlm, "2026-10-24", "s-2", "2026-10-24T22:00:00Z").await, 100);
    // Winter time (UTC+1), after the clocks went back on 25 October: 23:00 UTC.
    assert_eq!(campaign_points(&server, sthlm, "2026-11-20", "w-1", "2026-11-20T22:59:59Z").await, 200);
    // 00:30 on 21 November in Stockholm: over, though in UTC it is still the 20th.
    assert_eq!(campaign_points(&server, sthlm, "2026-11-20", "w-2", "2026-11-20T23:30:00Z").await, 100);
    assert_eq!(campaign_points(&server, "UTC", "2026-11-20", "w-3", "2026-11-20T23:30:00Z").await, 200);
    // The day of the change back is 25 hours long; its first hour (UTC+2) counts.
    assert_eq!(campaign_points(&server, sthlm, "2026-10-24", "d-1", "2026-10-24T21:59:00Z").await, 200);
    server.assert_balances_match_ledger().await;
}

async fn an_order_at_half_past_midnight_on_1_november_in_stockholm_counts_in_november(store: Store) {
    let server = server(store).await;
    // 23:30 UTC on 31 October is 00:30 on 1 November in Stockholm (UTC+1).
    let order = json!({"id": "late", "customer": "anna", "total": 10_000, "currency": "SEK",
                       "created_at": "2026-10-31T23:30:00Z"});
    assert_eq!(post_order(&server, order).await.status, StatusCode::CREATED);
    let month_of_the_order = |metrics: &Value| {
        metrics["months"].as_array().unwrap().iter().find(|m| m["orders"] == 1).map(|m| m["month"].clone())
    };
    let metrics = server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await.json();
    assert_eq!(month_of_the_order(&metrics), Some(json!("2026-10")), "UTC: still October");
    set_program(&server, |p| p["time_zone"] = json!("Europe/Stockholm")).await;
    let metrics = server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await.json();
    assert_eq!(month_of_the_order(&metrics), Some(json!("2026-11")));
}

async fn expiry_months_are_the_shops_months_across_the_autumn_clock_change(store: Store) {
    let server = server(store).await;
    let expires_at = |id: &'static str| {
        let db = server.db.clone();
        async move {
            sqlx::query_scalar::<_, Option<i64>>(
                "SELECT expires_at FROM ledger WHERE order_id = $1 AND reason = 'earn'",
            )
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap()
            .unwrap()
        }
    };
    // 00:30 on 25 October in Stockholm (summer time, 22:30 UTC the day
    // before): a month later is 00:30 on 25 November, winter time, 23:30 UTC.
    let at = "2026-10-24T22:30:00Z";
    set_program(&server, |p| {
        p["time_zone"] = json!("Europe/Stockholm");
        p["expiry"] = json!({"after_months": 1});
    })
    .await;
    let order = json!({"id": "sthlm", "customer": "anna", "total": 10_000, "currency": "SEK", "created_at": at});
    assert_eq!(post_order(&server, order).await.status, StatusCode::CREATED);
    let nov_25_0030_cet = 1_795_563_000; // 2026-11-24T23:30:00Z
    assert_eq!(expires_at("sthlm").await, nov_25_0030_cet);
    // In UTC the same instant is 22:30 on the 24th: a month later, 22:30 UTC on 24 November.
    set_program(&server, |p| p["expiry"] = json!({"after_months": 1})).await;
    let order = json!({"id": "utc", "customer": "bo", "total": 10_000, "currency": "SEK", "created_at": at});
    assert_eq!(post_order(&server, order).await.status, StatusCode::CREATED);
    assert_eq!(expires_at("utc").await, nov_25_0030_cet - 3600);
    server.assert_balances_match_ledger().await;
}

fn eur_order(id: &str, total: i64) -> Value {
    json!({"id": id, "customer": "anna", "total": total, "currency": "EUR"})
}

async fn an_order_in_another_currency_without_a_rate_is_refused_and_writes_nothing(store: Store) {
    let server = server(store).await;
    let before = written(&server).await;
    let message = post_order(&server, eur_order("e-1", 1_200))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "currency_not_accepted");
    assert!(message.contains("EUR") && message.contains("SEK") && message.contains("rates"), "{message}");
    assert_eq!(written(&server).await, before);
    // A rate for another currency does not make EUR acceptable.
    set_program(&server, |p| p["rates"] = json!({"NOK": "0.98"})).await;
    post_order(&server, eur_order("e-1", 1_200))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "currency_not_accepted");
    // Not a currency at all is another mistake.
    let bogus = json!({"id": "e-2", "customer": "anna", "total": 100, "currency": "XYZ"});
    post_order(&server, bogus).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    assert_eq!(written(&server).await, before);
    // Bad rates are refused with the program kept.
    put_program(&server, |p| p["rates"] = json!({"SEK": "1"}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program");
    put_program(&server, |p| p["rates"] = json!({"ABC": "1.5"}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program");
    for bad in [json!("0"), json!("-1.5"), json!("1,5"), json!(11.5)] {
        let reply = put_program(&server, |p| p["rates"] = json!({"EUR": bad})).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", String::from_utf8_lossy(&reply.body));
    }
}

async fn an_order_in_another_currency_earns_at_the_merchants_rate_stated_on_its_rows(store: Store) {
    let server = server(store).await;
    set_program(&server, |p| p["rates"] = json!({"EUR": "11.50"})).await;
    // 12.00 EUR is 138.00 SEK: 138 points.
    let reply = post_order(&server, eur_order("e-1", 1_200)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["points_awarded"], 138);
    // A retry is the same order, answered the same.
    let again = post_order(&server, eur_order("e-1", 1_200)).await;
    assert_eq!((again.status, again.json()["points_awarded"].clone()), (StatusCode::OK, json!(138)));
    let ledger = &server.customer("anna").await["ledger"];
    assert_eq!(ledger[0]["converted"], json!({"amount": 1200, "currency": "EUR", "rate": "11.50"}));
    // Half of it refunded, in euros: half the points back, stated the same way.
    let reply = refund(&server, "e-1", json!({"amount": 600})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["points_reversed"], 69);
    assert_eq!(reply.json()["refundable"], 600);
    let ledger = &server.customer("anna").await["ledger"];
    assert_eq!(ledger[0]["reason"], "refund");
    assert_eq!(ledger[0]["converted"], json!({"amount": 600, "currency": "EUR", "rate": "11.50"}));
    // The shopper sees it in the widget's history too.
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    assert_eq!(widget["history"][1]["converted"]["currency"], "EUR");
    // The figures count it in kronor, net of the refund.
    let metrics = server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await.json();
    let month = metrics["months"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(month["revenue"], 6_900, "{month}");
    // Another rate later does not change what the order earned.
    set_program(&server, |p| p["rates"] = json!({"EUR": "12"})).await;
    assert_eq!(refund(&server, "e-1", json!({})).await.json()["points_reversed"], 69);
    assert_eq!(server.points("anna").await, 0);
    server.assert_balances_match_ledger().await;
}

async fn zero_and_three_decimal_currencies_convert_exactly(store: Store) {
    let server = server(store).await;
    set_program(&server, |p| {
        p["earn"]["points_per_unit"] = json!(10);
        p["rates"] = json!({"JPY": "0.0712", "KWD": "34.25"});
    })
    .await;
    // 1,000 yen (no decimals) is 71.20 kr: 712 points at 10 a krona.
    let yen = json!({"id": "j-1", "customer": "yuki", "total": 1_000, "currency": "JPY"});
    assert_eq!(post_order(&server, yen).await.json()["points_awarded"], 712);
    // 1.250 dinar (1,250 fils) is 42.8125 kr, 42.81 rounded down: 428 points.
    let dinar = json!({"id": "k-1", "customer": "karim", "total": 1_250, "currency": "KWD"});
    assert_eq!(post_order(&server, dinar).await.json()["points_awarded"], 428);
    server.assert_balances_match_ledger().await;
}

async fn with_catalogue(server: &TestServer) {
    let products = json!([
        {"sku": "card-500", "name": "Presentkort", "category": "Gift cards", "price": 50_000},
        {"sku": "coffee", "name": "Kaffe", "category": "Coffee", "price": 15_000},
        {"sku": "deposit", "name": "Pant", "category": "Deposits", "price": 100}
    ]);
    assert_eq!(server.merchant(Method::PUT, "/v1/shops/demo/products", Some(products)).await.status, StatusCode::OK);
}

/// 730 kr paid: a 500 kr gift card, 150 kr of coffee, 1 kr deposit, 50 kr
/// shipping and 29 kr tax (of the coffee's price).
fn mixed_order(id: &str, customer: &str) -> Value {
    json!({"id": id, "customer": customer, "total": 73_000, "currency": "SEK",
           "shipping": 5_000, "tax": 2_900,
           "items": [{"sku": "card-500", "qty": 1, "price": 50_000},
                     {"sku": "coffee", "qty": 1, "price": 15_000},
                     {"sku": "deposit", "qty": 1, "price": 100}]})
}

async fn shipping_tax_and_excluded_lines_earn_nothing_when_the_program_says_so(store: Store) {
    let server = server(store).await;
    with_catalogue(&server).await;
    // Today's rules: everything paid earns.
    assert_eq!(post_order(&server, mixed_order("o-1", "anna")).await.json()["points_awarded"], 730);
    set_program(&server, |p| {
        p["earn"]["counts"] = json!({"shipping": false, "tax": false});
        p["earn"]["exclude"] = json!({"skus": ["deposit"], "categories": ["Gift cards"]});
    })
    .await;
    // 730 - 500 (gift card) - 1 (deposit) - 50 (shipping) - 29 (tax) = 150.
    let reply = post_order(&server, mixed_order("o-2", "bo")).await;
    assert_eq!(reply.json()["points_awarded"], 150);
    // The rule reads back as it was sent.
    let program = put_program(&server, |p| {
        p["earn"]["counts"] = json!({"shipping": false, "tax": false});
        p["earn"]["exclude"] = json!({"skus": ["deposit"], "categories": ["Gift cards"]});
    })
    .await
    .json();
    assert_eq!(program["earn"]["counts"], json!({"shipping": false, "tax": false, "discounts": false}));
    assert_eq!(program["earn"]["exclude"], json!({"skus": ["deposit"], "categories": ["Gift cards"]}));
    let reply = put_program(&server, |p| p["earn"]["exclude"] = json!({"skus": [""]})).await;
    reply.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program");
    server.assert_balances_match_ledger().await;
}

async fn a_refunded_gift_card_takes_no_points_back_and_the_rest_takes_them_all(store: Store) {
    let server = server(store).await;
    with_catalogue(&server).await;
    set_program(&server, |p| p["earn"]["exclude"] = json!({"categories": ["Gift cards"]})).await;
    // 730 kr less the 500 kr gift card: 230 points.
    assert_eq!(post_order(&server, mixed_order("o-1", "anna")).await.json()["points_awarded"], 230);
    // The gift card returned, named by its line: nothing taken back.
    let reply = refund(&server, "o-1", json!({"items": [{"sku": "card-500", "qty": 1}]})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(
        (reply.json()["points_reversed"].clone(), reply.json()["refundable"].clone()),
        (json!(0), json!(23_000))
    );
    assert_eq!(server.points("anna").await, 230);
    // A line the order does not hold, or more of one than it holds, is refused.
    let before = written(&server).await;
    refund(&server, "o-1", json!({"items": [{"sku": "tea", "qty": 1}]}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    refund(&server, "o-1", json!({"items": [{"sku": "coffee", "qty": 2}]}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    assert_eq!(written(&server).await, before);
    // The rest of the order, all of it: every point back.
    let reply = refund(&server, "o-1", json!({})).await;
    assert_eq!(reply.json()["points_reversed"], 230);
    assert_eq!(server.points("anna").await, 0);

    // Without naming lines, a refund is spread over the order's lines.
    assert_eq!(post_order(&server, mixed_order("o-2", "bo")).await.json()["points_awarded"], 230);
    let reply = refund(&server, "o-2", json!({"amount": 36_500})).await;
    // Half of the 730 kr, so half of the 230 kr that earned: 115 points.
    assert_eq!(reply.json()["points_reversed"], 115);
    server.assert_balances_match_ledger().await;
}

async fn a_discount_counts_when_the_program_says_so_and_bad_amounts_write_nothing(store: Store) {
    let server = server(store).await;
    // 200 kr paid after a 50 kr discount.
    let discounted =
        |id: &str| json!({"id": id, "customer": "anna", "total": 20_000, "currency": "SEK", "discount": 5_000});
    assert_eq!(post_order(&server, discounted("o-1")).await.json()["points_awarded"], 200);
    set_program(&server, |p| p["earn"]["counts"] = json!({"discounts": true})).await;
    assert_eq!(post_order(&server, discounted("o-2")).await.json()["points_awarded"], 250);
    let before = written(&server).await;
    for bad in [
        json!({"id": "b-1", "customer": "anna", "total": 1_000, "currency": "SEK", "shipping": -1}),
        json!({"id": "b-2", "customer": "anna", "total": 1_000, "currency": "SEK", "tax": "5"}),
        json!({"id": "b-3", "customer": "anna", "total": 1_000, "currency": "SEK", "shipping": 600, "tax": 500}),
        json!({"id": "b-4", "customer": "anna", "total": 1_000, "currency": "SEK", "discount": 1_000_000_000_001_i64}),
    ] {
        let reply = post_order(&server, bad).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", String::from_utf8_lossy(&reply.body));
    }
    assert_eq!(written(&server).await, before);
}

async fn an_adjustment_needs_a_note_which_the_shopper_reads(store: Store) {
    let server = server(store).await;
    server.order("o-1", "anna", 10_000).await;
    let adjust = |body: Value| server.merchant(Method::POST, "/v1/shops/demo/customers/anna/adjustments", Some(body));
    let before = written(&server).await;
    for body in [
        json!({"points": 50, "note": ""}),
        json!({"points": 50, "note": "   "}),
        json!({"points": 50, "note": "x".repeat(201)}),
    ] {
        let message = adjust(body).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "note_required");
        assert!(message.contains("note"), "{message}");
    }
    let reply = adjust(json!({"points": 50})).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "no note at all");
    assert_eq!(written(&server).await, before);
    let reply = adjust(json!({"points": 50, "note": "Sorry for the late parcel"})).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let widget = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await.json();
    let row = &widget["history"][0];
    assert_eq!((row["reason"].clone(), row["note"].clone()), (json!("adjustment"), json!("Sorry for the late parcel")));
    assert_eq!(widget["history"][1]["order_id"], "o-1");
}
