//! The one error type of `lojal-server`, and the one place it becomes HTTP.
//!
//! Every error leaves as the contract's `{"error": {"code", "message"}}`.
//! Internal causes (database, I/O) are logged here and answered with a
//! generic message: they can hold paths, SQL or, worse, a secret.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("there is no shop `{0}`")]
    UnknownShop(String),
    #[error("there is no such endpoint")]
    NotFound,
    #[error("this needs the shop's secret as `Authorization: Bearer ...`")]
    Unauthorized,
    #[error("this needs a signed-in shopper (X-Lojal-Customer, X-Lojal-Ts, X-Lojal-Sig)")]
    NotSignedIn,
    #[error(
        "this needs the {} signature of the body with the shop's {} secret \
         (lojal-server shop platform)", .0.title(), .0.title()
    )]
    PlatformUnverified(lojal_core::platforms::Platform),
    #[error("the request body is not valid JSON: {0}")]
    BadJson(String),
    #[error("the request body does not fit this endpoint: {0}")]
    BadJsonData(String),
    #[error("the request body must be JSON (Content-Type: application/json)")]
    NotJson,
    #[error("the request body is too large")]
    TooLarge,
    #[error(transparent)]
    Invalid(#[from] lojal_core::Error),
    #[error("You need {needed} more points.")]
    InsufficientPoints { needed: i64 },
    #[error("there is no reward `{0}`")]
    UnknownReward(String),
    #[error("{0}: the limit for now is reached.")]
    LimitReached(String),
    #[error("The store credit is {needed} short.")]
    InsufficientCredit { needed: i64 },
    #[error("spend `{0}` was applied before to another member or amount")]
    SpendConflict(String),
    #[error("This order already has an answer.")]
    AlreadyAnswered,
    #[error("This order can no longer be answered.")]
    FeedbackClosed,
    #[error("This reward is not open to your tier yet.")]
    RewardNotAvailable,
    #[error("there is no order `{0}`")]
    UnknownOrder(String),
    #[error("there is no code `{0}`")]
    CodeNotFound(String),
    #[error("code `{code}` was already used by order `{order_id}`")]
    CodeUsed { code: String, order_id: String },
    #[error("code `{0}` was voided")]
    CodeVoid(String),
    #[error("code `{0}` has expired")]
    CodeExpired(String),
    #[error("points may pay at most {share} % of order `{order_id}`: its points-off codes take {value} off, the most is {cap}")]
    CodeOverShare { order_id: String, share: u32, value: i64, cap: i64 },
    #[error("there is no member `{0}`")]
    UnknownCustomer(String),
    #[error("there is no referral code `{0}`")]
    UnknownReferralCode(String),
    #[error("order `{0}` was already received with a different customer, total or currency")]
    OrderConflict(String),
    #[error("order `{0}` is already refunded in full")]
    AlreadyRefunded(String),
    #[error("the refund is larger than what is left of the order ({refundable} minor units)")]
    RefundTooLarge { refundable: i64 },
    #[error("created_at must be an RFC 3339 time, such as 2026-11-24T10:00:00Z")]
    BadTime,
    #[error("created_at is in the future; send the time the order was placed")]
    FutureOrder,
    #[error("refund `{0}` was made before with another amount")]
    RefundConflict(String),
    #[error("Too many requests; try again in {retry_after} seconds.")]
    RateLimited { retry_after: u64 },
    #[error("your birthday is already set; it cannot be changed")]
    BirthdayLocked,
    #[error("could not draw an unused code")]
    CodeSpaceExhausted,
    #[error("shop `{0}` already exists")]
    ShopExists(String),
    #[error("there is no webhook endpoint `{0}`")]
    UnknownWebhook(String),
    #[error("there is no webhook event `{0}`")]
    UnknownEvent(String),
    #[error("a shop has at most 16 webhook endpoints; remove one first")]
    TooManyWebhooks,
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "this database was migrated by a newer lojal-server (migration {found}; this binary knows up to {known}): \
         run that version or newer, or restore a backup taken before the upgrade"
    )]
    DatabaseNewer { found: i64, known: i64 },
    /// An operator's command could not do what was asked (`backup` and
    /// `restore` refusing before changing anything, a stop whose drain ran
    /// out of time): the message says why and what to do.
    #[error("{0}")]
    Operation(String),
    #[error("stored program of shop `{shop}` is unreadable")]
    CorruptProgram { shop: String, source: serde_json::Error },
    #[error("{context}")]
    Io { context: String, source: std::io::Error },
    #[error("the demo data is unreadable")]
    DemoData(#[from] csv::Error),
    #[error("the request is malformed: {0}")]
    BadRequest(String),
    #[error("{0}; nothing was imported (correct them, or skip bad rows to import the rest)")]
    BadImport(String),
    #[error("the request body must be CSV (Content-Type: text/csv)")]
    NotCsv,
    #[error("this endpoint does not take this method")]
    MethodNotAllowed,
    /// `/readyz`: the server cannot serve (yet); the message says why.
    #[error("not ready: {0}")]
    NotReady(String),
    #[error(
        "the metrics token must hold at least 32 random bytes, such as `openssl rand -hex 32` prints, \
         with no pattern in it"
    )]
    WeakMetricsToken,
    /// Any other refusal made outside our handlers (by axum or tower-http).
    #[error("the request was refused ({})", .0.canonical_reason().unwrap_or("unknown reason"))]
    Refused(StatusCode),
}

