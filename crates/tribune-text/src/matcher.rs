//! Many queries compiled into one index: given a post, the ids of every query that matches.
//!
//! Evaluating 10,000 saved searches one after the other on each incoming post is far too
//! slow for a firehose. Instead every term of every query becomes a *key* in hash tables
//! (exact terms by kind, prefixes by length, languages, authors, domains). A post is
//! tokenized once, each token looks up its keys (a few hash probes), and only queries
//! *triggered* by a present key are evaluated. A query's trigger set is chosen so that it
//! cannot match unless one of its keys is present (all keys of an `OR`, the smallest set
//! among the children of an `AND`); queries with no such set (`NOT spam`) are always
//! evaluated. The prefilter is a hash lookup rather than an Aho-Corasick automaton because
//! posts are already cut into folded tokens: whole-token equality is both the semantics we
//! want (`prix` must not match `prixtel`) and cheaper than scanning bytes.

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use crate::document::Document;
use crate::query::eval::{domain_matches, gap};
use crate::query::{Atom, Node, Query, TermPattern};
use crate::tokenize::TokenKind;

type KeyId = u32;

/// Position used for keys that are not tied to a token (language, author, domain).
const NO_POSITION: u32 = u32::MAX;

#[derive(Clone, Debug)]
enum Expr {
    Key(KeyId),
    Phrase {
        keys: Vec<KeyId>,
        slop: Option<u32>,
    },
    /// Each side: its alternatives, each a key sequence (one key for a word).
    Near {
        left: Vec<Vec<KeyId>>,
        right: Vec<Vec<KeyId>>,
        distance: u32,
    },
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

/// The 64-bit hash of a folded text, computed once per token and reused for every table.
fn text_hash(text: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(text.as_bytes());
    h.finish()
}

/// Folded text to key, probed with a hash the caller computed once per token. The table is
/// keyed by the 64-bit hash, so a probe compares integers and reads a key's text only on a
/// hit, to confirm it (the profile showed string hashing and comparison as the matcher's
/// largest cost). Two key texts with the same 64-bit hash are kept apart in `collided`.
///
/// Most words of a post are no key at all; a bit per hash slot (`filter`, about 16 bits per
/// key, small enough to stay in cache) answers "not a key" for nearly all of them without
/// touching the table.
#[derive(Default, Debug)]
struct TextMap {
    by_hash: FxHashMap<u64, (KeyId, KeyText)>,
    collided: FxHashMap<Box<str>, KeyId>,
    filter: Vec<u64>,
    /// `filter` has `2^filter_bits` bits.
    filter_bits: u32,
}

impl TextMap {
    /// The filter bit of a hash: its top bits (the table uses the low ones).
    fn filter_slot(&self, hash: u64) -> usize {
        if self.filter_bits == 0 {
            return 0;
        }
        usize::try_from(hash >> (64 - self.filter_bits)).unwrap_or(0)
    }

    fn maybe_present(&self, hash: u64) -> bool {
        let slot = self.filter_slot(hash);
        self.filter
            .get(slot / 64)
            .is_some_and(|word| word & (1 << (slot % 64)) != 0)
    }

    /// Sizes the filter for the keys inserted so far (called once, when the matcher is built;
    /// before that, lookups skip the filter).
    fn seal(&mut self) {
        let wanted = (self.by_hash.len() as u64 * 16).max(64).next_power_of_two();
        self.filter_bits = wanted.trailing_zeros();
        self.filter = vec![0; usize::try_from(wanted / 64).unwrap_or(1)];
        let slots: Vec<usize> = self.by_hash.keys().map(|&h| self.filter_slot(h)).collect();
        for slot in slots {
            if let Some(word) = self.filter.get_mut(slot / 64) {
                *word |= 1 << (slot % 64);
            }
        }
    }

