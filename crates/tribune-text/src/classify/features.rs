//! The input of the learned classifiers (`learned.rs`): one sparse, hashed feature vector
//! per text, shared by sentiment, toxicity and spam (each has its own weights).
//!
//! - **Words**: unigrams and bigrams of the folded, de-obfuscated tokens (bigrams do not
//!   cross a sentence end); words within four of a negator are marked negated (`!bon`);
//!   numbers become `0`, @handles a placeholder `@`, links a placeholder `URL`; compound
//!   hashtags are segmented (`#notimpressed` → `not impressed`, `#jamaisplus` →
//!   `jamais plus`). The group is scaled by 1/√n so a long text does not outweigh the rest.
//! - **Characters**: 3- and 4-grams inside words (`<con`, `onna`…), which survive the
//!   spellings folding cannot undo (`conar`, `connnnard`, `idiiot`).
//! - **Who is aimed at**: second person, @handles, staff ("le CM", "the cashier"), groups
//!   of people and dehumanising words, and their combination with negative words.
//! - **Rule scores as features, not decisions**: the lexicon sentiment score (whole text
//!   and mean of its sentences, so long texts are scored from their sentences), the English
//!   n-gram model, the toxicity and spam cue scores.
//! - **Social and link cues**: ASCII emoticons, questions, politeness, links (count,
//!   cheap endings, shorteners, bait words, look-alike and masked domains), money, capitals.
//!
//! `examples/classifier_features.rs` prints these vectors for the training script, so
//! training and inference share this code.

use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet};

use super::lang::Language;
use super::linear::{Fnv, fnv};
use super::sentiment::{NEGATORS, emoji_valence, lexicon_range, word_valence};
use crate::normalize::collapse_repeats;
use crate::tokenize::{Boundary, TokenKind, Tokens};

/// Everything the features are computed from.
pub struct Inputs<'a> {
    /// The text as written (emoticons, masked links, `?` at the end).
    pub raw: &'a str,
    /// The de-obfuscated, tokenized text.
    pub tokens: &'a Tokens,
    pub lang: Language,
    /// Score of the rule-based sentiment (English n-gram model for English).
    pub sentiment_rule: f32,
    /// Toxicity cue score (`toxicity::score`).
    pub toxicity_rule: f32,
    /// Spam cue score (`spam::score`).
    pub spam_rule: f32,
    /// True when the text writes a link so that it is not clickable (`exemple[.]com`).
    pub masked_link: bool,
}

/// Words after a negator that are marked as negated (unless punctuation comes first).
const NEGATION_SCOPE: usize = 4;

/// Character n-grams are taken from at most this many words (speed on long texts).
const MAX_CHAR_WORDS: usize = 60;

const SECOND_PERSON: &[&str] = &[
    "tu", "te", "toi", "ton", "ta", "tes", "es", "vous", "votre", "vos", "you", "your", "youre",
    "ur", "u", "yourself", "ya", "yours", "toimeme",
];

const STAFF: &[&str] = &[
    "cm",
    "community",
    "vendeur",
    "vendeuse",
    "caissier",
    "caissiere",
    "serveur",
    "serveuse",
    "employe",
    "employes",
    "employee",
    "employees",
    "conseiller",
    "conseillere",
    "manager",
    "gerant",
    "gerante",
    "directeur",
    "directrice",
    "patron",
    "patronne",
    "livreur",
    "livreuse",
    "technicien",
    "technicienne",
    "prof",
    "professeur",
    "coach",
    "moniteur",
    "monitrice",
    "standardiste",
    "hotesse",
    "staff",
    "agent",
    "chauffeur",
    "animateur",
    "animatrice",
    "stagiaire",
    "responsable",
    "vigile",
    "cashier",
    "clerk",
    "waiter",
    "waitress",
    "barista",
    "driver",
    "courier",
    "rep",
    "technician",
    "teacher",
    "trainer",
    "receptionist",
    "intern",
    "owner",
    "ceo",
    "boss",
    "supervisor",
    "admin",
    "moderator",
    "moderateur",
    "moderatrice",
    "redacteur",
    "journaliste",
    "reporter",
    "influenceur",
    "influenceuse",
    "chef",
    "cuisinier",
    "boulanger",
    "boulangere",
    "pharmacien",
    "pharmacienne",
    "guichetier",
    "installateur",
    "installer",
    "designer",
    "mec",
    "meuf",
    "nana",
    "gars",
    "guy",
    "dude",
    "chick",
    "lady",
    "woman",
    "girl",
    "fille",
    "femme",
    "homme",
    "type",
];

