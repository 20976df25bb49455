/* Notices storage; see ailes_store_notice.h. */
#include <string.h>

#include <apr_strings.h>

#include "ailes_db.h"
#include "ailes_store_notice.h"

#define NOTICE_COLUMNS                                                      \
    "SELECT n.id, n.severity, n.all_tenants, n.title, n.body, n.what, "    \
    "n.cause, n.response, n.starts_at, COALESCE(n.ends_at, 0), "           \
    "n.created_at, n.updated_at "

/* The one visibility rule: parameters now, now, tenant. */
#define VISIBLE                                                             \
    "n.starts_at <= %lld AND (n.ends_at IS NULL OR n.ends_at > %lld) "     \
    "AND (n.all_tenants = 1 OR EXISTS (SELECT 1 FROM notice_tenants nt "   \
    "WHERE nt.notice_id = n.id AND nt.tenant_id = %lld)) "

static const ailes_stmt_t st_notice_add = {
    "ailes_notice_add", 11,
    "INSERT INTO notices (severity, all_tenants, title, body, what, cause, "
    "response, starts_at, ends_at, created_at, updated_at) VALUES (%s, "
    "%lld, %s, %s, %s, %s, %s, %lld, %lld, %lld, %lld) RETURNING id"
};

static const ailes_stmt_t st_notice_target = {
    "ailes_notice_target", 2,
    "INSERT INTO notice_tenants (notice_id, tenant_id) VALUES (%lld, %lld)"
};

static const ailes_stmt_t st_notice_get = {
    "ailes_notice_get", 1, NOTICE_COLUMNS "FROM notices n WHERE n.id = %lld"
};

static const ailes_stmt_t st_notice_touch = {
    "ailes_notice_touch", 5,
    "UPDATE notices SET ends_at = COALESCE(%lld, ends_at), "
    "cause = COALESCE(%s, cause), response = COALESCE(%s, response), "
    "updated_at = %lld WHERE id = %lld"
};

static const ailes_stmt_t st_notice_update_add = {
    "ailes_notice_update_add", 3,
    "INSERT INTO notice_updates (notice_id, body, created_at) "
    "VALUES (%lld, %s, %lld)"
};

static const ailes_stmt_t st_notice_all = {
    "ailes_notice_all", 0,
    NOTICE_COLUMNS "FROM notices n ORDER BY n.starts_at DESC, n.id DESC "
    "LIMIT 500"
};

static const ailes_stmt_t st_notice_targets = {
    "ailes_notice_targets", 1,
    "SELECT t.slug FROM notice_tenants nt JOIN tenants t "
    "ON t.id = nt.tenant_id WHERE nt.notice_id = %lld ORDER BY t.slug"
};

static const ailes_stmt_t st_notice_updates_of = {
    "ailes_notice_updates_of", 1,
    "SELECT notice_id, body, created_at FROM notice_updates "
    "WHERE notice_id = %lld ORDER BY id"
};

static const ailes_stmt_t st_notice_visible = {
    "ailes_notice_visible", 5,
    NOTICE_COLUMNS ", CASE WHEN r.notice_id IS NULL THEN 0 ELSE 1 END "
    "FROM notices n LEFT JOIN notice_reads r ON r.notice_id = n.id "
    "AND r.tenant_id = %lld AND r.user_id = %lld WHERE " VISIBLE
    "ORDER BY n.starts_at DESC, n.id DESC LIMIT 100"
};

static const ailes_stmt_t st_notice_visible_updates = {
    "ailes_notice_visible_updates", 3,
    "SELECT u.notice_id, u.body, u.created_at FROM notice_updates u "
    "JOIN notices n ON n.id = u.notice_id WHERE " VISIBLE "ORDER BY u.id"
};

static const ailes_stmt_t st_notice_sees = {
    "ailes_notice_sees", 4,
    "SELECT n.id FROM notices n WHERE n.id = %lld AND " VISIBLE
};

static const ailes_stmt_t st_notice_mark = {
    "ailes_notice_mark", 4,
    "INSERT INTO notice_reads (tenant_id, user_id, notice_id, read_at) "
    "VALUES (%lld, %lld, %lld, %lld) ON CONFLICT DO NOTHING"
};

