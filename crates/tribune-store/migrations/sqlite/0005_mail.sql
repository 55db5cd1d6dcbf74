-- Password resets by e-mail, their rate limit, and one pending invitation per address and
-- workspace.

-- A single-use link to choose a new password; only the token's digest is kept.
CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX password_resets_user ON password_resets(user_id, created_at);

-- Every reset request, per address and per client address, whether or not an account exists.
CREATE TABLE password_reset_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX password_reset_requests_key_at ON password_reset_requests(key, at);

-- Re-inviting an address refreshes its pending invitation: keep the newest of any duplicates,
-- then let the database hold the rule.
DELETE FROM invitations
WHERE accepted_at IS NULL
  AND EXISTS (
    SELECT 1 FROM invitations AS newer
    WHERE newer.workspace_id = invitations.workspace_id
      AND newer.email = invitations.email
      AND newer.accepted_at IS NULL
      AND newer.id > invitations.id
  );
CREATE UNIQUE INDEX invitations_pending_email ON invitations(workspace_id, email)
    WHERE accepted_at IS NULL;
