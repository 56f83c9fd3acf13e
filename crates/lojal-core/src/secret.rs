//! How strong a shop secret must be.
//!
//! A shop secret keys the HMAC of every identity and is the merchant API's
//! bearer token: it must carry at least 32 random bytes. Written out, that
//! is at least 64 hex characters or 43 base64 characters (standard or URL
//! alphabet, `=` padding not counted), such as `openssl rand -hex 32` or
//! `openssl rand -base64 32` prints. A string of that length can still be
//! a pattern, so it must also use at least [`MIN_DISTINCT`] different
//! characters, not repeat a shorter part, and not be mostly runs such as
//! `aaaa` or `abcd`.

use crate::Error;

/// Hex characters for 32 bytes.
pub const MIN_HEX_CHARS: usize = 64;
/// Base64 characters for 32 bytes (without padding).
pub const MIN_BASE64_CHARS: usize = 43;
/// Different characters at least: 64 random hex characters have fewer than
/// this about once in 10^12 tries.
pub const MIN_DISTINCT: usize = 10;

/// Checks a shop secret given by a person (see the module's rule).
pub fn validate(secret: &str) -> Result<(), Error> {
    if is_strong(secret) {
        Ok(())
    } else {
        Err(Error::WeakSecret)
    }
}

fn is_strong(secret: &str) -> bool {
    let body = secret.strip_suffix("==").or_else(|| secret.strip_suffix('=')).unwrap_or(secret).as_bytes();
    let base64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_');
    if !body.iter().all(base64) {
        return false;
    }
    let least = if body.iter().all(u8::is_ascii_hexdigit) { MIN_HEX_CHARS } else { MIN_BASE64_CHARS };
    body.len() >= least && distinct(body) >= MIN_DISTINCT && !periodic(body) && !mostly_runs(body)
}

fn distinct(body: &[u8]) -> usize {
    let mut seen = [false; 256];
    body.iter().for_each(|&b| seen[usize::from(b)] = true);
    seen.iter().filter(|&&s| s).count()
}

/// Whether `body` is a shorter part repeated (`abcabcab`).
fn periodic(body: &[u8]) -> bool {
    (1..=body.len() / 2).any(|p| body.iter().zip(&body[p..]).all(|(a, b)| a == b))
}

/// Whether more than half of the neighbouring pairs are the same character
/// or next to each other (`aaaa`, `abcd`, `9876`).
fn mostly_runs(body: &[u8]) -> bool {
    let runs = body.windows(2).filter(|w| w[0].abs_diff(w[1]) <= 1).count();
    runs * 2 > body.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_two_random_bytes_in_hex_or_base64_are_strong() {
        for secret in [
            // openssl rand -hex 32
            "3f9a1c0e7b2d45e8a6c3f1098d7e2b4c5a6f8e9d0c1b2a3f4e5d6c7b8a9f0e1d",
            "3F9A1C0E7B2D45E8A6C3F1098D7E2B4C5A6F8E9D0C1B2A3F4E5D6C7B8A9F0E1D",
            // openssl rand -base64 32, and its URL-safe form without padding
            "q8Vd3Jm+0bX/7kP2rT9wYzL4nH6cF1sGaQeUiOo5RlM=",
            "q8Vd3Jm-0bX_7kP2rT9wYzL4nH6cF1sGaQeUiOo5RlM",
        ] {
            assert_eq!(validate(secret), Ok(()), "{secret}");
        }
    }

    #[test]
    fn short_odd_or_patterned_secrets_are_weak() {
        for secret in [
            "",
            "s3cret",
            "crash-test-secret-0123456789abcdef",
            // 63 hex characters: under 32 bytes.
            "3f9a1c0e7b2d45e8a6c3f1098d7e2b4c5a6f8e9d0c1b2a3f4e5d6c7b8a9f0e1",
            // 42 base64 characters.
            "q8Vd3Jm+0bX/7kP2rT9wYzL4nH6cF1sGaQeUiOo5Rl",
            // Long enough, but not from the alphabets.
            "correct horse battery staple, correct horse battery staple!",
            "q8Vd3Jm+0bX/7kP2rT9wYzL4nH6cF1sGaQeUiOo5RlM\u{0}",
            // Patterns.
            &"a".repeat(64),
            &"0123456789".repeat(7),
            &"s3cret".repeat(11),
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
            &"ab".repeat(40),
        ] {
            assert_eq!(validate(secret), Err(Error::WeakSecret), "{secret:?}");
        }
    }
}
