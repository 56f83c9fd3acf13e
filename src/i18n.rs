//! The words the shopper reads, in each shipped language (core's [`Lang`]),
//! number formatting by the browser's `Intl` for it, and the widget's own
//! sentence for each error code the API answers ([`refusal`]).

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The shopper's language: core's, the one the server writes its
/// sentences in too.
pub use lojal_core::words::Lang;

/// How the widget speaks a [`Lang`]: its words, and numbers, prices and
/// dates formatted by the browser's `Intl` for it.
pub trait Speak: Copy {
    fn messages(self) -> &'static Messages;
    fn integer(self, n: i64) -> String;
    fn decimal(self, n: f64) -> Option<String>;
    fn date(self, rfc3339: &str) -> String;
    fn month(self, month: u32) -> String;
    fn month_day(self, month: u32, day: u32) -> String;
    fn day(self, ymd: &str) -> String;
    fn price(self, minor: i64, currency: &str) -> String;
}

impl Speak for Lang {
    fn messages(self) -> &'static Messages {
        match self {
            Lang::En => &EN,
            Lang::Sv => &SV,
            Lang::Da => &DA,
        }
    }

    /// A whole number as this language writes it ("2,140", "2 140", "2.140"),
    /// the same text as `Intl.NumberFormat` (a browser test compares them)
    /// but without it: a page's first `Intl.NumberFormat` loads ICU's data,
    /// some 65 ms of main thread (270 ms on a 4x slower phone), and most
    /// views show no figure but whole numbers. The loader's first view
    /// (`pkg/widget.js`) writes the balance the same way.
    fn integer(self, n: i64) -> String {
        let (separator, minus) = match self {
            Lang::En => (',', '-'),
            // A no-break space, and a minus sign rather than a hyphen.
            Lang::Sv => ('\u{a0}', '\u{2212}'),
            Lang::Da => ('.', '-'),
        };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() * 2);
        if n < 0 {
            out.push(minus);
        }
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        out
    }

    /// A number with up to three decimals as this language writes it ("1.5",
    /// "1,5"). Through Intl, which also keeps Rust's float formatting (some
    /// 15 KB) out of the wasm.
    fn decimal(self, n: f64) -> Option<String> {
        number_format(self.tag(), &Object::new(), n)
    }

    /// An RFC 3339 time as a date this language reads ("24 Nov 2026").
    fn date(self, rfc3339: &str) -> String {
        format_date(self, rfc3339, &[MEDIUM]).unwrap_or_else(|| rfc3339.to_owned())
    }

    /// A month's name ("March", "mars").
    fn month(self, month: u32) -> String {
        format_date(self, &noon_utc(&format!("2000-{month:02}-15")), &[UTC, ("month", "long")])
            .unwrap_or_else(|| month.to_string())
    }

    /// A day of a month without a year ("14 March", "14 mars").
    fn month_day(self, month: u32, day: u32) -> String {
        format_date(
            self,
            &noon_utc(&format!("2000-{month:02}-{day:02}")),
            &[UTC, ("month", "long"), ("day", "numeric")],
        )
        .unwrap_or_else(|| format!("{day}/{month}"))
    }

    /// A `YYYY-MM-DD` day as this language reads it: the date as written
    /// (campaign days are the shop's days), whatever the shopper's time zone.
    fn day(self, ymd: &str) -> String {
        format_date(self, &noon_utc(ymd), &[UTC, MEDIUM]).unwrap_or_else(|| ymd.to_owned())
    }

    /// An amount in minor units as a price in `currency` ("249,00 kr"), or
    /// plainly ("249.00 XYZ") where the browser cannot format it.
    /// Minor units are hundredths in most currencies, ones in JPY and
    /// thousandths in KWD (ISO 4217 exponents).
    fn price(self, minor: i64, currency: &str) -> String {
        let options = Object::new();
        let _ = Reflect::set(&options, &"style".into(), &"currency".into());
        let _ = Reflect::set(&options, &"currency".into(), &currency.into());
        let exponent = lojal_core::currency::decimals(currency);
        let major = minor as f64 / 10_f64.powi(exponent as i32);
        number_format(self.tag(), &options, major).unwrap_or_else(|| plain_price(minor, currency, exponent))
    }
}

