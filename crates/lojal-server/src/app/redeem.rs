//! A member spends points on a reward (`POST .../redemptions`): a discount
//! code, paid through the ledger.

use crate::app::enrol;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::ledger::{self, Entry, Reason};
use crate::store::redemptions::{self, Redemption, Worth};
use crate::store::shops::Shop;
use crate::store::{carts, members, tier_standing};
use lojal_core::identity::CustomerId;
use lojal_core::program::{Availability, Program, Reward};
use lojal_core::requests::RedemptionRequest;
use sqlx::AnyConnection;

/// Redeems `request` for `customer` (enrolled if new), checked before
/// anything is written: the reward exists, the points fit its kind, the
/// member's tier may have it now.
pub async fn redeem(
    db: &Db,
    shop: &Shop,
    customer: &CustomerId,
    request: &RedemptionRequest,
    now: i64,
) -> Result<Redemption> {
    let program = &shop.program;
    let reward = program.reward(&request.reward_id).ok_or_else(|| Error::UnknownReward(request.reward_id.clone()))?;
    // Checked before anything is written: how many points, for the kind.
    let points = match (reward.points_off.is_some(), request.points) {
        (true, Some(points)) => points,
        (true, None) => return Err(invalid("points is required for this reward: how many to spend".into())),
        (false, Some(points)) if points != reward.cost => {
            return Err(invalid(format!("points: this reward costs {}", reward.cost)))
        }
        (false, _) => reward.cost,
    };
    let shop = &shop.id;
    let mut tx = db.begin_write().await?;
    enrol::member(&mut tx, shop, program, customer, now).await?;
    // Member-only and early-access rewards: checked on the tier held inside
    // the transaction, as the widget only hides what a shopper cannot redeem.
    let lifetime = members::find(&mut tx, shop, customer.as_str()).await?.map_or(0, |m| m.lifetime_points);
    let held = tier_standing::of(&mut tx, shop, program, customer.as_str(), lifetime, now).await?;
    let tier = held.tier(&program.tiers).map(|t| t.id.as_str());
    if reward.availability(tier, now, &program.zone()) == Availability::Hidden {
        return Err(Error::RewardNotAvailable);
    }
    let worth = match &reward.points_off {
        Some(rule) => {
            // The cart the widget shows, if the shop reports it: the points
            // may pay at most its share of it.
            let cart = carts::get(&mut tx, shop, customer.as_str()).await?;
            let cart_total = cart.map(|(items, _)| lojal_core::api::cart_total(&items));
            let value = rule.price(reward.cost, points, cart_total).map_err(invalid)?;
            Worth { points, value }
        }
        None => Worth::of(reward),
    };
    let redemption = spend_on(&mut tx, shop, program, customer.as_str(), reward, worth, now).await?;
    tx.commit().await?;
    Ok(redemption)
}

/// Spends `worth.points` of a member's balance on `reward` and issues its
/// code carrying `worth.value`, in the caller's write transaction: the
/// spend goes through the ledger's conditional update like every other, so
/// concurrent redemptions never spend past the balance. The member must
/// exist.
pub async fn spend_on(
    conn: &mut AnyConnection,
    shop: &str,
    program: &Program,
    customer: &str,
    reward: &Reward,
    worth: Worth,
    now: i64,
) -> Result<Redemption> {
    // The code first, so the ledger row can name it: each code's points are
    // spent by exactly one row (`ledger verify` checks it). A refused spend
    // fails the transaction, code and all.
    let code = redemptions::issue_worth(conn, shop, customer, reward, worth, now).await?;
    let entry = Entry::new(Reason::Redeem, -worth.points, now).reward(&reward.id).note(&code);
    let posted = ledger::post(conn, shop, customer, program, entry, now).await?;
    let redemption = Redemption { code, points_spent: worth.points, points: posted.balance };
    redemptions::record_redeemed(conn, shop, customer, reward, &redemption, now).await?;
    Ok(redemption)
}

fn invalid(message: String) -> Error {
    Error::Invalid(lojal_core::Error::InvalidRequest(message))
}
