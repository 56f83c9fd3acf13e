//! The merchant's answers are types of `lojal_core::api`, and the OpenAPI
//! document describes those types: each real answer reads back into its
//! type and writes out unchanged (the server sends exactly the type), and
//! the type's serialized field names, at every level, are exactly the
//! properties of its schema in the document (none missing, none extra).

use crate::on_each_backend;
use crate::support::{server, Reply, Store, TestServer};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use lojal_core::api;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeSet;

on_each_backend!(merchant_answers_are_their_core_types_and_the_documents_schemas);

/// The served OpenAPI document.
async fn document(server: &TestServer) -> Value {
    server.send(Request::get("/openapi.json").body(Body::empty()).unwrap()).await.json()
}

/// `schema` with a `$ref` to a component replaced by the component.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.strip_prefix("#/components/schemas/").expect("a component reference");
            let found = &doc["components"]["schemas"][name];
            assert!(found.is_object(), "{reference} is not in the document");
            resolve(doc, found)
        }
        None => schema,
    }
}

/// Where `value`'s field names differ from `schema`'s properties, at every
/// level (objects' properties, arrays' items).
fn differences(doc: &Value, schema: &Value, value: &Value, at: &str, found: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    match value {
        Value::Object(fields) => {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                found.push(format!("{at}: an object where the schema lists no properties"));
                return;
            };
            let wire: BTreeSet<&str> = fields.keys().map(String::as_str).collect();
            let documented: BTreeSet<&str> = properties.keys().map(String::as_str).collect();
            for extra in wire.difference(&documented) {
                found.push(format!("{at}.{extra}: sent but not documented"));
            }
            for missing in documented.difference(&wire) {
                found.push(format!("{at}.{missing}: documented but not sent"));
            }
            for (name, field) in fields {
                if let Some(property) = properties.get(name) {
                    differences(doc, property, field, &format!("{at}.{name}"), found);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    differences(doc, item_schema, item, &format!("{at}[{i}]"), found);
                }
            }
        }
        _ => {}
    }
}

/// Asserts that `value`, serialized, has exactly the fields of the
/// document's schema `name`, nested ones included.
fn assert_same_fields<T: Serialize>(doc: &Value, name: &str, value: &T) {
    let wire = serde_json::to_value(value).unwrap();
    let mut found = Vec::new();
    differences(doc, &json!({"$ref": format!("#/components/schemas/{name}")}), &wire, name, &mut found);
    assert!(found.is_empty(), "{name} and its schema differ: {found:#?}\n{wire:#}");
}

/// The answer read as `T`, after checking that `T` writes it back unchanged.
fn typed<T: Serialize + DeserializeOwned>(reply: &Reply, status: StatusCode) -> T {
    assert_eq!(reply.status, status, "{}", String::from_utf8_lossy(&reply.body));
    let body = reply.json();
    let value: T = serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("the answer does not read as {}: {e}\n{body:#}", std::any::type_name::<T>()));
    assert_eq!(serde_json::to_value(&value).unwrap(), body, "{} drops or changes fields", std::any::type_name::<T>());
    value
}