/// `Intl.DateTimeFormat` options: a date as "24 Nov 2026", and in UTC.
const MEDIUM: (&str, &str) = ("dateStyle", "medium");
const UTC: (&str, &str) = ("timeZone", "UTC");

/// A `YYYY-MM-DD` day at noon UTC: the same day in UTC as written.
fn noon_utc(ymd: &str) -> String {
    format!("{ymd}T12:00:00Z")
}

/// `date` (as JavaScript's `Date` parses it) formatted in `lang` with
/// `options`; `None` when it is no date.
fn format_date(lang: Lang, date: &str, options: &[(&str, &str)]) -> Option<String> {
    let date = js_sys::Date::new(&JsValue::from_str(date));
    if date.get_time().is_nan() {
        return None;
    }
    let object = Object::new();
    for (key, value) in options {
        let _ = Reflect::set(&object, &(*key).into(), &(*value).into());
    }
    locale_date(&date, lang.tag(), &object)
}

// Every call into Intl goes through these two, which call it by reflection:
// js-sys's typed bindings of `Intl.NumberFormat` and `toLocaleDateString`
// do not catch, so a RangeError (a currency code that is not one, a missing
// Intl) would unwind through the wasm past every destructor, leaving the
// session's RefCells borrowed for the next click to panic on. Caught here,
// a failure is `None` and the caller formats plainly.

/// `new Intl.NumberFormat([tag], options).format(n)`.
fn number_format(tag: &str, options: &Object, n: f64) -> Option<String> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: Function = Reflect::get(&intl, &"NumberFormat".into()).ok()?.dyn_into().ok()?;
    let arguments = Array::of2(&Array::of1(&JsValue::from_str(tag)), options);
    let formatter = Reflect::construct(&constructor, &arguments).ok()?;
    let format: Function = Reflect::get(&formatter, &"format".into()).ok()?.dyn_into().ok()?;
    format.call1(&formatter, &JsValue::from_f64(n)).ok()?.as_string()
}

/// `date.toLocaleDateString(tag, options)`.
fn locale_date(date: &js_sys::Date, tag: &str, options: &Object) -> Option<String> {
    let method: Function = Reflect::get(date, &"toLocaleDateString".into()).ok()?.dyn_into().ok()?;
    method.call2(date, &JsValue::from_str(tag), options).ok()?.as_string()
}

/// A price without Intl: "-12.05 SEK", "1200 JPY", "1.250 KWD". Integer
/// arithmetic, so no float formatting is linked in.
fn plain_price(minor: i64, currency: &str, exponent: u32) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{minor} {currency}");
    }
    let unit = 10_u64.pow(exponent);
    format!("{sign}{}.{:0width$} {currency}", minor / unit, minor % unit, width = exponent as usize)
}

