-- Health checkup results (定期健康診断, 安衛則44条), keyed by employee:
-- one row per examination (person, date, kind); the measured items are a
-- JSON object (see ailes_checkup.h). judgement (総合判定) and work_class
-- (就業区分) have columns because the employer's view shows them alone.
-- checkup_files records every accepted upload by its SHA-256, so the same
-- file sent twice is recognised and changes nothing.
CREATE TABLE checkup_files (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    sha256      TEXT    NOT NULL,
    rows_count  INTEGER NOT NULL,
    uploaded_by TEXT    NOT NULL,
    uploaded_at INTEGER NOT NULL,
    UNIQUE (tenant_id, sha256)
);

CREATE TABLE checkups (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    exam_date   TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    judgement   TEXT,
    work_class  TEXT,
    items       TEXT    NOT NULL,
    file_id     INTEGER NOT NULL REFERENCES checkup_files(id),
    created_at  INTEGER NOT NULL,
    UNIQUE (tenant_id, user_id, exam_date, kind)
);
CREATE INDEX checkups_by_date ON checkups (tenant_id, exam_date);
