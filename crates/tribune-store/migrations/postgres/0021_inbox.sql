-- The unified inbox (issue #11): comments, replies and mentions fetched from every channel,
-- classified on arrival, triaged by the team, answered through the channel.

CREATE TABLE inbox_items (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    -- The network's reference (opaque, the connector's): an item is stored once per channel.
    remote_ref TEXT NOT NULL,
    -- `comment` (on or under the account's posts) or `mention`.
    kind TEXT NOT NULL,
    in_reply_to TEXT,
    root_ref TEXT,
    -- The conversation: the root post when known, else what the item answers, else itself.
    thread_ref TEXT NOT NULL,
    author_remote_id TEXT,
    author_handle TEXT NOT NULL,
    author_name TEXT NOT NULL,
    author_url TEXT,
    -- Plain text (the connectors strip and sanitise HTML); bounded by the store.
    text TEXT NOT NULL,
    url TEXT,
    -- JSON array of the http(s) addresses in or beside the text.
    links TEXT NOT NULL,
    -- The words of the text folded as the query language folds them, space-separated: what
    -- the full-text index holds (see docs/ARCHITECTURE.md, "Inbox search").
    search_text TEXT NOT NULL,
    -- When the network says it was written, and when tribune stored it (Unix seconds).
    created_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    -- What the classifiers said on arrival.
    lang TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    toxicity DOUBLE PRECISION NOT NULL,
    spam DOUBLE PRECISION NOT NULL,
    -- Its state on the network: visible, hidden, held, spam, trashed, deleted.
    network_status TEXT NOT NULL,
    -- The team's triage: new, in_progress, done, snoozed (until `snoozed_until`).
    status TEXT NOT NULL,
    snoozed_until BIGINT,
    assignee_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    -- The first reply sent from tribune, and when the item was last marked done.
    first_response_at BIGINT,
    done_at BIGINT,
    -- The network's payload as fetched, bounded (for support and reprocessing).
    raw TEXT NOT NULL
);
CREATE UNIQUE INDEX inbox_items_remote ON inbox_items(channel_id, remote_ref);
CREATE INDEX inbox_items_workspace ON inbox_items(workspace_id, id);
CREATE INDEX inbox_items_workspace_status ON inbox_items(workspace_id, status, id);
CREATE INDEX inbox_items_workspace_channel ON inbox_items(workspace_id, channel_id, id);
CREATE INDEX inbox_items_thread ON inbox_items(workspace_id, thread_ref);
CREATE INDEX inbox_items_author ON inbox_items(workspace_id, author_handle);

-- Full-text index over `search_text` (the words are folded by tribune, so the `simple`
-- configuration: no stemming, which would break prefix search; see docs/ARCHITECTURE.md).
ALTER TABLE inbox_items ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
CREATE INDEX inbox_items_search ON inbox_items USING GIN (search);

CREATE TABLE inbox_item_labels (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    item_id BIGINT NOT NULL REFERENCES inbox_items(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    PRIMARY KEY (item_id, label)
);
CREATE INDEX inbox_item_labels_workspace ON inbox_item_labels(workspace_id, label, item_id);

CREATE TABLE inbox_notes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    item_id BIGINT NOT NULL REFERENCES inbox_items(id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX inbox_notes_item ON inbox_notes(workspace_id, item_id, id);

-- Replies written in tribune and sent through the channel by a job, exactly once: the row's
-- id is the idempotency key, as a post target's is for publishing.
CREATE TABLE inbox_replies (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    item_id BIGINT NOT NULL REFERENCES inbox_items(id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    text TEXT NOT NULL,
    -- pending, sent, failed.
    state TEXT NOT NULL,
    attempt_started_at BIGINT,
    remote_ref TEXT,
    url TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX inbox_replies_item ON inbox_replies(workspace_id, item_id, id);

-- Where each channel's ingestion stopped; advanced in the transaction that stores the items.
CREATE TABLE inbox_cursors (
    channel_id BIGINT PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    cursor TEXT,
    fetched_at BIGINT NOT NULL,
    -- Consecutive fetches that brought nothing, for the adaptive interval.
    idle_fetches BIGINT NOT NULL,
    last_error TEXT
);