/// One locale's words. `{n}` (a number) and `{name}` (a tier, reward or
/// other name) are filled in by [`fill`].
pub struct Messages {
    pub launcher: &'static str,
    pub title: &'static str,
    pub points: &'static str,
    pub points_to_tier: &'static str,
    pub top_tier: &'static str,
    /// A running campaign: `{n}` its multiplier, `{name}` its last day.
    pub campaign_until: &'static str,
    /// A reward the member's tier sees first: `{name}` the day it opens to all.
    pub early_access: &'static str,
    /// A member-only reward: `{name}` the member's tier.
    pub tier_only: &'static str,
    /// `{name}`: the cause.
    pub give_heading: &'static str,
    /// `{name}`: the total, as a price.
    pub given_together: &'static str,
    /// `{n}` points, `{name}` what they give, as a price.
    pub give_gift: &'static str,
    /// `{name}`: the gift as above.
    pub give_confirm: &'static str,
    /// `{name}`: the amount, as a price.
    pub give_thanks: &'static str,
    /// `{name}`: the credit, as a price.
    pub credit_line: &'static str,
    /// `{n}`: the percent.
    pub cashback_way: &'static str,
    pub birthday_heading: &'static str,
    /// `{name}`: the day and month.
    pub birthday_set: &'static str,
    pub birthday_month: &'static str,
    pub birthday_day: &'static str,
    pub birthday_once: &'static str,
    pub save: &'static str,
    pub ways_heading: &'static str,
    /// An action: `{name}` its title, `{n}` its points.
    pub way_points: &'static str,
    pub follow: &'static str,
    pub done: &'static str,
    /// Stamp card: `{n}` filled, `{name}` stamps on a card.
    pub stamps_filled: &'static str,
    /// `{n}` purchases left, `{name}` the reward.
    pub stamps_to_go: &'static str,
    /// For a guest: `{n}` free stamps on joining, `{name}` the reward.
    pub stamps_head_start: &'static str,
    /// For a guest, no head start: `{n}` stamps fill a card, `{name}` the reward.
    pub stamps_guest: &'static str,
    /// `{name}`: the smallest order that counts, as a price.
    pub stamps_min_order: &'static str,
    /// `{name}`: the shop.
    pub feedback_question: &'static str,
    /// `{n}`: points for answering.
    pub feedback_points: &'static str,
    pub feedback_low: &'static str,
    pub feedback_high: &'static str,
    pub feedback_comment: &'static str,
    pub feedback_send: &'static str,
    pub feedback_thanks: &'static str,
    pub tier_label: &'static str,
    pub negative_note: &'static str,
    pub guest_intro: &'static str,
    pub earn_per_unit: &'static str,
    pub earn_per_unit_one: &'static str,
    pub earn_referral: &'static str,
    pub how_heading: &'static str,
    pub tiers_heading: &'static str,
    pub from_points: &'static str,
    pub join: &'static str,
    pub sign_in: &'static str,
    pub loading: &'static str,
    pub unavailable: &'static str,
    pub close: &'static str,
    pub rewards_heading: &'static str,
    pub redeem: &'static str,
    pub confirm_question: &'static str,
    pub confirm: &'static str,
    pub cancel: &'static str,
    pub missing_points: &'static str,
    pub your_code: &'static str,
    pub code_hint: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub share: &'static str,
    /// The words sent with a shared referral link; `{name}` is the shop.
    pub share_invite: &'static str,
    pub referral_heading: &'static str,
    pub referral_count: &'static str,
    pub recommendations_heading: &'static str,
    pub balance_now: &'static str,
    pub try_again: &'static str,
    pub join_prompt: &'static str,
    pub earn_member: &'static str,
    pub earn_guest: &'static str,
    pub cart_earns: &'static str,
    pub cart_reaches: &'static str,
    pub cart_after: &'static str,
    pub cart_reward: &'static str,
    pub cart_join: &'static str,
    /// A tier at risk over a rolling year: `{name}` the tier, `{n}` the
    /// points, `{date}` the last day.
    pub keep_tier: &'static str,
    /// A guest whose orders' points wait for them: `{n}` the points.
    pub guest_pending: &'static str,
    /// The points picker of a `points_off` reward in the cart view.
    pub points_off_label: &'static str,
    /// `{n}` points, `{name}` the money they take off.
    pub points_off_value: &'static str,
    pub points_off_use: &'static str,
    /// A `points_off` reward in the rewards list: `{n}` points a step,
    /// `{name}` its money.
    pub points_off_in_cart: &'static str,
    pub history_heading: &'static str,
    pub history_empty: &'static str,
    pub dismiss: &'static str,
    pub earn_birthday: &'static str,
    pub codes_heading: &'static str,
    /// An active code that expires: `{name}` the day.
    pub code_valid_until: &'static str,
    /// An active code that does not expire.
    pub code_active: &'static str,
    /// `{name}`: the day an order used it.
    pub code_used: &'static str,
    pub code_void: &'static str,
    /// `{name}`: the day it expired.
    pub code_expired: &'static str,
    /// The API's refusals, by error code: see [`refusal`].
    pub refused_points: &'static str,
    pub refused_reward: &'static str,
    pub refused_limit: &'static str,
    pub refused_closed: &'static str,
    pub refused_birthday_set: &'static str,
    pub refused_input: &'static str,
    pub refused_signed_out: &'static str,
    pub refused_too_often: &'static str,
}

