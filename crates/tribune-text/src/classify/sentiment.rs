//! Sentiment: negative / neutral / positive with a score in [-1, 1].
//!
//! A lexicon-and-rules scorer in the style of VADER (Hutto & Gilbert, 2014), because it
//! needs no training data (none with a licence we could ship exists for French social
//! media), explains itself, and runs at millions of words per second. Each word or emoji
//! has a valence; the rules then handle what social media does to it: negation
//! ("pas terrible", "not great"), intensifiers ("trop bien", "so good"), dampeners,
//! capitals ("NUL"), elongation ("sooo goood"), exclamation marks, the contrast of "mais"
//! / "but" (what follows counts more), French idioms where negation does not simply flip
//! ("pas mal" is praise), and irony markers (🙄, 🙃, #sarcasme, "/s") that turn apparent
//! praise into a complaint.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::lang::Language;
use super::lexicon::valences;
use crate::normalize::collapse_repeats;
use crate::tokenize::{Boundary, TokenKind, Tokens};

/// The three sentiment classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SentimentLabel {
    Negative,
    Neutral,
    Positive,
}

impl SentimentLabel {
    /// `neg`, `neu`, `pos`: the labels of the evaluation files.
    pub fn code(self) -> &'static str {
        match self {
            SentimentLabel::Negative => "neg",
            SentimentLabel::Neutral => "neu",
            SentimentLabel::Positive => "pos",
        }
    }
}

/// A sentiment verdict: the class and a score in [-1, 1] (negative to positive).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sentiment {
    pub label: SentimentLabel,
    pub score: f32,
}

/// Negative words count this much more than positive ones. People write positive words
/// even when they complain ("good idea, bad execution", "I wanted to love it"): the
/// positivity bias of language. Without it every dev set is called positive far too often
/// (recall neg ≈ 0.4, pos ≈ 0.9); 1.6 balances both on every dev file at once.
const NEGATIVE_WEIGHT: f32 = 1.6;

/// Scores with |score| below this are neutral.
pub const NEUTRAL_BAND: f32 = 0.05;

static EN: LazyLock<FxHashMap<Box<str>, f32>> = LazyLock::new(|| {
    merged(
        include_str!("../../models/sentiment_en.tsv"),
        include_str!("../../lexicons/sentiment_extra_en.tsv"),
    )
});

static FR: LazyLock<FxHashMap<Box<str>, f32>> = LazyLock::new(|| {
    merged(
        include_str!("../../models/sentiment_fr.tsv"),
        include_str!("../../lexicons/sentiment_extra_fr.tsv"),
    )
});

/// The generated lexicon without the words the rules use as modifiers, then the
/// hand-written one on top. A booster, dampener, negator or contrast acts through the
/// rules; a valence of its own is noise from the registry lists (`very` +0.8, `most` +2.0,
/// `trop` −1.0, `vraiment` +1.9) and would count it twice. The hand-written lists may
/// still give one (`super` is praise on its own).
fn merged(generated: &str, hand_written: &str) -> FxHashMap<Box<str>, f32> {
    let mut map = valences(&[generated]);
    map.retain(|w, _| !is_modifier(w));
    map.extend(valences(&[hand_written]));
    map
}

fn is_modifier(word: &str) -> bool {
    [NEGATORS, BOOSTERS, DAMPENERS, CONTRASTS]
        .iter()
        .any(|list| list.contains(&word))
}

/// English words common in French posts ("top", "cool", "fail"): the hand-written list
/// only, since the full English lexicon would misread French words ("pain" is bread).
static EN_SLANG: LazyLock<FxHashMap<Box<str>, f32>> =
    LazyLock::new(|| valences(&[include_str!("../../lexicons/sentiment_extra_en.tsv")]));

static EMOJI: LazyLock<FxHashMap<Box<str>, f32>> =
    LazyLock::new(|| valences(&[include_str!("../../lexicons/emoji.tsv")]));

