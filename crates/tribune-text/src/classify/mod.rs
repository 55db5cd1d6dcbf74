//! Local classifiers. A text is de-obfuscated and tokenized once and every classifier reads
//! the same tokens, which is what keeps all four together well above 20,000 texts per
//! second per core.
//!
//! The lexicon rules and cue lists score first; their scores then become features of the
//! learned linear models (`learned.rs`, features in `features.rs`), which decide. When a
//! model file cannot be read, the rules decide alone, as before the models existed.

mod cues;
pub mod features;
pub mod lang;
pub mod learned;
mod lexicon;
pub mod linear;
pub mod prepare;
pub mod sentiment;
pub mod spam;
pub mod toxicity;

pub use lang::Language;
pub use sentiment::{Sentiment, SentimentLabel};

use crate::document::Document;
use crate::tokenize::{TokenKind, tokenize};

/// Everything the classifiers say about one text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Classification {
    /// Detected language (or the one given with [`classify_with_lang`]).
    pub lang: Language,
    pub sentiment: Sentiment,
    /// Toxicity in [0, 1]; toxic at 0.5 and above.
    pub toxicity: f32,
    pub toxic: bool,
    /// Spam/scam likelihood in [0, 1]; spam at 0.5 and above.
    pub spam: f32,
    pub is_spam: bool,
}

/// Classifies one text, detecting its language.
pub fn classify(text: &str) -> Classification {
    classify_with_lang(text, None)
}

/// Texts longer than this (in words) are past what the toxicity and spam models were
/// trained on (social comments of at most about 40 words): there the cue lists, written for
/// e-mails and long posts too, decide.
pub const LEARNED_MAX_WORDS: usize = 60;

/// A text longer than [`LEARNED_MAX_WORDS`] gets as sentiment the mean of the sentiment of
/// its parts of at least this many words (the model was trained on short comments; summed,
/// a long review saturates).
const SENTENCE_CHUNK_WORDS: usize = 12;

/// Classifies one text; `lang` is the language reported by the network, if any.
pub fn classify_with_lang(text: &str, lang: Option<Language>) -> Classification {
    let scored = score(text, lang);
    let rules = &scored.rules;
    if let (Some(joint), Some(model)) = (learned::joint(), learned::sentiment()) {
        let z = joint.logits(&scored.features);
        let short = scored.words <= LEARNED_MAX_WORDS;
        let sentiment = if short {
            sentiment_of(learned::softmax([z[2], z[3], z[4]]))
        } else {
            learned_sentiment(model, text, &scored)
        };
        let toxicity = if short {
            learned::sigmoid(z[0])
        } else {
            toxicity::probability(rules.toxicity)
        };
        let spam = if short {
            learned::sigmoid(z[1])
        } else {
            spam::probability(rules.spam)
        };
        return Classification {
            lang: scored.lang,
            sentiment,
            toxicity,
            toxic: toxicity >= 0.5,
            spam,
            is_spam: spam >= 0.5,
        };
    }
    let sentiment = match learned::sentiment() {
        Some(model) => learned_sentiment(model, text, &scored),
        None => rules.sentiment,
    };
    let short = scored.words <= LEARNED_MAX_WORDS;
    let toxicity = match learned::toxicity() {
        Some(model) if short => learned::sigmoid(model.logits(&scored.features)[0]),
        _ => toxicity::probability(rules.toxicity),
    };
    let spam = match learned::spam() {
        Some(model) if short => learned::sigmoid(model.logits(&scored.features)[0]),
        _ => spam::probability(rules.spam),
    };
    Classification {
        lang: scored.lang,
        sentiment,
        toxicity,
        toxic: toxicity >= 0.5,
        spam,
        is_spam: spam >= 0.5,
    }
}

