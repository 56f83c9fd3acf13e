//! Lojal's JSON back end: the loyalty ledger, the widget's API and the
//! widget's files.
//!
//! **Architecture invariant:** only `db` and `store` know SQL; rules (points,
//! tiers, identity) live in `lojal-core`; `app` holds the use cases (where a
//! request's transaction begins, with its `now`); `http` extracts, calls a
//! use case and answers; `error` is the one place errors become HTTP
//! responses.

pub mod app;
pub mod clock;
pub mod db;
pub mod demo;
pub mod error;
pub mod http;
pub mod order_writer;
pub mod store;
pub mod telemetry;
pub mod webhooks;

pub use error::{Error, Result};
pub use http::{app, AppState};
