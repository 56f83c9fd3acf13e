//! A shop's currency: an ISO 4217 code of money in use.
//!
//! The widget formats prices with the browser's `Intl.NumberFormat`, which
//! throws on a code that is not three letters; a made-up three-letter code
//! would be printed as it is. So a shop's currency is checked against the
//! list, not only its form, when the shop is made.

use crate::Error;

/// ISO 4217 (List One) codes of currencies in use as money, sorted: no
/// funds (BOV, CHE, ...), precious metals, SDRs, bond units, the testing
/// code (XTS) or "no currency" (XXX), and none of the withdrawn ones (HRK,
/// SLL, ANG, ZWL, CUC, ...).
pub const ACTIVE: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF", "BMD",
    "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP",
    "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD",
    "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN",
    "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB",
    "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL",
    "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VED", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// Whether `code` is a currency a shop can sell in: three uppercase
/// letters, in [`ACTIVE`].
pub fn is_active(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) && ACTIVE.binary_search(&code).is_ok()
}

/// Checks a shop's currency (see [`is_active`]).
pub fn validate(code: &str) -> Result<(), Error> {
    if is_active(code) {
        Ok(())
    } else {
        Err(Error::InvalidCurrency(code.chars().take(16).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_three_uppercase_letters_each() {
        assert!(ACTIVE.windows(2).all(|w| w[0] < w[1]), "sorted, without repeats");
        assert!(ACTIVE.iter().all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())));
    }

    #[test]
    fn currencies_in_use_are_accepted() {
        for code in ["SEK", "DKK", "NOK", "EUR", "USD", "GBP", "JPY", "CHF", "XOF", "AED", "ZWG"] {
            assert_eq!(validate(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn anything_else_is_refused() {
        // Not three uppercase letters: Intl.NumberFormat would throw on most.
        for code in ["", "kr", "sek", "Sek", "SEKK", "€", "S€K", "SE ", "12A", "SEK\0"] {
            assert!(matches!(validate(code), Err(Error::InvalidCurrency(_))), "{code:?}");
        }
        // Well formed but not money in use: made up, withdrawn, a fund, a metal, testing, none.
        for code in ["ABC", "KRN", "HRK", "SLL", "ANG", "ZWL", "CUC", "DEM", "CHE", "XAU", "XDR", "XTS", "XXX"] {
            assert!(matches!(validate(code), Err(Error::InvalidCurrency(_))), "{code}");
        }
    }
}
