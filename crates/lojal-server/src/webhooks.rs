//! The webhook delivery worker: a task beside the API that sends what the
//! outbox (`store::outbox`) holds, signed (`lojal_core::webhooks::sign`),
//! at least once, one member's events in order, retrying with exponential
//! backoff until the retry window (a day) has passed, then switching the
//! endpoint off with the reason. It also writes the `points.expiring`
//! reminders. It stops with the server.
//!
//! A background job is its own use case: like `app/` for a request, the
//! worker begins its write transactions here ([`claim`], [`record`],
//! [`remind_expiring`]) and reads the clock, and `store::webhooks` writes
//! the rows in them.

use crate::clock;
use crate::db::Db;
use crate::error::Result;
use crate::store::webhooks::{self as store, Due, Finished, Outcome, Retry};
use lojal_core::webhooks::{backoff_ms, sign, EVENT_ID_HEADER, SIGNATURE_HEADER};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How the worker runs; [`Config::default`] is production's.
#[derive(Debug, Clone)]
pub struct Config {
    /// How often the outbox is looked at.
    pub poll: Duration,
    /// The first retry's wait; each next one doubles, up to an hour.
    pub retry_base_ms: u64,
    /// How long after a delivery's first failed attempt it is still retried;
    /// past it, the endpoint is switched off.
    pub retry_window_ms: i64,
    /// An answer slower than this is a failure.
    pub timeout: Duration,
    /// Remind (`points.expiring`) this many seconds before points expire.
    pub expiring_within: i64,
    /// How often members are looked at for reminders.
    pub sweep_every: Duration,
    /// Deliveries in flight at once.
    pub concurrency: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            poll: Duration::from_millis(500),
            retry_base_ms: 30_000,
            retry_window_ms: 24 * 3_600_000,
            timeout: Duration::from_secs(10),
            expiring_within: 7 * 86_400,
            sweep_every: Duration::from_secs(60),
            concurrency: 32,
        }
    }
}

/// The running worker.
pub struct Worker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

/// Starts the worker on the current runtime.
pub fn start(db: Db, config: Config) -> Worker {
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(db, config, stopped));
    Worker { stop, task }
}

impl Worker {
    /// Stops claiming and lets the deliveries in flight finish for at most
    /// `drain`; any cut off is sent again after its lease (at least once).
    pub async fn stop(self, drain: Duration) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(drain, &mut task).await.is_err() {
            task.abort();
        }
    }
}

async fn run(db: Db, config: Config, mut stopped: watch::Receiver<bool>) {
    let client = match reqwest::Client::builder()
        .timeout(config.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Lojal-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "webhooks: cannot make an HTTP client; nothing will be delivered");
            return;
        }
    };
    let mut in_flight: JoinSet<Finished> = JoinSet::new();
    let mut last_sweep: Option<Instant> = None;
    // Longer than an attempt can take, so a delivery is not claimed twice
    // while in flight; after a crash it is tried again once this passes.
    let lease_ms = config.timeout.as_millis() as i64 + 5_000;
    let mut done = Vec::new();
    loop {
        let turn = tokio::time::Instant::now();
        while let Some(finished) = in_flight.try_join_next() {
            done.extend(finished.ok());
        }
        if last_sweep.is_none_or(|at| at.elapsed() >= config.sweep_every) {
            last_sweep = Some(Instant::now());
            match remind_expiring(&db, clock::now(), config.expiring_within).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(events = n, "webhooks: points.expiring reminders written"),
                Err(e) => tracing::warn!(error = %e, "webhooks: the reminder sweep failed"),
            }
        }
        // The attempts that ended since the last turn, and the next due.
        let room = config.concurrency.saturating_sub(in_flight.len());
        let now_ms = clock::now_ms();
        match claim(&db, &done, now_ms, now_ms + lease_ms, room as i64).await {
            Ok(due) => {
                for due in due {
                    in_flight.spawn(deliver(client.clone(), config.clone(), due));
                }
            }
            // Their leases run out and they are tried again (at least once).
            Err(e) => {
                tracing::warn!(error = %e, attempts = done.len(), "webhooks: the outbox could not be read or written")
            }
        }
        done.clear();
        tokio::select! {
            _ = stopped.changed() => break,
            () = tokio::time::sleep(config.poll) => {}
            // One finished: the next event of its member may be due now.
            // Others that finish meanwhile are recorded with it, in one
            // transaction per turn at most every `TURN`.
            Some(finished) = in_flight.join_next(), if !in_flight.is_empty() => {
                done.extend(finished.ok());
                tokio::time::sleep_until(turn + TURN).await;
            }
        }
    }
    while let Some(finished) = in_flight.join_next().await {
        done.extend(finished.ok());
    }
    record(&db, &mut done).await;
}

