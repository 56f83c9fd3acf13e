//! The one error type of `lojal-core`.

use thiserror::Error;

/// Why a value from outside (a request, a program file) was refused.
///
/// Every message is written for the person who sent the value: it says what
/// is wrong and what would be right.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("customer id must be 1 to 128 characters of A-Z a-z 0-9 . _ @ + -")]
    InvalidCustomerId,
    #[error("shop id must be 1 to 64 characters of a-z 0-9 - _")]
    InvalidShopId,
    #[error("signature must be 64 lowercase hex characters")]
    MalformedSignature,
    #[error("signature does not match")]
    BadSignature,
    #[error("signature timestamp is more than 24 hours away from now")]
    StaleSignature,
    #[error("invalid program: {0}")]
    InvalidProgram(String),
    #[error("{0}")]
    InvalidRequest(String),
    #[error("currency `{0}` is not the ISO 4217 code of a currency in use (such as SEK, EUR or USD)")]
    InvalidCurrency(String),
    #[error(
        "orders in {currency} are not accepted: the program earns in {program} and has no rate for {currency} \
         (set one with PUT .../program `rates`, such as {{\"{currency}\": \"11.50\"}})"
    )]
    CurrencyNotAccepted { currency: String, program: String },
    #[error("note is required: 1 to {0} characters the shopper will read as the reason")]
    NoteRequired(usize),
    #[error(
        "a shop secret must be at least 32 random bytes: 64 hex or 43 base64 characters \
         (openssl rand -hex 32), with no pattern in it; or leave it out to have one made"
    )]
    WeakSecret,
}
