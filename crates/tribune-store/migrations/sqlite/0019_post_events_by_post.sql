-- A post's history row belongs to the post's own workspace: one foreign key on
-- (workspace_id, post_id) instead of one on each column (see the PostgreSQL migration of the
-- same number for why). SQLite cannot change a table's keys in place: the table is rebuilt.
CREATE UNIQUE INDEX posts_workspace_id ON posts(workspace_id, id);
CREATE TABLE post_events_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL,
    post_id INTEGER NOT NULL,
    target_id INTEGER REFERENCES post_targets(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    -- 'user:<id>' or 'system:<task>'.
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (workspace_id, post_id) REFERENCES posts(workspace_id, id) ON DELETE CASCADE
);
INSERT INTO post_events_rebuilt (id, workspace_id, post_id, target_id, at, actor_user_id, actor, action, comment)
    SELECT id, workspace_id, post_id, target_id, at, actor_user_id, actor, action, comment FROM post_events;
DROP TABLE post_events;
ALTER TABLE post_events_rebuilt RENAME TO post_events;
CREATE INDEX post_events_post ON post_events(workspace_id, post_id, at);
