//! The demo shop: a grocery store seeded from real baskets
//! (`data/groceries.csv`), and the storefront page that shows the widget
//! as a merchant's site would.

pub mod catalogue;
mod checkout;
mod seed;
mod storefront;

pub use seed::{program, seed, DEMO_CUSTOMER, DEMO_SHOP};
pub use storefront::{storefront, StorefrontConfig};
