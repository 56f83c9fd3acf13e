//! The Lojal widget: what a shopper sees inside a webshop.
//!
//! JavaScript defines the `<lojal-widget>` custom element (Rust cannot
//! subclass `HTMLElement`) and hands each element to [`Widget::new`], which
//! owns the element's shadow root from then on. `pkg/index.js` is that JS.
//!
//! Modules, by role:
//! - [`config`]: what the script tag or `mount()` says (shop, API, identity, locale);
//! - [`session`]: the state all views of one shopper on a page share, and
//!   the shopper's actions on it;
//! - [`api`]: the requests: the one that renders, and the shopper's actions;
//! - [`ui`]: what the shopper is doing (confirming, codes got, messages);
//! - [`view`]: plain functions drawing the state into a shadow root;
//! - [`dom`]: every raw web-sys call, in small helpers;
//! - [`i18n`]: the shopper-facing words in each shipped locale;
//! - [`events`]: the `lojal:*` events the page can listen to;
//! - [`theme`]: light or dark, following the host page unless told;
//! - [`keyboard`]: the launcher out of the way while the shopper types.

mod action;
mod api;
mod config;
mod controller;
mod dom;
mod events;
mod i18n;
mod js;
mod keyboard;
mod session;
mod theme;
mod ui;
mod view;

use config::Config;
use gloo_events::{EventListener, EventListenerOptions};
use session::Session;
use std::cell::RefCell;
use std::rc::Rc;
use view::View;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

/// One `<lojal-widget>` element, live.
///
/// Dropping it (the JS side calls `free()` when the element leaves the page)
/// removes its listeners and its place in the session, so a single-page
/// shop can mount and unmount it any number of times without leaking.
#[wasm_bindgen]
pub struct Widget {
    view: Rc<View>,
    session: Rc<Session>,
    _listeners: Vec<EventListener>,
    _theme: Option<theme::Follow>,
}

#[wasm_bindgen]
impl Widget {
    /// Takes over `host` (attaching its shadow root if it has none yet) and
    /// joins the page's session for its shop and shopper, which fetches
    /// once for all elements. `config` is the object `mount()` receives.
    #[wasm_bindgen(constructor)]
    pub fn new(host: HtmlElement, config: JsValue) -> Result<Widget, JsError> {
        let config = Config::from_js(config).map_err(|e| JsError::new(&e))?;
        let root =
            dom::shadow_root(&host).map_err(|_| JsError::new("lojal: this element cannot hold a shadow root"))?;
        let kind = view::Kind::of(&host);
        // The loader's first view (the balance from its early answer,
        // `pkg/widget.js`), if it drew one: kept in the frame instead of
        // the loading line until the session's first render replaces it.
        let first_view = dom::query(&root, ".lojal-first");
        view::frame(&root, &config, kind);
        match (first_view, dom::query(&root, ".body")) {
            (Some(first_view), Some(body)) => dom::replace_body(&root, &body, &[first_view]),
            _ => view::render_loading(&root, &config, kind),
        }
        if kind == view::Kind::Launcher {
            if let Some((x, y)) = config.offset {
                dom::set_style(&host, "--lojal-offset-x", &format!("{x}px"));
                dom::set_style(&host, "--lojal-offset-y", &format!("{y}px"));
            }
        }
        theme::apply(&host, config.theme);
        let view = Rc::new(View { host, root, config, kind, scroll_lock: RefCell::new(None) });
        let session = Session::join(&view);
        let mut listeners = listen(&view, &session);
        if kind == view::Kind::Launcher {
            listeners.extend(keyboard::watch(&view.host));
        }
        let theme = theme::follow(&view.host, view.config.theme);
        Ok(Widget { view, session, _listeners: listeners, _theme: theme })
    }

    /// Fetches the shopper's standing again and redraws every view.
    pub fn refresh(&self) -> js_sys::Promise {
        let session = self.session.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            session.refresh().await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Redraws this element from the session's state (after its `price`
    /// attribute changed, say), without a request.
    pub fn redraw(&self) {
        self.session.draw(&self.view);
    }

    /// Opens the panel (launcher mode); inline widgets are always open.
    pub fn open(&self) {
        view::set_open(&self.view, true);
    }

    pub fn close(&self) {
        view::set_open(&self.view, false);
    }

    /// Shows the shopper's cart (`[{sku, qty, price}]`) in every view and,
    /// for a signed-in shopper, stores it. Rejects items the API would refuse.
    #[wasm_bindgen(js_name = setCart)]
    pub fn set_cart(&self, items: JsValue) -> js_sys::Promise {
        let session = self.session.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let items = lojal_core::wire::line_items(&crate::js::Js(items)).map_err(|bad| {
                JsError::new(&format!("lojal: setCart takes [{{sku, qty, price}}]: `{}` is missing or wrong", bad.0))
            })?;
            session.set_cart(items).await.map_err(|e| JsError::new(&e))?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The referral code this shopper arrived with (`?ref=` on any page of
    /// the shop, kept in localStorage), for the checkout to send with the
    /// order as `referral_code`.
    #[wasm_bindgen(js_name = referralCode)]
    pub fn referral_code(&self) -> Option<String> {
        self.session.referral_code()
    }
}

/// One click and one keydown listener on the shadow root, routing by the
/// `data-action` of the button (event delegation): renders replace nodes
/// freely without re-binding anything.
fn listen(view: &Rc<View>, session: &Rc<Session>) -> Vec<EventListener> {
    let clicks = {
        let (view, session) = (Rc::downgrade(view), Rc::downgrade(session));
        EventListener::new(&view.upgrade().expect("alive").root, "click", move |event| {
            let (Some(view), Some(session)) = (view.upgrade(), session.upgrade()) else { return };
            if let Some((action, arg)) = dom::action_of(event) {
                session.act(&view, &action, arg);
            }
        })
    };
    let keys = {
        let weak = Rc::downgrade(view);
        let options = EventListenerOptions::enable_prevent_default();
        EventListener::new_with_options(&view.root, "keydown", options, move |event| {
            let Some(view) = weak.upgrade() else { return };
            if let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>() {
                view::key(&view, key);
            }
        })
    };
    // Inputs that act as they change (the cart view's points picker).
    let inputs = {
        let (view, session) = (Rc::downgrade(view), Rc::downgrade(session));
        EventListener::new(&view.upgrade().expect("alive").root, "input", move |event| {
            let (Some(view), Some(session)) = (view.upgrade(), session.upgrade()) else { return };
            if let Some((action, _)) = dom::action_of(event) {
                session.input(&view, &action, &dom::value_of(event).unwrap_or_default());
            }
        })
    };
    vec![clicks, keys, inputs]
}
