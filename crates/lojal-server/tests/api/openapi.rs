//! `/openapi.json` is kept true: every documented operation exists in the
//! router, and real answers of every documented shape validate against the
//! document's schemas (which refuse fields they do not list).

use crate::support::{server, Reply, Store, TestServer};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

async fn document(server: &TestServer) -> Value {
    let reply = server.send(Request::get("/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers.get(header::CONTENT_TYPE).unwrap(), "application/json");
    reply.json()
}

/// Asserts that `reply`'s body is valid for the document's schema `name`.
fn assert_fits(doc: &Value, name: &str, reply: &Reply) {
    let schema = json!({"$ref": format!("#/components/schemas/{name}"), "components": doc["components"]});
    let validator = jsonschema::validator_for(&schema).expect("the document's schemas compile");
    let body = reply.json();
    let errors: Vec<String> = validator.iter_errors(&body).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "{name} does not fit the document: {errors:?}\n{body:#}");
}

/// The shop secret, or for `/metrics` the metrics token.
fn bearer(path: &str) -> &'static str {
    if path == "/metrics" {
        crate::support::METRICS_TOKEN
    } else {
        crate::support::SECRET
    }
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let server = server(Store::Sqlite).await;
    let doc = document(&server).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 11);
    for (path, operations) in paths {
        let concrete = path.replace("{shop}", "demo").replace(['{', '}'], "");
        for method in operations.as_object().unwrap().keys() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let request = Request::builder()
                .method(method.clone())
                .uri(&concrete)
                .header(header::AUTHORIZATION, format!("Bearer {}", bearer(path)))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let reply = server.send(request).await;
            assert_ne!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            if reply.status == StatusCode::NOT_FOUND {
                assert_ne!(reply.json()["error"]["code"], "not_found", "{method} {path} is documented but not routed");
            }
        }
    }
}

#[tokio::test]
async fn real_answers_fit_their_documented_schemas() {
    let server = server(Store::Sqlite).await;
    let doc = document(&server).await;
    let guest = server.shopper(Method::GET, "/v1/shops/demo/widget", None, None).await;
    assert_fits(&doc, "WidgetData", &guest);
    let order = server.order("o-1", "anna", 214_000).await;
    assert_fits(&doc, "OrderReply", &order);
    let member = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await;
    assert_fits(&doc, "WidgetData", &member);
    assert_fits(&doc, "RedemptionReply", &server.redeem("anna", "r10").await);
    let refund = server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", Some(json!({"amount": 1000}))).await;
    assert_fits(&doc, "RefundReply", &refund);
    let adjust = json!({"points": 5, "note": "welcome"});
    let adjusted = server.merchant(Method::POST, "/v1/shops/demo/customers/anna/adjustments", Some(adjust)).await;
    assert_fits(&doc, "AdjustmentReply", &adjusted);
    let detail = server.merchant(Method::GET, "/v1/shops/demo/customers/anna", None).await;
    assert_fits(&doc, "CustomerDetail", &detail);
    let products = json!([{"sku": "a", "name": "Oat milk", "price": 1990}]);
    assert_fits(&doc, "ProductsReply", &server.merchant(Method::PUT, "/v1/shops/demo/products", Some(products)).await);
    let metrics = server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await;
    assert_fits(&doc, "Metrics", &metrics);
    let program = server
        .merchant(Method::PUT, "/v1/shops/demo/program", Some(serde_json::to_value(crate::support::program()).unwrap()))
        .await;
    assert_fits(&doc, "Program", &program);
    assert_fits(&doc, "Error", &server.redeem("anna", "no-such-reward").await);
    for probe in ["/healthz", "/readyz"] {
        assert_fits(&doc, "Status", &server.send(Request::get(probe).body(Body::empty()).unwrap()).await);
    }
}

/// Issue 20's answers: a tier at risk, a points_off reward and its code,
/// a guest's pending points and their claim.
#[tokio::test]
async fn the_program_rules_answers_fit_their_documented_schemas() {
    let server = server(Store::Sqlite).await;
    let doc = document(&server).await;
    let mut program = serde_json::to_value(crate::support::program()).unwrap();
    program["tier_period"] = json!({"kind": "rolling_12_months", "grace_days": 30});
    program["guest_points"] = json!({"pending_days": 30});
    program["rewards"].as_array_mut().unwrap().push(json!({"id": "off", "title": "Off", "cost": 100,
        "kind": "points_off", "points_off": {"step_points": 100, "step_value": 1000, "max_share_percent": 50}}));
    let put = server.merchant(Method::PUT, "/v1/shops/demo/program", Some(program)).await;
    assert!(put.status.is_success(), "{}", String::from_utf8_lossy(&put.body));
    let hash = "b".repeat(64);
    let guest = json!({"id": "g-1", "email_hash": hash, "total": 24_900, "currency": "SEK"});
    assert_fits(&doc, "OrderReply", &server.merchant(Method::POST, "/v1/shops/demo/orders", Some(guest)).await);
    let ts = lojal_server::clock::now();
    let request = Request::get("/v1/shops/demo/widget")
        .header("x-lojal-guest-email-hash", &hash)
        .header("x-lojal-guest-ts", ts.to_string())
        .header("x-lojal-guest-sig", lojal_core::identity::sign_guest(crate::support::SECRET, "demo", &hash, ts))
        .body(Body::empty())
        .unwrap();
    let guest_view = server.send(request).await;
    assert!(guest_view.json().get("guest_points").is_some());
    assert_fits(&doc, "WidgetData", &guest_view);
    let claim = json!({"email_hash": hash});
    let claimed = server.merchant(Method::POST, "/v1/shops/demo/customers/anna/guest-points", Some(claim)).await;
    assert_fits(&doc, "GuestClaimReply", &claimed);
    let old = lojal_server::clock::rfc3339(lojal_server::clock::now() - 300 * 86_400);
    let order = json!({"id": "o-old", "customer": "anna", "total": 150_000, "currency": "SEK", "created_at": old});
    server.merchant(Method::POST, "/v1/shops/demo/orders", Some(order)).await;
    let member = server.shopper(Method::GET, "/v1/shops/demo/widget", Some("anna"), None).await;
    assert!(member.json()["customer"].get("keep_tier").is_some(), "{}", member.json());
    assert_fits(&doc, "WidgetData", &member);
    let body = json!({"reward_id": "off", "points": 200});
    let redeemed = server.shopper(Method::POST, "/v1/shops/demo/redemptions", Some("anna"), Some(body)).await;
    assert_fits(&doc, "RedemptionReply", &redeemed);
    let code = redeemed.json()["code"].as_str().unwrap().to_owned();
    assert_fits(&doc, "CodeView", &server.merchant(Method::GET, &format!("/v1/shops/demo/codes/{code}"), None).await);
}
