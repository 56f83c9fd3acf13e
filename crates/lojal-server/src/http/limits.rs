//! Rate limits on the shopper API, per IP address and per signed-in
//! customer, answered with `429` and `Retry-After`. A page view makes one
//! request; the limits are far above what a person clicking does, and far
//! below what a script hammering redemptions or referral visits would.
//!
//! The counts live in this process's memory. Several servers behind a load
//! balancer each count what reaches them: with client affinity (the
//! balancer hashes the client's address to one server) every limit holds
//! exactly as on one server; with requests spread evenly over N servers,
//! each server started with `--rate-limits-shared-by N` allows 1/N of every
//! limit ([`Limits::shared_by`]), so a client's total is what one server
//! would allow.

use crate::error::{Error, Result};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Every this many checks, the keys whose allowance has refilled (they are
/// as good as new) are dropped, so the maps hold only recent clients.
const SWEEP_EVERY: u32 = 1024;
/// The most keys a map keeps after a sweep. More means that many clients
/// were all busy within the last few seconds: the map is then emptied (each
/// starts again with a full allowance), so that memory stays bounded.
const MAX_KEYS: usize = 100_000;

pub struct Limits {
    /// Off only for load tests, whose one client address would otherwise
    /// be limited like one hammering script.
    enabled: bool,
    per_ip: Keyed<IpAddr>,
    per_customer: Keyed<(String, String)>,
    clock: DefaultClock,
    /// Checks since start, for sweeping every `SWEEP_EVERY`.
    checks: AtomicU32,
    max_keys: usize,
    /// Requests refused since start, per IP and per customer (`/metrics`).
    refused_ip: AtomicU64,
    refused_customer: AtomicU64,
}

/// One limit's state per key, replaceable whole when it grows too large.
struct Keyed<K: Hash + Eq + Clone> {
    quota: Quota,
    limiter: RwLock<DefaultKeyedRateLimiter<K>>,
}

impl<K: Hash + Eq + Clone> Keyed<K> {
    fn new(quota: Quota) -> Keyed<K> {
        Keyed { quota, limiter: RwLock::new(RateLimiter::keyed(quota)) }
    }

    fn check(&self, key: &K) -> Result<(), governor::NotUntil<<DefaultClock as Clock>::Instant>> {
        self.limiter.read().unwrap_or_else(|e| e.into_inner()).check_key(key)
    }

    fn sweep(&self, max_keys: usize) {
        let full = {
            let limiter = self.limiter.read().unwrap_or_else(|e| e.into_inner());
            limiter.retain_recent();
            limiter.shrink_to_fit();
            limiter.len() > max_keys
        };
        if full {
            tracing::warn!(max_keys, "rate limit table full of recent clients; starting it afresh");
            *self.limiter.write().unwrap_or_else(|e| e.into_inner()) = RateLimiter::keyed(self.quota);
        }
    }

    fn len(&self) -> usize {
        self.limiter.read().unwrap_or_else(|e| e.into_inner()).len()
    }
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limits")
    }
}

/// (requests per second, burst) per address and per signed-in customer.
const STANDARD_PER_IP: (u32, u32) = (50, 200);
const STANDARD_PER_CUSTOMER: (u32, u32) = (10, 40);

fn quota(per_second: u32, burst: u32) -> Quota {
    let nonzero = |n: u32| NonZeroU32::new(n.max(1)).expect("at least 1");
    Quota::per_second(nonzero(per_second)).allow_burst(nonzero(burst))
}

/// What an address is limited as: an IPv4 address as it is (also when it
/// arrives IPv4-mapped, `::ffff:a.b.c.d`, on a dual-stack socket), and an
/// IPv6 address by its /64, the least one subscriber is given: otherwise
/// one client would rotate through its 2^64 addresses past any limit.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !(u128::from(u64::MAX)))),
        },
    }
}

impl Limits {
    /// `per_ip` and `per_customer` as (requests per second, burst).
    pub fn new(per_ip: (u32, u32), per_customer: (u32, u32)) -> Arc<Limits> {
        Arc::new(Limits::bounded(per_ip, per_customer, MAX_KEYS))
    }

    fn bounded(per_ip: (u32, u32), per_customer: (u32, u32), max_keys: usize) -> Limits {
        Limits {
            enabled: true,
            per_ip: Keyed::new(quota(per_ip.0, per_ip.1)),
            per_customer: Keyed::new(quota(per_customer.0, per_customer.1)),
            clock: DefaultClock::default(),
            checks: AtomicU32::new(0),
            max_keys,
            refused_ip: AtomicU64::new(0),
            refused_customer: AtomicU64::new(0),
        }
    }

    /// A shop's customers may share one IP (an office, a mobile carrier's
    /// NAT), so the IP limit is the looser one.
    pub fn standard() -> Arc<Limits> {
        Limits::shared_by(1)
    }

