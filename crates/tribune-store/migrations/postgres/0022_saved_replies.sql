-- Saved replies of a workspace's inbox (issue #11): a title and a text with variables
-- (`{prenom}`, `{marque}`, `{charte}` and their English names), filled in when a reply is
-- written from one.

CREATE TABLE saved_replies (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX saved_replies_workspace ON saved_replies(workspace_id, title);
