-- The posting queue: content categories (evergreen ones can be recycled), weekly time slots per
-- channel, and the engagement each published target got (the input of "best time to post").

CREATE TABLE categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- #rrggbb
    colour TEXT NOT NULL,
    -- Evergreen content stays true: once published, it may be posted again.
    evergreen BOOLEAN NOT NULL DEFAULT FALSE,
    -- Whether the queue refills this category's empty slots from its published evergreen posts.
    recycle BOOLEAN NOT NULL DEFAULT FALSE,
    -- A post is recycled at most once in this many days.
    recycle_after_days INTEGER NOT NULL DEFAULT 90,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX categories_workspace_name ON categories(workspace_id, name);

ALTER TABLE posts ADD COLUMN category_id INTEGER REFERENCES categories(id) ON DELETE SET NULL;
-- A recycled post is a new post copied from this one (never the same row published twice).
ALTER TABLE posts ADD COLUMN recycled_from INTEGER REFERENCES posts(id) ON DELETE SET NULL;
CREATE INDEX posts_workspace_category ON posts(workspace_id, category_id);
CREATE INDEX posts_workspace_recycled_from ON posts(workspace_id, recycled_from);

-- Weekly slots, on the workspace's wall clock (never UTC: a 09:30 slot stays at 09:30 across
-- daylight-saving changes). The instants are computed when the queue is read or filled.
CREATE TABLE queue_slots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    -- ISO day of the week: 1 Monday … 7 Sunday.
    weekday INTEGER NOT NULL,
    -- HH:MM, 24-hour clock.
    local_time TEXT NOT NULL,
    -- Reserved for posts of this category (and its recycling), if set.
    category_id INTEGER REFERENCES categories(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX queue_slots_channel_time ON queue_slots(workspace_id, channel_id, weekday, local_time);

-- Engagement of a published target, as last collected (the reports will fill it; the API
-- takes it today). Best time to post reads it.
CREATE TABLE post_metrics (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    target_id INTEGER NOT NULL REFERENCES post_targets(id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    published_at INTEGER NOT NULL,
    likes INTEGER NOT NULL DEFAULT 0,
    replies INTEGER NOT NULL DEFAULT 0,
    reposts INTEGER NOT NULL DEFAULT 0,
    clicks INTEGER NOT NULL DEFAULT 0,
    collected_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, target_id)
);
CREATE INDEX post_metrics_channel ON post_metrics(workspace_id, channel_id, published_at);
