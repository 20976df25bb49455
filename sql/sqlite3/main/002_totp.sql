-- TOTP second factor. Secrets are sealed with the vault key (AES-256-GCM,
-- bound to tenant, user and field) and stored as "key_id.nonce.ciphertext".
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
-- The last time step accepted: a code of that step or earlier is a replay.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- Recovery codes, only as SHA-256 hashes; each works once.
CREATE TABLE recovery_codes (
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    code_hash  TEXT    NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (tenant_id, user_id, code_hash)
);

-- What a session may do: 'full'; 'mfa' (password given, code pending);
-- 'enroll' (must set up TOTP before anything else).
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
