-- mod_ailes name vault, SQLite: a separate database from the main one.
-- Each value is AES-256-GCM sealed (base64 nonce and ciphertext), bound by
-- associated data to (tenant_id, user_id, field); key_id names the key.
CREATE TABLE vault_fields (
    tenant_id   INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    field       TEXT    NOT NULL,
    key_id      TEXT    NOT NULL,
    nonce       TEXT    NOT NULL,
    ciphertext  TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id, field)
);
