//! Classifier throughput: all four classifiers on short FR/EN posts, one core.
//! `cargo bench -p tribune-text --bench classify`

#[path = "support/corpus.rs"]
#[expect(dead_code, reason = "this bench only needs the posts")]
mod corpus;

use std::hint::black_box;
use std::time::Instant;

fn main() {
    let posts = corpus::posts(100_000, 1_000, 11);
    let start = Instant::now();
    let _ = black_box(tribune_text::classify("warm-up loads the lexicons"));
    println!(
        "lexicon load: {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    let start = Instant::now();
    let mut toxic = 0usize;
    for p in &posts {
        let c = black_box(tribune_text::classify(p));
        toxic += usize::from(c.toxic);
    }
    let t = start.elapsed();
    println!(
        "classify (lang + sentiment + toxicity + spam): {:.0} texts/s ({} posts, {toxic} toxic)",
        posts.len() as f64 / t.as_secs_f64(),
        posts.len()
    );
}
