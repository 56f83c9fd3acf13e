//! Generated sequences of orders, refunds, redemptions, actions, feedback
//! and referrals under a clock that moves by days and months, straight
//! through the server's use cases on both databases: after every step the
//! ledger audit (`ledger verify`) finds nothing, and no spend ever takes a
//! balance below zero. `PROPTEST_CASES=2000` for a long run.

use crate::on_each_backend;
use crate::support::{server, Store};
use lojal_core::identity::CustomerId;
use lojal_core::program::Program;
use lojal_core::requests::LineItem;
use lojal_server::app::{enrol, feedback, ingest_order, pay_action, redeem, refund};
use lojal_server::db::Db;
use lojal_server::store::actions::Cause;
use lojal_server::store::earning::Terms;
use lojal_server::store::orders::NewOrder;
use lojal_server::store::redemptions::Worth;
use lojal_server::store::shops::Shop;
use lojal_server::store::{audit, ledger, members};
use lojal_server::Error;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};

on_each_backend!(no_sequence_of_money_moves_breaks_a_ledger_invariant);

const DAY: i64 = 86_400;
const START: i64 = 1_767_225_600; // 2026-01-01
const CUSTOMERS: [&str; 3] = ["ann", "bo", "cy"];

#[derive(Debug, Clone)]
enum Step {
    /// Customer, total in minor units, whose referral code to use (if any),
    /// and how many days before the clock the order was placed.
    Order {
        customer: usize,
        total: i64,
        referred_by: Option<usize>,
        days_ago: i64,
    },
    /// Which earlier order (modulo their number), and a share in percent
    /// (100: what is left).
    Refund {
        order: usize,
        percent: i64,
    },
    Redeem {
        customer: usize,
        costly: bool,
    },
    Review {
        customer: usize,
    },
    Feedback {
        order: usize,
    },
    Adjust {
        customer: usize,
        points: i64,
    },
    /// The clock moves on.
    Wait {
        days: i64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..3_usize, 0..60_000_i64, proptest::option::weighted(0.3, 0..3_usize), 0..500_i64)
            .prop_map(|(customer, total, referred_by, days_ago)| Step::Order { customer, total, referred_by, days_ago }),
        2 => (any::<usize>(), prop_oneof![Just(100), 1..100_i64]).prop_map(|(order, percent)| Step::Refund { order, percent }),
        2 => (0..3_usize, any::<bool>()).prop_map(|(customer, costly)| Step::Redeem { customer, costly }),
        1 => (0..3_usize).prop_map(|customer| Step::Review { customer }),
        1 => any::<usize>().prop_map(|order| Step::Feedback { order }),
        1 => (0..3_usize, -300..300_i64).prop_map(|(customer, points)| Step::Adjust { customer, points }),
        2 => prop_oneof![1..40_i64, 300..400_i64].prop_map(|days| Step::Wait { days }),
    ]
}

fn program() -> Program {
    let mut program = serde_json::to_value(crate::support::program()).unwrap();
    let extra = json!({
        "actions": [{"id": "review", "kind": "review", "title": "Review", "points": 30, "limit": {"times": 2, "per": "month"}},
                    {"id": "second", "kind": "purchase_count", "title": "Second", "points": 70, "count": 2}],
        "feedback": {"ask_within_days": 30, "points": 20}
    });
    for (key, value) in extra.as_object().unwrap() {
        program[key] = value.clone();
    }
    serde_json::from_value(program).unwrap()
}

async fn new_shop(db: &Db, id: &str) {
    let shop = Shop {
        id: id.into(),
        name: "Property".into(),
        secret: "not-used-here".into(),
        currency: "SEK".into(),
        locale: "sv".into(),
        program: program(),
        origins: vec![],
    };
    lojal_server::app::add_shop::add(db, &shop, lojal_server::clock::now()).await.unwrap();
}

