-- Stress check (ストレスチェック): campaigns run by stress-check staff, and
-- each examinee's response. answers holds 57 digits (0 = not answered
-- yet); the scores are kept with the verdict, as the law asks; consent
-- (to show the result to the employer) can only follow the result, and an
-- interview request counts as consent. Stress-check data has its own
-- deletion schedule (purge_after, epoch seconds).
CREATE TABLE sc_campaigns (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    name        TEXT    NOT NULL,
    starts_on   TEXT    NOT NULL,
    ends_on     TEXT    NOT NULL,
    method      INTEGER NOT NULL,
    thr_b       INTEGER NOT NULL,
    thr_ac      INTEGER NOT NULL,
    thr_b_ac    INTEGER NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'open',
    purge_after INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE sc_responses (
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    campaign_id  INTEGER NOT NULL REFERENCES sc_campaigns(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    sex          TEXT,
    answers      TEXT    NOT NULL,
    submitted_at INTEGER,
    score_a      INTEGER,
    score_b      INTEGER,
    score_c      INTEGER,
    high_stress  INTEGER,
    points       TEXT,
    consent_at   INTEGER,
    interview_at INTEGER,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, user_id)
);
