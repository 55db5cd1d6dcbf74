//! The sink's server: counts publish calls per idempotency key, answers at once (the no-op
//! mode of the benchmark) or after a fixed delay (so that a test killing workers catches some
//! in the middle of a call).

use super::{SinkPublish, SinkPublished};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What the sink saw for one key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyCount {
    /// Publish calls with this key (repeats after a crash included).
    pub calls: u64,
    /// Posts made: 1 for every key the sink saw (repeats answer the first post).
    pub created: u64,
    /// Calls that arrived while another call with the same key was still being answered: two
    /// workers publishing the same target at once, which a network without idempotency keys
    /// would have published twice.
    pub overlapping: u64,
    /// When the first call arrived, Unix milliseconds.
    pub first_call_ms: i64,
    #[serde(skip)]
    in_flight: u32,
}

/// Everything the sink saw (`GET /counts`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinkCounts {
    pub calls: u64,
    pub keys: BTreeMap<String, KeyCount>,
}

impl SinkCounts {
    /// Calls beyond the first for their key.
    pub fn repeated_calls(&self) -> u64 {
        self.keys.values().map(|k| k.calls.saturating_sub(1)).sum()
    }

    pub fn overlapping_calls(&self) -> u64 {
        self.keys.values().map(|k| k.overlapping).sum()
    }
}

#[derive(Default)]
struct Counter {
    calls: u64,
    keys: HashMap<String, KeyCount>,
}

struct Shared {
    delay: Duration,
    counter: Mutex<Counter>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Counter> {
        self.counter.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Ends a call's "in flight" state even when the client goes away mid-answer.
struct InFlight<'a> {
    shared: &'a Shared,
    key: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(count) = self.shared.lock().keys.get_mut(&self.key) {
            count.in_flight = count.in_flight.saturating_sub(1);
        }
    }
}

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

async fn publish(
    State(shared): State<Arc<Shared>>,
    Json(body): Json<SinkPublish>,
) -> Json<SinkPublished> {
    let created = {
        let mut counter = shared.lock();
        counter.calls += 1;
        let count = counter.keys.entry(body.key.clone()).or_default();
        count.calls += 1;
        if count.in_flight > 0 {
            count.overlapping += 1;
        }
        count.in_flight += 1;
        let created = count.created == 0;
        if created {
            count.created = 1;
            count.first_call_ms = unix_ms();
        }
        created
    };
    let _in_flight = InFlight {
        shared: &shared,
        key: body.key.clone(),
    };
    if !shared.delay.is_zero() {
        tokio::time::sleep(shared.delay).await;
    }
    Json(SinkPublished {
        id: format!("sink:{}", body.key),
        created,
    })
}

async fn counts(State(shared): State<Arc<Shared>>) -> Json<SinkCounts> {
    let counter = shared.lock();
    Json(SinkCounts {
        calls: counter.calls,
        keys: counter
            .keys
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    })
}

/// A running sink; stops when dropped.
pub struct SinkServer {
    /// `http://127.0.0.1:<port>`, for [`crate::Credentials::Sink`].
    pub url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl SinkServer {
    /// Starts a sink on `addr` (port 0: any free port) that answers after `delay`.
    pub async fn start(addr: SocketAddr, delay: Duration) -> std::io::Result<SinkServer> {
        let shared = Arc::new(Shared {
            delay,
            counter: Mutex::new(Counter::default()),
        });
        let app = Router::new()
            .route("/", get(|| async { "tribune sink" }))
            .route("/publish", post(publish))
            // One sink serves many channels: `<url>/<account>` is another account.
            .route("/{account}", get(|| async { "tribune sink" }))
            .route("/{account}/publish", post(publish))
            .route("/counts", get(counts))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "the sink stopped");
            }
        });
        Ok(SinkServer { url, shared, task })
    }

    /// What the sink saw so far.
    pub fn counts(&self) -> SinkCounts {
        let counter = self.shared.lock();
        SinkCounts {
            calls: counter.calls,
            keys: counter
                .keys
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

impl Drop for SinkServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads the counts of a sink running in another process.
pub async fn fetch_counts(url: &str) -> Result<SinkCounts, reqwest::Error> {
    crate::http::install_tls_provider();
    reqwest::Client::new()
        .get(format!("{}/counts", url.trim_end_matches('/')))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
}
