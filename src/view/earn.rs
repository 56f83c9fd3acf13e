//! The earn view, for product pages: what buying this earns the shopper.

use crate::config::Config;
use crate::dom::{append, attr, el, el_text};
use crate::i18n::{fill, Speak};
use lojal_core::api::WidgetData;
use web_sys::Element;

pub fn view(config: &Config, data: &WidgetData, price: Option<i64>, category: Option<&str>) -> Vec<Element> {
    let Some(price) = price else { return Vec::new() };
    let lang = config.locale;
    let words = lang.messages();
    let points = lang.integer(data.earn_preview(price, category));
    let line = el("p", "earn");
    attr(&line, "part", "earn");
    match (&data.customer, &config.join_url) {
        (Some(_), _) => append(&line, &el_text("span", "", &fill(words.earn_member, &points, ""))),
        (None, Some(url)) => {
            let join = el_text("a", "link", &fill(words.earn_guest, &points, ""));
            attr(&join, "href", url);
            attr(&join, "part", "join");
            append(&line, &join);
        }
        (None, None) => append(&line, &el_text("span", "", &fill(words.earn_guest, &points, ""))),
    }
    // Say why the figure is higher than usual: the campaign, by name.
    if let Some(campaign) = data.campaign_for(category) {
        let note = el_text("span", "campaign-note", &campaign.title);
        attr(&note, "part", "earn-campaign");
        append(&line, &note);
    }
    vec![line]
}
