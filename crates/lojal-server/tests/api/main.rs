//! The server's HTTP API, driven through the real router
//! (`tower::ServiceExt::oneshot`), each test on a fresh SQLite file and, when
//! `LOJAL_TEST_POSTGRES` names a server (the README's test command starts
//! one), on a fresh PostgreSQL database too.

mod support;

mod actions;
mod assets;
mod bad_input;
mod balance_moves;
mod birthday;
mod campaigns;
mod cashback;
mod codes;
mod concurrency;
mod donations;
mod expiry;
mod feedback;
mod fuzz;
mod guest_points;
mod handed_clocks;
mod hardening;
mod imports;
mod ledger_integrity;
mod ledger_properties;
mod limits;
mod member_rewards;
mod merchant;
mod openapi;
mod ops;
mod order_batches;

mod orders;
mod platforms;
mod points_off;
mod privacy;
mod program_rules;
mod query_identity;
mod read_path;
mod recommendations;
mod redemptions;
mod referrals;
mod stamp_cards;
mod tier_periods;
mod typed_answers;
mod upgrade;
mod use_cases;
mod webhooks;
mod widget;
