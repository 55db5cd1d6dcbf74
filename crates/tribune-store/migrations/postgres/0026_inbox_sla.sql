-- Response-time targets of a workspace's inbox (issue #11): business minutes to a first
-- answer, opening hours per weekday (JSON, Monday first, minutes since midnight), French
-- public holidays closed or not. Counted in the workspace's time zone.

CREATE TABLE inbox_sla (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    target_minutes BIGINT NOT NULL,
    warn_minutes BIGINT NOT NULL,
    hours TEXT NOT NULL,
    french_holidays BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Each message's deadline for a first answer (NULL without a target when it arrived), and when
-- the breach check saw it past that deadline (once per message).
ALTER TABLE inbox_items ADD COLUMN due_at BIGINT;
ALTER TABLE inbox_items ADD COLUMN breach_checked_at BIGINT;
-- The breach check reads the waiting messages in deadline order.
CREATE INDEX inbox_items_waiting ON inbox_items(due_at)
    WHERE due_at IS NOT NULL AND breach_checked_at IS NULL AND first_response_at IS NULL;
-- The "near breach" view of one workspace.
CREATE INDEX inbox_items_due ON inbox_items(workspace_id, due_at) WHERE due_at IS NOT NULL;
