-- In-app notices (お知らせ) for every tenant or chosen ones, written by
-- the operators (ailesctl notice add/update); times are epoch seconds
-- (UTC). ends_at NULL: shown until further notice. An incident notice
-- carries what happened, its cause and interim response when known, and
-- dated updates.
CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    severity    TEXT    NOT NULL,
    all_tenants INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    what        TEXT,
    cause       TEXT,
    response    TEXT,
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- The tenants a notice is for, when not all_tenants.
CREATE TABLE notice_tenants (
    notice_id   INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    PRIMARY KEY (notice_id, tenant_id)
);

CREATE TABLE notice_updates (
    id          INTEGER PRIMARY KEY,
    notice_id   INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Who has read what (per user).
CREATE TABLE notice_reads (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    notice_id   INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    read_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id, notice_id)
);

-- Mail waiting for `ailesctl mail flush`. The recipient is a user id: the
-- address (and name) are read from the vault when the mail is sent, never
-- stored here. status: queued, sent, failed (after the last attempt) or
-- no_address (the user has no address in the vault).
CREATE TABLE mail_queue (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'queued',
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    last_error  TEXT,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER
);
CREATE INDEX mail_queue_due ON mail_queue (status, next_at);
