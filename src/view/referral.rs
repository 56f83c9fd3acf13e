//! The member's own referral link, to copy or share.

use super::titled_section;
use crate::action::Action;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::{fill, Lang, Speak};
use crate::ui::Ui;
use lojal_core::api::{ReferralView, WidgetData};
use web_sys::Element;

pub fn section(lang: Lang, data: &WidgetData, referral: &ReferralView, ui: &Ui) -> Element {
    let words = lang.messages();
    let block = titled_section("referral", words.referral_heading);
    if let Some(way) = data.ways_to_earn.iter().find(|w| w.id == "referral") {
        append(&block, &el_text("p", "", &fill(words.earn_referral, &lang.integer(way.points), "")));
    }
    let link = el_text("p", "link-text", &referral.url);
    attr(&link, "part", "referral-link");
    append(&block, &link);
    let actions = el("p", "actions");
    let copied = ui.copied.as_deref() == Some(referral.url.as_str());
    let said = if copied { words.copied } else { words.copy };
    let (copy, share) = (Action::CopyReferral(referral.url.clone()), Action::ShareReferral(referral.url.clone()));
    // On a phone the share sheet comes first; copying stays beside it.
    if dom::prefers_share() {
        append(&actions, &dom::button("small", words.share, &share));
        append(&actions, &dom::button("small secondary", said, &copy));
    } else {
        append(&actions, &dom::button("small", said, &copy));
        if dom::can_share() {
            append(&actions, &dom::button("small secondary", words.share, &share));
        }
    }
    append(&block, &actions);
    if referral.referrals > 0 {
        append(&block, &el_text("p", "quiet", &fill(words.referral_count, &lang.integer(referral.referrals), "")));
    }
    block
}
