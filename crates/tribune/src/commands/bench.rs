//! `tribune bench` (hidden, feature `sink`): the pieces `scripts/bench-jobs.sh` puts together
//! to measure the job queue — a counting sink, posts seeded through the store's own code, the
//! check that nothing was lost or duplicated, the plain `SKIP LOCKED` loop that serves as the
//! floor, and the table of results.

use super::open_store;
use super::serve::channel_service;
use crate::config::Settings;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tribune_connectors::Credentials;
use tribune_connectors::sink::server::{SinkServer, fetch_counts};
use tribune_domain::ChannelId;
use tribune_domain::user::UserNew;
use tribune_domain::workspace::WorkspaceInput;
use tribune_store::posts::{Intent, PostNew};
use tribune_store::unix_now;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Run a counting sink until stopped; prints its URL on the first line.
    Sink {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: std::net::SocketAddr,
        /// Answer after this long (0: at once, the no-op sink).
        #[arg(long, default_value_t = 0)]
        delay_ms: u64,
    },
    /// Create a workspace with CHANNELS sink channels and POSTS posts (one target each, channels
    /// taken in turn), scheduled a day ahead so that no worker takes them yet.
    Seed(SeedArgs),
    /// Make every seeded post due at `now + in_secs` (one transaction) and print that time.
    Release {
        #[arg(long, default_value_t = 2)]
        in_secs: i64,
    },
    /// Wait until every target is published (or `timeout_secs`), compare with the sink's
    /// counts, and append the result to FILE as one JSON line.
    Check(CheckArgs),
    /// The floor: JOBS no-op rows in a table of their own, deleted by LOOPS concurrent plain
    /// `DELETE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1)` loops.
    Floor(FloorArgs),
    /// Print the results of FILE as one table, with ratios.
    Table { file: PathBuf },
    /// Fill a new workspace's inbox with ITEMS generated messages through the fetch job's code
    /// and print the ingestion rate, its parts, the workspace and an API token.
    InboxSeed(super::bench_inbox::InboxSeedArgs),
}

#[derive(Args)]
pub struct SeedArgs {
    #[arg(long)]
    posts: u64,
    #[arg(long, default_value_t = 1000)]
    channels: u64,
    #[arg(long)]
    sink: String,
    /// Posts created at once.
    #[arg(long, default_value_t = 8)]
    parallel: u64,
    /// Spread the posts evenly over this month (`2099-03`, UTC) instead of scheduling them all
    /// a day ahead: the calendar benchmark's busy month.
    #[arg(long)]
    month: Option<String>,
}

#[derive(Args)]
pub struct CheckArgs {
    #[arg(long)]
    sink: String,
    /// When the posts were due (printed by `release`).
    #[arg(long)]
    due: i64,
    #[arg(long, default_value_t = 600)]
    timeout_secs: u64,
    #[arg(long)]
    name: String,
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct FloorArgs {
    #[arg(long)]
    jobs: u64,
    #[arg(long, default_value_t = 3)]
    loops: u64,
    #[arg(long)]
    name: String,
    #[arg(long)]
    out: PathBuf,
}

/// One line of the results file (graphile-worker's script writes the same shape).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchResult {
    pub name: String,
    pub jobs: u64,
    /// From the moment the jobs were due to the last one's run.
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub lost: u64,
    pub duplicated: u64,
}

const BENCH_EMAIL: &str = "bench@example.invalid";
const SEED_AHEAD_SECS: i64 = 24 * 3600;

pub async fn run(settings: Settings, command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Sink { listen, delay_ms } => {
            let sink = SinkServer::start(listen, Duration::from_millis(delay_ms)).await?;
            println!("{}", sink.url);
            super::serve::shutdown_signal().await;
            Ok(())
        }
        BenchCommand::Seed(args) => seed(settings, args).await,
        BenchCommand::Release { in_secs } => release(settings, in_secs).await,
        BenchCommand::Check(args) => check(settings, args).await,
        BenchCommand::Floor(args) => floor(settings, args).await,
        BenchCommand::Table { file } => table(&file),
        BenchCommand::InboxSeed(args) => super::bench_inbox::seed(settings, args).await,
    }
}

