//! Toxicity: insults, harassment, threats, death wishes, obscene abuse aimed at someone.
//!
//! Weighted cues (see `lexicons/toxicity.tsv`) rather than a trained model: no labelled
//! French toxicity data with a shippable licence exists, and the line a community manager
//! draws is about *aim*, which a short list of rules captures well. Strong cues (insults,
//! "ta gueule", threats, 🖕) count alone; swear words and weaker words ("merde", "moche",
//! "stupid") only count fully when the text is aimed at someone (second person, an
//! @handle, "bande de"), so "putain c'est trop bon" and "fucking amazing" stay clean
//! while "t'es moche" does not. Angry but civil complaints score zero.

use std::sync::LazyLock;

use super::cues::CueSet;
use crate::document::Document;

/// Score at which a text is called toxic (probability 0.5).
pub const THRESHOLD: f32 = 2.0;

pub(crate) static CUES: LazyLock<CueSet> =
    LazyLock::new(|| CueSet::load(include_str!("../../lexicons/toxicity.tsv")).0);

/// Raw cue score (0 = nothing found; ≥ [`THRESHOLD`] = toxic).
pub fn score(doc: &Document) -> f32 {
    let hits = CUES.hits(doc);
    let mentions = doc
        .tokens()
        .tokens
        .iter()
        .any(|t| t.kind == crate::TokenKind::Mention);
    let aimed = mentions || hits.iter().any(|c| &*c.kind == "aim");
    hits.iter()
        .map(|c| match &*c.kind {
            "weak" if aimed => c.weight,
            "weak" => c.weight * 0.4,
            _ => c.weight,
        })
        .sum()
}

/// Maps a cue score to a probability-like value in [0, 1].
pub fn probability(score: f32) -> f32 {
    1.0 / (1.0 + (-2.0 * (score - THRESHOLD)).exp())
}
