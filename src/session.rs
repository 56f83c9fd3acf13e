//! One page's shared state for one shopper: every `<lojal-widget>` of the
//! page showing the same shop to the same shopper joins the same session,
//! so all of them draw from one API request and change together (a
//! redemption, `setCart`, a refresh).
//!
//! The session keeps the registry of sessions, fetches, and redraws its
//! views; what the shopper does with it is `controller`'s.

use crate::api;
use crate::config::Config;
use crate::dom;
use crate::events;
use crate::i18n::{self, Speak};
use crate::ui::Ui;
use crate::view;
use lojal_core::api::WidgetData;
use lojal_core::requests::{CartRequest, LineItem};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

// `lib.rs` names the element's part as `session::View`.
use crate::view::View;

thread_local! {
    /// Live sessions; weak, so a session ends with its last element.
    static SESSIONS: RefCell<Vec<Weak<Session>>> = const { RefCell::new(Vec::new()) };
}

pub struct Session {
    /// Whose and which shop's data this is: the API, shop and identity.
    key: String,
    /// The first element's options: the API, shop and identity are the same
    /// for every view of the session (its key); words follow each view.
    pub config: Config,
    /// Bumped by each refresh so that a slow, stale answer never overwrites
    /// a newer one.
    generation: Cell<u32>,
    loading: Cell<bool>,
    pub data: RefCell<Option<WidgetData>>,
    /// The loader's early request, used by the first refresh.
    prefetch: RefCell<Option<js_sys::Promise>>,
    /// A cart set on this page (`setCart`), ahead of the server's copy.
    cart: RefCell<Option<Vec<LineItem>>>,
    pub ui: RefCell<Ui>,
    views: RefCell<Vec<Weak<View>>>,
}

fn key_of(config: &Config) -> String {
    let who = config.customer.as_ref().map(|c| format!("{}:{}:{}", c.id, c.ts, c.sig)).unwrap_or_default();
    // The product too: another product page's picks are another answer.
    let product = config.product.as_deref().unwrap_or_default();
    format!("{}|{}|{who}|{product}", config.api, config.shop)
}

impl Session {
    /// The page's session for `view`'s shop and shopper, joined by `view`:
    /// drawn at once if the session has data, fetched if it has none yet.
    pub fn join(view: &Rc<View>) -> Rc<Session> {
        let key = key_of(&view.config);
        let session = SESSIONS.with(|sessions| {
            let mut sessions = sessions.borrow_mut();
            sessions.retain(|s| s.strong_count() > 0);
            if let Some(found) = sessions.iter().filter_map(Weak::upgrade).find(|s| s.key == key) {
                return found;
            }
            let session = Rc::new(Session {
                key,
                config: view.config.clone(),
                generation: Cell::new(0),
                loading: Cell::new(false),
                prefetch: RefCell::new(view.config.prefetch.clone()),
                data: RefCell::new(None),
                cart: RefCell::new(None),
                ui: RefCell::new(Ui::default()),
                views: RefCell::new(Vec::new()),
            });
            sessions.push(Rc::downgrade(&session));
            session
        });
        session.views.borrow_mut().push(Rc::downgrade(view));
        if session.data.borrow().is_some() {
            session.draw(view);
        }
        if !session.loading.get() && session.data.borrow().is_none() {
            // Marked now, not when the fetch starts: the page's other
            // elements join in the same tick and must not fetch again.
            session.loading.set(true);
            let session = session.clone();
            wasm_bindgen_futures::spawn_local(async move {
                session.refresh().await;
                session.capture_referral().await;
            });
        }
        session
    }

    fn views(&self) -> Vec<Rc<View>> {
        let mut views = self.views.borrow_mut();
        views.retain(|v| v.strong_count() > 0);
        views.iter().filter_map(Weak::upgrade).collect()
    }

    pub async fn refresh(self: &Rc<Self>) {
        let generation = self.generation.get().wrapping_add(1);
        self.generation.set(generation);
        self.loading.set(true);
        let prefetched = self.prefetch.borrow_mut().take();
        let result = api::fetch_widget(&self.config, prefetched).await;
        if self.generation.get() != generation {
            return;
        }
        self.loading.set(false);
        match result {
            Ok(data) => {
                let before = self.points();
                *self.data.borrow_mut() = Some(data);
                self.redraw();
                let after = self.points();
                let tier = self.data.borrow().as_ref().and_then(|d| d.customer.as_ref().map(|c| c.tier.id.clone()));
                for view in self.views() {
                    if let (Some(before), Some(now)) = (before, after) {
                        if before != now {
                            let lang = view.config.locale;
                            let said = i18n::fill(lang.messages().balance_now, &lang.integer(now), "");
                            view::announce(&view.root, &said);
                        }
                    }
                    events::ready(&view.host, after, tier.as_deref());
                }
            }
            Err(err) => {
                for view in self.views() {
                    if self.data.borrow().is_none() {
                        view::render_fallback(&view.root, &view.config, view.kind);
                    }
                    events::error(&view.host, err.code(), &err.to_string());
                }
            }
        }
    }

    fn points(&self) -> Option<i64> {
        self.data.borrow().as_ref().and_then(|d| d.customer.as_ref().map(|c| c.points))
    }

    /// Redraws every view of the session from the state it holds.
    pub fn redraw(&self) {
        for view in self.views() {
            self.draw(&view);
        }
    }

    pub fn draw(&self, view: &View) {
        let data = self.data.borrow();
        let Some(data) = data.as_ref() else { return };
        let cart = self.cart.borrow();
        let cart = cart.as_deref().or(data.cart.as_ref().map(|c| c.items.as_slice()));
        view::render(view, data, &self.ui.borrow(), cart);
    }

    /// Keeps a `?ref=` code for the checkout and counts the visit. After the
    /// first render, so it never delays what the shopper sees.
    async fn capture_referral(&self) {
        let Some(code) = dom::page_param("ref") else { return };
        if code.len() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return;
        }
        dom::remember(&referral_key(&self.config.shop), &code);
        let _ = api::referral_visit(&self.config, &code).await;
    }

    pub fn referral_code(&self) -> Option<String> {
        dom::recall(&referral_key(&self.config.shop))
    }

    /// Shows `items` in every view at once, then stores them for a signed-in
    /// shopper (the abandoned-cart nudge needs them) and reloads.
    pub async fn set_cart(self: &Rc<Self>, items: Vec<LineItem>) -> Result<(), String> {
        let request = CartRequest { items };
        request.validate().map_err(|e| format!("lojal: setCart: {e}"))?;
        *self.cart.borrow_mut() = Some(request.items.clone());
        self.redraw();
        if self.config.customer.is_some() {
            api::put_cart(&self.config, &request.items).await.map_err(|e| e.to_string())?;
            self.refresh().await;
        }
        Ok(())
    }
}

/// Where a shopper's referral code, from a `?ref=` link, is kept until
/// they buy: the merchant's checkout reads it.
fn referral_key(shop: &str) -> String {
    format!("lojal:ref:{shop}")
}
