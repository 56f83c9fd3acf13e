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

/// ISO 4217 minor-unit exponents other than 2, sorted by code: the
/// currencies in [`ACTIVE`] with no decimals (JPY, KRW, ...) or three
/// (KWD, BHD, ...). Every other active currency has two.
const EXPONENTS: &[(&str, u32)] = &[
    ("BHD", 3),
    ("BIF", 0),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("PYG", 0),
    ("RWF", 0),
    ("TND", 3),
    ("UGX", 0),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
];

/// The number of decimals of the currency's minor unit (ISO 4217): 2 for
/// SEK, 0 for JPY, 3 for KWD; `None` for a code not in [`ACTIVE`].
pub fn exponent(code: &str) -> Option<u32> {
    if !is_active(code) {
        return None;
    }
    Some(decimals(code))
}

/// [`exponent`] of a code known to be a currency (the shop's, as the API
/// sends it), without looking it up in [`ACTIVE`]: 2 for any code not
/// listed otherwise. The widget uses this one, which leaves the list of
/// active codes out of its wasm.
pub fn decimals(code: &str) -> u32 {
    EXPONENTS.binary_search_by(|(c, _)| c.cmp(&code)).map_or(2, |i| EXPONENTS[i].1)
}

/// A decimal amount as platforms send it (`"249.00"`, `"1000"`, `"1.250"`)
/// in minor units of `currency`, exactly: digits, optionally a point and
/// more digits, never through floating point. Refused: a sign, spaces,
/// exponents, an empty part, a non-zero digit beyond the currency's
/// decimals (`"1.5"` in JPY, `"0.001"` in SEK; trailing zeros, which some
/// shops print for every currency, change nothing and are allowed), and
/// amounts that do not fit in an `i64`.
pub fn parse_amount(text: &str, currency: &str) -> Result<i64, Error> {
    let exponent = exponent(currency).ok_or_else(|| Error::InvalidCurrency(currency.chars().take(16).collect()))?;
    let shown: String = text.chars().take(32).collect();
    let bad = |why: &str| Error::InvalidRequest(format!("amount `{shown}` {why}"));
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
        return Err(bad("must be digits with an optional decimal point, such as 249.00"));
    }
    let fraction = fraction.unwrap_or("");
    let (kept, beyond) = fraction.split_at(fraction.len().min(exponent as usize));
    if beyond.bytes().any(|b| b != b'0') {
        return Err(bad(&format!("has more decimals than {currency} has ({exponent})")));
    }
    let overflow = || bad("is too large");
    let mut minor: i64 = 0;
    for b in whole.bytes().chain(kept.bytes()) {
        minor = minor.checked_mul(10).and_then(|m| m.checked_add(i64::from(b - b'0'))).ok_or_else(overflow)?;
    }
    // The decimals the text left out (`"5"` or `"5.1"` in SEK).
    for _ in kept.len()..exponent as usize {
        minor = minor.checked_mul(10).ok_or_else(overflow)?;
    }
    Ok(minor)
}

/// An exchange rate a merchant sets: how many units of the shop's currency
/// one unit of another is worth (`"11.50"` SEK per EUR), held exactly as
/// the decimal it was written as, never as a float.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    /// The digits without the point: 1150 for `11.50`.
    digits: u64,
    /// Decimals written: 2 for `11.50`.
    scale: u32,
}

/// A rate has at most this many decimals.
pub const MAX_RATE_DECIMALS: u32 = 8;
/// And is below this, far beyond any pair of currencies in use.
pub const MAX_RATE: u64 = 100_000_000;

impl Rate {
    /// `"11.50"`, `"0.0893"`, `"1000"`: digits with an optional point, above
    /// zero, at most [`MAX_RATE_DECIMALS`] decimals and below [`MAX_RATE`].
    pub fn parse(text: &str) -> Result<Rate, String> {
        let bad = || {
            format!("`{}` must be a decimal number above 0 such as 11.50", text.chars().take(32).collect::<String>())
        };
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || (text.contains('.') && fraction.is_empty()) {
            return Err(bad());
        }
        if fraction.len() > MAX_RATE_DECIMALS as usize {
            return Err(format!("has more than {MAX_RATE_DECIMALS} decimals"));
        }
        let whole = whole.trim_start_matches('0');
        // Nine digits at most: below MAX_RATE, and the digits fit a u64.
        let whole: u64 = if whole.is_empty() {
            0
        } else if whole.len() > 9 {
            MAX_RATE
        } else {
            whole.parse().map_err(|_| bad())?
        };
        if whole >= MAX_RATE {
            return Err(format!("must be below {MAX_RATE}"));
        }
        let scale = fraction.len() as u32;
        let digits = whole * 10_u64.pow(scale) + fraction.parse::<u64>().unwrap_or(0);
        if digits == 0 {
            return Err(bad());
        }
        Ok(Rate { digits, scale })
    }

    /// Checks a rate that did not come through [`Rate::parse`].
    pub fn validate(&self) -> Result<(), String> {
        Rate::parse(&self.to_string()).map(|_| ())
    }

