//! What the server tells its operator: logs (as text or as JSON lines) and
//! metrics in Prometheus's text format. No HTTP here: `http::ops` serves
//! the metrics and puts each request's id and figures in.
//!
//! **Label rule:** every label has few values: a route's template (never
//! the path asked for, which holds customer ids), a method from a short
//! list, a status, a shop id (shops are added by the operator). Nothing
//! secret is ever a label or a value.

use prometheus_client::encoding::{prometheus_text, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::time::Duration;
use subtle::ConstantTimeEq;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// How log lines are written (`--log-format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event, with its request's fields in front.
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `message`, the
    /// event's fields, `target`, and `span` with the request's `method`,
    /// `route` and `request_id`.
    Json,
}

/// The log subscriber the server runs with: `format` lines to `writer`,
/// filtered by `RUST_LOG` (default `info`).
pub fn subscriber<W>(format: LogFormat, writer: W) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_writer(writer).with_env_filter(filter);
    match format {
        LogFormat::Text => Box::new(builder.finish()),
        LogFormat::Json => {
            Box::new(builder.json().flatten_event(true).with_current_span(true).with_span_list(false).finish())
        }
    }
}

/// Installs [`subscriber`] for the whole process, writing to stderr
/// (stdout carries only what the commands print for people and scripts).
pub fn init_logs(format: LogFormat) {
    use tracing_subscriber::util::SubscriberInitExt;
    subscriber(format, std::io::stderr).init();
}

/// The bearer token `/metrics` takes on the API's address
/// (`--metrics-token`). Its `Debug` does not show it.
#[derive(Clone)]
pub struct MetricsToken(String);

impl MetricsToken {
    /// A token as strong as a shop secret must be (32 random bytes written
    /// out, as `openssl rand -hex 32` prints), or `None` for a weak one.
    pub fn new(token: String) -> Option<MetricsToken> {
        lojal_core::secret::validate(&token).is_ok().then_some(MetricsToken(token))
    }

    /// Whether `given` is the token, compared in constant time.
    pub fn matches(&self, given: &str) -> bool {
        bool::from(given.as_bytes().ct_eq(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(..)")
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ShopLabels {
    shop: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ScopeLabels {
    scope: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabels {
    version: &'static str,
}

/// Request latency buckets, in seconds: a widget read takes a few
/// milliseconds, a catalogue upload up to seconds.
const LATENCY_BUCKETS: [f64; 14] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// The figures counted as requests go; one per server (`AppState`).
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram, fn() -> Histogram>,
    orders: Family<ShopLabels, Counter>,
}

/// The figures read when scraped rather than counted as they go.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    pub pool_idle: u64,
    pub pool_in_use: u64,
    pub pool_max: u64,
    /// Requests refused by the rate limits since start, per IP and per customer.
    pub rate_limited_ip: u64,
    pub rate_limited_customer: u64,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "lojal_http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        let durations = Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register_with_unit(
            "lojal_http_request_duration",
            "Time to answer an HTTP request (until its headers), by route template",
            Unit::Seconds,
            durations.clone(),
        );
        let orders = Family::<ShopLabels, Counter>::default();
        registry.register(
            "lojal_orders_ingested",
            "Orders stored, by shop (a repeated order id is not counted again)",
            orders.clone(),
        );
        Metrics { registry, requests, durations, orders }
    }
}

/// `method` as a label: one of the methods the API knows, or `other`, so
/// that a client making up methods cannot make up label values.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

impl Metrics {
    /// One answered request: `route` is the matched template.
    pub fn request(&self, route: &str, method: &'static str, status: u16, took: Duration) {
        self.requests.get_or_create(&RequestLabels { route: route.to_owned(), method, status }).inc();
        self.durations.get_or_create(&RouteLabels { route: route.to_owned() }).observe(took.as_secs_f64());
    }

    /// A new order stored for `shop`.
    pub fn order_ingested(&self, shop: &str) {
        self.orders.get_or_create(&ShopLabels { shop: shop.to_owned() }).inc();
    }

    /// Everything, in Prometheus's text format (version 0.0.4).
    pub fn render(&self, gauges: Gauges) -> String {
        let mut live = Registry::default();
        let info = Family::<VersionLabels, Gauge>::default();
        info.get_or_create(&VersionLabels { version: env!("CARGO_PKG_VERSION") }).set(1);
        live.register("lojal_build_info", "The running lojal-server's version, as a label", info);
        let pool = Family::<StateLabels, Gauge>::default();
        pool.get_or_create(&StateLabels { state: "idle" }).set(gauge(gauges.pool_idle));
        pool.get_or_create(&StateLabels { state: "in_use" }).set(gauge(gauges.pool_in_use));
        live.register("lojal_db_pool_connections", "Open database connections, idle or in use", pool);
        let max = Gauge::<i64>::default();
        max.set(gauge(gauges.pool_max));
        live.register("lojal_db_pool_max_connections", "The most database connections the pool opens", max);
        let limited = Family::<ScopeLabels, Counter>::default();
        limited.get_or_create(&ScopeLabels { scope: "ip" }).inc_by(gauges.rate_limited_ip);
        limited.get_or_create(&ScopeLabels { scope: "customer" }).inc_by(gauges.rate_limited_customer);
        live.register(
            "lojal_rate_limited",
            "Shopper requests refused with 429 by the rate limit per IP address or per customer",
            limited,
        );
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_text::encode(&mut text, &self.registry);
        let _ = prometheus_text::encode(&mut text, &live);
        text
    }
}

fn gauge(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text_with_template_labels() {
        let metrics = Metrics::default();
        metrics.request("/v1/shops/{shop}/widget", "GET", 200, Duration::from_millis(3));
        metrics.order_ingested("demo");
        metrics.order_ingested("demo");
        let text = metrics.render(Gauges {
            pool_idle: 2,
            pool_in_use: 1,
            pool_max: 4,
            rate_limited_ip: 5,
            ..Default::default()
        });
        for line in [
            "# TYPE lojal_http_requests_total counter",
            r#"lojal_http_requests_total{route="/v1/shops/{shop}/widget",method="GET",status="200"} 1"#,
            "# TYPE lojal_http_request_duration_seconds histogram",
            r#"lojal_http_request_duration_seconds_bucket{route="/v1/shops/{shop}/widget",le="0.005"} 1"#,
            r#"lojal_http_request_duration_seconds_count{route="/v1/shops/{shop}/widget"} 1"#,
            r#"lojal_orders_ingested_total{shop="demo"} 2"#,
            r#"lojal_db_pool_connections{state="idle"} 2"#,
            r#"lojal_db_pool_connections{state="in_use"} 1"#,
            "lojal_db_pool_max_connections 4",
            r#"lojal_rate_limited_total{scope="ip"} 5"#,
            r#"lojal_rate_limited_total{scope="customer"} 0"#,
        ] {
            assert!(text.lines().any(|l| l == line), "no line {line:?} in:\n{text}");
        }
        assert!(!text.contains("# EOF"), "the Prometheus text format has no EOF marker");
    }

    #[test]
    fn a_token_is_as_strong_as_a_shop_secret_and_hidden_in_debug() {
        assert!(MetricsToken::new("short".into()).is_none());
        let strong = "9c2e7f41b8d05a36e1f4c7b92d8a0e5f3b6c1d49a7e2f80c5d3b9a16e4f7c2d8";
        let token = MetricsToken::new(strong.into()).unwrap();
        assert!(token.matches(strong));
        assert!(!token.matches(&strong[1..]));
        assert!(!format!("{token:?}").contains(strong));
        assert_eq!(method_label(&"BREW".parse().unwrap()), "other");
    }
}
