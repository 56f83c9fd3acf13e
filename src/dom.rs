//! Every raw DOM call of the widget, as small helpers.
//!
//! Text from data only ever enters the page through [`text`], as a text
//! node: no HTML is ever built from data.

use crate::action::Action;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Document, Element, HtmlElement, Node, ShadowRoot, ShadowRootInit, ShadowRootMode};

pub fn document() -> Document {
    web_sys::window().and_then(|w| w.document()).expect("the widget runs in a page with a document")
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
    parent.append_child(child).expect("appending a new node cannot fail");
}

pub fn attr(element: &Element, name: &str, value: &str) {
    element.set_attribute(name, value).expect("valid attribute name");
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

/// A `<button type="button">` for `action`, which the root's click handler
/// reads back from its `data-action` (and `data-arg`).
pub fn button(class: &str, label: &str, action: &Action) -> Element {
    let button = el_text("button", class, label);
    attr(&button, "type", "button");
    mark_action(&button, action);
    button
}

/// Marks `element` (a button, a link, a range) as doing `action` when used.
pub fn mark_action(element: &Element, action: &Action) {
    attr(element, "data-action", action.name());
    let arg = action.arg();
    if !arg.is_empty() {
        attr(element, "data-arg", &arg);
    }
}

/// Focuses the control for `action`, found again after a redraw.
pub fn focus_action(root: &ShadowRoot, action: &Action) {
    focus(root, &action_selector(action.name(), &action.arg()));
}

/// The selector of the control for `action` (and `arg`, when not empty).
/// `arg` comes from the merchant's data, so it is quoted for CSS.
fn action_selector(action: &str, arg: &str) -> String {
    if arg.is_empty() {
        format!("[data-action=\"{action}\"]")
    } else {
        format!("[data-action=\"{action}\"][data-arg=\"{}\"]", arg.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Replaces the children of `body` (inside `root`) with `children`. A
/// redraw replaces the nodes: a keyboard user's focus must not fall out of
/// the widget with them, so it moves to the same control anew.
pub fn replace_body(root: &ShadowRoot, body: &Element, children: &[Element]) {
    let focused = root
        .active_element()
        .filter(|el| body.contains(Some(el)))
        .and_then(|el| Some((el.get_attribute("data-action")?, el.get_attribute("data-arg").unwrap_or_default())));
    while let Some(child) = body.first_child() {
        let _ = body.remove_child(&child);
    }
    for child in children {
        append(body, child);
    }
    if let Some((action, arg)) = focused {
        focus(root, &action_selector(&action, &arg));
    }
}

/// The `data-action` and `data-arg` of the button an event happened in.
pub fn action_of(event: &web_sys::Event) -> Option<(String, String)> {
    let target = event.target()?.dyn_into::<Element>().ok()?;
    let button = target.closest("[data-action]").ok()??;
    let action = button.get_attribute("data-action")?;
    Some((action, button.get_attribute("data-arg").unwrap_or_default()))
}

/// The `value` of the form control an event happened on.
pub fn value_of(event: &web_sys::Event) -> Option<String> {
    js_sys::Reflect::get(&JsValue::from(event.target()?), &"value".into()).ok()?.as_string()
}

/// The `value` of the first form control under `root` matching `selector`.
pub fn value_at(root: &ShadowRoot, selector: &str) -> Option<String> {
    js_sys::Reflect::get(&JsValue::from(query(root, selector)?), &"value".into()).ok()?.as_string()
}

/// An attribute of `element`, if it has it.
pub fn attr_of(element: &Element, name: &str) -> Option<String> {
    element.get_attribute(name)
}

pub fn has_attr(element: &Element, name: &str) -> bool {
    element.has_attribute(name)
}

pub fn remove_attr(element: &Element, name: &str) {
    let _ = element.remove_attribute(name);
}

/// Whether `element` holds any element.
pub fn has_children(element: &Element) -> bool {
    element.child_element_count() > 0
}

/// Replaces an element's content with `content`, as text.
pub fn set_text(element: &Element, content: &str) {
    element.set_text_content(Some(content));
}

/// Copies `text` to the clipboard; resolves to whether it worked.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into()).unwrap_or(JsValue::UNDEFINED);
    let write = js_sys::Reflect::get(&clipboard, &"writeText".into()).unwrap_or(JsValue::UNDEFINED);
    let Some(write) = write.dyn_ref::<js_sys::Function>() else { return false };
    match write.call1(&clipboard, &JsValue::from_str(text)) {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await.is_ok(),
        Err(_) => false,
    }
}

/// Whether the browser offers the Web Share API.
pub fn can_share() -> bool {
    web_sys::window()
        .map(|w| js_sys::Reflect::get(&w.navigator(), &"share".into()).is_ok_and(|f| f.is_function()))
        .unwrap_or(false)
}

/// Whether sharing beats copying here: a share sheet on a touch screen (a
/// phone or tablet). Desktop browsers with `navigator.share` keep "Copy"
/// first, where the clipboard is what a shopper wants.
pub fn prefers_share() -> bool {
    can_share() && media_matches("(pointer: coarse)")
}

/// Opens the system share sheet with `title`, `text` and `url` (each left
/// out when empty). `true` when it was shared or the shopper cancelled it;
/// `false` when the browser has no share sheet or refused (then copy).
pub async fn share(title: &str, text: &str, url: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let navigator = window.navigator();
    let Ok(share) = js_sys::Reflect::get(&navigator, &"share".into()) else { return false };
    let Some(share) = share.dyn_ref::<js_sys::Function>() else { return false };
    let data = js_sys::Object::new();
    for (key, value) in [("title", title), ("text", text), ("url", url)] {
        if !value.is_empty() {
            let _ = js_sys::Reflect::set(&data, &key.into(), &value.into());
        }
    }
    let Ok(promise) = share.call1(&navigator, &data) else { return false };
    match wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await {
        Ok(_) => true,
        // The shopper closed the sheet: nothing to fall back to.
        Err(error) => {
            js_sys::Reflect::get(&error, &"name".into()).ok().and_then(|n| n.as_string()).as_deref()
                == Some("AbortError")
        }
    }
}

/// The page's media query `query`, to read or to listen to.
pub fn media(query: &str) -> Option<web_sys::MediaQueryList> {
    web_sys::window()?.match_media(query).ok()?
}

pub fn media_matches(query: &str) -> bool {
    media(query).is_some_and(|m| m.matches())
}

/// The `color-scheme` the host page declares: its root's computed value,
/// else its `<meta name="color-scheme">`; empty when it declares none.
pub fn page_color_scheme() -> String {
    let document = document();
    let computed = document
        .document_element()
        .and_then(|root| web_sys::window()?.get_computed_style(&root).ok()?)
        .and_then(|style| style.get_property_value("color-scheme").ok())
        .unwrap_or_default();
    if !computed.trim().is_empty() && computed.trim() != "normal" {
        return computed;
    }
    document
        .query_selector("meta[name=color-scheme]")
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .unwrap_or_default()
}

/// The host page held still behind the bottom sheet: `overflow: hidden` on
/// its `<html>` and `<body>` until dropped, which puts back what was there.
pub struct ScrollLock {
    saved: Vec<(HtmlElement, String)>,
}

impl ScrollLock {
    pub fn new() -> ScrollLock {
        let document = document();
        let elements = [document.document_element().and_then(as_html), document.body()];
        let saved = elements
            .into_iter()
            .flatten()
            .map(|element| {
                let style = element.style();
                let before = style.get_property_value("overflow").unwrap_or_default();
                let _ = style.set_property("overflow", "hidden");
                (element, before)
            })
            .collect();
        ScrollLock { saved }
    }
}

impl Drop for ScrollLock {
    fn drop(&mut self) {
        for (element, before) in &self.saved {
            let style = element.style();
            let _ = if before.is_empty() {
                style.remove_property("overflow").map(|_| ())
            } else {
                style.set_property("overflow", before)
            };
        }
    }
}

/// A query parameter of the page's own URL.
pub fn page_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name).filter(|v| !v.is_empty())
}

/// localStorage, when the page may use it (sandboxed frames and some
/// privacy modes throw).
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Keeps `value` under `key` in localStorage, when the page may use it.
pub fn remember(key: &str, value: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, value);
    }
}

