//! Invoices and credit notes on SQLite and PostgreSQL: drafts change and issued invoices never
//! do, numbers are gap-free under concurrent issuing (tasks on one pool, pools of their own,
//! and on PostgreSQL two processes), a credit note corrects an invoice, payments settle it,
//! every change is audited, and another account's business can neither read nor write them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed step must fail the test"
)]

use jiff::civil::{Date, date};
use sqlx::Connection;
use std::collections::BTreeSet;
use tribune_business::invoice::{InvoiceError, Line, Mention, PaymentTerms, Quantity};
use tribune_business::{BasisPoints, Cents};
use tribune_domain::UserId;
use tribune_domain::ids::{BusinessClientId, InvoiceId};
use tribune_store::business::{BusinessProfile, ClientKind, ClientNew};
use tribune_store::invoices::{InvoiceDraft, InvoiceKind, InvoiceStatus, PaymentNew};
use tribune_store::testing::{TestDb, user};
use tribune_store::{BusinessScope, Refusal, Store, StoreError};

/// Runs `story` on a fresh SQLite database and, when reachable (always under CI), a fresh
/// PostgreSQL one, with the URL for the checks that look at the tables themselves.
async fn each_db<F, Fut>(story: F)
where
    F: Fn(Store, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDb::all().await {
        let store = Store::open(&db.url).await.unwrap();
        story(store.clone(), db.url.clone()).await;
        store.close().await;
    }
}

/// The audit actions recorded, oldest first.
async fn audit_actions(url: &str) -> Vec<String> {
    let sql = "SELECT action FROM audit_events ORDER BY id";
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap()
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap()
    }
}

/// Runs one statement on its own connection, bypassing the store.
async fn raw_execute(url: &str, sql: &str) -> Result<u64, String> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query(sql)
            .execute(&mut conn)
            .await
            .map(|done| done.rows_affected())
            .map_err(|error| error.to_string())
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query(sql)
            .execute(&mut conn)
            .await
            .map(|done| done.rows_affected())
            .map_err(|error| error.to_string())
    }
}

fn line(description: &str, quantity: &str, euros: i64) -> Line {
    Line {
        description: description.into(),
        quantity: quantity.parse::<Quantity>().unwrap(),
        unit_price: Cents::new(euros * 100),
        vat_rate: BasisPoints::ZERO,
    }
}

fn draft(client: BusinessClientId, lines: Vec<Line>) -> InvoiceDraft {
    InvoiceDraft {
        client,
        lines,
        terms: PaymentTerms::Days(30),
        late_penalty: BasisPoints::new(1200).unwrap(),
    }
}

struct Setup {
    owner: UserId,
    scope: BusinessScope,
    client: BusinessClientId,
}

/// A business with a SIRET, in franchise, and one B2B client with its SIREN.
async fn business(store: &Store, email: &str) -> Setup {
    let owner = store.create_user(&user(email), false).await.unwrap();
    let mut profile = BusinessProfile::new("Camille Martin");
    profile.address = "3 rue des Lilas\n69001 Lyon".into();
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
    Setup {
        owner: owner.user_id(),
        scope,
        client: client.id,
    }
}

