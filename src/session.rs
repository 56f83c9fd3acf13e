//! One page's shared state for one shopper: every `<lojal-widget>` of the
//! page showing the same shop to the same shopper joins the same session,
//! so all of them draw from one API request and change together (a
//! redemption, `setCart`, a refresh).

use crate::api;
use crate::config::Config;
use crate::dom;
use crate::events;
use crate::i18n;
use crate::ui::{Issued, Ui};
use crate::view::{self, Kind};
use lojal_core::api::WidgetData;
use lojal_core::birthday::Birthday;
use lojal_core::feedback::FeedbackRequest;
use lojal_core::requests::{CartRequest, LineItem};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use web_sys::{HtmlElement, ShadowRoot};

thread_local! {
    /// Live sessions; weak, so a session ends with its last element.
    static SESSIONS: RefCell<Vec<Weak<Session>>> = const { RefCell::new(Vec::new()) };
}

pub struct Session {
    /// Whose and which shop's data this is: the API, shop and identity.
    key: String,
    /// The first element's options: the API, shop and identity are the same
    /// for every view of the session (its key); words follow each view.
    config: Config,
    /// Bumped by each refresh so that a slow, stale answer never overwrites
    /// a newer one.
    generation: Cell<u32>,
    loading: Cell<bool>,
    data: RefCell<Option<WidgetData>>,
    /// The loader's early request, used by the first refresh.
    prefetch: RefCell<Option<js_sys::Promise>>,
    /// A cart set on this page (`setCart`), ahead of the server's copy.
    cart: RefCell<Option<Vec<LineItem>>>,
    pub ui: RefCell<Ui>,
    views: RefCell<Vec<Weak<View>>>,
}

