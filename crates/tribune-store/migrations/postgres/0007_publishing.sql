-- Publishing: posts with one target per channel, each target's history, and the durable job
-- queue (an outbox: a job is written in the same transaction as the change that causes it).

-- Who must approve a post before it is scheduled: none | team | client.
ALTER TABLE workspaces ADD COLUMN approval_policy TEXT NOT NULL DEFAULT 'none';
-- Set while the workspace's publishing is paused (a crisis): due posts wait, nothing is lost.
ALTER TABLE workspaces ADD COLUMN publishing_paused_at BIGINT;

CREATE TABLE posts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    author_user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    -- The post's place in the workflow: draft | pending_approval | scheduled. Where each
    -- channel stands after that (publishing, published, failed) is on its target.
    status TEXT NOT NULL,
    title TEXT,
    text TEXT NOT NULL,
    link TEXT,
    -- UTC, Unix seconds; NULL for "as soon as approved" (publish now) and for undated drafts.
    scheduled_at BIGINT,
    approved_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    approved_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX posts_workspace_scheduled ON posts(workspace_id, scheduled_at);
CREATE INDEX posts_workspace_created ON posts(workspace_id, created_at);

CREATE TABLE post_targets (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    -- This channel's own text, when it differs from the post's.
    text TEXT,
    -- draft | pending_approval | scheduled | publishing | published | failed
    status TEXT NOT NULL,
    -- Sent with every attempt, so the network (or tribune's lookup before creating) can tell a
    -- retry from a new post. Never changes.
    idempotency_key TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- When the attempt in flight started: recorded before the network call.
    attempt_started_at BIGINT,
    remote_ref TEXT,
    remote_url TEXT,
    published_at BIGINT,
    -- Why the last attempt failed: a stable code, and the network's own words if it said any.
    error_code TEXT,
    error_message TEXT,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX post_targets_post_channel ON post_targets(workspace_id, post_id, channel_id);
CREATE UNIQUE INDEX post_targets_key ON post_targets(idempotency_key);
CREATE INDEX post_targets_channel_status ON post_targets(workspace_id, channel_id, status);

-- Every transition of a post, for its history (who did what, when, with the comment).
CREATE TABLE post_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    target_id BIGINT REFERENCES post_targets(id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    actor_user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    -- 'user:<id>' or 'system:<task>'.
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX post_events_post ON post_events(workspace_id, post_id, at);

-- The durable job queue. A job is claimed with a lease (locked_by, locked_until); a lease
-- that ran out is claimed again. Done jobs are deleted; a job out of attempts keeps its row
-- with failed_at set, for the operator to see.
CREATE TABLE jobs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    -- NULL for instance-wide work (maintenance, checks across workspaces).
    workspace_id BIGINT REFERENCES workspaces(id) ON DELETE CASCADE,
    payload TEXT NOT NULL DEFAULT '{}',
    -- At most one live job per key (publish:<target>, periodic:<task>).
    dedup_key TEXT,
    run_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    locked_by TEXT,
    locked_until BIGINT,
    last_error TEXT,
    failed_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX jobs_dedup ON jobs(dedup_key);
CREATE INDEX jobs_due ON jobs(run_at) WHERE failed_at IS NULL;
CREATE INDEX jobs_workspace ON jobs(workspace_id);