const GROUP: &[&str] = &[
    "gens",
    "people",
    "immigres",
    "immigrants",
    "migrants",
    "etrangers",
    "foreigners",
    "refugies",
    "refugees",
    "musulmans",
    "muslims",
    "juifs",
    "jews",
    "arabes",
    "arabs",
    "noirs",
    "blacks",
    "roms",
    "gitans",
    "gays",
    "lesbiennes",
    "trans",
    "femmes",
    "women",
    "vieux",
    "boomers",
    "handicapes",
    "disabled",
    "chinois",
    "asians",
    "asiatiques",
    "africains",
    "africans",
    "mexicans",
    "mexicains",
    "race",
    "espece",
    "breed",
    "kind",
    "ethnie",
    "communaute",
    "eux",
    "them",
    "they",
    "ils",
    "ces",
    "those",
    "these",
];

const DEHUMANISING: &[&str] = &[
    "vermine",
    "parasites",
    "parasite",
    "cafards",
    "rats",
    "nuisibles",
    "animaux",
    "betes",
    "sauvages",
    "racaille",
    "engeance",
    "horde",
    "hordes",
    "invasion",
    "envahisseurs",
    "grouillent",
    "pullulent",
    "vermin",
    "cockroaches",
    "roaches",
    "animals",
    "savages",
    "subhuman",
    "infestation",
    "infest",
    "swarm",
    "swarming",
    "breed",
    "invaders",
    "leeches",
    "pests",
    "troupeau",
    "herd",
    "primitifs",
    "primitive",
];

const POLITE: &[&str] = &[
    "bonjour",
    "bonsoir",
    "svp",
    "stp",
    "merci",
    "cordialement",
    "hello",
    "hi",
    "please",
    "pls",
    "plz",
    "thanks",
    "thank",
    "regards",
];

/// ASCII emoticons and their valence sign.
const EMOTICONS: &[(&str, f32)] = &[
    (":)", 1.0),
    (":-)", 1.0),
    ("(:", 1.0),
    (":]", 1.0),
    ("=)", 1.0),
    (":d", 1.0),
    (":-d", 1.0),
    (";)", 1.0),
    (";-)", 1.0),
    ("<3", 1.0),
    ("xd", 1.0),
    (":p", 0.5),
    (":-p", 0.5),
    ("^^", 1.0),
    ("^_^", 1.0),
    (":')", 1.0),
    (":(", -1.0),
    (":-(", -1.0),
    ("):", -1.0),
    (":'(", -1.0),
    (":/", -1.0),
    (":-/", -1.0),
    (":\\", -1.0),
    (">:(", -1.0),
    ("d:", -1.0),
    (":|", -0.5),
    (":-|", -0.5),
    ("</3", -1.0),
    (":s", -0.5),
    ("-_-", -1.0),
    ("-.-", -1.0),
    ("x(", -1.0),
];

const F_YOU: u8 = 1;
const F_STAFF: u8 = 2;
const F_GROUP: u8 = 4;
const F_DEHUMAN: u8 = 8;
const F_POLITE: u8 = 16;
const F_NEGATOR: u8 = 32;

