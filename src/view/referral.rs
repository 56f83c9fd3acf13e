//! The member's own referral link, to copy or share.

use super::titled_section;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::{fill, Locale};
use crate::ui::Ui;
use lojal_core::api::{ReferralView, WidgetData};
use web_sys::Element;

pub fn section(locale: Locale, data: &WidgetData, referral: &ReferralView, ui: &Ui) -> Element {
    let words = locale.messages();
    let block = titled_section("referral", words.referral_heading);
    if let Some(way) = data.ways_to_earn.iter().find(|w| w.id == "referral") {
        append(&block, &el_text("p", "", &fill(words.earn_referral, &locale.number(way.points), "")));
    }
    let link = el_text("p", "link-text", &referral.url);
    attr(&link, "part", "referral-link");
    append(&block, &link);
    let actions = el("p", "actions");
    let copied = ui.copied.as_deref() == Some(referral.url.as_str());
    let said = if copied { words.copied } else { words.copy };
    // On a phone the share sheet comes first; copying stays beside it.
    if dom::prefers_share() {
        append(&actions, &dom::button("small", words.share, "share-referral", &referral.url));
        append(&actions, &dom::button("small secondary", said, "copy-referral", &referral.url));
    } else {
        append(&actions, &dom::button("small", said, "copy-referral", &referral.url));
        if dom::can_share() {
            append(&actions, &dom::button("small secondary", words.share, "share-referral", &referral.url));
        }
    }
    append(&block, &actions);
    if referral.referrals > 0 {
        append(&block, &el_text("p", "quiet", &fill(words.referral_count, &locale.number(referral.referrals), "")));
    }
    block
}