/// The shortest time between two of the worker's write transactions.
const TURN: Duration = Duration::from_millis(50);

/// Records the attempts in `done` and claims up to `limit` deliveries due
/// by `now_ms` until `lease_ms` (see [`store::claim`]): one write
/// transaction for both, and none when there is nothing to record or
/// claim, since on SQLite every write transaction waits for the one writer
/// and syncs the disk.
async fn claim(db: &Db, done: &[Finished], now_ms: i64, lease_ms: i64, limit: i64) -> Result<Vec<Due>> {
    if done.is_empty() && (limit <= 0 || !store::any_due(&mut *db.pool.acquire().await?, now_ms).await?) {
        return Ok(Vec::new());
    }
    let mut tx = db.begin_write().await?;
    for finished in done {
        store::finish(&mut tx, finished).await?;
    }
    let claimed = if limit > 0 { store::claim(&mut tx, now_ms, lease_ms, limit).await? } else { Vec::new() };
    tx.commit().await?;
    Ok(claimed)
}

/// Writes a `points.expiring` event for each member of a shop with an
/// enabled endpoint whose next points expire within `within` seconds of
/// `now`, once per member and expiry date, in one write transaction (none
/// when no one is due a reminder). Returns how many were written.
pub async fn remind_expiring(db: &Db, now: i64, within: i64) -> Result<usize> {
    let mut conn = db.pool.acquire().await?;
    let due = store::expiring(&mut conn, now, within).await?;
    drop(conn);
    if due.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    let mut written = 0;
    for member in &due {
        if store::remind(&mut tx, member, now).await? {
            written += 1;
        }
    }
    tx.commit().await?;
    Ok(written)
}

async fn record(db: &Db, done: &mut Vec<Finished>) {
    if let Err(e) = claim(db, done, 0, 0, 0).await {
        // Their leases run out and they are tried again (at least once).
        tracing::warn!(error = %e, attempts = done.len(), "webhooks: recording attempts failed");
    }
    done.clear();
}

async fn deliver(client: reqwest::Client, config: Config, due: Due) -> Finished {
    let at_ms = clock::now_ms();
    let started = Instant::now();
    let signature = sign(&due.secret, at_ms / 1000, due.body.as_bytes());
    let sent = client
        .post(&due.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signature)
        .header(EVENT_ID_HEADER, &due.event_id)
        .body(due.body.clone())
        .send()
        .await;
    let (status, error) = match sent {
        Ok(answer) if answer.status().is_success() => (Some(i64::from(answer.status().as_u16())), None),
        Ok(answer) => (Some(i64::from(answer.status().as_u16())), Some(format!("answered HTTP {}", answer.status()))),
        Err(e) => (None, Some(describe(e, config.timeout))),
    };
    let outcome = Outcome { at_ms, status, duration_ms: started.elapsed().as_millis() as i64, error };
    let done_ms = clock::now_ms();
    let first = due.first_attempt_ms.unwrap_or(at_ms);
    let retry = if done_ms - first >= config.retry_window_ms {
        Retry::GiveUp
    } else {
        let attempts = u32::try_from(due.attempts + 1).unwrap_or(u32::MAX);
        Retry::At(done_ms + backoff_ms(config.retry_base_ms, attempts) as i64)
    };
    match &outcome.error {
        None => tracing::debug!(endpoint = %due.endpoint_id, event = %due.event_id, "webhook delivered"),
        Some(error) if retry == Retry::GiveUp => tracing::warn!(
            endpoint = %due.endpoint_id, event = %due.event_id, %error,
            "webhook endpoint switched off: deliveries failed past the retry window"
        ),
        Some(error) => {
            tracing::info!(endpoint = %due.endpoint_id, event = %due.event_id, %error, "webhook attempt failed")
        }
    }
    Finished { due, outcome, retry }
}

/// Why a request failed, without its address (which may hold a token).
fn describe(e: reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", timeout.as_secs());
    }
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(300).collect()
}
