//! `tribune business …`: the micro-entrepreneur figures from the dated rate table, for scripts
//! and the accountant. No configuration or database: the shipped table, or an edited copy
//! given with `--rates`.
//!
//! The JSON field names are a contract (issue #15, docs/BUSINESS.md): amounts are integer cents,
//! rates are exact decimal fractions (0.256 for 25.6 %).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use jiff::civil::Date;
use serde_json::{Value, json};
use tribune_business::{
    BasisPoints, Category, Cents, Dated, Period, RateTable, Source, calendar, ceilings, estimate,
    parse_date, parse_euros,
};

use crate::table;

#[derive(Args)]
pub struct BusinessArgs {
    #[command(subcommand)]
    command: BusinessCommand,
}

#[derive(Subcommand)]
enum BusinessCommand {
    /// A business's invoices and credit notes (reads the database).
    #[command(subcommand)]
    Invoices(super::business_invoices::InvoicesCommand),
    /// Estimate the social contributions, CFP and versement libératoire of one declaration.
    Estimate(EstimateArgs),
    /// Show the micro ceiling and the VAT franchise thresholds of a year.
    Ceiling(CeilingArgs),
    /// List the declaration deadlines, the CFE and the option deadlines of a year.
    Calendar(CalendarArgs),
    /// Show the whole rate and threshold table with its sources.
    Rates(RatesArgs),
}

#[derive(Args)]
struct TableArgs {
    /// Use this rate table (TOML, same format as the shipped one) instead of the shipped table.
    #[arg(long, value_name = "FILE")]
    rates: Option<PathBuf>,
}

#[derive(Args)]
struct EstimateArgs {
    /// bnc-ssi, bnc-cipav, bic-services or bic-sales.
    #[arg(long)]
    category: Category,
    /// The declaration period: a month YYYY-MM, a quarter YYYY-Qn, or a range of days
    /// YYYY-MM-DD..YYYY-MM-DD for a first declaration. Rates are those in force on its first day.
    #[arg(long)]
    period: Period,
    /// Turnover collected in the period, in euros: 3000, 3000.50 or "3 000,50".
    #[arg(long, value_name = "EUROS", value_parser = parse_euros, allow_hyphen_values = true)]
    turnover: Cents,
    /// Add the versement libératoire of income tax (if you opted for it).
    #[arg(long)]
    versement_liberatoire: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    table: TableArgs,
}

#[derive(Args)]
struct CeilingArgs {
    #[arg(long, value_name = "YYYY")]
    year: i16,
    /// Creation date of the business: in its first year the ceilings are prorated by days.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    created: Option<Date>,
    /// bnc-ssi, bnc-cipav, bic-services or bic-sales.
    #[arg(long)]
    category: Category,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    table: TableArgs,
}

#[derive(Args)]
struct CalendarArgs {
    #[arg(long, value_name = "YYYY")]
    year: i16,
    /// Start date of the activity (it decides the first declaration).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    started: Date,
    /// monthly or quarterly.
    #[arg(long, default_value = "monthly")]
    periodicity: tribune_business::Periodicity,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct RatesArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    table: TableArgs,
}

impl BusinessArgs {
    /// Whether the command reads the database (and so needs the configuration); the figures
    /// from the rate table need neither.
    pub fn uses_database(&self) -> bool {
        matches!(self.command, BusinessCommand::Invoices(_))
    }
}

/// The commands that read the database.
pub async fn run_with_database(
    settings: crate::config::Settings,
    args: BusinessArgs,
) -> anyhow::Result<()> {
    match args.command {
        BusinessCommand::Invoices(command) => {
            super::business_invoices::run(settings, command).await
        }
        command => run(BusinessArgs { command }),
    }
}

pub fn run(args: BusinessArgs) -> anyhow::Result<()> {
    match args.command {
        BusinessCommand::Invoices(_) => {
            anyhow::bail!("`tribune business invoices` needs the database configuration")
        }
        BusinessCommand::Estimate(args) => run_estimate(args),
        BusinessCommand::Ceiling(args) => run_ceiling(args),
        BusinessCommand::Calendar(args) => run_calendar(args),
        BusinessCommand::Rates(args) => run_rates(args),
    }
}

