//! `tribune business invoices …`: a business's invoices and credit notes for the accountant and
//! scripts, read-only (drafts, issuing and payments come with the pages), and an issued one as
//! its Factur-X PDF. Only the business's owner is named: the store hands the scope to no one
//! else.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use tribune_business::invoice::facturx::{Issued, Profile};
use tribune_business::invoice::{Checked, pdf};
use tribune_domain::ids::{BusinessId, InvoiceId};
use tribune_store::invoices::{Invoice, InvoiceSummary};
use tribune_store::{BusinessScope, Store};

use super::open_store;
use crate::config::Settings;
use crate::table;

#[derive(Subcommand)]
pub enum InvoicesCommand {
    /// List the invoices and credit notes of a business, drafts first, then newest first.
    List(ListArgs),
    /// Show one invoice or credit note with its lines and its mandatory mentions (in French, as
    /// printed on it).
    Show(ShowArgs),
    /// Write an issued invoice or credit note as a Factur-X PDF (PDF/A-3 with its CII XML
    /// attached), ready to send. Drafts have no number and are refused.
    Pdf(PdfArgs),
}

#[derive(Args)]
pub struct OwnerArgs {
    /// The e-mail address of the business's owner.
    #[arg(long, value_name = "EMAIL")]
    owner: String,
    /// The business, when the owner has several.
    #[arg(long, value_name = "ID")]
    business: Option<i64>,
}

#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    owner: OwnerArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ShowArgs {
    /// The invoice's id (see `list`).
    id: i64,
    #[command(flatten)]
    owner: OwnerArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct PdfArgs {
    /// The invoice's number (`F-2026-0001`, `AV-2026-0001`) or its id (see `list`).
    #[arg(value_name = "NUMBER_OR_ID")]
    invoice: String,
    #[command(flatten)]
    owner: OwnerArgs,
    /// The PDF file to write (`-`: standard output).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The Factur-X profile of the attached XML: `basicwl` (the header with VAT breakdown,
    /// due date and references) or `minimum` (parties and totals only).
    #[arg(long, default_value = "basicwl", value_name = "PROFILE")]
    profile: Profile,
}

pub async fn run(settings: Settings, command: InvoicesCommand) -> anyhow::Result<()> {
    let (store, _lock) = open_store(&settings).await?;
    let result = match command {
        InvoicesCommand::List(args) => list(&store, args).await,
        InvoicesCommand::Show(args) => show(&store, args).await,
        InvoicesCommand::Pdf(args) => write_pdf(&store, args).await,
    };
    store.close().await;
    result
}

async fn scope(store: &Store, args: &OwnerArgs) -> anyhow::Result<BusinessScope> {
    let Some(user) = store.user_by_email(&args.owner).await? else {
        bail!("no account has the e-mail address {}", args.owner);
    };
    let business = match args.business {
        Some(id) => BusinessId(id),
        None => {
            let businesses = store.businesses_of(user.id).await?;
            match businesses.as_slice() {
                [only] => only.id,
                [] => bail!("{} has no business", args.owner),
                many => bail!(
                    "{} has {} businesses: choose one with --business",
                    args.owner,
                    many.len()
                ),
            }
        }
    };
    store
        .business_scope(user.id, business)
        .await
        .with_context(|| format!("{} has no business {}", args.owner, business.0))
}

fn date(date: Option<jiff::civil::Date>) -> Value {
    date.map_or(Value::Null, |d| Value::String(d.to_string()))
}

fn summary_json(invoice: &InvoiceSummary) -> Value {
    json!({
        "id": invoice.id.0,
        "kind": invoice.kind.as_str(),
        "number": invoice.number,
        "status": invoice.status.as_str(),
        "client_id": invoice.client.0,
        "issued_on": date(invoice.issued_on),
        "due_on": date(invoice.due_on),
        "total_ttc_cents": invoice.total_ttc.get(),
        "paid_cents": invoice.paid.get(),
        "credited_cents": invoice.credited.get(),
    })
}

async fn list(store: &Store, args: ListArgs) -> anyhow::Result<()> {
    let scope = scope(store, &args.owner).await?;
    let invoices = store.invoices(&scope).await?;
    if args.json {
        let values: Vec<Value> = invoices.iter().map(summary_json).collect();
        return table::print_json(&values);
    }
    let text = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let rows: Vec<Vec<String>> = invoices
        .iter()
        .map(|i| {
            vec![
                i.id.0.to_string(),
                i.number.clone().unwrap_or_else(|| "(draft)".to_owned()),
                i.kind.as_str().to_owned(),
                i.status.as_str().to_owned(),
                text(i.issued_on),
                text(i.due_on),
                i.total_ttc.to_string(),
                i.paid.to_string(),
            ]
        })
        .collect();
    table::print(
        &[
            "ID", "NUMBER", "KIND", "STATUS", "ISSUED", "DUE", "TOTAL", "PAID",
        ],
        &rows,
    );
    Ok(())
}

