//! What the shopper does: each [`Action`] a button offers, done on the
//! session (its state, its requests) and its views. One exhaustive `match`:
//! an action added to [`Action`] does not compile until it is handled here.

use crate::action::Action;
use crate::api::{self, ApiError};
use crate::dom;
use crate::events;
use crate::i18n::{self, Speak};
use crate::session::Session;
use crate::ui::{Doing, Issued};
use crate::view::{self, View};
use lojal_core::birthday::Birthday;
use lojal_core::feedback::FeedbackRequest;
use std::future::Future;
use std::rc::Rc;

impl Session {
    /// A click on the control marked `name` (`data-action`) and `arg`
    /// (`data-arg`); anything no button of the widget writes is ignored.
    pub fn act(self: &Rc<Self>, view: &Rc<View>, name: &str, arg: String) {
        if let Some(action) = Action::parse(name, arg) {
            self.dispatch(view, action);
        }
    }

    fn dispatch(self: &Rc<Self>, view: &Rc<View>, action: Action) {
        match action {
            Action::Toggle => view::set_open(view, !view::is_open(&view.root)),
            Action::Close => view::close_and_refocus(view),
            Action::Redeem(reward) => {
                if self.start(Doing::Confirming(reward.clone())) {
                    self.ui.borrow_mut().message = None;
                    self.redraw();
                    dom::focus_action(&view.root, &Action::Confirm(reward));
                }
            }
            Action::Cancel(reward) => {
                if self.start(Doing::Browsing) {
                    self.redraw();
                    dom::focus_action(&view.root, &Action::Redeem(reward));
                }
            }
            Action::Confirm(reward) => self.spawn(view, |session, view| async move {
                session.redeem(&view, reward, None).await;
            }),
            Action::RedeemPoints(reward) => {
                // The points picked in the cart view, as the range holds them now.
                let picked = dom::value_at(&view.root, "[part=points-off] input").and_then(|v| v.parse::<i64>().ok());
                let Some(points) = picked else { return };
                self.spawn(view, |session, view| async move { session.redeem(&view, reward, Some(points)).await });
            }
            // Handled as the range moves (`input`); a click on it is nothing more.
            Action::PickPoints(_) => {}
            copy @ (Action::CopyCode(_) | Action::CopyReferral(_)) => {
                self.spawn(view, |session, view| async move { session.copy(&view, copy).await })
            }
            share @ (Action::ShareCode(_) | Action::ShareReferral(_)) => {
                self.spawn(view, |session, view| async move { session.share(&view, share).await })
            }
            Action::DismissNudge(kind) => {
                if let Some(data) = self.data.borrow_mut().as_mut() {
                    data.nudge = None;
                }
                self.redraw();
                self.spawn(view, |session, _| async move {
                    let _ = api::dismiss_nudge(&session.config, &kind).await;
                });
            }
            Action::Give => {
                if self.start(Doing::ConfirmingGift) {
                    self.ui.borrow_mut().gift_note = None;
                    self.redraw();
                    dom::focus_action(&view.root, &Action::ConfirmGift);
                }
            }
            Action::CancelGift => {
                if self.start(Doing::Browsing) {
                    self.ui.borrow_mut().gift_note = None;
                    self.redraw();
                    dom::focus_action(&view.root, &Action::Give);
                }
            }
            Action::ConfirmGift => self.spawn(view, |session, view| async move { session.give(&view).await }),
            Action::SaveBirthday => {
                let picked = |name: &str| {
                    dom::value_at(&view.root, &format!("[part=birthday] select[name={name}]"))
                        .and_then(|v| v.parse::<u32>().ok())
                };
                let (Some(month), Some(day)) = (picked("month"), picked("day")) else { return };
                self.spawn(view, |session, view| async move {
                    if let Err(err) = api::set_birthday(&session.config, Birthday { month, day }).await {
                        session.ui.borrow_mut().birthday_note = Some(refusal(&view, &err));
                        events::error(&view.host, err.code(), &err.to_string());
                    }
                    session.refresh().await;
                    dom::focus(&view.root, "[part=birthday] select");
                });
            }
            Action::Follow(way) => {
                let url = self
                    .data
                    .borrow()
                    .as_ref()
                    .and_then(|d| d.ways_to_earn.iter().find(|w| w.id == way).and_then(|w| w.url.clone()));
                // Only https: the URL is the merchant's data, opened on a click.
                if let Some(url) = url.filter(|u| u.starts_with("https://")) {
                    dom::open_tab(&url);
                }
                self.spawn(view, |session, view| async move {
                    if let Err(err) = api::claim_action(&session.config, &way).await {
                        events::error(&view.host, err.code(), &err.to_string());
                    }
                    session.refresh().await;
                });
            }
            Action::FeedbackScore(score) => {
                if self.start(Doing::Scoring(score)) {
                    self.ui.borrow_mut().feedback_note = None;
                    self.redraw();
                    dom::focus_action(&view.root, &Action::FeedbackScore(score));
                }
            }
            Action::SendFeedback(order_id) => {
                self.spawn(view, |session, view| async move { session.send_feedback(&view, order_id).await })
            }
            // The link is followed as usual; the click is counted for the
            // merchant's metrics on the side, and a failure is no one's
            // concern but theirs. A guest has no member to count it for.
            Action::Pick(sku) => {
                if self.config.customer.is_some() {
                    self.spawn(view, |session, _| async move {
                        let _ = api::record_click(&session.config, &sku).await;
                    });
                }
            }
        }
    }

