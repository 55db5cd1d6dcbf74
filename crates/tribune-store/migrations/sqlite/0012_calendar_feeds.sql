-- Secret iCal feeds of the editorial calendar: one per member and workspace, read by calendar
-- applications without a session. Only the token's digest is kept; the feed answers only while
-- its member still belongs to the workspace.

CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    UNIQUE (workspace_id, user_id)
);
