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

/// `n` filler words, to put exactly `n` words between two terms.
fn filler(n: usize) -> String {
    vec!["x"; n].join(" ")
}

/// Whether the query (compiled and evaluated directly, which must agree) finds the text.
fn finds(query: &str, text: &str) -> bool {
    let q = parse(query).unwrap();
    let doc = Document::new(text);
    let direct = q.matches(&doc);
    let compiled = !Matcher::new([(0, q)]).matches(&doc).is_empty();
    assert_eq!(
        compiled, direct,
        "matcher and direct evaluation on {query:?} / {text:?}"
    );
    direct
}

#[test]
fn near_allows_exactly_n_words_between_in_either_order() {
    for n in [0usize, 1, 3, 5] {
        let q = format!("livraison NEAR/{n} retard");
        let at = format!("livraison {} retard", filler(n));
        let over = format!("livraison {} retard", filler(n + 1));
        assert!(finds(&q, &at), "{q} / {at}");
        assert!(!finds(&q, &over), "{q} / {over}");
        let reversed = format!("retard {} livraison", filler(n));
        let reversed_over = format!("retard {} livraison", filler(n + 1));
        assert!(finds(&q, &reversed), "{q} / {reversed}");
        assert!(!finds(&q, &reversed_over), "{q} / {reversed_over}");
    }
    // A bare NEAR is NEAR/5.
    assert!(finds(
        "refund NEAR late",
        &format!("refund {} late", filler(5))
    ));
    assert!(!finds(
        "refund NEAR late",
        &format!("refund {} late", filler(6))
    ));
}

#[test]
fn near_counts_words_between_a_phrase_and_the_other_side() {
    // The words of the phrase itself are not "between".
    let q = "\"service client\" NEAR/2 injoignable";
    assert!(finds(q, "le service client est toujours injoignable"));
    assert!(!finds(
        q,
        "le service client est encore toujours injoignable"
    ));
    assert!(finds(q, "injoignable hier, le service client"));
    assert!(!finds(q, "injoignable depuis hier, le service client"));
    let q = "\"customer service\" NEAR/1 \"never answers\"";
    assert!(finds(q, "customer service just never answers"));
    assert!(!finds(q, "customer service just plain never answers"));
    assert!(finds(q, "never answers, this customer service"));
    assert!(!finds(q, "never answers, and this customer service"));
}

#[test]
fn near_with_or_groups_is_any_pair_within_n_words() {
    let q = "(livraison OR colis) NEAR/3 (retard OR perdu)";
    for (text, expected) in [
        ("mon colis a un gros retard", true),
        ("la livraison de mon colis perdu", true),
        ("perdu : encore mon colis", true),
        ("perdu : le transporteur a mon colis", false),
        ("livraison prévue hier, toujours rien, quel retard", false),
        ("colis un deux trois perdu", true),
        ("colis un deux trois quatre perdu", false),
        ("retard sans rapport", false),
    ] {
        assert_eq!(finds(q, text), expected, "{q} / {text}");
    }
    let q = "quitter NEAR/3 (orbeo OR #orbeo OR @orbeo_fr OR \"orbeo mobile\")";
    assert!(finds(q, "je vais quitter @Orbeo_FR demain"));
    assert!(finds(q, "#Orbeo, je vais vous quitter"));
    assert!(finds(q, "Orbeo Mobile : je vais les quitter"));
    assert!(!finds(q, "Orbeo Mobile : je vais bien les quitter"));
    let q = "(refund* OR \"money back\") NEAR/2 (never OR still)";
    assert!(finds(q, "my refunds never came"));
    assert!(finds(q, "still waiting for money back"));
    assert!(!finds(q, "still waiting for my money back"));
    assert!(finds(q, "I want my MONEY BACK, I still have nothing"));
}

#[test]
fn not_near_excludes_only_the_proximity() {
    let q = "colis -colis NEAR/2 perdu";
    assert!(finds(q, "colis reçu, merci"));
    assert!(!finds(q, "colis perdu"));
    assert!(finds(q, "colis bien reçu, rien de perdu"));
    let q = "NOT (late OR lost) NEAR/1 parcel";
    assert!(finds(q, "parcel arrived"));
    assert!(!finds(q, "lost my parcel"));
    assert!(finds(q, "I lost the key to the parcel locker"));
}

