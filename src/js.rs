//! JavaScript values in and out without serde: the API's JSON answers read
//! through `lojal_core::wire` (field by field, checked against the server's
//! own serializer in that module's tests), and request bodies built as JS
//! objects and stringified by the browser.

use js_sys::{Array, Object, Reflect};
use lojal_core::wire::Source;
use wasm_bindgen::JsValue;

/// A JS value as a [`Source`] for the readers of `lojal_core::wire`.
pub struct Js(pub JsValue);

impl Source for Js {
    fn field(&self, key: &str) -> Option<Js> {
        if !self.0.is_object() {
            return None;
        }
        Reflect::get(&self.0, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null()).map(Js)
    }

    fn string(&self) -> Option<String> {
        self.0.as_string()
    }

    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }

    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }

    fn items(&self) -> Option<Vec<Js>> {
        Array::is_array(&self.0).then(|| Array::from(&self.0).iter().map(Js).collect())
    }
}

/// A JSON object of `fields`, as text for a request body.
pub fn json(fields: &[(&str, JsValue)]) -> String {
    String::from(js_sys::JSON::stringify(&object(fields)).unwrap_or_else(|_| "{}".into()))
}

pub fn object(fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

/// A whole number as a JS number (every figure the API takes fits one).
pub fn int(n: i64) -> JsValue {
    JsValue::from_f64(n as f64)
}