    /// An input's value changed: the points picker says what they take off
    /// as it moves (text only, without redrawing the range being dragged).
    pub fn input(&self, view: &View, name: &str, value: &str) {
        let Some(Action::PickPoints(_)) = Action::parse(name, String::new()) else { return };
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

    /// Starts `doing`, unless a spend is on its way: its own buttons are
    /// disabled, but another view's (the cart view beside the panel) are not.
    fn start(&self, doing: Doing) -> bool {
        let mut ui = self.ui.borrow_mut();
        if ui.doing.is_busy() {
            return false;
        }
        ui.doing = doing;
        true
    }

    /// Runs `task` with this session and `view` after the click's handler.
    fn spawn<F: Future<Output = ()> + 'static>(
        self: &Rc<Self>,
        view: &Rc<View>,
        task: impl FnOnce(Rc<Self>, Rc<View>) -> F,
    ) {
        wasm_bindgen_futures::spawn_local(task(self.clone(), view.clone()));
    }

    fn shop_name(&self) -> String {
        self.data.borrow().as_ref().map(|d| d.shop.name.clone()).unwrap_or_default()
    }

    /// Redeems `reward_id`: after its question (`points: None`), or for the
    /// points picked in the cart view.
    async fn redeem(self: &Rc<Self>, view: &Rc<View>, reward_id: String, points: Option<i64>) {
        let doing = match points {
            Some(_) => Doing::RedeemingPoints,
            None => Doing::Redeeming(reward_id.clone()),
        };
        if !self.start(doing) {
            return;
        }
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
            ui.doing = Doing::Browsing;
            match &result {
                Ok(reply) => ui.issued.insert(0, Issued { title, code: reply.code.clone() }),
                Err(err) => ui.message = Some(refusal(view, err)),
            }
        }
        match result {
            Ok(reply) => {
                events::redeemed(&view.host, &reply.reward_id, &reply.code, reply.points_spent);
                self.refresh().await;
                dom::focus_action(&view.root, &Action::CopyCode(reply.code));
            }
            Err(err) => {
                self.redraw();
                events::error(&view.host, err.code(), &err.to_string());
            }
        }
    }

    async fn give(self: &Rc<Self>, view: &Rc<View>) {
        if !self.start(Doing::Giving) {
            return;
        }
        self.redraw();
        let result = api::donate(&self.config).await;
        let lang = view.config.locale;
        {
            let mut ui = self.ui.borrow_mut();
            ui.doing = Doing::Browsing;
            ui.gift_note = Some(match &result {
                Ok(reply) => {
                    let currency = self.data.borrow().as_ref().map(|d| d.shop.currency.clone()).unwrap_or_default();
                    (i18n::fill(lang.messages().give_thanks, "", &lang.price(reply.amount, &currency)), true)
                }
                Err(err) => (refusal(view, err).to_owned(), false),
            });
        }
        match result {
            Ok(_) => self.refresh().await,
            Err(err) => {
                self.redraw();
                events::error(&view.host, err.code(), &err.to_string());
            }
        }
        dom::focus_action(&view.root, &Action::Give);
    }

    async fn send_feedback(self: &Rc<Self>, view: &Rc<View>, order_id: String) {
        let Some(score) = self.ui.borrow().doing.feedback_score() else { return };
        let comment = dom::value_at(&view.root, ".feedback textarea");
        let request = FeedbackRequest { order_id, score, comment };
        let thanks = view.config.locale.messages().feedback_thanks;
        match api::send_feedback(&self.config, &request).await {
            Ok(_) => {
                {
                    let mut ui = self.ui.borrow_mut();
                    ui.doing = Doing::Browsing;
                    ui.feedback_note = Some(thanks);
                }
                // The new balance, and the question gone.
                self.refresh().await;
                view::announce(&view.root, thanks);
            }
            Err(err) => {
                self.ui.borrow_mut().feedback_note = Some(refusal(view, &err));
                self.redraw();
                events::error(&view.host, err.code(), &err.to_string());
            }
        }
    }

    /// Opens the share sheet for a code or a referral link (with an
    /// invitation); copies it when the browser has none or refuses.
    async fn share(self: &Rc<Self>, view: &Rc<View>, share: Action) {
        let shop = self.shop_name();
        let (text, url, copy) = match share {
            Action::ShareReferral(url) => {
                let invite = i18n::fill(view.config.locale.messages().share_invite, "", &shop);
                (invite, url.clone(), Action::CopyReferral(url))
            }
            other => (other.arg(), String::new(), Action::CopyCode(other.arg())),
        };
        if !dom::share(&shop, &text, &url).await {
            self.copy(view, copy).await;
        }
    }

    /// Copies what `copy` (a [`Action::CopyCode`] or [`Action::CopyReferral`])
    /// holds, and says so on its button.
    async fn copy(self: &Rc<Self>, view: &Rc<View>, copy: Action) {
        let text = copy.arg();
        if !dom::copy_text(&text).await {
            return;
        }
        self.ui.borrow_mut().copied = Some(text.clone());
        self.redraw();
        // The button that copied: the account view lists several codes.
        dom::focus_action(&view.root, &copy);
        if let Action::CopyReferral(url) = &copy {
            events::referral_copied(&view.host, url);
        }
    }
}

/// The shopper's sentence for a refusal, in their language: never the
/// server's English message, which goes to the `lojal:error` event.
fn refusal(view: &View, err: &ApiError) -> &'static str {
    i18n::refusal(view.config.locale, err.code())
}