    fn get(&self, hash: u64, text: &str) -> Option<KeyId> {
        if self.filter_bits != 0 && !self.maybe_present(hash) {
            return None;
        }
        let (k, key_text) = self.by_hash.get(&hash)?;
        if key_text.is(text) {
            return Some(*k);
        }
        // Same hash, other text: it can only be a key if it collided when inserted.
        self.collided.get(text).copied()
    }

    fn get_text(&self, text: &str) -> Option<KeyId> {
        self.get(text_hash(text), text)
    }

    fn insert(&mut self, text: &str, k: KeyId) {
        self.insert_hashed(text_hash(text), text, k);
    }

    fn insert_hashed(&mut self, hash: u64, text: &str, k: KeyId) {
        match self.by_hash.entry(hash) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert((k, KeyText::new(text)));
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collided.insert(text.into(), k);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }
}

/// Longest key text kept inline in the table.
const INLINE_KEY: usize = 22;

/// A key's text, inline when short (most words): confirming a hit then reads the table
/// entry only, not a string elsewhere in memory.
#[derive(Debug)]
enum KeyText {
    Inline(u8, [u8; INLINE_KEY]),
    Boxed(Box<str>),
}

impl KeyText {
    fn new(text: &str) -> KeyText {
        let mut bytes = [0u8; INLINE_KEY];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(head), Ok(len)) => {
                head.copy_from_slice(text.as_bytes());
                KeyText::Inline(len, bytes)
            }
            _ => KeyText::Boxed(text.into()),
        }
    }

    fn is(&self, text: &str) -> bool {
        match self {
            KeyText::Inline(len, bytes) => {
                usize::from(*len) == text.len() && bytes.get(..text.len()) == Some(text.as_bytes())
            }
            KeyText::Boxed(key) => **key == *text,
        }
    }
}

/// Hash tables from folded text to key, one per token kind.
#[derive(Default, Debug)]
struct KindTables {
    exact: TextMap,
    prefix: TextMap,
    /// Bit `n` set when some prefix key has `n` bytes (n < 64), to skip useless probes.
    prefix_lengths: u64,
    long_prefixes: bool,
}

/// A compiled set of queries, each with a caller-chosen id `K`.
#[derive(Debug)]
pub struct Matcher<K> {
    ids: Vec<K>,
    exprs: Vec<Expr>,
    tables: [KindTables; 4],
    langs: FxHashMap<Box<str>, KeyId>,
    authors: FxHashMap<Box<str>, KeyId>,
    domains: Vec<(Box<str>, KeyId)>,
    domain_index: FxHashMap<Box<str>, KeyId>,
    /// Queries to evaluate when a key is present.
    postings: Vec<Vec<u32>>,
    /// Queries that no key can trigger (for example `NOT spam`).
    always: Vec<u32>,
    key_count: u32,
}

fn kind_index(kind: TokenKind) -> usize {
    match kind {
        TokenKind::Word => 0,
        TokenKind::Hashtag => 1,
        TokenKind::Mention => 2,
        TokenKind::Emoji => 3,
    }
}

/// Collects matcher input; [`MatcherBuilder::build`] freezes it.
#[derive(Debug)]
pub struct MatcherBuilder<K> {
    matcher: Matcher<K>,
    key_text_len: Vec<(usize, bool)>,
    /// How many query terms use each key: a key shared by many queries is a common word,
    /// a poor trigger.
    key_uses: Vec<u32>,
}

impl<K> Default for MatcherBuilder<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K> MatcherBuilder<K> {
    pub fn new() -> Self {
        Self {
            matcher: Matcher {
                ids: Vec::new(),
                exprs: Vec::new(),
                tables: Default::default(),
                langs: FxHashMap::default(),
                authors: FxHashMap::default(),
                domains: Vec::new(),
                domain_index: FxHashMap::default(),
                postings: Vec::new(),
                always: Vec::new(),
                key_count: 0,
            },
            key_text_len: Vec::new(),
            key_uses: Vec::new(),
        }
    }

    /// Adds a parsed query under `id`.
    pub fn add(&mut self, id: K, query: &Query) {
        let expr = self.compile(&query.root);
        self.matcher.ids.push(id);
        self.matcher.exprs.push(expr);
    }

