//! A person's data, out and erased (GDPR articles 15 and 17).
//!
//! Export reads every table that keeps something about one member. Erasure
//! deletes what is only about them (birthday, feedback comments, cart,
//! nudge state, webhook events about them) and moves what the shop's books
//! need (ledger rows, orders, codes, credit, donations, stamps, actions) to
//! a random pseudonym: the shop's totals and every metric still add up,
//! nothing leads back to the person, and their old id signs in as a new
//! member with nothing.

use crate::clock::rfc3339;
use crate::error::Result;
use crate::store::ledger;
use crate::store::members::{self, Member};
use crate::store::shops::Shop;
use crate::store::{carts, redemptions, webhooks};
use lojal_core::api::{self, CartView};
use lojal_core::privacy::{
    ActionRecord, CreditRecord, DonationRecord, FeedbackRecord, MemberRecord, OrderRecord, PersonalData, PickRecord,
    StampRecord, PSEUDONYM_PREFIX,
};
use lojal_core::requests::LineItem;
use lojal_core::webhooks::Envelope;
use sqlx::{AnyConnection, Row};

/// Tables whose rows about a member stay, under the pseudonym: the money
/// moves and what they were for.
const KEPT_UNDER_PSEUDONYM: &[&str] = &[
    "ledger",
    "credit_ledger",
    "orders",
    "redemptions",
    "feedback",
    "stamp_events",
    "action_events",
    "donations",
    "birthday_rewards",
    // Which picks they saw and clicked: pseudonymous, the recommendation
    // figures still add up.
    "recommendation_views",
    "recommendation_clicks",
];

/// Tables whose rows about a member are only about them: deleted.
const DELETED: &[&str] = &["carts", "nudge_dismissals", "win_backs"];

/// Everything kept about `customer`, or `None` if they are not a member.
pub async fn export(conn: &mut AnyConnection, shop: &Shop, customer: &str, now: i64) -> Result<Option<PersonalData>> {
    let Some(member) = members::find(conn, &shop.id, customer).await? else { return Ok(None) };
    let (credit, stamps, first_seen): (i64, Option<i64>, i64) =
        sqlx::query_as("SELECT credit, stamps, created_at FROM customers WHERE shop_id = $1 AND id = $2")
            .bind(&shop.id)
            .bind(customer)
            .fetch_one(&mut *conn)
            .await?;
    let mut ledger = ledger::history(conn, &shop.id, customer, i64::MAX).await?;
    ledger.reverse();
    let codes = redemptions::of_member(conn, &shop.id, customer, i64::MAX).await?;
    let cart = carts::get(conn, &shop.id, customer)
        .await?
        .map(|(items, _)| CartView { total: api::cart_total(&items), items });
    Ok(Some(PersonalData {
        shop: shop.id.clone(),
        customer: customer.to_owned(),
        exported_at: rfc3339(now),
        member: member_record(member, credit, stamps, first_seen),
        ledger: ledger.into_iter().map(crate::store::ledger::HistoryRow::view).collect(),
        orders: orders(conn, &shop.id, customer).await?,
        codes: codes.iter().map(|c| c.view(&shop.program, &shop.currency, now)).collect(),
        cart,
        feedback: feedback(conn, &shop.id, customer).await?,
        actions: actions(conn, &shop.id, customer).await?,
        credit: credit_rows(conn, &shop.id, customer).await?,
        donations: donations(conn, &shop.id, customer).await?,
        stamps: stamp_rows(conn, &shop.id, customer).await?,
        events: events(conn, &shop.id, customer).await?,
        recommendations: recommendation_events(conn, &shop.id, customer).await?,
        email_hashes: email_hashes(conn, &shop.id, customer).await?,
    }))
}

fn member_record(member: Member, credit: i64, stamps: Option<i64>, first_seen: i64) -> MemberRecord {
    MemberRecord {
        points: member.points,
        lifetime_points: member.lifetime_points,
        credit,
        referral_code: member.referral_code,
        referred_by: member.referred_by,
        referrals: member.referrals,
        joined_at: member.joined_at.map(rfc3339),
        first_seen_at: rfc3339(first_seen),
        birthday: member.birthday.map(|(birthday, _)| birthday),
        stamps,
    }
}

async fn orders(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Vec<OrderRecord>> {
    let rows = sqlx::query(
        "SELECT id, total, currency, created_at, points_awarded, points_reversed, referral_code FROM orders
         WHERE shop_id = $1 AND customer_id = $2 ORDER BY created_at, id",
    )
    .bind(shop)
    .bind(customer)
    .fetch_all(&mut *conn)
    .await?;
    let mut orders = Vec::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get("id")?;
        let items: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT sku, qty, price FROM order_items WHERE shop_id = $1 AND order_id = $2 ORDER BY sku")
                .bind(shop)
                .bind(&id)
                .fetch_all(&mut *conn)
                .await?;
        orders.push(OrderRecord {
            id,
            total: row.try_get("total")?,
            currency: row.try_get("currency")?,
            created_at: rfc3339(row.try_get("created_at")?),
            points_awarded: row.try_get("points_awarded")?,
            points_reversed: row.try_get("points_reversed")?,
            referral_code: row.try_get("referral_code")?,
            items: items.into_iter().map(|(sku, qty, price)| LineItem { sku, qty, price }).collect(),
        });
    }
    Ok(orders)
}

