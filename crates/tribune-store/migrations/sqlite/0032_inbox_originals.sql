-- The post an inbox conversation starts from when tribune did not publish it (issue #11): a
-- post made on the network's own app, or someone else's post the account was mentioned
-- under. Read from the network once per conversation and kept; a failed read is kept with its
-- error and tried again a day later. `asked_ref` is the reference the items carry (their
-- root, else what they answer).

CREATE TABLE inbox_originals (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    asked_ref TEXT NOT NULL,
    remote_ref TEXT,
    author_remote_id TEXT,
    author_handle TEXT NOT NULL DEFAULT '',
    author_name TEXT NOT NULL DEFAULT '',
    author_url TEXT,
    text TEXT NOT NULL DEFAULT '',
    url TEXT,
    created_at INTEGER,
    error TEXT,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (channel_id, asked_ref)
);
CREATE INDEX inbox_originals_workspace ON inbox_originals (workspace_id);
