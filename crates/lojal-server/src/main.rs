//! `lojal-server`: run the API, add shops, or run the seeded demo.

use clap::{Args, Parser, Subcommand};
use lojal_server::demo::{self, StorefrontConfig};
use lojal_server::http::limits::Limits;
use lojal_server::http::ops;
use lojal_server::store::shops::{self, Shop};
use lojal_server::telemetry::{self, LogFormat, MetricsToken};
use lojal_server::{app, db, webhooks, AppState, Error, Result};
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tokio::net::TcpListener;

#[derive(Debug, Parser)]
#[command(name = "lojal-server", version, about = "Lojal's loyalty back end")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and the widget's files.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[command(flatten)]
        store: StoreArgs,
        /// Serve without the shopper API's rate limits: for a load test
        /// from one address only, never for a server shoppers reach.
        #[arg(long)]
        no_rate_limits: bool,
        /// How many servers a load balancer spreads each client's requests
        /// over evenly: each allows 1/N of every rate limit, so a client's
        /// total is what one server allows. Leave at 1 with client affinity.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
        rate_limits_shared_by: u32,
        #[command(flatten)]
        stop: StopArgs,
        #[command(flatten)]
        log: LogArgs,
        #[command(flatten)]
        metrics: MetricsArgs,
        #[command(flatten)]
        webhooks: WebhookArgs,
    },
    /// Manage shops.
    Shop {
        #[command(subcommand)]
        command: ShopCommand,
    },
    /// Manage a shop's webhook endpoints (as `.../webhooks` in the API).
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
    /// Recount what recommendations are made from, from all of a shop's
    /// orders (after an import; orders keep it up to date one by one).
    Recommendations {
        #[command(subcommand)]
        command: RecommendationsCommand,
    },
    /// A person's data: everything kept about them, or erased (GDPR).
    Customer {
        #[command(subcommand)]
        command: CustomerCommand,
    },
    /// Import an existing program from CSV: members with their opening
    /// balances (`--file`), or past orders (`--orders`). The whole file is
    /// checked first; a bad row imports nothing unless `--skip-bad-rows`.
    Import {
        #[arg(long)]
        shop: String,
        /// Members: id,points,lifetime_points,birthday,joined_at.
        #[arg(long, required_unless_present = "orders", conflicts_with = "orders")]
        file: Option<PathBuf>,
        /// Past orders: id,customer,total,currency,created_at,sku,qty,price
        /// (one line per item).
        #[arg(long)]
        orders: Option<PathBuf>,
        /// Orders earn points (and bonuses) as if they arrived now; without
        /// it they earn nothing.
        #[arg(long, requires = "orders")]
        earn: bool,
        /// Check everything and say what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the good rows and list the bad ones in `--report`.
        #[arg(long)]
        skip_bad_rows: bool,
        /// Where the skipped rows are listed (line,problem); by default
        /// beside the file, `NAME.skipped.csv`.
        #[arg(long, requires = "skip_bad_rows")]
        report: Option<PathBuf>,
        /// Noted on every ledger row the import writes; the file's name by default.
        #[arg(long)]
        name: Option<String>,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lojal.db")]
        db: String,
    },
    /// Check the points ledger as an auditor would.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Seed the demo shop (once) and serve it with its storefront page.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// The storefront runs on its own origin, as a real shop's would.
        #[arg(long, default_value = "127.0.0.1:8081")]
        storefront_addr: SocketAddr,
        /// The storefront's page and styles.
        #[arg(long, default_value = "www")]
        www: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        stop: StopArgs,
        #[command(flatten)]
        log: LogArgs,
        #[command(flatten)]
        webhooks: WebhookArgs,
    },
    /// Copy a live SQLite database to a new file, consistent as of one
    /// moment, without stopping the server (for PostgreSQL: `pg_dump -Fc`).
    Backup {
        /// The file to write (mode 0600: it holds the shops' secrets).
        #[arg(long)]
        to: PathBuf,
        /// Replace `--to` if it exists.
        #[arg(long)]
        force: bool,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lojal.db")]
        db: String,
    },
    /// Put a backup in place of the SQLite database `--db`, after checking
    /// it (`PRAGMA integrity_check`); with the server stopped. Then run
    /// `ledger verify` (for PostgreSQL: `pg_restore`).
    Restore {
        /// The backup `backup --to` wrote.
        #[arg(long)]
        from: PathBuf,
        /// Replace the database if it exists (never while a process has it open).
        #[arg(long)]
        force: bool,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lojal.db")]
        db: String,
    },
}