/// What [`remember`] kept under `key`.
pub fn recall(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Opens `url` in a new tab, without giving it a handle on this page.
pub fn open_tab(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.open_with_url_and_target_and_features(url, "_blank", "noopener");
    }
}

/// Focuses the first element matching `selector`, if any.
pub fn focus(root: &ShadowRoot, selector: &str) {
    if let Some(element) = query(root, selector).and_then(as_html) {
        let _ = element.focus();
    }
}

/// The key of a keydown (`"Tab"`, `"Escape"`...).
pub fn key_name(key: &web_sys::KeyboardEvent) -> String {
    key.key()
}

/// Tab and Shift+Tab wrap around inside `container` instead of leaving it
/// (a modal dialog's focus trap).
pub fn wrap_tab(root: &ShadowRoot, container: &Element, key: &web_sys::KeyboardEvent) {
    let controls = focusables(container);
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else { return };
    let active = root.active_element();
    let at = |el: &HtmlElement| active.as_ref().is_some_and(|a| a == el.as_ref() as &Element);
    if key.shift_key() && at(first) {
        key.prevent_default();
        let _ = last.focus();
    } else if !key.shift_key() && at(last) {
        key.prevent_default();
        let _ = first.focus();
    }
}

/// The elements a keyboard can reach inside `container`, in order.
fn focusables(container: &Element) -> Vec<HtmlElement> {
    let Ok(list) =
        container.query_selector_all("button:not([disabled]), a[href], input, [tabindex]:not([tabindex='-1'])")
    else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok()).collect()
}
