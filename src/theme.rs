//! Light or dark: what the merchant chose (`data-theme`, `theme`), or by
//! default the page the widget sits in. A page is dark only if it says it
//! supports dark (its `color-scheme`) and the shopper prefers dark or the
//! page is dark only; a light shop keeps a light widget whatever the
//! operating system prefers. The answer goes on the host as
//! `data-theme="light|dark"`, which `style.css` keys its palettes on.

use crate::config::{page_is_dark, Theme};
use crate::dom;
use gloo_events::EventListener;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, MutationObserver, MutationObserverInit};

const PREFERS_DARK: &str = "(prefers-color-scheme: dark)";

/// Marks `host` with the palette to use now.
pub fn apply(host: &HtmlElement, theme: Theme) {
    let dark = match theme {
        Theme::Light => false,
        Theme::Dark => true,
        Theme::Auto => page_is_dark(&dom::page_color_scheme(), dom::media_matches(PREFERS_DARK)),
    };
    dom::attr(host, "data-theme", if dark { "dark" } else { "light" });
}

/// What keeps an `Auto` widget in step with its page; dropping it stops.
pub struct Follow {
    _listeners: Vec<EventListener>,
    observer: Option<(MutationObserver, Closure<dyn FnMut()>)>,
}

impl Drop for Follow {
    fn drop(&mut self) {
        if let Some((observer, _)) = &self.observer {
            observer.disconnect();
        }
    }
}

/// In `Auto`, follows the page: once its stylesheets have loaded (an async
/// script can start before them), when the shopper switches between light
/// and dark (a page that supports both switches with them), and when the
/// page changes its root's attributes (a shop's own dark-mode switch).
pub fn follow(host: &HtmlElement, theme: Theme) -> Option<Follow> {
    if theme != Theme::Auto {
        return None;
    }
    let again = {
        let host = host.clone();
        move || apply(&host, Theme::Auto)
    };
    let mut listeners = Vec::new();
    if let Some(query) = dom::media(PREFERS_DARK) {
        let again = again.clone();
        listeners.push(EventListener::new(&query, "change", move |_| again()));
    }
    let document = dom::document();
    if document.ready_state() != "complete" {
        if let Some(window) = web_sys::window() {
            let again = again.clone();
            listeners.push(EventListener::once(&window, "load", move |_| again()));
        }
    }
    let observer = document.document_element().and_then(|root| {
        let callback = Closure::<dyn FnMut()>::new(again);
        let observer = MutationObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        let options = MutationObserverInit::new();
        options.set_attributes(true);
        observer.observe_with_options(&root, &options).ok()?;
        Some((observer, callback))
    });
    Some(Follow { _listeners: listeners, observer })
}
