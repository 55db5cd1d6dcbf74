//! The runner: claims due jobs with a lease, runs each with its handler, and records how it
//! ended. It never holds a database transaction while a handler runs. On PostgreSQL it wakes on
//! `LISTEN/NOTIFY` when a job is enqueued; on SQLite the embedded runner is woken in-process
//! ([`Runner::waker`]); either way it also polls, so a lost notification only delays work.

use async_trait::async_trait;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio::task::{Id as TaskId, JoinSet};
use tribune_domain::JobId;
use tribune_store::jobs::Job;
use tribune_store::{Store, StoreError, unix_now};

/// How a job ended, as its handler tells the runner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done: the job is deleted.
    Done,
    /// Done, and the handler already deleted the job in the transaction that recorded its
    /// work (if its worker still held it): the runner has nothing left to record.
    Completed,
    /// A transient failure: run again at `at`; counts as an attempt.
    Retry { at: i64, error: String },
    /// Not now (a rate limit, a pause, a busy channel): run again at `at`; not an attempt.
    Later { at: i64 },
    /// It cannot succeed: the job is kept, failed, for the operator.
    Fail(String),
}

/// The work behind one kind of job. Handlers run more than once for the same job when a worker
/// dies or loses its lease: each must be idempotent.
#[async_trait]
pub trait Handler: Send + Sync {
    /// The job kind this handler runs.
    fn kind(&self) -> &'static str;

    async fn run(&self, job: &Job) -> Outcome;

    /// Attempts (claims that ended in [`Outcome::Retry`] or a crash) before the job fails.
    fn max_attempts(&self) -> u32 {
        20
    }
}

/// Settings of one runner.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// Names this worker in the leases it takes (host and process, for the operator).
    pub worker_id: String,
    /// Jobs run at once.
    pub concurrency: usize,
    /// Jobs claimed ahead of free slots (leased and renewed like running ones), so that one
    /// claim serves several waves: a claim is a statement and a commit, and under load they
    /// are what the queue's throughput is made of. 0 claims only for free slots.
    pub prefetch: usize,
    /// How long a claim holds a job: a worker that dies releases its jobs after this.
    pub lease_secs: i64,
    /// The longest sleep between two looks at the queue.
    pub poll: Duration,
    /// How long an unfinished publish attempt keeps its post and channel (see
    /// [`tribune_store::Store::begin_publish_with_lease`]).
    pub attempt_lease_secs: i64,
    /// Sends the outbox's e-mail; `None` when the instance has no SMTP settings (mail jobs
    /// then end without sending anything).
    pub mail: Option<crate::mail::MailSettings>,
}

impl RunnerConfig {
    pub fn new(worker_id: impl Into<String>) -> Self {
        RunnerConfig {
            worker_id: worker_id.into(),
            concurrency: 4,
            prefetch: 8,
            lease_secs: 120,
            poll: Duration::from_secs(5),
            attempt_lease_secs: tribune_store::posts::ATTEMPT_LEASE_SECS,
            mail: None,
        }
    }
}

/// The name a worker uses in its leases: host name and process id.
pub fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default();
    let host = if host.is_empty() {
        "tribune".into()
    } else {
        host
    };
    format!("{host}:{}", std::process::id())
}

/// A job's lease is renewed while it runs, for at most this long.
pub const MAX_RUN: Duration = Duration::from_secs(3600);

/// How a job's task ended: its outcome, and its id if it is to be deleted.
type Ended = Result<(Outcome, Option<JobId>), StoreError>;

/// The jobs running, by task: their id and when they started.
type Leased = HashMap<TaskId, (JobId, Instant)>;

/// How often the leases of running jobs are renewed: a third of the lease, so two renewals can
/// be late before one runs out.
fn renew_every(lease_secs: i64) -> Duration {
    Duration::from_millis((lease_secs.max(1) as u64 * 1000 / 3).max(200))
}

#[derive(Clone)]
pub struct Runner {
    store: Store,
    config: RunnerConfig,
    handlers: Arc<HashMap<&'static str, Arc<dyn Handler>>>,
    wake: Arc<Notify>,
}