static EN: Messages = Messages {
    launcher: "Rewards",
    title: "Rewards",
    points: "points",
    points_to_tier: "{n} points to {name}",
    top_tier: "You have reached our top tier.",
    campaign_until: "{n}× points until {name}",
    early_access: "Early access: open to all from {name}",
    tier_only: "Only for {name} members",
    give_heading: "Give to {name}",
    given_together: "Together our members have given {name}.",
    give_gift: "Give {n} points ({name})",
    give_confirm: "{name}?",
    give_thanks: "Thank you! You gave {name}.",
    credit_line: "Store credit: {name}, to use at checkout",
    cashback_way: "{n} % of every purchase back as store credit",
    birthday_heading: "Your birthday",
    birthday_set: "Your birthday: {name}.",
    birthday_month: "Month",
    birthday_day: "Day",
    birthday_once: "You can set it once.",
    save: "Save",
    ways_heading: "More ways to earn",
    way_points: "{name}: {n} points",
    follow: "Follow",
    done: "Done ✓",
    stamps_filled: "{n} of {name} stamps",
    stamps_to_go: "{n} more purchases to {name}",
    stamps_head_start: "Join now and start with {n} stamps towards {name}",
    stamps_guest: "Collect {n} stamps and get {name}",
    stamps_min_order: "Every purchase from {name} gets a stamp.",
    feedback_question: "How likely are you to recommend {name} to a friend?",
    feedback_points: "Answer and get {n} points.",
    feedback_low: "0: not at all",
    feedback_high: "10: very likely",
    feedback_comment: "Anything you want to tell us? (optional)",
    feedback_send: "Send answer",
    feedback_thanks: "Thank you for your answer!",
    tier_label: "Your tier",
    negative_note: "Your balance is below zero after a refund; new purchases earn it back.",
    guest_intro: "Join our rewards program: earn points on every purchase and unlock rewards.",
    earn_per_unit: "Earn {n} points for every {name} you spend",
    earn_per_unit_one: "Earn 1 point for every {name} you spend",
    earn_referral: "Earn {n} points when a friend you invite places their first order",
    how_heading: "How to earn",
    tiers_heading: "Tiers",
    from_points: "from {n} points",
    join: "Join now",
    sign_in: "Sign in",
    loading: "Loading your rewards…",
    unavailable: "Rewards are unavailable right now.",
    close: "Close",
    rewards_heading: "Rewards",
    redeem: "Redeem",
    confirm_question: "Spend {n} points on {name}?",
    confirm: "Yes, redeem",
    cancel: "Cancel",
    missing_points: "{n} more points",
    your_code: "Your code for {name}",
    code_hint: "Enter it at checkout.",
    copy: "Copy",
    copied: "Copied",
    share: "Share",
    share_invite: "Join me at {name} and earn points on your first order",
    referral_heading: "Invite a friend",
    referral_count: "{n} friends joined through your link",
    recommendations_heading: "Picked for you",
    balance_now: "You have {n} points",
    try_again: "That did not work. Please try again.",
    join_prompt: "Join to collect points",
    earn_member: "Earn {n} points",
    earn_guest: "Join and earn {n} points",
    cart_earns: "This order earns {n} points",
    cart_reaches: "This order takes you to {name}!",
    cart_after: "After this order: {n} points to {name}",
    cart_reward: "You can use {name} on this order",
    cart_join: "Join and earn {n} points on this order",
    keep_tier: "Keep {name}: earn {n} more points by {date}",
    guest_pending: "Join now and get the {n} points from your last order",
    points_off_label: "Points to use",
    points_off_value: "{n} points = {name} off",
    points_off_use: "Use points",
    points_off_in_cart: "{n} points = {name} off: choose how many in your cart",
    history_heading: "Your points history",
    history_empty: "Nothing yet: your first purchase earns your first points.",
    dismiss: "Dismiss",
    earn_birthday: "Earn {n} points on your birthday",
    codes_heading: "Your codes",
    code_valid_until: "Valid until {name}",
    code_active: "Ready to use at checkout",
    code_used: "Used {name}",
    code_void: "Cancelled",
    code_expired: "Expired {name}",
    refused_points: "You do not have enough points for this.",
    refused_reward: "This reward is not open to you right now.",
    refused_limit: "You have reached the limit for this for now.",
    refused_closed: "This order can no longer be answered.",
    refused_birthday_set: "Your birthday is already set; it cannot be changed.",
    refused_input: "Please check what you entered and try again.",
    refused_signed_out: "Please sign in again and try once more.",
    refused_too_often: "Too many tries: wait a moment and try again.",
};