async fn feedback(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Vec<FeedbackRecord>> {
    let rows: Vec<(String, i64, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT order_id, score, comment, points, at FROM feedback WHERE shop_id = $1 AND customer_id = $2 ORDER BY at",
    )
    .bind(shop)
    .bind(customer)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(order_id, score, comment, points, at)| FeedbackRecord {
            order_id,
            score,
            comment,
            points,
            at: rfc3339(at),
        })
        .collect())
}

async fn actions(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Vec<ActionRecord>> {
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT action_id, event_id, points, at FROM action_events WHERE shop_id = $1 AND customer_id = $2 ORDER BY at",
    )
    .bind(shop)
    .bind(customer)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(action_id, event_id, points, at)| ActionRecord { action_id, event_id, points, at: rfc3339(at) })
        .collect())
}

async fn credit_rows(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Vec<CreditRecord>> {
    let rows: Vec<(i64, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT delta, reason, order_id, at FROM credit_ledger WHERE shop_id = $1 AND customer_id = $2 ORDER BY id",
    )
    .bind(shop)
    .bind(customer)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(delta, reason, order_id, at)| CreditRecord { delta, reason, order_id, at: rfc3339(at) })
        .collect())
}

async fn donations(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Vec<DonationRecord>> {
    let rows: Vec<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT points, amount, cause, at FROM donations WHERE shop_id = $1 AND customer_id = $2 ORDER BY at",
    )
    .bind(shop)
    .bind(customer)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(points, amount, cause, at)| DonationRecord { points, amount, cause, at: rfc3339(at) })
        .collect())
}

async fn stamp_rows(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Vec<StampRecord>> {
    let rows: Vec<(String, String, i64, Option<String>, i64)> = sqlx::query_as(
        "SELECT order_id, kind, stamps_after, code, at FROM stamp_events
         WHERE shop_id = $1 AND customer_id = $2 ORDER BY at, order_id",
    )
    .bind(shop)
    .bind(customer)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(order_id, kind, stamps_after, code, at)| StampRecord {
            order_id,
            kind,
            stamps_after,
            code,
            at: rfc3339(at),
        })
        .collect())
}

async fn recommendation_events(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Vec<PickRecord>> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT 'view', sku, at FROM recommendation_views WHERE shop_id = $1 AND customer_id = $2
         UNION ALL
         SELECT 'click', sku, at FROM recommendation_clicks WHERE shop_id = $1 AND customer_id = $2
         ORDER BY 3, 1, 2",
    )
    .bind(shop)
    .bind(customer)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(kind, sku, at)| PickRecord { kind, sku, at: rfc3339(at) }).collect())
}

async fn email_hashes(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT email_hash FROM guest_orders
         WHERE shop_id = $1 AND claimed_by = $2 AND email_hash IS NOT NULL ORDER BY email_hash",
    )
    .bind(shop)
    .bind(customer)
    .fetch_all(&mut *conn)
    .await?)
}

async fn events(conn: &mut AnyConnection, shop: &str, customer: &str) -> Result<Vec<Envelope>> {
    let bodies: Vec<String> =
        sqlx::query_scalar("SELECT body FROM webhook_events WHERE shop_id = $1 AND customer_id = $2 ORDER BY seq")
            .bind(shop)
            .bind(customer)
            .fetch_all(&mut *conn)
            .await?;
    // The body is what was (or will be) sent: JSON this server wrote.
    Ok(bodies.iter().filter_map(|body| serde_json::from_str(body).ok()).collect())
}