pub(crate) const NEGATORS: &[&str] = &[
    "not",
    "no",
    "never",
    "dont",
    "doesnt",
    "didnt",
    "isnt",
    "wasnt",
    "arent",
    "werent",
    "cant",
    "cannot",
    "couldnt",
    "wont",
    "wouldnt",
    "shouldnt",
    "aint",
    "nor",
    "without",
    "hardly",
    "neither",
    "nothing",
    "havent",
    "hasnt",
    "hadnt",
    "nobody",
    "pas",
    "jamais",
    "rien",
    "aucun",
    "aucune",
    "sans",
    "ni",
    "guere",
    "nullement",
    "personne",
];

const BOOSTERS: &[&str] = &[
    "very",
    "so",
    "really",
    "extremely",
    "totally",
    "absolutely",
    "incredibly",
    "truly",
    "completely",
    "utterly",
    "highly",
    "super",
    "soo",
    "sooo",
    "too",
    "most",
    "tres",
    "trop",
    "vraiment",
    "tellement",
    "hyper",
    "ultra",
    "grave",
    "vachement",
    "carrement",
    "extremement",
    "absolument",
    "completement",
    "totalement",
    "particulierement",
    "si",
    "archi",
    "mega",
    "franchement",
    "tout",
];

const DAMPENERS: &[&str] = &[
    "slightly",
    "somewhat",
    "kinda",
    "sorta",
    "bit",
    "little",
    "barely",
    "fairly",
    "rather",
    "assez",
    "peu",
    "plutot",
    "moyennement",
    "legerement",
    "presque",
    "almost",
];

const CONTRASTS: &[&str] = &[
    "but",
    "however",
    "though",
    "although",
    "mais",
    "cependant",
    "pourtant",
    "neanmoins",
    "toutefois",
    "sauf",
];

const IRONY_TAGS: &[&str] = &[
    "sarcasme",
    "ironie",
    "sarcasm",
    "irony",
    "sarcastic",
    "ironique",
];

/// Valence of a folded word in the lexicons of `lang` (elongations shortened).
pub(crate) fn word_valence(lang: Language, word: &str) -> Option<f32> {
    lookup(lang, word)
}

/// Valence of an emoji from the hand-written list.
pub(crate) fn emoji_valence(emoji: &str) -> Option<f32> {
    EMOJI.get(emoji).copied()
}

fn lookup(lang: Language, word: &str) -> Option<f32> {
    let find = |w: &str| -> Option<f32> {
        match lang {
            Language::Fr => FR.get(w).or_else(|| EN_SLANG.get(w)).copied(),
            Language::En => EN.get(w).copied(),
            _ => EN.get(w).or_else(|| FR.get(w)).copied(),
        }
    };
    if let Some(v) = find(word) {
        return Some(v);
    }
    let collapsed = collapse_repeats(word)?;
    find(&collapsed).or_else(|| {
        // "gooood" → "good", "nuuul" → "nul": try single letters too.
        let mut single = String::with_capacity(collapsed.len());
        let mut prev = '\0';
        for c in collapsed.chars() {
            if c != prev {
                single.push(c);
            }
            prev = c;
        }
        find(&single)
    })
}

/// Scores tokenized text whose language is known (or `Unknown`). `raw_irony` tells that
/// the raw text carries a marker the tokenizer cannot see ("/s").
///
/// English goes through the linear model (which takes the lexicon score as one of its
/// features); other languages use the lexicon and rules alone.
pub fn score_tokens(tokens: &Tokens, lang: Language, raw_irony: bool) -> Sentiment {
    let score = match (lang, super::linear::english()) {
        (Language::En, Some(model)) => model.score(tokens, raw_irony),
        _ => lexicon_score(tokens, lang, raw_irony),
    };
    let label = if score >= NEUTRAL_BAND {
        SentimentLabel::Positive
    } else if score <= -NEUTRAL_BAND {
        SentimentLabel::Negative
    } else {
        SentimentLabel::Neutral
    };
    Sentiment { label, score }
}