#[test]
fn english_possessives_and_contractions_find_the_word() {
    for text in [
        "Acme's support is down",
        "Acme’s support is down",
        "ACME'S SUPPORT",
    ] {
        assert!(finds("acme", text), "{text}");
        assert!(finds("\"acme support\"", text), "{text}");
        assert!(finds("acme NEAR/0 support", text), "{text}");
        assert!(finds("acm*", text), "{text}");
        // The whole word still matches, as before.
        assert!(finds("acmes", text), "{text}");
        assert!(finds("acme's", text), "{text}");
    }
    assert!(finds("it", "it's broken again"));
    assert!(finds("its", "it's broken again"));
    assert!(finds("\"it broken\"", "it’s broken again"));
    assert!(finds("we", "we're still waiting"));
    // Only the clitic is optional: other words are not cut.
    assert!(!finds("acme", "acmes everywhere"));
    assert!(!finds("don", "don't"));
    assert!(finds("dont", "don't"));
    assert!(!finds("acme", "#acmes"));
}

#[test]
fn french_elisions_are_unchanged() {
    assert!(finds("orbeo", "l'Orbeo est en panne"));
    assert!(finds("orbeo", "la box d’Orbeo"));
    assert!(finds(
        "arnaque",
        "quelle arnaque, c'est l’arnaque du siècle"
    ));
    assert!(finds("aujourdhui", "encore en panne aujourd'hui"));
    assert!(finds("aujourd'hui", "encore en panne aujourd’hui"));
    assert!(!finds("aujourd", "encore en panne aujourd'hui"));
    assert!(finds("il", "qu'il"));
    assert!(!finds("qu", "qu'il"));
}

/// Compatibility characters (the ones Unicode's NFKC folds) that social text uses for
/// effect: each row is folded to plain text, and the plain query finds the styled post.
#[test]
fn compatibility_characters_fold_to_plain_letters() {
    use tribune_text::normalize::fold;
    let rows = [
        // Typographic ligatures.
        ("ﬁbre", "fibre"),
        ("ﬂop", "flop"),
        ("eﬀet", "effet"),
        ("oﬃce", "office"),
        ("baﬄe", "baffle"),
        ("ﬆop", "stop"),
        // Full-width forms.
        ("ＦＩＢＲＥ", "fibre"),
        ("ｓｃａｍ１２３", "scam123"),
        // Mathematical alphanumerics (bold, italic, script, double-struck, monospace…).
        ("𝐅𝐑𝐄𝐄", "free"),
        ("𝑎𝑟𝑛𝑎𝑞𝑢𝑒", "arnaque"),
        ("𝓰𝓲𝓿𝓮𝓪𝔀𝓪𝔂", "giveaway"),
        ("𝕔𝕒𝕕𝕖𝕒𝕦", "cadeau"),
        ("𝚙𝚛𝚘𝚖𝚘", "promo"),
        ("𝟏𝟎𝟎", "100"),
        // Letters the mathematical alphabets borrow from the letterlike block.
        ("𝑐ℎ𝑒𝑟", "cher"),
        ("ℂ𝕒𝕤𝕚𝕟𝕠", "casino"),
        // Superscripts, subscripts and modifier letters ("tiny text").
        ("ᶠʳᵉᵉ", "free"),
        // `ᶦ` is a small capital I for Unicode, an `i` for "tiny text" generators.
        ("ᵖʳᶦˣ", "prix"),
        ("ᴬᴰᴹᴵᴺ", "admin"),
        ("m²", "m2"),
        ("x¹⁰", "x10"),
        ("h₂o", "h2o"),
        // Circled letters and numbers.
        ("ⓖⓡⓐⓣⓤⓘⓣ", "gratuit"),
        ("Ⓕⓡⓔⓔ", "free"),
        ("①", "1"),
        // Older compatibility letters.
        ("ĳsselmeer", "ijsselmeer"),
    ];
    for (styled, plain) in rows {
        assert_eq!(fold(styled), plain, "fold({styled:?})");
        assert_eq!(
            fold(&fold(styled)),
            fold(styled),
            "fold is idempotent on {styled:?}"
        );
    }
    // Folded the same way in posts and in queries, so the plain word finds the styled one.
    for (styled, plain) in rows {
        if plain.chars().all(char::is_alphanumeric) {
            let post = format!("regardez {styled} !");
            assert!(finds(plain, &post), "{plain} / {post}");
        }
    }
    assert!(finds("free NEAR/1 giveaway", "𝐅𝐑𝐄𝐄 𝓰𝓲𝓿𝓮𝓪𝔀𝓪𝔂"));
    assert!(finds("\"fibre optique\"", "la ﬁbre OPTIQUE"));
}

