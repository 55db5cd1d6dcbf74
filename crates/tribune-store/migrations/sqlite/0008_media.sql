-- The media library: images and videos a workspace uploaded, and which posts carry them. The
-- files live in the media storage (a directory under the data dir), never in the database:
-- a row names its file by a random storage key.

CREATE TABLE media (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- image | video
    kind TEXT NOT NULL,
    -- From the file's content, never from its name or the client's claim.
    mime TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    width INTEGER,
    height INTEGER,
    -- Videos, when the container says it (milliseconds).
    duration_ms INTEGER,
    -- Empty when missing (the composer warns).
    alt TEXT NOT NULL DEFAULT '',
    -- The client's file name, cut to a safe label; it never names a file on disk.
    file_name TEXT,
    storage_key TEXT NOT NULL,
    -- Images only.
    thumbnail_key TEXT,
    sha256 TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX media_workspace ON media(workspace_id, id);
CREATE INDEX media_workspace_sha256 ON media(workspace_id, sha256);

-- A post's media, in order.
CREATE TABLE post_media (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, post_id, position)
);
CREATE UNIQUE INDEX post_media_media ON post_media(workspace_id, media_id, post_id);