    /// Builds the index.
    pub fn build(mut self) -> Matcher<K> {
        // Triggers are chosen once every query is known, so key popularity is complete.
        let triggers: Vec<Option<Vec<KeyId>>> =
            self.matcher.exprs.iter().map(|e| self.trigger(e)).collect();
        let m = &mut self.matcher;
        m.postings = vec![Vec::new(); m.key_count as usize];
        for (q, trigger) in triggers.iter().enumerate() {
            let q = u32::try_from(q).unwrap_or(u32::MAX);
            match trigger {
                Some(keys) => {
                    for &k in keys {
                        if let Some(list) = m.postings.get_mut(k as usize) {
                            list.push(q);
                        }
                    }
                }
                None => m.always.push(q),
            }
        }
        for list in &mut m.postings {
            list.dedup();
            list.shrink_to_fit();
        }
        for table in &mut m.tables {
            table.exact.seal();
            table.prefix.seal();
        }
        self.matcher
    }

    fn new_key(&mut self, len: usize, prefix: bool) -> KeyId {
        let id = self.matcher.key_count;
        self.matcher.key_count += 1;
        self.key_text_len.push((len, prefix));
        self.key_uses.push(0);
        id
    }

    fn used(&mut self, k: KeyId) -> KeyId {
        if let Some(n) = self.key_uses.get_mut(k as usize) {
            *n += 1;
        }
        k
    }

    fn cost(&self, keys: &[KeyId]) -> u64 {
        keys.iter()
            .map(|&k| u64::from(self.key_uses.get(k as usize).copied().unwrap_or(0)))
            .sum()
    }

    fn term_key(&mut self, t: &TermPattern) -> KeyId {
        let idx = kind_index(t.kind);
        let map = if t.prefix {
            &self.matcher.tables[idx].prefix
        } else {
            &self.matcher.tables[idx].exact
        };
        if let Some(k) = map.get_text(&t.text) {
            return k;
        }
        let k = self.new_key(t.text.len(), t.prefix);
        let table = &mut self.matcher.tables[idx];
        if t.prefix {
            table.prefix.insert(&t.text, k);
            if t.text.len() < 64 {
                table.prefix_lengths |= 1 << t.text.len();
            } else {
                table.long_prefixes = true;
            }
        } else {
            table.exact.insert(&t.text, k);
        }
        k
    }

    fn map_key(&mut self, which: u8, text: &str) -> KeyId {
        let existing = match which {
            0 => self.matcher.langs.get(text),
            1 => self.matcher.authors.get(text),
            _ => self.matcher.domain_index.get(text),
        };
        if let Some(&k) = existing {
            return k;
        }
        let k = self.new_key(usize::MAX / 2, false);
        let boxed: Box<str> = text.into();
        match which {
            0 => {
                self.matcher.langs.insert(boxed, k);
            }
            1 => {
                self.matcher.authors.insert(boxed, k);
            }
            _ => {
                self.matcher.domain_index.insert(boxed.clone(), k);
                self.matcher.domains.push((boxed, k));
            }
        }
        k
    }

    fn compile(&mut self, node: &Node) -> Expr {
        match node {
            Node::Atom(Atom::Term(t)) => {
                let k = self.term_key(t);
                Expr::Key(self.used(k))
            }
            Node::Atom(Atom::Phrase { terms, slop }) => Expr::Phrase {
                keys: terms
                    .iter()
                    .map(|t| {
                        let k = self.term_key(t);
                        self.used(k)
                    })
                    .collect(),
                slop: *slop,
            },
            Node::Atom(Atom::Lang(l)) => {
                let k = self.map_key(0, l);
                Expr::Key(self.used(k))
            }
            Node::Atom(Atom::From(a)) => {
                let k = self.map_key(1, a);
                Expr::Key(self.used(k))
            }
            Node::Atom(Atom::Url(d)) => {
                let k = self.map_key(2, d);
                Expr::Key(self.used(k))
            }
            Node::Near {
                left,
                right,
                distance,
            } => Expr::Near {
                left: left.iter().map(|a| self.positional_keys(a)).collect(),
                right: right.iter().map(|a| self.positional_keys(a)).collect(),
                distance: *distance,
            },
            Node::Not(inner) => Expr::Not(Box::new(self.compile(inner))),
            Node::And(children) => Expr::And(children.iter().map(|c| self.compile(c)).collect()),
            Node::Or(children) => Expr::Or(children.iter().map(|c| self.compile(c)).collect()),
        }
    }