/// Erases `customer` of `shop`: see the module's comment. Returns whether
/// there was a member to erase; erasing again finds none and changes
/// nothing. `conn` must be a write transaction.
pub async fn erase(conn: &mut AnyConnection, shop: &Shop, customer: &str) -> Result<bool> {
    let shop = shop.id.as_str();
    // Locked before anything is read: a write for them in flight (an
    // order, a redemption) commits first, and its rows and events are
    // then seen here and erased with the rest.
    ledger::lock_member(conn, shop, customer).await?;
    if members::find(conn, shop, customer).await?.is_none() {
        // Their webhook events go whether or not they are (still) a member.
        webhooks::forget_member(conn, shop, customer).await?;
        return Ok(false);
    }
    let pseudonym = format!("{PSEUDONYM_PREFIX}{}", crate::store::codes::pseudonym_tail());
    copy_member_as(conn, shop, customer, &pseudonym).await?;
    for table in KEPT_UNDER_PSEUDONYM {
        sqlx::query(&format!("UPDATE {table} SET customer_id = $1 WHERE shop_id = $2 AND customer_id = $3"))
            .bind(&pseudonym)
            .bind(shop)
            .bind(customer)
            .execute(&mut *conn)
            .await?;
    }
    // Guest orders they claimed on joining: the claim stays, to the
    // pseudonym; the email hash that named them goes.
    sqlx::query("UPDATE guest_orders SET claimed_by = $1, email_hash = NULL WHERE shop_id = $2 AND claimed_by = $3")
        .bind(&pseudonym)
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    // Their words are theirs; the score stays in the NPS.
    sqlx::query("UPDATE feedback SET comment = NULL WHERE shop_id = $1 AND customer_id = $2")
        .bind(shop)
        .bind(&pseudonym)
        .execute(&mut *conn)
        .await?;
    // Whom they referred keeps its link and bonus, to the pseudonym.
    for (table, column) in [("customers", "referred_by"), ("orders", "referrer_id")] {
        sqlx::query(&format!("UPDATE {table} SET {column} = $1 WHERE shop_id = $2 AND {column} = $3"))
            .bind(&pseudonym)
            .bind(shop)
            .bind(customer)
            .execute(&mut *conn)
            .await?;
    }
    // Another member's event that names them (the referrer's
    // `referral.completed`) names the pseudonym instead.
    sqlx::query(
        "UPDATE webhook_events SET body = REPLACE(body, $1, $2) WHERE shop_id = $3 AND type = 'referral.completed'",
    )
    .bind(format!("\"customer\":\"{customer}\""))
    .bind(format!("\"customer\":\"{pseudonym}\""))
    .bind(shop)
    .execute(&mut *conn)
    .await?;
    // Their own events last: every update above waited for any write still
    // holding one of their rows, so its events are committed by now.
    webhooks::forget_member(conn, shop, customer).await?;
    for table in DELETED {
        sqlx::query(&format!("DELETE FROM {table} WHERE shop_id = $1 AND customer_id = $2"))
            .bind(shop)
            .bind(customer)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM customers WHERE shop_id = $1 AND id = $2")
        .bind(shop)
        .bind(customer)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// A copy of the member's row under `pseudonym`, every column as it is but
/// the id, the referral code (their link stops working) and the birthday.
/// The columns are read from the schema so a column added later is carried
/// over, not lost.
async fn copy_member_as(conn: &mut AnyConnection, shop: &str, customer: &str, pseudonym: &str) -> Result<()> {
    let columns: Vec<String> = if conn.backend_name() == "PostgreSQL" {
        sqlx::query_scalar(
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = 'customers' ORDER BY ordinal_position",
        )
        .fetch_all(&mut *conn)
        .await?
    } else {
        sqlx::query_scalar("SELECT name FROM pragma_table_info('customers') ORDER BY cid").fetch_all(&mut *conn).await?
    };
    let values: Vec<String> = columns
        .iter()
        .map(|column| match column.as_str() {
            "id" | "referral_code" => "$1".to_owned(),
            c if c.starts_with("birthday_") => "NULL".to_owned(),
            c => c.to_owned(),
        })
        .collect();
    sqlx::query(&format!(
        "INSERT INTO customers ({}) SELECT {} FROM customers WHERE shop_id = $2 AND id = $3",
        columns.join(", "),
        values.join(", ")
    ))
    .bind(pseudonym)
    .bind(shop)
    .bind(customer)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The shop's members for a spreadsheet: id, points, lifetime points, tier,
/// when they joined and their last order, by id.
pub async fn members_csv(conn: &mut AnyConnection, shop: &Shop) -> Result<String> {
    type MemberRow = (String, i64, i64, Option<i64>, i64, Option<i64>);
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT c.id, c.points, c.lifetime_points, c.joined_at, c.created_at,
                (SELECT MAX(o.created_at) FROM orders o WHERE o.shop_id = c.shop_id AND o.customer_id = c.id)
         FROM customers c WHERE c.shop_id = $1 ORDER BY c.id",
    )
    .bind(&shop.id)
    .fetch_all(&mut *conn)
    .await?;
    // Member ids are letters, digits and `._@+-` only (`CustomerId`): no
    // cell can hold a spreadsheet formula with a call in it.
    let mut out = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| crate::error::Error::Operation(format!("writing the members CSV: {e}"));
    out.write_record(["id", "points", "lifetime_points", "tier", "joined_at", "last_order_at"]).map_err(io)?;
    for (id, points, lifetime, joined, first_seen, last_order) in rows {
        let tier = lojal_core::tiers::tier_for(&shop.program.tiers, lifetime).map_or("", |t| t.id.as_str());
        let joined = rfc3339(joined.unwrap_or(first_seen));
        let last_order = last_order.map(rfc3339).unwrap_or_default();
        out.write_record([id, points.to_string(), lifetime.to_string(), tier.to_owned(), joined, last_order])
            .map_err(io)?;
    }
    let bytes =
        out.into_inner().map_err(|e| crate::error::Error::Operation(format!("writing the members CSV: {e}")))?;
    Ok(String::from_utf8(bytes).unwrap_or_default())
}