static SV: Messages = Messages {
    launcher: "Förmåner",
    title: "Förmåner",
    points: "poäng",
    points_to_tier: "{n} poäng till {name}",
    top_tier: "Du har nått vår högsta nivå.",
    campaign_until: "{n}× poäng till och med {name}",
    early_access: "Förtur: öppen för alla från {name}",
    tier_only: "Bara för {name}-medlemmar",
    give_heading: "Ge till {name}",
    given_together: "Tillsammans har våra medlemmar gett {name}.",
    give_gift: "Ge {n} poäng ({name})",
    give_confirm: "{name}?",
    give_thanks: "Tack! Du gav {name}.",
    credit_line: "Tillgodo: {name}, att använda i kassan",
    cashback_way: "{n} % av varje köp tillbaka som tillgodo",
    birthday_heading: "Din födelsedag",
    birthday_set: "Din födelsedag: {name}.",
    birthday_month: "Månad",
    birthday_day: "Dag",
    birthday_once: "Du kan ange den en gång.",
    save: "Spara",
    ways_heading: "Fler sätt att tjäna poäng",
    way_points: "{name}: {n} poäng",
    follow: "Följ",
    done: "Klart ✓",
    stamps_filled: "{n} av {name} stämplar",
    stamps_to_go: "{n} köp kvar till {name}",
    stamps_head_start: "Bli medlem och börja med {n} stämplar mot {name}",
    stamps_guest: "Samla {n} stämplar och få {name}",
    stamps_min_order: "Varje köp från {name} ger en stämpel.",
    feedback_question: "Hur troligt är det att du rekommenderar {name} till en vän?",
    feedback_points: "Svara och få {n} poäng.",
    feedback_low: "0: inte alls",
    feedback_high: "10: mycket troligt",
    feedback_comment: "Något du vill berätta för oss? (valfritt)",
    feedback_send: "Skicka svar",
    feedback_thanks: "Tack för ditt svar!",
    tier_label: "Din nivå",
    negative_note: "Ditt saldo är under noll efter en retur; nya köp tjänar in det igen.",
    guest_intro: "Bli medlem: samla poäng på varje köp och lås upp belöningar.",
    earn_per_unit: "{n} poäng för varje {name} du handlar för",
    earn_per_unit_one: "1 poäng för varje {name} du handlar för",
    earn_referral: "{n} poäng när en vän du bjuder in gör sin första beställning",
    how_heading: "Så samlar du poäng",
    tiers_heading: "Nivåer",
    from_points: "från {n} poäng",
    join: "Bli medlem",
    sign_in: "Logga in",
    loading: "Hämtar dina förmåner…",
    unavailable: "Förmånerna är inte tillgängliga just nu.",
    close: "Stäng",
    rewards_heading: "Belöningar",
    redeem: "Lös in",
    confirm_question: "Använda {n} poäng på {name}?",
    confirm: "Ja, lös in",
    cancel: "Avbryt",
    missing_points: "{n} poäng kvar",
    your_code: "Din kod för {name}",
    code_hint: "Ange den i kassan.",
    copy: "Kopiera",
    copied: "Kopierad",
    share: "Dela",
    share_invite: "Följ med mig till {name} och få poäng på din första beställning",
    referral_heading: "Bjud in en vän",
    referral_count: "{n} vänner har gått med via din länk",
    recommendations_heading: "Utvalt för dig",
    balance_now: "Du har {n} poäng",
    try_again: "Det gick inte. Försök igen.",
    join_prompt: "Bli medlem och samla poäng",
    earn_member: "Du får {n} poäng",
    earn_guest: "Bli medlem och få {n} poäng",
    cart_earns: "Den här beställningen ger {n} poäng",
    cart_reaches: "Den här beställningen tar dig till {name}!",
    cart_after: "Efter beställningen: {n} poäng till {name}",
    cart_reward: "Du kan använda {name} på den här beställningen",
    cart_join: "Bli medlem och få {n} poäng på den här beställningen",
    keep_tier: "Behåll {name}: tjäna {n} poäng till senast {date}",
    guest_pending: "Bli medlem nu och få {n} poäng från din senaste beställning",
    points_off_label: "Poäng att använda",
    points_off_value: "{n} poäng = {name} rabatt",
    points_off_use: "Använd poäng",
    points_off_in_cart: "{n} poäng = {name} rabatt: välj hur många i varukorgen",
    history_heading: "Din poänghistorik",
    history_empty: "Inget än: ditt första köp ger dina första poäng.",
    dismiss: "Stäng",
    earn_birthday: "{n} poäng på din födelsedag",
    codes_heading: "Dina koder",
    code_valid_until: "Giltig till och med {name}",
    code_active: "Redo att använda i kassan",
    code_used: "Användes {name}",
    code_void: "Makulerad",
    code_expired: "Gick ut {name}",
    refused_points: "Du har inte tillräckligt med poäng för det här.",
    refused_reward: "Den här belöningen är inte öppen för dig just nu.",
    refused_limit: "Du har nått gränsen för det här just nu.",
    refused_closed: "Den här beställningen går inte längre att svara på.",
    refused_birthday_set: "Din födelsedag är redan angiven och kan inte ändras.",
    refused_input: "Kontrollera det du angav och försök igen.",
    refused_signed_out: "Logga in igen och försök en gång till.",
    refused_too_often: "För många försök: vänta en stund och försök igen.",
};