    fn positional_keys(&mut self, atom: &Atom) -> Vec<KeyId> {
        match atom {
            Atom::Term(t) => {
                let k = self.term_key(t);
                vec![self.used(k)]
            }
            Atom::Phrase { terms, .. } => terms
                .iter()
                .map(|t| {
                    let k = self.term_key(t);
                    self.used(k)
                })
                .collect(),
            // The parser only lets positional atoms reach NEAR.
            _ => Vec::new(),
        }
    }

    /// The most selective key of a sequence that must all be present: the one fewest query
    /// terms use (a word many saved searches share, like `livraison`, is a word many posts
    /// contain; a brand name is not), then an exact term over a prefix, then the longest.
    fn best_of(&self, keys: &[KeyId]) -> Option<Vec<KeyId>> {
        keys.iter()
            .copied()
            .min_by_key(|&k| {
                let (len, prefix) = self
                    .key_text_len
                    .get(k as usize)
                    .copied()
                    .unwrap_or((0, true));
                let uses = self.key_uses.get(k as usize).copied().unwrap_or(u32::MAX);
                (uses, prefix, std::cmp::Reverse(len))
            })
            .map(|k| vec![k])
    }

    /// Keys of which at least one must be present for `expr` to match, if any.
    fn trigger(&self, expr: &Expr) -> Option<Vec<KeyId>> {
        match expr {
            Expr::Key(k) => Some(vec![*k]),
            Expr::Phrase { keys, .. } => self.best_of(keys),
            Expr::Near { left, right, .. } => {
                // Both sides must be present: trigger on the cheaper one, which needs one
                // key of each of its alternatives.
                let side = |alternatives: &[Vec<KeyId>]| -> Option<Vec<KeyId>> {
                    let mut keys = Vec::new();
                    for alt in alternatives {
                        keys.extend(self.best_of(alt)?);
                    }
                    keys.sort_unstable();
                    keys.dedup();
                    Some(keys)
                };
                [side(left), side(right)]
                    .into_iter()
                    .flatten()
                    .min_by_key(|keys| self.cost(keys))
            }
            Expr::Not(_) => None,
            Expr::And(children) => children
                .iter()
                .filter_map(|c| self.trigger(c))
                .min_by_key(|keys| self.cost(keys)),
            Expr::Or(children) => {
                let mut all = Vec::new();
                for c in children {
                    all.extend(self.trigger(c)?);
                }
                all.sort_unstable();
                all.dedup();
                Some(all)
            }
        }
    }
}

/// Keys present in one document, sorted by key then position.
struct Present {
    hits: Vec<(KeyId, u32)>,
}

impl Present {
    fn has(&self, k: KeyId) -> bool {
        self.positions(k).next().is_some()
    }

    fn positions(&self, k: KeyId) -> impl Iterator<Item = u32> + '_ {
        let start = self.hits.partition_point(|&(key, _)| key < k);
        self.hits[start..]
            .iter()
            .take_while(move |&&(key, _)| key == k)
            .map(|&(_, p)| p)
    }

    fn at(&self, k: KeyId, pos: u32) -> bool {
        self.hits.binary_search(&(k, pos)).is_ok()
    }
}

impl<K> Matcher<K> {
    /// Builds a matcher from `(id, query)` pairs.
    pub fn new(queries: impl IntoIterator<Item = (K, Query)>) -> Self {
        let mut b = MatcherBuilder::new();
        for (id, q) in queries {
            b.add(id, &q);
        }
        b.build()
    }

