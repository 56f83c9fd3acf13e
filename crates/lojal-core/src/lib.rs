//! Lojal's domain: the loyalty program, its rules, customer identity and the
//! JSON types of the HTTP API.
//!
//! **Architecture invariant:** this crate does no I/O. It compiles for both
//! `wasm32-unknown-unknown` (the widget) and native (the server), and every
//! rule in it is unit-tested here.

pub mod actions;
pub mod api;
pub mod birthday;
pub mod campaign;
pub mod cashback;
pub mod codes;
pub mod currency;
pub mod donation;
pub mod error;
pub mod expiry;
pub mod feedback;
pub mod guest;
pub mod history;
pub mod identity;
pub mod import;
pub mod ledger;
pub mod metrics;
pub mod nudge;
pub mod platforms;
pub mod points;
pub mod points_off;
pub mod privacy;
pub mod program;
pub mod recommend;
pub mod referral;
pub mod requests;
pub mod secret;
pub mod stamp_card;
pub mod tiers;
pub mod units;
pub mod webhooks;
pub mod wire;
pub mod words;
pub mod zone;

pub use error::Error;
