//! `tribune business invoices …` reads a business's invoices for its owner: the list as JSON
//! for scripts, one invoice with its mandatory mentions, and a clear refusal for anyone else.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed step must fail the test"
)]

use std::process::{Command, Output};

use jiff::civil::date;
use tribune_business::invoice::{Line, PaymentTerms, Quantity};
use tribune_business::{BasisPoints, Cents};
use tribune_store::Store;
use tribune_store::business::{BusinessProfile, ClientKind, ClientNew};
use tribune_store::invoices::InvoiceDraft;
use tribune_store::testing::{TestDb, user};

const BIN: &str = env!("CARGO_BIN_EXE_tribune");

fn tribune(data: &std::path::Path, url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .arg("--database-url")
        .arg(url)
        .env_remove("TRIBUNE_DATABASE_URL")
        .env_remove("TRIBUNE_CONFIG")
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_owner_lists_and_reads_invoices_with_their_mentions() {
    let db = TestDb::sqlite();
    let store = Store::open(&db.url).await.unwrap();
    let owner = store
        .create_user(&user("cm@example.fr"), false)
        .await
        .unwrap();
    store
        .create_user(&user("other@example.fr"), false)
        .await
        .unwrap();
    let mut profile = BusinessProfile::new("Camille Martin");
    profile.siret = Some("443 061 841 00047".parse().unwrap());
    let (scope, _) = store
        .create_business(owner.user_id(), &profile, 1)
        .await
        .unwrap();
    let client = store
        .create_business_client(
            &scope,
            &ClientNew {
                kind: ClientKind::Business,
                name: "Boulangerie Dupont SARL".into(),
                address: "1 rue du Four\n75006 Paris".into(),
                siren: Some("443 061 841".parse().unwrap()),
                email: None,
                workspace: None,
            },
            1,
        )
        .await
        .unwrap();
    let draft = InvoiceDraft {
        client: client.id,
        lines: vec![Line {
            description: "Community management, mars 2026".into(),
            quantity: "1".parse::<Quantity>().unwrap(),
            unit_price: Cents::new(90_000),
            vat_rate: BasisPoints::ZERO,
        }],
        terms: PaymentTerms::Days(30),
        late_penalty: BasisPoints::new(1200).unwrap(),
    };
    let first = store.create_invoice(&scope, &draft, 1).await.unwrap();
    store
        .issue_invoice(&scope, first.id, date(2026, 3, 31), 2)
        .await
        .unwrap();
    store.create_invoice(&scope, &draft, 3).await.unwrap();
    store.close().await;

    let data = std::env::temp_dir().join(format!("tribune-invoices-cli-{}", first.id.0));
    std::fs::create_dir_all(&data).unwrap();
    let output = tribune(
        &data,
        &db.url,
        &[
            "business",
            "invoices",
            "list",
            "--owner",
            "cm@example.fr",
            "--json",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["number"], serde_json::Value::Null, "drafts first");
    assert_eq!(list[1]["number"], "F-2026-0001");
    assert_eq!(list[1]["status"], "issued");
    assert_eq!(list[1]["total_ttc_cents"], 90_000);
    assert_eq!(list[1]["due_on"], "2026-04-30");

    let id = first.id.0.to_string();
    let output = tribune(
        &data,
        &db.url,
        &[
            "business",
            "invoices",
            "show",
            &id,
            "--owner",
            "cm@example.fr",
        ],
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    for expected in [
        "Facture",
        "N° F-2026-0001",
        "Camille Martin EI",
        "TVA non applicable, art. 293 B du CGI",
        "40,00\u{a0}€",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }

    // Another account has no business here, and gets no invoice of this one.
    let output = tribune(
        &data,
        &db.url,
        &[
            "business",
            "invoices",
            "show",
            &id,
            "--owner",
            "other@example.fr",
        ],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("has no business"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test]
async fn an_issued_invoice_exports_as_factur_x_and_a_draft_is_refused() {
    let db = TestDb::sqlite();
    let store = Store::open(&db.url).await.unwrap();
    let owner = store
        .create_user(&user("pdf@example.fr"), false)
        .await
        .unwrap();
    let mut profile = BusinessProfile::new("Camille Martin");
    profile.siret = Some("443 061 841 00047".parse().unwrap());
    profile.address = "3 rue des Lilas\n69001 Lyon".into();
    let (scope, _) = store
        .create_business(owner.user_id(), &profile, 1)
        .await
        .unwrap();
    let client = store
        .create_business_client(
            &scope,
            &ClientNew {
                kind: ClientKind::Business,
                name: "Boulangerie Dupont SARL".into(),
                address: "1 rue du Four\n75006 Paris".into(),
                siren: Some("732 829 320".parse().unwrap()),
                email: None,
                workspace: None,
            },
            1,
        )
        .await
        .unwrap();
    let draft = InvoiceDraft {
        client: client.id,
        lines: vec![Line {
            // A long description wraps on the page; nothing of it is lost.
            description: "Community management ".repeat(40),
            quantity: "1.5".parse::<Quantity>().unwrap(),
            unit_price: Cents::new(45_000),
            vat_rate: BasisPoints::ZERO,
        }],
        terms: PaymentTerms::Days(30),
        late_penalty: BasisPoints::new(1200).unwrap(),
    };
    let first = store.create_invoice(&scope, &draft, 1).await.unwrap();
    store
        .issue_invoice(&scope, first.id, date(2026, 3, 31), 1_774_951_200)
        .await
        .unwrap();
    let unissued = store.create_invoice(&scope, &draft, 3).await.unwrap();
    store.close().await;

    let data = std::env::temp_dir().join(format!("tribune-invoices-pdf-{}", first.id.0));
    std::fs::create_dir_all(&data).unwrap();
    let out = data.join("F-2026-0001.pdf");
    let out_arg = out.to_str().unwrap();
    let pdf = |invoice: &str, extra: &[&str]| {
        let mut args = vec![
            "business",
            "invoices",
            "pdf",
            invoice,
            "--owner",
            "pdf@example.fr",
            "--out",
            out_arg,
        ];
        args.extend_from_slice(extra);
        tribune(&data, &db.url, &args)
    };

    let output = pdf("F-2026-0001", &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bytes = std::fs::read(&out).unwrap();
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(bytes.starts_with(b"%PDF-1.7"));
    assert!(has(b"<pdfaid:part>3</pdfaid:part>"));
    assert!(has(b"<fx:ConformanceLevel>BASIC WL</fx:ConformanceLevel>"));
    assert!(has(b"(factur-x.xml)"));
    assert!(has(b"/AFRelationship /Data"));
    // The same invoice always gives the same file.
    let again = pdf(&first.id.0.to_string(), &[]);
    assert!(again.status.success());
    assert_eq!(std::fs::read(&out).unwrap(), bytes);

    // The independent checker, when installed (scripts/facturx/ensure-checker.sh).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join("target/facturx-venv/bin/python");
    if python.exists() {
        let check = Command::new(&python)
            .arg(root.join("scripts/facturx/check.py"))
            .arg(&out)
            .args(["basicwl", "380"])
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
    }

    let output = pdf("F-2026-0001", &["--profile", "minimum"]);
    assert!(output.status.success());
    let bytes = std::fs::read(&out).unwrap();
    assert!(
        bytes.windows(8).any(|w| w == b"MINIMUM<"),
        "the minimum profile is named in the XMP"
    );

    // A draft has no number: it cannot be sent.
    let output = pdf(&unissued.id.0.to_string(), &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is a draft"), "{stderr}");

    let output = pdf("F-2026-0099", &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no invoice F-2026-0099"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let output = pdf("F-2026-0001", &["--profile", "extended"]);
    assert_eq!(output.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&data);
}
