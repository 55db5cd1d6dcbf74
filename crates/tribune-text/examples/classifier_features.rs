//! Prints the learned classifiers' features for `label<TAB>lang<TAB>text` lines on stdin
//! (`lang` is `fr`, `en` or `-` to detect), one line each:
//! `label<TAB>space-separated index:value features`. Used by
//! scripts/text/train_classifiers.py so that training sees exactly what the classifier
//! computes.

use std::io::{BufRead, Write};

use tribune_text::classify::{Language, score};

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lines() {
        let line = line?;
        let mut parts = line.splitn(3, '\t');
        let (Some(label), Some(lang), Some(text)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let lang = (lang != "-").then(|| Language::from_code(lang));
        let scored = score(text, lang);
        let list: Vec<String> = scored
            .features
            .iter()
            .map(|(i, v)| format!("{i}:{v:.5}"))
            .collect();
        writeln!(out, "{label}\t{}", list.join(" "))?;
    }
    out.flush()
}
