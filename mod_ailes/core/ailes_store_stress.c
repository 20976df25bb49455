/* Stress-check storage; see ailes_store_stress.h. */
#include <string.h>

#include <apr_strings.h>

#include "ailes_db.h"
#include "ailes_store_stress.h"
#include "ailes_time.h"

#define CAMPAIGN_COLUMNS                                                    \
    "SELECT id, name, starts_on, ends_on, method, thr_b, thr_ac, "         \
    "thr_b_ac, status, purge_after FROM sc_campaigns "

static const ailes_stmt_t st_campaign_add = {
    "ailes_sc_campaign_add", 10,
    "INSERT INTO sc_campaigns (tenant_id, name, starts_on, ends_on, method, "
    "thr_b, thr_ac, thr_b_ac, purge_after, created_at) "
    "VALUES (%lld, %s, %s, %s, %lld, %lld, %lld, %lld, %lld, %lld)"
};

static const ailes_stmt_t st_campaign_by_name = {
    "ailes_sc_campaign_by_name", 2,
    "SELECT id FROM sc_campaigns WHERE tenant_id = %lld AND name = %s"
};

static const ailes_stmt_t st_campaign_get = {
    "ailes_sc_campaign_get", 2,
    CAMPAIGN_COLUMNS "WHERE tenant_id = %lld AND id = %lld"
};

static const ailes_stmt_t st_campaign_list = {
    "ailes_sc_campaign_list", 1,
    CAMPAIGN_COLUMNS "WHERE tenant_id = %lld ORDER BY id DESC"
};

static const ailes_stmt_t st_campaign_close = {
    "ailes_sc_campaign_close", 2,
    "UPDATE sc_campaigns SET status = 'closed' "
    "WHERE tenant_id = %lld AND id = %lld"
};

#define RESPONSE_COLUMNS                                                    \
    "SELECT r.user_id, u.employee_no, r.sex, r.answers, "                  \
    "COALESCE(r.submitted_at, 0), COALESCE(r.score_a, 0), "                \
    "COALESCE(r.score_b, 0), COALESCE(r.score_c, 0), "                     \
    "COALESCE(r.high_stress, 0), r.points, COALESCE(r.consent_at, 0), "    \
    "COALESCE(r.interview_at, 0) FROM sc_responses r JOIN users u "        \
    "ON u.id = r.user_id AND u.tenant_id = r.tenant_id "

static const ailes_stmt_t st_response_get = {
    "ailes_sc_response_get", 3,
    RESPONSE_COLUMNS
    "WHERE r.tenant_id = %lld AND r.campaign_id = %lld AND r.user_id = %lld"
};

static const ailes_stmt_t st_response_save = {
    "ailes_sc_response_save", 12,
    "INSERT INTO sc_responses (tenant_id, campaign_id, user_id, sex, "
    "answers, submitted_at, score_a, score_b, score_c, high_stress, points, "
    "updated_at) VALUES (%lld, %lld, %lld, %s, %s, %lld, %lld, %lld, %lld, "
    "%lld, %s, %lld) "
    "ON CONFLICT (campaign_id, user_id) DO UPDATE SET sex = excluded.sex, "
    "answers = excluded.answers, submitted_at = excluded.submitted_at, "
    "score_a = excluded.score_a, score_b = excluded.score_b, "
    "score_c = excluded.score_c, high_stress = excluded.high_stress, "
    "points = excluded.points, updated_at = excluded.updated_at"
};

static const ailes_stmt_t st_response_mark = {
    "ailes_sc_response_mark", 5,
    "UPDATE sc_responses SET consent_at = COALESCE(consent_at, %lld), "
    "interview_at = COALESCE(interview_at, %lld) "
    "WHERE tenant_id = %lld AND campaign_id = %lld AND user_id = %lld "
    "AND submitted_at IS NOT NULL"
};

#define IN_SCOPE_OF                                                         \
    "AND EXISTS (SELECT 1 FROM grants g JOIN user_labels ul "               \
    "ON ul.tenant_id = g.tenant_id AND ul.label_id = g.label_id "           \
    "WHERE g.tenant_id = r.tenant_id AND g.user_id = %lld "                 \
    "AND ul.user_id = r.user_id) "

static const ailes_stmt_t st_response_list = {
    "ailes_sc_response_list", 2,
    RESPONSE_COLUMNS "WHERE r.tenant_id = %lld AND r.campaign_id = %lld "
    "AND r.submitted_at IS NOT NULL ORDER BY u.employee_no"
};

static const ailes_stmt_t st_response_list_scope = {
    "ailes_sc_response_list_scope", 3,
    RESPONSE_COLUMNS "WHERE r.tenant_id = %lld AND r.campaign_id = %lld "
    "AND r.submitted_at IS NOT NULL " IN_SCOPE_OF "ORDER BY u.employee_no"
};