static const ailes_stmt_t st_tenant_ids = {
    "ailes_tenant_ids", 0,
    "SELECT id FROM tenants ORDER BY id"
};

static const char *I(apr_pool_t *p, apr_int64_t v)
{
    return ailes_db_int(p, v);
}

static ailes_notice_rec_t *notice_from_row(apr_pool_t *p,
                                           const ailes_row_t *row)
{
    ailes_notice_rec_t *n = apr_pcalloc(p, sizeof(*n));

    n->id = ailes_row_int(row, 0);
    n->severity = row->cols[1];
    n->all_tenants = ailes_row_int(row, 2) != 0;
    n->title = row->cols[3];
    n->body = row->cols[4];
    n->what = row->cols[5];
    n->cause = row->cols[6];
    n->response = row->cols[7];
    n->starts_at = ailes_row_int(row, 8);
    n->ends_at = ailes_row_int(row, 9);
    n->created_at = ailes_row_int(row, 10);
    n->updated_at = ailes_row_int(row, 11);
    n->updates = apr_array_make(p, 0, sizeof(ailes_notice_update_t *));
    return n;
}

static void add_update(apr_pool_t *p, ailes_notice_rec_t *n,
                       const ailes_row_t *row)
{
    ailes_notice_update_t *u = apr_pcalloc(p, sizeof(*u));

    u->body = row->cols[1];
    u->created_at = ailes_row_int(row, 2);
    APR_ARRAY_PUSH(n->updates, ailes_notice_update_t *) = u;
}

apr_status_t ailes_store_notice_add(ailes_db_t *db, apr_pool_t *p,
                                    ailes_notice_rec_t *n,
                                    const apr_array_header_t *tenant_ids,
                                    apr_int64_t now)
{
    ailes_row_t *row;
    apr_status_t rv;
    int i;

    rv = ailes_db_row(db, p, &st_notice_add, &row,
                      AILES_ARGS(n->severity, I(p, n->all_tenants ? 1 : 0),
                                 n->title, n->body, n->what, n->cause,
                                 n->response, I(p, n->starts_at),
                                 n->ends_at ? I(p, n->ends_at) : NULL,
                                 I(p, now), I(p, now)));
    if (APR_SUCCESS != rv) {
        return rv;
    }
    n->id = ailes_row_int(row, 0);
    for (i = 0; !n->all_tenants && tenant_ids && i < tenant_ids->nelts;
         i++) {
        rv = ailes_db_exec(db, p, &st_notice_target, NULL,
                           AILES_ARGS(I(p, n->id),
                                      I(p, APR_ARRAY_IDX(tenant_ids, i,
                                                         apr_int64_t))));
        if (APR_SUCCESS != rv) {
            return rv;
        }
    }
    return APR_SUCCESS;
}

apr_status_t ailes_store_notice_get(ailes_db_t *db, apr_pool_t *p,
                                    apr_int64_t id, ailes_notice_rec_t **n)
{
    ailes_row_t *row;
    apr_status_t rv;

    *n = NULL;
    rv = ailes_db_row(db, p, &st_notice_get, &row, AILES_ARGS(I(p, id)));
    if (APR_SUCCESS == rv) {
        *n = notice_from_row(p, row);
    }
    return rv;
}

apr_status_t ailes_store_notice_update(ailes_db_t *db, apr_pool_t *p,
                                       apr_int64_t id, const char *body,
                                       apr_int64_t ends_at,
                                       const char *cause,
                                       const char *response,
                                       apr_int64_t now)
{
    apr_status_t rv;

    rv = ailes_db_exec_one(db, p, &st_notice_touch,
                           AILES_ARGS(ends_at ? I(p, ends_at) : NULL, cause,
                                      response, I(p, now), I(p, id)));
    if (APR_SUCCESS == rv) {
        rv = ailes_db_exec(db, p, &st_notice_update_add, NULL,
                           AILES_ARGS(I(p, id), body, I(p, now)));
    }
    return rv;
}