    /// The same compiled queries under other ids (`f` is called once per query, in
    /// insertion order), e.g. from positions in a file to the ids written in it.
    pub fn map_ids<L>(self, f: impl FnMut(K) -> L) -> Matcher<L> {
        Matcher {
            ids: self.ids.into_iter().map(f).collect(),
            exprs: self.exprs,
            tables: self.tables,
            langs: self.langs,
            authors: self.authors,
            domains: self.domains,
            domain_index: self.domain_index,
            postings: self.postings,
            always: self.always,
            key_count: self.key_count,
        }
    }

    /// Number of compiled queries.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether some query uses `lang:` (callers can skip language detection otherwise).
    pub fn uses_lang(&self) -> bool {
        !self.langs.is_empty()
    }

    /// The ids of all matching queries, in the order they were added.
    pub fn matches(&self, doc: &Document) -> Vec<&K> {
        let mut out = Vec::new();
        self.matching_indexes(doc, &mut out);
        out.into_iter()
            .filter_map(|i| self.ids.get(i as usize))
            .collect()
    }

    /// Indexes (in insertion order) of matching queries, written to `out` (cleared first).
    pub fn matching_indexes(&self, doc: &Document, out: &mut Vec<u32>) {
        out.clear();
        let present = self.present_keys(doc);
        // `out` first holds the candidates, then keeps those that match (no allocation per
        // post once the caller's buffer has grown).
        let mut last = KeyId::MAX;
        for &(k, _) in &present.hits {
            if k != last {
                if let Some(list) = self.postings.get(k as usize) {
                    out.extend_from_slice(list);
                }
                last = k;
            }
        }
        out.extend_from_slice(&self.always);
        out.sort_unstable();
        out.dedup();
        out.retain(|&q| {
            self.exprs
                .get(q as usize)
                .is_some_and(|expr| eval(expr, &present))
        });
    }

    fn present_keys(&self, doc: &Document) -> Present {
        let tokens = doc.tokens();
        let mut hits: Vec<(KeyId, u32)> = Vec::with_capacity(tokens.len() + 4);
        for (pos, tok) in tokens.tokens.iter().enumerate() {
            let pos = u32::try_from(pos).unwrap_or(u32::MAX - 1);
            let text = tokens.text(tok);
            let hash = text_hash(text);
            self.probe(kind_index(tok.kind), text, hash, pos, &mut hits);
            if let Some(base) = tokens.base(tok) {
                // `acme` finds "Acme's" (folded `acmes`, base `acme`).
                self.probe(kind_index(tok.kind), base, text_hash(base), pos, &mut hits);
            }
            if tok.kind == TokenKind::Hashtag {
                // Plain word patterns also match hashtags.
                self.probe(kind_index(TokenKind::Word), text, hash, pos, &mut hits);
            }
        }
        if !self.langs.is_empty()
            && let Some(&k) = self.langs.get(doc.lang())
        {
            hits.push((k, NO_POSITION));
        }
        if let Some(&k) = doc.author().and_then(|a| self.authors.get(a)) {
            hits.push((k, NO_POSITION));
        }
        if !self.domains.is_empty() {
            for host in doc.link_hosts() {
                // Probe the host and each parent domain: shop.example.com, example.com, com.
                let mut rest = host;
                loop {
                    if let Some(&k) = self.domain_index.get(rest) {
                        debug_assert!(domain_matches(host, rest));
                        hits.push((k, NO_POSITION));
                    }
                    match rest.split_once('.') {
                        Some((_, parent)) => rest = parent,
                        None => break,
                    }
                }
            }
        }
        hits.sort_unstable();
        hits.dedup();
        Present { hits }
    }

