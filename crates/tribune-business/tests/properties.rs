//! Invariants of the money rules, over many generated amounts.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use proptest::prelude::*;
use tribune_business::{BasisPoints, Cents, parse_euros};

/// `cents` written the way a person might: plain, French with grouped thousands, English.
fn spellings(cents: i64) -> Vec<String> {
    let euros = cents / 100;
    let rest = cents % 100;
    let digits = euros.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(digit);
    }
    let mut forms = vec![
        format!("{euros}.{rest:02}"),
        format!("{euros},{rest:02}"),
        format!("{grouped},{rest:02} €"),
        format!("{grouped}.{rest:02}"),
    ];
    if rest == 0 {
        forms.push(euros.to_string());
        forms.push(grouped.clone());
    }
    if rest % 10 == 0 {
        forms.push(format!("{euros},{}", rest / 10));
    }
    forms
}

proptest! {
    #[test]
    fn every_spelling_of_an_amount_parses_to_its_exact_cents(cents in 0i64..1_000_000_000_000) {
        for form in spellings(cents) {
            prop_assert_eq!(parse_euros(&form), Ok(Cents::new(cents)), "{}", form);
        }
    }

    #[test]
    fn applying_a_rate_is_within_half_a_cent_of_the_exact_product(
        cents in -1_000_000_000_000i64..1_000_000_000_000,
        bp in 0u16..=10_000,
    ) {
        let rate = BasisPoints::new(bp).unwrap();
        let got = i128::from(rate.apply(Cents::new(cents)).get());
        // |got × 10 000 − cents × bp| ≤ 5 000, i.e. at most half a cent off.
        let error = (got * 10_000 - i128::from(cents) * i128::from(bp)).abs();
        prop_assert!(error <= 5_000, "{} × {} -> {}", cents, bp, got);
        // Rounding is symmetric: a credit note costs minus what the invoice did.
        prop_assert_eq!(rate.apply(Cents::new(-cents)).get(), -rate.apply(Cents::new(cents)).get());
    }

    #[test]
    fn parsing_never_panics(text in "\\PC{0,24}") {
        let _ = parse_euros(&text);
    }
}
