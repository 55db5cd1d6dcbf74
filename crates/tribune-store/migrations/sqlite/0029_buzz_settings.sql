-- A workspace's own bad-buzz settings (issue #11): what makes a wave (without a row, the
-- defaults of tribune_domain::buzz), and the chat webhook told when one starts. The webhook's
-- address carries its token: it is stored sealed with the instance's secret key, and only its
-- host is kept in clear to show. The last delivery's time and error are kept to show whether
-- it works.

CREATE TABLE inbox_buzz_settings (
    workspace_id INTEGER PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    min_count INTEGER NOT NULL,
    factor REAL NOT NULL,
    webhook_sealed TEXT,
    webhook_host TEXT,
    delivered_at INTEGER,
    delivery_error TEXT,
    updated_at INTEGER NOT NULL
);
