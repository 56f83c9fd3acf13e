//! `GET /v1/shops/{shop}/widget`: everything the widget draws, in one body.

use super::auth::Shopper;
use super::json::Json;
use super::AppState;
use crate::clock;
use crate::error::Result;
use crate::store::{
    actions, carts, credit, donations, feedback, guest_points, ledger, members, nudges, recommendations, redemptions,
    stamps, tier_standing,
};
use axum::extract::Query;
use axum::extract::State;
use axum::http::HeaderMap;
use lojal_core::actions::ActionKind;
use lojal_core::api::CartView;
use lojal_core::api::{self, GuestPointsView, ReferralView, ShopInfo, Standing, WidgetData};
use lojal_core::guest::EmailHash;
use lojal_core::words::Lang;
use serde::Deserialize;

/// The headers of a guest's signed email hash (see [`signed_guest`]).
pub const GUEST_HEADERS: [&str; 3] = ["x-lojal-guest-email-hash", "x-lojal-guest-ts", "x-lojal-guest-sig"];

/// The ledger rows the account view lists: the latest few, in plain words.
const HISTORY_IN_WIDGET: i64 = 10;
/// The member's latest codes the widget lists, with what became of each.
const CODES_IN_WIDGET: i64 = 10;

#[derive(Debug, Deserialize)]
pub struct WidgetQuery {
    /// The shopper's language, for the sentences the server writes
    /// (recommendation reasons, nudges); the shop's own by default.
    locale: Option<String>,
    /// The sku of the product page the widget is on: its picks start from
    /// it, for a guest as for a member.
    product: Option<String>,
}

