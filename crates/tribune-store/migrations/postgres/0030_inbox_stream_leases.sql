-- Who follows a channel's push stream of inbox activity (issue #11: Mastodon's notification
-- stream): one process at a time, for a while it renews. The stream only says "fetch now";
-- the fetch job and its cursor stay the one way messages are stored.

CREATE TABLE inbox_stream_leases (
    channel_id BIGINT PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