/// The shipped table, or the file given with `--rates`, checked either way.
fn load(args: &TableArgs) -> anyhow::Result<RateTable> {
    match &args.rates {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            RateTable::parse(&text)
                .with_context(|| format!("invalid rate table {}", path.display()))
        }
        None => Ok(RateTable::shipped()?.clone()),
    }
}

/// A rate as a JSON number written exactly (`0.256`): the decimal text goes straight to JSON,
/// never through float arithmetic.
fn rate_json(rate: BasisPoints) -> Value {
    serde_json::from_str(&rate.fraction()).unwrap_or_else(|_| Value::String(rate.fraction()))
}

fn source_json(kind: &str, from: Date, source: &Source) -> Value {
    json!({
        "kind": kind,
        "from": from.to_string(),
        "reference": source.reference,
        "url": source.url,
    })
}

fn run_estimate(args: EstimateArgs) -> anyhow::Result<()> {
    let table = load(&args.table)?;
    let e = estimate(
        &table,
        args.category,
        args.period,
        args.turnover,
        args.versement_liberatoire,
    )?;
    let lines = [
        ("social", Some(&e.social)),
        ("cfp", Some(&e.cfp)),
        ("vl", e.vl.as_ref()),
    ];
    if args.json {
        let sources: Vec<Value> = lines
            .iter()
            .filter_map(|(kind, line)| {
                line.map(|line| source_json(kind, line.rate_from, &line.source))
            })
            .collect();
        let vl_rate = e.vl.as_ref().map_or(BasisPoints::ZERO, |line| line.rate);
        return table::print_json(&json!({
            "period": e.period.to_string(),
            "category": e.category.as_str(),
            "turnover_cents": e.turnover.get(),
            "social_cents": e.social.amount.get(),
            "cfp_cents": e.cfp.amount.get(),
            "vl_cents": e.vl.as_ref().map_or(0, |line| line.amount.get()),
            "total_cents": e.total.get(),
            "social_rate": rate_json(e.social.rate),
            "cfp_rate": rate_json(e.cfp.rate),
            "vl_rate": rate_json(vl_rate),
            "sources": sources,
        }));
    }
    println!(
        "Estimate for {} ({}), rates in force on {}",
        e.period,
        e.category,
        e.period.start()
    );
    let mut rows = vec![vec![
        "Turnover collected".to_owned(),
        String::new(),
        e.turnover.to_string(),
    ]];
    let names = [
        ("social", "Social contributions"),
        ("cfp", "Vocational training (CFP)"),
        ("vl", "Versement libératoire"),
    ];
    for ((kind, line), (_, name)) in lines.iter().zip(names) {
        if let Some(line) = line {
            rows.push(vec![
                name.to_owned(),
                line.rate.to_string(),
                line.amount.to_string(),
            ]);
        } else if *kind == "vl" {
            rows.push(vec![
                format!("{name} (not opted)"),
                "-".to_owned(),
                Cents::ZERO.to_string(),
            ]);
        }
    }
    rows.push(vec!["Total".to_owned(), String::new(), e.total.to_string()]);
    print_aligned(&rows);
    println!("Sources:");
    for (kind, line) in lines {
        if let Some(line) = line {
            println!(
                "  {kind} {} from {}: {}",
                line.rate, line.rate_from, line.source
            );
        }
    }
    Ok(())
}

/// Text rows with the last column right-aligned (amounts), the others left-aligned.
fn print_aligned(rows: &[Vec<String>]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let width = widths.get(c).copied().unwrap_or(0);
                if c + 1 == columns || c == 1 {
                    format!("{cell:>width$}")
                } else {
                    format!("{cell:<width$}")
                }
            })
            .collect();
        println!("  {}", cells.join("  "));
    }
}

