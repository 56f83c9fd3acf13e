//! The shopper's language, one type for the server and the widget, and the
//! few sentences the server writes for shoppers (recommendation reasons,
//! nudges) in each. The widget writes the rest (`src/i18n.rs`).

use crate::nudge::NudgeKind;

/// A shipped language: what `?locale=`, `data-locale` or `<html lang>`
/// ask for, English when they ask for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Sv,
    Da,
}

impl Lang {
    /// `sv`, `sv-SE`, `da_DK`...; English for anything else.
    pub fn parse(tag: &str) -> Lang {
        match tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase().as_str() {
            "sv" => Lang::Sv,
            "da" => Lang::Da,
            _ => Lang::En,
        }
    }

    /// The BCP 47 tag: what the widget sends as `?locale=` and hands to the
    /// browser's `Intl`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sv => "sv",
            Lang::Da => "da",
        }
    }

    /// A whole number grouped as the language writes it.
    pub fn number(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let separator = match self {
            Lang::En => ",",
            Lang::Sv => "\u{a0}",
            Lang::Da => ".",
        };
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(separator);
            }
            out.push(c);
        }
        if n < 0 {
            out.insert(0, '-');
        }
        out
    }
}

pub fn often_bought_with(lang: Lang, item: &str) -> String {
    let item = item.to_lowercase();
    match lang {
        Lang::En => format!("Often bought with {item}"),
        Lang::Sv => format!("Köps ofta med {item}"),
        Lang::Da => format!("Købes ofte med {item}"),
    }
}

pub fn buy_again(lang: Lang) -> String {
    match lang {
        Lang::En => "You buy this often",
        Lang::Sv => "Du köper den ofta",
        Lang::Da => "Du køber den ofte",
    }
    .to_owned()
}

pub fn popular_in(lang: Lang, category: &str) -> String {
    match (lang, category.is_empty()) {
        (Lang::En, false) => format!("Popular in {category}"),
        (Lang::Sv, false) => format!("Populär i {category}"),
        (Lang::Da, false) => format!("Populær i {category}"),
        (Lang::En, true) => "Popular right now".to_owned(),
        (Lang::Sv, true) => "Populär just nu".to_owned(),
        (Lang::Da, true) => "Populær lige nu".to_owned(),
    }
}

/// The figures a nudge's sentence speaks of.
#[derive(Debug, Clone, Default)]
pub struct NudgeFigures<'a> {
    pub points: i64,
    pub items: i64,
    /// `YYYY-MM-DD`.
    pub date: &'a str,
    pub name: &'a str,
    pub code: &'a str,
}

pub fn nudge(lang: Lang, kind: NudgeKind, f: &NudgeFigures<'_>) -> String {
    let n = lang.number(f.points);
    match (lang, kind) {
        (Lang::En, NudgeKind::AbandonedCart) => {
            format!("Your cart is waiting: complete your order to earn {n} points.")
        }
        (Lang::Sv, NudgeKind::AbandonedCart) => format!("Din varukorg väntar: slutför köpet och få {n} poäng."),
        (Lang::Da, NudgeKind::AbandonedCart) => format!("Din kurv venter: gennemfør købet og få {n} point."),
        (Lang::En, NudgeKind::ExpiringPoints) => {
            format!("{n} of your points expire on {}. Use them before then.", f.date)
        }
        (Lang::Sv, NudgeKind::ExpiringPoints) => format!("{n} av dina poäng går ut {}. Använd dem innan dess.", f.date),
        (Lang::Da, NudgeKind::ExpiringPoints) => format!("{n} af dine point udløber {}. Brug dem inden da.", f.date),
        (Lang::En, NudgeKind::WinBack) => format!("We miss you! {} is yours with code {}.", f.name, f.code),
        (Lang::Sv, NudgeKind::WinBack) => format!("Vi saknar dig! {} är din med koden {}.", f.name, f.code),
        (Lang::Da, NudgeKind::WinBack) => format!("Vi savner dig! {} er din med koden {}.", f.name, f.code),
        (Lang::En, NudgeKind::NextTier) => format!("Only {n} points to {}.", f.name),
        (Lang::Sv, NudgeKind::NextTier) => format!("Bara {n} poäng kvar till {}.", f.name),
        (Lang::Da, NudgeKind::NextTier) => format!("Kun {n} point til {}.", f.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_per_language() {
        assert_eq!(Lang::En.number(1_234_567), "1,234,567");
        assert_eq!(Lang::Sv.number(2_140), "2\u{a0}140");
        assert_eq!(Lang::Da.number(-860), "-860");
        assert_eq!(Lang::Da.number(12_000), "12.000");
    }

    #[test]
    fn sentences_carry_their_figures() {
        let f = NudgeFigures { points: 240, ..Default::default() };
        assert_eq!(
            nudge(Lang::En, NudgeKind::AbandonedCart, &f),
            "Your cart is waiting: complete your order to earn 240 points."
        );
        assert_eq!(often_bought_with(Lang::Sv, "Oat milk"), "Köps ofta med oat milk");
        assert_eq!(popular_in(Lang::En, ""), "Popular right now");
        assert_eq!(Lang::parse("da-DK"), Lang::Da);
    }

    #[test]
    fn a_tag_falls_back_to_english_and_region_is_ignored() {
        assert_eq!(Lang::parse("sv"), Lang::Sv);
        assert_eq!(Lang::parse("sv-SE"), Lang::Sv);
        assert_eq!(Lang::parse("DA_dk"), Lang::Da);
        assert_eq!(Lang::parse("fi"), Lang::En);
        assert_eq!(Lang::parse(""), Lang::En);
        for lang in [Lang::En, Lang::Sv, Lang::Da] {
            assert_eq!(Lang::parse(lang.tag()), lang, "a tag reads back as its language");
        }
    }
}
