//! The runner's lease: a job that runs longer than its lease keeps it while its worker lives,
//! so no second worker runs it meanwhile; once done it is deleted. Jobs claimed ahead are held
//! the same way, and given back when the worker stops.
#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed step must fail the test"
)]

use async_trait::async_trait;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tribune_jobs::{Handler, Outcome, Runner, RunnerConfig};
use tribune_store::jobs::{Job, JobNew, OnDuplicate};
use tribune_store::testing::each_backend;
use tribune_store::unix_now;

/// A job that takes 3.5 s: longer than three 1-second leases.
struct Slow {
    runs: Arc<AtomicUsize>,
}

#[async_trait]
impl Handler for Slow {
    fn kind(&self) -> &'static str {
        "slow"
    }

    async fn run(&self, _job: &Job) -> Outcome {
        self.runs.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(3500)).await;
        Outcome::Done
    }
}

/// Leases of 1 s, a quick poll.
fn config(name: &str) -> RunnerConfig {
    let mut config = RunnerConfig::new(name);
    config.lease_secs = 1;
    config.poll = Duration::from_millis(100);
    config
}

fn runner(store: &tribune_store::Store, name: &str, runs: &Arc<AtomicUsize>) -> Runner {
    let handlers: Vec<Arc<dyn Handler>> = vec![Arc::new(Slow { runs: runs.clone() })];
    Runner::new(store.clone(), config(name), handlers)
}

/// A slow job due now.
async fn enqueue_slow(store: &tribune_store::Store, key: &str) {
    let job = JobNew {
        kind: "slow",
        workspace: None,
        payload: serde_json::json!({}),
        dedup_key: Some(key.into()),
        run_at: unix_now(),
    };
    store
        .enqueue(&job, OnDuplicate::Keep, unix_now())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_longer_than_its_lease_keeps_it_while_its_worker_runs_it() {
    each_backend(|store, backend| async move {
        enqueue_slow(&store, "slow:1").await;
        let runs = Arc::new(AtomicUsize::new(0));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let first = tokio::spawn(runner(&store, "first", &runs).run(async {
            stopped.await.ok();
        }));
        while runs.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Another worker keeps looking while the first one runs the job.
        let second = runner(&store, "second", &runs);
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_millis(150)).await;
            second.run_pass().await.unwrap();
        }
        stop.send(()).unwrap();
        first.await.unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 1, "{backend}: run twice");
        assert!(
            store.job_by_key("slow:1").await.unwrap().is_none(),
            "{backend}: the finished job is deleted"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_claimed_ahead_keep_their_lease_and_go_back_unspent_at_shutdown() {
    each_backend(|store, backend| async move {
        for n in 1..=3 {
            enqueue_slow(&store, &format!("ahead:{n}")).await;
        }
        let runs = Arc::new(AtomicUsize::new(0));
        let first = {
            let mut config = config("first");
            config.concurrency = 1;
            config.prefetch = 2;
            let handlers: Vec<Arc<dyn Handler>> = vec![Arc::new(Slow { runs: runs.clone() })];
            Runner::new(store.clone(), config, handlers)
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let first = tokio::spawn(first.run(async {
            stopped.await.ok();
        }));
        while runs.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // One job runs, two wait in the first worker's hands, leased past their first lease.
        let second = runner(&store, "second", &runs);
        for _ in 0..12 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let pass = second.run_pass().await.unwrap();
            assert_eq!(pass.claimed, 0, "{backend}: a job claimed ahead was taken");
        }
        stop.send(()).unwrap();
        first.await.unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 1, "{backend}");
        let mut left = 0;
        for n in 1..=3 {
            if let Some(job) = store.job_by_key(&format!("ahead:{n}")).await.unwrap() {
                left += 1;
                assert_eq!(job.locked_by, None, "{backend}: given back");
                assert_eq!(job.attempts, 0, "{backend}: not counted as an attempt");
                assert!(job.run_at <= unix_now(), "{backend}: due at once");
            }
        }
        assert_eq!(
            left, 2,
            "{backend}: the two jobs claimed ahead are back in the queue"
        );
    })
    .await;
}

/// Jobs that wait for the test to open a gate (`"hold": true`) or end at once, counting those
/// that ended.
struct Gated {
    gate: Arc<tokio::sync::Semaphore>,
    quick_done: Arc<AtomicUsize>,
}

#[async_trait]
impl Handler for Gated {
    fn kind(&self) -> &'static str {
        "gated"
    }

    async fn run(&self, job: &Job) -> Outcome {
        if job.payload["hold"] == true {
            let _pass = self.gate.acquire().await;
        } else {
            self.quick_done.fetch_add(1, Ordering::SeqCst);
        }
        Outcome::Done
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_free_slot_takes_a_job_claimed_ahead_without_waiting_for_the_others() {
    each_backend(|store, backend| async move {
        // Three long jobs and two quick ones, in that order, all due.
        for (n, hold) in [true, true, true, false, false].into_iter().enumerate() {
            let job = JobNew {
                kind: "gated",
                workspace: None,
                payload: serde_json::json!({ "hold": hold }),
                dedup_key: Some(format!("gated:{n}")),
                run_at: unix_now(),
            };
            store
                .enqueue(&job, OnDuplicate::Keep, unix_now())
                .await
                .unwrap();
        }
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let quick_done = Arc::new(AtomicUsize::new(0));
        let mut config = config("gated");
        config.concurrency = 4;
        config.prefetch = 4;
        let handlers: Vec<Arc<dyn Handler>> = vec![Arc::new(Gated {
            gate: gate.clone(),
            quick_done: quick_done.clone(),
        })];
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = tokio::spawn(Runner::new(store.clone(), config, handlers).run(async {
            stopped.await.ok();
        }));
        // The first four start (three held, one quick) and the fifth waits in hand. When the
        // quick one ends, its slot takes the fifth at once, though three of four slots are
        // still busy.
        let mut waited = 0;
        while quick_done.load(Ordering::SeqCst) < 2 && waited < 100 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            waited += 1;
        }
        assert_eq!(
            quick_done.load(Ordering::SeqCst),
            2,
            "{backend}: the job claimed ahead waited for the long ones"
        );
        gate.add_permits(3);
        stop.send(()).unwrap();
        worker.await.unwrap();
        for n in 0..5 {
            assert!(
                store
                    .job_by_key(&format!("gated:{n}"))
                    .await
                    .unwrap()
                    .is_none(),
                "{backend}: job {n} done and deleted"
            );
        }
    })
    .await;
}
