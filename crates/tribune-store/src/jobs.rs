//! The durable job queue: a table, written in the same transaction as the change that causes the
//! work (an outbox), and claimed with a lease so that several workers on several nodes share it.
//!
//! A worker claims due jobs in one statement (`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
//! LOCKED) RETURNING …` on PostgreSQL; on SQLite the same statement under the single writer
//! lock), runs them without holding any transaction, then deletes the job, moves it, or marks it
//! failed — each only if it still holds the lease. A worker that dies leaves its lease to run
//! out; the job is then claimed again. Handlers are therefore written to run more than once.

use crate::db::{Conn, Tx, in_list};
use crate::schema::Jobs;
use crate::{Store, StoreError, Transaction, WorkspaceScope};
use sea_query::{Expr, ExprTrait, LockBehavior, LockType, OnConflict, Order, Query};
use serde::Serialize;
use tribune_domain::{JobId, WorkspaceId};

/// The PostgreSQL notification channel that wakes idle workers when a job is enqueued.
pub const NOTIFY_CHANNEL: &str = "tribune_jobs";

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct JobNew {
    /// What to do; the runner finds the handler by it (`publish`, `channel-check`, …).
    pub kind: &'static str,
    pub workspace: Option<WorkspaceId>,
    pub payload: serde_json::Value,
    /// At most one job per key exists at a time.
    pub dedup_key: Option<String>,
    /// Unix seconds.
    pub run_at: i64,
}

/// What to do when a job with the same dedup key already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDuplicate {
    /// Keep the existing job as it is (periodic work: one pending run is enough).
    Keep,
    /// Move the existing job to the new time and payload, and give it its attempts back
    /// (a rescheduled post).
    Replace,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct JobRow {
    id: i64,
    kind: String,
    workspace_id: Option<i64>,
    payload: String,
    dedup_key: Option<String>,
    run_at: i64,
    attempts: i32,
    locked_until: Option<i64>,
    locked_by: Option<String>,
    last_error: Option<String>,
    failed_at: Option<i64>,
}

/// A job as claimed (or listed).
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub workspace: Option<WorkspaceId>,
    pub payload: serde_json::Value,
    pub dedup_key: Option<String>,
    pub run_at: i64,
    /// Claims so far, this one included.
    pub attempts: u32,
    pub locked_until: Option<i64>,
    /// The worker holding the lease (a claimed job's own worker).
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub failed_at: Option<i64>,
    /// The scope the job's work runs in, as the system: only set on claimed jobs of a
    /// workspace, and only the store makes it.
    #[serde(skip)]
    scope: Option<WorkspaceScope>,
}

impl Job {
    /// The workspace scope to do this job's work in, acting as the system.
    pub fn scope(&self) -> Option<&WorkspaceScope> {
        self.scope.as_ref()
    }
}

impl From<JobRow> for Job {
    fn from(row: JobRow) -> Job {
        Job {
            scope: None,
            id: JobId(row.id),
            kind: row.kind,
            workspace: row.workspace_id.map(WorkspaceId),
            // A payload that does not parse is handed over as null; the handler refuses it.
            payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
            dedup_key: row.dedup_key,
            run_at: row.run_at,
            attempts: u32::try_from(row.attempts).unwrap_or(0),
            locked_until: row.locked_until,
            locked_by: row.locked_by,
            last_error: row.last_error,
            failed_at: row.failed_at,
        }
    }
}

const JOB_COLUMNS: [Jobs; 11] = [
    Jobs::Id,
    Jobs::Kind,
    Jobs::WorkspaceId,
    Jobs::Payload,
    Jobs::DedupKey,
    Jobs::RunAt,
    Jobs::Attempts,
    Jobs::LockedUntil,
    Jobs::LockedBy,
    Jobs::LastError,
    Jobs::FailedAt,
];

/// Errors stored with a job are cut to this many characters.
const MAX_ERROR_CHARS: usize = 1000;

fn bounded(error: &str) -> String {
    error.chars().take(MAX_ERROR_CHARS).collect()
}

/// Counts of the queue, for `/metrics` and the admin page.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct QueueStats {
    pub due: u64,
    pub scheduled: u64,
    pub running: u64,
    pub failed: u64,
}