    /// This server's share of the standard limits when `servers` share a
    /// client's requests evenly: each rate and burst divided by `servers`,
    /// rounded up (never below one request).
    pub fn shared_by(servers: u32) -> Arc<Limits> {
        let share = |(rate, burst): (u32, u32)| (rate.div_ceil(servers.max(1)), burst.div_ceil(servers.max(1)));
        Limits::new(share(STANDARD_PER_IP), share(STANDARD_PER_CUSTOMER))
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

    /// Counts a check; every `SWEEP_EVERY`th sweeps both maps, so their
    /// upkeep is spread over the requests that grow them.
    fn counted(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.per_ip.sweep(self.max_keys);
            self.per_customer.sweep(self.max_keys);
        }
    }

    pub fn check_customer(&self, shop: &str, customer: &str) -> Result<()> {
        if !self.enabled {
            return Ok(());
        }
        self.counted();
        self.per_customer.check(&(shop.to_owned(), customer.to_owned())).map_err(|until| {
            self.refused_customer.fetch_add(1, Ordering::Relaxed);
            self.retry_after(until)
        })
    }

    fn check_ip(&self, ip: IpAddr) -> Result<()> {
        if !self.enabled {
            return Ok(());
        }
        self.counted();
        self.per_ip.check(&client_key(ip)).map_err(|until| {
            self.refused_ip.fetch_add(1, Ordering::Relaxed);
            self.retry_after(until)
        })
    }

    /// How many requests were refused since start: per IP, per customer.
    pub fn refused(&self) -> (u64, u64) {
        (self.refused_ip.load(Ordering::Relaxed), self.refused_customer.load(Ordering::Relaxed))
    }

    /// How many IP keys and customer keys are kept now.
    pub fn tracked(&self) -> (usize, usize) {
        (self.per_ip.len(), self.per_customer.len())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ipv6_is_keyed_by_its_64_and_ipv4_mapped_as_ipv4() {
        assert_eq!(client_key(ip("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(client_key(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(client_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")), ip("2001:db8:1:2::"));
        assert_eq!(client_key(ip("2001:db8:1:2::1")), client_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        assert_ne!(client_key(ip("2001:db8:1:2::1")), client_key(ip("2001:db8:1:3::1")));
        assert_eq!(client_key(ip("::1")), ip("::"));
    }

    #[test]
    fn one_ipv6_64_shares_one_allowance() {
        let limits = Limits::bounded((1, 2), (1, 1), MAX_KEYS);
        assert!(limits.check_ip(ip("2001:db8::1")).is_ok());
        assert!(limits.check_ip(ip("2001:db8::2")).is_ok());
        // A third address of the same /64 is the same client, over its burst.
        assert!(matches!(limits.check_ip(ip("2001:db8::3:4:5")), Err(Error::RateLimited { .. })));
        // Another /64 is another client.
        assert!(limits.check_ip(ip("2001:db8:0:1::1")).is_ok());
        // An IPv4 address counts the same whether it comes mapped or not.
        assert!(limits.check_ip(ip("192.0.2.1")).is_ok());
        assert!(limits.check_ip(ip("::ffff:192.0.2.1")).is_ok());
        assert!(limits.check_ip(ip("192.0.2.1")).is_err());
    }

    #[test]
    fn three_servers_sharing_a_client_each_allow_a_third() {
        let alone = Limits::shared_by(1);
        let shared = Limits::shared_by(3);
        let allowed = |limits: &Limits| (0..1_000).take_while(|_| limits.check_customer("demo", "c-1").is_ok()).count();
        assert_eq!(allowed(&alone), 40, "the standard burst");
        assert_eq!(allowed(&shared), 14, "40 / 3, rounded up");
        let ip_burst = (0..1_000).take_while(|_| shared.check_ip(ip("192.0.2.9")).is_ok()).count();
        assert_eq!(ip_burst, 67, "200 / 3, rounded up");
    }

    #[test]
    fn refilled_entries_are_swept_as_checks_go_on() {
        // A burst of 1 at 1,000 a second: a key is as good as new after 1 ms.
        let limits = Limits::bounded((1_000, 1), (1_000, 1), MAX_KEYS);
        for n in 0..3_000u32 {
            limits.check_ip(IpAddr::V4(Ipv4Addr::from(n))).unwrap();
            limits.check_customer("demo", &format!("c-{n}")).unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        for _ in 0..SWEEP_EVERY {
            let _ = limits.check_ip(ip("192.0.2.1"));
        }
        let (ips, customers) = limits.tracked();
        assert!(ips <= 2 && customers <= 2, "{ips} IPs and {customers} customers kept after they refilled");
    }

    #[test]
    fn the_maps_stay_bounded_under_a_flood_of_busy_clients() {
        // A slow refill: nothing becomes fresh during the test.
        let limits = Limits::bounded((1, 100), (1, 100), 2_000);
        let bound = 2_000 + SWEEP_EVERY as usize;
        for n in 0..20_000u32 {
            limits.check_ip(IpAddr::V4(Ipv4Addr::from(n))).unwrap();
            limits.check_customer("demo", &format!("c-{n}")).unwrap();
            let (ips, customers) = limits.tracked();
            assert!(ips <= bound && customers <= bound, "{ips} IPs, {customers} customers after {n}");
        }
    }
}
