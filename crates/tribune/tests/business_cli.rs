//! `tribune business …` as a script or an accountant runs it: the JSON contract of issue #15,
//! the worked examples, and clear refusals of bad input (no panic, a non-zero status).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed step must fail the test"
)]

use std::process::{Command, Output};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_tribune");

fn tribune(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("TRIBUNE_DATABASE_URL")
        .env_remove("TRIBUNE_CONFIG")
        .output()
        .unwrap()
}

fn json_of(args: &[&str]) -> Value {
    let output = tribune(args);
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The command fails with a message on stderr that contains `expected`, and does not panic.
fn refused(args: &[&str], expected: &str) {
    let output = tribune(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{args:?} should fail");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
}

#[test]
fn estimate_prints_the_issue_example_with_the_exact_json_fields() {
    let out = json_of(&[
        "business",
        "estimate",
        "--category",
        "bnc-ssi",
        "--period",
        "2026-03",
        "--turnover",
        "3000",
        "--versement-liberatoire",
        "--json",
    ]);
    let mut keys: Vec<&str> = out
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "category",
            "cfp_cents",
            "cfp_rate",
            "period",
            "social_cents",
            "social_rate",
            "sources",
            "total_cents",
            "turnover_cents",
            "vl_cents",
            "vl_rate"
        ]
    );
    assert_eq!(out["period"], "2026-03");
    assert_eq!(out["category"], "bnc-ssi");
    assert_eq!(out["turnover_cents"], 300_000);
    assert_eq!(out["social_cents"], 76_800);
    assert_eq!(out["cfp_cents"], 600);
    assert_eq!(out["vl_cents"], 6_600);
    assert_eq!(out["total_cents"], 84_000);
    assert_eq!(out["social_rate"], json!(0.256));
    assert_eq!(out["cfp_rate"], json!(0.002));
    assert_eq!(out["vl_rate"], json!(0.022));
    let sources = out["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 3);
    assert!(
        sources[0]["reference"]
            .as_str()
            .unwrap()
            .contains("2025-943")
    );
    // The rates are written as exact decimals, not as float noise.
    let text = String::from_utf8(
        tribune(&[
            "business",
            "estimate",
            "--category",
            "bnc-ssi",
            "--period",
            "2026-03",
            "--turnover",
            "3000",
            "--json",
        ])
        .stdout,
    )
    .unwrap();
    assert!(text.contains("\"social_rate\": 0.256,"), "{text}");
    assert!(text.contains("\"vl_cents\": 0,"), "{text}");
}

#[test]
fn estimate_reads_french_amounts_and_prints_a_readable_summary() {
    let out = json_of(&[
        "business",
        "estimate",
        "--category",
        "bic-sales",
        "--period",
        "2026-Q2",
        "--turnover",
        "3 000,50",
        "--json",
    ]);
    assert_eq!(out["turnover_cents"], 300_050);
    assert_eq!(out["period"], "2026-Q2");
    // 3,000.50 × 12.3 % = 369.0615 -> 369.06; × 0.1 % = 3.0005 -> 3.00.
    assert_eq!(out["social_cents"], 36_906);
    assert_eq!(out["cfp_cents"], 300);
    let output = tribune(&[
        "business",
        "estimate",
        "--category",
        "bnc-ssi",
        "--period",
        "2026-03",
        "--turnover",
        "3000",
        "--versement-liberatoire",
    ]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("€768.00") && text.contains("€840.00"),
        "{text}"
    );
    assert!(
        text.contains("25.6%") && text.contains("Sources:"),
        "{text}"
    );
}

#[test]
fn the_rate_change_of_1_july_2024_applies_to_the_periods_starting_after_it() {
    let rate = |period: &str| {
        json_of(&[
            "business",
            "estimate",
            "--category",
            "bnc-ssi",
            "--period",
            period,
            "--turnover",
            "1000",
            "--json",
        ])["social_rate"]
            .clone()
    };
    assert_eq!(rate("2024-06"), json!(0.211));
    assert_eq!(rate("2024-Q2"), json!(0.211));
    assert_eq!(rate("2024-07"), json!(0.231));
    assert_eq!(rate("2024-Q3"), json!(0.231));
    assert_eq!(rate("2024-05-15..2024-09-30"), json!(0.211));
}

#[test]
fn ceiling_is_prorated_in_the_year_of_creation() {
    let full = json_of(&[
        "business",
        "ceiling",
        "--year",
        "2026",
        "--category",
        "bnc-ssi",
        "--json",
    ]);
    assert_eq!(
        full,
        json!({
            "year": 2026,
            "ceiling_cents": 8_360_000,
            "vat_franchise_cents": 3_750_000,
            "vat_franchise_upper_cents": 4_125_000,
            "prorated": false,
        })
    );
    let created = json_of(&[
        "business",
        "ceiling",
        "--year",
        "2026",
        "--created",
        "2026-04-01",
        "--category",
        "bnc-ssi",
        "--json",
    ]);
    assert_eq!(
        created,
        json!({
            "year": 2026,
            "ceiling_cents": 6_298_630,
            "vat_franchise_cents": 2_825_342,
            "vat_franchise_upper_cents": 3_107_876,
            "prorated": true,
        })
    );
    let earlier = json_of(&[
        "business",
        "ceiling",
        "--year",
        "2025",
        "--category",
        "bic-sales",
        "--json",
    ]);
    assert_eq!(earlier["ceiling_cents"], 18_870_000);
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let estimate = |category: &str, period: &str, turnover: &str| {
        vec![
            "business".to_owned(),
            "estimate".to_owned(),
            "--category".to_owned(),
            category.to_owned(),
            "--period".to_owned(),
            period.to_owned(),
            "--turnover".to_owned(),
            turnover.to_owned(),
        ]
    };
    let check = |args: Vec<String>, expected: &str| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(&args, expected);
    };
    check(estimate("bnc-ssi", "2026-03", "-5"), "negative");
    check(estimate("bnc-ssi", "2026-03", "3,000"), "ambiguous");
    check(
        estimate("bnc-ssi", "2026-03", "3.14159"),
        "more than two decimals",
    );
    check(
        estimate("bnc-ssi", "2026-03", "trois mille"),
        "not an amount",
    );
    check(estimate("bnc-ssi", "2026-03", ""), "no amount");
    check(estimate("bnc", "2026-03", "5"), "unknown category");
    check(estimate("bnc-ssi", "2026-13", "5"), "not a period");
    check(estimate("bnc-ssi", "03/2026", "5"), "not a period");
    check(estimate("bnc-ssi", "2022-01", "5"), "no social figure");
    check(estimate("bnc-ssi", "2027-01", "5"), "update the table");
    refused(
        &[
            "business",
            "ceiling",
            "--year",
            "2026",
            "--category",
            "bnc-ssi",
            "--created",
            "2026-02-30",
        ],
        "not a date that exists",
    );
    refused(
        &[
            "business",
            "ceiling",
            "--year",
            "2025",
            "--category",
            "bnc-ssi",
            "--created",
            "2026-01-01",
        ],
        "after the year 2025",
    );
    refused(
        &[
            "business",
            "ceiling",
            "--year",
            "twenty",
            "--category",
            "bnc-ssi",
        ],
        "invalid value",
    );
}

