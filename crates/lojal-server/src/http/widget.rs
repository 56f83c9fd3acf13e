//! `GET /v1/shops/{shop}/widget`: everything the widget draws, in one body.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::error::Result;
use crate::store::{carts, ledger, members};
use axum::extract::State;
use lojal_core::api::CartView;
use lojal_core::api::{self, ReferralView, ShopInfo, Standing, WidgetData};

/// The ledger rows the account view lists: the latest few, in plain words.
const HISTORY_IN_WIDGET: i64 = 10;

pub async fn get(State(state): State<AppState>, shopper: Shopper) -> Result<Json<WidgetData>> {
    let shop = &shopper.shop;
    let program = &shop.program;
    let member = match &shopper.customer {
        Some(customer) => Some(members::enrol(&state.db, &shop.id, program, customer).await?),
        None => None,
    };
    let customer = member.as_ref().map(|m| {
        let referral = shop.site().map(|site| ReferralView {
            code: m.referral_code.clone(),
            url: format!("{site}/?ref={}", m.referral_code),
            referrals: m.referrals,
        });
        api::customer_view(
            program,
            Standing { id: &m.id, points: m.points, lifetime_points: m.lifetime_points, referral },
        )
    });
    let (cart, history) = match &member {
        Some(m) => {
            let mut conn = state.db.pool.acquire().await?;
            let cart = carts::get(&mut conn, &shop.id, &m.id)
                .await?
                .map(|(items, _)| CartView { total: api::cart_total(&items), items });
            let history = ledger::history(&mut conn, &shop.id, &m.id, HISTORY_IN_WIDGET).await?;
            (cart, history.into_iter().map(super::customers::entry_view).collect())
        }
        None => (None, Vec::new()),
    };
    let (ways_to_earn, tiers) = api::program_views(program);
    Ok(Json(WidgetData {
        shop: ShopInfo {
            id: shop.id.clone(),
            name: shop.name.clone(),
            currency: shop.currency.clone(),
            locale: shop.locale.clone(),
        },
        rewards: api::reward_views(program, member.as_ref().map(|m| m.points)),
        customer,
        ways_to_earn,
        tiers,
        recommendations: Vec::new(),
        nudge: None,
        cart,
        history,
    }))
}