#[test]
fn url_matches_hosts_in_the_text_and_beside_it() {
    let m = matcher(&[("acme", "url:acme.com"), ("site", "site:www.acme.fr")]);
    let url = |text: &str, urls: &[&str]| {
        let doc = Document::new(text).with_urls(urls.iter().copied());
        let direct: Vec<&str> = [("acme", "url:acme.com"), ("site", "site:www.acme.fr")]
            .iter()
            .filter(|(_, q)| parse(q).unwrap().matches(&doc))
            .map(|(id, _)| *id)
            .collect();
        let compiled = ids(&m, &doc);
        assert_eq!(compiled, direct, "{text:?} {urls:?}");
        compiled
    };
    // In the text, as before.
    assert_eq!(url("voir https://www.acme.com/promo", &[]), ["acme"]);
    assert_eq!(url("voir shop.acme.com/promo", &[]), ["acme"]);
    // Beside the text: the t.co address hides the real one.
    assert_eq!(
        url(
            "Great deal https://t.co/AbC123",
            &["https://www.acme.com/deal?x=1"]
        ),
        ["acme"]
    );
    assert_eq!(
        url("Super offre", &["https://boutique.acme.fr/p"]),
        ["site"]
    );
    assert_eq!(
        url("", &["HTTP://WWW.ACME.COM", "https://acme.fr"]),
        ["acme", "site"]
    );
    // Lookalikes do not match.
    for lookalike in [
        "https://evilacme.com/x",
        "https://acme.com.evil.net/x",
        "https://acme.co/x",
        "https://acme.com@evil.net/login",
        "https://evil.net/?r=acme.com",
        "https://evil.net/acme.com",
        "acme.community",
    ] {
        assert!(url("", &[lookalike]).is_empty(), "{lookalike}");
        assert!(
            url(&format!("lien : {lookalike}"), &[]).is_empty(),
            "{lookalike}"
        );
    }
    // Not web links: kept, but no host.
    let doc = Document::new("x").with_urls(["mailto:", "not a link"]);
    assert_eq!(doc.urls(), ["mailto:", "not a link"]);
    assert_eq!(doc.link_hosts().count(), 0);
}

#[test]
fn long_and_short_wildcards_match_prefixes_of_any_length() {
    let long = "a".repeat(70);
    let queries = [
        format!("{long}*"),
        format!("{}*", "a".repeat(63)),
        "rembours*".to_owned(),
        "rés*".to_owned(),
        "#fib*".to_owned(),
    ];
    let m = Matcher::new(queries.iter().map(|q| (q.clone(), parse(q).unwrap())));
    for (text, expected) in [
        (format!("{long}bc"), vec![0, 1]),
        (long.clone(), vec![0, 1]),
        ("a".repeat(69), vec![1]),
        ("a".repeat(63), vec![1]),
        ("a".repeat(62), vec![]),
        ("Remboursez-moi".to_owned(), vec![2]),
        ("RÉSEAU".to_owned(), vec![3]),
        ("#Fibre fibre".to_owned(), vec![4]),
    ] {
        let doc = Document::new(&text);
        let got: Vec<&String> = m.matches(&doc);
        let want: Vec<&String> = expected.iter().map(|&i| &queries[i]).collect();
        assert_eq!(got, want, "{text}");
        for (i, q) in queries.iter().enumerate() {
            assert_eq!(
                parse(q).unwrap().matches(&doc),
                expected.contains(&i),
                "{q} / {text}"
            );
        }
    }
}
