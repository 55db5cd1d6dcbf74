-- One audit trail for the whole instance (admin actions now; approvals and moderation later),
-- instance roles (who may create workspaces, disabled accounts) and the result of each
-- channel credentials check.

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- NULL for instance-level events (accounts, instance settings).
    workspace_id INTEGER REFERENCES workspaces(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    -- The member who acted, or NULL for tribune's own background work.
    actor_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    -- Readable even after the account is gone: 'user:<e-mail>' or 'system:<task>'.
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id TEXT NOT NULL,
    -- JSON object: what changed.
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_workspace_at ON audit_events(workspace_id, at);
CREATE INDEX audit_events_at ON audit_events(at);

ALTER TABLE users ADD COLUMN can_create_workspaces BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
ALTER TABLE users ADD COLUMN last_login_at INTEGER;
-- Nobody loses what they could do before instance roles existed: admins and every member who
-- holds more than a client role keep creating workspaces.
UPDATE users SET can_create_workspaces = TRUE
WHERE is_admin OR id IN (SELECT user_id FROM memberships WHERE role <> 'client');

-- ok | refused | unreachable | rate_limited
ALTER TABLE channels ADD COLUMN last_check_result TEXT;
