-- mod_ailes name vault, PostgreSQL: a separate database from the main one.
CREATE TABLE vault_fields (
    tenant_id   BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    field       TEXT   NOT NULL,
    key_id      TEXT   NOT NULL,
    nonce       TEXT   NOT NULL,
    ciphertext  TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, field)
);
