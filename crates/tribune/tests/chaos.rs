//! Killing a worker with `kill -9` at any moment loses no post and duplicates none: real
//! `tribune worker` processes on PostgreSQL, three at a time, one of them killed and restarted
//! every few hundred milliseconds until every target is published, against the local Bluesky
//! network (a fresh account on the dev PDS) and a counting sink.
//!
//! Skipped with a message without the peers' environment or PostgreSQL, except with `CI=true`,
//! where that is a failure.
#![cfg(feature = "sink")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed step must fail the test"
)]

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tribune_channels::ChannelService;
use tribune_connectors::Credentials;
use tribune_connectors::http::{HttpClient, HttpConfig};
use tribune_connectors::sink::server::SinkServer;
use tribune_connectors::testing::{bluesky_account, peer};
use tribune_domain::publishing::TargetStatus;
use tribune_domain::security::secret_box::SecretBox;
use tribune_domain::user::UserNew;
use tribune_domain::workspace::WorkspaceInput;
use tribune_store::posts::{Intent, PostNew};
use tribune_store::testing::TestDb;
use tribune_store::{Store, unix_now};

const BIN: &str = env!("CARGO_BIN_EXE_tribune");
const POSTS: usize = 60;
const WORKERS: usize = 3;
/// Short leases so that a killed worker's jobs and attempts come back within seconds.
const LEASE_SECS: &str = "2";
const ATTEMPT_LEASE_SECS: &str = "2";
const DEADLINE: Duration = Duration::from_secs(100);

/// A small xorshift generator, seeded from the clock: which worker dies and when.
struct Dice(u64);