fn invoice_json(invoice: &Invoice) -> Value {
    let issued = invoice.issued.as_ref();
    let lines: Vec<Value> = invoice
        .lines
        .iter()
        .zip(&invoice.totals.lines)
        .map(|(line, total)| {
            json!({
                "description": line.description,
                "quantity_thousandths": line.quantity.thousandths(),
                "unit_price_cents": line.unit_price.get(),
                "vat_rate": line.vat_rate.fraction(),
                "total_cents": total.get(),
            })
        })
        .collect();
    json!({
        "id": invoice.id.0,
        "kind": invoice.kind.as_str(),
        "number": issued.map(|i| i.number.clone()),
        "status": invoice.status.as_str(),
        "corrects": invoice.corrects.as_ref().map(|(_, c)| c.number.clone()),
        "issued_on": date(issued.map(|i| i.issued_on)),
        "due_on": date(issued.and_then(|i| i.due_on)),
        "lines": lines,
        "total_ht_cents": invoice.totals.total_ht.get(),
        "total_vat_cents": invoice.totals.total_vat.get(),
        "total_ttc_cents": invoice.totals.total_ttc.get(),
        "paid_cents": invoice.paid.get(),
        "credited_cents": invoice.credited.get(),
        "balance_cents": invoice.balance().get(),
        "mentions": invoice
            .mentions()
            .unwrap_or_default()
            .iter()
            .map(|m| m.french())
            .collect::<Vec<_>>(),
    })
}

async fn show(store: &Store, args: ShowArgs) -> anyhow::Result<()> {
    let scope = scope(store, &args.owner).await?;
    let invoice = store
        .invoice(&scope, InvoiceId(args.id))
        .await
        .with_context(|| format!("no invoice {} in this business", args.id))?;
    if args.json {
        return table::print_json(&invoice_json(&invoice));
    }
    match invoice.mentions() {
        Some(mentions) => {
            for mention in mentions {
                println!("{}\n", mention.french());
            }
        }
        None => println!("Draft {} (not issued: no number yet)\n", invoice.id.0),
    }
    let rows: Vec<Vec<String>> = invoice
        .lines
        .iter()
        .zip(&invoice.totals.lines)
        .map(|(line, total)| {
            vec![
                line.description.clone(),
                line.quantity.to_string(),
                line.unit_price.to_string(),
                line.vat_rate.to_string(),
                total.to_string(),
            ]
        })
        .collect();
    table::print(
        &["LINE", "QUANTITY", "UNIT PRICE HT", "VAT", "TOTAL HT"],
        &rows,
    );
    println!(
        "\nStatus: {}; paid {}, credited {}, due {}",
        invoice.status.as_str(),
        invoice.paid,
        invoice.credited,
        invoice.balance()
    );
    Ok(())
}

/// The id of an invoice named by its number or its id.
async fn find(store: &Store, scope: &BusinessScope, named: &str) -> anyhow::Result<InvoiceId> {
    let named = named.trim();
    let invoices = store.invoices(scope).await?;
    if let Some(found) = invoices
        .iter()
        .find(|invoice| invoice.number.as_deref() == Some(named))
    {
        return Ok(found.id);
    }
    match named.parse::<i64>() {
        Ok(id) if invoices.iter().any(|invoice| invoice.id.0 == id) => Ok(InvoiceId(id)),
        _ => bail!("no invoice {named} in this business (see `tribune business invoices list`)"),
    }
}

async fn write_pdf(store: &Store, args: PdfArgs) -> anyhow::Result<()> {
    let scope = scope(store, &args.owner).await?;
    let id = find(store, &scope, &args.invoice).await?;
    let invoice = store
        .invoice(&scope, id)
        .await
        .with_context(|| format!("no invoice {} in this business", args.invoice))?;
    let (Some(document), Some(issued)) = (invoice.document(), invoice.issued.as_ref()) else {
        bail!(
            "invoice {} is a draft: it has no number yet and cannot be sent; issue it first",
            id.0
        );
    };
    let checked = Checked {
        lines: invoice.lines.clone(),
        totals: invoice.totals.clone(),
        due_on: issued.due_on,
    };
    let printable = Issued {
        number: &issued.number,
        document: &document,
        checked: &checked,
    };
    let created = jiff::Timestamp::from_second(issued.issued_at)
        .context("the invoice's issue time is out of range")?;
    let bytes = pdf::render(&printable, args.profile, created)
        .with_context(|| format!("rendering {}", issued.number))?;
    if args.out.as_os_str() == "-" {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&bytes)?;
        stdout.flush()?;
    } else {
        std::fs::write(&args.out, &bytes)
            .with_context(|| format!("writing {}", args.out.display()))?;
        eprintln!(
            "{} written to {} (Factur-X {}, {} bytes)",
            issued.number,
            args.out.display(),
            args.profile.conformance_level(),
            bytes.len()
        );
    }
    Ok(())
}
