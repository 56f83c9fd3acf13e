//! Codes shoppers see: referral codes and discount codes, drawn from the
//! OS's RNG so they cannot be guessed from one another.

// No look-alikes (0/O, 1/I/L), so a code read aloud or retyped survives.
use lojal_core::codes::ALPHABET;
use rand::Rng;

fn draw(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// 6 characters: about 10^9 codes per shop, short enough to share by voice.
pub fn referral_code() -> String {
    draw(6)
}

/// What an erased member's id becomes after `erased-`: 20 characters, about
/// 10^29 values, so pseudonyms neither clash nor lead back to anyone.
pub fn pseudonym_tail() -> String {
    draw(20).to_lowercase()
}

/// `LOJ-XXXX-XXXX`: about 10^12 codes, so one cannot be guessed at checkout.
pub fn discount_code() -> String {
    format!("LOJ-{}-{}", draw(4), draw(4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_their_shape_and_vary() {
        let code = discount_code();
        assert_eq!(code.len(), 13);
        assert!(code.starts_with("LOJ-"));
        assert_eq!(lojal_core::codes::normalize(&code.to_lowercase()), Some(code.clone()));
        assert!(referral_code().bytes().all(|b| ALPHABET.contains(&b)));
        let many: std::collections::HashSet<_> = (0..1000).map(|_| referral_code()).collect();
        assert!(many.len() > 990, "codes repeat too often");
    }
}
