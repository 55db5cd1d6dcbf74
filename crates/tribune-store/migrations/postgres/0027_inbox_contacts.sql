-- What the team knows of a person who writes to a workspace (issue #11): tags (fan, client,
-- influencer, troll, blocked…) and a note, kept per network and author (the network's stable
-- id when it gives one, else the handle). What they wrote stays on the inbox's items.

CREATE TABLE inbox_contacts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    network TEXT NOT NULL,
    -- The author's id on the network, or their handle when it gives none.
    remote_key TEXT NOT NULL,
    handle TEXT NOT NULL,
    name TEXT NOT NULL,
    -- JSON array of lower-case tags.
    tags TEXT NOT NULL,
    note TEXT NOT NULL,
    updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX inbox_contacts_key ON inbox_contacts(workspace_id, network, remote_key);
-- A person's messages by their network id (by handle: inbox_items_author).
CREATE INDEX inbox_items_author_id ON inbox_items(workspace_id, author_remote_id);