#[derive(Debug, Args)]
struct StopArgs {
    /// On SIGTERM or Ctrl-C: stop accepting, and wait at most this many
    /// seconds for the requests in flight before exiting anyway (with 1).
    #[arg(long, default_value_t = 10)]
    shutdown_timeout: u64,
}

impl StopArgs {
    fn timeout(&self) -> Duration {
        Duration::from_secs(self.shutdown_timeout)
    }
}

#[derive(Debug, Args)]
struct StoreArgs {
    /// `sqlite://PATH` (embedded, created if missing) or `postgres://...`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lojal.db")]
    db: String,
    /// Serve the widget's files (`widget.js`, its module, glue and wasm)
    /// from this folder, such as `pkg`, instead of the copy built into the
    /// binary: for working on the widget without rebuilding the server.
    #[arg(long, env = "LOJAL_ASSETS")]
    assets: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct WebhookArgs {
    /// Send `points.expiring` this many days before a member's points expire.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(i64).range(1..=365))]
    webhook_expiring_days: i64,
    /// The first retry's wait in milliseconds (each next one doubles, up to an hour).
    #[arg(long, env = "LOJAL_WEBHOOK_RETRY_BASE_MS", default_value_t = 30_000, hide = true)]
    webhook_retry_base_ms: u64,
    /// How long failed deliveries are retried before the endpoint is switched off.
    #[arg(long, env = "LOJAL_WEBHOOK_RETRY_WINDOW_MS", default_value_t = 86_400_000, hide = true)]
    webhook_retry_window_ms: i64,
    /// How often the outbox is read.
    #[arg(long, env = "LOJAL_WEBHOOK_POLL_MS", default_value_t = 500, hide = true)]
    webhook_poll_ms: u64,
    /// How often members are looked at for `points.expiring`.
    #[arg(long, env = "LOJAL_WEBHOOK_SWEEP_MS", default_value_t = 60_000, hide = true)]
    webhook_sweep_ms: u64,
}

impl WebhookArgs {
    fn start(&self, db: &db::Db) -> webhooks::Worker {
        webhooks::start(
            db.clone(),
            webhooks::Config {
                poll: Duration::from_millis(self.webhook_poll_ms.max(10)),
                retry_base_ms: self.webhook_retry_base_ms.max(1),
                retry_window_ms: self.webhook_retry_window_ms,
                expiring_within: self.webhook_expiring_days * 86_400,
                sweep_every: Duration::from_millis(self.webhook_sweep_ms.max(10)),
                ..webhooks::Config::default()
            },
        )
    }
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// Register an endpoint; prints its id and signing secret (shown only now).
    Add {
        #[arg(long)]
        shop: String,
        /// `https://...` (or `http://` to 127.0.0.1, [::1] or localhost).
        #[arg(long)]
        url: String,
        /// An event type it receives (repeatable), such as `points.earned`.
        #[arg(long = "event", required = true)]
        events: Vec<String>,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lojal.db")]
        db: String,
    },
    /// List a shop's endpoints, their state and what waits for them.
    List {
        #[arg(long)]
        shop: String,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lojal.db")]
        db: String,
    },
    /// Remove an endpoint, with its deliveries and their log.
    Remove {
        #[arg(long)]
        shop: String,
        #[arg(long)]
        id: String,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lojal.db")]
        db: String,
    },
}

#[derive(Debug, Args)]
struct LogArgs {
    /// `text` (readable lines) or `json` (one JSON object per line, each
    /// request's with its `request_id`), on stderr.
    #[arg(long, value_enum, env = "LOJAL_LOG_FORMAT", default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Debug, Args)]
struct MetricsArgs {
    /// Serve `GET /metrics` (Prometheus) on this address too, to anyone who
    /// reaches it: an internal network's, never a public one.
    #[arg(long, env = "LOJAL_METRICS_ADDR")]
    metrics_addr: Option<SocketAddr>,
    /// Serve `GET /metrics` on the API's address to `Authorization: Bearer
    /// TOKEN` (at least 32 random bytes, as `openssl rand -hex 32` prints).
    #[arg(long, env = "LOJAL_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
}

impl MetricsArgs {
    fn token(&self) -> Result<Option<MetricsToken>> {
        self.metrics_token.clone().map(|t| MetricsToken::new(t).ok_or(Error::WeakMetricsToken)).transpose()
    }
}

impl Command {
    fn log_format(&self) -> LogFormat {
        match self {
            Command::Serve { log, .. } | Command::Demo { log, .. } => log.log_format,
            _ => LogFormat::Text,
        }
    }
}

#[derive(Debug, Subcommand)]
enum CustomerCommand {
    /// Print everything kept about a member as one JSON document (as
    /// `GET .../customers/{id}/export`).
    Export {
        #[arg(long)]
        shop: String,
        #[arg(long)]
        id: String,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lojal.db")]
        db: String,
    },
    /// Erase a member: personal data deleted, money moves kept under a
    /// pseudonym (as `DELETE .../customers/{id}`). Safe to repeat.
    Erase {
        #[arg(long)]
        shop: String,
        #[arg(long)]
        id: String,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lojal.db")]
        db: String,
    },
}

#[derive(Debug, Subcommand)]
enum LedgerCommand {
    /// Every cached balance equals its ledger's sum, no expiry exceeds what
    /// was left of the points it expires, no refund or take-back reverses
    /// more than what it reverses earned, every referral bonus is paid at
    /// most once and every code spent points exactly once. Exits with 1 and
    /// names each finding when one fails.
    Verify {
        /// Only this shop (default: every shop).
        #[arg(long)]
        shop: Option<String>,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lojal.db")]
        db: String,
    },
}

#[derive(Debug, Subcommand)]
enum RecommendationsCommand {
    Rebuild {
        #[arg(long)]
        shop: String,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lojal.db")]
        db: String,
    },
}

#[derive(Debug, Subcommand)]
enum ShopCommand {
    /// Set the secret a platform (Shopify, WooCommerce) signs the shop's
    /// deliveries to `/v1/shops/{id}/platforms/...` with. Kept like the
    /// shop secret: never printed, served or logged.
    #[command(group(clap::ArgGroup::new("platform").required(true).multiple(true)))]
    Platform {
        #[arg(long)]
        id: String,
        /// The Shopify app's client secret (or the key shown under
        /// Settings > Notifications > Webhooks).
        #[arg(long, group = "platform", env = "LOJAL_SHOPIFY_SECRET", hide_env_values = true)]
        shopify_secret: Option<String>,
        /// The secret of the WooCommerce webhooks (WooCommerce > Settings >
        /// Advanced > Webhooks).
        #[arg(long, group = "platform", env = "LOJAL_WOOCOMMERCE_SECRET", hide_env_values = true)]
        woocommerce_secret: Option<String>,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lojal.db")]
        db: String,
    },
    /// Replace a shop's program with the one in a JSON file (the body of
    /// `PUT .../program`, CONTRACT.md), checked first: a bad file changes nothing.
    Program {
        #[arg(long)]
        id: String,
        /// The program as JSON.
        #[arg(long)]
        file: PathBuf,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lojal.db")]
        db: String,
    },
    /// Add a shop with a starter program (or the program in `--program`).
    Add {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// Signs customer identities and authorises the merchant's back end.
        /// Without it, a random one (32 bytes as hex) is made and printed
        /// once. A given one must hold at least 32 random bytes: 64 or more
        /// hex characters, or 43 or more base64 characters (standard or
        /// URL-safe, `=` not counted), as `openssl rand -hex 32` or
        /// `openssl rand -base64 32` print, with at least 10 different
        /// characters, not a repeated part and not mostly runs like `aaaa`
        /// or `abcd`.
        #[arg(long, env = "LOJAL_SHOP_SECRET", hide_env_values = true)]
        secret: Option<String>,
        /// An origin whose pages may show the widget (repeatable).
        #[arg(long = "origin")]
        origins: Vec<String>,
        /// The ISO 4217 code of the shop's currency, one in use (SEK, EUR, USD, ...).
        #[arg(long, default_value = "SEK")]
        currency: String,
        #[arg(long, default_value = "sv")]
        locale: String,
        /// A program as JSON (CONTRACT.md, `PUT .../program`).
        #[arg(long)]
        program: Option<PathBuf>,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://lojal.db")]
        db: String,
    },
}

#[tokio::main]
async fn main() {
    // Logs to stderr; stdout carries only what the commands print for people
    // and scripts (the addresses, a new shop's secret).
    let cli = Cli::parse();
    telemetry::init_logs(cli.command.log_format());
    if let Err(e) = run(cli).await {
        eprintln!("lojal-server: {e}");
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            eprintln!("  caused by: {cause}");
            source = cause.source();
        }
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve { addr, store, no_rate_limits, rate_limits_shared_by, stop, log: _, metrics, webhooks } => {
            let metrics_token = metrics.token()?;
            let db = db::open(&store.db).await?;
            let mut state = AppState::new(db.clone(), store.assets);
            if no_rate_limits {
                tracing::warn!("serving without rate limits (--no-rate-limits)");
                state.limits = Limits::off();
            } else if rate_limits_shared_by > 1 {
                state.limits = Limits::shared_by(rate_limits_shared_by);
            }
            state.metrics_token = metrics_token;
            let listener = bind(addr).await?;
            let metrics_listener = match metrics.metrics_addr {
                Some(addr) => Some(bind(addr).await?),
                None => None,
            };
            println!("Lojal API on http://{}", local_addr(&listener)?);
            let worker = webhooks.start(&db);
            let api = serve(listener, app(state.clone()), stop.timeout());
            match metrics_listener {
                Some(metrics_listener) => {
                    println!("Metrics on http://{}/metrics", local_addr(&metrics_listener)?);
                    let metrics = serve(metrics_listener, ops::metrics_app(state), stop.timeout());
                    let (api, metrics) = tokio::join!(api, metrics);
                    api.and(metrics)?;
                }
                None => api.await?,
            }
            worker.stop(stop.timeout()).await;
            // Every request was answered: close the database cleanly (SQLite
            // folds its write-ahead log back into the file).
            db.pool.close().await;
            Ok(())
        }
        Command::Backup { to, force, db } => {
            let copy = lojal_server::store::backup::backup(&db, &to, force).await?;
            println!("Backed up {db} to {} ({} bytes, migration {}).", copy.path.display(), copy.bytes, copy.migration);
            Ok(())
        }
        Command::Restore { from, force, db } => {
            let copy = lojal_server::store::backup::restore(&from, &db, force).await?;
            println!(
                "Restored {} to {} ({} bytes, migration {}); check it with `lojal-server ledger verify --db {db}`.",
                from.display(),
                copy.path.display(),
                copy.bytes,
                copy.migration
            );
            Ok(())
        }
        Command::Shop { command: ShopCommand::Add { id, name, secret, origins, currency, locale, program, db } } => {
            let program = match program {
                Some(path) => read_program(&path)?,
                None => lojal_core::program::Program::starter(),
            };
            let generated = secret.is_none();
            if let Some(secret) = &secret {
                lojal_core::secret::validate(secret)?;
            }
            let secret = secret.unwrap_or_else(shops::new_secret);
            let shop = Shop { id, name, secret, currency, locale, program, origins };
            app::add_shop::add(&db::open(&db).await?, &shop, lojal_server::clock::now()).await?;
            println!("Added shop {}.", shop.id);
            if generated {
                println!("Its secret (shown only now; keep it on your server): {}", shop.secret);
            }
            Ok(())
        }
        Command::Webhook { command } => webhook_command(command).await,
        Command::Shop { command: ShopCommand::Platform { id, shopify_secret, woocommerce_secret, db } } => {
            use lojal_core::platforms::Platform;
            use lojal_server::app::set_platform_secret;
            use lojal_server::store::platforms;
            let given = [(Platform::Shopify, shopify_secret), (Platform::WooCommerce, woocommerce_secret)];
            for (_, secret) in &given {
                if let Some(secret) = secret {
                    platforms::check_secret(secret)?;
                }
            }
            let db = db::open(&db).await?;
            shops::get(&db, &id).await?;
            for (platform, secret) in given {
                if let Some(secret) = secret {
                    set_platform_secret::set(&db, &id, platform, &secret, lojal_server::clock::now()).await?;
                    println!(
                        "Shop {id} now takes {} deliveries at /v1/shops/{id}/platforms/{}.",
                        platform.title(),
                        platform.as_str()
                    );
                }
            }
            Ok(())
        }
        Command::Shop { command: ShopCommand::Program { id, file, db } } => {
            let program = read_program(&file)?;
            program.validate()?;
            let db = db::open(&db).await?;
            let shop = shops::get(&db, &id).await?;
            app::set_program::set(&db, &shop, &program).await?;
            println!("Shop {id} now runs the program in {}.", file.display());
            Ok(())
        }
        Command::Recommendations { command: RecommendationsCommand::Rebuild { shop, db } } => {
            let db = db::open(&db).await?;
            shops::get(&db, &shop).await?;
            let baskets = app::rebuild_recommendations::rebuild(&db, &shop).await?;
            println!("Recounted {baskets} orders of shop {shop}.");
            Ok(())
        }
        Command::Customer { command } => customer_command(command).await,
        Command::Import { shop, file, orders, earn, dry_run, skip_bad_rows, report, name, db } => {
            let (path, kind) = match (file, orders) {
                (Some(path), _) => (path, "members"),
                (None, Some(path)) => (path, "orders"),
                (None, None) => return Err(Error::Operation("--file or --orders names the file".into())),
            };
            import(&shop, &path, kind, earn, dry_run, skip_bad_rows, report, name, &db).await
        }
        Command::Ledger { command: LedgerCommand::Verify { shop, db } } => {
            // An audit of a file that is not there would make an empty
            // database and find every invariant holding.
            if let Some(path) = db.strip_prefix("sqlite://").map(|p| p.split('?').next().unwrap_or(p)) {
                if !std::path::Path::new(path).is_file() {
                    return Err(Error::Operation(format!("there is no SQLite database at {path}")));
                }
            }
            let now = lojal_server::clock::now();
            let report = lojal_server::store::audit::verify(&db::open(&db).await?, shop.as_deref(), now).await?;
            for finding in &report.findings {
                println!("shop {}: {}", finding.shop, finding.what);
            }
            println!(
                "Checked {} members of {} shops: {}.",
                report.members,
                report.shops,
                if report.findings.is_empty() {
                    "every invariant holds".to_owned()
                } else {
                    format!("{} findings", report.findings.len())
                }
            );
            if !report.findings.is_empty() {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Demo { addr, storefront_addr, www, store, stop, log: _, webhooks } => {
            let db = db::open(&store.db).await?;
            let api_listener = bind(addr).await?;
            let shop_listener = bind(storefront_addr).await?;
            let api_origin = format!("http://{}", local_addr(&api_listener)?);
            let shop_origin = format!("http://{}", local_addr(&shop_listener)?);
            println!("Seeding the demo shop (first run only)...");
            let shop = demo::seed(&db, &shop_origin).await?;
            let storefront = demo::storefront(StorefrontConfig { db: db.clone(), www, api_origin: api_origin.clone() });
            println!("Lojal API on {api_origin}");
            println!("Demo storefront: {shop_origin}/");
            // On stdout for the person running the demo, never in the logs;
            // in the fragment, which the browser does not send to the server.
            println!("Merchant page: {api_origin}/merchant#shop={}&secret={}", shop.id, shop.secret);
            let worker = webhooks.start(&db);
            let (api, shop) = tokio::join!(
                serve(api_listener, app(AppState::new(db.clone(), store.assets)), stop.timeout()),
                serve(shop_listener, storefront, stop.timeout()),
            );
            worker.stop(stop.timeout()).await;
            api.and(shop)?;
            db.pool.close().await;
            Ok(())
        }
    }
}

async fn webhook_command(command: WebhookCommand) -> Result<()> {
    use lojal_server::app::webhook_endpoints::{self, NewEndpoint};
    use lojal_server::store::webhooks as store;
    match command {
        WebhookCommand::Add { shop, url, events, db } => {
            let endpoint = NewEndpoint::checked(url, events)?;
            let db = db::open(&db).await?;
            shops::get(&db, &shop).await?;
            let created = webhook_endpoints::add(&db, &shop, &endpoint, lojal_server::clock::now()).await?;
            let (url, events) = (&created.endpoint.url, &created.endpoint.events);
            println!("Added webhook {} of shop {shop}: {url} ({}).", created.endpoint.id, events.join(", "));
            println!("Its signing secret (shown only now): {}", created.secret);
        }
        WebhookCommand::List { shop, db } => {
            let db = db::open(&db).await?;
            shops::get(&db, &shop).await?;
            for endpoint in store::list(&mut *db.pool.acquire().await?, &shop).await? {
                let state = match &endpoint.disabled_reason {
                    None => "enabled".to_owned(),
                    Some(reason) => format!("disabled: {reason}"),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{} pending",
                    endpoint.id,
                    endpoint.url,
                    endpoint.events.join(","),
                    state,
                    endpoint.pending
                );
            }
        }
        WebhookCommand::Remove { shop, id, db } => {
            let db = db::open(&db).await?;
            shops::get(&db, &shop).await?;
            webhook_endpoints::remove(&db, &shop, &id).await?;
            println!("Removed webhook {id} of shop {shop}.");
        }
    }
    Ok(())
}

/// A program from a JSON file; a syntax error names its line and column.
#[allow(clippy::too_many_arguments)]
async fn import(
    shop: &str,
    path: &std::path::Path,
    kind: &str,
    earn: bool,
    dry_run: bool,
    skip_bad_rows: bool,
    report: Option<PathBuf>,
    name: Option<String>,
    db: &str,
) -> Result<()> {
    use lojal_server::app::import as imports;
    let data = std::fs::read(path).map_err(Error::io(format!("reading {}", path.display())))?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let options = imports::Options { name: name.unwrap_or(file_name), dry_run, skip_bad_rows, earn };
    let db = db::open(db).await?;
    let shop = shops::get(&db, shop).await?;
    let now = lojal_server::clock::now();
    let done = if kind == "members" {
        imports::members(&db, &shop.id, &shop.program, &data, &options, now).await?
    } else {
        imports::orders(&db, &shop.id, &shop.currency, &shop.program, &data, &options, now).await?
    };
    if skip_bad_rows {
        let report = report.unwrap_or_else(|| path.with_extension("skipped.csv"));
        let text = lojal_core::import::report_csv(&done.skipped);
        std::fs::write(&report, text).map_err(Error::io(format!("writing {}", report.display())))?;
        println!("{} bad rows skipped, listed in {}.", done.skipped.len(), report.display());
    }
    let what = if kind == "members" { "members" } else { "orders" };
    let verb = if dry_run { "Would import" } else { "Imported" };
    println!(
        "{verb} {} {what} into shop {} as \"{}\" ({} points); {} already imported, left as they were.{}",
        done.imported,
        shop.id,
        done.name,
        done.points,
        done.already_imported,
        if dry_run { " Nothing was written (--dry-run)." } else { "" }
    );
    Ok(())
}

fn read_program(path: &std::path::Path) -> Result<lojal_core::program::Program> {
    let text = std::fs::read_to_string(path).map_err(Error::io(format!("reading {}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| Error::BadJson(format!("{}: {e}", path.display())))
}

async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(Error::io(format!("listening on {addr}")))
}

fn local_addr(listener: &TcpListener) -> Result<SocketAddr> {
    listener.local_addr().map_err(Error::io("reading the bound address"))
}

/// Serves until SIGTERM or Ctrl-C, then stops accepting and lets the
/// requests in flight finish, for at most `drain`: an error after that
/// (the process then exits with 1, cutting what is left; a cut transaction
/// is rolled back, never half-written).
async fn serve(listener: TcpListener, router: axum::Router, drain: Duration) -> Result<()> {
    let addr = local_addr(&listener)?;
    let stop = stop_signal()?;
    let (draining, mut drain_started) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            stop.await;
            tracing::info!(
                %addr,
                drain_seconds = drain.as_secs(),
                "stopping: no new connections, finishing the requests in flight"
            );
            let _ = draining.send(true);
        })
        .into_future();
    let deadline = async {
        let _ = drain_started.wait_for(|started| *started).await;
        tokio::time::sleep(drain).await;
    };
    tokio::select! {
        served = server => {
            served.map_err(Error::io("serving HTTP"))?;
            tracing::info!(%addr, "stopped: every request in flight was answered");
            Ok(())
        }
        () = deadline => {
            tracing::warn!(%addr, "stopping with requests still in flight after {} s", drain.as_secs());
            Err(Error::Operation(format!(
                "requests on {addr} were still in flight after --shutdown-timeout {} s; they were cut",
                drain.as_secs()
            )))
        }
    }
}

/// Resolves at the first SIGTERM (how systemd, Docker and Kubernetes stop a
/// service) or SIGINT (Ctrl-C). Listens from the call on, so a signal that
/// comes before the future is first polled is not missed.
fn stop_signal() -> Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).map_err(Error::io("listening for SIGTERM"))?;
        let mut int = signal(SignalKind::interrupt()).map_err(Error::io("listening for SIGINT"))?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

async fn customer_command(command: CustomerCommand) -> Result<()> {
    use lojal_server::app::privacy;
    match command {
        CustomerCommand::Export { shop, id, db } => {
            let db = db::open(&db).await?;
            let shop = shops::get(&db, &shop).await?;
            let data = privacy::export(&db, &shop, &id, lojal_server::clock::now()).await?;
            println!("{}", serde_json::to_string_pretty(&data).expect("the export serializes"));
            Ok(())
        }
        CustomerCommand::Erase { shop, id, db } => {
            let db = db::open(&db).await?;
            let shop = shops::get(&db, &shop).await?;
            let erased = privacy::erase(&db, &shop, &id).await?;
            println!("{}", if erased { "Erased." } else { "Nothing to erase: not a member (or erased before)." });
            Ok(())
        }
    }
}