pub async fn get(
    State(state): State<AppState>,
    shopper: Shopper,
    headers: HeaderMap,
    Query(query): Query<WidgetQuery>,
) -> Result<Json<WidgetData>> {
    let shop = &shopper.shop;
    let guest = signed_guest(&headers, shop, clock::now());
    let program = &shop.program;
    let member = match &shopper.customer {
        Some(customer) => Some(members::enrol(&state.db, &shop.id, program, customer).await?),
        None => None,
    };
    let now = clock::now();
    let lang = Lang::parse(query.locale.as_deref().unwrap_or(&shop.locale));
    let mut conn = state.db.pool.acquire().await?;
    let held = match &member {
        Some(m) => Some(tier_standing::of(&mut conn, &shop.id, program, &m.id, m.lifetime_points, now).await?),
        None => None,
    };
    let mut customer = member.as_ref().zip(held).map(|(m, held)| {
        let referral = shop.site().map(|site| ReferralView {
            code: m.referral_code.clone(),
            url: format!("{site}/?ref={}", m.referral_code),
            referrals: m.referrals,
        });
        let standing = Standing { id: &m.id, points: m.points, lifetime_points: m.lifetime_points, referral };
        api::customer_view_at(program, standing, held)
    });
    // A guest whose email hash the shop signed: what joining would bring.
    let guest_points = match (&member, &guest) {
        (None, Some(hash)) if program.guest_points.is_some() => {
            guest_points::pending(&mut conn, &shop.id, hash, now).await?.map(|(points, until)| GuestPointsView {
                points,
                until: lojal_core::campaign::format_date(program.zone().local(until - 1)),
            })
        }
        _ => None,
    };
    if let (Some(view), Some(m)) = (customer.as_mut(), &member) {
        view.birthday = m.birthday.map(|(birthday, _)| birthday);
        if program.cashback.is_some() {
            view.credit = Some(credit::balance(&mut conn, &shop.id, &m.id).await?);
        }
    }
    let (cart, history, nudge, codes) = match &member {
        Some(m) => {
            let cart = carts::get(&mut conn, &shop.id, &m.id)
                .await?
                .map(|(items, _)| CartView { total: api::cart_total(&items), items });
            let history = ledger::history(&mut conn, &shop.id, &m.id, HISTORY_IN_WIDGET).await?;
            let nudge = nudges::for_member(&mut conn, &shop.id, program, &shop.currency, m, lang, now).await?;
            let codes = redemptions::of_member(&mut conn, &shop.id, &m.id, CODES_IN_WIDGET).await?;
            let codes = codes.iter().map(|c| c.view(program, &shop.currency, now)).collect();
            (cart, history.into_iter().map(super::customers::entry_view).collect(), nudge, codes)
        }
        None => (None, Vec::new(), None, Vec::new()),
    };
    let donation = match &program.donation {
        Some(d) => Some(lojal_core::donation::DonationView {
            cause: d.cause.clone(),
            points: d.points,
            value: d.value,
            total: donations::total(&mut conn, &shop.id).await?,
            affordable: member.as_ref().is_some_and(|m| m.points >= d.points),
        }),
        None => None,
    };
    let stamp_card = match &program.stamp_card {
        Some(card) => {
            Some(stamps::view(&mut conn, &shop.id, program, card, member.as_ref().map(|m| m.id.as_str())).await?)
        }
        None => None,
    };
    let feedback = match (&member, &program.feedback) {
        (Some(m), Some(rules)) => feedback::pending(&mut conn, &shop.id, rules, &m.id, now).await?,
        _ => None,
    };
    let in_cart: Vec<String> = cart.iter().flat_map(|c| c.items.iter().map(|i| i.sku.clone())).collect();
    let product =
        query.product.as_deref().filter(|sku| lojal_core::requests::check_external_id("product", sku).is_ok());
    let recommendations = recommendations::for_shopper(
        &mut conn,
        &state.models,
        &shop.id,
        member.as_ref().map(|m| m.id.as_str()),
        &in_cart,
        product,
        lang,
    )
    .await?;
    if let Some(m) = &member {
        let shown: Vec<&str> = recommendations.iter().map(|r| r.sku.as_str()).collect();
        recommendations::record_view(&mut conn, &state.models, &shop.id, &m.id, &shown, now).await?;
    }
    let (mut ways_to_earn, tiers) = api::program_views(program);
    if let Some(m) = &member {
        let done = actions::claimed(&mut conn, &shop.id, program, &m.id).await?;
        // Reviews pay again (within their limit): never "done".
        for way in ways_to_earn.iter_mut().filter(|w| w.kind.is_some_and(|k| k != ActionKind::Review)) {
            way.done = done.contains(&way.id);
        }
    }
    Ok(Json(WidgetData {
        shop: ShopInfo {
            id: shop.id.clone(),
            name: shop.name.clone(),
            currency: shop.currency.clone(),
            locale: shop.locale.clone(),
        },
        rewards: api::reward_views(
            program,
            member.as_ref().zip(customer.as_ref()).map(|(m, c)| api::Holder { points: m.points, tier: &c.tier.id }),
            now,
        ),
        customer,
        ways_to_earn,
        tiers,
        recommendations,
        nudge,
        cart,
        history,
        campaigns: api::running_campaigns(program, now),
        feedback,
        stamp_card,
        donation,
        cashback_percent: program.cashback.map(|c| c.percent),
        codes,
        guest_points,
    }))
}

/// The guest's email hash the shop signed for this page
/// (`X-Lojal-Guest-Email-Hash`, `-Ts`, `-Sig`; `lojal_core::identity::sign_guest`),
/// if fresh and right. Anything else is no hash: it only ever shows the
/// pending points, so an unsigned hash must reveal nothing.
fn signed_guest(headers: &HeaderMap, shop: &crate::store::shops::Shop, now: i64) -> Option<EmailHash> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let hash = header(GUEST_HEADERS[0])?;
    let ts: i64 = header(GUEST_HEADERS[1])?.parse().ok()?;
    let sig = header(GUEST_HEADERS[2])?;
    lojal_core::identity::verify_guest(&shop.secret, &shop.id, hash, ts, sig, now).ok()
}
