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
