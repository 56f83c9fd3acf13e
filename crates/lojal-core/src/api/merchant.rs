//! The merchant's answers beyond the widget: `GET .../metrics` and the
//! small replies of the catalogue, webhook and operations endpoints. The
//! server writes these types and `openapi.json` documents them (a test
//! checks that each one's fields are the document's properties).

use crate::feedback::NpsFigures;
use serde::{Deserialize, Serialize};

/// `GET /v1/shops/{shop}/metrics`: whether loyalty pays. Each figure's
/// definition is in [`crate::metrics`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// The shop's currency, which `revenue` and customer values are in.
    pub currency: String,
    /// The window of `retention` and `churn`, in days.
    pub period_days: i64,
    /// Members enrolled (signed in or ordered at least once).
    pub members: i64,
    /// Members with at least one order.
    pub customers_with_orders: i64,
    /// Orders, guests' orders from a platform included.
    pub orders: i64,
    /// Sum of order totals less refunds, minor units (guests' orders from a
    /// platform included).
    pub revenue: i64,
    /// Share of ordering customers with two or more orders.
    pub repeat_purchase_rate: Option<f64>,
    /// Of customers who ordered in the period before the last one, the share
    /// who ordered again in the last period.
    pub retention: Option<f64>,
    /// 1 - retention.
    pub churn: Option<f64>,
    /// Average net revenue per ordering customer to date (minor units).
    pub average_customer_value: Option<f64>,
    /// The same, for customers who have opened the widget signed in (who
    /// know the program) and for those known only from orders.
    pub customer_value_by_membership: MembershipValue,
    pub points: PointsFigures,
    /// Members and revenue by the tier members hold now.
    pub tiers: Vec<TierFigures>,
    pub referrals: ReferralFigures,
    /// Net Promoter Score of the answers in the last `period_days`; null
    /// without answers.
    pub nps: Option<f64>,
    /// The answers behind `nps`: promoters (9-10), passives (7-8),
    /// detractors (0-6).
    pub feedback: NpsFigures,
    /// What members gave to the shop's cause, to date, minor units.
    pub donated_amount: i64,
    /// Store credit from cashback, minor units, to date.
    pub credit: CreditFigures,
    /// The last twelve calendar months (in the shop's zone), oldest first.
    pub months: Vec<Month>,
    /// Customers by the month of their first order, in the last twelve
    /// months, and the share who ordered in each of the six months after.
    pub cohorts: Vec<Cohort>,
    /// Whether recommendations earn money, in the last `period_days`.
    pub recommendations: RecommendationFigures,
}

/// A calendar month (in the shop's time zone) of the shop's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    /// Members who joined this month: enrolled or first ordered, whichever came first.
    pub new_members: i64,
    /// Members at the end of the month.
    pub members: i64,
    pub orders: i64,
    /// Net revenue of the month's orders, minor units.
    pub revenue: i64,
    /// Customers with at least one order this month.
    pub active_customers: i64,
}

/// Customers whose first order fell in one month, and how many of them
/// ordered again in each later month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    /// `YYYY-MM` of the first order.
    pub month: String,
    pub customers: i64,
    /// `retained[k]`: the share of the cohort who ordered in the k-th month
    /// after their first (k = 0 is the month after), for months that have
    /// begun.
    pub retained: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointsFigures {
    /// Points credited: purchases, referral bonuses, positive adjustments.
    pub issued: i64,
    /// Points spent on rewards (and before an import).
    pub redeemed: i64,
    pub expired: i64,
    /// Points members gave to the shop's cause.
    pub donated: i64,
    /// Points taken back by refunds and negative adjustments.
    pub reversed: i64,
    /// Sum of all balances: the program's liability, in points.
    pub outstanding: i64,
    /// redeemed / issued.
    pub redemption_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembershipValue {
    /// Ordering customers who have opened the widget signed in.
    pub members: i64,
    pub members_value: Option<f64>,
    /// Ordering customers known only from the merchant's orders.
    pub non_members: i64,
    pub non_members_value: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditFigures {
    /// Cashback credited on purchases.
    pub issued: i64,
    /// Spent at checkout.
    pub spent: i64,
    /// Taken back by refunds.
    pub reversed: i64,
    /// Held by members now: the program's liability in money.
    pub outstanding: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierFigures {
    pub id: String,
    pub name: String,
    pub members: i64,
    pub revenue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralFigures {
    /// Visits through referral links.
    pub visits: i64,
    /// Members whose first order credited a referrer.
    pub conversions: i64,
}

/// Whether recommendations earn money, over the last `period_days`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecommendationFigures {
    /// Member-days on which the widget showed picks.
    pub views: i64,
    /// Clicks on picks.
    pub clicks: i64,
    /// clicks / views.
    pub click_rate: Option<f64>,
    /// Orders holding an item shown to the member as a pick within
    /// `attribution_days` before the order.
    pub attributed_orders: i64,
    /// Those items' lines in those orders (quantity × price), minor units.
    pub attributed_revenue: i64,
    /// The attribution window, days.
    pub attribution_days: i64,
}

/// `PUT /v1/shops/{shop}/products`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductsReply {
    /// Products in the catalogue now.
    pub products: i64,
}

/// `GET /healthz` and a ready `GET /readyz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// Always `ok`: a failing check answers an error instead.
    pub status: StatusOk,
}

impl Status {
    pub const OK: Status = Status { status: StatusOk::Ok };
}

/// The one value of [`Status::status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusOk {
    Ok,
}

