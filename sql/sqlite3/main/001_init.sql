-- mod_ailes main database, SQLite. Personal names never live here: they are
-- sealed in the vault database (sql/*/vault/). Times are UTC epoch seconds,
-- audit times UTC epoch microseconds; rendering to JST happens on output.
CREATE TABLE tenants (
    id            INTEGER PRIMARY KEY,
    slug          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    terminated_on TEXT
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
    employee_no   TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    password_hash TEXT,
    status        TEXT    NOT NULL DEFAULT 'active',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (tenant_id, employee_no)
);

-- Failed logins per (tenant, employee number), whether or not such a user
-- exists, so that lockout reveals nothing. An attempt is counted before the
-- password is checked (atomic upsert), so concurrent guesses cannot beat
-- the limit. locked_until: epoch seconds, NULL when not locked.
CREATE TABLE login_attempts (
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
    employee_no   TEXT    NOT NULL,
    failures      INTEGER NOT NULL,
    locked_until  INTEGER,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, employee_no)
);

-- Session ids are stored only as SHA-256 hashes.
CREATE TABLE sessions (
    id_hash     TEXT    PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    csrf_token  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);

-- Audit rows outlive tenants and users (the spec: logs are not deleted with
-- a contract), so they carry values, not foreign keys.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER,
    at_us       INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    client_ip   TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    request_id  TEXT
);
CREATE INDEX audit_tenant_at ON audit (tenant_id, at_us);