/// Runs one step; refusals a client can cause are fine, anything else fails.
async fn run(db: &Db, shop: &str, step: &Step, now: &mut i64, orders: &mut Vec<String>) -> Result<(), String> {
    let program = program();
    let mut tx = db.begin_write().await.map_err(|e| e.to_string())?;
    let outcome = match step {
        Step::Order { customer, total, referred_by, days_ago } => {
            let id = format!("o-{}", orders.len());
            let referral_code = match referred_by {
                Some(r) => {
                    let referrer = CustomerId::parse(CUSTOMERS[*r]).unwrap();
                    enrol::member(&mut tx, shop, &program, &referrer, *now).await.map_err(|e| e.to_string())?;
                    members::find(&mut tx, shop, CUSTOMERS[*r])
                        .await
                        .map_err(|e| e.to_string())?
                        .map(|m| m.referral_code)
                }
                None => None,
            };
            let order = NewOrder {
                id: id.clone(),
                customer: CustomerId::parse(CUSTOMERS[*customer]).unwrap(),
                total: *total,
                currency: "SEK".into(),
                items: vec![LineItem { sku: format!("sku-{}", total % 7), qty: 1, price: *total }],
                referral_code,
                created_at: *now - days_ago * DAY,
                codes: Vec::new(),
            };
            orders.push(id);
            ingest_order::within(&mut tx, shop, &program, &order, &Terms::plain(&order.currency), *now)
                .await
                .map(|_| ())
        }
        Step::Refund { order, percent } if !orders.is_empty() => {
            let id = &orders[order % orders.len()];
            let total: i64 = sqlx::query_scalar("SELECT total - refunded FROM orders WHERE shop_id = $1 AND id = $2")
                .bind(shop)
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| e.to_string())?;
            let amount = (*percent < 100).then(|| (total * percent / 100).max(1));
            refund::within(&mut tx, shop, &program, id, amount, &[], None, *now).await.map(|_| ())
        }
        Step::Redeem { customer, costly } => {
            let reward = program.reward(if *costly { "r100" } else { "r10" }).unwrap().clone();
            let member = CustomerId::parse(CUSTOMERS[*customer]).unwrap();
            enrol::member(&mut tx, shop, &program, &member, *now).await.map_err(|e| e.to_string())?;
            let before = ledger::balance(&mut tx, shop, member.as_str()).await.map_err(|e| e.to_string())?;
            let result =
                redeem::spend_on(&mut tx, shop, &program, member.as_str(), &reward, Worth::of(&reward), *now).await;
            if let Ok(done) = &result {
                if done.points < 0 {
                    return Err(format!("a redemption of {} from {before} left {} points", reward.cost, done.points));
                }
            }
            result.map(|_| ())
        }
        Step::Review { customer } => {
            let member = CustomerId::parse(CUSTOMERS[*customer]).unwrap();
            enrol::member(&mut tx, shop, &program, &member, *now).await.map_err(|e| e.to_string())?;
            let action = &program.actions[0];
            let event = format!("review-{now}");
            pay_action::pay(
                &mut tx,
                shop,
                &program,
                action,
                member.as_str(),
                Cause { event_id: &event, order_id: None },
                *now,
            )
            .await
            .map(|_| ())
        }
        Step::Feedback { order } if !orders.is_empty() => {
            let id = &orders[order % orders.len()];
            let owner: Option<String> =
                sqlx::query_scalar("SELECT customer_id FROM orders WHERE shop_id = $1 AND id = $2")
                    .bind(shop)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(|e| e.to_string())?;
            match owner {
                Some(owner) => {
                    let request = serde_json::from_value(json!({"order_id": id, "score": 8})).unwrap();
                    let rules = program.feedback.unwrap();
                    feedback::within(&mut tx, shop, &program, &rules, &owner, &request, *now).await.map(|_| ())
                }
                None => Ok(()),
            }
        }
        Step::Adjust { customer, points } => {
            let member = CustomerId::parse(CUSTOMERS[*customer]).unwrap();
            enrol::member(&mut tx, shop, &program, &member, *now).await.map_err(|e| e.to_string())?;
            let entry = ledger::Entry::new(ledger::Reason::Adjustment, *points, *now);
            ledger::post(&mut tx, shop, member.as_str(), &program, entry, *now).await.map(|_| ())
        }
        Step::Wait { days } => {
            *now += days * DAY;
            for customer in CUSTOMERS {
                if members::find(&mut tx, shop, customer).await.map_err(|e| e.to_string())?.is_some() {
                    ledger::settle(&mut tx, shop, customer, &program, *now).await.map_err(|e| e.to_string())?;
                }
            }
            Ok(())
        }
        Step::Refund { .. } | Step::Feedback { .. } => Ok(()),
    };
    match outcome {
        Ok(()) => tx.commit().await.map_err(|e| e.to_string()),
        Err(
            Error::InsufficientPoints { .. }
            | Error::AlreadyRefunded(_)
            | Error::RefundTooLarge { .. }
            | Error::LimitReached(_)
            | Error::AlreadyAnswered
            | Error::FeedbackClosed
            | Error::UnknownOrder(_),
        ) => Ok(()),
        Err(other) => Err(format!("{step:?} failed: {other:?}")),
    }
}

async fn no_sequence_of_money_moves_breaks_a_ledger_invariant(store: Store) {
    let server = server(store).await;
    let shops = AtomicUsize::new(0);
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(24);
    let mut runner = TestRunner::new(Config { cases, ..Config::default() });
    let result = runner.run(&proptest::collection::vec(step(), 1..30), |steps| {
        let shop = format!("prop{}", shops.fetch_add(1, Ordering::Relaxed));
        block_on(async {
            new_shop(&server.db, &shop).await;
            let (mut now, mut orders) = (START, Vec::new());
            for (i, step) in steps.iter().enumerate() {
                run(&server.db, &shop, step, &mut now, &mut orders).await.map_err(TestCaseError::fail)?;
                let report = audit::verify(&server.db, Some(&shop), lojal_server::clock::now()).await.unwrap();
                prop_assert!(report.findings.is_empty(), "after step {i} ({step:?}): {:#?}", report.findings);
            }
            Ok(())
        })
    });
    result.unwrap();
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(future))
}
