-- The last TOTP time step accepted for each user: a code cannot be used twice.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