async fn seed(settings: Settings, args: SeedArgs) -> anyhow::Result<()> {
    if args.channels == 0 || args.parallel == 0 {
        bail!("--channels and --parallel must be at least 1");
    }
    let secrets = settings.secret_box()?;
    let (store, _lock) = open_store(&settings).await?;
    let channels = channel_service(&settings, store.clone(), secrets)?;
    let user = store
        .create_user(
            &UserNew::validate(BENCH_EMAIL, "Bench", "bench password, not a secret")
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
            false,
        )
        .await?;
    let profile = WorkspaceInput {
        name: "Bench".into(),
        ..Default::default()
    }
    .validate()
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let scope = store.create_workspace(user.user_id(), &profile).await?;
    let mut ids = Vec::new();
    for i in 0..args.channels {
        // Each channel its own account on the sink: the same URL would be the same channel.
        let channel = channels
            .connect(
                &scope,
                Credentials::Sink {
                    url: format!("{}/c{i}", args.sink.trim_end_matches('/')),
                },
                unix_now(),
            )
            .await
            .context("cannot connect a sink channel (is TRIBUNE_ALLOW_HTTP_NETWORKS on?)")?;
        ids.push(channel.id);
    }
    let distinct: BTreeSet<ChannelId> = ids.iter().copied().collect();
    if distinct.len() != ids.len() {
        bail!("the sink channels are not distinct");
    }
    let ids = Arc::new(ids);
    let next = Arc::new(AtomicU64::new(0));
    let (due, spread) = match &args.month {
        None => (unix_now() + SEED_AHEAD_SECS, 0),
        Some(month) => month_span(month)?,
    };
    let started = Instant::now();
    // A bulk load from empty tables outruns autovacuum's statistics: PostgreSQL then keeps
    // plans made for empty tables (reading every target of the workspace to find a post's),
    // and each post takes longer to create than the one before. Fresh statistics meanwhile.
    let analyze = if settings.is_sqlite() {
        None
    } else {
        let pool = sqlx::PgPool::connect(&settings.database_url).await?;
        Some(tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(5)).await;
                if let Err(error) = sqlx::query("ANALYZE").execute(&pool).await {
                    eprintln!("cannot refresh the statistics: {error}");
                }
            }
        }))
    };
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..args.parallel {
        let (store, scope, ids, next) = (store.clone(), scope, ids.clone(), next.clone());
        let posts = args.posts;
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= posts {
                    return anyhow::Ok(());
                }
                let channel = ids[(i % ids.len() as u64) as usize];
                store
                    .create_post(
                        &scope,
                        PostNew {
                            text: format!("bench post {i}"),
                            targets: vec![(channel, None)],
                            scheduled_at: Some(due + spread * (i as i64) / posts.max(1) as i64),
                            ..PostNew::default()
                        },
                        Intent::Schedule,
                        unix_now(),
                    )
                    .await?;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    if let Some(analyze) = analyze {
        analyze.abort();
        // And once at the end, as autovacuum would after a load: the channels were all made
        // in the first second, often before the first refresh (then the publisher's read of a
        // batch's channels went through all 1,000 of them).
        let pool = sqlx::PgPool::connect(&settings.database_url).await?;
        sqlx::query("ANALYZE").execute(&pool).await?;
        pool.close().await;
    }
    eprintln!(
        "seeded {} posts on {} sink channels in {:.1} s",
        args.posts,
        args.channels,
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(())
}

/// The first second of `month` (`2099-03`, UTC) and its length in seconds.
fn month_span(month: &str) -> anyhow::Result<(i64, i64)> {
    let first: jiff::civil::Date = format!("{month}-01")
        .parse()
        .with_context(|| format!("--month {month}: expected YYYY-MM"))?;
    let start = first.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp();
    let end = first
        .checked_add(jiff::Span::new().months(1))?
        .to_zoned(jiff::tz::TimeZone::UTC)?
        .timestamp();
    if start.as_second() <= unix_now() {
        bail!("--month {month} is not in the future");
    }
    Ok((start.as_second(), end.as_second() - start.as_second()))
}

fn pg_url(settings: &Settings) -> anyhow::Result<&str> {
    if settings.is_sqlite() {
        bail!("the job benchmark runs on PostgreSQL: set TRIBUNE_DATABASE_URL");
    }
    Ok(&settings.database_url)
}

async fn release(settings: Settings, in_secs: i64) -> anyhow::Result<()> {
    let pool = sqlx::PgPool::connect(pg_url(&settings)?).await?;
    let due = unix_now() + in_secs;
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE posts SET scheduled_at = $1")
        .bind(due)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE jobs SET run_at = $1 WHERE kind = 'publish'")
        .bind(due)
        .execute(&mut *tx)
        .await?;
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(tribune_store::jobs::NOTIFY_CHANNEL)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    // Rewriting every job's time in one statement is the benchmark's own doing, not a queue's:
    // left alone, the planner would keep the statistics of a queue with nothing due for a day.
    // The graphile-worker side does the same (scripts/bench-jobs/graphile.js).
    sqlx::query("ANALYZE jobs").execute(&pool).await?;
    pool.close().await;
    println!("{due}");
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn append(out: &PathBuf, result: &BenchResult) -> anyhow::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
        .with_context(|| format!("cannot write {}", out.display()))?;
    writeln!(file, "{}", serde_json::to_string(result)?)?;
    Ok(())
}

async fn check(settings: Settings, args: CheckArgs) -> anyhow::Result<()> {
    let pool = sqlx::PgPool::connect(pg_url(&settings)?).await?;
    let deadline = Instant::now() + Duration::from_secs(args.timeout_secs);
    let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM post_targets")
        .fetch_one(&pool)
        .await?;
    loop {
        let (open,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM post_targets WHERE status IN ('scheduled', 'publishing')",
        )
        .fetch_one(&pool)
        .await?;
        if open == 0 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let keys: Vec<(String, String)> =
        sqlx::query_as("SELECT idempotency_key, status FROM post_targets")
            .fetch_all(&pool)
            .await?;
    pool.close().await;
    let counts = fetch_counts(&args.sink).await?;
    let published: BTreeSet<&str> = keys
        .iter()
        .filter(|(_, status)| status == "published")
        .map(|(key, _)| key.as_str())
        .collect();
    let mut lost = 0;
    for (key, _) in &keys {
        if !published.contains(key.as_str()) || !counts.keys.contains_key(key) {
            lost += 1;
        }
    }
    // Without kills, any call beyond the first for a key is a duplicate publish.
    let duplicated = counts.repeated_calls()
        + counts
            .keys
            .values()
            .map(|k| k.created.saturating_sub(1))
            .sum::<u64>()
        + counts
            .keys
            .keys()
            .filter(|k| !keys.iter().any(|(key, _)| key == *k))
            .count() as u64;
    let due_ms = args.due * 1000;
    let mut lateness: Vec<f64> = counts
        .keys
        .values()
        .map(|k| (k.first_call_ms - due_ms) as f64)
        .collect();
    lateness.sort_by(f64::total_cmp);
    let last = lateness.last().copied().unwrap_or(0.0);
    let result = BenchResult {
        name: args.name,
        jobs: u64::try_from(total).unwrap_or(0),
        seconds: last / 1000.0,
        p50_ms: percentile(&lateness, 50.0),
        p99_ms: percentile(&lateness, 99.0),
        max_ms: last,
        lost,
        duplicated,
    };
    append(&args.out, &result)?;
    eprintln!("{result:?}");
    if lost > 0 || duplicated > 0 {
        bail!("{lost} lost, {duplicated} duplicated");
    }
    Ok(())
}

async fn floor(settings: Settings, args: FloorArgs) -> anyhow::Result<()> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(u32::try_from(args.loops).unwrap_or(3) + 1)
        .connect(pg_url(&settings)?)
        .await?;
    sqlx::raw_sql(
        "DROP TABLE IF EXISTS bench_floor; \
         CREATE TABLE bench_floor (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
         run_at BIGINT NOT NULL, payload TEXT NOT NULL); \
         CREATE INDEX bench_floor_run_at ON bench_floor (run_at, id);",
    )
    .execute(&pool)
    .await?;
    let now_ms = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    };
    let due_ms = (unix_now() + 2) * 1000;
    sqlx::query(
        "INSERT INTO bench_floor (run_at, payload) \
         SELECT $1, '{}' FROM generate_series(1, $2)",
    )
    .bind(due_ms)
    .bind(i64::try_from(args.jobs).unwrap_or(i64::MAX))
    .execute(&pool)
    .await?;
    let mut loops = tokio::task::JoinSet::new();
    for _ in 0..args.loops {
        let pool = pool.clone();
        loops.spawn(async move {
            let mut lateness = Vec::new();
            loop {
                let now = now_ms();
                let row: Option<(i64,)> = sqlx::query_as(
                    "DELETE FROM bench_floor WHERE id = (SELECT id FROM bench_floor \
                     WHERE run_at <= $1 ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
                     RETURNING run_at",
                )
                .bind(now)
                .fetch_optional(&pool)
                .await?;
                match row {
                    Some((run_at,)) => lateness.push((now_ms() - run_at) as f64),
                    None if now < due_ms => tokio::time::sleep(Duration::from_millis(5)).await,
                    None => {
                        let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM bench_floor")
                            .fetch_one(&pool)
                            .await?;
                        if left == 0 {
                            return anyhow::Ok(lateness);
                        }
                    }
                }
            }
        });
    }
    let mut lateness = Vec::new();
    while let Some(done) = loops.join_next().await {
        lateness.extend(done??);
    }
    sqlx::raw_sql("DROP TABLE bench_floor")
        .execute(&pool)
        .await?;
    pool.close().await;
    lateness.sort_by(f64::total_cmp);
    let last = lateness.last().copied().unwrap_or(0.0);
    let jobs = lateness.len() as u64;
    let result = BenchResult {
        name: args.name,
        jobs,
        seconds: last / 1000.0,
        p50_ms: percentile(&lateness, 50.0),
        p99_ms: percentile(&lateness, 99.0),
        max_ms: last,
        lost: args.jobs.saturating_sub(jobs),
        duplicated: jobs.saturating_sub(args.jobs),
    };
    append(&args.out, &result)?;
    eprintln!("{result:?}");
    Ok(())
}

fn table(file: &PathBuf) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let results: Vec<BenchResult> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let rate = |r: &BenchResult| {
        if r.seconds > 0.0 {
            r.jobs as f64 / r.seconds
        } else {
            0.0
        }
    };
    let reference = |prefix: &str| {
        results
            .iter()
            .find(|r| r.name.starts_with(prefix))
            .map(rate)
            .filter(|r| *r > 0.0)
    };
    let (graphile, floor) = (reference("graphile-worker"), reference("floor"));
    let ratio =
        |r: f64, of: Option<f64>| of.map_or("–".to_owned(), |of| format!("{:.2}×", r / of));
    println!(
        "| run | jobs | jobs/s | p50 lateness | p99 lateness | lost | duplicated | vs graphile-worker | vs floor |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &results {
        let jobs_per_s = rate(r);
        println!(
            "| {} | {} | {:.0} | {:.0} ms | {:.0} ms | {} | {} | {} | {} |",
            r.name,
            r.jobs,
            jobs_per_s,
            r.p50_ms,
            r.p99_ms,
            r.lost,
            r.duplicated,
            ratio(jobs_per_s, graphile),
            ratio(jobs_per_s, floor),
        );
    }
    Ok(())
}