/// The word lists above as one table: one hash lookup per word instead of a scan of each.
static WORD_FLAGS: LazyLock<FxHashMap<&'static str, u8>> = LazyLock::new(|| {
    let mut map: FxHashMap<&'static str, u8> = FxHashMap::default();
    for (list, flag) in [
        (SECOND_PERSON, F_YOU),
        (STAFF, F_STAFF),
        (GROUP, F_GROUP),
        (DEHUMANISING, F_DEHUMAN),
        (POLITE, F_POLITE),
        (NEGATORS, F_NEGATOR),
    ] {
        for w in list {
            *map.entry(w).or_insert(0) |= flag;
        }
    }
    map
});

/// Words a compound hashtag may be made of, besides the sentiment lexicons.
static HASHTAG_WORDS: LazyLock<FxHashSet<&'static str>> = LazyLock::new(|| {
    let mut set: FxHashSet<&'static str> = FxHashSet::default();
    for list in [super::lang::FR_WORDS, super::lang::EN_WORDS, EXTRA_WORDS] {
        set.extend(list.split_whitespace());
    }
    set
});

const EXTRA_WORDS: &str = "fail epic win plus jamais never again ever impressed happy sad day service client customer \
     love hate best worst merci thanks thank bravo team life mood goals top nul ras bol marre \
     vie amour enfin toujours encore fini done over so much very bien mal bon bad good great \
     boycott scam arnaque honte shame disappointed decu decue satisfied content contente";

fn is_segment_word(lang: Language, w: &str) -> bool {
    (w.len() >= 2 || w == "a") && (HASHTAG_WORDS.contains(w) || word_valence(lang, w).is_some())
}

/// Splits a folded compound hashtag into known words (`notimpressed` → `not`,
/// `impressed`), preferring long words; `None` when no full split exists.
pub fn segment_hashtag(lang: Language, tag: &str) -> Option<Vec<&str>> {
    let n = tag.len();
    if !(5..=40).contains(&n) || !tag.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    // best[i] = (score, previous cut) for tag[..i].
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in 1..=n {
        for start in end.saturating_sub(16)..end {
            let Some((score, _)) = best[start] else {
                continue;
            };
            let piece = &tag[start..end];
            if is_segment_word(lang, piece) {
                let s = score + piece.len() * piece.len();
                if best[end].is_none_or(|(b, _)| s > b) {
                    best[end] = Some((s, start));
                }
            }
        }
    }
    best[n]?;
    let mut pieces = Vec::new();
    let mut end = n;
    while end > 0 {
        let (_, start) = best[end]?;
        pieces.push(&tag[start..end]);
        end = start;
    }
    pieces.reverse();
    (pieces.len() >= 2).then_some(pieces)
}

/// Collects hashed features with values; sorted and summed per index at the end.
struct Sink {
    mask: u64,
    out: Vec<(u32, f32)>,
}

impl Sink {
    fn index(&self, parts: &[&[u8]]) -> u32 {
        let h = fnv(parts);
        ((h ^ (h >> 32)) & self.mask) as u32
    }

    fn add(&mut self, parts: &[&[u8]], value: f32) {
        if value != 0.0 {
            let i = self.index(parts);
            self.out.push((i, value));
        }
    }

    fn flag(&mut self, name: &str, on: bool) {
        if on {
            self.add(&[b"x", name.as_bytes()], 1.0);
        }
    }
}

