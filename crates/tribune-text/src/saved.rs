//! Loading saved searches in bulk: one that does not parse (written before a grammar change,
//! imported from another tool, edited by hand) is reported as broken, and every other one
//! keeps running. Listening and moderation load their queries through [`compile_saved`].

use crate::matcher::{Matcher, MatcherBuilder};
use crate::query::{ParseError, parse};

/// A saved search that does not parse: its id and why (position and kind; the message for
/// a person is [`ParseError::message`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenQuery<K> {
    pub id: K,
    pub error: ParseError,
}

/// The queries that parsed, compiled into one matcher, and those that did not.
#[derive(Debug)]
pub struct CompiledSearches<K> {
    pub matcher: Matcher<K>,
    pub broken: Vec<BrokenQuery<K>>,
}

impl<K> CompiledSearches<K> {
    /// Whether every query parsed (what a caller that wants all-or-nothing checks).
    pub fn is_complete(&self) -> bool {
        self.broken.is_empty()
    }
}

/// Parses and compiles `(id, query text)` pairs. Broken queries are returned with their
/// error, in input order; they never stop the others.
pub fn compile_saved<K, Q: AsRef<str>>(
    saved: impl IntoIterator<Item = (K, Q)>,
) -> CompiledSearches<K> {
    let mut builder = MatcherBuilder::new();
    let mut broken = Vec::new();
    for (id, text) in saved {
        match parse(text.as_ref()) {
            Ok(query) => builder.add(id, &query),
            Err(error) => broken.push(BrokenQuery { id, error }),
        }
    }
    CompiledSearches {
        matcher: builder.build(),
        broken,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Document;
    use crate::query::ParseErrorKind;

    #[test]
    fn a_broken_search_is_reported_and_the_others_run() {
        let compiled = compile_saved([
            (1, "rembours* OR refund*"),
            (2, "(livraison OR colis"),
            (3, "arnaque NEAR/3 (prix OR tarif)"),
            (4, "foo:bar"),
            (5, "scam"),
        ]);
        assert!(!compiled.is_complete());
        let broken: Vec<(i32, usize)> = compiled
            .broken
            .iter()
            .map(|b| (b.id, b.error.position))
            .collect();
        assert_eq!(broken, [(2, 19), (4, 0)]);
        assert_eq!(
            compiled.broken[1].error.kind,
            ParseErrorKind::UnknownField("foo".into())
        );
        assert_eq!(compiled.matcher.len(), 3);
        let doc = Document::new("Une arnaque sur le prix, je veux être remboursé. Scam!");
        assert_eq!(compiled.matcher.matches(&doc), [&1, &3, &5]);
    }

    #[test]
    fn all_good_searches_are_complete() {
        let compiled = compile_saved(vec![("a".to_owned(), "a".to_owned())]);
        assert!(compiled.is_complete());
        assert_eq!(compiled.matcher.len(), 1);
    }
}
