//! Everything the server keeps, one module per thing kept. Only this module
//! (and `db`) knows SQL.

pub mod actions;
pub mod audit;
pub mod backup;
pub mod birthdays;
pub mod carts;
pub mod codes;
pub mod credit;
pub mod demo;
pub mod donations;
pub mod earning;
pub mod feedback;
pub mod guest_points;
pub mod imports;
pub mod ledger;
pub mod member_facts;
pub mod members;
pub mod metrics;
pub mod model_cache;
pub mod nudges;
pub mod orders;
pub mod outbox;
pub mod platforms;
pub mod privacy;
pub mod products;
pub mod recommendations;
pub mod redemptions;
pub mod referrals;
pub mod schema;
pub mod shops;
pub mod stamps;
pub mod tier_standing;
pub mod webhooks;