/// One element's part of a session.
pub struct View {
    pub host: HtmlElement,
    pub root: ShadowRoot,
    pub config: Config,
    pub kind: Kind,
    /// Held while the launcher's panel is open as a bottom sheet.
    pub scroll_lock: RefCell<Option<dom::ScrollLock>>,
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
                            let words = view.config.locale.messages();
                            view::announce(
                                &view.root,
                                &i18n::fill(words.balance_now, &view.config.locale.number(now), ""),
                            );
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
        if let Some(storage) = dom::storage() {
            let _ = storage.set_item(&referral_key(&self.config.shop), &code);
        }
        let _ = api::referral_visit(&self.config, &code).await;
    }

    pub fn referral_code(&self) -> Option<String> {
        dom::storage()?.get_item(&referral_key(&self.config.shop)).ok()?
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

    pub fn act(self: &Rc<Self>, view: &Rc<View>, action: &str, arg: String) {
        match action {
            "toggle" => view::set_open(view, !view::is_open(&view.root)),
            "close" => view::close_and_refocus(view),
            "redeem" => {
                {
                    let mut ui = self.ui.borrow_mut();
                    ui.confirming = Some(arg);
                    ui.message = None;
                }
                self.redraw();
                dom::focus(&view.root, "[data-action=confirm]");
            }
            "cancel" => {
                self.ui.borrow_mut().confirming = None;
                self.redraw();
                dom::focus(&view.root, &dom::action_selector("redeem", &arg));
            }
            "confirm" => {
                let (session, view) = (self.clone(), view.clone());
                wasm_bindgen_futures::spawn_local(async move { session.redeem(&view, arg, None).await });
            }
            "redeem-points" => {
                // The points picked in the cart view, as the range holds them now.
                let picked = dom::value_at(&view.root, "[part=points-off] input").and_then(|v| v.parse::<i64>().ok());
                let Some(points) = picked else { return };
                let (session, view) = (self.clone(), view.clone());
                wasm_bindgen_futures::spawn_local(async move { session.redeem(&view, arg, Some(points)).await });
            }
            "copy-code" | "copy-referral" => {
                let (session, view) = (self.clone(), view.clone());
                let referral = action == "copy-referral";
                wasm_bindgen_futures::spawn_local(async move { session.copy(&view, arg, referral).await });
            }
            "dismiss-nudge" => {
                if let Some(data) = self.data.borrow_mut().as_mut() {
                    data.nudge = None;
                }
                self.redraw();
                let session = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = api::dismiss_nudge(&session.config, &arg).await;
                });
            }
            "give" | "cancel-gift" => {
                {
                    let mut ui = self.ui.borrow_mut();
                    ui.confirming_gift = action == "give";
                    ui.gift_note = None;
                }
                self.redraw();
                let next = if action == "give" { "confirm-gift" } else { "give" };
                dom::focus(&view.root, &dom::action_selector(next, ""));
            }
            "confirm-gift" => {
                let (session, view) = (self.clone(), view.clone());
                wasm_bindgen_futures::spawn_local(async move { session.give(&view).await });
            }
            "save-birthday" => {
                let value = |name: &str| {
                    dom::query(&view.root, &format!("[part=birthday] select[name={name}]"))
                        .and_then(|select| js_sys::Reflect::get(&select, &"value".into()).ok())
                        .and_then(|v| v.as_string())
                        .and_then(|v| v.parse::<u32>().ok())
                };
                let (Some(month), Some(day)) = (value("month"), value("day")) else { return };
                let (session, view) = (self.clone(), view.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    if let Err(err) = api::set_birthday(&session.config, Birthday { month, day }).await {
                        let words = view.config.locale.messages();
                        session.ui.borrow_mut().birthday_note =
                            Some(err.api_message().unwrap_or(words.try_again).to_owned());
                        events::error(&view.host, err.code(), &err.to_string());
                    }
                    session.refresh().await;
                    dom::focus(&view.root, "[part=birthday] select");
                });
            }
            "follow" => {
                let url = self
                    .data
                    .borrow()
                    .as_ref()
                    .and_then(|d| d.ways_to_earn.iter().find(|w| w.id == arg).and_then(|w| w.url.clone()));
                // Only https: the URL is the merchant's data, opened on a click.
                if let Some(url) = url.filter(|u| u.starts_with("https://")) {
                    if let Some(window) = web_sys::window() {
                        let _ = window.open_with_url_and_target_and_features(&url, "_blank", "noopener");
                    }
                }
                let (session, view) = (self.clone(), view.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    if let Err(err) = api::claim_action(&session.config, &arg).await {
                        events::error(&view.host, err.code(), &err.to_string());
                    }
                    session.refresh().await;
                });
            }
            "feedback-score" => {
                {
                    let mut ui = self.ui.borrow_mut();
                    ui.feedback_score = arg.parse().ok().filter(|s| *s <= 10);
                    ui.feedback_note = None;
                }
                self.redraw();
                dom::focus(&view.root, &dom::action_selector("feedback-score", &arg));
            }
            "send-feedback" => {
                let (session, view) = (self.clone(), view.clone());
                wasm_bindgen_futures::spawn_local(async move { session.send_feedback(&view, arg).await });
            }
            // The link is followed as usual; the click is counted for the
            // merchant's metrics on the side, and a failure is no one's
            // concern but theirs. A guest has no member to count it for.
            "pick" if self.config.customer.is_some() => {
                let session = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = api::record_click(&session.config, &arg).await;
                });
            }
            "share-referral" | "share-code" => {
                let referral = action == "share-referral";
                let (session, view) = (self.clone(), view.clone());
                wasm_bindgen_futures::spawn_local(async move { session.share(&view, arg, referral).await });
            }
            _ => {}
        }
    }

    /// An input's value changed: the points picker says what they take off
    /// as it moves (text only, without redrawing the range being dragged).
    pub fn input(&self, view: &View, action: &str, value: &str) {
        if action != "points-off-pick" {
            return;
        }
        let Ok(points) = value.parse::<i64>() else { return };
        self.ui.borrow_mut().points_off = Some(points);
        let data = self.data.borrow();
        let Some(data) = data.as_ref() else { return };
        let Some(rule) = data.rewards.iter().find_map(|r| r.points_off) else { return };
        let amount = view::points_off_amount(&view.config, &data.shop.currency, rule, points);
        if let Some(line) = dom::query(&view.root, "[part=points-off-amount]") {
            dom::set_text(&line, &amount);
        }
        if let Some(range) = dom::query(&view.root, "[part=points-off] input") {
            dom::attr(&range, "aria-valuetext", &amount);
        }
    }

    async fn redeem(self: &Rc<Self>, view: &Rc<View>, reward_id: String, points: Option<i64>) {
        if self.ui.borrow().busy {
            return;
        }
        self.ui.borrow_mut().busy = true;
        self.redraw();
        let result = api::redeem(&self.config, &reward_id, points).await;
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
                    let words = view.config.locale.messages();
                    ui.message = Some(err.api_message().unwrap_or(words.try_again).to_owned());
                }
            }
        }
        match result {
            Ok(reply) => {
                events::redeemed(&view.host, &reply.reward_id, &reply.code, reply.points_spent);
                self.refresh().await;
                dom::focus(&view.root, "[data-action=copy-code]");
            }
            Err(err) => {
                self.redraw();
                events::error(&view.host, err.code(), &err.to_string());
            }
        }
    }

    async fn give(self: &Rc<Self>, view: &Rc<View>) {
        if self.ui.borrow().busy {
            return;
        }
        self.ui.borrow_mut().busy = true;
        self.redraw();
        let result = api::donate(&self.config).await;
        let words = view.config.locale.messages();
        {
            let mut ui = self.ui.borrow_mut();
            ui.busy = false;
            ui.confirming_gift = false;
            ui.gift_note = Some(match &result {
                Ok(reply) => {
                    let currency = self.data.borrow().as_ref().map(|d| d.shop.currency.clone()).unwrap_or_default();
                    (i18n::fill(words.give_thanks, "", &view.config.locale.price(reply.amount, &currency)), true)
                }
                Err(err) => (err.api_message().unwrap_or(words.try_again).to_owned(), false),
            });
        }
        match result {
            Ok(_) => self.refresh().await,
            Err(err) => {
                self.redraw();
                events::error(&view.host, err.code(), &err.to_string());
            }
        }
        dom::focus(&view.root, "[data-action=give]");
    }

    async fn send_feedback(self: &Rc<Self>, view: &Rc<View>, order_id: String) {
        let Some(score) = self.ui.borrow().feedback_score else { return };
        let comment = dom::query(&view.root, ".feedback textarea")
            .and_then(|area| js_sys::Reflect::get(&area, &"value".into()).ok())
            .and_then(|value| value.as_string());
        let request = FeedbackRequest { order_id, score, comment };
        let words = view.config.locale.messages();
        match api::send_feedback(&self.config, &request).await {
            Ok(_) => {
                {
                    let mut ui = self.ui.borrow_mut();
                    ui.feedback_score = None;
                    ui.feedback_note = Some(words.feedback_thanks.to_owned());
                }
                // The new balance, and the question gone.
                self.refresh().await;
                view::announce(&view.root, words.feedback_thanks);
            }
            Err(err) => {
                self.ui.borrow_mut().feedback_note = Some(err.api_message().unwrap_or(words.try_again).to_owned());
                self.redraw();
                events::error(&view.host, err.code(), &err.to_string());
            }
        }
    }

    /// Opens the share sheet for a referral link or a code; copies it when
    /// the browser has none or refuses.
    async fn share(self: &Rc<Self>, view: &Rc<View>, what: String, referral: bool) {
        let words = view.config.locale.messages();
        let shop = self.data.borrow().as_ref().map(|d| d.shop.name.clone()).unwrap_or_default();
        let shared = if referral {
            dom::share(&shop, &i18n::fill(words.share_invite, "", &shop), &what).await
        } else {
            dom::share(&shop, &what, "").await
        };
        if !shared {
            self.copy(view, what, referral).await;
        }
    }

    async fn copy(self: &Rc<Self>, view: &Rc<View>, text: String, referral: bool) {
        if !dom::copy_text(&text).await {
            return;
        }
        self.ui.borrow_mut().copied = Some(text.clone());
        self.redraw();
        let action = if referral { "copy-referral" } else { "copy-code" };
        // The button that copied: the account view lists several codes.
        dom::focus(&view.root, &dom::action_selector(action, &text));
        if referral {
            events::referral_copied(&view.host, &text);
        }
    }
}

/// Where a shopper's referral code, from a `?ref=` link, is kept until
/// they buy: the merchant's checkout reads it.
fn referral_key(shop: &str) -> String {
    format!("lojal:ref:{shop}")
}
