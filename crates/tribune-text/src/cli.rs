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

/// The grammar at a glance, under `tribune text parse --help` (the full reference is
/// docs/text/QUERY_LANGUAGE.md).
const QUERY_HELP: &str = "\
Query language (operators in capitals; French forms in brackets):
  word                     the word, any case and accents; also finds #word and Acme's
  a b, a AND b [ET]        both
  a OR b [OU]              either
  NOT a, -a [SAUF]         not
  ( ... )                  grouping
  \"exact phrase\"           consecutive words
  \"a b\"~5                  all the words within 5 extra words, any order
  a NEAR/3 b [PRES/3]      at most 3 words between a and b, either order (bare NEAR: 5)
  (a OR b) NEAR/3 (c OR \"d e\")
                           any of a, b within 3 words of any of c, \"d e\"; each side is a
                           word, wildcard, phrase, #tag, @handle or an OR group of them
  NOT a NEAR/3 b, -a NEAR/3 b
                           not (a near b)
  refund*                  words starting with refund (2 characters at least)
  #tag  @handle  😡        that hashtag, mention, emoji
  lang:fr [langue:]        the post's language
  from:handle [de:]        posts by that author
  url:acme.com [site:]     a link to acme.com or a subdomain, in the text or beside it
Precedence, loosest first: OR, AND, NEAR, then NOT/- (which takes a whole NEAR).
Examples:
  tribune text parse '(livraison OR colis) NEAR/3 (retard OR perdu) -lang:en'
  tribune text parse 'quitter NEAR/3 (marqueA OR marqueB)'";

#[derive(Debug, clap::Subcommand)]
enum TextCommand {
    /// Show how a query is understood, or where it is wrong.
    #[command(after_help = QUERY_HELP)]
    Parse {
        /// The query, e.g. 'rembours* AND ("prix abusif" OR arnaque) -lang:en'. It may start
        /// with `-` (`-spam NEAR/3 promo`).
        #[arg(allow_hyphen_values = true)]
        query: String,
        /// Language of error messages (default: from LANG).
        #[arg(long, value_parser = ["fr", "en"])]
        lang_ui: Option<String>,
    },
    /// Match posts (JSON lines with "text", optional "author", "lang" and "urls") on stdin
    /// against queries (`id<TAB>query` per line); prints a JSON array of matching ids per
    /// post. A query line that does not parse is reported on stderr (line, id, column,
    /// reason) and skipped; the others are matched.
    Match {
        #[arg(long)]
        queries: PathBuf,
        /// Stop without matching anything if one query line does not parse (exit status 1).
        #[arg(long)]
        strict: bool,
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
        TextCommand::Match {
            queries,
            strict,
            lang_ui,
        } => {
            let ui = ui_lang(lang_ui.as_deref());
            let text = std::fs::read_to_string(&queries)
                .with_context(|| format!("reading {}", queries.display()))?;
            let source = queries.display().to_string();
            let mut err = std::io::stderr().lock();
            let matcher = load_queries(&text, &source, ui, strict, &mut err)?;
            drop(err);
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

/// A query of a queries file: where it is, for messages, and its id, for the output.
#[derive(Debug)]
struct QueryLine {
    line: usize,
    id: String,
}

/// Compiles a queries file (`id<TAB>query` per line, `#` comments). Each line that does not
/// parse is reported on `err` with its line, id, column and reason; then, unless `strict`,
/// the others are compiled and returned (the same rule as listening's saved searches: see
/// [`crate::compile_saved`]).
fn load_queries(
    text: &str,
    source: &str,
    ui: UiLang,
    strict: bool,
    err: &mut impl Write,
) -> anyhow::Result<Matcher<String>> {
    let mut entries = Vec::new();
    let mut unreadable = 0usize;
    // (line, report), written in line order once the whole file is read.
    let mut problems: Vec<(usize, String)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((id, query)) = line.split_once('\t') else {
            unreadable += 1;
            let report = match ui {
                UiLang::En => format!("{source}:{}: expected id<TAB>query", n + 1),
                UiLang::Fr => format!("{source}:{} : attendu : id<TAB>requête", n + 1),
            };
            problems.push((n + 1, report));
            continue;
        };
        let at = QueryLine {
            line: n + 1,
            id: id.to_owned(),
        };
        entries.push((at, query));
    }
    let total = entries.len() + unreadable;
    // Compiled under their index in `entries`, which gives back line, id and text.
    let compiled = crate::compile_saved(entries.iter().enumerate().map(|(i, (_, q))| (i, *q)));
    for broken in &compiled.broken {
        let Some((QueryLine { line, id }, query)) = entries.get(broken.id) else {
            continue;
        };
        let message = broken.error.message(ui);
        let caret = " ".repeat(broken.error.position);
        let report = match ui {
            UiLang::En => format!("{source}:{line}: query {id}: {message}\n  {query}\n  {caret}^"),
            UiLang::Fr => {
                format!("{source}:{line} : requête {id} : {message}\n  {query}\n  {caret}^")
            }
        };
        problems.push((*line, report));
    }
    problems.sort_by_key(|(line, _)| *line);
    for (_, report) in &problems {
        writeln!(err, "{report}")?;
    }
    let failed = compiled.broken.len() + unreadable;
    if failed > 0 {
        let kept = total - failed;
        if strict {
            bail!(match ui {
                UiLang::En => format!(
                    "{failed} of {total} query lines cannot be used; nothing was matched (--strict)."
                ),
                UiLang::Fr => format!(
                    "{failed} lignes de requête sur {total} sont inutilisables ; rien n'a été \
                     comparé (--strict)."
                ),
            });
        }
        match ui {
            UiLang::En => writeln!(
                err,
                "{failed} of {total} query lines skipped; matching with the other {kept}."
            )?,
            UiLang::Fr => writeln!(
                err,
                "{failed} lignes de requête sur {total} ignorées ; comparaison avec les {kept} \
                 autres."
            )?,
        }
    }
    // The matcher's ids are the file's ids; the line numbers were only for messages.
    Ok(compiled.matcher.map_ids(|i| {
        entries
            .get(i)
            .map(|(at, _)| at.id.clone())
            .unwrap_or_default()
    }))
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
        if let Some(urls) = post.get("urls").filter(|u| !u.is_null()) {
            let urls = urls
                .as_array()
                .and_then(|list| list.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
                .with_context(|| {
                    format!("stdin line {}: \"urls\" is not a list of strings", n + 1)
                })?;
            doc = doc.with_urls(urls);
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

    const QUERIES: &str = "# listening\n\
        refund\trembours* OR refund*\n\
        late\t(livraison OR colis\n\
        no tab here\n\
        scam\tarnaque NEAR/3 (prix OR tarif)\n\
        field\tfoo:bar scam\n";

    fn load(ui: UiLang, strict: bool) -> (anyhow::Result<Matcher<String>>, String) {
        let mut err = Vec::new();
        let m = load_queries(QUERIES, "q.tsv", ui, strict, &mut err);
        (m, String::from_utf8(err).unwrap())
    }

    #[test]
    fn a_query_line_that_does_not_parse_is_reported_and_the_others_match() {
        let (m, err) = load(UiLang::En, false);
        let m = m.unwrap();
        assert_eq!(
            err,
            "q.tsv:3: query late: Column 20: the query ends too early; expected ')' to close \
             the parenthesis.\n  (livraison OR colis\n                     ^\n\
             q.tsv:4: expected id<TAB>query\n\
             q.tsv:6: query field: Column 1: unknown field 'foo:'; known fields are lang:, \
             from:, url:.\n  foo:bar scam\n  ^\n\
             3 of 5 query lines skipped; matching with the other 2.\n"
        );
        let input = "{\"text\":\"Quelle arnaque sur le prix, remboursez-moi\"}\n";
        let mut out = Vec::new();
        match_lines(&m, input.as_bytes(), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[\"refund\",\"scam\"]\n");
    }

    #[test]
    fn broken_query_lines_are_reported_in_french() {
        let (m, err) = load(UiLang::Fr, false);
        assert_eq!(m.unwrap().len(), 2);
        assert!(
            err.contains("q.tsv:6 : requête field : Colonne 1 : champ « foo: » inconnu"),
            "{err}"
        );
        assert!(err.contains("q.tsv:4 : attendu : id<TAB>requête"), "{err}");
        assert!(
            err.ends_with("3 lignes de requête sur 5 ignorées ; comparaison avec les 2 autres.\n"),
            "{err}"
        );
    }

    #[test]
    fn strict_mode_refuses_the_whole_file() {
        let (m, err) = load(UiLang::En, true);
        let e = m.unwrap_err().to_string();
        assert_eq!(
            e,
            "3 of 5 query lines cannot be used; nothing was matched (--strict)."
        );
        assert!(err.contains("q.tsv:3: query late: Column 20"), "{err}");
        let mut err = Vec::new();
        let good = "a\tarnaque\nb\tscam\n";
        let m = load_queries(good, "q.tsv", UiLang::En, true, &mut err).unwrap();
        assert_eq!(m.len(), 2);
        assert!(err.is_empty());
    }

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

    #[test]
    fn match_reads_the_links_beside_the_text() {
        let matcher = Matcher::new([("acme".to_owned(), parse("url:acme.com").unwrap())]);
        let input = "{\"text\":\"promo https://t.co/x1\",\"urls\":[\"https://www.acme.com/p\"]}\n\
                     {\"text\":\"promo https://t.co/x2\",\"urls\":[\"https://evilacme.com/p\"]}\n\
                     {\"text\":\"sans lien\",\"urls\":null}\n";
        let mut out = Vec::new();
        match_lines(&matcher, input.as_bytes(), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[\"acme\"]\n[]\n[]\n");
        let bad = "{\"text\":\"x\",\"urls\":\"https://acme.com\"}\n";
        let e = match_lines(&matcher, bad.as_bytes(), &mut Vec::new()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "stdin line 1: \"urls\" is not a list of strings"
        );
    }
}