/// Writes the sparse features of one text into `out` (sorted by index, summed).
pub fn extract(inp: &Inputs, bits: u32, out: &mut Vec<(u32, f32)>) {
    let mut sink = Sink {
        mask: (1u64 << bits) - 1,
        out: std::mem::take(out),
    };
    sink.out.clear();
    let tokens = inp.tokens;
    let lang = inp.lang;

    // Words and character n-grams, each group scaled by 1/√n.
    // Hashed indices; a feature may appear more than once (summed later).
    let mut words: Vec<u32> = Vec::with_capacity(tokens.len() * 2 + 4);
    let mask = sink.mask;
    let fold = move |h: Fnv| ((h.0 ^ (h.0 >> 32)) & mask) as u32;
    let mut chars: Vec<u32> = Vec::with_capacity(tokens.len() * 8);
    let mut prev: Option<String> = None;
    let mut negated_left = 0usize;
    let mut char_words = 0usize;
    let mut you = false;
    let mut staff = false;
    let mut group = false;
    let mut dehuman = false;
    let mut polite = false;
    let mut mentions = 0usize;
    let mut emoji = 0usize;
    let mut emoji_valence_sum = 0f32;
    let mut hashtag_valence = 0f32;
    let mut caps = 0usize;
    let mut word_count = 0usize;
    let push_term = |term: &str,
                     kind: &[u8],
                     prev: &mut Option<String>,
                     words: &mut Vec<u32>,
                     negated_left: &mut usize| {
        let mut t = String::with_capacity(term.len() + 1);
        if *negated_left > 0 {
            t.push('!');
            *negated_left -= 1;
        }
        t.push_str(term);
        // Same values as hashing the concatenated keys `kind term` and `b prev term`.
        words.push(fold(Fnv::START.bytes(kind).bytes(t.as_bytes())));
        if let Some(p) = prev.as_deref() {
            words.push(fold(
                Fnv::START
                    .bytes(b"b")
                    .bytes(p.as_bytes())
                    .bytes(b" ")
                    .bytes(t.as_bytes()),
            ));
        }
        *prev = Some(t);
    };
    for token in &tokens.tokens {
        if token.boundary != Boundary::None {
            negated_left = 0;
            if token.boundary == Boundary::Sentence {
                prev = None;
            }
        }
        let raw = tokens.text(token);
        if token.all_caps {
            caps += 1;
        }
        match token.kind {
            TokenKind::Mention => {
                mentions += 1;
                push_term("@", b"u", &mut prev, &mut words, &mut negated_left);
                continue;
            }
            TokenKind::Emoji => {
                emoji += 1;
                emoji_valence_sum += emoji_valence(raw).unwrap_or(0.0);
                push_term(raw, b"e", &mut prev, &mut words, &mut negated_left);
                continue;
            }
            TokenKind::Hashtag => {
                push_term(raw, b"#", &mut prev, &mut words, &mut negated_left);
                if word_valence(lang, raw).is_none()
                    && let Some(pieces) = segment_hashtag(lang, raw)
                {
                    // The pieces read like the words of the text (negation, bigrams), so
                    // `#jamaisplus` gives what "jamais plus" gives.
                    let mut negate = false;
                    let mut v = 0f32;
                    for p in pieces {
                        if NEGATORS.contains(&p) {
                            negate = true;
                            negated_left = NEGATION_SCOPE;
                            push_term(p, b"u", &mut prev, &mut words, &mut 0);
                            continue;
                        }
                        push_term(p, b"u", &mut prev, &mut words, &mut negated_left);
                        if let Some(val) = word_valence(lang, p) {
                            v += if negate { -0.74 * val } else { val };
                        }
                    }
                    hashtag_valence += v;
                }
                continue;
            }
            TokenKind::Word => {}
        }
        word_count += 1;
        let term = if raw.bytes().all(|b| b.is_ascii_digit()) {
            "0".to_owned()
        } else {
            collapse_repeats(raw).unwrap_or_else(|| raw.to_owned())
        };
        let flags = WORD_FLAGS.get(term.as_str()).copied().unwrap_or(0);
        you |= flags & F_YOU != 0;
        staff |= flags & F_STAFF != 0;
        group |= flags & F_GROUP != 0;
        dehuman |= flags & F_DEHUMAN != 0;
        polite |= flags & F_POLITE != 0;
        if char_words < MAX_CHAR_WORDS && term.len() >= 3 && term != "0" {
            char_words += 1;
            char_ngrams(&sink, &term, &mut chars);
        }
        if flags & F_NEGATOR != 0 {
            negated_left = NEGATION_SCOPE;
            // The negator is a word too (toxicity and spam need "pas", "no"); the words it
            // governs carry the negation for sentiment.
            push_term(&term, b"u", &mut prev, &mut words, &mut 0);
            continue;
        }
        push_term(&term, b"u", &mut prev, &mut words, &mut negated_left);
    }
    for _ in &tokens.domains {
        words.push(fold(Fnv::START.bytes(b"uURL")));
    }
    // Words someone else said, quoted (to report them, most often): their own features,
    // on top of the plain ones, so that "called me a « grosse vache »" can differ from
    // "grosse vache".
    let quoted = quoted_words(inp.raw);
    for w in &quoted {
        words.push(fold(Fnv::START.bytes(b"q").bytes(w.as_bytes())));
    }
    if !words.is_empty() {
        let v = 1.0 / (words.len() as f32).sqrt();
        sink.out.extend(words.iter().map(|&i| (i, v)));
    }
    if !chars.is_empty() {
        chars.sort_unstable();
        chars.dedup();
        let v = 1.0 / (chars.len() as f32).sqrt();
        sink.out.extend(chars.iter().map(|&i| (i, v)));
    }

    // Language and length.
    sink.flag(
        match lang {
            Language::Fr => "lang:fr",
            Language::En => "lang:en",
            _ => "lang:other",
        },
        true,
    );
    let len_bucket = match word_count {
        0..=5 => "len:1-5",
        6..=15 => "len:6-15",
        16..=40 => "len:16-40",
        _ => "len:41+",
    };
    sink.flag(len_bucket, true);

    // Sentiment: rule score, mean of the sentences, parts.
    let lexicon_mean = mean_sentence_lexicon(tokens, lang);
    sink.add(&[b"x", b"sent_rule"], inp.sentiment_rule);
    sink.add(&[b"x", b"sent_rule_pos"], inp.sentiment_rule.max(0.0));
    sink.add(&[b"x", b"lex_mean"], lexicon_mean);
    sink.add(&[b"x", b"lex_mean_neg"], lexicon_mean.min(0.0));
    sink.add(
        &[b"x", b"lex_abs"],
        if inp.sentiment_rule.abs() < 0.05 {
            1.0
        } else {
            0.0
        },
    );
    sink.add(
        &[b"x", b"emoji_val"],
        (emoji_valence_sum / 3.0).clamp(-2.0, 2.0),
    );
    sink.add(
        &[b"x", b"hashtag_val"],
        (hashtag_valence / 2.0).clamp(-2.0, 2.0),
    );
    let emoticons = emoticon_valence(inp.raw);
    sink.add(&[b"x", b"emoticon_pos"], emoticons.0);
    sink.add(&[b"x", b"emoticon_neg"], emoticons.1);
    let question = tokens.questions > 0;
    let ends_question = inp.raw.trim_end().ends_with('?');
    sink.flag("question", question);
    sink.flag("ends_question", ends_question);
    sink.flag(
        "question_no_lexicon",
        question && inp.sentiment_rule.abs() < 0.05,
    );
    sink.flag("quote", !quoted.is_empty());
    sink.flag("quote_neg", !quoted.is_empty() && negative_rule(inp));
    sink.flag("polite", polite);
    sink.flag("polite_question", polite && question);
    sink.flag("polite_negative", polite && lexicon_mean < -0.05);
    sink.flag("exclamation", tokens.exclamations > 0);
    sink.flag("many_emoji", emoji >= 3);

    // Aim.
    let negative = inp.sentiment_rule < -0.05 || lexicon_mean < -0.05;
    sink.flag("you", you);
    sink.flag("mention", mentions > 0);
    sink.flag("staff", staff);
    sink.flag("group", group);
    sink.flag("dehuman", dehuman);
    sink.flag("group_dehuman", group && dehuman);
    sink.flag("you_neg", you && negative);
    sink.flag("mention_neg", mentions > 0 && negative);
    sink.flag("staff_neg", staff && negative);
    sink.flag("group_neg", group && negative);
    sink.flag("you_emoji", you && emoji > 0);
    sink.flag("staff_emoji", staff && emoji > 0);
    sink.flag("mention_emoji", mentions > 0 && emoji > 0);
    sink.add(&[b"x", b"tox_rule"], (inp.toxicity_rule / 3.0).min(2.0));
    sink.flag("tox_rule_hit", inp.toxicity_rule >= 2.0);

    // Spam and links.
    sink.add(
        &[b"x", b"spam_rule"],
        (inp.spam_rule / 4.0).clamp(-1.0, 2.0),
    );
    sink.flag("spam_rule_hit", inp.spam_rule >= 2.0);
    let links = tokens.domains.len();
    sink.flag("link", links > 0);
    sink.flag("links_2", links >= 2);
    sink.flag("masked_link", inp.masked_link);
    for d in &tokens.domains {
        sink.flag("lookalike_domain", lookalike(d));
        sink.flag("nested_domain", nested(d));
        sink.flag(
            "hyphen_domain",
            d.split('.').next().is_some_and(|l| l.contains('-')),
        );
        let tld = d.rsplit('.').next().unwrap_or("");
        sink.add(&[b"tld", tld.as_bytes()], 1.0);
    }
    let money = inp.raw.contains(['$', '€', '£']) && inp.raw.chars().any(|c| c.is_ascii_digit());
    sink.flag("money", money);
    sink.flag("caps", word_count >= 4 && caps * 2 >= word_count);
    sink.flag("long_number", long_number(inp.raw));

    let mut out_vec = sink.out;
    out_vec.sort_unstable_by_key(|&(i, _)| i);
    out_vec.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 += b.1;
            true
        } else {
            false
        }
    });
    *out = out_vec;
}