#[test]
fn an_edited_rate_table_replaces_the_shipped_one_and_is_checked() {
    let dir = std::env::temp_dir().join(format!("tribune-business-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let shipped = include_str!("../../tribune-business/data/rates.toml");
    // An artisan edits the CFP of bic-services to 0.3 %.
    let artisan = shipped.replacen(
        "category = \"bic-services\"\nkind = \"cfp\"\nfrom = \"2023-01-01\"\nbp = 10",
        "category = \"bic-services\"\nkind = \"cfp\"\nfrom = \"2023-01-01\"\nbp = 30",
        1,
    );
    assert_ne!(artisan, shipped);
    let path = dir.join("artisan.toml");
    std::fs::write(&path, artisan).unwrap();
    let path = path.to_str().unwrap();
    let out = json_of(&[
        "business",
        "estimate",
        "--category",
        "bic-services",
        "--period",
        "2026-01",
        "--turnover",
        "1000",
        "--json",
        "--rates",
        path,
    ]);
    assert_eq!(out["cfp_cents"], 300);
    assert_eq!(out["cfp_rate"], json!(0.003));
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, shipped.replacen("bp = 2560", "bp = 25600", 1)).unwrap();
    refused(
        &[
            "business",
            "estimate",
            "--category",
            "bnc-ssi",
            "--period",
            "2026-01",
            "--turnover",
            "1",
            "--rates",
            broken.to_str().unwrap(),
        ],
        "not a rate between 0 and 10000",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn calendar_and_rates_list_their_dates_and_sources() {
    let calendar = json_of(&[
        "business",
        "calendar",
        "--year",
        "2026",
        "--started",
        "2026-01-15",
        "--json",
    ]);
    let first = &calendar.as_array().unwrap()[0];
    assert_eq!(
        first,
        &json!({"date": "2026-04-30", "kind": "declaration", "period": "2026-01-15..2026-03-31", "first": true})
    );
    let rates = json_of(&["business", "rates", "--json"]);
    let rows = rates.as_array().unwrap();
    assert!(
        rows.iter()
            .all(|row| row["reference"].as_str().is_some_and(|r| !r.is_empty()))
    );
    assert!(
        rows.iter()
            .any(|row| row["kind"] == "social" && row["rate"] == json!(0.256))
    );
}
