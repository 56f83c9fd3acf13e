//! The Lojal widget: what a shopper sees inside a webshop.
//!
//! JavaScript defines the `<lojal-widget>` custom element (Rust cannot
//! subclass `HTMLElement`) and hands each element to [`Widget::new`], which
//! owns the element's shadow root from then on. `pkg/index.js` is that JS.
//!
//! Modules, by role:
//! - [`config`]: what the script tag or `mount()` says (shop, API, identity, locale);
//! - [`api`]: the one request the widget makes to render;
//! - [`view`]: plain functions drawing the state into the shadow root;
//! - [`dom`]: every raw web-sys call, in small helpers;
//! - [`i18n`]: the shopper-facing words in each shipped locale;
//! - [`events`]: the `lojal:*` events the page can listen to.

mod api;
mod config;
mod dom;
mod events;
mod i18n;
mod view;

use config::Config;
use gloo_events::EventListener;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRoot};

/// One `<lojal-widget>` element's live state.
///
/// Dropping it (the JS side calls `free()` when the element leaves the page)
/// removes its listeners, so a single-page shop can mount and unmount it any
/// number of times without leaking.
#[wasm_bindgen]
pub struct Widget {
    inner: Rc<Inner>,
}

struct Inner {
    host: HtmlElement,
    root: ShadowRoot,
    config: Config,
    /// Bumped by each refresh so that a slow, stale answer never overwrites
    /// a newer one.
    generation: RefCell<u32>,
    listeners: RefCell<Vec<EventListener>>,
}

#[wasm_bindgen]
impl Widget {
    /// Takes over `host` (attaching its shadow root if it has none yet) and
    /// starts the first fetch. `config` is the object `mount()` receives.
    #[wasm_bindgen(constructor)]
    pub fn new(host: HtmlElement, config: JsValue) -> Result<Widget, JsError> {
        let config = Config::from_js(config).map_err(|e| JsError::new(&e))?;
        let root = dom::shadow_root(&host)
            .map_err(|_| JsError::new("lojal: this element cannot hold a shadow root"))?;
        let inner = Rc::new(Inner {
            host,
            root,
            config,
            generation: RefCell::new(0),
            listeners: RefCell::new(Vec::new()),
        });
        view::install_styles(&inner.root);
        view::render_loading(&inner.root, &inner.config, inner.is_launcher());
        inner.bind_launcher();
        let widget = Widget { inner };
        widget.spawn_refresh();
        Ok(widget)
    }

    /// Fetches the shopper's standing again and redraws.
    pub fn refresh(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            inner.refresh().await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Opens the panel (launcher mode); inline widgets are always open.
    pub fn open(&self) {
        view::set_open(&self.inner.root, true);
    }

    pub fn close(&self) {
        view::set_open(&self.inner.root, false);
    }
}

impl Widget {
    fn spawn_refresh(&self) {
        let inner = self.inner.clone();
        wasm_bindgen_futures::spawn_local(async move { inner.refresh().await });
    }
}

impl Inner {
    fn is_launcher(&self) -> bool {
        self.host.has_attribute("launcher")
    }

    async fn refresh(self: &Rc<Self>) {
        let generation = {
            let mut g = self.generation.borrow_mut();
            *g = g.wrapping_add(1);
            *g
        };
        let result = api::fetch_widget(&self.config).await;
        if *self.generation.borrow() != generation {
            return;
        }
        match result {
            Ok(data) => {
                view::render(&self.root, &self.config, &data, self.is_launcher());
                self.bind_launcher();
                let (points, tier) = data
                    .customer
                    .as_ref()
                    .map(|c| (Some(c.points), Some(c.tier.id.as_str())))
                    .unwrap_or((None, None));
                events::ready(&self.host, points, tier);
            }
            Err(err) => {
                view::render_fallback(&self.root, &self.config, self.is_launcher());
                self.bind_launcher();
                events::error(&self.host, err.code(), &err.to_string());
            }
        }
    }

    /// (Re)binds the launcher, the close button and Escape after each
    /// render, since a render replaces the nodes the old listeners were on.
    fn bind_launcher(self: &Rc<Self>) {
        let mut listeners = self.listeners.borrow_mut();
        listeners.clear();
        let Some(button) = view::launcher_button(&self.root) else {
            return;
        };
        let root = self.root.clone();
        listeners.push(EventListener::new(&button, "click", move |_| {
            let open = view::is_open(&root);
            view::set_open(&root, !open);
        }));
        if let Some(close) = view::close_button(&self.root) {
            let root = self.root.clone();
            listeners.push(EventListener::new(&close, "click", move |_| {
                close_and_refocus(&root)
            }));
        }
        let root = self.root.clone();
        listeners.push(EventListener::new(&self.root, "keydown", move |event| {
            let is_escape = event
                .dyn_ref::<web_sys::KeyboardEvent>()
                .is_some_and(|k| k.key() == "Escape");
            if is_escape && view::is_open(&root) {
                close_and_refocus(&root);
            }
        }));
    }
}

/// Closes the panel and gives focus back to the launcher that opened it.
fn close_and_refocus(root: &ShadowRoot) {
    view::set_open(root, false);
    if let Some(button) = view::launcher_button(root) {
        let _ = button.focus();
    }
}
