//! Feedback: after an order, the widget asks the 0-10 question "how likely
//! are you to recommend us to a friend?" (with an optional comment). The
//! answers make the Net Promoter Score the merchant reads.
//!
//! One answer per order, so points for answering (optional) cannot be
//! farmed without buying.

use crate::Error;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackRules {
    /// The question is asked about an order this many days old at most.
    #[serde(default = "default_ask_within_days")]
    pub ask_within_days: u32,
    /// Points for answering (0: none).
    #[serde(default)]
    pub points: i64,
}

fn default_ask_within_days() -> u32 {
    14
}

impl FeedbackRules {
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=365).contains(&self.ask_within_days) {
            return Err("feedback.ask_within_days must be 1 to 365".into());
        }
        if !(0..=10_000).contains(&self.points) {
            return Err("feedback.points must be 0 to 10000".into());
        }
        Ok(())
    }

    /// Whether an answer about an order placed at `order_at` is taken (and
    /// paid): only within the window the widget asks in, and never about
    /// an order refunded in full (buy, answer, refund must not pay).
    pub fn accepts(&self, order_at: i64, refunded_in_full: bool, now: i64) -> bool {
        self.asks_about(order_at, now) && !refunded_in_full
    }

    /// Whether to ask about an order placed at `order_at` that has no answer yet.
    pub fn asks_about(&self, order_at: i64, now: i64) -> bool {
        let age = now - order_at;
        (0..=i64::from(self.ask_within_days) * 86_400).contains(&age)
    }
}

pub const MAX_COMMENT_CHARS: usize = 1000;

/// `POST /v1/shops/{shop}/feedback`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    pub order_id: String,
    pub score: u8,
    #[serde(default)]
    pub comment: Option<String>,
}

impl FeedbackRequest {
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |msg: &str| Err(Error::InvalidRequest(msg.to_owned()));
        if self.score > 10 {
            return invalid("score must be 0 to 10");
        }
        if self.order_id.is_empty() || self.order_id.len() > 128 {
            return invalid("order_id must be 1 to 128 characters");
        }
        if self.comment.as_ref().is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
            return invalid("comment must be at most 1000 characters");
        }
        Ok(())
    }

    /// The comment without surrounding space; `None` when empty.
    pub fn comment(&self) -> Option<&str> {
        self.comment.as_deref().map(str::trim).filter(|c| !c.is_empty())
    }
}

/// The question as the widget shows it: about which order, for how many points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackAsk {
    pub order_id: String,
    pub points: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackReply {
    pub points_awarded: i64,
    pub points: i64,
}

/// Net Promoter Score of a set of answers, with its split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NpsFigures {
    pub answers: i64,
    /// Scores 9 and 10.
    pub promoters: i64,
    /// Scores 7 and 8.
    pub passives: i64,
    /// Scores 0 to 6.
    pub detractors: i64,
    /// % promoters - % detractors, from -100 to 100; `None` without answers.
    pub score: Option<f64>,
}

pub fn nps(scores: impl IntoIterator<Item = u8>) -> NpsFigures {
    let (mut promoters, mut passives, mut detractors) = (0, 0, 0);
    for score in scores {
        match score {
            9.. => promoters += 1,
            7 | 8 => passives += 1,
            _ => detractors += 1,
        }
    }
    let answers = promoters + passives + detractors;
    NpsFigures {
        answers,
        promoters,
        passives,
        detractors,
        score: (answers > 0).then(|| (promoters - detractors) as f64 * 100.0 / answers as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nps_is_percent_promoters_less_percent_detractors() {
        // 3 promoters (9, 10, 10), 2 passives (7, 8), 1 detractor (3): (3 - 1) / 6.
        let figures = nps([9, 10, 10, 7, 8, 3]);
        assert_eq!((figures.answers, figures.promoters, figures.passives, figures.detractors), (6, 3, 2, 1));
        assert!((figures.score.unwrap() - 33.333).abs() < 0.01);
        assert_eq!(nps([]).score, None);
        assert_eq!(nps([0, 6]).score, Some(-100.0));
        assert_eq!(nps([9, 10]).score, Some(100.0));
    }

    #[test]
    fn the_question_is_asked_within_its_days_of_the_order() {
        let rules = FeedbackRules { ask_within_days: 14, points: 0 };
        let ordered = 1_000_000;
        assert!(rules.asks_about(ordered, ordered));
        assert!(rules.asks_about(ordered, ordered + 14 * 86_400));
        assert!(!rules.asks_about(ordered, ordered + 14 * 86_400 + 1));
        assert!(!rules.asks_about(ordered, ordered - 1), "an order from the future is not asked about");
    }

    #[test]
    fn answers_are_checked() {
        let answer = |score, comment: Option<&str>| FeedbackRequest {
            order_id: "o-1".into(),
            score,
            comment: comment.map(str::to_owned),
        };
        assert!(answer(10, Some("  Great  ")).validate().is_ok());
        assert_eq!(answer(10, Some("  Great  ")).comment(), Some("Great"));
        assert_eq!(answer(10, Some("   ")).comment(), None);
        assert!(answer(11, None).validate().is_err());
        assert!(answer(5, Some(&"x".repeat(1001))).validate().is_err());
        assert!(FeedbackRules { ask_within_days: 0, points: 0 }.validate().is_err());
        assert!(FeedbackRules { ask_within_days: 14, points: -1 }.validate().is_err());
    }
}