async fn merchant_answers_are_their_core_types_and_the_documents_schemas(store: Store) {
    let server = server(store).await;
    let doc = document(&server).await;

    let health = server.send(Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_same_fields(&doc, "Status", &typed::<api::Status>(&health, StatusCode::OK));

    let catalogue =
        json!([{"sku": "a", "name": "Oat milk", "price": 1990}, {"sku": "b", "name": "Rye", "price": 3500}]);
    let products = server.merchant(Method::PUT, "/v1/shops/demo/products", Some(catalogue)).await;
    let products: api::ProductsReply = typed(&products, StatusCode::OK);
    assert_eq!(products.products, 2);
    assert_same_fields(&doc, "ProductsReply", &products);

    let hook = json!({"url": "https://hooks.example.com/lojal", "events": ["points.earned", "tier.changed"]});
    let created = server.merchant(Method::POST, "/v1/shops/demo/webhooks", Some(hook)).await;
    let created: api::WebhookCreated = typed(&created, StatusCode::CREATED);
    assert!(created.secret.starts_with("whsec_"));
    assert_same_fields(&doc, "WebhookCreated", &created);
    let id = created.webhook.id.clone();

    // Orders that earn points, move a tier and are partly refunded: events
    // to list and figures in every part of the metrics.
    for (n, (customer, total)) in [("anna", 214_000), ("bo", 30_000), ("anna", 12_000)].into_iter().enumerate() {
        let reply = server.order(&format!("o-{n}"), customer, total).await;
        assert!(reply.status.is_success(), "{}", String::from_utf8_lossy(&reply.body));
    }
    server.merchant(Method::POST, "/v1/shops/demo/orders/o-1/refund", Some(json!({"amount": 1000}))).await;

    let list = server.merchant(Method::GET, "/v1/shops/demo/webhooks", None).await;
    let list: api::WebhookList = typed(&list, StatusCode::OK);
    assert_eq!(list.webhooks.len(), 1);
    assert_same_fields(&doc, "WebhookList", &list);

    let events = server.merchant(Method::GET, "/v1/shops/demo/webhooks/events", None).await;
    let events: api::WebhookEvents = typed(&events, StatusCode::OK);
    let first = events.events.last().expect("the orders wrote events");
    assert!(!first.deliveries.is_empty(), "the endpoint receives points.earned");
    assert_same_fields(&doc, "WebhookEvents", &events);

    let resent =
        server.merchant(Method::POST, &format!("/v1/shops/demo/webhooks/events/{}/resend", first.id), None).await;
    let resent: api::WebhookResendReply = typed(&resent, StatusCode::ACCEPTED);
    assert_eq!(resent.endpoints, 1);
    assert_same_fields(&doc, "WebhookResendReply", &resent);

    let attempts = server.merchant(Method::GET, &format!("/v1/shops/demo/webhooks/{id}/attempts"), None).await;
    assert_same_fields(&doc, "WebhookAttempts", &typed::<api::WebhookAttempts>(&attempts, StatusCode::OK));
    // No delivery worker runs here, so there are no attempts to list: an
    // attempt's own fields are checked on one written out.
    let attempt = api::WebhookAttempt {
        event_id: first.id.clone(),
        event_type: first.event_type.clone(),
        at: "2026-11-25T10:00:00Z".into(),
        status: Some(500),
        duration_ms: 31,
        error: Some("HTTP 500".into()),
        ok: false,
    };
    assert_same_fields(&doc, "WebhookAttempts", &api::WebhookAttempts { attempts: vec![attempt] });

    let enabled = server.merchant(Method::POST, &format!("/v1/shops/demo/webhooks/{id}/enable"), None).await;
    assert_same_fields(&doc, "Webhook", &typed::<api::Webhook>(&enabled, StatusCode::OK));

    let metrics = server.merchant(Method::GET, "/v1/shops/demo/metrics", None).await;
    let metrics: api::Metrics = typed(&metrics, StatusCode::OK);
    assert_eq!(metrics.customers_with_orders, 2);
    assert!(!metrics.tiers.is_empty() && !metrics.months.is_empty() && !metrics.cohorts.is_empty());
    assert_same_fields(&doc, "Metrics", &metrics);
}

#[test]
fn a_field_the_document_lacks_or_adds_is_found() {
    let doc = json!({"components": {"schemas": {
        "Outer": {"type": "object", "properties": {"inner": {"$ref": "#/components/schemas/Inner"}, "n": {}}},
        "Inner": {"type": "object", "properties": {"a": {}, "b": {}}}
    }}});
    let mut found = Vec::new();
    let value = json!({"inner": {"a": 1, "c": 2}, "n": 3});
    differences(&doc, &json!({"$ref": "#/components/schemas/Outer"}), &value, "Outer", &mut found);
    assert_eq!(found, ["Outer.inner.c: sent but not documented", "Outer.inner.b: documented but not sent"]);
}
