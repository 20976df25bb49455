/* The mail queue; see ailes_store_mail.h. */
#include <apr_strings.h>

#include "ailes_db.h"
#include "ailes_store_mail.h"

static const ailes_stmt_t st_mail_add = {
    "ailes_mail_add", 7,
    "INSERT INTO mail_queue (tenant_id, user_id, kind, subject, body, "
    "next_at, created_at) VALUES (%lld, %lld, %s, %s, %s, %lld, %lld)"
};

static const ailes_stmt_t st_mail_due = {
    "ailes_mail_due", 2,
    "SELECT id, tenant_id, user_id, kind, subject, body, attempts "
    "FROM mail_queue WHERE status = 'queued' AND next_at <= %lld "
    "ORDER BY id LIMIT %lld"
};

static const ailes_stmt_t st_mail_claim = {
    "ailes_mail_claim", 3,
    "UPDATE mail_queue SET next_at = %lld WHERE id = %lld "
    "AND status = 'queued' AND next_at <= %lld"
};

static const ailes_stmt_t st_mail_sent = {
    "ailes_mail_sent", 2,
    "UPDATE mail_queue SET status = 'sent', attempts = attempts + 1, "
    "last_error = NULL, sent_at = %lld WHERE id = %lld"
};

static const ailes_stmt_t st_mail_attempt = {
    "ailes_mail_attempt", 4,
    "UPDATE mail_queue SET status = %s, attempts = attempts + 1, "
    "next_at = %lld, last_error = %s WHERE id = %lld"
};

static const ailes_stmt_t st_tenant_admin_ids = {
    "ailes_tenant_admin_ids", 1,
    "SELECT id FROM users WHERE tenant_id = %lld AND role = 'tenant_admin' "
    "AND status = 'active' ORDER BY id"
};

static const ailes_stmt_t st_mail_counts = {
    "ailes_mail_counts", 0,
    "SELECT status, COUNT(*) FROM mail_queue GROUP BY status ORDER BY status"
};

static const char *I(apr_pool_t *p, apr_int64_t v)
{
    return ailes_db_int(p, v);
}

apr_status_t ailes_store_mail_add(ailes_db_t *db, apr_pool_t *p,
                                  apr_int64_t tenant_id, apr_int64_t user_id,
                                  const char *kind, const char *subject,
                                  const char *body, apr_int64_t now)
{
    return ailes_db_exec(db, p, &st_mail_add, NULL,
                         AILES_ARGS(I(p, tenant_id), I(p, user_id), kind,
                                    subject, body, I(p, now), I(p, now)));
}

apr_status_t ailes_store_mail_due(ailes_db_t *db, apr_pool_t *p,
                                  apr_int64_t now, int max,
                                  apr_array_header_t **out)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *out = apr_array_make(p, 8, sizeof(ailes_mail_row_t *));
    rv = ailes_db_rows(db, p, &st_mail_due, &rows,
                       AILES_ARGS(I(p, now), I(p, max)));
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        ailes_mail_row_t *m = apr_pcalloc(p, sizeof(*m));

        m->id = ailes_row_int(row, 0);
        m->tenant_id = ailes_row_int(row, 1);
        m->user_id = ailes_row_int(row, 2);
        m->kind = row->cols[3];
        m->subject = row->cols[4];
        m->body = row->cols[5];
        m->attempts = (int)ailes_row_int(row, 6);
        APR_ARRAY_PUSH(*out, ailes_mail_row_t *) = m;
    }
    return rv;
}

apr_status_t ailes_store_mail_claim(ailes_db_t *db, apr_pool_t *p,
                                    apr_int64_t id, apr_int64_t now,
                                    apr_int64_t until)
{
    return ailes_db_exec_one(db, p, &st_mail_claim,
                             AILES_ARGS(I(p, until), I(p, id), I(p, now)));
}

apr_status_t ailes_store_mail_sent(ailes_db_t *db, apr_pool_t *p,
                                   apr_int64_t id, apr_int64_t now)
{
    return ailes_db_exec_one(db, p, &st_mail_sent,
                             AILES_ARGS(I(p, now), I(p, id)));
}

apr_status_t ailes_store_mail_attempt(ailes_db_t *db, apr_pool_t *p,
                                      apr_int64_t id, const char *status,
                                      apr_int64_t next_at,
                                      const char *error)
{
    return ailes_db_exec_one(db, p, &st_mail_attempt,
                             AILES_ARGS(status, I(p, next_at), error,
                                        I(p, id)));
}

apr_status_t ailes_store_tenant_admin_ids(ailes_db_t *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          apr_array_header_t **ids)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *ids = apr_array_make(p, 4, sizeof(apr_int64_t));
    rv = ailes_db_rows(db, p, &st_tenant_admin_ids, &rows,
                       AILES_ARGS(I(p, tenant_id)));
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        APR_ARRAY_PUSH(*ids, apr_int64_t) =
            ailes_row_int(APR_ARRAY_IDX(rows, i, ailes_row_t *), 0);
    }
    return rv;
}

apr_status_t ailes_store_mail_counts(ailes_db_t *db, apr_pool_t *p,
                                     const char **summary)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *summary = "";
    rv = ailes_db_rows(db, p, &st_mail_counts, &rows, AILES_NOARGS);
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        *summary = apr_pstrcat(p, *summary, i ? " " : "", row->cols[0], "=",
                               row->cols[1], NULL);
    }
    return rv;
}
