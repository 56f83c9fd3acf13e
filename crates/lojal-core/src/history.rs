//! Why a balance moved: each ledger row of a member's history as a
//! sentence the shopper understands, in each shipped language, with its
//! detail (the order, the reward's title, the merchant's note, the amount
//! and rate of an order in another currency).
//!
//! The widget writes these in its history; they live here, beside the
//! reasons the server writes, so that every reason is worded and tested.

use crate::api::{Converted, LedgerEntryView, WidgetData};
use crate::ledger::Reason;
use crate::words::Lang;

/// The sentence for `entry`. `data` gives the titles of rewards and ways to
/// earn the row names by id, and the shop's currency; `price` formats an
/// amount in minor units of a currency as the shopper reads it.
pub fn describe(lang: Lang, data: &WidgetData, entry: &LedgerEntryView, price: &dyn Fn(i64, &str) -> String) -> String {
    let note = entry.note.as_deref().unwrap_or("");
    let sentence = match template(lang, &entry.reason, entry.delta < 0) {
        Some(template) => fill(template, data, entry),
        // A reason this widget does not know yet (a newer server): the
        // note if the row has one, else plain words.
        None if !note.is_empty() => note.to_owned(),
        None => match lang {
            Lang::En => "Points balance changed",
            Lang::Sv => "Poängsaldot ändrades",
            Lang::Da => "Pointsaldoen ændret",
        }
        .to_owned(),
    };
    match &entry.converted {
        Some(converted) => format!("{sentence} ({})", conversion(lang, converted, &data.shop.currency, price)),
        None => sentence,
    }
}

/// The words of a reason, with `{order}`, `{reward}`, `{note}` and
/// `{action}` for its detail; `taken_back`: the row takes points away.
/// Templates rather than `format!` per arm keep the widget's wasm small.
fn template(lang: Lang, reason: &str, taken_back: bool) -> Option<&'static str> {
    use Lang::{Da, En, Sv};
    use Reason::*;
    // Every reason worded, the match being exhaustive: a reason added to
    // the ledger does not build until it has its words here.
    Some(match (Reason::parse(reason)?, lang, taken_back) {
        (Earn, En, _) => "Purchase, order {order}",
        (Earn, Sv, _) => "Köp, order {order}",
        (Earn, Da, _) => "Køb, ordre {order}",
        (Refund, En, _) => "Refund of order {order}",
        (Refund, Sv, _) => "Återbetalning av order {order}",
        (Refund, Da, _) => "Refusion af ordre {order}",
        (Redeem, En, _) => "Redeemed “{reward}”",
        (Redeem, Sv, _) => "Inlöst ”{reward}”",
        (Redeem, Da, _) => "Indløst »{reward}«",
        (Void, En, _) => "Code for “{reward}” cancelled, points back",
        (Void, Sv, _) => "Kod för ”{reward}” makulerad, poängen tillbaka",
        (Void, Da, _) => "Kode til »{reward}« annulleret, point tilbage",
        (Referral, En, true) => "Referral bonus withdrawn: order {order} was refunded",
        (Referral, Sv, true) => "Värvningsbonus återtagen: order {order} återbetalades",
        (Referral, Da, true) => "Henvisningsbonus trukket tilbage: ordre {order} blev refunderet",
        (Referral, En, false) => "A friend you invited placed an order",
        (Referral, Sv, false) => "En vän du bjöd in handlade",
        (Referral, Da, false) => "En ven, du inviterede, har handlet",
        (Expiry, En, _) => "Points expired",
        (Expiry, Sv, _) => "Poäng som gått ut",
        (Expiry, Da, _) => "Point udløbet",
        (Adjustment, En, _) => "Adjustment: {note}",
        (Adjustment, Sv | Da, _) => "Justering: {note}",
        (Birthday, En, _) => "Happy birthday!",
        (Birthday, Sv, _) => "Grattis på födelsedagen!",
        (Birthday, Da, _) => "Tillykke med fødselsdagen!",
        (Feedback, En, true) => "Feedback points withdrawn: order {order} was refunded",
        (Feedback, Sv, true) => "Poäng för omdöme återtagna: order {order} återbetalades",
        (Feedback, Da, true) => "Point for anmeldelse trukket tilbage: ordre {order} blev refunderet",
        (Feedback, En, false) => "Thanks for your feedback",
        (Feedback, Sv, false) => "Tack för ditt omdöme",
        (Feedback, Da, false) => "Tak for din anmeldelse",
        (Action, En, true) => "Bonus withdrawn: {action}",
        (Action, Sv, true) => "Bonus återtagen: {action}",
        (Action, Da, true) => "Bonus trukket tilbage: {action}",
        (Action, _, false) => "Bonus: {action}",
        (Donation, En, _) => "Donated to {note}",
        (Donation, Sv, _) => "Skänkt till {note}",
        (Donation, Da, _) => "Doneret til {note}",
        (Import, En, _) => "Points carried over from our previous loyalty program",
        (Import, Sv, _) => "Poäng överförda från vårt tidigare kundprogram",
        (Import, Da, _) => "Point overført fra vores tidligere kundeprogram",
        (ImportSpent, En, _) => "Points already used in our previous loyalty program",
        (ImportSpent, Sv, _) => "Poäng som redan använts i vårt tidigare kundprogram",
        (ImportSpent, Da, _) => "Point allerede brugt i vores tidligere kundeprogram",
    })
}

