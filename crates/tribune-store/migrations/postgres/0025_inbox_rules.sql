-- Moderation rules of a workspace's inbox (issue #11): in order, each a query in the query
-- language and conditions (JSON) with actions (JSON), run on every item as it arrives.

CREATE TABLE inbox_rules (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- Rules run from the smallest position up.
    position BIGINT NOT NULL,
    enabled BOOLEAN NOT NULL,
    query TEXT NOT NULL,
    conditions TEXT NOT NULL,
    actions TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX inbox_rules_workspace ON inbox_rules(workspace_id, position);