/// The three-class model on a short text; on a long one, the mean of its probabilities
/// over chunks of whole sentences.
fn learned_sentiment(model: &learned::Model, text: &str, scored: &Scored) -> Sentiment {
    let mut p = learned::softmax(model.logits(&scored.features));
    if scored.words > LEARNED_MAX_WORDS {
        let chunks = sentence_chunks(text, SENTENCE_CHUNK_WORDS);
        if chunks.len() > 1 {
            let mut sum = [0f32; 3];
            for chunk in &chunks {
                let part = score(chunk, Some(scored.lang));
                let q = learned::softmax(model.logits(&part.features));
                for (s, v) in sum.iter_mut().zip(q) {
                    *s += v;
                }
            }
            p = sum.map(|v| v / chunks.len() as f32);
        }
    }
    sentiment_of(p)
}

/// The class with the highest probability; score `P(pos) − P(neg)`.
fn sentiment_of(p: [f32; 3]) -> Sentiment {
    let label = if p[1] >= p[0] && p[1] >= p[2] {
        SentimentLabel::Neutral
    } else if p[2] > p[0] {
        SentimentLabel::Positive
    } else {
        SentimentLabel::Negative
    };
    Sentiment {
        label,
        score: p[2] - p[0],
    }
}

/// Cuts a text after `.`, `!`, `?` or `…` followed by a space, then joins consecutive
/// sentences until each part has at least `min_words` words.
fn sentence_chunks(text: &str, min_words: usize) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut words = 0;
    let mut prev_end = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if prev_end && words >= min_words {
                chunks.push(&text[start..i]);
                start = i;
                words = 0;
            }
            words += 1;
        }
        prev_end = matches!(c, '.' | '!' | '?' | '…');
    }
    if start < text.len() {
        let rest = &text[start..];
        match chunks.last_mut() {
            // A short tail joins the part before it.
            Some(last) if rest.split_whitespace().count() < min_words / 2 => {
                let from = text.len() - rest.len() - last.len();
                *last = &text[from..];
            }
            _ => chunks.push(rest),
        }
    }
    chunks
}

/// What the rules say, before the learned models.
#[derive(Clone, Copy, Debug)]
pub struct RuleScores {
    /// Lexicon-and-rules sentiment (the English n-gram model for English).
    pub sentiment: Sentiment,
    /// Toxicity cue score (toxic at [`toxicity::THRESHOLD`]).
    pub toxicity: f32,
    /// Spam cue score (spam at [`spam::THRESHOLD`]).
    pub spam: f32,
}

/// A text prepared for the learned models.
pub struct Scored {
    pub lang: Language,
    /// Number of words (not @handles, emoji or links).
    pub words: usize,
    pub rules: RuleScores,
    /// Sparse features (see [`features::extract`]).
    pub features: Vec<(u32, f32)>,
}

/// Runs the rules and computes the learned models' features (the training script reads
/// them through `examples/classifier_features.rs`).
pub fn score(text: &str, lang: Option<Language>) -> Scored {
    let clean = prepare::deobfuscate(text);
    let tokens = tokenize(&clean);
    let lang = lang.unwrap_or_else(|| lang::detect_tokens(&tokens));
    let irony = text.trim_end().ends_with("/s");
    let sentiment = sentiment::score_tokens(&tokens, lang, irony);
    let words = tokens
        .tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Word)
        .count();
    let doc = Document::from_tokens(tokens);
    let tox = toxicity::score(&doc, sentiment.score);
    let spam = spam::score(&doc, text);
    let mut features = Vec::new();
    features::extract(
        &features::Inputs {
            raw: text,
            tokens: doc.tokens(),
            lang,
            sentiment_rule: sentiment.score,
            toxicity_rule: tox,
            spam_rule: spam,
            masked_link: prepare::masked_link(text),
        },
        learned::BITS,
        &mut features,
    );
    Scored {
        lang,
        words,
        rules: RuleScores {
            sentiment,
            toxicity: tox,
            spam,
        },
        features,
    }
}

#[cfg(test)]
mod tests {
    use super::cues::CueSet;

    #[test]
    fn every_cue_line_parses() {
        for src in [
            include_str!("../../lexicons/toxicity.tsv"),
            include_str!("../../lexicons/spam.tsv"),
        ] {
            let (_, errors) = CueSet::load(src);
            let described: Vec<String> = errors
                .iter()
                .map(|e| format!("line {}: {:?}", e.line, e.error))
                .collect();
            assert!(described.is_empty(), "{described:?}");
        }
    }
}
