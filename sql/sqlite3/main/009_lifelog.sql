-- Life-log entries and points (ライフログ / ポイント). One entry per person,
-- JST day (day number since 1970-01-01) and kind; posting again replaces
-- it and bumps rev. Values are whole numbers in the kind's unit (tenths
-- for sleep and weight; value2 is the diastolic pressure).
CREATE TABLE lifelog_entries (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day        INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    value      INTEGER NOT NULL,
    value2     INTEGER,
    source     TEXT    NOT NULL,
    rev        INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, user_id, day, kind)
);

-- Entries that look wrong against the person's own history; a tenant
-- admin reviews them. A flag is reversed by a reversal row in the ledger.
CREATE TABLE lifelog_flags (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day        INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    rev        INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    value      INTEGER NOT NULL,
    detail     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, user_id, day, kind, rev, reason)
);

-- Each tenant's points rules and caps; a tenant without a ruleset row is
-- seeded with the defaults on first use. NULL cap = none.
CREATE TABLE points_rulesets (
    tenant_id  INTEGER PRIMARY KEY REFERENCES tenants(id),
    cap_day    INTEGER,
    cap_week   INTEGER,
    cap_month  INTEGER,
    updated_at INTEGER NOT NULL
);

CREATE TABLE points_rules (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    pos        INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    min_value  INTEGER,
    max_value  INTEGER,
    points     INTEGER NOT NULL
);
CREATE INDEX points_rules_tenant ON points_rules (tenant_id, pos);

-- The points ledger: append-only. An award row is what one revision of
-- an entry earned (or the correction after a replacement); a reversal row
-- takes a flagged day back. The balance is the sum of the rows.
CREATE TABLE points_ledger (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day        INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    rev        INTEGER NOT NULL,
    type       TEXT    NOT NULL,
    amount     INTEGER NOT NULL,
    flag_id    INTEGER REFERENCES lifelog_flags(id) ON DELETE CASCADE,
    reason     TEXT,
    created_by INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX points_ledger_user ON points_ledger (tenant_id, user_id, day);
CREATE UNIQUE INDEX points_ledger_award ON points_ledger
    (tenant_id, user_id, day, kind, rev) WHERE type = 'award';
CREATE UNIQUE INDEX points_ledger_reversal ON points_ledger
    (tenant_id, flag_id) WHERE type = 'reversal';
