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

mod invoices {
    use proptest::prelude::*;
    use tribune_business::invoice::{Line, Quantity, draft_totals, line_total};
    use tribune_business::{BasisPoints, Cents};

    fn lines() -> impl Strategy<Value = Vec<(i64, i64, u16)>> {
        prop::collection::vec(
            (
                1_i64..1_000_000,
                0_i64..100_000_000,
                prop::sample::select(vec![0_u16, 210, 550, 1000, 2000]),
            ),
            0..12,
        )
    }

    proptest! {
        /// A quantity reads back what it prints, in either decimal convention.
        #[test]
        fn quantities_read_back_what_they_print(thousandths in 0_i64..1_000_000_000_000) {
            let quantity = Quantity::from_thousandths(thousandths);
            let text = quantity.to_string();
            prop_assert_eq!(text.parse::<Quantity>().unwrap(), quantity);
            prop_assert_eq!(text.replace('.', ",").parse::<Quantity>().unwrap(), quantity);
        }

        /// A line total is within half a cent of the exact product, and the invoice adds up:
        /// HT is the sum of the lines, VAT the sum of the VAT lines, TTC = HT + VAT, and the
        /// VAT bases cover HT exactly.
        #[test]
        fn invoice_totals_add_up(spec in lines(), franchise in any::<bool>()) {
            let lines: Vec<Line> = spec
                .iter()
                .map(|&(quantity, cents, bp)| Line {
                    description: "x".into(),
                    quantity: Quantity::from_thousandths(quantity),
                    unit_price: Cents::new(cents),
                    vat_rate: BasisPoints::new(if franchise { 0 } else { bp }).unwrap(),
                })
                .collect();
            let (_, totals) = draft_totals(&lines, franchise).unwrap();
            for (line, total) in lines.iter().zip(&totals.lines) {
                let exact = i128::from(line.quantity.thousandths()) * i128::from(line.unit_price.get());
                let error = (i128::from(total.get()) * 1000 - exact).abs();
                prop_assert!(error <= 500, "{exact} → {total:?}");
                prop_assert_eq!(line_total(line.quantity, line.unit_price), Some(*total));
            }
            let ht: i64 = totals.lines.iter().map(|c| c.get()).sum();
            prop_assert_eq!(totals.total_ht.get(), ht);
            let vat: i64 = totals.vat.iter().map(|v| v.vat.get()).sum();
            prop_assert_eq!(totals.total_vat.get(), vat);
            prop_assert_eq!(totals.total_ttc.get(), ht + vat);
            if franchise {
                prop_assert!(totals.vat.is_empty());
            } else {
                let bases: i64 = totals.vat.iter().map(|v| v.base.get()).sum();
                prop_assert_eq!(bases, ht);
            }
        }
    }
}
