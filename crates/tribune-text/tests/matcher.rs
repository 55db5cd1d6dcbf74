//! The compiled matcher against hand-written posts, one behaviour per test.

#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

use tribune_text::{Document, Matcher, parse};

fn matcher(queries: &[(&'static str, &str)]) -> Matcher<&'static str> {
    Matcher::new(queries.iter().map(|(id, q)| (*id, parse(q).unwrap())))
}

fn ids<'a>(m: &'a Matcher<&'static str>, doc: &Document) -> Vec<&'a str> {
    m.matches(doc).into_iter().copied().collect()
}

#[test]
fn returns_every_matching_query_id() {
    let m = matcher(&[
        ("refund", "rembours* OR refund*"),
        ("scam", "arnaque OR scam"),
        ("other", "livraison"),
    ]);
    let doc = Document::new("C'est une ARNAQUE, je veux être REMBOURSÉ");
    assert_eq!(ids(&m, &doc), ["refund", "scam"]);
}

#[test]
fn accents_case_ligatures_and_elisions_are_folded() {
    let m = matcher(&[("q", "arnaque AND coeur AND ete")]);
    assert_eq!(
        ids(&m, &Document::new("l’Arnaque me brise le CŒUR cet été")),
        ["q"]
    );
}

#[test]
fn exact_phrase_requires_adjacent_words() {
    let m = matcher(&[("q", "\"prix abusif\"")]);
    assert_eq!(ids(&m, &Document::new("Un prix abusif !")), ["q"]);
    assert!(ids(&m, &Document::new("Un prix vraiment abusif")).is_empty());
}

#[test]
fn proximity_phrase_and_near() {
    let m = matcher(&[
        ("slop", "\"prix abusif\"~2"),
        ("near", "prix NEAR/1 abusif"),
    ]);
    assert_eq!(ids(&m, &Document::new("abusif ce prix")), ["slop", "near"]);
    assert_eq!(
        ids(&m, &Document::new("prix vraiment très abusif")),
        ["slop"]
    );
    assert!(ids(&m, &Document::new("prix un deux trois quatre abusif")).is_empty());
}

#[test]
fn not_and_minus_exclude() {
    let m = matcher(&[("q", "fibre -orange"), ("n", "NOT fibre")]);
    assert_eq!(ids(&m, &Document::new("fibre en panne")), ["q"]);
    assert_eq!(
        ids(&m, &Document::new("fibre orange en panne")),
        Vec::<&str>::new()
    );
    assert_eq!(ids(&m, &Document::new("rien à voir")), ["n"]);
}

#[test]
fn hashtags_mentions_emoji_fields() {
    let m = matcher(&[
        ("tag", "#fibre"),
        ("word", "fibre"),
        ("at", "@orange"),
        ("emoji", "😡"),
        ("lang", "lang:fr"),
        ("from", "from:bob"),
        ("url", "url:example.com"),
    ]);
    let doc = Document::new("Encore en panne #Fibre @Orange 😡😡 https://shop.example.com/x")
        .with_author("@Bob")
        .with_lang("fr");
    assert_eq!(
        ids(&m, &doc),
        ["tag", "word", "at", "emoji", "lang", "from", "url"]
    );
    let plain = Document::new("fibre orange notexample.com").with_lang("en");
    assert_eq!(ids(&m, &plain), ["word"]);
}

#[test]
fn detects_language_when_not_given() {
    let m = matcher(&[("fr", "lang:fr panne"), ("en", "lang:en panne")]);
    assert_eq!(
        ids(&m, &Document::new("La box est encore en panne depuis hier")),
        ["fr"]
    );
}

#[test]
fn wildcard_matches_prefixes_only() {
    let m = matcher(&[("q", "rembours*")]);
    assert_eq!(ids(&m, &Document::new("remboursement")), ["q"]);
    assert_eq!(ids(&m, &Document::new("rembours")), ["q"]);
    assert!(ids(&m, &Document::new("rembou")).is_empty());
}

#[test]
fn agrees_with_direct_evaluation_on_many_queries() {
    let queries = [
        "a b",
        "a OR b",
        "a -b",
        "\"a b\"",
        "\"a b\"~1",
        "a NEAR/2 b",
        "(a OR c) NOT b",
        "#a OR @b",
        "NOT (a AND b)",
        "\"b a\" OR c",
        "ab*",
    ];
    let m = Matcher::new(queries.iter().map(|q| (*q, parse(q).unwrap())));
    for text in [
        "a b",
        "b a",
        "a x b",
        "a x x x b",
        "c",
        "#a",
        "@b a",
        "ab",
        "",
        "a",
    ] {
        let doc = Document::new(text);
        let expected: Vec<&str> = queries
            .iter()
            .filter(|q| parse(q).unwrap().matches(&doc))
            .copied()
            .collect();
        assert_eq!(ids(&m, &doc), expected, "text {text:?}");
    }
}