static const ailes_stmt_t st_response_list_consented = {
    "ailes_sc_response_list_consented", 2,
    RESPONSE_COLUMNS "WHERE r.tenant_id = %lld AND r.campaign_id = %lld "
    "AND r.submitted_at IS NOT NULL AND r.consent_at IS NOT NULL "
    "ORDER BY u.employee_no"
};

static const ailes_stmt_t st_response_list_label = {
    "ailes_sc_response_list_label", 3,
    RESPONSE_COLUMNS "WHERE r.tenant_id = %lld AND r.campaign_id = %lld "
    "AND r.submitted_at IS NOT NULL AND EXISTS (SELECT 1 FROM user_labels ul "
    "JOIN labels l ON l.tenant_id = ul.tenant_id AND l.id = ul.label_id "
    "WHERE ul.tenant_id = r.tenant_id AND ul.user_id = r.user_id AND "
    "l.name = %s) ORDER BY u.employee_no"
};

static const ailes_stmt_t st_campaign_label_add = {
    "ailes_sc_campaign_label_add", 3,
    "INSERT INTO sc_campaign_labels (tenant_id, campaign_id, label_id) "
    "VALUES (%lld, %lld, %lld)"
};

static const ailes_stmt_t st_campaign_targets = {
    "ailes_sc_campaign_targets", 5,
    "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM sc_campaign_labels WHERE "
    "tenant_id = %lld AND campaign_id = %lld) OR EXISTS (SELECT 1 FROM "
    "sc_campaign_labels cl JOIN user_labels ul ON ul.tenant_id = "
    "cl.tenant_id AND ul.label_id = cl.label_id WHERE cl.tenant_id = %lld "
    "AND cl.campaign_id = %lld AND ul.user_id = %lld)"
};

static const ailes_stmt_t st_all_label_names = {
    "ailes_sc_all_label_names", 1,
    "SELECT cl.campaign_id, l.name FROM sc_campaign_labels cl JOIN labels l "
    "ON l.tenant_id = cl.tenant_id AND l.id = cl.label_id WHERE "
    "cl.tenant_id = %lld ORDER BY cl.campaign_id, l.name"
};

static const ailes_stmt_t st_user_submitted = {
    "ailes_sc_user_submitted", 2,
    "SELECT campaign_id FROM sc_responses WHERE tenant_id = %lld AND "
    "user_id = %lld AND submitted_at > 0"
};

static const ailes_stmt_t st_user_labelled = {
    "ailes_sc_user_labelled", 2,
    "SELECT DISTINCT cl.campaign_id FROM sc_campaign_labels cl JOIN "
    "user_labels ul ON ul.tenant_id = cl.tenant_id AND ul.label_id = "
    "cl.label_id WHERE cl.tenant_id = %lld AND ul.user_id = %lld"
};

static const char *I(apr_pool_t *p, apr_int64_t v)
{
    return ailes_db_int(p, v);
}

static ailes_campaign_t *campaign_from_row(apr_pool_t *p,
                                           const ailes_row_t *row)
{
    ailes_campaign_t *c = apr_pcalloc(p, sizeof(*c));

    c->id = ailes_row_int(row, 0);
    c->name = row->cols[1];
    c->starts_on = row->cols[2];
    c->ends_on = row->cols[3];
    c->method = (int)ailes_row_int(row, 4);
    c->thr.b_alone = (int)ailes_row_int(row, 5);
    c->thr.ac = (int)ailes_row_int(row, 6);
    c->thr.b_with_ac = (int)ailes_row_int(row, 7);
    c->status = row->cols[8];
    c->purge_after = ailes_row_int(row, 9);
    return c;
}

static ailes_response_t *response_from_row(apr_pool_t *p,
                                           const ailes_row_t *row)
{
    ailes_response_t *r = apr_pcalloc(p, sizeof(*r));

    r->user_id = ailes_row_int(row, 0);
    r->employee_no = row->cols[1];
    r->sex = row->cols[2];
    r->answers = row->cols[3];
    r->submitted_at = ailes_row_int(row, 4);
    r->a = (int)ailes_row_int(row, 5);
    r->b = (int)ailes_row_int(row, 6);
    r->c = (int)ailes_row_int(row, 7);
    r->high_stress = (int)ailes_row_int(row, 8);
    r->points = row->cols[9];
    r->consent_at = ailes_row_int(row, 10);
    r->interview_at = ailes_row_int(row, 11);
    return r;
}

