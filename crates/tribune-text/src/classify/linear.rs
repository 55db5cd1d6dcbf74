//! A small linear model for English sentiment: logistic regression over hashed unigrams
//! and bigrams (words in the scope of a negation are marked, as in Das & Chen 2001 and
//! Pang et al. 2002) plus the lexicon-and-rules score as one more feature.
//!
//! The weights (`models/sentiment_en_linear.bin`) are trained by
//! `scripts/text/train_sentiment_en.py` on features that this very code extracts (the
//! `sentiment_features` example prints them), so training and inference cannot disagree on
//! tokenization or hashing. Training data and licences: docs/text/DATA.md.
//!
//! File format (little endian): `TSL3`, hash bits (u32), weight scale (f32), bias (f32),
//! weight of the lexicon score (f32), no-lexicon-evidence band (f32), number `n` of
//! non-zero weights (u32), then their `n` feature indices (u32, strictly increasing) and
//! their `n` values (i16, `value = i16 * scale`). Sparse, so the hash space can be large
//! (few collisions) while the file holds only the features seen in training.

use std::sync::LazyLock;

use super::lang::Language;
use super::sentiment::{NEGATORS, NEUTRAL_BAND, lexicon_range, lexicon_score};
use crate::normalize::collapse_repeats;
use crate::tokenize::{Boundary, TokenKind, Tokens};

/// Words after a negator that are marked as negated (unless punctuation comes first).
const NEGATION_SCOPE: usize = 4;

const HEADER: usize = 28;

/// The embedded English model.
pub(crate) struct Linear {
    bits: u32,
    scale: f32,
    bias: f32,
    lexicon_weight: f32,
    /// See [`Linear::score`].
    no_lexicon_band: f32,
    indices: Vec<u32>,
    values: &'static [u8],
}

static EN: LazyLock<Option<Linear>> =
    LazyLock::new(|| Linear::parse(include_bytes!("../../models/sentiment_en_linear.bin")));

/// The English model, if the embedded file is well formed.
pub(crate) fn english() -> Option<&'static Linear> {
    EN.as_ref()
}

fn f32_at(bytes: &[u8], at: usize) -> Option<f32> {
    Some(f32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

impl Linear {
    fn parse(bytes: &'static [u8]) -> Option<Linear> {
        if bytes.get(..4)? != b"TSL3" {
            return None;
        }
        let u32_at = |at: usize| -> Option<u32> {
            Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
        };
        let bits = u32_at(4)?;
        if !(8..=30).contains(&bits) {
            return None;
        }
        let n = u32_at(24)? as usize;
        let indices: Vec<u32> = bytes
            .get(HEADER..HEADER + 4 * n)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let values = bytes.get(HEADER + 4 * n..)?;
        if values.len() != 2 * n || !indices.windows(2).all(|w| w[0] < w[1]) {
            return None;
        }
        Some(Linear {
            bits,
            scale: f32_at(bytes, 8)?,
            bias: f32_at(bytes, 12)?,
            lexicon_weight: f32_at(bytes, 16)?,
            no_lexicon_band: f32_at(bytes, 20)?.clamp(0.0, 0.9),
            indices,
            values,
        })
    }

    fn weight(&self, index: u32) -> f32 {
        let Ok(at) = self.indices.binary_search(&index) else {
            return 0.0;
        };
        match self.values.get(2 * at..2 * at + 2) {
            Some(&[lo, hi]) => f32::from(i16::from_le_bytes([lo, hi])) * self.scale,
            _ => 0.0,
        }
    }

    /// Score in [-1, 1]: `2·P(positive) − 1`, except that a text in which the lexicon
    /// finds no sentiment at all ("the store opens at 9") needs the n-grams alone to be
    /// confident (|score| > the band, chosen by the training script on held-out polar and
    /// neutral sentences) to leave the neutral band: trained on polar sentences only, the
    /// model otherwise gives every neutral post a polarity.
    pub(crate) fn score(&self, tokens: &Tokens, raw_irony: bool) -> f32 {
        let mut features = Vec::with_capacity(tokens.len() * 2);
        weighted_features(tokens, self.bits, &mut features);
        let lexicon_score = mean_lexicon_score(tokens, raw_irony);
        let z = self.bias
            + self.lexicon_weight * lexicon_score
            + features
                .iter()
                .map(|&(i, v)| self.weight(i) * v)
                .sum::<f32>();
        let score = (z / 2.0).tanh();
        if lexicon_score == 0.0 {
            // Monotone squeeze of [-band, band] into the neutral zone: the order of the
            // scores (and their sign, for a forced neg/pos choice) is kept.
            let band = self.no_lexicon_band;
            let a = score.abs();
            let out = if a <= band {
                if band > 0.0 {
                    a * NEUTRAL_BAND / band
                } else {
                    a
                }
            } else {
                NEUTRAL_BAND + (a - band) * (1.0 - NEUTRAL_BAND) / (1.0 - band)
            };
            return out.copysign(score);
        }
        score
    }
}

/// The sentences of a text, as token ranges (a text without tokens has none).
fn sentences(tokens: &Tokens) -> Vec<std::ops::Range<usize>> {
    let mut bounds = Vec::new();
    let mut start = 0;
    for (i, token) in tokens.tokens.iter().enumerate() {
        if i > start && token.boundary == Boundary::Sentence {
            bounds.push(start..i);
            start = i;
        }
    }
    if start < tokens.tokens.len() {
        bounds.push(start..tokens.tokens.len());
    }
    bounds
}

/// The model's lexicon feature: the mean of the English lexicon scores of the sentences
/// (the score of the whole text when it is one sentence).
pub fn mean_lexicon_score(tokens: &Tokens, raw_irony: bool) -> f32 {
    let bounds = sentences(tokens);
    if bounds.len() <= 1 {
        return lexicon_score(tokens, Language::En, raw_irony);
    }
    let n = bounds.len() as f32;
    bounds
        .into_iter()
        .map(|r| lexicon_range(tokens, r, Language::En, raw_irony))
        .sum::<f32>()
        / n
}

/// The model's sparse input: for each sentence, its distinct [`hashed_features`] weighted
/// `1 / (sentences · √features in the sentence)`, summed per index and sorted. A long
/// review is thus the mean of its sentences, like the sentence-level data the model is
/// trained on, instead of a bag so large that it drowns the lexicon score.
pub fn weighted_features(tokens: &Tokens, bits: u32, out: &mut Vec<(u32, f32)>) {
    out.clear();
    let bounds = sentences(tokens);
    let mut one = Vec::new();
    let mut groups = Vec::with_capacity(bounds.len());
    for range in bounds {
        hashed_features(tokens, range, bits, &mut one);
        if !one.is_empty() {
            groups.push(std::mem::take(&mut one));
        }
    }
    let sentences = groups.len() as f32;
    for group in &groups {
        let v = 1.0 / (sentences * (group.len() as f32).sqrt());
        out.extend(group.iter().map(|&i| (i, v)));
    }
    out.sort_unstable_by_key(|&(i, _)| i);
    out.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 += b.1;
            true
        } else {
            false
        }
    });
}

