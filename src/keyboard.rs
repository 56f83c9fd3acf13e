//! The launcher out of the shopper's way while they type in the page: on a
//! phone the on-screen keyboard pushes the page's fields up to where the
//! floating button sits. While a text field outside the widget has focus,
//! the host carries `data-typing`; `style.css` hides the launcher then, on
//! narrow screens only.

use crate::dom;
use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// A `focusin` and a `focusout` listener on the document.
pub fn watch(host: &HtmlElement) -> Vec<EventListener> {
    let document = dom::document();
    let on_focus = {
        let host = host.clone();
        EventListener::new(&document, "focusin", move |event| {
            let typing = event.target().and_then(|t| t.dyn_into::<Element>().ok()).is_some_and(|t| is_text_field(&t));
            if typing {
                dom::attr(&host, "data-typing", "");
            } else {
                let _ = host.remove_attribute("data-typing");
            }
        })
    };
    let on_blur = {
        let host = host.clone();
        EventListener::new(&document, "focusout", move |_| {
            let _ = host.remove_attribute("data-typing");
        })
    };
    vec![on_focus, on_blur]
}

/// Fields that bring up the on-screen keyboard. Focus inside a widget
/// reaches the document as the widget's host, never as one of these.
fn is_text_field(element: &Element) -> bool {
    match element.local_name().as_str() {
        "textarea" => true,
        "input" => !matches!(
            element.get_attribute("type").unwrap_or_default().to_ascii_lowercase().as_str(),
            "button" | "submit" | "reset" | "checkbox" | "radio" | "range" | "color" | "file" | "image" | "hidden"
        ),
        _ => element.get_attribute("contenteditable").is_some_and(|v| v != "false"),
    }
}