/// The lexicon-and-rules score in [-1, 1] (VADER's normalisation of the summed valences).
pub fn lexicon_score(tokens: &Tokens, lang: Language, raw_irony: bool) -> f32 {
    lexicon_range(tokens, 0..tokens.len(), lang, raw_irony)
}

/// [`lexicon_score`] of the tokens in `range` (one sentence, for the English model). The
/// `!` count is only known for the whole text, so it only counts for the whole text.
pub fn lexicon_range(
    tokens: &Tokens,
    range: std::ops::Range<usize>,
    lang: Language,
    raw_irony: bool,
) -> f32 {
    let whole = range.start == 0 && range.end == tokens.len();
    let slice = tokens.tokens.get(range).unwrap_or(&[]);
    let words: Vec<(TokenKind, &str, bool)> = slice
        .iter()
        .map(|t| (t.kind, tokens.text(t), t.all_caps))
        .collect();
    let mut total = 0f32;
    let mut irony = raw_irony;
    // Contrast, per sentence: in a sentence with "but"/"mais", what comes before the last
    // one counts half and what follows it 1.5 times ("good cast, but a dull script").
    let mut contrast_at = vec![None; words.len()];
    let mut sentence_start = 0;
    for i in 0..=words.len() {
        let ends = i == words.len() || (i > 0 && slice[i].boundary == Boundary::Sentence);
        if ends {
            let last = (sentence_start..i).rev().find(|&j| {
                let (k, w, _) = words[j];
                k == TokenKind::Word && CONTRASTS.contains(&w)
            });
            for slot in &mut contrast_at[sentence_start..i] {
                *slot = last;
            }
            sentence_start = i;
        }
    }
    for (i, &(kind, word, caps)) in words.iter().enumerate() {
        let valence = match kind {
            TokenKind::Emoji => {
                if word == "🙄" || word == "🙃" {
                    irony = true;
                }
                EMOJI.get(word).copied()
            }
            TokenKind::Hashtag => {
                if IRONY_TAGS.contains(&word) {
                    irony = true;
                    None
                } else {
                    lookup(lang, word)
                }
            }
            TokenKind::Word => lookup(lang, word),
            TokenKind::Mention => None,
        };
        let Some(mut v) = valence else { continue };
        if v == 0.0 {
            continue;
        }
        if caps {
            v *= 1.25;
        }
        if collapse_repeats(word).is_some() {
            v *= 1.15;
        }
        // The three words before, but not across punctuation: "not bad, great" is not
        // "not great".
        let mut from = i.saturating_sub(3);
        if let Some(b) = (from + 1..=i)
            .rev()
            .find(|&j| slice[j].boundary != Boundary::None)
        {
            from = b;
        }
        let window = &words[from..i];
        for (distance, &(_, prev, _)) in window.iter().rev().enumerate() {
            let fade = if distance == 0 { 1.0 } else { 0.8 };
            if BOOSTERS.contains(&prev) {
                v *= 1.0 + 0.3 * fade;
            } else if DAMPENERS.contains(&prev) {
                v *= 1.0 - 0.3 * fade;
            }
        }
        let negated = window.iter().any(|&(_, w, _)| NEGATORS.contains(&w));
        if negated {
            v = match (word, lang) {
                // "pas mal", "not bad": mild praise.
                ("mal" | "bad", _) => 1.5,
                // "pas terrible": French for "not great".
                ("terrible", Language::Fr) => -1.8,
                _ => v * -0.74,
            };
        }
        if let Some(c) = contrast_at[i] {
            v *= if i < c { 0.5 } else { 1.5 };
        }
        if v < 0.0 {
            v *= NEGATIVE_WEIGHT;
        }
        total += v;
    }
    if total != 0.0 && whole {
        let bang = (tokens.exclamations.min(4) as f32) * 0.29;
        total += bang * total.signum();
    }
    if irony && total > 0.0 {
        // "Super service 🙄": the praise is the complaint.
        total = -total * 0.7 - 0.5;
    }
    total / (total * total + 15.0).sqrt()
}
