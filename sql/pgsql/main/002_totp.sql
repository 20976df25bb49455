-- TOTP second factor; see sql/sqlite3/main/002_totp.sql.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

CREATE TABLE recovery_codes (
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    user_id    BIGINT NOT NULL REFERENCES users(id),
    code_hash  TEXT   NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (tenant_id, user_id, code_hash)
);

ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
