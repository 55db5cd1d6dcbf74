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
use super::lexicon::words;
use crate::document::Document;

/// Score at which a text is called toxic (probability 0.5).
pub const THRESHOLD: f32 = 2.0;

/// Swear words and slurs from the registry lists (`models/profanity_*.txt`), one weak cue.
static PROFANITY: LazyLock<rustc_hash::FxHashSet<Box<str>>> = LazyLock::new(|| {
    let mut set = words(include_str!("../../models/profanity_fr.txt"));
    set.extend(words(include_str!("../../models/profanity_en.txt")));
    set
});

/// True for a folded word of the profanity lists.
pub(crate) fn is_profanity(word: &str) -> bool {
    PROFANITY.contains(word)
}

/// Weight of a word from the profanity lists (counted once per text).
const PROFANITY_WEIGHT: f32 = 1.0;

pub(crate) static CUES: LazyLock<CueSet> =
    LazyLock::new(|| CueSet::load(include_str!("../../lexicons/toxicity.tsv")).0);

/// Raw cue score (0 = nothing found; ≥ [`THRESHOLD`] = toxic). `sentiment` is the
/// sentiment score: swearing in a clearly positive text is enthusiasm, not abuse
/// ("fucking amazing, thank you").
pub fn score(doc: &Document, sentiment: f32) -> f32 {
    let hits = CUES.hits(doc);
    let mentions = doc
        .tokens()
        .tokens
        .iter()
        .any(|t| t.kind == crate::TokenKind::Mention);
    let aimed = mentions || hits.iter().any(|c| &*c.kind == "aim");
    let tokens = doc.tokens();
    let swearing = tokens
        .tokens
        .iter()
        .any(|t| t.kind == crate::TokenKind::Word && PROFANITY.contains(tokens.text(t)));
    let weak_factor = if aimed && sentiment < 0.3 { 1.0 } else { 0.4 };
    let profanity = if swearing {
        PROFANITY_WEIGHT * weak_factor
    } else {
        0.0
    };
    profanity
        + hits
            .iter()
            .map(|c| match &*c.kind {
                "weak" => c.weight * weak_factor,
                _ => c.weight,
            })
            .sum::<f32>()
}

/// Maps a cue score to a probability-like value in [0, 1].
pub fn probability(score: f32) -> f32 {
    1.0 / (1.0 + (-2.0 * (score - THRESHOLD)).exp())
}