pub(crate) async fn enqueue(
    conn: &mut Conn<'_>,
    job: &JobNew,
    on_duplicate: OnDuplicate,
    now: i64,
) -> Result<(), StoreError> {
    let mut insert = Query::insert();
    insert
        .into_table(Jobs::Table)
        .columns([
            Jobs::Kind,
            Jobs::WorkspaceId,
            Jobs::Payload,
            Jobs::DedupKey,
            Jobs::RunAt,
            Jobs::CreatedAt,
        ])
        .values([
            job.kind.into(),
            job.workspace.map(|w| w.0).into(),
            job.payload.to_string().into(),
            job.dedup_key.clone().into(),
            job.run_at.into(),
            now.into(),
        ])?;
    if job.dedup_key.is_some() {
        let mut conflict = OnConflict::column(Jobs::DedupKey);
        match on_duplicate {
            OnDuplicate::Keep => conflict.do_nothing(),
            OnDuplicate::Replace => conflict
                .update_columns([Jobs::Payload, Jobs::RunAt, Jobs::WorkspaceId])
                // A worker holding the old job loses it: its end is not recorded, and the job
                // runs at its new time (the handler checks the time again).
                .values([
                    (Jobs::Attempts, 0.into()),
                    (Jobs::FailedAt, Option::<i64>::None.into()),
                    (Jobs::LastError, Option::<String>::None.into()),
                    (Jobs::LockedBy, Option::<String>::None.into()),
                    (Jobs::LockedUntil, Option::<i64>::None.into()),
                ]),
        };
        insert.on_conflict(conflict.to_owned());
    }
    conn.execute(&insert).await?;
    Ok(())
}

impl Transaction {
    /// Enqueues a job, to run once this transaction commits (and wakes idle PostgreSQL workers
    /// then).
    pub async fn enqueue(
        &mut self,
        job: &JobNew,
        on_duplicate: OnDuplicate,
        now: i64,
    ) -> Result<(), StoreError> {
        enqueue(&mut self.conn(), job, on_duplicate, now).await?;
        self.tx_mut().notify(NOTIFY_CHANNEL).await
    }

