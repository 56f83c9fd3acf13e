//! The Lojal widget: what a shopper sees inside a webshop.
//!
//! JavaScript defines the `<lojal-widget>` custom element (Rust cannot
//! subclass `HTMLElement`) and hands each element to [`Widget::new`], which
//! owns the element's shadow root from then on. `pkg/index.js` is that JS.
//!
//! Modules, by role:
//! - [`config`]: what the script tag or `mount()` says (shop, API, identity, locale);
//! - [`api`]: the requests: the one that renders, and the shopper's actions;
//! - [`ui`]: what the shopper is doing (confirming, codes got, messages);
//! - [`view`]: plain functions drawing the state into the shadow root;
//! - [`dom`]: every raw web-sys call, in small helpers;
//! - [`i18n`]: the shopper-facing words in each shipped locale;
//! - [`events`]: the `lojal:*` events the page can listen to.

mod api;
mod config;
mod dom;
mod events;
mod i18n;
mod ui;
mod view;

use config::Config;
use gloo_events::{EventListener, EventListenerOptions};
use lojal_core::api::WidgetData;
use lojal_core::requests::LineItem;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use ui::{Issued, Ui};
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
    _listeners: Vec<EventListener>,
}

struct Inner {
    host: HtmlElement,
    root: ShadowRoot,
    config: Config,
    launcher: bool,
    /// Bumped by each refresh so that a slow, stale answer never overwrites
    /// a newer one.
    generation: Cell<u32>,
    data: RefCell<Option<WidgetData>>,
    ui: RefCell<Ui>,
}

/// Where a shopper's referral code, from a `?ref=` link, is kept until
/// they buy: the merchant's checkout reads it with `referralCode()`.
fn referral_key(shop: &str) -> String {
    format!("lojal:ref:{shop}")
}