impl Error {
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Error::UnknownShop(_) => (StatusCode::NOT_FOUND, "unknown_shop"),
            Error::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Error::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Error::NotSignedIn => (StatusCode::UNAUTHORIZED, "not_signed_in"),
            Error::PlatformUnverified(_) => (StatusCode::UNAUTHORIZED, "bad_signature"),
            Error::BadJson(_) => (StatusCode::BAD_REQUEST, "bad_json"),
            Error::BadJsonData(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request"),
            Error::NotJson => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_json"),
            Error::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Error::Invalid(lojal_core::Error::InvalidProgram(_)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_program")
            }
            Error::Invalid(lojal_core::Error::CurrencyNotAccepted { .. }) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "currency_not_accepted")
            }
            Error::Invalid(lojal_core::Error::NoteRequired(_)) => (StatusCode::UNPROCESSABLE_ENTITY, "note_required"),
            Error::Invalid(_) | Error::BadTime | Error::FutureOrder => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request")
            }
            Error::RefundConflict(_) => (StatusCode::CONFLICT, "refund_conflict"),
            Error::InsufficientPoints { .. } => (StatusCode::CONFLICT, "insufficient_points"),
            Error::UnknownReward(_) => (StatusCode::NOT_FOUND, "unknown_reward"),
            Error::LimitReached(_) => (StatusCode::CONFLICT, "limit_reached"),
            Error::InsufficientCredit { .. } => (StatusCode::CONFLICT, "insufficient_credit"),
            Error::SpendConflict(_) => (StatusCode::CONFLICT, "spend_conflict"),
            Error::AlreadyAnswered => (StatusCode::CONFLICT, "already_answered"),
            Error::FeedbackClosed => (StatusCode::CONFLICT, "feedback_closed"),
            Error::RewardNotAvailable => (StatusCode::FORBIDDEN, "reward_not_available"),
            Error::UnknownOrder(_) => (StatusCode::NOT_FOUND, "unknown_order"),
            Error::UnknownCustomer(_) => (StatusCode::NOT_FOUND, "unknown_customer"),
            Error::UnknownReferralCode(_) => (StatusCode::NOT_FOUND, "unknown_referral_code"),
            Error::OrderConflict(_) => (StatusCode::CONFLICT, "order_conflict"),
            Error::CodeNotFound(_) => (StatusCode::NOT_FOUND, "code_not_found"),
            Error::CodeUsed { .. } => (StatusCode::CONFLICT, "code_used"),
            Error::CodeVoid(_) => (StatusCode::CONFLICT, "code_void"),
            Error::CodeExpired(_) => (StatusCode::CONFLICT, "code_expired"),
            Error::CodeOverShare { .. } => (StatusCode::CONFLICT, "code_over_share"),
            Error::AlreadyRefunded(_) => (StatusCode::CONFLICT, "already_refunded"),
            Error::RefundTooLarge { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "refund_too_large"),
            Error::ShopExists(_) => (StatusCode::CONFLICT, "shop_exists"),
            Error::UnknownWebhook(_) => (StatusCode::NOT_FOUND, "unknown_webhook"),
            Error::UnknownEvent(_) => (StatusCode::NOT_FOUND, "unknown_event"),
            Error::TooManyWebhooks => (StatusCode::CONFLICT, "too_many_webhooks"),
            Error::BirthdayLocked => (StatusCode::CONFLICT, "birthday_locked"),
            Error::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Error::CodeSpaceExhausted
            | Error::Database(_)
            | Error::Migrate(_)
            | Error::DatabaseNewer { .. }
            | Error::Operation(_)
            | Error::CorruptProgram { .. }
            | Error::Io { .. }
            | Error::DemoData(_)
            | Error::WeakMetricsToken => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            Error::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Error::BadImport(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_import"),
            Error::NotCsv => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_csv"),
            Error::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Error::NotReady(_) => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
            Error::Refused(status) if status.is_client_error() => (*status, "refused"),
            Error::Refused(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if let Error::NotReady(reason) = &self {
            // Nothing internal: which of the readiness checks failed.
            tracing::warn!(%reason, "not ready");
            self.to_string()
        } else if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
            "Something went wrong on our side; nothing was changed.".to_owned()
        } else {
            self.to_string()
        };
        let mut response = (status, Json(json!({"error": {"code": code, "message": message}}))).into_response();
        if let Error::RateLimited { retry_after } = self {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after.into());
        }
        response
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
