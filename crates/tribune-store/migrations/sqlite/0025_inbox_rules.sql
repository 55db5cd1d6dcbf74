-- Moderation rules of a workspace's inbox (issue #11): in order, each a query in the query
-- language and conditions (JSON) with actions (JSON), run on every item as it arrives.

CREATE TABLE inbox_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- Rules run from the smallest position up.
    position INTEGER NOT NULL,
    enabled BOOLEAN NOT NULL,
    query TEXT NOT NULL,
    conditions TEXT NOT NULL,
    actions TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX inbox_rules_workspace ON inbox_rules(workspace_id, position);