    fn probe(&self, kind: usize, text: &str, hash: u64, pos: u32, hits: &mut Vec<(KeyId, u32)>) {
        let Some(table) = self.tables.get(kind) else {
            return;
        };
        if let Some(k) = table.exact.get(hash, text) {
            hits.push((k, pos));
        }
        if table.prefix.is_empty() {
            return;
        }
        // Only the prefix lengths some key has (a bit set per length in bytes).
        let mut lengths = table.prefix_lengths;
        while lengths != 0 {
            let len = lengths.trailing_zeros() as usize;
            lengths &= lengths - 1;
            if len > text.len() {
                break;
            }
            if len > 0
                && let Some(p) = text.get(..len)
                && let Some(k) = table.prefix.get(text_hash(p), p)
            {
                hits.push((k, pos));
            }
        }
        if table.long_prefixes && text.len() >= 64 {
            let ends = text
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .filter(|&i| i >= 64);
            for i in ends {
                if let Some(p) = text.get(..i)
                    && let Some(k) = table.prefix.get(text_hash(p), p)
                {
                    hits.push((k, pos));
                }
            }
        }
    }
}

fn eval(expr: &Expr, present: &Present) -> bool {
    match expr {
        Expr::Key(k) => present.has(*k),
        Expr::Phrase { keys, slop: None } => !phrase_starts(keys, present).is_empty(),
        Expr::Phrase {
            keys,
            slop: Some(slop),
        } => {
            let window = keys.len() as u64 + u64::from(*slop);
            keys.iter().any(|&k0| {
                present.positions(k0).any(|s| {
                    keys.iter().all(|&k| {
                        present
                            .positions(k)
                            .any(|p| p >= s && u64::from(p) < u64::from(s) + window)
                    })
                })
            })
        }
        Expr::Near {
            left,
            right,
            distance,
        } => {
            let l = side_spans(left, present);
            if l.is_empty() {
                return false;
            }
            let r = side_spans(right, present);
            l.iter()
                .any(|&a| r.iter().any(|&b| gap(a, b) <= *distance as usize))
        }
        Expr::Not(inner) => !eval(inner, present),
        Expr::And(children) => children.iter().all(|c| eval(c, present)),
        Expr::Or(children) => children.iter().any(|c| eval(c, present)),
    }
}

/// Token ranges where some alternative of a `NEAR` side occurs.
fn side_spans(alternatives: &[Vec<KeyId>], present: &Present) -> Vec<(usize, usize)> {
    alternatives
        .iter()
        .flat_map(|keys| {
            phrase_starts(keys, present)
                .into_iter()
                .map(move |p| (p as usize, p as usize + keys.len()))
        })
        .collect()
}

/// Positions where the key sequence occurs consecutively.
fn phrase_starts(keys: &[KeyId], present: &Present) -> Vec<u32> {
    let Some((&first, rest)) = keys.split_first() else {
        return Vec::new();
    };
    present
        .positions(first)
        .filter(|&p| {
            rest.iter()
                .enumerate()
                .all(|(i, &k)| present.at(k, p + 1 + i as u32))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_key_texts_compare_exactly() {
        for text in [
            "",
            "a",
            "livraison",
            &"x".repeat(22),
            &"y".repeat(23),
            "été",
        ] {
            let key = KeyText::new(text);
            assert!(key.is(text), "{text}");
            assert!(!key.is(&format!("{text}s")), "{text}");
            assert!(
                !key.is(text.get(..text.len().saturating_sub(1)).unwrap_or("?")) || text.is_empty()
            );
        }
        assert!(matches!(
            KeyText::new(&"x".repeat(22)),
            KeyText::Inline(22, _)
        ));
        assert!(matches!(KeyText::new(&"y".repeat(23)), KeyText::Boxed(_)));
    }

    #[test]
    fn texts_with_the_same_hash_stay_apart() {
        let mut map = TextMap::default();
        map.insert_hashed(7, "livraison", 1);
        map.insert_hashed(7, "colis", 2);
        assert_eq!(map.get(7, "livraison"), Some(1));
        assert_eq!(map.get(7, "colis"), Some(2));
        assert_eq!(map.get(7, "retard"), None);
        assert_eq!(map.get(8, "livraison"), None);
    }
}