fn run_ceiling(args: CeilingArgs) -> anyhow::Result<()> {
    let table = load(&args.table)?;
    let c = ceilings(&table, args.category, args.year, args.created)?;
    if args.json {
        return table::print_json(&json!({
            "year": c.year,
            "ceiling_cents": c.ceiling.get(),
            "vat_franchise_cents": c.vat_franchise.get(),
            "vat_franchise_upper_cents": c.vat_franchise_upper.get(),
            "prorated": c.prorata.is_some(),
        }));
    }
    match (c.prorata, args.created) {
        (Some(prorata), Some(created)) => println!(
            "Ceilings for {} ({}), prorated: created on {created}, {} of {} days",
            c.year, c.category, prorata.days_active, prorata.days_in_year
        ),
        _ => println!("Ceilings for {} ({})", c.year, c.category),
    }
    print_aligned(&[
        vec!["Micro ceiling".to_owned(), c.ceiling.to_string()],
        vec![
            "VAT franchise (previous year's turnover)".to_owned(),
            c.vat_franchise.to_string(),
        ],
        vec![
            "VAT franchise, upper (this year's turnover)".to_owned(),
            c.vat_franchise_upper.to_string(),
        ],
    ]);
    println!("Sources:");
    for source in &c.sources {
        println!("  {source}");
    }
    Ok(())
}

fn run_calendar(args: CalendarArgs) -> anyhow::Result<()> {
    use calendar::ReminderKind;
    let reminders = calendar::reminders(args.periodicity, args.started, args.year);
    if args.json {
        let items: Vec<Value> = reminders
            .iter()
            .map(|r| match r.kind {
                ReminderKind::Declaration(d) => json!({
                    "date": r.date.to_string(),
                    "kind": "declaration",
                    "period": d.covers.to_string(),
                    "first": d.first,
                }),
                ReminderKind::Cfe => json!({"date": r.date.to_string(), "kind": "cfe"}),
                ReminderKind::VersementLiberatoireOption { takes_effect } => json!({
                    "date": r.date.to_string(),
                    "kind": "versement-liberatoire-option",
                    "takes_effect": takes_effect.to_string(),
                }),
            })
            .collect();
        return table::print_json(&items);
    }
    let rows: Vec<Vec<String>> = reminders
        .iter()
        .map(|r| {
            let what = match r.kind {
                ReminderKind::Declaration(d) if d.first => {
                    format!("First turnover declaration, {}", d.covers)
                }
                ReminderKind::Declaration(d) => format!("Turnover declaration, {}", d.covers),
                ReminderKind::Cfe => "CFE (cotisation foncière des entreprises) due".to_owned(),
                ReminderKind::VersementLiberatoireOption { takes_effect } => {
                    format!("Last day to opt for the versement libératoire from {takes_effect}")
                }
            };
            vec![r.date.to_string(), what]
        })
        .collect();
    table::print(&["DATE", "WHAT"], &rows);
    Ok(())
}

fn run_rates(args: RatesArgs) -> anyhow::Result<()> {
    let table = load(&args.table)?;
    if args.json {
        let rates = table.rates().map(|(category, kind, row)| {
            let mut item = dated_json(category, kind.as_str(), row);
            item["rate"] = rate_json(row.value);
            item
        });
        let thresholds = table.thresholds().map(|(category, kind, row)| {
            let mut item = dated_json(category, kind.as_str(), row);
            item["cents"] = json!(row.value.get());
            item
        });
        let items: Vec<Value> = rates.chain(thresholds).collect();
        return table::print_json(&items);
    }
    fn row<T>(category: Category, kind: &str, value: String, row: &Dated<T>) -> Vec<String> {
        vec![
            category.to_string(),
            kind.to_owned(),
            row.from.to_string(),
            row.known_until.map(|d| d.to_string()).unwrap_or_default(),
            value,
            row.source.to_string(),
        ]
    }
    let rows: Vec<Vec<String>> = table
        .rates()
        .map(|(category, kind, r)| row(category, kind.as_str(), r.value.to_string(), r))
        .chain(
            table
                .thresholds()
                .map(|(category, kind, r)| row(category, kind.as_str(), r.value.to_string(), r)),
        )
        .collect();
    table::print(
        &["CATEGORY", "KIND", "FROM", "KNOWN UNTIL", "VALUE", "SOURCE"],
        &rows,
    );
    Ok(())
}

fn dated_json<T>(category: Category, kind: &str, row: &Dated<T>) -> Value {
    json!({
        "category": category.as_str(),
        "kind": kind,
        "from": row.from.to_string(),
        "known_until": row.known_until.map(|d| d.to_string()),
        "reference": row.source.reference,
        "url": row.source.url,
    })
}
