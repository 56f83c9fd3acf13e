//! Seeding the demo shop: its program, a catalogue of the data set's 169
//! product groups, and its 9,835 baskets replayed as orders of 2,000
//! customers over the last 120 days, through the same ingestion as real
//! orders. Customers and dates are drawn from a fixed seed, so every seed
//! gives the same shop.

use super::catalogue::{self, BASKETS_CSV};
use crate::app::{add_shop, seed_demo};
use crate::clock;
use crate::db::Db;
use crate::error::Result;
use crate::store::orders::NewOrder;
use crate::store::products;
use crate::store::shops::{self, Shop};
use lojal_core::identity::CustomerId;
use lojal_core::program::Program;
use lojal_core::requests::LineItem;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

pub const DEMO_SHOP: &str = "demo";
/// The member the storefront signs in by default: a regular with a tier and
/// a next tier in sight.
pub const DEMO_CUSTOMER: &str = "cust-42";

const CUSTOMERS: usize = 2000;
const DAYS: i64 = 120;
const SEED: u64 = 20_261_124;

const PROGRAM: &str = r#"{
  "earn": {"points_per_unit": 1},
  "tiers": [
    {"id": "bronze", "name": "Brons", "threshold": 0},
    {"id": "silver", "name": "Silver", "threshold": 1000, "multiplier": 1.25},
    {"id": "gold", "name": "Guld", "threshold": 2500, "multiplier": 1.5},
    {"id": "platinum", "name": "Platina", "threshold": 6000, "multiplier": 2}
  ],
  "rewards": [
    {"id": "free-shipping", "title": "Fri frakt", "cost": 300, "kind": "free_shipping"},
    {"id": "coffee", "title": "Gratis kaffe", "cost": 400, "kind": "free_product"},
    {"id": "r50", "title": "50 kr rabatt", "cost": 500, "kind": "fixed_discount", "value": 5000},
    {"id": "p10", "title": "10 % rabatt", "cost": 1200, "kind": "percent_discount", "value": 10},
    {"id": "r200", "title": "200 kr rabatt", "cost": 1800, "kind": "fixed_discount", "value": 20000},
    {"id": "tasting", "title": "Ostprovning i butiken", "cost": 600, "kind": "free_product",
     "tiers": ["gold", "platinum"]}
  ],
  "feedback": {"ask_within_days": 14, "points": 25},
  "birthday": {"points": 200},
  "donation": {"cause": "Stadsmissionen", "points": 500, "value": 5000},
  "actions": [
    {"id": "welcome", "kind": "sign_up", "title": "Välkomstbonus", "points": 100},
    {"id": "review", "kind": "review", "title": "Recensera en vara", "points": 50, "limit": {"times": 3, "per": "month"}},
    {"id": "instagram", "kind": "social_follow", "title": "Följ oss på Instagram", "points": 20,
     "url": "https://www.instagram.com/"},
    {"id": "fifth-order", "kind": "purchase_count", "title": "Ditt femte köp", "points": 250, "count": 5}
  ],
  "stamp_card": {"title": "Kaffekortet", "stamps": 8, "head_start": 2, "min_order": 20000, "reward_id": "coffee"},
  "referral": {"referrer_points": 200, "referee_reward_id": "r50"}
}"#;

/// The demo shop's program: four tiers, five rewards and referrals.
pub fn program() -> Program {
    serde_json::from_str(PROGRAM).expect("the demo program is valid JSON")
}

/// Double points on fruit and vegetables, running from two days before
/// the demo was first seeded to five days after: something to see in the
/// widget's campaign banner.
fn running_campaign(now: i64) -> lojal_core::campaign::Campaign {
    let day = |offset: i64| lojal_core::campaign::format_date(now + offset * 86_400);
    lojal_core::campaign::Campaign {
        id: "fruit-x2".into(),
        title: "Dubbla poäng på frukt & grönt".into(),
        multiplier: 2.0,
        starts_on: day(-2),
        ends_on: day(5),
        categories: vec!["Fruit & vegetables".into()],
        min_categories: None,
    }
}

/// A Christmas hamper Guld and Platina members may take a week before
/// everyone else.
fn early_access_reward(now: i64) -> lojal_core::program::Reward {
    lojal_core::program::Reward {
        id: "christmas-hamper".into(),
        title: "Julkorg".into(),
        cost: 2400,
        kind: lojal_core::program::RewardKind::FreeProduct,
        value: 0,
        tiers: vec!["gold".into(), "platinum".into()],
        available_from: Some(lojal_core::campaign::format_date(now + 7 * 86_400)),
        expires_after_days: None,
        points_off: None,
    }
}

/// Creates the demo shop with its history unless it exists, and lets pages
/// on `storefront_origin` call it. Returns the shop.
pub async fn seed(db: &Db, storefront_origin: &str) -> Result<Shop> {
    if let Some(shop) = shops::find(db, DEMO_SHOP).await? {
        add_shop::allow_origin(db, DEMO_SHOP, storefront_origin).await?;
        return shops::get(db, &shop.id).await;
    }
    let now = clock::now();
    let mut program = program();
    program.campaigns.push(running_campaign(now));
    program.rewards.push(early_access_reward(now));
    let shop = Shop {
        id: DEMO_SHOP.into(),
        name: "Lojal Livs".into(),
        secret: shops::new_secret(),
        currency: "SEK".into(),
        locale: "sv".into(),
        program,
        origins: vec![storefront_origin.to_owned()],
    };
    add_shop::add(db, &shop, now).await?;

    let mut catalogue = BTreeMap::new();
    for name in BASKETS_CSV.lines().flat_map(|line| line.split(',')) {
        if !name.trim().is_empty() && !catalogue.contains_key(name.trim()) {
            catalogue.insert(name.trim().to_owned(), catalogue::product(name));
        }
    }
    let products: Vec<&products::Product> = catalogue.values().collect();
    // Three in five demo customers "opened the widget" at their first
    // order. Drawn by number, not by behaviour: the demo shows the split,
    // not an effect of the program.
    seed_demo::write_history(db, &shop, &products, &demo_orders(&catalogue, now), 3, now).await?;
    Ok(shop)
}

/// Every basket as an order, oldest first so tiers rise as they would have.
fn demo_orders(catalogue: &BTreeMap<String, products::Product>, now: i64) -> Vec<NewOrder> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut orders: Vec<NewOrder> = BASKETS_CSV
        .lines()
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(n, line)| {
            // Squaring a uniform draw makes low-numbered customers regulars
            // and the rest occasional, as in a real shop.
            let customer = 1 + (rng.random::<f64>().powi(2) * CUSTOMERS as f64) as usize;
            let items: Vec<LineItem> = line
                .split(',')
                .filter_map(|name| catalogue.get(name.trim()))
                .map(|p| LineItem { sku: p.sku.clone(), qty: if rng.random_bool(0.2) { 2 } else { 1 }, price: p.price })
                .collect();
            NewOrder {
                id: format!("demo-{:05}", n + 1),
                customer: CustomerId::parse(&format!("cust-{customer}")).expect("a valid id"),
                total: items.iter().map(|i| i.qty * i.price).sum(),
                currency: "SEK".into(),
                items,
                referral_code: None,
                created_at: now - rng.random_range(0..DAYS * 86_400),
                codes: Vec::new(),
            }
        })
        .collect();
    orders.sort_by_key(|o| o.created_at);
    orders
}
