-- Two-factor recovery codes: ten per account with TOTP on, stored as SHA-256 digests (they are
-- random and high-entropy, like API tokens), each usable once (`used_at` is set by a
-- conditional UPDATE, so two nodes cannot both accept one).

CREATE TABLE recovery_codes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE UNIQUE INDEX recovery_codes_user_code ON recovery_codes(user_id, code_hash);
