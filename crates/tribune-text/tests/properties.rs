//! Invariants of the query language, checked on generated inputs.

#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

use proptest::prelude::*;
use tribune_text::normalize::fold;
use tribune_text::query::limits;
use tribune_text::{Document, Matcher, Query, parse};

/// Small vocabulary so generated posts and queries overlap often.
fn word() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "prix",
        "abusif",
        "arnaque",
        "rembourse",
        "fibre",
        "été",
        "Noël",
        "cœur",
        "free",
        "scam",
        "l'arnaque",
        "acme",
        "Acme’s",
        "it's",
        "😡",
        "#fibre",
        "@orange",
    ])
    .prop_map(str::to_owned)
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 0..8).prop_map(|w| w.join(" "))
}

/// One side of `NEAR`: a word, a phrase or an `OR` group of them.
fn near_side() -> impl Strategy<Value = String> {
    let alternative = prop_oneof![
        word(),
        (word(), word()).prop_map(|(a, b)| format!("\"{a} {b}\"")),
        Just("prix*".to_owned()),
    ];
    prop::collection::vec(alternative, 1..4).prop_map(|alts| {
        if alts.len() == 1 {
            alts.join("")
        } else {
            format!("({})", alts.join(" OR "))
        }
    })
}

fn query_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        word(),
        (word(), word()).prop_map(|(a, b)| format!("\"{a} {b}\"")),
        (word(), word(), 0u32..3).prop_map(|(a, b, n)| format!("\"{a} {b}\"~{n}")),
        (word(), word(), 0u32..3).prop_map(|(a, b, n)| format!("{a} NEAR/{n} {b}")),
        (near_side(), near_side(), 0u32..3).prop_map(|(a, b, n)| format!("{a} NEAR/{n} {b}")),
        (near_side(), near_side(), 0u32..3).prop_map(|(a, b, n)| format!("-{a} NEAR/{n} {b}")),
        prop::sample::select(vec!["prix*", "rem*", "lang:fr", "lang:en"]).prop_map(str::to_owned),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} OR {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} AND {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} {b})")),
            inner.clone().prop_map(|a| format!("NOT ({a})")),
            inner.prop_map(|a| format!("-({a})")),
        ]
    })
}

fn q(s: &str) -> Query {
    parse(s).unwrap()
}

proptest! {
    #[test]
    fn folding_is_idempotent(s in any::<String>()) {
        let once = fold(&s);
        prop_assert_eq!(fold(&once), once);
    }

    #[test]
    fn or_matches_iff_either_side_matches(a in query_text(), b in query_text(), t in text()) {
        let doc = Document::new(&t);
        let either = q(&a).matches(&doc) || q(&b).matches(&doc);
        prop_assert_eq!(q(&format!("({a}) OR ({b})")).matches(&doc), either);
    }

    #[test]
    fn and_matches_iff_both_sides_match(a in query_text(), b in query_text(), t in text()) {
        let doc = Document::new(&t);
        let both = q(&a).matches(&doc) && q(&b).matches(&doc);
        prop_assert_eq!(q(&format!("({a}) AND ({b})")).matches(&doc), both);
        prop_assert_eq!(q(&format!("({a}) ({b})")).matches(&doc), both);
    }

    #[test]
    fn not_inverts(a in query_text(), t in text()) {
        let doc = Document::new(&t);
        prop_assert_eq!(q(&format!("NOT ({a})")).matches(&doc), !q(&a).matches(&doc));
    }

    /// `(a OR b) NEAR/n (c OR d)` is the `OR` of the pairwise proximities.
    #[test]
    fn near_of_groups_is_the_or_of_pairs(
        left in prop::collection::vec(word(), 1..4),
        right in prop::collection::vec(word(), 1..4),
        n in 0u32..4,
        t in text(),
    ) {
        let doc = Document::new(&t);
        let group = format!("({}) NEAR/{n} ({})", left.join(" OR "), right.join(" OR "));
        let pairs = left.iter().any(|a| {
            right.iter().any(|b| q(&format!("{a} NEAR/{n} {b}")).matches(&doc))
        });
        prop_assert_eq!(q(&group).matches(&doc), pairs);
        prop_assert_eq!(q(&format!("-{group}")).matches(&doc), !pairs);
    }

    #[test]
    fn canonical_text_parses_to_the_same_tree(a in query_text()) {
        let parsed = q(&a);
        prop_assert_eq!(q(&parsed.to_string()), parsed);
    }

    #[test]
    fn matcher_agrees_with_direct_evaluation(
        queries in prop::collection::vec(query_text(), 1..12),
        texts in prop::collection::vec(text(), 1..6),
    ) {
        let parsed: Vec<Query> = queries.iter().map(|s| q(s)).collect();
        let m = Matcher::new(parsed.iter().cloned().enumerate());
        for t in &texts {
            let doc = Document::new(t);
            let expected: Vec<usize> = parsed.iter().enumerate()
                .filter(|(_, p)| p.matches(&doc)).map(|(i, _)| i).collect();
            let got: Vec<usize> = m.matches(&doc).into_iter().copied().collect();
            prop_assert_eq!(got, expected, "text {:?}", t);
        }
    }

    /// The fuzz target's property, for machines without cargo-fuzz: any string is either
    /// rejected with a position inside it or parsed into a bounded tree.
    #[test]
    fn parser_never_panics_and_respects_limits(s in "(?s).{0,600}") {
        match parse(&s) {
            Ok(query) => {
                prop_assert!(s.len() <= limits::MAX_QUERY_BYTES);
                prop_assert_eq!(q(&query.to_string()), query.clone());
                let _ = query.matches(&Document::new(&s));
            }
            Err(e) => prop_assert!(e.position <= s.chars().count()),
        }
    }

    #[test]
    fn parser_handles_operator_soup(parts in prop::collection::vec(
        prop::sample::select(vec!["(", ")", "AND", "OR", "NOT", "-", "\"", "a", "b*", "NEAR/2", "~3", "lang:fr", "#x", "@y", "😡", "l'", "*"]), 0..80)) {
        let s = parts.join(" ");
        if let Err(e) = parse(&s) {
            prop_assert!(e.position <= s.chars().count());
            let _ = e.message(tribune_text::UiLang::Fr);
        }
    }
}
