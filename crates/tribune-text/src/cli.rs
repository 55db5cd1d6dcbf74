//! `tribune text …`: the query language, the matcher and the classifiers by hand.
//!
//! Everything streams line by line through buffered stdin/stdout, so files of any size
//! work. Output formats are a contract that scripts rely on (see docs/text/).

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::classify::{Classification, Language, classify_with_lang};
use crate::eval::{EvalOptions, Report, Task, evaluate};
use crate::{Document, Matcher, UiLang, parse};

/// Arguments of `tribune text`.
#[derive(Debug, clap::Args)]
pub struct TextArgs {
    #[command(subcommand)]
    command: TextCommand,
}

#[derive(Debug, clap::Subcommand)]
enum TextCommand {
    /// Show how a query is understood, or where it is wrong.
    Parse {
        /// The query, e.g. 'rembours* AND ("prix abusif" OR arnaque) -lang:en'.
        query: String,
        /// Language of error messages (default: from LANG).
        #[arg(long, value_parser = ["fr", "en"])]
        lang_ui: Option<String>,
    },
    /// Match posts (JSON lines with "text", optional "author" and "lang") on stdin against
    /// queries (`id<TAB>query` per line); prints a JSON array of matching ids per post.
    Match {
        #[arg(long)]
        queries: PathBuf,
        #[arg(long, value_parser = ["fr", "en"])]
        lang_ui: Option<String>,
    },
    /// Classify one text per stdin line (language, sentiment, toxicity, spam).
    Classify {
        /// One JSON object per line instead of tab-separated columns.
        #[arg(long)]
        json: bool,
    },
    /// Score a classifier on a labelled TSV file (`label<TAB>text`).
    Eval {
        #[arg(long, value_parser = ["sentiment", "toxicity", "spam"])]
        task: String,
        /// Language of the file (detected per line when absent).
        #[arg(long, value_parser = ["fr", "en"])]
        lang: Option<String>,
        /// Sentiment: decide between neg and pos only.
        #[arg(long)]
        binary: bool,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        file: PathBuf,
    },
}

fn ui_lang(flag: Option<&str>) -> UiLang {
    match flag {
        Some(tag) => UiLang::from_tag(tag),
        None => std::env::var("LANG")
            .map(|l| UiLang::from_tag(&l))
            .unwrap_or_default(),
    }
}

