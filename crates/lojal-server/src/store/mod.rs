//! Everything the server keeps, one module per thing kept. Only this module
//! (and `db`) knows SQL.

pub mod members;
pub mod orders;
pub mod products;
pub mod shops;
