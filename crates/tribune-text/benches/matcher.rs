//! Matcher throughput: 10,000 compiled queries against short FR/EN posts, side by side
//! with evaluating each query in turn on the same posts in the same run.
//! `cargo bench -p tribune-text --bench matcher`

#[path = "support/corpus.rs"]
mod corpus;

use std::hint::black_box;
use std::time::Instant;

use tribune_text::{Document, Matcher, Query, parse};

fn rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let n_queries = 10_000;
    let texts = corpus::queries(n_queries, 42);
    let parsed: Vec<Query> = texts.iter().filter_map(|q| parse(q).ok()).collect();
    assert_eq!(parsed.len(), texts.len(), "every corpus query parses");
    let posts = corpus::posts(50_000, n_queries, 7);
    let mean_len = posts.iter().map(String::len).sum::<usize>() / posts.len();

    let before = rss_kb();
    let start = Instant::now();
    let matcher = Matcher::new(parsed.iter().cloned().enumerate());
    let compile = start.elapsed();
    let after = rss_kb();

    // Compiled matcher, including tokenizing each post.
    let start = Instant::now();
    let mut hits = 0usize;
    for p in &posts {
        let doc = Document::new(p).with_lang("fr");
        hits += black_box(matcher.matches(&doc)).len();
    }
    let matched = start.elapsed();
    let rate = posts.len() as f64 / matched.as_secs_f64();

    // Baseline: every query evaluated in turn (posts tokenized once as well).
    let sample = &posts[..2_000];
    let start = Instant::now();
    let mut naive_hits = 0usize;
    for p in sample {
        let doc = Document::new(p).with_lang("fr");
        naive_hits += parsed.iter().filter(|q| q.matches(&doc)).count();
    }
    let naive = start.elapsed();
    let naive_rate = sample.len() as f64 / naive.as_secs_f64();
    let sample_hits: usize = sample
        .iter()
        .map(|p| matcher.matches(&Document::new(p).with_lang("fr")).len())
        .sum();
    assert_eq!(sample_hits, naive_hits, "matcher and baseline disagree");

    println!(
        "queries: {n_queries}, posts: {} (mean {mean_len} bytes)",
        posts.len()
    );
    println!("compile: {:.1} ms", compile.as_secs_f64() * 1e3);
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "memory for compiled queries (RSS delta): {:.1} MB",
            (a.saturating_sub(b)) as f64 / 1024.0
        );
    }
    println!("matcher: {rate:.0} posts/s ({hits} matches)");
    println!(
        "one query at a time: {naive_rate:.0} posts/s ({naive_hits} matches on {} posts)",
        sample.len()
    );
    println!("speed-up: {:.0}x", rate / naive_rate);
}
