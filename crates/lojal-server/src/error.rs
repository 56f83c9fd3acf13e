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
    #[error("the request body is not valid JSON for this endpoint: {0}")]
    BadJson(String),
    #[error(transparent)]
    Invalid(#[from] lojal_core::Error),
    #[error("shop `{0}` already exists")]
    ShopExists(String),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored program of shop `{shop}` is unreadable")]
    CorruptProgram {
        shop: String,
        source: serde_json::Error,
    },
    #[error("{context}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("the demo data is unreadable")]
    DemoData(#[from] csv::Error),
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
            Error::BadJson(_) => (StatusCode::BAD_REQUEST, "bad_json"),
            Error::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            Error::ShopExists(_) => (StatusCode::CONFLICT, "shop_exists"),
            Error::Database(_)
            | Error::Migrate(_)
            | Error::CorruptProgram { .. }
            | Error::Io { .. }
            | Error::DemoData(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
            "Something went wrong on our side; nothing was changed.".to_owned()
        } else {
            self.to_string()
        };
        (
            status,
            Json(json!({"error": {"code": code, "message": message}})),
        )
            .into_response()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
