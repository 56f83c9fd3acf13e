//! What a page view finds fallen due for a member, and its one write
//! transaction: joining (with the sign-up bonus), the expiry of points, a
//! birthday reward, a win-back code. A view that finds none writes nothing.

use super::compose;
use crate::app::enrol;
use crate::db::WriteTx;
use crate::error::{Error, Result};
use crate::store::ledger::{self, Entry, Reason};
use crate::store::member_facts::{self, MemberFacts};
use crate::store::shops::Shop;
use crate::store::{birthdays, members, nudges, redemptions, tier_standing};
use lojal_core::identity::CustomerId;
use lojal_core::nudge::NudgeKind;
use lojal_core::program::{Program, Reward};

/// Whether `facts` show anything due by `now`.
pub fn anything(shop: &Shop, facts: &MemberFacts, now: i64) -> bool {
    let program = &shop.program;
    facts.member.joined_at.is_none()
        || expiry_due(facts, now)
        || birthday_due(program, facts, now).is_some()
        || win_back_due(shop, facts, now).is_some()
}

fn expiry_due(facts: &MemberFacts, now: i64) -> bool {
    facts.member.next_expiry_at.is_some_and(|at| at <= now)
}

fn birthday_due(program: &Program, facts: &MemberFacts, now: i64) -> Option<i32> {
    program.birthday.as_ref()?;
    let (birthday, set_at) = facts.member.birthday?;
    lojal_core::birthday::due(birthday, set_at, facts.birthday_paid, now, &program.zone())
}

/// The reward of the win-back code the member is to see now but has not
/// been issued yet.
fn win_back_due<'p>(shop: &'p Shop, facts: &MemberFacts, now: i64) -> Option<&'p Reward> {
    let program = &shop.program;
    let reward = program.nudges.win_back_reward_id.as_deref().and_then(|id| program.reward(id))?;
    let latest = facts.latest_order.as_ref()?;
    if latest.win_back_code.is_some() {
        return None;
    }
    let held = tier_standing::standing(program, facts.member.lifetime_points, &facts.tier_rows, now);
    (compose::nudge_kind(shop, facts, &held, now) == Some(NudgeKind::WinBack)).then_some(reward)
}

/// Writes everything due for `customer` by `now`, enrolling them first if
/// they are new. Facts are read again under the member's lock, so two
/// views at once write each thing once.
pub async fn write(tx: &mut WriteTx, shop: &Shop, customer: &CustomerId, now: i64) -> Result<()> {
    let (id, program) = (shop.id.as_str(), &shop.program);
    enrol::member(tx, id, program, customer, now).await?;
    ledger::lock_member(tx, id, customer.as_str()).await?;
    let facts = read(tx, shop, customer).await?;
    if facts.member.joined_at.is_none() {
        members::mark_joined(tx, id, customer.as_str(), now).await?;
    }
    if expiry_due(&facts, now) {
        ledger::settle(tx, id, customer.as_str(), program, now).await?;
    }
    if let (Some(year), Some(reward)) = (birthday_due(program, &facts, now), program.birthday) {
        if birthdays::record_paid(tx, id, customer.as_str(), year, reward.points).await? {
            let entry = Entry::new(Reason::Birthday, reward.points, now);
            ledger::post(tx, id, customer.as_str(), program, entry, now).await?;
        }
    }
    // After the rest: which nudge shows depends on the figures they moved.
    if program.nudges.win_back_reward_id.is_some() {
        let facts = read(tx, shop, customer).await?;
        if let (Some(reward), Some(latest)) = (win_back_due(shop, &facts, now), &facts.latest_order) {
            let code = redemptions::issue(tx, id, customer.as_str(), reward, 0, now).await?;
            let issued = nudges::record_win_back(tx, id, customer.as_str(), &code, &reward.id, latest.at, now).await?;
            // Under the member's lock no other view can have issued one
            // since the read; if one did, nothing of this is kept.
            if !issued {
                return Err(Error::SpendConflict(customer.to_string()));
            }
        }
    }
    Ok(())
}

async fn read(tx: &mut WriteTx, shop: &Shop, customer: &CustomerId) -> Result<MemberFacts> {
    member_facts::read(tx, &shop.id, &shop.program, customer.as_str()).await?.ok_or(Error::NotFound)
}
