-- Two-factor recovery codes: ten per account with TOTP on, stored as SHA-256 digests (they are
-- random and high-entropy, like API tokens), each usable once (`used_at` is set by a
-- conditional UPDATE, so two nodes cannot both accept one).

CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE UNIQUE INDEX recovery_codes_user_code ON recovery_codes(user_id, code_hash);
