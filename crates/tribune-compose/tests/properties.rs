//! Invariants that must hold for any text, not just the examples: hints never overlap and can be
//! applied in any subset, applying them only touches what they cover, a second pass finds
//! nothing left to fix, and counters behave like counters.

use proptest::prelude::*;
use tribune_compose::{
    ComposeNetwork, Lang, Options, apply_hints, avoided_words, length, preview_text,
    typography_hints,
};

/// Text made of the pieces that trigger or must not trigger hints.
fn french_like() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a",
        "é",
        "e\u{301}",
        " ",
        "  ",
        "\n",
        ":",
        ";",
        "!",
        "?",
        "«",
        "»",
        "\"",
        "'",
        ".",
        "...",
        "14:30",
        ":)",
        ";-)",
        "https://t.fr/?a=1",
        "@marie",
        "#promo",
        "x@y.fr",
        "\u{A0}",
        "\u{202F}",
        "👍",
        "l'été",
        "(",
        ")",
        "27\"",
        ":blob:",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn a_preview_shows_the_whole_text_and_only_the_excess_past_the_limit(text in french_like()) {
        for network in ComposeNetwork::ALL {
            let preview = preview_text(network, &text, &Options::default());
            let joined: String = [&preview.visible, &preview.folded, &preview.overflow]
                .into_iter()
                .flatten()
                .map(|s| s.text.as_str())
                .collect();
            // The fold eats the blank it falls on; nothing else is lost or added.
            let ink = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            prop_assert_eq!(ink(&joined), ink(&text), "{}", network);
            prop_assert!(text.starts_with(&joined[..joined.len().min(preview.visible.iter().map(|s| s.text.len()).sum())]));
            let fits = !length(network, &text, &Options::default()).is_over();
            prop_assert_eq!(preview.overflow.is_empty(), fits, "{}", network);
        }
    }

    #[test]
    fn hints_are_sorted_disjoint_and_on_char_boundaries(text in french_like()) {
        let hints = typography_hints(&text, Lang::Fr);
        for hint in &hints {
            prop_assert!(hint.range.start <= hint.range.end);
            prop_assert!(text.is_char_boundary(hint.range.start));
            prop_assert!(text.is_char_boundary(hint.range.end));
        }
        for pair in hints.windows(2) {
            let (a, b) = (&pair[0].range, &pair[1].range);
            prop_assert!(a.end <= b.start, "{a:?} {b:?}");
            prop_assert!(!(a.is_empty() && b.is_empty() && a.start == b.start));
        }
    }

    #[test]
    fn no_hints_no_change(text in any::<String>()) {
        prop_assert_eq!(apply_hints(&text, &[]), text.clone());
        prop_assert!(typography_hints(&text, Lang::En).is_empty());
    }

    #[test]
    fn any_text_is_safe(text in any::<String>()) {
        let hints = typography_hints(&text, Lang::Fr);
        let _ = apply_hints(&text, &hints);
        let _ = avoided_words(&text, &["é".to_owned(), "a b".to_owned()]);
        for network in ComposeNetwork::ALL {
            let _ = length(network, &text, &Options::default());
        }
    }

    #[test]
    fn applying_a_hint_changes_only_its_range(text in french_like(), pick in any::<prop::sample::Index>()) {
        let hints = typography_hints(&text, Lang::Fr);
        if hints.is_empty() {
            return Ok(());
        }
        let hint = pick.get(&hints);
        let applied = apply_hints(&text, std::slice::from_ref(hint));
        let expected = format!(
            "{}{}{}",
            &text[..hint.range.start],
            hint.replacement,
            &text[hint.range.end..]
        );
        prop_assert_eq!(applied, expected);
    }

    #[test]
    fn a_second_pass_finds_nothing(text in french_like()) {
        let once = apply_hints(&text, &typography_hints(&text, Lang::Fr));
        let again = typography_hints(&once, Lang::Fr);
        prop_assert!(again.is_empty(), "{once:?}: {again:?}");
    }

    #[test]
    fn appending_never_shortens_a_post(text in french_like(), tail in french_like()) {
        for network in [ComposeNetwork::Bluesky, ComposeNetwork::Threads, ComposeNetwork::Linkedin] {
            let before = length(network, &text, &Options::default()).used;
            let after = length(network, &format!("{text}{tail}"), &Options::default()).used;
            prop_assert!(after >= before, "{network}");
        }
    }

    #[test]
    fn avoided_ranges_are_disjoint_and_fold_to_the_term(text in french_like()) {
        let words = vec!["ete".to_owned(), "promo".to_owned(), "a e".to_owned()];
        let ranges = avoided_words(&text, &words);
        for pair in ranges.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start);
        }
        for range in ranges {
            prop_assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
            prop_assert!(!text[range].trim().is_empty());
        }
    }
}
