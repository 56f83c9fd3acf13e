//! The feedback question after an order: 0 to 10, how likely the shopper
//! is to recommend the shop, with an optional comment. Its answers make the
//! merchant's Net Promoter Score.

use crate::action::Action;
use crate::dom::{self, append, attr, el, el_text};
use crate::i18n::{fill, Lang, Speak};
use crate::ui::Ui;
use lojal_core::api::WidgetData;
use lojal_core::feedback::MAX_COMMENT_CHARS;
use web_sys::Element;

pub fn section(lang: Lang, data: &WidgetData, ui: &Ui) -> Option<Element> {
    let words = lang.messages();
    if data.feedback.is_none() && ui.feedback_note.is_none() {
        return None;
    }
    let section = el("div", "feedback");
    attr(&section, "part", "feedback");
    let Some(ask) = &data.feedback else {
        // Answered: the thanks stays until the next page view.
        append(&section, &el_text("p", "feedback-note", ui.feedback_note.unwrap_or_default()));
        return Some(section);
    };
    let question = el_text("p", "question", &fill(words.feedback_question, "", &data.shop.name));
    attr(&question, "id", "lojal-feedback-question");
    append(&section, &question);
    if ask.points > 0 {
        append(&section, &el_text("p", "quiet", &fill(words.feedback_points, &lang.integer(ask.points), "")));
    }
    let scores = el("div", "scores");
    attr(&scores, "role", "group");
    attr(&scores, "aria-labelledby", "lojal-feedback-question");
    for score in 0..=10_u8 {
        let button = dom::button("score", &score.to_string(), &Action::FeedbackScore(score));
        let picked = ui.doing.feedback_score() == Some(score);
        attr(&button, "aria-pressed", if picked { "true" } else { "false" });
        append(&scores, &button);
    }
    append(&section, &scores);
    let ends = el("p", "ends");
    append(&ends, &el_text("span", "", words.feedback_low));
    append(&ends, &el_text("span", "", words.feedback_high));
    append(&section, &ends);
    if ui.doing.feedback_score().is_some() {
        let comment = el("textarea", "comment");
        attr(&comment, "aria-label", words.feedback_comment);
        attr(&comment, "placeholder", words.feedback_comment);
        attr(&comment, "maxlength", &MAX_COMMENT_CHARS.to_string());
        attr(&comment, "rows", "2");
        append(&section, &comment);
        append(&section, &dom::button("small", words.feedback_send, &Action::SendFeedback(ask.order_id.clone())));
    }
    if let Some(note) = &ui.feedback_note {
        let alert = el_text("p", "alert", note);
        attr(&alert, "role", "alert");
        append(&section, &alert);
    }
    Some(section)
}