/// Runs a `tribune text` subcommand.
pub fn run(args: TextArgs) -> anyhow::Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    match args.command {
        TextCommand::Parse { query, lang_ui } => match parse(&query) {
            Ok(q) => {
                writeln!(out, "{q}")?;
                write!(out, "{}", q.tree())?;
            }
            Err(e) => {
                let ui = ui_lang(lang_ui.as_deref());
                bail!("{}\n{query}\n{}^", e.message(ui), " ".repeat(e.position));
            }
        },
        TextCommand::Match { queries, lang_ui } => {
            let matcher = load_queries(&queries, ui_lang(lang_ui.as_deref()))?;
            match_lines(&matcher, stdin, &mut out)?;
        }
        TextCommand::Classify { json } => {
            for line in stdin.lines() {
                let line = line?;
                let c = classify_with_lang(&line, None);
                if json {
                    writeln!(out, "{}", classification_json(&c))?;
                } else {
                    writeln!(
                        out,
                        "{}\t{}\t{:.3}\t{}\t{}",
                        c.lang.code(),
                        c.sentiment.label.code(),
                        c.sentiment.score,
                        if c.toxic { "toxic" } else { "ok" },
                        if c.is_spam { "spam" } else { "ham" },
                    )?;
                }
            }
        }
        TextCommand::Eval {
            task,
            lang,
            binary,
            json,
            file,
        } => {
            let task = match task.as_str() {
                "sentiment" => Task::Sentiment,
                "toxicity" => Task::Toxicity,
                _ => Task::Spam,
            };
            let opts = EvalOptions {
                task,
                lang: lang.as_deref().map(Language::from_code),
                binary,
            };
            let reader = std::io::BufReader::new(
                std::fs::File::open(&file)
                    .with_context(|| format!("opening {}", file.display()))?,
            );
            let report = evaluate(reader, &opts)?;
            if json {
                writeln!(out, "{}", report_json(&report, &opts, lang.as_deref()))?;
            } else {
                write_report(&mut out, &report, &opts)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn load_queries(path: &PathBuf, ui: UiLang) -> anyhow::Result<Matcher<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut builder = crate::MatcherBuilder::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((id, query)) = line.split_once('\t') else {
            bail!("{}:{}: expected id<TAB>query", path.display(), n + 1);
        };
        let q = parse(query).map_err(|e| {
            anyhow::anyhow!(
                "{}:{}: query {id}: {}",
                path.display(),
                n + 1,
                e.message(ui)
            )
        })?;
        builder.add(id.to_owned(), &q);
    }
    Ok(builder.build())
}

fn match_lines(
    matcher: &Matcher<String>,
    input: impl BufRead,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let post: Value = serde_json::from_str(&line)
            .with_context(|| format!("stdin line {}: not JSON", n + 1))?;
        let text = post.get("text").and_then(Value::as_str).unwrap_or("");
        let mut doc = Document::new(text);
        if let Some(a) = post.get("author").and_then(Value::as_str) {
            doc = doc.with_author(a);
        }
        if let Some(l) = post.get("lang").and_then(Value::as_str) {
            doc = doc.with_lang(l);
        }
        let ids = matcher.matches(&doc);
        writeln!(out, "{}", serde_json::to_string(&ids)?)?;
    }
    Ok(())
}

/// The `classify --json` line.
pub fn classification_json(c: &Classification) -> Value {
    json!({
        "lang": c.lang.code(),
        "sentiment": c.sentiment.label.code(),
        "sentiment_score": round3(c.sentiment.score),
        "toxicity": round3(c.toxicity),
        "toxic": c.toxic,
        "spam": round3(c.spam),
        "is_spam": c.is_spam,
    })
}

fn round3(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

fn report_json(r: &Report, opts: &EvalOptions, lang: Option<&str>) -> Value {
    let labels: serde_json::Map<String, Value> = r
        .labels
        .iter()
        .map(|(k, s)| {
            (
                k.clone(),
                json!({
                    "support": s.support,
                    "predicted": s.predicted,
                    "precision": s.precision,
                    "recall": s.recall,
                    "f1": s.f1,
                }),
            )
        })
        .collect();
    json!({
        "task": opts.task.name(),
        "lang": lang,
        "binary": opts.binary,
        "n": r.n,
        "accuracy": r.accuracy,
        "macro_f1": r.macro_f1,
        "labels": labels,
        "confusion": r.confusion,
        "skipped": r.skipped,
    })
}

fn write_report(out: &mut impl Write, r: &Report, opts: &EvalOptions) -> std::io::Result<()> {
    writeln!(
        out,
        "task {}  n {}  accuracy {:.3}  macro-F1 {:.3}",
        opts.task.name(),
        r.n,
        r.accuracy,
        r.macro_f1
    )?;
    for (label, s) in &r.labels {
        writeln!(
            out,
            "  {label:<6} support {:>5}  predicted {:>5}  P {:.3}  R {:.3}  F1 {:.3}",
            s.support, s.predicted, s.precision, s.recall, s.f1
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_prints_one_array_per_post() {
        let matcher = Matcher::new([
            ("a".to_owned(), parse("arnaque").unwrap()),
            ("b".to_owned(), parse("from:bob").unwrap()),
        ]);
        let input = "{\"text\":\"Quelle arnaque\",\"author\":\"@bob\"}\n{\"text\":\"rien\"}\n";
        let mut out = Vec::new();
        match_lines(&matcher, input.as_bytes(), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[\"a\",\"b\"]\n[]\n");
    }
}