fn refused(result: Result<impl std::fmt::Debug, StoreError>) -> Refusal {
    match result {
        Err(StoreError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn invalid(result: Result<impl std::fmt::Debug, StoreError>) -> InvoiceError {
    match result {
        Err(StoreError::Invoice(error)) => error,
        other => panic!("expected an invoice error, got {other:?}"),
    }
}

const MARCH_31: Date = date(2026, 3, 31);

#[tokio::test]
async fn a_draft_changes_until_it_is_issued_and_never_after() {
    each_db(|store, url| async move {
        let Setup { scope, client, .. } = business(&store, "cm@example.fr").await;
        let draft_in = draft(client, vec![line("Community management, mars", "1", 900)]);
        let created = store.create_invoice(&scope, &draft_in, 10).await.unwrap();
        assert_eq!(created.status, InvoiceStatus::Draft, "{url}");
        assert_eq!(created.kind, InvoiceKind::Invoice);
        assert!(created.issued.is_none() && created.mentions().is_none());
        assert_eq!(created.totals.total_ttc, Cents::new(90_000));

        // A draft changes freely.
        let mut edited = draft_in.clone();
        edited
            .lines
            .push(line("  Modération (heures)  ", "2.5", 40));
        let updated = store
            .update_invoice_draft(&scope, created.id, &edited, 20)
            .await
            .unwrap();
        assert_eq!(updated.lines.len(), 2);
        assert_eq!(updated.lines[1].description, "Modération (heures)");
        assert_eq!(updated.totals.total_ttc, Cents::new(100_000), "{url}");

        let issued = store
            .issue_invoice(&scope, created.id, MARCH_31, 30)
            .await
            .unwrap();
        assert_eq!(issued.status, InvoiceStatus::Issued);
        let facts = issued.issued.clone().unwrap();
        assert_eq!(facts.number, "F-2026-0001", "{url}");
        assert_eq!(facts.issued_on, MARCH_31);
        assert_eq!(facts.due_on, Some(date(2026, 4, 30)));
        assert_eq!(facts.seller.legal_name, "Camille Martin");
        assert_eq!(facts.buyer.name, "Boulangerie Dupont SARL");
        let mentions = issued.mentions().unwrap();
        assert!(mentions.contains(&Mention::VatFranchise), "{url}");
        assert!(mentions.contains(&Mention::RecoveryIndemnity(Cents::new(4000))));
        assert!(
            mentions
                .iter()
                .any(|m| matches!(m, Mention::Seller { name, .. } if name == "Camille Martin EI"))
        );

        // Issued: no edit, no deletion, no second issue; nothing moved.
        assert_eq!(
            refused(
                store
                    .update_invoice_draft(&scope, created.id, &draft_in, 40)
                    .await
            ),
            Refusal::InvoiceIssued
        );
        assert_eq!(
            refused(store.delete_invoice_draft(&scope, created.id).await),
            Refusal::InvoiceIssued
        );
        assert_eq!(
            refused(store.issue_invoice(&scope, created.id, MARCH_31, 40).await),
            Refusal::InvoiceIssued
        );
        assert_eq!(Refusal::InvoiceIssued.key(), "error-invoice-issued");

        // Behind the store, the database refuses too.
        let id = created.id.0;
        for sql in [
            format!("UPDATE invoices SET number = 'F-2026-0099' WHERE id = {id}"),
            format!("UPDATE invoices SET total_ttc_cents = 1 WHERE id = {id}"),
            format!("UPDATE invoice_lines SET unit_price_cents = 1 WHERE invoice_id = {id}"),
            format!(
                "INSERT INTO invoice_lines (business_id, invoice_id, position, description, \
                 quantity_thousandths, unit_price_cents, vat_bp, total_cents) \
                 VALUES ({}, {id}, 9, 'x', 1000, 1, 0, 1)",
                scope.business().0
            ),
        ] {
            let error = raw_execute(&url, &sql).await.unwrap_err();
            assert!(
                error.contains("an issued invoice never changes"),
                "{sql} on {url}: {error}"
            );
        }

        // Editing the business afterwards does not rewrite what was sent.
        let mut profile = store.business(&scope).await.unwrap().profile;
        profile.legal_name = "Camille Martin-Durand".into();
        store.update_business(&scope, &profile, 50).await.unwrap();
        assert_eq!(
            store.invoice(&scope, created.id).await.unwrap(),
            issued,
            "{url}"
        );

        // A draft can be deleted (it has no number).
        let other = store.create_invoice(&scope, &draft_in, 60).await.unwrap();
        store.delete_invoice_draft(&scope, other.id).await.unwrap();
        assert!(matches!(
            store.invoice(&scope, other.id).await,
            Err(StoreError::NotFound)
        ));

        let actions = audit_actions(&url).await;
        let invoice_actions: Vec<&str> = actions
            .iter()
            .map(String::as_str)
            .filter(|a| a.starts_with("invoice."))
            .collect();
        assert_eq!(
            invoice_actions,
            [
                "invoice.created",
                "invoice.draft_updated",
                "invoice.issued",
                "invoice.created",
                "invoice.draft_deleted"
            ],
            "{url}"
        );
    })
    .await;
}

#[tokio::test]
async fn issuing_refuses_what_the_law_requires_and_drafts_refuse_negative_lines() {
    each_db(|store, url| async move {
        let Setup { scope, client, .. } = business(&store, "cm@example.fr").await;

        // Drafts: never negative, never VAT while in franchise.
        let mut negative = draft(client, vec![line("x", "1", 10)]);
        negative.lines[0].quantity = Quantity::from_thousandths(-1000);
        assert_eq!(
            invalid(store.create_invoice(&scope, &negative, 1).await),
            InvoiceError::QuantityNotPositive { line: 1 },
            "{url}"
        );
        let mut taxed = draft(client, vec![line("x", "1", 10)]);
        taxed.lines[0].vat_rate = BasisPoints::new(2000).unwrap();
        assert_eq!(
            invalid(store.create_invoice(&scope, &taxed, 1).await),
            InvoiceError::VatInFranchise { line: 1 }
        );

        // An empty draft is fine, but not issued.
        let empty = store
            .create_invoice(&scope, &draft(client, vec![]), 1)
            .await
            .unwrap();
        assert_eq!(
            invalid(store.issue_invoice(&scope, empty.id, MARCH_31, 2).await),
            InvoiceError::Empty
        );

        // A due date before the issue date.
        let mut early = draft(client, vec![line("x", "1", 10)]);
        early.terms = PaymentTerms::On(date(2026, 3, 1));
        let early = store.create_invoice(&scope, &early, 1).await.unwrap();
        assert!(matches!(
            invalid(store.issue_invoice(&scope, early.id, MARCH_31, 2).await),
            InvoiceError::DueBeforeIssue { .. }
        ));

        // A business client without SIREN.
        let anonymous = store
            .create_business_client(
                &scope,
                &ClientNew {
                    kind: ClientKind::Business,
                    name: "Sans SIREN SAS".into(),
                    address: String::new(),
                    siren: None,
                    email: None,
                    workspace: None,
                },
                1,
            )
            .await
            .unwrap();
        let unnamed = store
            .create_invoice(&scope, &draft(anonymous.id, vec![line("x", "1", 10)]), 1)
            .await
            .unwrap();
        assert_eq!(
            invalid(store.issue_invoice(&scope, unnamed.id, MARCH_31, 2).await),
            InvoiceError::BusinessClientWithoutSiren
        );

        // A seller without SIRET.
        let mut profile = store.business(&scope).await.unwrap().profile;
        profile.siret = None;
        store.update_business(&scope, &profile, 3).await.unwrap();
        let fine = store
            .create_invoice(&scope, &draft(client, vec![line("x", "1", 10)]), 1)
            .await
            .unwrap();
        assert_eq!(
            invalid(store.issue_invoice(&scope, fine.id, MARCH_31, 4).await),
            InvoiceError::SellerWithoutSiret
        );

        // Nothing was numbered: the first invoice issued after all this is number 1.
        profile.siret = Some("443 061 841 00047".parse().unwrap());
        store.update_business(&scope, &profile, 5).await.unwrap();
        let issued = store
            .issue_invoice(&scope, fine.id, MARCH_31, 6)
            .await
            .unwrap();
        assert_eq!(issued.issued.unwrap().number, "F-2026-0001", "{url}");

        // Numbers follow dates: an invoice dated before the last one is refused.
        let late = store
            .create_invoice(&scope, &draft(client, vec![line("x", "1", 10)]), 7)
            .await
            .unwrap();
        assert_eq!(
            refused(
                store
                    .issue_invoice(&scope, late.id, date(2026, 3, 30), 8)
                    .await
            ),
            Refusal::InvoiceDateBeforeLast
        );
        // A new year starts a new series at 1.
        let next_year = store
            .issue_invoice(&scope, late.id, date(2027, 1, 2), 8)
            .await
            .unwrap();
        assert_eq!(next_year.issued.unwrap().number, "F-2027-0001", "{url}");
    })
    .await;
}

#[tokio::test]
async fn a_credit_note_corrects_an_issued_invoice_and_payments_settle_it() {
    each_db(|store, url| async move {
        let Setup { scope, client, .. } = business(&store, "cm@example.fr").await;
        let invoice = store
            .create_invoice(
                &scope,
                &draft(
                    client,
                    vec![line("Forfait", "1", 800), line("Rapport", "1", 200)],
                ),
                1,
            )
            .await
            .unwrap();

        // A draft can be neither credited nor paid.
        assert_eq!(
            refused(store.create_credit_note(&scope, invoice.id, None, 2).await),
            Refusal::InvoiceNotIssued
        );
        let payment = |euros: i64| PaymentNew {
            received_on: date(2026, 4, 10),
            amount: Cents::new(euros * 100),
            method: "virement".into(),
        };
        assert_eq!(
            refused(
                store
                    .record_invoice_payment(&scope, invoice.id, &payment(10), 2)
                    .await
            ),
            Refusal::InvoiceNotIssued
        );
        let invoice = store
            .issue_invoice(&scope, invoice.id, MARCH_31, 3)
            .await
            .unwrap();
        assert_eq!(invoice.totals.total_ttc, Cents::new(100_000));

        // The client moves after the invoice: the credit note still names it as invoiced.
        raw_execute(
            &url,
            &format!(
                "UPDATE business_clients SET name = 'Boulangerie Dupont & Fils' WHERE id = {}",
                client.0
            ),
        )
        .await
        .unwrap();
        // The report was not delivered: a credit note for that line.
        let credit = store
            .create_credit_note(
                &scope,
                invoice.id,
                Some(&[line("Rapport (non livré)", "1", 200)]),
                4,
            )
            .await
            .unwrap();
        assert_eq!(credit.kind, InvoiceKind::CreditNote, "{url}");
        assert_eq!(credit.client, invoice.client);
        assert_eq!(credit.corrects.as_ref().unwrap().0, invoice.id);
        let credit = store
            .issue_invoice(&scope, credit.id, date(2026, 4, 2), 5)
            .await
            .unwrap();
        let facts = credit.issued.clone().unwrap();
        assert_eq!(facts.number, "AV-2026-0001", "{url}");
        assert_eq!(facts.due_on, None);
        assert_eq!(facts.buyer.name, "Boulangerie Dupont SARL", "{url}");
        let mentions = credit.mentions().unwrap();
        assert_eq!(mentions[0], Mention::Title("Avoir"));
        assert!(mentions.contains(&Mention::Corrects {
            number: "F-2026-0001".into(),
            issued_on: MARCH_31,
        }));

        let invoice = store.invoice(&scope, invoice.id).await.unwrap();
        assert_eq!(invoice.credited, Cents::new(20_000), "{url}");
        assert_eq!(invoice.status, InvoiceStatus::Issued);
        assert_eq!(invoice.balance(), Cents::new(80_000));

        // No credit note of a credit note, no payment on one, no credit beyond the invoice.
        assert_eq!(
            refused(store.create_credit_note(&scope, credit.id, None, 6).await),
            Refusal::InvoiceNotIssued
        );
        assert_eq!(
            refused(
                store
                    .record_invoice_payment(&scope, credit.id, &payment(1), 6)
                    .await
            ),
            Refusal::InvoiceNotIssued
        );
        let too_much = store
            .create_credit_note(&scope, invoice.id, None, 6)
            .await
            .unwrap();
        assert_eq!(too_much.totals.total_ttc, Cents::new(100_000));
        assert_eq!(
            refused(
                store
                    .issue_invoice(&scope, too_much.id, date(2026, 4, 3), 7)
                    .await
            ),
            Refusal::CreditExceedsInvoice
        );
        // The refused issue gave its number back: the next credit note is still number 2.
        let rest = store
            .update_invoice_draft(
                &scope,
                too_much.id,
                &draft(client, vec![line("Geste commercial", "1", 50)]),
                8,
            )
            .await
            .unwrap();
        let rest = store
            .issue_invoice(&scope, rest.id, date(2026, 4, 3), 9)
            .await
            .unwrap();
        assert_eq!(rest.issued.unwrap().number, "AV-2026-0002", "{url}");

        // Payments: zero refused, partial, more than due refused, the rest → paid.
        assert_eq!(
            invalid(
                store
                    .record_invoice_payment(&scope, invoice.id, &payment(0), 10)
                    .await
            ),
            InvoiceError::PaymentNotPositive
        );
        let partly = store
            .record_invoice_payment(&scope, invoice.id, &payment(500), 11)
            .await
            .unwrap();
        assert_eq!(partly.status, InvoiceStatus::PartiallyPaid, "{url}");
        assert_eq!(partly.balance(), Cents::new(25_000));
        assert_eq!(
            refused(
                store
                    .record_invoice_payment(&scope, invoice.id, &payment(251), 12)
                    .await
            ),
            Refusal::PaymentExceedsBalance
        );
        let paid = store
            .record_invoice_payment(&scope, invoice.id, &payment(250), 13)
            .await
            .unwrap();
        assert_eq!(paid.status, InvoiceStatus::Paid, "{url}");
        assert_eq!(paid.payments.len(), 2);
        assert_eq!(paid.balance(), Cents::ZERO);
        // Settling did not touch what the invoice says.
        assert_eq!(paid.lines, invoice.lines);
        assert_eq!(paid.issued, invoice.issued);

        // A fully credited invoice, nothing paid, is "credited".
        let second = store
            .create_invoice(&scope, &draft(client, vec![line("Forfait", "1", 300)]), 14)
            .await
            .unwrap();
        let second = store
            .issue_invoice(&scope, second.id, date(2026, 4, 5), 15)
            .await
            .unwrap();
        let cancel = store
            .create_credit_note(&scope, second.id, None, 16)
            .await
            .unwrap();
        store
            .issue_invoice(&scope, cancel.id, date(2026, 4, 5), 17)
            .await
            .unwrap();
        assert_eq!(
            store.invoice(&scope, second.id).await.unwrap().status,
            InvoiceStatus::Credited,
            "{url}"
        );

        let list = store.invoices(&scope).await.unwrap();
        assert_eq!(list.len(), 5);
        let numbers: Vec<Option<String>> = list.iter().map(|i| i.number.clone()).collect();
        assert!(numbers.iter().all(Option::is_some), "{numbers:?}");

        let actions = audit_actions(&url).await;
        for action in [
            "invoice.credit_note_created",
            "invoice.credited",
            "invoice.payment_recorded",
        ] {
            assert!(actions.iter().any(|a| a == action), "{action} on {url}");
        }
    })
    .await;
}

#[tokio::test]
async fn another_accounts_business_can_neither_read_nor_write_the_invoices() {
    each_db(|store, url| async move {
        let mine = business(&store, "cm@example.fr").await;
        let theirs = business(&store, "rival@example.fr").await;
        let invoice = store
            .create_invoice(
                &mine.scope,
                &draft(mine.client, vec![line("Forfait", "1", 100)]),
                1,
            )
            .await
            .unwrap();
        let not_found = |result: Result<(), StoreError>| {
            assert!(
                matches!(result, Err(StoreError::NotFound)),
                "{result:?} on {url}"
            );
        };
        let scope = &theirs.scope;
        not_found(store.invoice(scope, invoice.id).await.map(|_| ()));
        not_found(
            store
                .update_invoice_draft(scope, invoice.id, &draft(theirs.client, vec![]), 2)
                .await
                .map(|_| ()),
        );
        not_found(store.delete_invoice_draft(scope, invoice.id).await);
        not_found(
            store
                .issue_invoice(scope, invoice.id, MARCH_31, 2)
                .await
                .map(|_| ()),
        );
        not_found(
            store
                .record_invoice_payment(
                    scope,
                    invoice.id,
                    &PaymentNew {
                        received_on: MARCH_31,
                        amount: Cents::new(1),
                        method: String::new(),
                    },
                    2,
                )
                .await
                .map(|_| ()),
        );
        not_found(
            store
                .create_credit_note(scope, invoice.id, None, 2)
                .await
                .map(|_| ()),
        );
        // Nor bill my client from their business.
        not_found(
            store
                .create_invoice(scope, &draft(mine.client, vec![]), 2)
                .await
                .map(|_| ()),
        );
        assert!(store.invoices(scope).await.unwrap().is_empty());
        // And the rival cannot get a scope on my business at all.
        assert!(matches!(
            store
                .business_scope(theirs.owner, mine.scope.business())
                .await,
            Err(StoreError::NotFound)
        ));
        // Untouched.
        let again = store.invoice(&mine.scope, invoice.id).await.unwrap();
        assert_eq!(again, invoice);
    })
    .await;
}

/// Issues `ids` concurrently, each on its own task, and returns the numbers given.
async fn issue_all(store: &Store, scope: BusinessScope, ids: &[InvoiceId]) -> Vec<String> {
    let mut tasks = Vec::new();
    for &id in ids {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .issue_invoice(&scope, id, MARCH_31, 1)
                .await
                .unwrap()
                .issued
                .unwrap()
                .number
        }));
    }
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.unwrap());
    }
    numbers
}