apr_status_t ailes_store_campaign_add(ailes_db_t *db, apr_pool_t *p,
                                      apr_int64_t tenant_id,
                                      const ailes_campaign_t *c,
                                      apr_int64_t *id)
{
    ailes_row_t *row;
    apr_status_t rv;

    *id = 0;
    rv = ailes_db_row(db, p, &st_campaign_by_name, &row,
                      AILES_ARGS(I(p, tenant_id), c->name));
    if (APR_SUCCESS == rv) {
        return APR_EEXIST;
    }
    if (APR_NOTFOUND != rv) {
        return rv;
    }
    rv = ailes_db_exec(db, p, &st_campaign_add, NULL,
                       AILES_ARGS(I(p, tenant_id), c->name, c->starts_on,
                                  c->ends_on, I(p, c->method),
                                  I(p, c->thr.b_alone), I(p, c->thr.ac),
                                  I(p, c->thr.b_with_ac),
                                  I(p, c->purge_after),
                                  I(p, ailes_time_sec(apr_time_now()))));
    if (APR_SUCCESS == rv) {
        rv = ailes_db_row(db, p, &st_campaign_by_name, &row,
                          AILES_ARGS(I(p, tenant_id), c->name));
        if (APR_SUCCESS == rv) {
            *id = ailes_row_int(row, 0);
        }
    }
    return rv;
}

apr_status_t ailes_store_campaign_get(ailes_db_t *db, apr_pool_t *p,
                                      apr_int64_t tenant_id, apr_int64_t id,
                                      ailes_campaign_t **c)
{
    ailes_row_t *row;
    apr_status_t rv = ailes_db_row(db, p, &st_campaign_get, &row,
                                   AILES_ARGS(I(p, tenant_id), I(p, id)));

    *c = APR_SUCCESS == rv ? campaign_from_row(p, row) : NULL;
    return rv;
}

apr_status_t ailes_store_campaign_list(ailes_db_t *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       apr_array_header_t **list)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *list = apr_array_make(p, 4, sizeof(ailes_campaign_t *));
    rv = ailes_db_rows(db, p, &st_campaign_list, &rows,
                       AILES_ARGS(I(p, tenant_id)));
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        APR_ARRAY_PUSH(*list, ailes_campaign_t *) =
            campaign_from_row(p, APR_ARRAY_IDX(rows, i, ailes_row_t *));
    }
    return rv;
}

apr_status_t ailes_store_campaign_close(ailes_db_t *db, apr_pool_t *p,
                                        apr_int64_t tenant_id, apr_int64_t id)
{
    return ailes_db_exec_one(db, p, &st_campaign_close,
                             AILES_ARGS(I(p, tenant_id), I(p, id)));
}

apr_status_t ailes_store_response_get(ailes_db_t *db, apr_pool_t *p,
                                      apr_int64_t tenant_id,
                                      apr_int64_t campaign_id,
                                      apr_int64_t user_id,
                                      ailes_response_t **r)
{
    ailes_row_t *row;
    apr_status_t rv = ailes_db_row(db, p, &st_response_get, &row,
                                   AILES_ARGS(I(p, tenant_id),
                                              I(p, campaign_id),
                                              I(p, user_id)));

    *r = APR_SUCCESS == rv ? response_from_row(p, row) : NULL;
    return rv;
}

apr_status_t ailes_store_response_save(ailes_db_t *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       apr_int64_t campaign_id,
                                       apr_int64_t user_id,
                                       const ailes_response_t *r)
{
    int done = r->submitted_at > 0;

    return ailes_db_exec(db, p, &st_response_save, NULL,
                         AILES_ARGS(I(p, tenant_id), I(p, campaign_id),
                                    I(p, user_id), r->sex, r->answers,
                                    done ? I(p, r->submitted_at) : NULL,
                                    done ? I(p, r->a) : NULL,
                                    done ? I(p, r->b) : NULL,
                                    done ? I(p, r->c) : NULL,
                                    done ? I(p, r->high_stress) : NULL,
                                    done ? r->points : NULL,
                                    I(p, ailes_time_sec(apr_time_now()))));
}

apr_status_t ailes_store_response_mark(ailes_db_t *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       apr_int64_t campaign_id,
                                       apr_int64_t user_id,
                                       apr_int64_t consent_at,
                                       apr_int64_t interview_at)
{
    return ailes_db_exec_one(db, p, &st_response_mark,
                             AILES_ARGS(consent_at ? I(p, consent_at)
                                                   : NULL,
                                        interview_at
                                            ? I(p, interview_at)
                                            : NULL,
                                        I(p, tenant_id),
                                        I(p, campaign_id),
                                        I(p, user_id)));
}

