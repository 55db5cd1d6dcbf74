//! Prints the English sentiment model's features for `label<TAB>text` lines on stdin, one
//! line each: `label<TAB>lexicon score<TAB>space-separated index:value features`.
//! Used by scripts/text/train_sentiment_en.py so that training sees exactly what the
//! classifier computes: `cargo run --release -p tribune-text --example sentiment_features
//! -- 22 < train.tsv > features.txt`.

use std::io::{BufRead, Write};

use tribune_text::classify::{linear, prepare};
use tribune_text::tokenize::tokenize;

fn main() -> std::io::Result<()> {
    let bits: u32 = std::env::args()
        .nth(1)
        .and_then(|b| b.parse().ok())
        .unwrap_or(22);
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut features = Vec::new();
    for line in stdin.lines() {
        let line = line?;
        let Some((label, text)) = line.split_once('\t') else {
            continue;
        };
        let tokens = tokenize(&prepare::deobfuscate(text));
        let irony = text.trim_end().ends_with("/s");
        let lexicon = linear::mean_lexicon_score(&tokens, irony);
        linear::weighted_features(&tokens, bits, &mut features);
        let list: Vec<String> = features
            .iter()
            .map(|(i, v)| format!("{i}:{v:.6}"))
            .collect();
        writeln!(out, "{label}\t{lexicon:.5}\t{}", list.join(" "))?;
    }
    out.flush()
}
