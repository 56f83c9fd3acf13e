//! Campaigns running now: what they give and until when, so a shopper
//! knows why to buy this week rather than next.

use crate::dom::{append, attr, el, el_text};
use crate::i18n::{fill, Lang, Speak};
use lojal_core::api::CampaignView;
use web_sys::Element;

pub fn section(lang: Lang, campaigns: &[CampaignView]) -> Option<Element> {
    if campaigns.is_empty() {
        return None;
    }
    let section = el("div", "campaigns");
    for campaign in campaigns {
        let banner = el("div", "campaign");
        attr(&banner, "part", "campaign");
        attr(&banner, "data-campaign", &campaign.id);
        append(&banner, &el_text("strong", "", &campaign.title));
        let multiplier = lang.decimal(campaign.multiplier).unwrap_or_default();
        let until = fill(lang.messages().campaign_until, &multiplier, &lang.day(&campaign.ends_on));
        append(&banner, &el_text("span", "until", &until));
        append(&section, &banner);
    }
    Some(section)
}
