//! Matcher throughput: 10,000 compiled queries against short FR/EN posts, printed side by side
//! in the same run with Hyperscan's literal prefilter over the same posts and the queries'
//! terms (when `TRIBUNE_HYPERSCAN_PYTHON` names a Python with PyPI `hyperscan`: see
//! scripts/text/bench_vs_hyperscan.sh) and with evaluating each query in turn (the floor);
//! then the memory of 100,000 compiled queries.
//! `cargo bench -p tribune-text --bench matcher`

#[path = "support/corpus.rs"]
mod corpus;

use std::hint::black_box;
use std::io::Write;
use std::time::Instant;

use tribune_text::normalize::fold;
use tribune_text::query::{Atom, Node};
use tribune_text::{Document, Matcher, Query, TokenKind, parse};

/// Target of issue #16, full boolean matching of 10,000 queries on one core.
const TARGET_POSTS_PER_S: f64 = 300_000.0;
/// Target for 100,000 saved queries.
const TARGET_MB_100K: f64 = 200.0;

/// CPU time this thread has run, in nanoseconds (Linux): rates per CPU-second are what "on
/// one core" means, and they do not drop when other work shares the core. `None` elsewhere.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// A timed section: wall and CPU time.
struct Clock {
    wall: Instant,
    cpu: Option<u64>,
}

impl Clock {
    fn start() -> Clock {
        Clock {
            wall: Instant::now(),
            cpu: cpu_ns(),
        }
    }

    /// Items per second of wall time and of CPU time.
    fn rates(&self, items: usize) -> (f64, Option<f64>) {
        let wall = items as f64 / self.wall.elapsed().as_secs_f64();
        let cpu = match (self.cpu, cpu_ns()) {
            (Some(a), Some(b)) if b > a => Some(items as f64 / ((b - a) as f64 / 1e9)),
            _ => None,
        };
        (wall, cpu)
    }
}

fn rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The literal terms of a query, as a literal prefilter would search them.
fn literals(node: &Node, out: &mut Vec<String>) {
    let term = |t: &tribune_text::query::TermPattern| match t.kind {
        TokenKind::Hashtag => format!("#{}", t.text),
        TokenKind::Mention => format!("@{}", t.text),
        TokenKind::Word | TokenKind::Emoji => t.text.clone(),
    };
    let atom = |a: &Atom, out: &mut Vec<String>| match a {
        Atom::Term(t) => out.push(term(t)),
        Atom::Phrase { terms, .. } => out.extend(terms.iter().map(term)),
        Atom::Url(d) | Atom::From(d) => out.push(d.clone()),
        Atom::Lang(_) => {}
    };
    match node {
        Node::Atom(a) => atom(a, out),
        Node::Near { left, right, .. } => {
            for a in left.iter().chain(right) {
                atom(a, out);
            }
        }
        Node::Not(inner) => literals(inner, out),
        Node::And(children) | Node::Or(children) => {
            for c in children {
                literals(c, out);
            }
        }
    }
}

/// Runs the Hyperscan peer on the same posts and terms; its JSON line, or why not.
fn hyperscan(posts: &[String], parsed: &[Query]) -> Result<serde_like::Peer, String> {
    let python = std::env::var("TRIBUNE_HYPERSCAN_PYTHON")
        .map_err(|_| "not run: scripts/text/bench_vs_hyperscan.sh sets it up".to_owned())?;
    let dir = std::env::temp_dir().join(format!("tribune-hyperscan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let posts_path = dir.join("posts.txt");
    let terms_path = dir.join("terms.txt");
    let mut f = std::fs::File::create(&posts_path).map_err(|e| e.to_string())?;
    for p in posts {
        // Folded like tribune folds (the peer is not timed on folding), one post per line.
        writeln!(f, "{}", fold(p).replace('\n', " ")).map_err(|e| e.to_string())?;
    }
    let mut terms: Vec<String> = Vec::new();
    for q in parsed {
        literals(&q.root, &mut terms);
    }
    terms.sort_unstable();
    terms.dedup();
    std::fs::write(&terms_path, terms.join("\n")).map_err(|e| e.to_string())?;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/text/hyperscan_peer.py"
    );
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(&posts_path)
        .arg(&terms_path)
        .output()
        .map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_like::Peer::parse(&String::from_utf8_lossy(&out.stdout))
        .ok_or_else(|| "unreadable peer output".to_owned())
}

/// Just enough JSON reading for the peer's one flat object of numbers (no serde in the
/// bench's dependencies).
mod serde_like {
    pub struct Peer {
        pub terms: f64,
        pub compile_ms: f64,
        pub per_post_rate: f64,
        pub per_post_hits: f64,
        pub one_block_rate: f64,
        pub one_block_hits: f64,
        pub version: String,
    }

    fn field<'a>(json: &'a str, name: &str) -> Option<&'a str> {
        let key = format!("\"{name}\": ");
        let start = json.find(&key)? + key.len();
        let end = json[start..].find([',', '}'])? + start;
        Some(json[start..end].trim().trim_matches('"'))
    }

    impl Peer {
        pub fn parse(json: &str) -> Option<Peer> {
            let num = |n: &str| field(json, n)?.parse::<f64>().ok();
            Some(Peer {
                terms: num("terms")?,
                compile_ms: num("compile_ms")?,
                per_post_rate: num("per_post_rate")?,
                per_post_hits: num("per_post_hits")?,
                one_block_rate: num("one_block_rate")?,
                one_block_hits: num("one_block_hits")?,
                version: field(json, "hyperscan")?.to_owned(),
            })
        }
    }
}