    /// Removes the job with this dedup key, if it is not running (an unscheduled post).
    pub async fn cancel_job(&mut self, dedup_key: &str, now: i64) -> Result<(), StoreError> {
        self.conn()
            .execute(
                &Query::delete()
                    .from_table(Jobs::Table)
                    .and_where(Expr::col(Jobs::DedupKey).eq(dedup_key))
                    .cond_where(lease_free(now))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}

/// Deletes the jobs among `ids` that `worker` still holds.
pub(crate) fn delete_leased(ids: &[JobId], worker: &str) -> sea_query::DeleteStatement {
    Query::delete()
        .from_table(Jobs::Table)
        .and_where(in_list(
            Jobs::Id,
            &ids.iter().map(|id| id.0).collect::<Vec<_>>(),
        ))
        .and_where(Expr::col(Jobs::LockedBy).eq(worker))
        .to_owned()
}

/// Not claimed, or claimed by a worker whose lease ran out.
fn lease_free(now: i64) -> sea_query::Condition {
    sea_query::Cond::any()
        .add(Expr::col(Jobs::LockedUntil).is_null())
        .add(Expr::col(Jobs::LockedUntil).lt(now))
}

impl Store {
    /// Enqueues one job outside any other change (periodic work, tests).
    pub async fn enqueue(
        &self,
        job: &JobNew,
        on_duplicate: OnDuplicate,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.enqueue(job, on_duplicate, now).await?;
        tx.commit().await
    }

    /// Claims up to `limit` due jobs of the given kinds for `worker`, leased until
    /// `now + lease_secs`, in one statement: two workers never claim the same job while its
    /// lease runs. Oldest due first.
    pub async fn claim_jobs(
        &self,
        worker: &str,
        kinds: &[&'static str],
        now: i64,
        lease_secs: i64,
        limit: u64,
    ) -> Result<Vec<Job>, StoreError> {
        if kinds.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let due = Query::select()
            .column(Jobs::Id)
            .from(Jobs::Table)
            .and_where(Expr::col(Jobs::FailedAt).is_null())
            .and_where(Expr::col(Jobs::RunAt).lte(now))
            .and_where(Expr::col(Jobs::Kind).is_in(kinds.iter().copied()))
            .cond_where(lease_free(now))
            .order_by(Jobs::RunAt, Order::Asc)
            .order_by(Jobs::Id, Order::Asc)
            .limit(limit)
            // PostgreSQL only; SQLite's builder leaves it out (its writer lock serialises this).
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        let rows: Vec<JobRow> = self
            .db
            .fetch_all(
                &Query::update()
                    .table(Jobs::Table)
                    .values([
                        (Jobs::LockedBy, worker.into()),
                        (Jobs::LockedUntil, (now + lease_secs).into()),
                        (Jobs::Attempts, Expr::col(Jobs::Attempts).add(1)),
                    ])
                    .and_where(Expr::col(Jobs::Id).in_subquery(due))
                    .returning(Query::returning().columns(JOB_COLUMNS))
                    .to_owned(),
            )
            .await?;
        let mut jobs: Vec<Job> = rows
            .into_iter()
            .map(|row| {
                let task = kinds.iter().copied().find(|k| *k == row.kind);
                let mut job = Job::from(row);
                job.scope = job
                    .workspace
                    .zip(task)
                    .map(|(workspace, task)| WorkspaceScope::system(workspace, task));
                job
            })
            .collect();
        jobs.sort_by_key(|j| (j.run_at, j.id));
        Ok(jobs)
    }

    /// The job is done: it is deleted, if `worker` still holds it. `false` when the lease was
    /// lost (another worker may be running it; the handler's own idempotency covers that).
    pub async fn complete_job(&self, id: JobId, worker: &str) -> Result<bool, StoreError> {
        let deleted = self
            .db
            .execute(
                &Query::delete()
                    .from_table(Jobs::Table)
                    .and_where(Expr::col(Jobs::Id).eq(id.0))
                    .and_where(Expr::col(Jobs::LockedBy).eq(worker))
                    .to_owned(),
            )
            .await?;
        Ok(deleted == 1)
    }

    /// Several jobs are done (a runner records its finished jobs together): deletes those
    /// `worker` still holds, in one statement, and says how many.
    pub async fn complete_jobs(&self, ids: &[JobId], worker: &str) -> Result<u64, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        self.db.execute(&delete_leased(ids, worker)).await
    }

    /// Releases the job to run again at `run_at`. `counts` says whether this claim counts as
    /// an attempt (a transient failure) or not (a rate limit or a pause moved it).
    pub async fn retry_job(
        &self,
        id: JobId,
        worker: &str,
        run_at: i64,
        error: Option<&str>,
        counts: bool,
    ) -> Result<bool, StoreError> {
        let attempts = if counts {
            Expr::col(Jobs::Attempts)
        } else {
            Expr::col(Jobs::Attempts).sub(1)
        };
        let moved = self
            .db
            .execute(
                &Query::update()
                    .table(Jobs::Table)
                    .values([
                        (Jobs::RunAt, run_at.into()),
                        (Jobs::LockedBy, Option::<String>::None.into()),
                        (Jobs::LockedUntil, Option::<i64>::None.into()),
                        (Jobs::LastError, error.map(bounded).into()),
                        (Jobs::Attempts, attempts),
                    ])
                    .and_where(Expr::col(Jobs::Id).eq(id.0))
                    .and_where(Expr::col(Jobs::LockedBy).eq(worker))
                    .to_owned(),
            )
            .await?;
        Ok(moved == 1)
    }

    /// The job cannot succeed: it stays in the table, failed, for the operator to see.
    pub async fn fail_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let failed = self
            .db
            .execute(
                &Query::update()
                    .table(Jobs::Table)
                    .values([
                        (Jobs::FailedAt, now.into()),
                        (Jobs::LockedBy, Option::<String>::None.into()),
                        (Jobs::LockedUntil, Option::<i64>::None.into()),
                        (Jobs::LastError, bounded(error).into()),
                    ])
                    .and_where(Expr::col(Jobs::Id).eq(id.0))
                    .and_where(Expr::col(Jobs::LockedBy).eq(worker))
                    .to_owned(),
            )
            .await?;
        Ok(failed == 1)
    }

    /// Keeps long jobs' leases from running out: those of `ids` that `worker` still holds are
    /// leased until `until`. Says how many.
    pub async fn extend_job_leases(
        &self,
        ids: &[JobId],
        worker: &str,
        until: i64,
    ) -> Result<u64, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        self.db
            .execute(
                &Query::update()
                    .table(Jobs::Table)
                    .value(Jobs::LockedUntil, until)
                    .and_where(in_list(
                        Jobs::Id,
                        &ids.iter().map(|id| id.0).collect::<Vec<_>>(),
                    ))
                    .and_where(Expr::col(Jobs::LockedBy).eq(worker))
                    .and_where(Expr::col(Jobs::FailedAt).is_null())
                    .to_owned(),
            )
            .await
    }