/// A webhook endpoint as the merchant sees it (never its secret, except in
/// [`WebhookCreated`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    /// The event types it receives.
    pub events: Vec<String>,
    /// False once switched off (too long failing, or by hand).
    pub enabled: bool,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; when it was switched off.
    pub disabled_at: Option<String>,
    /// Why it was switched off (the last error).
    pub disabled_reason: Option<String>,
    /// Deliveries waiting.
    pub pending: i64,
}

/// `POST .../webhooks`: the new endpoint and, this once, its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookCreated {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_` and 64 hex digits: the HMAC key of `Lojal-Signature`.
    pub secret: String,
}

/// `GET .../webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookList {
    pub webhooks: Vec<Webhook>,
}

/// One attempt to deliver an event to an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookAttempt {
    pub event_id: String,
    /// The event's type.
    #[serde(rename = "type")]
    pub event_type: String,
    /// RFC 3339.
    pub at: String,
    /// The receiver's HTTP status; `None` when none came.
    pub status: Option<i64>,
    pub duration_ms: i64,
    /// `None` when delivered.
    pub error: Option<String>,
    /// Delivered: `error` is `None`.
    pub ok: bool,
}

/// `GET .../webhooks/{id}/attempts`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookAttempts {
    pub attempts: Vec<WebhookAttempt>,
}

/// An event and how its delivery to each endpoint stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEventSummary {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub customer: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    pub deliveries: Vec<WebhookDelivery>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub endpoint_id: String,
    /// `pending` or `delivered`.
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// `GET .../webhooks/events`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEvents {
    pub events: Vec<WebhookEventSummary>,
}

/// `POST .../webhooks/events/{event_id}/resend`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookResendReply {
    pub event_id: String,
    /// To how many endpoints it goes again.
    pub endpoints: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_is_ok_on_the_wire() {
        assert_eq!(serde_json::to_value(Status::OK).unwrap(), json!({"status": "ok"}));
    }

    #[test]
    fn a_created_webhook_is_the_webhook_with_its_secret_beside_its_fields() {
        let webhook = Webhook {
            id: "wh_1".into(),
            url: "https://example.com/hook".into(),
            events: vec!["points.earned".into()],
            enabled: true,
            created_at: "2026-01-01T00:00:00Z".into(),
            disabled_at: None,
            disabled_reason: None,
            pending: 0,
        };
        let created = WebhookCreated { webhook, secret: "whsec_x".into() };
        let wire = serde_json::to_value(&created).unwrap();
        assert_eq!(wire["secret"], "whsec_x");
        assert_eq!(wire["id"], "wh_1");
        assert_eq!(wire["disabled_at"], serde_json::Value::Null);
        assert_eq!(serde_json::from_value::<WebhookCreated>(wire).unwrap(), created);
    }

    #[test]
    fn an_event_type_is_named_type_on_the_wire() {
        let attempt = WebhookAttempt {
            event_id: "evt_1".into(),
            event_type: "tier.changed".into(),
            at: "2026-01-01T00:00:00Z".into(),
            status: Some(500),
            duration_ms: 12,
            error: Some("HTTP 500".into()),
            ok: false,
        };
        let wire = serde_json::to_value(&attempt).unwrap();
        assert_eq!(wire["type"], "tier.changed");
        assert!(wire.get("event_type").is_none());
    }
}