fn char_ngrams(sink: &Sink, term: &str, out: &mut Vec<u32>) {
    let mut padded: Vec<u8> = Vec::with_capacity(term.len() + 2);
    padded.push(b'<');
    padded.extend_from_slice(term.as_bytes());
    padded.push(b'>');
    // Same values as `sink.index(&[b"c", window])`.
    let base = Fnv::START.bytes(b"c").separator();
    for n in [3usize, 4] {
        if padded.len() < n {
            continue;
        }
        for w in padded.windows(n) {
            let h = base.bytes(w).0;
            out.push(((h ^ (h >> 32)) & sink.mask) as u32);
        }
    }
}

/// Mean of the lexicon scores of the sentences (the whole text when it is one sentence):
/// a long review is judged by its typical sentence instead of a saturated sum.
pub fn mean_sentence_lexicon(tokens: &Tokens, lang: Language) -> f32 {
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
    if bounds.is_empty() {
        return 0.0;
    }
    let n = bounds.len() as f32;
    bounds
        .into_iter()
        .map(|r| lexicon_range(tokens, r, lang, false))
        .sum::<f32>()
        / n
}

fn negative_rule(inp: &Inputs) -> bool {
    inp.sentiment_rule < -0.05 || inp.toxicity_rule > 0.0
}