impl Dice {
    fn new() -> Dice {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        eprintln!("chaos seed: {seed}");
        Dice(seed | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

struct Workers {
    database_url: String,
    key: String,
    data_dir: PathBuf,
    children: Vec<Child>,
    started: usize,
}

impl Workers {
    fn spawn(&mut self) -> Child {
        self.started += 1;
        let log = std::fs::File::create(self.data_dir.join(format!("worker-{}.log", self.started)))
            .unwrap();
        Command::new(BIN)
            .args(["worker", "--concurrency", "4"])
            .arg("--data-dir")
            .arg(&self.data_dir)
            .env("TRIBUNE_DATABASE_URL", &self.database_url)
            .env("TRIBUNE_SECRET_KEY", &self.key)
            .env("TRIBUNE_ALLOW_HTTP_NETWORKS", "true")
            .env("TRIBUNE_JOBS_LEASE_SECS", LEASE_SECS)
            .env("TRIBUNE_JOBS_ATTEMPT_LEASE_SECS", ATTEMPT_LEASE_SECS)
            .env("TRIBUNE_JOBS_POLL_MS", "200")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap()
    }

    /// `kill -9` (SIGKILL: no shutdown, no cleanup) of worker `i`, and a new one in its place.
    fn kill_and_restart(&mut self, i: usize) {
        let child = &mut self.children[i];
        child.kill().unwrap();
        child.wait().unwrap();
        self.children[i] = self.spawn();
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

async fn target_statuses(pool: &sqlx::PgPool) -> BTreeMap<String, i64> {
    sqlx::query_as::<_, (String, i64)>("SELECT status, COUNT(*) FROM post_targets GROUP BY status")
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// Every record of the account's repository whose text contains `nonce`, by text.
async fn bluesky_records(pds: &str, did: &str, nonce: &str) -> BTreeMap<String, usize> {
    let http = reqwest::Client::new();
    let mut texts = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = vec![
            ("repo", did.to_owned()),
            ("collection", "app.bsky.feed.post".to_owned()),
            ("limit", "100".to_owned()),
        ];
        if let Some(cursor) = &cursor {
            query.push(("cursor", cursor.clone()));
        }
        let page: Value = http
            .get(format!("{pds}/xrpc/com.atproto.repo.listRecords"))
            .query(&query)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let records = page["records"].as_array().unwrap();
        for record in records {
            let text = record["value"]["text"].as_str().unwrap_or_default();
            if text.contains(nonce) {
                *texts.entry(text.to_owned()).or_insert(0) += 1;
            }
        }
        match page["cursor"].as_str() {
            Some(next) if !records.is_empty() => cursor = Some(next.to_owned()),
            _ => return texts,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_workers_at_any_moment_loses_no_post_and_duplicates_none() {
    let (Some(pds), Some(control)) = (
        peer("TRIBUNE_TEST_BSKY_PDS"),
        peer("TRIBUNE_TEST_BSKY_CONTROL"),
    ) else {
        return;
    };
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    tribune_connectors::http::install_tls_provider();
    let store = Store::open(&db.url).await.unwrap();
    let key = SecretBox::generate_key();
    let http = HttpClient::new(HttpConfig {
        allow_http: true,
        ..HttpConfig::default()
    })
    .unwrap();
    let channels = ChannelService::new(
        store.clone(),
        SecretBox::from_base64_key(&key).unwrap(),
        http,
        std::sync::Arc::new(tribune_connectors::build),
    );
    let user = store
        .create_user(
            &UserNew::validate("chaos@example.fr", "Chaos", "correct horse battery").unwrap(),
            false,
        )
        .await
        .unwrap();
    let profile = WorkspaceInput {
        name: "Chaos".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let scope = store
        .create_workspace(user.user_id(), &profile)
        .await
        .unwrap();

    // A sink that takes 20 ms to answer, so that some kills land in the middle of a call.
    let sink = SinkServer::start("127.0.0.1:0".parse().unwrap(), Duration::from_millis(20))
        .await
        .unwrap();
    let (handle, app_password) = bluesky_account(&pds, &control, "chaos").await;
    let bluesky = channels
        .connect(
            &scope,
            Credentials::Bluesky {
                service: pds.clone(),
                identifier: handle,
                app_password: tribune_connectors::Secret(app_password),
                session: None,
            },
            unix_now(),
        )
        .await
        .unwrap();
    let sink_channel = channels
        .connect(
            &scope,
            Credentials::Sink {
                url: sink.url.clone(),
            },
            unix_now(),
        )
        .await
        .unwrap();

    let nonce = format!("chaos-{}", unix_now());
    let mut posts = Vec::new();
    for i in 0..POSTS {
        let post = store
            .create_post(
                &scope,
                PostNew {
                    text: format!("Post {i} of {nonce}"),
                    targets: vec![(bluesky.id, None), (sink_channel.id, None)],
                    ..PostNew::default()
                },
                Intent::Schedule,
                unix_now(),
            )
            .await
            .unwrap();
        posts.push(post.id);
    }
    let targets = POSTS as i64 * 2;

    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let data_dir = std::env::temp_dir().join(format!("tribune-chaos-{}", std::process::id()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let mut workers = Workers {
        database_url: db.url.clone(),
        key,
        data_dir,
        children: Vec::new(),
        started: 0,
    };
    for _ in 0..WORKERS {
        let child = workers.spawn();
        workers.children.push(child);
    }

    let mut dice = Dice::new();
    let started = Instant::now();
    let mut kills = 0u32;
    loop {
        let statuses = target_statuses(&pool).await;
        let published = statuses.get("published").copied().unwrap_or(0);
        if published == targets || started.elapsed() > DEADLINE {
            eprintln!(
                "after {:.1} s and {kills} kills: {statuses:?}",
                started.elapsed().as_secs_f64()
            );
            break;
        }
        assert_eq!(
            statuses.get("failed"),
            None,
            "a target failed: {statuses:?}"
        );
        // The pace of the chaos, not a wait for an outcome: 150 to 600 ms between kills.
        tokio::time::sleep(Duration::from_millis(150 + dice.below(450))).await;
        let victim = dice.below(WORKERS as u64) as usize;
        workers.kill_and_restart(victim);
        kills += 1;
    }
    drop(workers);

    // Every target published, none failed, each with the network's reference.
    let mut sink_keys = BTreeSet::new();
    for id in &posts {
        let post = store.post(&scope, *id).await.unwrap();
        for target in &post.targets {
            assert_eq!(
                target.status,
                TargetStatus::Published,
                "post {} on channel {}: {target:?}",
                id.0,
                target.channel_id.0
            );
            assert!(target.remote_ref.is_some(), "{target:?}");
            if target.channel_id == sink_channel.id {
                assert_eq!(
                    target.remote_ref.as_deref(),
                    Some(format!("sink:{}", target.idempotency_key).as_str())
                );
                sink_keys.insert(target.idempotency_key.clone());
            }
        }
    }

    // The sink made exactly one post per key, for exactly these keys; every repeated call is
    // explained by a kill, and no two calls for one key were ever in flight together.
    let counts = sink.counts();
    let (resumed,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM post_events WHERE action = 'attempt_resumed'")
            .fetch_one(&pool)
            .await
            .unwrap();
    eprintln!("{resumed} interrupted attempts were resumed by another worker");
    eprintln!(
        "sink: {} calls for {} keys ({} repeated after a kill, {} overlapping), {kills} kills, \
         {} worker processes",
        counts.calls,
        counts.keys.len(),
        counts.repeated_calls(),
        counts.overlapping_calls(),
        kills as usize + WORKERS,
    );
    assert_eq!(
        counts.keys.keys().cloned().collect::<BTreeSet<_>>(),
        sink_keys,
        "the sink saw other keys than the targets'"
    );
    for (key, count) in &counts.keys {
        assert_eq!(count.created, 1, "{key}: {count:?}");
    }
    assert_eq!(
        counts.overlapping_calls(),
        0,
        "two calls for one key at once"
    );
    assert!(
        counts.repeated_calls() <= u64::from(kills),
        "more repeated calls ({}) than kills ({kills})",
        counts.repeated_calls()
    );

    // The Bluesky repository holds exactly one record per post.
    let did = store
        .channel(&scope, bluesky.id)
        .await
        .unwrap()
        .remote_id
        .clone();
    let records = bluesky_records(&pds, &did, &nonce).await;
    assert_eq!(
        records.len(),
        POSTS,
        "posts missing on Bluesky: {records:?}"
    );
    for (text, n) in &records {
        assert_eq!(*n, 1, "{text} is on Bluesky {n} times");
    }
    let _ = pool.close().await;
}
