-- What a channel's server announces about the posts it accepts (a Mastodon instance's
-- configuration.statuses), read when the channel is connected and at each of its checks. NULL:
-- not announced (or not sane), the network's default applies (500 characters on Mastodon).

ALTER TABLE channels ADD COLUMN max_characters INTEGER;
ALTER TABLE channels ADD COLUMN characters_reserved_per_url INTEGER;
ALTER TABLE channels ADD COLUMN max_media_attachments INTEGER;
