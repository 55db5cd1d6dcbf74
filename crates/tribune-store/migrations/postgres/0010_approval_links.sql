-- Approval by e-mail: a client approves (or sends back) a post from a link that needs no
-- password. The link's token is kept only as its SHA-256 digest; it works once, until
-- `expires_at`, and only for the version of the post it was sent for.

-- Counts the post's submissions for approval and edits: a link names the version it was sent
-- for, so a link to an earlier version of an edited post no longer decides anything.
ALTER TABLE posts ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE TABLE approval_links (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    -- The client member the link was sent to, who decides when it is used.
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    post_version BIGINT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX approval_links_workspace_post ON approval_links(workspace_id, post_id);
CREATE INDEX approval_links_expires ON approval_links(expires_at);