/// Streaming 64-bit FNV-1a: feeding `a` then `b` gives `fnv(&[a ++ b])` (no separator),
/// without building the concatenation.
#[derive(Clone, Copy)]
pub(crate) struct Fnv(pub u64);

impl Fnv {
    pub(crate) const START: Fnv = Fnv(0xcbf2_9ce4_8422_2325);

    pub(crate) fn bytes(mut self, bytes: &[u8]) -> Fnv {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        self
    }

    /// The separator [`fnv`] puts between parts.
    pub(crate) fn separator(mut self) -> Fnv {
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        self
    }
}

/// 64-bit FNV-1a, fixed forever: the trained weights depend on it.
pub(crate) fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            h ^= 0xff;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Sorted, distinct feature indices in `[0, 2^bits)` for the tokens in `range`: unigrams
/// and bigrams (not across a sentence break), each prefixed `!` inside a negation's scope;
/// negators themselves give no feature.
/// Numbers become `0`; elongations are shortened ("soooo" → "soo"); @handles are skipped.
pub fn hashed_features(
    tokens: &Tokens,
    range: std::ops::Range<usize>,
    bits: u32,
    out: &mut Vec<u32>,
) {
    out.clear();
    let mask = (1u64 << bits) - 1;
    let index = |h: u64| ((h ^ (h >> 32)) & mask) as u32;
    let mut prev: Option<String> = None;
    let mut negated_left = 0usize;
    for token in tokens.tokens.get(range).unwrap_or(&[]) {
        if token.boundary != Boundary::None {
            negated_left = 0;
            if token.boundary == Boundary::Sentence {
                prev = None;
            }
        }
        if token.kind == TokenKind::Mention {
            continue;
        }
        let raw = tokens.text(token);
        let mut term = if raw.bytes().all(|b| b.is_ascii_digit()) {
            "0".to_owned()
        } else {
            collapse_repeats(raw).unwrap_or_else(|| raw.to_owned())
        };
        if token.kind == TokenKind::Word && NEGATORS.contains(&term.as_str()) {
            // The negation lives in the marks of the words it governs; the negator itself
            // would only learn that complaints use more negations, which then outweighs
            // the words ("not bad" read as negative).
            negated_left = NEGATION_SCOPE;
            prev = None;
            continue;
        }
        if negated_left > 0 {
            term.insert(0, '!');
            negated_left -= 1;
        }
        let kind: &[u8] = match token.kind {
            TokenKind::Hashtag => b"#",
            TokenKind::Emoji => b"e",
            _ => b"u",
        };
        out.push(index(fnv(&[kind, term.as_bytes()])));
        if let Some(p) = &prev {
            out.push(index(fnv(&[b"b", p.as_bytes(), term.as_bytes()])));
        }
        prev = Some(term);
    }
    out.sort_unstable();
    out.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokenize;

    #[test]
    fn the_embedded_model_loads() {
        assert!(english().is_some());
    }

    #[test]
    fn negation_changes_the_features_until_punctuation() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        let all = |t: &str, out: &mut Vec<u32>| {
            let tokens = tokenize(t);
            hashed_features(&tokens, 0..tokens.len(), 18, out);
        };
        all("good", &mut a);
        all("not good", &mut b);
        assert!(!b.contains(&a[0]));
        all("not ok, good", &mut b);
        assert!(b.contains(&a[0]));
    }

    #[test]
    fn a_long_text_is_the_mean_of_its_sentences() {
        let mut f = Vec::new();
        weighted_features(&tokenize("Good. Good."), 18, &mut f);
        assert_eq!(f.len(), 1);
        assert!((f[0].1 - 1.0).abs() < 1e-6);
    }

    #[test]
    fn hashing_is_stable() {
        // The trained weights depend on these exact values.
        assert_eq!(fnv(&[b"u", b"good"]), 0x84ee_74f7_03e2_9fd0);
    }
}
