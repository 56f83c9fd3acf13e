//! Rate limits on the shopper API, per IP address and per signed-in
//! customer, answered with `429` and `Retry-After`. A page view makes one
//! request; the limits are far above what a person clicking does, and far
//! below what a script hammering redemptions or referral visits would.

use crate::error::{Error, Result};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

pub struct Limits {
    /// Off only for load tests, whose one client address would otherwise
    /// be limited like one hammering script.
    enabled: bool,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_customer: DefaultKeyedRateLimiter<(String, String)>,
    clock: DefaultClock,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limits")
    }
}

fn quota(per_second: u32, burst: u32) -> Quota {
    let nonzero = |n: u32| NonZeroU32::new(n.max(1)).expect("at least 1");
    Quota::per_second(nonzero(per_second)).allow_burst(nonzero(burst))
}

impl Limits {
    /// `per_ip` and `per_customer` as (requests per second, burst).
    pub fn new(per_ip: (u32, u32), per_customer: (u32, u32)) -> Arc<Limits> {
        Arc::new(Limits {
            enabled: true,
            per_ip: RateLimiter::keyed(quota(per_ip.0, per_ip.1)),
            per_customer: RateLimiter::keyed(quota(per_customer.0, per_customer.1)),
            clock: DefaultClock::default(),
        })
    }

    /// A shop's customers may share one IP (an office, a mobile carrier's
    /// NAT), so the IP limit is the looser one.
    pub fn standard() -> Arc<Limits> {
        Limits::new((50, 200), (10, 40))
    }

    /// No limits: for a load generator on one address (`serve
    /// --no-rate-limits`), never for a server shoppers reach.
    pub fn off() -> Arc<Limits> {
        let mut limits = Limits::standard();
        Arc::get_mut(&mut limits).expect("just made").enabled = false;
        limits
    }

    fn retry_after(&self, until: governor::NotUntil<<DefaultClock as Clock>::Instant>) -> Error {
        let wait = until.wait_time_from(self.clock.now());
        Error::RateLimited { retry_after: wait.as_secs() + 1 }
    }

    pub fn check_customer(&self, shop: &str, customer: &str) -> Result<()> {
        if !self.enabled {
            return Ok(());
        }
        self.per_customer.check_key(&(shop.to_owned(), customer.to_owned())).map_err(|until| self.retry_after(until))
    }

    fn check_ip(&self, ip: IpAddr) -> Result<()> {
        if !self.enabled {
            return Ok(());
        }
        self.per_ip.check_key(&ip).map_err(|until| self.retry_after(until))
    }
}

/// The per-IP limit, as middleware of the shopper routes. The peer address
/// is the client's own: behind a proxy, configure the proxy to limit.
pub async fn per_ip(State(limits): State<Arc<Limits>>, request: Request, next: Next) -> Result<Response> {
    let ip =
        request.extensions().get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |info| info.0.ip());
    limits.check_ip(ip)?;
    Ok(next.run(request).await)
}