static DA: Messages = Messages {
    launcher: "Fordele",
    title: "Fordele",
    points: "point",
    points_to_tier: "{n} point til {name}",
    top_tier: "Du har nået vores højeste niveau.",
    campaign_until: "{n}× point til og med {name}",
    early_access: "Forsalg: åben for alle fra {name}",
    tier_only: "Kun for {name}-medlemmer",
    give_heading: "Giv til {name}",
    given_together: "Sammen har vores medlemmer givet {name}.",
    give_gift: "Giv {n} point ({name})",
    give_confirm: "{name}?",
    give_thanks: "Tak! Du gav {name}.",
    credit_line: "Tilgodehavende: {name}, til brug ved kassen",
    cashback_way: "{n} % af hvert køb tilbage som tilgodehavende",
    birthday_heading: "Din fødselsdag",
    birthday_set: "Din fødselsdag: {name}.",
    birthday_month: "Måned",
    birthday_day: "Dag",
    birthday_once: "Du kan angive den én gang.",
    save: "Gem",
    ways_heading: "Flere måder at optjene point",
    way_points: "{name}: {n} point",
    follow: "Følg",
    done: "Færdig ✓",
    stamps_filled: "{n} af {name} stempler",
    stamps_to_go: "{n} køb mere til {name}",
    stamps_head_start: "Bliv medlem og start med {n} stempler mod {name}",
    stamps_guest: "Saml {n} stempler og få {name}",
    stamps_min_order: "Hvert køb fra {name} giver et stempel.",
    feedback_question: "Hvor sandsynligt er det, at du vil anbefale {name} til en ven?",
    feedback_points: "Svar og få {n} point.",
    feedback_low: "0: slet ikke",
    feedback_high: "10: meget sandsynligt",
    feedback_comment: "Er der noget, du vil fortælle os? (valgfrit)",
    feedback_send: "Send svar",
    feedback_thanks: "Tak for dit svar!",
    tier_label: "Dit niveau",
    negative_note: "Din saldo er under nul efter en returnering; nye køb tjener det ind igen.",
    guest_intro: "Bliv medlem: optjen point på hvert køb og lås op for belønninger.",
    earn_per_unit: "{n} point for hver {name} du handler for",
    earn_per_unit_one: "1 point for hver {name} du handler for",
    earn_referral: "{n} point når en ven, du inviterer, afgiver sin første ordre",
    how_heading: "Sådan optjener du point",
    tiers_heading: "Niveauer",
    from_points: "fra {n} point",
    join: "Bliv medlem",
    sign_in: "Log ind",
    loading: "Henter dine fordele…",
    unavailable: "Fordelene er ikke tilgængelige lige nu.",
    close: "Luk",
    rewards_heading: "Belønninger",
    redeem: "Indløs",
    confirm_question: "Bruge {n} point på {name}?",
    confirm: "Ja, indløs",
    cancel: "Annuller",
    missing_points: "{n} point mangler",
    your_code: "Din kode til {name}",
    code_hint: "Indtast den ved kassen.",
    copy: "Kopiér",
    copied: "Kopieret",
    share: "Del",
    share_invite: "Kom med i {name} og få point på din første ordre",
    referral_heading: "Invitér en ven",
    referral_count: "{n} venner er kommet med via dit link",
    recommendations_heading: "Udvalgt til dig",
    balance_now: "Du har {n} point",
    try_again: "Det lykkedes ikke. Prøv igen.",
    join_prompt: "Bliv medlem og optjen point",
    earn_member: "Du får {n} point",
    earn_guest: "Bliv medlem og få {n} point",
    cart_earns: "Denne ordre giver {n} point",
    cart_reaches: "Denne ordre bringer dig til {name}!",
    cart_after: "Efter ordren: {n} point til {name}",
    cart_reward: "Du kan bruge {name} på denne ordre",
    cart_join: "Bliv medlem og få {n} point på denne ordre",
    keep_tier: "Behold {name}: optjen {n} point mere senest {date}",
    guest_pending: "Bliv medlem nu og få {n} point fra din seneste ordre",
    points_off_label: "Point at bruge",
    points_off_value: "{n} point = {name} rabat",
    points_off_use: "Brug point",
    points_off_in_cart: "{n} point = {name} rabat: vælg hvor mange i kurven",
    history_heading: "Din pointhistorik",
    history_empty: "Intet endnu: dit første køb giver dine første point.",
    dismiss: "Luk",
    earn_birthday: "{n} point på din fødselsdag",
    codes_heading: "Dine koder",
    code_valid_until: "Gyldig til og med {name}",
    code_active: "Klar til brug ved kassen",
    code_used: "Brugt {name}",
    code_void: "Annulleret",
    code_expired: "Udløbet {name}",
    refused_points: "Du har ikke point nok til dette.",
    refused_reward: "Denne belønning er ikke åben for dig lige nu.",
    refused_limit: "Du har nået grænsen for dette lige nu.",
    refused_closed: "Denne ordre kan ikke længere besvares.",
    refused_birthday_set: "Din fødselsdag er allerede angivet og kan ikke ændres.",
    refused_input: "Tjek det, du har angivet, og prøv igen.",
    refused_signed_out: "Log ind igen, og prøv en gang til.",
    refused_too_often: "For mange forsøg: vent et øjeblik, og prøv igen.",
};