#[wasm_bindgen]
impl Widget {
    /// Takes over `host` (attaching its shadow root if it has none yet) and
    /// starts the first fetch. `config` is the object `mount()` receives.
    #[wasm_bindgen(constructor)]
    pub fn new(host: HtmlElement, config: JsValue) -> Result<Widget, JsError> {
        let config = Config::from_js(config).map_err(|e| JsError::new(&e))?;
        let root =
            dom::shadow_root(&host).map_err(|_| JsError::new("lojal: this element cannot hold a shadow root"))?;
        let launcher = host.has_attribute("launcher");
        view::frame(&root, &config, launcher);
        view::render_loading(&root, &config);
        let inner = Rc::new(Inner {
            host,
            root,
            config,
            launcher,
            generation: Cell::new(0),
            data: RefCell::new(None),
            ui: RefCell::new(Ui::default()),
        });
        let listeners = inner.listen();
        let widget = Widget { inner, _listeners: listeners };
        let inner = widget.inner.clone();
        wasm_bindgen_futures::spawn_local(async move {
            inner.refresh().await;
            inner.capture_referral().await;
        });
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

    /// Reports the shopper's cart (`[{sku, qty, price}]`), then redraws.
    /// Rejects for a guest or items the API refuses.
    #[wasm_bindgen(js_name = setCart)]
    pub fn set_cart(&self, items: JsValue) -> js_sys::Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let items: Vec<LineItem> = serde_wasm_bindgen::from_value(items)
                .map_err(|e| JsError::new(&format!("lojal: setCart takes [{{sku, qty, price}}]: {e}")))?;
            api::put_cart(&inner.config, items).await.map_err(|e| JsError::new(&e.to_string()))?;
            inner.refresh().await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The referral code this shopper arrived with (`?ref=` on any page of
    /// the shop, kept in localStorage), for the checkout to send with the
    /// order as `referral_code`.
    #[wasm_bindgen(js_name = referralCode)]
    pub fn referral_code(&self) -> Option<String> {
        dom::storage()?.get_item(&referral_key(&self.inner.config.shop)).ok()?
    }
}

impl Inner {
    async fn refresh(self: &Rc<Self>) {
        let generation = self.generation.get().wrapping_add(1);
        self.generation.set(generation);
        let result = api::fetch_widget(&self.config).await;
        if self.generation.get() != generation {
            return;
        }
        match result {
            Ok(data) => {
                let (points, tier) =
                    data.customer.as_ref().map(|c| (Some(c.points), Some(c.tier.id.clone()))).unwrap_or((None, None));
                let before = self.data.borrow().as_ref().and_then(|d| d.customer.as_ref().map(|c| c.points));
                *self.data.borrow_mut() = Some(data);
                self.redraw();
                if let (Some(before), Some(now)) = (before, points) {
                    if before != now {
                        let words = self.config.locale.messages();
                        let text = i18n::fill(words.balance_now, &self.config.locale.number(now), "");
                        view::announce(&self.root, &text);
                    }
                }
                events::ready(&self.host, points, tier.as_deref());
            }
            Err(err) => {
                if self.data.borrow().is_none() {
                    view::render_fallback(&self.root, &self.config);
                }
                events::error(&self.host, err.code(), &err.to_string());
            }
        }
    }

    fn redraw(&self) {
        if let Some(data) = self.data.borrow().as_ref() {
            view::render(&self.root, &self.config, data, &self.ui.borrow());
        }
    }

    /// Keeps a `?ref=` code for the checkout and counts the visit. After the
    /// first render, so it never delays what the shopper sees.
    async fn capture_referral(&self) {
        let Some(code) = dom::page_param("ref") else { return };
        if code.len() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return;
        }
        if let Some(storage) = dom::storage() {
            let _ = storage.set_item(&referral_key(&self.config.shop), &code);
        }
        let _ = api::referral_visit(&self.config, &code).await;
    }

    /// One click and one keydown listener on the shadow root, routing by
    /// the `data-action` of the button (event delegation): renders replace
    /// nodes freely without re-binding anything.
    fn listen(self: &Rc<Self>) -> Vec<EventListener> {
        let clicks = {
            let inner = self.clone();
            EventListener::new(&self.root, "click", move |event| {
                if let Some((action, arg)) = dom::action_of(event) {
                    inner.act(&action, arg);
                }
            })
        };
        let keys = {
            let inner = self.clone();
            let options = EventListenerOptions::enable_prevent_default();
            EventListener::new_with_options(&self.root, "keydown", options, move |event| {
                if let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>() {
                    inner.key(key);
                }
            })
        };
        vec![clicks, keys]
    }

    fn act(self: &Rc<Self>, action: &str, arg: String) {
        match action {
            "toggle" => view::set_open(&self.root, !view::is_open(&self.root)),
            "close" => self.close_and_refocus(),
            "redeem" => {
                let mut ui = self.ui.borrow_mut();
                ui.confirming = Some(arg);
                ui.message = None;
                drop(ui);
                self.redraw();
                dom::focus(&self.root, "[data-action=confirm]");
            }
            "cancel" => {
                self.ui.borrow_mut().confirming = None;
                self.redraw();
                dom::focus(&self.root, &format!("[data-action=redeem][data-arg=\"{}\"]", css_escape(&arg)));
            }
            "confirm" => {
                let inner = self.clone();
                wasm_bindgen_futures::spawn_local(async move { inner.redeem(arg).await });
            }
            "copy-code" | "copy-referral" => {
                let inner = self.clone();
                let referral = action == "copy-referral";
                wasm_bindgen_futures::spawn_local(async move { inner.copy(arg, referral).await });
            }
            "share-referral" => {
                let title = self.data.borrow().as_ref().map(|d| d.shop.name.clone()).unwrap_or_default();
                wasm_bindgen_futures::spawn_local(async move { dom::share(&title, &arg).await });
            }
            _ => {}
        }
    }

    async fn redeem(self: &Rc<Self>, reward_id: String) {
        if self.ui.borrow().busy {
            return;
        }
        self.ui.borrow_mut().busy = true;
        self.redraw();
        let result = api::redeem(&self.config, &reward_id).await;
        let title = self
            .data
            .borrow()
            .as_ref()
            .and_then(|d| d.rewards.iter().find(|r| r.id == reward_id).map(|r| r.title.clone()))
            .unwrap_or_default();
        {
            let mut ui = self.ui.borrow_mut();
            ui.busy = false;
            ui.confirming = None;
            match &result {
                Ok(reply) => ui.issued.insert(0, Issued { title, code: reply.code.clone() }),
                Err(err) => {
                    let words = self.config.locale.messages();
                    ui.message = Some(err.api_message().unwrap_or(words.try_again).to_owned());
                }
            }
        }
        match result {
            Ok(reply) => {
                events::redeemed(&self.host, &reply.reward_id, &reply.code, reply.points_spent);
                self.refresh().await;
                dom::focus(&self.root, "[data-action=copy-code]");
            }
            Err(err) => {
                self.redraw();
                events::error(&self.host, err.code(), &err.to_string());
            }
        }
    }

    async fn copy(self: &Rc<Self>, text: String, referral: bool) {
        if !dom::copy_text(&text).await {
            return;
        }
        self.ui.borrow_mut().copied = Some(text.clone());
        self.redraw();
        let action = if referral { "copy-referral" } else { "copy-code" };
        dom::focus(&self.root, &format!("[data-action={action}]"));
        if referral {
            events::referral_copied(&self.host, &text);
        }
    }

    fn key(&self, key: &web_sys::KeyboardEvent) {
        if !self.launcher || !view::is_open(&self.root) {
            return;
        }
        match key.key().as_str() {
            "Escape" => self.close_and_refocus(),
            // Keep Tab inside the open dialog, cycling through its controls.
            "Tab" => {
                let Some(panel) = view::panel(&self.root) else { return };
                let controls = dom::focusables(&panel);
                let (Some(first), Some(last)) = (controls.first(), controls.last()) else { return };
                let active = self.root.active_element();
                let at = |el: &HtmlElement| active.as_ref().is_some_and(|a| a == el.as_ref() as &web_sys::Element);
                if key.shift_key() && at(first) {
                    key.prevent_default();
                    let _ = last.focus();
                } else if !key.shift_key() && at(last) {
                    key.prevent_default();
                    let _ = first.focus();
                }
            }
            _ => {}
        }
    }

    /// Closes the panel and gives focus back to the launcher that opened it.
    fn close_and_refocus(&self) {
        view::set_open(&self.root, false);
        if let Some(button) = view::launcher_button(&self.root) {
            let _ = button.focus();
        }
    }
}

/// Reward ids come from the merchant: quote them for a CSS selector.
fn css_escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}
