//! The server's one source of "now", so the rules that depend on time
//! (signature age, later expiry) read it the same way.

use std::time::{SystemTime, UNIX_EPOCH};

/// Unix seconds.
pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}
