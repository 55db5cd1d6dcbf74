-- Bad-buzz alerts (issue #11): a wave of negative or toxic messages in a workspace, against
-- its own baseline. One open alert per workspace at a time; it closes when the wave is over.

CREATE TABLE inbox_alerts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- When the wave was seen, and its size then: negative or toxic messages received in the
    -- hour before, against the hourly average of the week before that.
    started_at BIGINT NOT NULL,
    count BIGINT NOT NULL,
    baseline DOUBLE PRECISION NOT NULL,
    -- The largest hourly count while it lasted, and the last check.
    peak BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX inbox_alerts_workspace ON inbox_alerts(workspace_id, id);
-- The detection reads the last hour (and the week before) of every workspace's messages.
CREATE INDEX inbox_items_received ON inbox_items(received_at);