/// The template with the row's detail: the reward's and the action's
/// titles as the widget data names them (their ids when it does not).
fn fill(template: &str, data: &WidgetData, entry: &LedgerEntryView) -> String {
    let note = entry.note.as_deref().unwrap_or("");
    let mut text = template.replace("{order}", entry.order_id.as_deref().unwrap_or(""));
    if text.contains("{reward}") {
        let id = entry.reward_id.as_deref().unwrap_or("");
        text = text.replace("{reward}", data.rewards.iter().find(|r| r.id == id).map_or(id, |r| r.title.as_str()));
    }
    if text.contains("{action}") {
        text = text
            .replace("{action}", data.ways_to_earn.iter().find(|w| w.id == note).map_or(note, |w| w.title.as_str()));
    }
    text.replace("{note}", note)
}

/// "12.00 EUR at 11.50 SEK per EUR", the rate written with the language's
/// decimal sign.
fn conversion(lang: Lang, c: &Converted, shop_currency: &str, price: &dyn Fn(i64, &str) -> String) -> String {
    let amount = price(c.amount, &c.currency);
    let rate = match lang {
        Lang::En => c.rate.clone(),
        Lang::Sv | Lang::Da => c.rate.replace('.', ","),
    };
    match lang {
        Lang::En => format!("{amount} at {rate} {shop_currency} per {}", c.currency),
        Lang::Sv => format!("{amount} till {rate} {shop_currency} per {}", c.currency),
        Lang::Da => format!("{amount} til {rate} {shop_currency} pr. {}", c.currency),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> WidgetData {
        let mut data = crate::wire::tests::everything();
        data.rewards[0].id = "coffee".into();
        data.rewards[0].title = "Gratis kaffe".into();
        data
    }

    fn row(reason: &str, delta: i64) -> LedgerEntryView {
        LedgerEntryView {
            at: "2026-11-24T06:00:00Z".into(),
            delta,
            reason: reason.into(),
            order_id: Some("1001".into()),
            reward_id: Some("coffee".into()),
            note: None,
            converted: None,
        }
    }

    fn price(minor: i64, currency: &str) -> String {
        format!("{}.{:02} {currency}", minor / 100, minor % 100)
    }

    fn say(lang: Lang, entry: &LedgerEntryView) -> String {
        describe(lang, &data(), entry, &price)
    }

    #[test]
    fn the_issues_examples_in_three_languages() {
        assert_eq!(say(Lang::En, &row("earn", 249)), "Purchase, order 1001");
        assert_eq!(say(Lang::Sv, &row("earn", 249)), "Köp, order 1001");
        assert_eq!(say(Lang::Da, &row("earn", 249)), "Køb, ordre 1001");
        assert_eq!(say(Lang::En, &row("refund", -249)), "Refund of order 1001");
        assert_eq!(say(Lang::Sv, &row("refund", -249)), "Återbetalning av order 1001");
        assert_eq!(say(Lang::Da, &row("refund", -249)), "Refusion af ordre 1001");
        assert_eq!(say(Lang::En, &row("expiry", -50)), "Points expired");
        assert_eq!(say(Lang::En, &row("redeem", -500)), "Redeemed “Gratis kaffe”");
        assert_eq!(say(Lang::Sv, &row("redeem", -500)), "Inlöst ”Gratis kaffe”");
        assert_eq!(say(Lang::Da, &row("redeem", -500)), "Indløst »Gratis kaffe«");
        let adjusted = LedgerEntryView { note: Some("Damaged parcel".into()), ..row("adjustment", 100) };
        assert_eq!(say(Lang::En, &adjusted), "Adjustment: Damaged parcel");
        assert_eq!(say(Lang::Sv, &adjusted), "Justering: Damaged parcel");
    }

    #[test]
    fn every_reason_the_server_writes_is_worded_in_every_language() {
        for lang in [Lang::En, Lang::Sv, Lang::Da] {
            for reason in Reason::ALL {
                for delta in [10, -10] {
                    let text = say(lang, &row(reason.as_str(), delta));
                    assert!(!text.is_empty(), "{lang:?} {reason:?}");
                    let fallback = say(lang, &row("something_new", delta));
                    assert_ne!(text, fallback, "{lang:?} {reason:?} has words of its own");
                }
            }
        }
    }

    #[test]
    fn taken_back_bonuses_say_so_and_name_their_order_or_action() {
        assert_eq!(say(Lang::En, &row("referral", 200)), "A friend you invited placed an order");
        assert_eq!(say(Lang::En, &row("referral", -200)), "Referral bonus withdrawn: order 1001 was refunded");
        assert_eq!(
            say(Lang::Da, &row("feedback", -25)),
            "Point for anmeldelse trukket tilbage: ordre 1001 blev refunderet"
        );
        let mut data = data();
        data.ways_to_earn[0].id = "fifth".into();
        data.ways_to_earn[0].title = "Your fifth order".into();
        let bonus = LedgerEntryView { note: Some("fifth".into()), ..row("action", 250) };
        assert_eq!(describe(Lang::En, &data, &bonus, &price), "Bonus: Your fifth order");
        let back = LedgerEntryView { note: Some("fifth".into()), ..row("action", -250) };
        assert_eq!(describe(Lang::Sv, &data, &back, &price), "Bonus återtagen: Your fifth order");
        let gift = LedgerEntryView { note: Some("Stadsmissionen".into()), ..row("donation", -500) };
        assert_eq!(say(Lang::Sv, &gift), "Skänkt till Stadsmissionen");
    }

    #[test]
    fn a_converted_order_states_its_amount_and_rate() {
        let converted = Converted { amount: 1_200, currency: "EUR".into(), rate: "11.50".into() };
        let earn = LedgerEntryView { converted: Some(converted), ..row("earn", 138) };
        let shop = data().shop.currency;
        assert_eq!(say(Lang::En, &earn), format!("Purchase, order 1001 (12.00 EUR at 11.50 {shop} per EUR)"));
        assert_eq!(say(Lang::Sv, &earn), format!("Köp, order 1001 (12.00 EUR till 11,50 {shop} per EUR)"));
        assert_eq!(say(Lang::Da, &earn), format!("Køb, ordre 1001 (12.00 EUR til 11,50 {shop} pr. EUR)"));
    }

    #[test]
    fn an_unknown_reason_falls_back_to_its_note() {
        let row = LedgerEntryView { note: Some("Welcome back".into()), ..row("something_new", 5) };
        assert_eq!(say(Lang::En, &row), "Welcome back");
    }

    #[test]
    fn a_reason_is_read_by_its_stored_name_exactly() {
        // The wire carries the ledger's names: another casing, or the
        // variant's name, is a reason this widget does not know.
        for name in ["Earn", "EARN", "ImportSpent", "import-spent"] {
            assert_eq!(say(Lang::En, &row(name, 5)), "Points balance changed", "{name}");
        }
        assert_eq!(say(Lang::En, &row("import_spent", -5)), "Points already used in our previous loyalty program");
    }
}
