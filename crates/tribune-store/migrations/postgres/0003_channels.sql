-- Channels (connected network accounts), the team's notifications, and the OAuth bookkeeping
-- for networks that need an app registration per server (Mastodon).

CREATE TABLE channels (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    network TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    handle TEXT NOT NULL,
    display_name TEXT NOT NULL,
    avatar_url TEXT,
    profile_url TEXT,
    -- The avatar, fetched once and served by tribune (no third-party requests from pages).
    avatar BYTEA,
    avatar_type TEXT,
    capabilities TEXT NOT NULL,
    -- Sealed (XChaCha20-Poly1305) JSON; NULL once disconnected.
    credentials TEXT,
    -- active | broken | disconnected
    state TEXT NOT NULL,
    state_message TEXT NOT NULL DEFAULT '',
    state_changed_at BIGINT NOT NULL,
    token_expires_at BIGINT,
    rate_limited_until BIGINT,
    inbox_cursor TEXT,
    connected_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    last_checked_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX channels_account ON channels(workspace_id, network, remote_id);
CREATE INDEX channels_token_expiry ON channels(token_expires_at) WHERE state = 'active';

CREATE TABLE notifications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    channel_id BIGINT REFERENCES channels(id) ON DELETE CASCADE,
    message TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX notifications_open ON notifications(workspace_id, resolved_at, created_at);

CREATE TABLE oauth_apps (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    network TEXT NOT NULL,
    server TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    client_id TEXT NOT NULL,
    -- Sealed.
    client_secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth_apps_server ON oauth_apps(network, server, redirect_uri);

CREATE TABLE oauth_states (
    state_hash TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    network TEXT NOT NULL,
    server TEXT NOT NULL,
    -- Sealed PKCE verifier.
    verifier TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oauth_states_workspace ON oauth_states(workspace_id);