/// (posts per CPU-second, or per second of wall time where CPU time is not available;
/// posts per wall second; matches).
fn matcher_rate(matcher: &Matcher<usize>, posts: &[String]) -> (f64, f64, usize) {
    let clock = Clock::start();
    let mut hits = 0usize;
    let mut out = Vec::new();
    for p in posts {
        let doc = Document::new(p).with_lang("fr");
        matcher.matching_indexes(&doc, &mut out);
        hits += black_box(&out).len();
    }
    let (wall, cpu) = clock.rates(posts.len());
    (cpu.unwrap_or(wall), wall, hits)
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

    // `MATCHER_BENCH_PROFILE=N`: only N passes of the compiled matcher, for a profiler.
    if let Some(passes) = std::env::var("MATCHER_BENCH_PROFILE")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        for _ in 0..passes {
            let (rate, wall, hits) = matcher_rate(&matcher, &posts);
            let clock = Clock::start();
            for p in &posts {
                black_box(Document::new(p).with_lang("fr"));
            }
            let (tw, tc) = clock.rates(posts.len());
            let tokenize = tc.unwrap_or(tw);
            println!(
                "matcher: {rate:.0} posts per CPU-s ({wall:.0} per wall s, {hits} matches); \
                 tokenizing alone: {tokenize:.0}"
            );
        }
        return;
    }

    // Compiled matcher, including tokenizing each post: best of five passes.
    let mut rates = Vec::new();
    let mut walls = Vec::new();
    let mut hits = 0;
    for _ in 0..5 {
        let (rate, wall, h) = matcher_rate(&matcher, &posts);
        rates.push(rate);
        walls.push(wall);
        hits = h;
    }
    let rate = rates.iter().copied().fold(0.0, f64::max);
    let wall_rate = walls.iter().copied().fold(0.0, f64::max);

    // Floor: every query evaluated in turn (posts tokenized once as well).
    let sample = &posts[..500];
    let clock = Clock::start();
    let mut naive_hits = 0usize;
    for p in sample {
        let doc = Document::new(p).with_lang("fr");
        naive_hits += parsed.iter().filter(|q| q.matches(&doc)).count();
    }
    let (naive_wall, naive_cpu) = clock.rates(sample.len());
    let naive_rate = naive_cpu.unwrap_or(naive_wall);
    let sample_hits: usize = sample
        .iter()
        .map(|p| matcher.matches(&Document::new(p).with_lang("fr")).len())
        .sum();
    assert_eq!(sample_hits, naive_hits, "matcher and baseline disagree");

    let peer = hyperscan(&posts, &parsed);

    println!(
        "queries: {n_queries}, posts: {} (mean {mean_len} bytes), one core",
        posts.len()
    );
    println!("compile: {:.1} ms", compile.as_secs_f64() * 1e3);
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "memory of 10,000 compiled queries (RSS delta): {:.1} MB",
            (a.saturating_sub(b)) as f64 / 1024.0
        );
    }
    println!();
    println!(
        "rates are posts per CPU-second of the thread (per wall second where the OS does not \
         say: {})",
        if cpu_ns().is_some() {
            "it does"
        } else {
            "it does not"
        }
    );
    println!("{:<58} {:>12}", "", "posts/s");
    println!(
        "{:<58} {:>12.0}  ({hits} matches; best of {} passes: {}; wall: {wall_rate:.0})",
        "tribune matcher, full boolean (tokenizing included)",
        rate,
        rates.len(),
        rates
            .iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    match &peer {
        Ok(p) => {
            println!(
                "{:<58} {:>12.0}  ({} post-term hits; {} terms, compile {:.0} ms, hyperscan {})",
                "hyperscan literal prefilter, one scan call per post",
                p.per_post_rate,
                p.per_post_hits,
                p.terms,
                p.compile_ms,
                p.version
            );
            println!(
                "{:<58} {:>12.0}  ({} post-term hits)",
                "hyperscan literal prefilter, all posts in one scan call",
                p.one_block_rate,
                p.one_block_hits
            );
        }
        Err(why) => println!("{:<58} {:>12}  ({why})", "hyperscan literal prefilter", "-"),
    }
    println!(
        "{:<58} {:>12.0}  ({naive_hits} matches on {} posts)",
        "each query in turn (floor)",
        naive_rate,
        sample.len()
    );
    println!(
        "target: {TARGET_POSTS_PER_S:.0} posts/s: {}; speed-up over the floor: {:.0}x",
        if rate >= TARGET_POSTS_PER_S {
            "met"
        } else {
            "NOT met"
        },
        rate / naive_rate
    );
    drop(matcher);
    drop(parsed);

    // Memory of 100,000 saved queries, compiled (the parsed trees are dropped as a loader
    // would; RSS does not shrink when memory is freed, so this over-counts).
    let big = corpus::queries(100_000, 43);
    let before = rss_kb();
    let start = Instant::now();
    let compiled = tribune_text::compile_saved(big.iter().enumerate());
    let load = start.elapsed();
    let after = rss_kb();
    assert!(compiled.is_complete());
    if let (Some(b), Some(a)) = (before, after) {
        let mb = (a.saturating_sub(b)) as f64 / 1024.0;
        println!(
            "memory of 100,000 compiled queries (RSS delta, parse + compile): {mb:.1} MB \
             (target < {TARGET_MB_100K:.0} MB: {}), loaded in {:.0} ms",
            if mb < TARGET_MB_100K {
                "met"
            } else {
                "NOT met"
            },
            load.as_secs_f64() * 1e3
        );
    }
    let sample_doc = Document::new(&posts[0]).with_lang("fr");
    black_box(compiled.matcher.matches(&sample_doc));
}
