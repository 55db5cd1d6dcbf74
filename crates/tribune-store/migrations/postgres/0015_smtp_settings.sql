-- SMTP settings saved from the administration page, used when neither the configuration file
-- nor the environment sets an SMTP server (those win). One row at most (id = 1). The password
-- is sealed with the instance's secret key, like channel credentials, and never shown back.
CREATE TABLE smtp_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    host TEXT NOT NULL,
    port BIGINT NOT NULL,
    tls TEXT NOT NULL,
    username TEXT,
    password_sealed TEXT,
    from_address TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