    /// `amount` minor units of `from` (exponent `from_exponent`) in minor
    /// units of the shop's currency (`to_exponent`), rounded down: exact
    /// integer arithmetic, so 12.00 EUR at 11.50 is 138.00 SEK to the öre.
    pub fn convert(&self, amount: i64, from_exponent: u32, to_exponent: u32) -> i64 {
        let numerator = i128::from(amount) * i128::from(self.digits) * 10_i128.pow(to_exponent);
        let denominator = 10_i128.pow(self.scale + from_exponent);
        (numerator.div_euclid(denominator)).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = 10_u64.pow(self.scale);
        if self.scale == 0 {
            write!(f, "{}", self.digits)
        } else {
            write!(f, "{}.{:0width$}", self.digits / unit, self.digits % unit, width = self.scale as usize)
        }
    }
}

impl serde::Serialize for Rate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Rate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Rate, D::Error> {
        let text = String::deserialize(deserializer)?;
        Rate::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_are_sorted_active_and_not_two() {
        assert!(EXPONENTS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(EXPONENTS.iter().all(|(c, e)| is_active(c) && *e != 2));
        assert_eq!(exponent("SEK"), Some(2));
        assert_eq!(exponent("JPY"), Some(0));
        assert_eq!(exponent("KWD"), Some(3));
        assert_eq!(exponent("XXX"), None);
        assert_eq!((decimals("JPY"), decimals("KWD"), decimals("SEK"), decimals("XXX")), (0, 3, 2, 2));
    }

    #[test]
    fn amounts_become_minor_units_exactly() {
        assert_eq!(parse_amount("249.00", "SEK"), Ok(24_900));
        assert_eq!(parse_amount("404.95", "USD"), Ok(40_495));
        assert_eq!(parse_amount("0.07", "EUR"), Ok(7));
        assert_eq!(parse_amount("5", "SEK"), Ok(500));
        assert_eq!(parse_amount("5.1", "SEK"), Ok(510));
        assert_eq!(parse_amount("0", "SEK"), Ok(0));
        assert_eq!(parse_amount("1000", "JPY"), Ok(1000));
        assert_eq!(parse_amount("1000.00", "JPY"), Ok(1000), "trailing zeros change nothing");
        assert_eq!(parse_amount("1.250", "KWD"), Ok(1250));
        assert_eq!(parse_amount("1.25", "KWD"), Ok(1250));
        assert_eq!(parse_amount("0.001", "BHD"), Ok(1));
        // 0.1 + 0.2 in floating point is not 0.3; here it is exact.
        assert_eq!(parse_amount("0.30", "USD"), Ok(30));
        assert_eq!(parse_amount("92233720368547758.07", "USD"), Ok(i64::MAX));
    }

    #[test]
    fn more_decimals_than_the_currency_has_are_refused() {
        for (text, currency) in [("1.5", "JPY"), ("0.001", "SEK"), ("19.999", "USD"), ("1.0001", "KWD")] {
            let e = parse_amount(text, currency).unwrap_err();
            assert!(e.to_string().contains("decimals"), "{text} {currency}: {e}");
        }
    }

    #[test]
    fn garbage_negative_and_overflow_are_refused() {
        for text in [
            "",
            ".",
            "1.",
            ".5",
            "-1.00",
            "+1.00",
            " 1.00",
            "1.00 ",
            "1,00",
            "1e3",
            "1.2.3",
            "NaN",
            "inf",
            "0x10",
            "１２",
            "1_000",
            "92233720368547758.08",
            "99999999999999999999999",
        ] {
            assert!(matches!(parse_amount(text, "USD"), Err(Error::InvalidRequest(_))), "{text:?}");
        }
        assert!(matches!(parse_amount("1.00", "ABC"), Err(Error::InvalidCurrency(_))));
    }

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

    #[test]
    fn rates_are_exact_decimals_and_convert_rounding_down() {
        let eur = Rate::parse("11.50").unwrap();
        assert_eq!(eur.to_string(), "11.50");
        // 12.00 EUR is 138.00 SEK.
        assert_eq!(eur.convert(1_200, 2, 2), 13_800);
        // 0.01 EUR is 0.115 SEK: 11 öre, rounded down.
        assert_eq!(eur.convert(1, 2, 2), 11);
        // 1,000 yen at 0.0712 SEK a yen: 71.20 SEK.
        assert_eq!(Rate::parse("0.0712").unwrap().convert(1_000, 0, 2), 7_120);
        // 1.250 KWD at 34.25 SEK a dinar: 42.8125, so 42.81.
        assert_eq!(Rate::parse("34.25").unwrap().convert(1_250, 3, 2), 4_281);
        // Into a shop in yen: 10.00 EUR at 162.5 is 1,625 yen.
        assert_eq!(Rate::parse("162.5").unwrap().convert(1_000, 2, 0), 1_625);
        assert_eq!(Rate::parse("1000").unwrap().to_string(), "1000");
        assert_eq!(Rate::parse("0.50").unwrap().convert(100, 2, 2), Rate::parse("0.5").unwrap().convert(100, 2, 2));
    }

    #[test]
    fn bad_rates_are_refused() {
        for text in [
            "",
            "0",
            "0.00",
            "-1",
            "1.",
            ".5",
            "1e3",
            "1,5",
            " 1",
            "NaN",
            "0.000000001",
            "100000000",
            "99999999999999999999999",
            "1.2.3",
        ] {
            assert!(Rate::parse(text).is_err(), "{text:?}");
        }
        assert!(serde_json::from_str::<Rate>("11.5").is_err(), "a JSON number, not a string");
        assert_eq!(serde_json::from_str::<Rate>(r#""11.5""#).unwrap().to_string(), "11.5");
    }
}
