//! Every raw DOM call of the widget, as small helpers.
//!
//! Text from data only ever enters the page through [`text`], as a text
//! node: no HTML is ever built from data.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    CssStyleSheet, Document, Element, HtmlElement, Node, ShadowRoot, ShadowRootInit, ShadowRootMode,
};

pub fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("the widget runs in a page with a document")
}

/// The element's shadow root, attached on first use. Closed would hide the
/// widget from the shop's own tests and tools; open is what most widgets use.
pub fn shadow_root(host: &HtmlElement) -> Result<ShadowRoot, JsValue> {
    if let Some(root) = host.shadow_root() {
        return Ok(root);
    }
    host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
}

/// A new element with a class (empty: none).
pub fn el(tag: &str, class: &str) -> Element {
    let element = document().create_element(tag).expect("valid tag name");
    if !class.is_empty() {
        element.set_class_name(class);
    }
    element
}

/// A new element holding `content` as text.
pub fn el_text(tag: &str, class: &str, content: &str) -> Element {
    let element = el(tag, class);
    text(&element, content);
    element
}

/// Appends `content` as a text node: markup in it stays visible text.
pub fn text(parent: &Element, content: &str) {
    let node = document().create_text_node(content);
    append(parent, &node);
}

pub fn append(parent: &Node, child: &Node) {
    parent
        .append_child(child)
        .expect("appending a new node cannot fail");
}

pub fn attr(element: &Element, name: &str, value: &str) {
    element
        .set_attribute(name, value)
        .expect("valid attribute name");
}

/// Replaces everything under `root` with `children`.
pub fn replace_children(root: &ShadowRoot, children: &[&Node]) {
    while let Some(child) = root.first_child() {
        let _ = root.remove_child(&child);
    }
    for child in children {
        append(root, child);
    }
}

pub fn query(root: &ShadowRoot, selector: &str) -> Option<Element> {
    root.query_selector(selector).ok().flatten()
}

pub fn as_html(element: Element) -> Option<HtmlElement> {
    element.dyn_into::<HtmlElement>().ok()
}

/// Sets one CSS property through the CSSOM, which a page's Content
/// Security Policy allows where a `style` attribute would be blocked.
pub fn set_style(element: &Element, property: &str, value: &str) {
    if let Some(html) = element.dyn_ref::<HtmlElement>() {
        let _ = html.style().set_property(property, value);
    }
}

/// Applies `css` to the shadow root as a constructed style sheet: allowed
/// under a strict CSP (unlike a `<style>` element) and parsed once. Browsers
/// without constructable sheets get a `<style>` element instead.
pub fn adopt_styles(root: &ShadowRoot, css: &str) {
    let adopted = CssStyleSheet::new().ok().and_then(|sheet| {
        sheet.replace_sync(css).ok()?;
        root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
        Some(())
    });
    if adopted.is_none() {
        let style = el_text("style", "", css);
        let _ = root.prepend_with_node_1(&style);
    }
}