fn expected_numbers(count: u32) -> BTreeSet<String> {
    (1..=count).map(|n| format!("F-2026-{n:04}")).collect()
}

async fn drafts(store: &Store, setup: &Setup, count: usize) -> Vec<InvoiceId> {
    let mut ids = Vec::new();
    for i in 0..count {
        let invoice = store
            .create_invoice(
                &setup.scope,
                &draft(setup.client, vec![line(&format!("Mission {i}"), "1", 100)]),
                1,
            )
            .await
            .unwrap();
        ids.push(invoice.id);
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn numbers_are_gap_free_when_many_issue_at_once() {
    each_db(|store, url| async move {
        let one = business(&store, "one@example.fr").await;
        let two = business(&store, "two@example.fr").await;
        let ids = drafts(&store, &one, 24).await;
        let others = drafts(&store, &two, 8).await;
        // Some issue twice the same draft at the same time: one wins, the other is refused.
        let twice = ids[0];

        // Tasks on the shared pool, and pools of their own (separate connections).
        let second_pool = Store::open(&url).await.unwrap();
        let (first_half, second_half) = ids.split_at(12);
        let race = |store: Store| {
            tokio::spawn(async move { store.issue_invoice(&one.scope, twice, MARCH_31, 1).await })
        };
        let (race_a, race_b) = (race(store.clone()), race(second_pool.clone()));
        let (a, b, c) = tokio::join!(
            issue_all(&store, one.scope, &first_half[1..]),
            issue_all(&second_pool, one.scope, second_half),
            issue_all(&store, two.scope, &others),
        );
        let raced = [race_a.await.unwrap(), race_b.await.unwrap()];
        second_pool.close().await;

        let mut numbers: Vec<String> = a.into_iter().chain(b).collect();
        // The draft issued twice at once: one issue wins, the other is refused.
        let won: Vec<String> = raced
            .iter()
            .filter_map(|result| result.as_ref().ok())
            .map(|invoice| invoice.issued.clone().unwrap().number)
            .collect();
        assert_eq!(won.len(), 1, "one issue wins on {url}");
        assert!(
            raced
                .iter()
                .any(|result| matches!(result, Err(StoreError::Refused(Refusal::InvoiceIssued))))
        );
        numbers.extend(won);
        let unique: BTreeSet<String> = numbers.iter().cloned().collect();
        assert_eq!(unique.len(), numbers.len(), "no number twice on {url}");
        assert_eq!(unique, expected_numbers(24), "no gap on {url}");
        let theirs: BTreeSet<String> = c.into_iter().collect();
        assert_eq!(
            theirs,
            expected_numbers(8),
            "a counter per business on {url}"
        );
    })
    .await;
}

/// The child side of the two-process test below: issues the invoices it is given, then the
/// test passes. Without its environment it does nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoice_issuer_child_process() {
    let Ok(url) = std::env::var("TRIBUNE_INVOICE_CHILD_URL") else {
        return;
    };
    let owner: i64 = std::env::var("TRIBUNE_INVOICE_CHILD_OWNER")
        .unwrap()
        .parse()
        .unwrap();
    let business: i64 = std::env::var("TRIBUNE_INVOICE_CHILD_BUSINESS")
        .unwrap()
        .parse()
        .unwrap();
    let ids: Vec<InvoiceId> = std::env::var("TRIBUNE_INVOICE_CHILD_IDS")
        .unwrap()
        .split(',')
        .map(|id| InvoiceId(id.parse().unwrap()))
        .collect();
    let store = Store::open(&url).await.unwrap();
    let scope = store
        .business_scope(UserId(owner), tribune_domain::ids::BusinessId(business))
        .await
        .unwrap();
    issue_all(&store, scope, &ids).await;
    store.close().await;
}

#[tokio::test]
async fn numbers_are_gap_free_across_two_processes_on_postgres() {
    if std::env::var("TRIBUNE_INVOICE_CHILD_URL").is_ok() {
        return;
    }
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let store = Store::open(&db.url).await.unwrap();
    let setup = business(&store, "cm@example.fr").await;
    let ids = drafts(&store, &setup, 40).await;
    // Interleaved halves, so both processes want the counter all the time.
    let halves: [Vec<String>; 2] = [0, 1].map(|parity| {
        ids.iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == parity)
            .map(|(_, id)| id.0.to_string())
            .collect()
    });
    let exe = std::env::current_exe().unwrap();
    let children: Vec<std::process::Child> = halves
        .iter()
        .map(|half| {
            std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "invoice_issuer_child_process",
                    "--test-threads=1",
                ])
                .env("TRIBUNE_INVOICE_CHILD_URL", &db.url)
                .env("TRIBUNE_INVOICE_CHILD_OWNER", setup.owner.0.to_string())
                .env(
                    "TRIBUNE_INVOICE_CHILD_BUSINESS",
                    setup.scope.business().0.to_string(),
                )
                .env("TRIBUNE_INVOICE_CHILD_IDS", half.join(","))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "child failed: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("1 passed"),
            "the child ran its test: {stdout}"
        );
    }
    let numbers: BTreeSet<String> = store
        .invoices(&setup.scope)
        .await
        .unwrap()
        .into_iter()
        .map(|invoice| invoice.number.unwrap())
        .collect();
    assert_eq!(numbers, expected_numbers(40));
    store.close().await;
}