apr_status_t ailes_store_notice_list_all(ailes_db_t *db, apr_pool_t *p,
                                         apr_array_header_t **list)
{
    apr_array_header_t *rows, *slugs, *ups;
    apr_status_t rv;
    int i, j;

    *list = apr_array_make(p, 8, sizeof(ailes_notice_rec_t *));
    if (APR_SUCCESS != (rv = ailes_db_rows(db, p, &st_notice_all, &rows,
                                           AILES_NOARGS))) {
        return rv;
    }
    for (i = 0; i < rows->nelts; i++) {
        ailes_notice_rec_t *n =
            notice_from_row(p, APR_ARRAY_IDX(rows, i, ailes_row_t *));
        const char *t = "";

        rv = ailes_db_rows(db, p, &st_notice_targets, &slugs,
                           AILES_ARGS(I(p, n->id)));
        if (APR_SUCCESS == rv) {
            rv = ailes_db_rows(db, p, &st_notice_updates_of, &ups,
                               AILES_ARGS(I(p, n->id)));
        }
        if (APR_SUCCESS != rv) {
            return rv;
        }
        for (j = 0; j < slugs->nelts; j++) {
            t = apr_pstrcat(p, t, j ? "," : "",
                            APR_ARRAY_IDX(slugs, j, ailes_row_t *)->cols[0],
                            NULL);
        }
        n->tenants = n->all_tenants ? "all" : t;
        for (j = 0; j < ups->nelts; j++) {
            add_update(p, n, APR_ARRAY_IDX(ups, j, ailes_row_t *));
        }
        APR_ARRAY_PUSH(*list, ailes_notice_rec_t *) = n;
    }
    return APR_SUCCESS;
}

apr_status_t ailes_store_notice_visible(ailes_db_t *db, apr_pool_t *p,
                                        apr_int64_t tenant_id,
                                        apr_int64_t user_id,
                                        apr_int64_t now,
                                        apr_array_header_t **list)
{
    const char *t = I(p, tenant_id), *n = I(p, now);
    apr_array_header_t *rows, *ups;
    apr_hash_t *by_id = apr_hash_make(p);
    apr_status_t rv;
    int i;

    *list = apr_array_make(p, 8, sizeof(ailes_notice_rec_t *));
    rv = ailes_db_rows(db, p, &st_notice_visible, &rows,
                       AILES_ARGS(t, I(p, user_id), n, n, t));
    if (APR_SUCCESS == rv) {
        rv = ailes_db_rows(db, p, &st_notice_visible_updates, &ups,
                           AILES_ARGS(n, n, t));
    }
    if (APR_SUCCESS != rv) {
        return rv;
    }
    for (i = 0; i < rows->nelts; i++) {
        ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        ailes_notice_rec_t *rec = notice_from_row(p, row);

        rec->read = ailes_row_int(row, 12) != 0;
        apr_hash_set(by_id, row->cols[0], APR_HASH_KEY_STRING, rec);
        APR_ARRAY_PUSH(*list, ailes_notice_rec_t *) = rec;
    }
    for (i = 0; i < ups->nelts; i++) {
        ailes_row_t *row = APR_ARRAY_IDX(ups, i, ailes_row_t *);
        ailes_notice_rec_t *rec = apr_hash_get(by_id, row->cols[0],
                                               APR_HASH_KEY_STRING);
        if (rec) {          /* beyond the 100 listed: left out */
            add_update(p, rec, row);
        }
    }
    return APR_SUCCESS;
}

apr_status_t ailes_store_notice_read(ailes_db_t *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id, apr_int64_t id,
                                     apr_int64_t now)
{
    const char *t = I(p, tenant_id), *n = I(p, now);
    ailes_row_t *row;
    apr_status_t rv;

    rv = ailes_db_row(db, p, &st_notice_sees, &row,
                      AILES_ARGS(I(p, id), n, n, t));
    if (APR_SUCCESS != rv) {
        return rv;
    }
    return ailes_db_exec(db, p, &st_notice_mark, NULL,
                         AILES_ARGS(t, I(p, user_id), I(p, id), n));
}

apr_status_t ailes_store_tenant_ids(ailes_db_t *db, apr_pool_t *p,
                                    apr_array_header_t **ids)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *ids = apr_array_make(p, 8, sizeof(apr_int64_t));
    rv = ailes_db_rows(db, p, &st_tenant_ids, &rows, AILES_NOARGS);
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        APR_ARRAY_PUSH(*ids, apr_int64_t) =
            ailes_row_int(APR_ARRAY_IDX(rows, i, ailes_row_t *), 0);
    }
    return rv;
}
