-- tribune's own short links (`/l/{code}`) with their UTM tags, and their clicks counted per day
-- and per referring network. Nothing about who clicked is kept: no address, no user agent.

CREATE TABLE links (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- Random base62, unique across the instance: the public redirect finds a link by it alone.
    code TEXT NOT NULL,
    -- Normalised http(s) address, without the tags (they are added on the way out).
    target TEXT NOT NULL,
    utm_source TEXT,
    utm_medium TEXT,
    utm_campaign TEXT,
    utm_term TEXT,
    utm_content TEXT,
    -- What the link was made for, when it was made from the composer.
    post_id BIGINT REFERENCES posts(id) ON DELETE SET NULL,
    channel_id BIGINT REFERENCES channels(id) ON DELETE SET NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX links_code ON links(code);
CREATE INDEX links_workspace ON links(workspace_id, id);
CREATE INDEX links_workspace_post ON links(workspace_id, post_id);
CREATE INDEX links_workspace_campaign ON links(workspace_id, utm_campaign);

-- One row per link, day (in the workspace's time zone, `YYYY-MM-DD`) and referring network
-- (`bluesky`, `x`… `direct`, `other`), counted by an upsert.
CREATE TABLE link_clicks (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    link_id BIGINT NOT NULL REFERENCES links(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    network TEXT NOT NULL,
    clicks BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, link_id, day, network)
);
CREATE INDEX link_clicks_workspace_day ON link_clicks(workspace_id, day);
