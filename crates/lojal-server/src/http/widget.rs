//! `GET /v1/shops/{shop}/widget`: everything the widget draws, in one body.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::error::Result;
use crate::store::members;
use axum::extract::State;
use lojal_core::api::{self, ReferralView, ShopInfo, Standing, WidgetData};

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
    }))
}