/// What the shopper reads when the API refuses what they asked: the
/// widget's own sentence for the error `code` (the codes of
/// `crates/lojal-server/src/error.rs`), in their language. The server's
/// `message` is English for the merchant's developers: it goes to the
/// `lojal:error` event, never on screen. Any other code gets "Please try
/// again", and so does no answer at all (`unreachable`, `bad_response`):
/// the shopper can do nothing else either way.
pub fn refusal(lang: Lang, code: &str) -> &'static str {
    let words = lang.messages();
    match code {
        "insufficient_points" => words.refused_points,
        // Both only when the program changed since the page was drawn.
        "unknown_reward" | "reward_not_available" => words.refused_reward,
        "limit_reached" => words.refused_limit,
        "already_answered" | "feedback_closed" | "unknown_order" => words.refused_closed,
        "birthday_locked" => words.refused_birthday_set,
        "invalid_request" => words.refused_input,
        "not_signed_in" => words.refused_signed_out,
        "rate_limited" => words.refused_too_often,
        _ => words.try_again,
    }
}

/// Fills `{n}` and `{name}` in a message.
pub fn fill(template: &str, n: &str, name: &str) -> String {
    template.replace("{n}", n).replace("{name}", name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_grouped_as_intl_groups_them() {
        assert_eq!(Lang::En.integer(1_234_567), "1,234,567");
        assert_eq!(Lang::En.integer(-1_234), "-1,234");
        assert_eq!(Lang::Sv.integer(1_234), "1\u{a0}234");
        assert_eq!(Lang::Sv.integer(-5), "\u{2212}5");
        assert_eq!(Lang::Da.integer(-1_234_567), "-1.234.567");
        assert_eq!(Lang::Da.integer(999), "999");
        assert_eq!(Lang::En.integer(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn a_price_intl_cannot_format_is_written_plainly() {
        assert_eq!(plain_price(12_345, "XYZ", 2), "123.45 XYZ");
        assert_eq!(plain_price(-1_205, "kr", 2), "-12.05 kr");
        assert_eq!(plain_price(7, "SEK", 2), "0.07 SEK");
        assert_eq!(plain_price(i64::MIN, "SEK", 2), "-92233720368547758.08 SEK");
        assert_eq!(plain_price(1_200, "JPY", 0), "1200 JPY");
        assert_eq!(plain_price(1_250, "KWD", 3), "1.250 KWD");
    }

    #[test]
    fn the_keep_tier_line_reads_as_the_issue_says() {
        let line = fill(EN.keep_tier, "300", "Guld").replace("{date}", "31 March");
        assert_eq!(line, "Keep Guld: earn 300 more points by 31 March");
        for words in [&EN, &SV, &DA] {
            assert!(words.keep_tier.contains("{date}") && words.guest_pending.contains("{n}"));
        }
    }

    #[test]
    fn a_refusal_is_worded_in_the_shoppers_language() {
        assert_eq!(refusal(Lang::Sv, "insufficient_points"), "Du har inte tillräckligt med poäng för det här.");
        assert_eq!(refusal(Lang::Da, "birthday_locked"), "Din fødselsdag er allerede angivet og kan ikke ændres.");
        assert_eq!(refusal(Lang::En, "reward_not_available"), "This reward is not open to you right now.");
        // A code added to the server later: a sentence all the same.
        assert_eq!(refusal(Lang::Sv, "something_new"), SV.try_again);
        assert_eq!(refusal(Lang::Da, ""), DA.try_again);
    }

    #[test]
    fn every_worded_code_reads_differently_in_each_language() {
        let codes = [
            "insufficient_points",
            "unknown_reward",
            "reward_not_available",
            "limit_reached",
            "already_answered",
            "feedback_closed",
            "birthday_locked",
            "invalid_request",
            "not_signed_in",
            "rate_limited",
        ];
        for code in codes {
            let [en, sv, da] = [Lang::En, Lang::Sv, Lang::Da].map(|lang| refusal(lang, code));
            assert!(en != sv && sv != da && en != da, "{code}: {en} / {sv} / {da}");
            assert_ne!(en, EN.try_again, "{code} has words of its own");
        }
    }

    #[test]
    fn fill_replaces_both_placeholders() {
        assert_eq!(fill(SV.points_to_tier, "860", "Platina"), "860 poäng till Platina");
    }
}
