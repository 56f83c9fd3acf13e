//! The words the shopper reads, in each shipped locale, and number
//! formatting by the browser's `Intl` for that locale.

use js_sys::{Array, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Sv,
    Da,
}

impl Locale {
    /// `data-locale`, else `<html lang>` (both given to us as one value by
    /// the loader), else English. Region suffixes are ignored: `sv-SE` is `sv`.
    pub fn pick(requested: Option<&str>) -> Locale {
        let language = requested
            .unwrap_or("")
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match language.as_str() {
            "sv" => Locale::Sv,
            "da" => Locale::Da,
            _ => Locale::En,
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Sv => "sv",
            Locale::Da => "da",
        }
    }

    pub fn messages(self) -> &'static Messages {
        match self {
            Locale::En => &EN,
            Locale::Sv => &SV,
            Locale::Da => &DA,
        }
    }

    /// A whole number as this locale writes it ("2,140", "2 140", "2.140").
    pub fn number(self, n: i64) -> String {
        let locales = Array::of1(&JsValue::from_str(self.tag()));
        Intl::NumberFormat::new(&locales, &Object::new())
            .format()
            .call1(&JsValue::NULL, &JsValue::from_f64(n as f64))
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| n.to_string())
    }

    /// An amount in minor units as a price in `currency` ("249,00 kr").
    pub fn price(self, minor: i64, currency: &str) -> String {
        let options = Object::new();
        let _ = Reflect::set(&options, &"style".into(), &"currency".into());
        let _ = Reflect::set(&options, &"currency".into(), &currency.into());
        let locales = Array::of1(&JsValue::from_str(self.tag()));
        Intl::NumberFormat::new(&locales, &options)
            .format()
            .call1(&JsValue::NULL, &JsValue::from_f64(minor as f64 / 100.0))
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| format!("{} {currency}", minor as f64 / 100.0))
    }
}

/// One locale's words. `{n}` and `{tier}` (a tier's or other name) are
/// filled in by [`fill`].
pub struct Messages {
    pub launcher: &'static str,
    pub title: &'static str,
    pub points: &'static str,
    pub points_to_tier: &'static str,
    pub top_tier: &'static str,
    pub tier_label: &'static str,
    pub guest_intro: &'static str,
    pub earn_per_unit: &'static str,
    pub tiers_heading: &'static str,
    pub from_points: &'static str,
    pub loading: &'static str,
    pub unavailable: &'static str,
    pub close: &'static str,
    pub rewards_heading: &'static str,
}

static EN: Messages = Messages {
    launcher: "Rewards",
    title: "Rewards",
    points: "points",
    points_to_tier: "{n} points to {tier}",
    top_tier: "You have reached our top tier.",
    tier_label: "Your tier",
    guest_intro: "Join our rewards program: earn points on every purchase and unlock rewards.",
    earn_per_unit: "Earn {n} points for every {tier} you spend",
    tiers_heading: "Tiers",
    from_points: "from {n} points",
    loading: "Loading your rewards…",
    unavailable: "Rewards are unavailable right now.",
    close: "Close",
    rewards_heading: "Rewards",
};

static SV: Messages = Messages {
    launcher: "Förmåner",
    title: "Förmåner",
    points: "poäng",
    points_to_tier: "{n} poäng till {tier}",
    top_tier: "Du har nått vår högsta nivå.",
    tier_label: "Din nivå",
    guest_intro: "Bli medlem: samla poäng på varje köp och lås upp belöningar.",
    earn_per_unit: "{n} poäng för varje {tier} du handlar för",
    tiers_heading: "Nivåer",
    from_points: "från {n} poäng",
    loading: "Hämtar dina förmåner…",
    unavailable: "Förmånerna är inte tillgängliga just nu.",
    close: "Stäng",
    rewards_heading: "Belöningar",
};

static DA: Messages = Messages {
    launcher: "Fordele",
    title: "Fordele",
    points: "point",
    points_to_tier: "{n} point til {tier}",
    top_tier: "Du har nået vores højeste niveau.",
    tier_label: "Dit niveau",
    guest_intro: "Bliv medlem: optjen point på hvert køb og lås op for belønninger.",
    earn_per_unit: "{n} point for hver {tier} du handler for",
    tiers_heading: "Niveauer",
    from_points: "fra {n} point",
    loading: "Henter dine fordele…",
    unavailable: "Fordelene er ikke tilgængelige lige nu.",
    close: "Luk",
    rewards_heading: "Belønninger",
};

/// Fills `{n}` and `{tier}` in a message.
pub fn fill(template: &str, n: &str, tier: &str) -> String {
    template.replace("{n}", n).replace("{tier}", tier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_falls_back_to_english_and_ignores_region() {
        assert_eq!(Locale::pick(Some("sv")), Locale::Sv);
        assert_eq!(Locale::pick(Some("sv-SE")), Locale::Sv);
        assert_eq!(Locale::pick(Some("DA_dk")), Locale::Da);
        assert_eq!(Locale::pick(Some("fi")), Locale::En);
        assert_eq!(Locale::pick(None), Locale::En);
    }

    #[test]
    fn fill_replaces_both_placeholders() {
        assert_eq!(
            fill(SV.points_to_tier, "860", "Platina"),
            "860 poäng till Platina"
        );
    }
}