/// The folded words between quotation marks (`« »`, `“ ”`, `"…"`), at most 12 per quote.
fn quoted_words(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(open) = rest.find(['«', '“', '"']) {
        let quote = &rest[open..];
        let mut chars = quote.chars();
        let opener = chars.next().unwrap_or('"');
        let closer = match opener {
            '«' => '»',
            '“' => '”',
            _ => '"',
        };
        let body = chars.as_str();
        let Some(end) = body.find(closer) else { break };
        let inner = &body[..end];
        if inner.split_whitespace().count() <= 12 {
            let tokens = crate::tokenize::tokenize(&super::prepare::deobfuscate(inner));
            out.extend(
                tokens
                    .iter()
                    .filter(|(k, _)| *k == TokenKind::Word)
                    .map(|(_, w)| w.to_owned()),
            );
        }
        rest = &body[end + closer.len_utf8()..];
    }
    out
}

/// (positive, negative) emoticon evidence in the raw text.
fn emoticon_valence(raw: &str) -> (f32, f32) {
    let mut pos = 0f32;
    let mut neg = 0f32;
    for piece in raw.split_whitespace() {
        // Every emoticon has one of these characters, or is `xD`: most words are skipped
        // without comparing them with the list.
        let maybe = piece.bytes().any(|b| {
            matches!(
                b,
                b':' | b';' | b'=' | b'<' | b'^' | b'(' | b')' | b'-' | b'|'
            )
        }) || piece.eq_ignore_ascii_case("xd");
        if !maybe || piece.contains("://") || piece.len() > 12 {
            continue;
        }
        let lower = piece.to_ascii_lowercase();
        let core = lower.trim_matches(|c: char| matches!(c, ',' | '.' | '!' | '?'));
        if let Some(&(_, v)) = EMOTICONS
            .iter()
            .find(|(e, _)| core == *e || (core.len() > e.len() + 1 && core.ends_with(e)))
        {
            if v > 0.0 {
                pos += v;
            } else {
                neg -= v;
            }
        }
    }
    (pos.min(2.0), neg.min(2.0))
}

