//! Group commit of orders on SQLite: the orders that arrive while a commit
//! is under way wait for the next one, and go into the database together,
//! in one write transaction with one fsync, each in its own savepoint (one
//! refused order does not refuse the others). Every caller is answered
//! only after the transaction holding its order has committed, so an
//! acknowledged order survives a crash as before.
//!
//! SQLite has one writer at a time and pays an fsync per commit, so orders
//! one by one queue behind each other's fsync and behind the lock's busy
//! wait. PostgreSQL runs writers side by side and groups their WAL flushes
//! itself: there each order keeps its own transaction.
//!
//! Either way, what an order does is `app::ingest_order::within`: this
//! only decides which transaction it runs in.

use crate::app::ingest_order::{self, Receipt};
use crate::db::{Backend, Db};
use crate::error::Result;
use crate::store::earning::Terms;
use crate::store::orders::NewOrder;
use crate::store::recommendations;
use lojal_core::program::Program;
use sqlx::Connection;
use std::collections::HashMap;
use std::sync::OnceLock;
use tokio::sync::{mpsc, oneshot};

/// At most this many orders share a commit: enough to amortise the fsync,
/// few enough that the write lock is never held for long.
const MAX_BATCH: usize = 64;
/// Orders waiting beyond this make their senders wait (backpressure).
const QUEUE: usize = 1024;

/// An order on its way in, and where its answer goes.
struct Job {
    shop: String,
    program: Program,
    order: NewOrder,
    terms: Terms<'static>,
    now: i64,
    reply: oneshot::Sender<Result<Receipt>>,
}

#[derive(Debug)]
pub struct OrderWriter {
    db: Db,
    /// Started on first use, inside the runtime that serves requests.
    queue: OnceLock<mpsc::Sender<Job>>,
}

impl OrderWriter {
    pub fn new(db: Db) -> OrderWriter {
        OrderWriter { db, queue: OnceLock::new() }
    }

    /// Ingests `order` as [`ingest_order::within`] does, answering once it
    /// is committed.
    pub async fn ingest(
        &self,
        shop: &str,
        program: Program,
        order: NewOrder,
        terms: &Terms<'_>,
        now: i64,
    ) -> Result<Receipt> {
        if self.db.backend == Backend::Postgres {
            return ingest_alone(&self.db, shop, &program, &order, terms, now).await;
        }
        let queue = self.queue.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            tokio::spawn(run(self.db.clone(), receiver));
            sender
        });
        let (reply, answer) = oneshot::channel();
        let job = Job { shop: shop.to_owned(), program, order, terms: terms.clone().into_owned(), now, reply };
        if let Err(mpsc::error::SendError(job)) = queue.send(job).await {
            // The writer is gone (its runtime stopped): write it here.
            return ingest_alone(&self.db, &job.shop, &job.program, &job.order, &job.terms, job.now).await;
        }
        match answer.await {
            Ok(result) => result,
            Err(_) => Err(crate::Error::Operation("the order's batch failed before it was written".into())),
        }
    }
}

/// One order in its own transaction.
async fn ingest_alone(
    db: &Db,
    shop: &str,
    program: &Program,
    order: &NewOrder,
    terms: &Terms<'_>,
    now: i64,
) -> Result<Receipt> {
    let mut tx = db.begin_write().await?;
    let receipt = ingest_order::within(&mut tx, shop, program, order, terms, now).await?;
    tx.commit().await?;
    Ok(receipt)
}

/// Takes whatever is waiting, up to [`MAX_BATCH`], commits it, answers.
async fn run(db: Db, mut jobs: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // Each batch in a task of its own: a panic while writing one drops
        // its transaction (nothing written) and its callers' reply senders
        // (each gets an error), and group commit goes on with the next.
        let written = tokio::spawn(write_batch(db.clone(), std::mem::take(&mut batch))).await;
        if written.is_err() {
            tracing::error!("writing a batch of orders failed inside; its orders were answered with an error");
        }
    }
}

async fn write_batch(db: Db, batch: Vec<Job>) {
    let db = &db;
    match ingest_together(db, &batch).await {
        Ok(receipts) => {
            for (job, receipt) in batch.into_iter().zip(receipts) {
                // A caller that went away (its client hung up) needs no answer.
                let _ = job.reply.send(receipt);
            }
        }
        // The shared transaction failed as a whole (its begin or commit):
        // nothing of it was written, and each order gets its own
        // transaction and its own answer, as without group commit.
        Err(_) => {
            for job in batch {
                let result = ingest_alone(db, &job.shop, &job.program, &job.order, &job.terms, job.now).await;
                let _ = job.reply.send(result);
            }
        }
    }
}

/// Every order of `batch` in one transaction, each in a savepoint: the
/// result of each, valid once the transaction has committed. The new
/// orders' baskets are added to the co-occurrence counts once for the batch,
/// summed, before the commit (the counts' rows are most of an order's
/// writes when counted one by one): the next view after an acknowledged
/// order still sees it counted.
async fn ingest_together(db: &Db, batch: &[Job]) -> Result<Vec<Result<Receipt>>> {
    let mut tx = db.begin_write().await?;
    let mut results = Vec::with_capacity(batch.len());
    let mut baskets: HashMap<&str, Vec<Vec<&str>>> = HashMap::new();
    for job in batch {
        let mut savepoint = tx.begin().await?;
        let (shop, order) = (job.shop.as_str(), &job.order);
        match ingest_order::within_counted_by_caller(&mut savepoint, shop, &job.program, order, &job.terms, job.now)
            .await
        {
            Ok(receipt) => {
                savepoint.commit().await?;
                if !receipt.duplicate && !order.items.is_empty() {
                    baskets.entry(shop).or_default().push(order.items.iter().map(|i| i.sku.as_str()).collect());
                }
                results.push(Ok(receipt));
            }
            Err(refused) => {
                savepoint.rollback().await?;
                results.push(Err(refused));
            }
        }
    }
    for (shop, baskets) in &baskets {
        let baskets: Vec<&[&str]> = baskets.iter().map(Vec::as_slice).collect();
        recommendations::count_baskets(&mut tx, shop, &baskets).await?;
    }
    tx.commit().await?;
    Ok(results)
}
