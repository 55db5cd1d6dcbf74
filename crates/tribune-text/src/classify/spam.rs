//! Spam and scams: crypto and "investment" testimonials, fake giveaways, phishing, fake
//! account recovery, adult bait, off-topic promotion, link farms, repeated text.
//!
//! Weighted cues in the query language (`lexicons/spam.tsv`) plus features that words
//! cannot express: how many links, whether their domains end in the cheap endings scams
//! favour (`.xyz`, `.top`, `.click`…), messenger and shortener links (`t.me`, `bit.ly`),
//! domains stuffed with bait words (`stridewell-winners-official.xyz`), repeated words and
//! emoji runs. Genuine comments with links (a tracking page, a forum fix) carry "ham"
//! cues that pull the score down.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::cues::CueSet;
use crate::document::Document;
use crate::tokenize::TokenKind;

/// Score at which a text is called spam (probability 0.5).
pub const THRESHOLD: f32 = 2.0;

pub(crate) static CUES: LazyLock<CueSet> =
    LazyLock::new(|| CueSet::load(include_str!("../../lexicons/spam.tsv")).0);

const CHEAP_TLDS: &[&str] = &[
    "xyz", "top", "click", "shop", "online", "site", "icu", "buzz", "live", "vip", "win", "bet",
    "loan", "work", "tk", "ml", "ga", "cf", "gq", "cfd", "sbs", "rest", "fun", "money", "casino",
    "club", "link", "store", "info", "biz", "cc", "pw", "ru",
];

const MESSENGERS: &[&str] = &[
    "t.me",
    "wa.me",
    "bit.ly",
    "tinyurl.com",
    "goo.gl",
    "ow.ly",
    "cutt.ly",
    "is.gd",
    "telegram.me",
    "linktr.ee",
    "shorturl.at",
    "rb.gy",
    "tiny.cc",
];

const BAIT_IN_DOMAIN: &[&str] = &[
    "official",
    "winner",
    "secure",
    "verify",
    "claim",
    "free",
    "gift",
    "promo",
    "bonus",
    "login",
    "account",
    "support",
    "recover",
    "crypto",
    "invest",
    "profit",
    "reward",
    "prize",
    "cadeau",
    "gagn",
    "colis",
    "douane",
    "livraison",
    "suivi-",
    "update",
    "bank",
    "banque",
];

/// Raw score (≥ [`THRESHOLD`] = spam).
pub fn score(doc: &Document, raw: &str) -> f32 {
    let tokens = doc.tokens();
    let mut s: f32 = CUES.hits(doc).iter().map(|c| c.weight).sum();
    let links = tokens.domains.len();
    if links > 0 {
        s += 0.8 + 0.5 * (links.min(4) - 1) as f32;
    }
    let mut domain_bonus = 0f32;
    for d in &tokens.domains {
        let tld = d.rsplit('.').next().unwrap_or("");
        let mut b = 0f32;
        if CHEAP_TLDS.contains(&tld) {
            b += 1.2;
        }
        if MESSENGERS
            .iter()
            .any(|m| d == m || d.ends_with(&format!(".{m}")))
        {
            b += 1.2;
        }
        if BAIT_IN_DOMAIN.iter().any(|w| d.contains(w)) {
            b += 1.0;
        }
        if d.matches('-').count() >= 2 {
            b += 0.5;
        }
        domain_bonus = domain_bonus.max(b);
    }
    s += domain_bonus;
    // Repetition: the same word or emoji over and over.
    let mut counts: FxHashMap<&str, u32> = FxHashMap::default();
    let mut emoji = 0u32;
    for t in &tokens.tokens {
        if t.kind == TokenKind::Emoji {
            emoji += 1;
        }
        *counts.entry(tokens.text(t)).or_insert(0) += 1;
    }
    let n = tokens.len() as u32;
    let top = counts.values().copied().max().unwrap_or(0);
    if n >= 6 && top >= 4 && top * 10 >= n * 3 {
        s += 1.0;
    }
    if emoji >= 6 && links > 0 {
        s += 0.6;
    }
    // Money amounts ("$21,000", "500€", "5k").
    let money = raw.contains('$') || raw.contains('€') || raw.contains('£');
    if money && raw.chars().any(|c| c.is_ascii_digit()) {
        s += 0.4;
    }
    let caps = tokens.tokens.iter().filter(|t| t.all_caps).count();
    if n >= 4 && caps * 2 >= n as usize {
        s += 0.4;
    }
    s
}

/// Maps a cue score to a probability-like value in [0, 1].
pub fn probability(score: f32) -> f32 {
    1.0 / (1.0 + (-2.0 * (score - THRESHOLD)).exp())
}