    /// When the next job of these kinds is due (to sleep until then), if any.
    pub async fn next_job_at(&self, kinds: &[&str]) -> Result<Option<i64>, StoreError> {
        if kinds.is_empty() {
            return Ok(None);
        }
        let next: Option<(Option<i64>,)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .expr(Expr::col(Jobs::RunAt).min())
                    .from(Jobs::Table)
                    .and_where(Expr::col(Jobs::FailedAt).is_null())
                    .and_where(Expr::col(Jobs::Kind).is_in(kinds.iter().copied()))
                    .to_owned(),
            )
            .await?;
        Ok(next.and_then(|(at,)| at))
    }

    /// The jobs that ran out of attempts, newest first, for the administration.
    pub async fn failed_jobs(&self, limit: u64) -> Result<Vec<Job>, StoreError> {
        let rows: Vec<JobRow> = self
            .db
            .fetch_all(
                &Query::select()
                    .columns(JOB_COLUMNS)
                    .from(Jobs::Table)
                    .and_where(Expr::col(Jobs::FailedAt).is_not_null())
                    .order_by(Jobs::FailedAt, Order::Desc)
                    .limit(limit)
                    .to_owned(),
            )
            .await?;
        Ok(rows.into_iter().map(Job::from).collect())
    }

    /// The job with this dedup key, if any (tests and the post's detail page).
    pub async fn job_by_key(&self, dedup_key: &str) -> Result<Option<Job>, StoreError> {
        let row: Option<JobRow> = self
            .db
            .fetch_optional(
                &Query::select()
                    .columns(JOB_COLUMNS)
                    .from(Jobs::Table)
                    .and_where(Expr::col(Jobs::DedupKey).eq(dedup_key))
                    .to_owned(),
            )
            .await?;
        Ok(row.map(Job::from))
    }

    /// How many jobs wait, run and failed.
    pub async fn queue_stats(&self, now: i64) -> Result<QueueStats, StoreError> {
        let count = |cond: sea_query::Condition| {
            Query::select()
                .expr(Expr::col(Jobs::Id).count())
                .from(Jobs::Table)
                .cond_where(cond)
                .to_owned()
        };
        let running = sea_query::Cond::all()
            .add(Expr::col(Jobs::FailedAt).is_null())
            .add(Expr::col(Jobs::LockedUntil).gte(now));
        let due = sea_query::Cond::all()
            .add(Expr::col(Jobs::FailedAt).is_null())
            .add(Expr::col(Jobs::RunAt).lte(now))
            .add(lease_free(now));
        let scheduled = sea_query::Cond::all()
            .add(Expr::col(Jobs::FailedAt).is_null())
            .add(Expr::col(Jobs::RunAt).gt(now))
            .add(lease_free(now));
        let failed = sea_query::Cond::all().add(Expr::col(Jobs::FailedAt).is_not_null());
        let mut out = [0u64; 4];
        for (slot, cond) in out.iter_mut().zip([due, scheduled, running, failed]) {
            let (n,): (i64,) = self.db.fetch_one(&count(cond)).await?;
            *slot = u64::try_from(n).unwrap_or(0);
        }
        Ok(QueueStats {
            due: out[0],
            scheduled: out[1],
            running: out[2],
            failed: out[3],
        })
    }

    /// Waits for enqueue notifications (PostgreSQL); `None` on SQLite, where the embedded
    /// worker is told in-process.
    pub async fn job_listener(&self) -> Result<Option<JobListener>, StoreError> {
        match &self.db {
            crate::Db::Postgres(pool) => {
                let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
                listener.listen(NOTIFY_CHANNEL).await?;
                Ok(Some(JobListener { listener }))
            }
            crate::Db::Sqlite(_) => Ok(None),
        }
    }
}

/// A PostgreSQL connection listening for new jobs.
pub struct JobListener {
    listener: sqlx::postgres::PgListener,
}

impl JobListener {
    /// Returns when a job was enqueued (or the connection was re-established, which may have
    /// missed one: the caller polls then anyway).
    pub async fn recv(&mut self) -> Result<(), StoreError> {
        self.listener.recv().await?;
        Ok(())
    }
}

impl Tx {
    /// Sends a PostgreSQL notification when the transaction commits; nothing on SQLite.
    pub(crate) async fn notify(&mut self, channel: &str) -> Result<(), StoreError> {
        if let Some(tx) = self.postgres() {
            sqlx::query("SELECT pg_notify($1, '')")
                .bind(channel)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }
}
