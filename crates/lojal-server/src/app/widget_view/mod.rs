//! `GET /widget`: everything the widget draws, in one answer. Read the
//! facts, write what has fallen due (in one transaction, skipped when
//! nothing has: a returning member's page view writes nothing), then
//! compose the answer from the facts and `now`.

mod compose;
mod due;
pub mod kept;

use crate::db::Db;
use crate::error::Result;
use crate::store::member_facts::{self, MemberFacts, Needs};
use crate::store::model_cache::ModelCache;
use crate::store::shops::Shop;
use crate::store::{donations, guest_points, recommendations};
use kept::{KeptViews, Read};
use lojal_core::api::{GuestPointsView, WidgetData};
use lojal_core::guest::EmailHash;
use lojal_core::identity::CustomerId;
use lojal_core::words::Lang;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};
use std::sync::Arc;

/// Who is asking, and about what.
#[derive(Debug)]
pub struct Visit<'a> {
    pub shop: &'a Shop,
    /// A signed-in shopper (a member, or one the view enrols).
    pub customer: Option<&'a CustomerId>,
    /// A guest's email hash the shop signed: their pending points show.
    pub guest: Option<EmailHash>,
    pub lang: Lang,
    /// The product page the widget is on: its picks start from it.
    pub product: Option<&'a str>,
}

pub async fn widget_view(
    db: &Db,
    models: &ModelCache,
    kept: &KeptViews,
    visit: &Visit<'_>,
    now: i64,
) -> Result<WidgetData> {
    let shop = visit.shop;
    let key = kept::key(&shop.id, visit.customer.map(CustomerId::as_str), visit.lang, visit.product);
    let kept_read = kept.get(&key, db.generation(), Needs::of(&shop.program)).filter(|read| {
        // Time alone may have made something due (expiry, a birthday): the
        // view writes it and reads again.
        read.member.as_ref().is_none_or(|facts| !due::anything(shop, facts, now))
    });
    let read = match kept_read {
        Some(read) => read,
        None => {
            let read = Arc::new(read_view(db, models, visit, now).await?);
            kept.keep(key, Arc::clone(&read));
            read
        }
    };
    let mut conn = None;
    let guest_points = match (&read.member, &visit.guest, &shop.program.guest_points) {
        (None, Some(hash), Some(_)) => {
            let conn = connection(db, &mut conn).await?;
            guest_points::pending(conn, &shop.id, hash, now).await?.map(|(points, until)| GuestPointsView {
                points,
                until: lojal_core::campaign::format_date(shop.program.zone().local(until - 1)),
            })
        }
        _ => None,
    };
    if let Some(member) = &read.member {
        // For the merchant's "do recommendations earn money": the picks
        // shown, written once a day per member unless they change.
        let shown: Vec<&str> = read.recommendations.iter().map(|r| r.sku.as_str()).collect();
        if !recommendations::view_recorded(models, &shop.id, &member.member.id, &shown, now) {
            let conn = connection(db, &mut conn).await?;
            recommendations::record_view(conn, models, &shop.id, &member.member.id, &shown, now).await?;
        }
    }
    Ok(compose::widget_data(shop, &read, guest_points, visit.lang, now))
}

/// A connection from the pool, taken when first needed: a kept view with
/// nothing to add needs none.
async fn connection<'c>(db: &Db, conn: &'c mut Option<PoolConnection<Any>>) -> Result<&'c mut AnyConnection> {
    if conn.is_none() {
        *conn = Some(db.pool.acquire().await?);
    }
    Ok(conn.as_mut().expect("just taken"))
}

/// Everything a view reads but the guest's pending points.
async fn read_view(db: &Db, models: &ModelCache, visit: &Visit<'_>, now: i64) -> Result<Read> {
    let shop = visit.shop;
    let (generation, member) = match visit.customer {
        Some(customer) => {
            let (generation, facts) = member_facts(db, shop, customer, now).await?;
            (generation, Some(facts))
        }
        None => (db.generation(), None),
    };
    let mut conn = db.pool.acquire().await?;
    let donated = match &shop.program.donation {
        Some(_) => donations::total(&mut conn, &shop.id).await?,
        None => 0,
    };
    let in_cart: Vec<String> =
        member.iter().flat_map(|f| f.cart.iter().flat_map(|(items, _)| items.iter().map(|i| i.sku.clone()))).collect();
    let recommendations = recommendations::for_shopper(
        &mut conn,
        models,
        &shop.id,
        member.as_ref().map(|f| f.member.id.as_str()),
        &in_cart,
        visit.product,
        visit.lang,
    )
    .await?;
    Ok(Read { generation, member, recommendations, donated })
}

/// The member's facts, after writing what fell due for them by `now`:
/// joining (with the sign-up bonus), expiry, a birthday reward, a win-back
/// code. One write transaction when something is due, none otherwise.
/// With the write count before the read that gave them.
async fn member_facts(db: &Db, shop: &Shop, customer: &CustomerId, now: i64) -> Result<(u64, MemberFacts)> {
    let generation = db.generation();
    let read = {
        // Given back before the write transaction takes a connection of its
        // own: views holding one each while waiting for another could hold
        // the whole pool.
        let mut conn = db.pool.acquire().await?;
        member_facts::read(&mut conn, &shop.id, &shop.program, customer.as_str()).await?
    };
    if let Some(facts) = read.filter(|facts| !due::anything(shop, facts, now)) {
        return Ok((generation, facts));
    }
    let mut tx = db.begin_write().await?;
    due::write(&mut tx, shop, customer, now).await?;
    tx.commit().await?;
    let generation = db.generation();
    let mut conn = db.pool.acquire().await?;
    let written = member_facts::read(&mut conn, &shop.id, &shop.program, customer.as_str()).await?;
    // The transaction just made them a member; only an erasure in between
    // takes them out again, and then there is no one to show.
    Ok((generation, written.ok_or(crate::Error::NotFound)?))
}