/// A domain label mixing letters and digits the way look-alikes do (`exemp1e`,
/// `cafe-brul0t`, `paypa1`), or `rn` standing for `m` next to a known word is not
/// guessable here: digits between letters are.
fn lookalike(domain: &str) -> bool {
    domain.split('.').any(|label| {
        let b = label.as_bytes();
        b.windows(3).any(|w| {
            w[0].is_ascii_alphabetic()
                && matches!(w[1], b'0' | b'1' | b'3' | b'4' | b'5')
                && w[2].is_ascii_alphabetic()
        }) || (b.len() >= 4
            && b.last().is_some_and(|c| matches!(c, b'0' | b'1'))
            && b[..b.len() - 1].iter().all(u8::is_ascii_alphabetic))
    })
}

/// A domain that carries another domain's ending inside it (`marque.fr.example.com`,
/// `compte-marque.com-secure.net`): the oldest phishing trick.
fn nested(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 3
        && labels[..labels.len() - 1]
            .iter()
            .skip(1)
            .any(|l| matches!(*l, "fr" | "com" | "net" | "org" | "co" | "uk" | "be" | "ch"))
}

/// A run of 8 digits or more (phone numbers, order numbers: the model tells which).
fn long_number(raw: &str) -> bool {
    let mut run = 0;
    for c in raw.chars() {
        if c.is_ascii_digit() {
            run += 1;
            if run >= 8 {
                return true;
            }
        } else if c != ' ' && c != '.' && c != '-' {
            run = 0;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_hashes_match_the_trained_ones() {
        assert_eq!(Fnv::START.bytes(b"u").bytes(b"merci").0, fnv(&[b"umerci"]));
        assert_eq!(
            Fnv::START.bytes(b"c").separator().bytes(b"<co").0,
            fnv(&[b"c", b"<co"])
        );
    }

    #[test]
    fn segments_compound_hashtags() {
        assert_eq!(
            segment_hashtag(Language::En, "notimpressed"),
            Some(vec!["not", "impressed"])
        );
        assert_eq!(
            segment_hashtag(Language::Fr, "jamaisplus"),
            Some(vec!["jamais", "plus"])
        );
        assert_eq!(segment_hashtag(Language::En, "qwxzv"), None);
    }

    #[test]
    fn finds_quoted_words() {
        assert_eq!(
            quoted_words("il m'a traité de « gros nul », bref"),
            ["gros", "nul"]
        );
        assert_eq!(quoted_words("she wrote \"die\" twice"), ["die"]);
        assert!(quoted_words("pas de citation").is_empty());
    }

    #[test]
    fn reads_ascii_emoticons() {
        assert_eq!(emoticon_valence("super :)").0, 1.0);
        assert_eq!(emoticon_valence("bof :/").1, 1.0);
        assert_eq!(emoticon_valence("voir https://exemple.fr"), (0.0, 0.0));
    }

    #[test]
    fn spots_lookalike_and_nested_domains() {
        assert!(lookalike("exemp1e.fr"));
        assert!(lookalike("cafe-brul0t.example.com"));
        assert!(!lookalike("exemple.fr"));
        assert!(!lookalike("a1.example.com"));
        assert!(nested("marque-compte.fr.example.com"));
        assert!(!nested("www.exemple.fr"));
    }
}