/// What one pass over the queue did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    pub claimed: usize,
    pub done: usize,
    pub retried: usize,
    pub moved: usize,
    pub failed: usize,
}

impl Runner {
    pub fn new(store: Store, config: RunnerConfig, handlers: Vec<Arc<dyn Handler>>) -> Self {
        let handlers = handlers.into_iter().map(|h| (h.kind(), h)).collect();
        Runner {
            store,
            config,
            handlers: Arc::new(handlers),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Wakes the runner at once (the web server calls it after enqueueing on SQLite).
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Waits on `wake` (e.g. the web server's) instead of a notifier of its own.
    pub fn with_waker(mut self, wake: Arc<Notify>) -> Self {
        self.wake = wake;
        self
    }

    fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<&'static str> = self.handlers.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }

    /// Claims one batch of due jobs and runs them all; what tests call to "run pending jobs".
    pub async fn run_pass(&self) -> Result<PassReport, StoreError> {
        let jobs = self
            .claim(&self.kinds(), self.config.concurrency.max(1))
            .await?;
        let mut report = PassReport {
            claimed: jobs.len(),
            ..PassReport::default()
        };
        let mut running = JoinSet::new();
        for job in jobs {
            let runner = self.clone();
            running.spawn(async move { runner.run_job(job).await });
        }
        while let Some(ended) = running.join_next().await {
            match ended {
                Ok(Ok(Outcome::Done | Outcome::Completed)) => report.done += 1,
                Ok(Ok(Outcome::Retry { .. })) => report.retried += 1,
                Ok(Ok(Outcome::Later { .. })) => report.moved += 1,
                Ok(Ok(Outcome::Fail(_))) => report.failed += 1,
                Ok(Err(error)) => {
                    tracing::error!(%error, "cannot record a job's end; its lease will run out");
                }
                // A handler that panicked: its lease runs out and the job is claimed again.
                Err(error) => tracing::error!(%error, "a job handler panicked"),
            }
        }
        Ok(report)
    }

    /// Claims up to `n` due jobs of `kinds` for this worker, leased.
    async fn claim(&self, kinds: &[&'static str], n: usize) -> Result<Vec<Job>, StoreError> {
        self.store
            .claim_jobs(
                &self.config.worker_id,
                kinds,
                unix_now(),
                self.config.lease_secs,
                n as u64,
            )
            .await
    }

    /// Runs passes until no job is due (tests, `tribune worker --once`).
    pub async fn drain(&self) -> Result<PassReport, StoreError> {
        let mut total = PassReport::default();
        loop {
            let pass = self.run_pass().await?;
            if pass.claimed == 0 {
                return Ok(total);
            }
            total.claimed += pass.claimed;
            total.done += pass.done;
            total.retried += pass.retried;
            total.moved += pass.moved;
            total.failed += pass.failed;
        }
    }

    async fn run_job(&self, job: Job) -> Result<Outcome, StoreError> {
        let (outcome, done) = self.run_job_deferred(job).await?;
        if let Some(id) = done
            && !self.store.complete_job(id, &self.config.worker_id).await?
        {
            tracing::info!(
                job = id.0,
                "job's lease was lost or it was replaced; its end is not recorded"
            );
        }
        Ok(outcome)
    }

    /// Runs a claimed job and records how it ended, except a success: its id is returned for
    /// the caller to delete (with others, in one statement). Until then the job stays leased;
    /// should the worker die first, it runs again and finds its work done (handlers are
    /// idempotent).
    async fn run_job_deferred(&self, job: Job) -> Result<(Outcome, Option<JobId>), StoreError> {
        let worker = &self.config.worker_id;
        let Some(handler) = self.handlers.get(job.kind.as_str()) else {
            let outcome = Outcome::Fail(format!("no handler for job kind {}", job.kind));
            self.store
                .fail_job(job.id, worker, "no handler", unix_now())
                .await?;
            return Ok((outcome, None));
        };
        if job.attempts > handler.max_attempts() {
            let error = job
                .last_error
                .clone()
                .unwrap_or_else(|| "out of attempts".into());
            self.store
                .fail_job(job.id, worker, &error, unix_now())
                .await?;
            return Ok((Outcome::Fail(error), None));
        }
        let outcome = handler.run(&job).await;
        let recorded = match &outcome {
            Outcome::Done => return Ok((outcome, Some(job.id))),
            Outcome::Completed => return Ok((outcome, None)),
            Outcome::Retry { at, error } => {
                tracing::info!(job = job.id.0, kind = %job.kind, %error, "job will be retried");
                self.store
                    .retry_job(job.id, worker, *at, Some(error), true)
                    .await?
            }
            Outcome::Later { at } => {
                self.store
                    .retry_job(job.id, worker, *at, None, false)
                    .await?
            }
            Outcome::Fail(error) => {
                tracing::warn!(job = job.id.0, kind = %job.kind, %error, "job failed");
                self.store
                    .fail_job(job.id, worker, error, unix_now())
                    .await?
            }
        };
        if !recorded {
            tracing::info!(
                job = job.id.0,
                "job's lease was lost or it was replaced; its end is not recorded"
            );
        }
        Ok((outcome, None))
    }

    /// Runs until `shutdown` resolves. Jobs run as a pipeline: a free slot takes a job
    /// claimed ahead at once, and when half the slots are free and those run short more due
    /// jobs are claimed — for the free slots and [`RunnerConfig::prefetch`] more, in one
    /// statement — so one slow job never holds the others back and one claim serves several
    /// waves; finished jobs are deleted together. The leases of jobs still
    /// running are renewed every third of a lease (up to [`MAX_RUN`]), so a slow job is never
    /// taken by a second worker while it runs. When nothing is due, it sleeps until the next
    /// job is due, a notification arrives, or the poll interval ends. Jobs running when
    /// shutdown comes are finished (and recorded) first.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send) {
        let listener = self.spawn_listener().await;
        let concurrency = self.config.concurrency.max(1);
        let refill_at = concurrency / 2;
        let kinds = self.kinds();
        let mut running: JoinSet<Ended> = JoinSet::new();
        let mut leased = Leased::default();
        let mut renew = tokio::time::interval(renew_every(self.config.lease_secs));
        renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        renew.reset();
        let mut done: Vec<JobId> = Vec::new();
        // Claimed ahead, not started yet.
        let mut ahead: VecDeque<Job> = VecDeque::new();
        let mut queue_empty = false;
        tokio::pin!(shutdown);
        loop {
            // Collect what finished without waiting, and delete the successes in one go.
            while let Some(ended) = running.try_join_next_with_id() {
                self.collect(ended, &mut leased, &mut done);
            }
            self.complete(&mut done).await;
            // A free slot takes a job claimed ahead at once; the queue is asked for more only
            // when half the slots are free and those run short (one claim per wave).
            let free = concurrency - running.len();
            if free > 0 {
                if running.len() <= refill_at && ahead.len() < free {
                    let want = free + self.config.prefetch - ahead.len();
                    match self.claim(&kinds, want).await {
                        Ok(jobs) => {
                            queue_empty = jobs.len() < want;
                            ahead.extend(jobs);
                        }
                        Err(error) => {
                            tracing::error!(%error, "cannot claim jobs");
                            queue_empty = true;
                        }
                    }
                }
                for job in ahead.drain(..free.min(ahead.len())) {
                    let runner = self.clone();
                    let id = job.id;
                    let task = running.spawn(async move { runner.run_job_deferred(job).await });
                    leased.insert(task.id(), (id, Instant::now()));
                }
            }
            let idle = if queue_empty && running.len() <= refill_at {
                self.until_next().await
            } else {
                self.config.poll
            };
            tokio::select! {
                Some(ended) = running.join_next_with_id(), if !running.is_empty() => {
                    self.collect(ended, &mut leased, &mut done);
                }
                _ = renew.tick(), if !leased.is_empty() || !ahead.is_empty() => {
                    self.renew(&leased, &ahead).await;
                }
                () = tokio::time::sleep(idle), if queue_empty => {}
                () = self.wake.notified() => {}
                () = &mut shutdown => break,
            }
        }
        // The jobs claimed ahead go back to the queue at once, for other workers.
        self.release(ahead).await;
        while !running.is_empty() {
            tokio::select! {
                Some(ended) = running.join_next_with_id() => {
                    self.collect(ended, &mut leased, &mut done);
                }
                _ = renew.tick() => self.renew(&leased, &VecDeque::new()).await,
            }
        }
        self.complete(&mut done).await;
        if let Some(listener) = listener {
            listener.abort();
        }
    }

    fn collect(
        &self,
        ended: Result<(TaskId, Ended), tokio::task::JoinError>,
        leased: &mut Leased,
        done: &mut Vec<JobId>,
    ) {
        let task = match &ended {
            Ok((task, _)) => *task,
            Err(error) => error.id(),
        };
        leased.remove(&task);
        match ended.map(|(_, result)| result) {
            Ok(Ok((_, Some(id)))) => done.push(id),
            Ok(Ok((_, None))) => {}
            Ok(Err(error)) => {
                tracing::error!(%error, "cannot record a job's end; its lease will run out");
            }
            // A handler that panicked: its lease runs out and the job is claimed again.
            Err(error) => tracing::error!(%error, "a job handler panicked"),
        }
    }

    /// Deletes the finished jobs; on failure they stay leased and run again (idempotently)
    /// once the lease is over.
    async fn complete(&self, done: &mut Vec<JobId>) {
        if done.is_empty() {
            return;
        }
        match self.store.complete_jobs(done, &self.config.worker_id).await {
            Ok(deleted) if deleted < done.len() as u64 => tracing::info!(
                lost = done.len() as u64 - deleted,
                "some jobs' leases were lost or they were replaced; their end is not recorded"
            ),
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "cannot record finished jobs"),
        }
        done.clear();
    }

    /// Gives jobs claimed ahead back to the queue, due now, without counting the claim as an
    /// attempt.
    async fn release(&self, jobs: VecDeque<Job>) {
        let now = unix_now();
        for job in jobs {
            if let Err(error) = self
                .store
                .retry_job(job.id, &self.config.worker_id, now, None, false)
                .await
            {
                tracing::warn!(job = job.id.0, %error, "cannot give a job back; its lease will run out");
            }
        }
    }

    /// Renews the leases of the jobs claimed ahead and of those running for less than
    /// [`MAX_RUN`]; a job past that is taken to be stuck, and its lease left to run out so
    /// another worker can take it.
    async fn renew(&self, leased: &Leased, ahead: &VecDeque<Job>) {
        let mut ids: Vec<JobId> = ahead.iter().map(|job| job.id).collect();
        for (id, started) in leased.values() {
            if started.elapsed() < MAX_RUN {
                ids.push(*id);
            } else {
                tracing::warn!(
                    job = id.0,
                    "a job has run too long; its lease is no longer renewed"
                );
            }
        }
        let until = unix_now() + self.config.lease_secs;
        if let Err(error) = self
            .store
            .extend_job_leases(&ids, &self.config.worker_id, until)
            .await
        {
            tracing::error!(%error, "cannot renew the running jobs' leases");
        }
    }

    async fn until_next(&self) -> Duration {
        let next = self.store.next_job_at(&self.kinds()).await.ok().flatten();
        match next {
            Some(at) => {
                let wait = at.saturating_sub(unix_now()).max(0) as u64;
                // Never below 200 ms (a job due now but not claimable spins otherwise), nor
                // above the poll interval, even one set shorter than that.
                let floor = Duration::from_millis(200).min(self.config.poll);
                Duration::from_secs(wait).clamp(floor, self.config.poll)
            }
            None => self.config.poll,
        }
    }

    /// On PostgreSQL, a task that turns enqueue notifications into wake-ups.
    async fn spawn_listener(&self) -> Option<tokio::task::JoinHandle<()>> {
        let mut listener = match self.store.job_listener().await {
            Ok(Some(listener)) => listener,
            Ok(None) => return None,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for new jobs; polling only");
                return None;
            }
        };
        let wake = self.wake.clone();
        Some(tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(()) => wake.notify_one(),
                    Err(error) => {
                        tracing::warn!(%error, "job notifications interrupted");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        }))
    }
}
