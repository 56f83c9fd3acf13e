//! The use cases: what a request asks the server to do, between `http`
//! (which extracts and answers) and `store` (which reads and writes rows).
//!
//! Each use case owns its transaction and is handed its clock (`now`): the
//! store below never reads the time and never begins a transaction, so the
//! one place a request's transaction begins is the function here that
//! serves it.

pub mod add_shop;
pub mod adjust;
pub mod cart;
pub mod claim_action;
pub mod claim_guest_points;
pub mod customer_detail;
pub mod dismiss_nudge;
pub mod donate;
pub mod enrol;
pub mod feedback;
pub mod import;
pub mod ingest_order;
pub mod pay_action;
pub mod platform_delivery;
pub mod privacy;
pub mod punch_card;
pub mod rebuild_recommendations;
pub mod record_click;
pub mod redeem;
pub mod refund;
pub mod report_action;
pub mod seed_demo;
pub mod set_birthday;
pub mod set_platform_secret;
pub mod set_program;
pub mod spend_credit;
pub mod upload_catalogue;
pub mod use_code;
pub mod visit_referral;
pub mod void_code;
pub mod webhook_endpoints;
pub mod widget_view;