apr_status_t ailes_store_response_list(ailes_db_t *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       apr_int64_t campaign_id,
                                       apr_int64_t in_scope_of,
                                       int consented_only,
                                       apr_array_header_t **list)
{
    const char *t = I(p, tenant_id), *c = I(p, campaign_id);
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *list = apr_array_make(p, 16, sizeof(ailes_response_t *));
    if (consented_only) {
        rv = ailes_db_rows(db, p, &st_response_list_consented, &rows,
                           AILES_ARGS(t, c));
    }
    else if (in_scope_of > 0) {
        rv = ailes_db_rows(db, p, &st_response_list_scope, &rows,
                           AILES_ARGS(t, c, I(p, in_scope_of)));
    }
    else {
        rv = ailes_db_rows(db, p, &st_response_list, &rows, AILES_ARGS(t, c));
    }
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        APR_ARRAY_PUSH(*list, ailes_response_t *) =
            response_from_row(p, APR_ARRAY_IDX(rows, i, ailes_row_t *));
    }
    return rv;
}

apr_status_t ailes_store_response_list_label(ailes_db_t *db, apr_pool_t *p,
                                             apr_int64_t tenant_id,
                                             apr_int64_t campaign_id,
                                             const char *label,
                                             apr_array_header_t **list)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *list = apr_array_make(p, 16, sizeof(ailes_response_t *));
    rv = ailes_db_rows(db, p, &st_response_list_label, &rows,
                       AILES_ARGS(I(p, tenant_id), I(p, campaign_id), label));
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        APR_ARRAY_PUSH(*list, ailes_response_t *) =
            response_from_row(p, APR_ARRAY_IDX(rows, i, ailes_row_t *));
    }
    return rv;
}

apr_status_t ailes_store_campaign_set_labels(ailes_db_t *db, apr_pool_t *p,
                                             apr_int64_t tenant_id,
                                             apr_int64_t campaign_id,
                                             const apr_array_header_t *ids)
{
    apr_status_t rv = APR_SUCCESS;
    int i;

    for (i = 0; APR_SUCCESS == rv && i < ids->nelts; i++) {
        rv = ailes_db_exec(db, p, &st_campaign_label_add, NULL,
                           AILES_ARGS(I(p, tenant_id), I(p, campaign_id),
                                      I(p, APR_ARRAY_IDX(ids, i,
                                                         apr_int64_t))));
    }
    return rv;
}

apr_status_t ailes_store_campaign_targets(ailes_db_t *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          apr_int64_t campaign_id,
                                          apr_int64_t user_id)
{
    const char *t = I(p, tenant_id), *c = I(p, campaign_id);
    ailes_row_t *row;

    return ailes_db_row(db, p, &st_campaign_targets, &row,
                        AILES_ARGS(t, c, t, c, I(p, user_id)));
}

/* campaign id (first column) -> "1", for every row. */
static apr_hash_t *id_set(apr_pool_t *p, const apr_array_header_t *rows)
{
    apr_hash_t *h = apr_hash_make(p);
    int i;

    for (i = 0; i < rows->nelts; i++) {
        apr_hash_set(h, APR_ARRAY_IDX(rows, i, ailes_row_t *)->cols[0],
                     APR_HASH_KEY_STRING, "1");
    }
    return h;
}

apr_status_t ailes_store_campaign_overview(ailes_db_t *db, apr_pool_t *p,
                                           apr_int64_t tenant_id,
                                           apr_int64_t user_id,
                                           ailes_campaign_overview_t *o)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    memset(o, 0, sizeof(*o));
    o->labels = apr_hash_make(p);
    rv = ailes_db_rows(db, p, &st_all_label_names, &rows,
                       AILES_ARGS(I(p, tenant_id)));
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        const ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        apr_array_header_t *names = apr_hash_get(o->labels, row->cols[0],
                                                 APR_HASH_KEY_STRING);
        if (!names) {
            names = apr_array_make(p, 2, sizeof(const char *));
            apr_hash_set(o->labels, row->cols[0], APR_HASH_KEY_STRING,
                         names);
        }
        APR_ARRAY_PUSH(names, const char *) = row->cols[1];
    }
    if (APR_SUCCESS != rv || !user_id) {
        return rv;
    }
    rv = ailes_db_rows(db, p, &st_user_submitted, &rows,
                       AILES_ARGS(I(p, tenant_id), I(p, user_id)));
    if (APR_SUCCESS != rv) {
        return rv;
    }
    o->submitted = id_set(p, rows);
    rv = ailes_db_rows(db, p, &st_user_labelled, &rows,
                       AILES_ARGS(I(p, tenant_id), I(p, user_id)));
    if (APR_SUCCESS == rv) {
        o->labelled = id_set(p, rows);
    }
    return rv;
}
