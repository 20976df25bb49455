/* Health checkup storage; see ailes_store_checkup.h. */
#include <apr_strings.h>

#include "ailes_db.h"
#include "ailes_store_checkup.h"
#include "ailes_time.h"

static const ailes_stmt_t st_file_get = {
    "ailes_ck_file_get", 2,
    "SELECT rows_count FROM checkup_files WHERE tenant_id = %lld "
    "AND sha256 = %s"
};

static const ailes_stmt_t st_file_add = {
    "ailes_ck_file_add", 4,
    "INSERT INTO checkup_files (tenant_id, sha256, rows_count, uploaded_by, "
    "uploaded_at) VALUES (%lld, %s, 0, %s, %lld)"
};

static const ailes_stmt_t st_file_id = {
    "ailes_ck_file_id", 2,
    "SELECT id FROM checkup_files WHERE tenant_id = %lld AND sha256 = %s"
};

static const ailes_stmt_t st_file_rows = {
    "ailes_ck_file_rows", 3,
    "UPDATE checkup_files SET rows_count = %lld WHERE tenant_id = %lld "
    "AND id = %lld"
};

static const ailes_stmt_t st_in_file = {
    "ailes_ck_in_file", 5,
    "SELECT 1 FROM checkups WHERE tenant_id = %lld AND user_id = %lld "
    "AND exam_date = %s AND kind = %s AND file_id = %lld"
};

static const ailes_stmt_t st_user_ids = {
    "ailes_ck_user_ids", 1,
    "SELECT employee_no, id FROM users WHERE tenant_id = %lld"
};

static const ailes_stmt_t st_add = {
    "ailes_ck_add", 9,
    "INSERT INTO checkups (tenant_id, user_id, exam_date, kind, judgement, "
    "work_class, items, file_id, created_at) "
    "VALUES (%lld, %lld, %s, %s, %s, %s, %s, %lld, %lld) "
    "ON CONFLICT (tenant_id, user_id, exam_date, kind) DO NOTHING"
};

static const ailes_stmt_t st_of = {
    "ailes_ck_of", 2,
    "SELECT u.employee_no, c.exam_date, c.kind, c.judgement, c.work_class, "
    "c.items FROM checkups c JOIN users u ON u.tenant_id = c.tenant_id "
    "AND u.id = c.user_id WHERE c.tenant_id = %lld AND c.user_id = %lld "
    "ORDER BY c.exam_date DESC, c.id DESC"
};

/* The latest examination of u in [from, to], by a correlated subquery. */
#define LATEST(extra)                                                       \
    "c.id = (SELECT c2.id FROM checkups c2 WHERE c2.tenant_id = u.tenant_id " \
    "AND c2.user_id = u.id AND c2.exam_date >= %s AND c2.exam_date <= %s " \
    extra "ORDER BY c2.exam_date DESC, c2.id DESC LIMIT 1)"

static const ailes_stmt_t st_status = {
    "ailes_ck_status", 5,
    "SELECT u.employee_no, c.exam_date, c.kind, NULL, c.work_class, NULL "
    "FROM users u LEFT JOIN checkups c ON c.tenant_id = u.tenant_id AND "
    "c.user_id = u.id AND " LATEST("")
    " WHERE u.tenant_id = %lld ORDER BY u.employee_no LIMIT %lld OFFSET %lld"
};

static const ailes_stmt_t st_count = {
    "ailes_ck_count_users", 1,
    "SELECT COUNT(*) FROM users WHERE tenant_id = %lld"
};

static const ailes_stmt_t st_latest_periodic = {
    "ailes_ck_latest_periodic", 3,
    "SELECT NULL, c.exam_date, c.kind, c.judgement, c.work_class, c.items "
    "FROM users u JOIN checkups c ON c.tenant_id = u.tenant_id AND "
    "c.user_id = u.id AND " LATEST("AND c2.kind = 'periodic' ")
    " WHERE u.tenant_id = %lld"
};

static apr_array_header_t *checkup_rows(apr_pool_t *p,
                                        const apr_array_header_t *rows)
{
    apr_array_header_t *out = apr_array_make(p, rows->nelts + 1,
                                             sizeof(ailes_checkup_row_t));
    int i;

    for (i = 0; i < rows->nelts; i++) {
        const ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        ailes_checkup_row_t *c = apr_array_push(out);
        c->employee_no = row->cols[0];
        c->exam_date = row->cols[1];
        c->kind = row->cols[2];
        c->judgement = row->cols[3];
        c->work_class = row->cols[4];
        c->items = row->cols[5];
    }
    return out;
}

apr_status_t ailes_store_checkup_file_get(ailes_db_t *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          const char *sha256, int *rows)
{
    ailes_row_t *row;
    apr_status_t rv = ailes_db_row(db, p, &st_file_get, &row,
                                   AILES_ARGS(ailes_db_int(p, tenant_id),
                                              sha256));

    *rows = APR_SUCCESS == rv ? (int)ailes_row_int(row, 0) : 0;
    return rv;
}

apr_status_t ailes_store_checkup_file_add(ailes_db_t *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          const char *sha256,
                                          const char *actor,
                                          apr_int64_t *file_id)
{
    const char *t = ailes_db_int(p, tenant_id);
    ailes_row_t *row;
    apr_status_t rv;

    *file_id = 0;
    rv = ailes_db_exec(db, p, &st_file_add, NULL,
                       AILES_ARGS(t, sha256, actor,
                                  ailes_db_int(p, ailes_time_sec(
                                                      apr_time_now()))));
    if (APR_SUCCESS == rv) {
        rv = ailes_db_row(db, p, &st_file_id, &row, AILES_ARGS(t, sha256));
    }
    if (APR_SUCCESS == rv) {
        *file_id = ailes_row_int(row, 0);
    }
    return rv;
}

apr_status_t ailes_store_checkup_file_rows(ailes_db_t *db, apr_pool_t *p,
                                           apr_int64_t tenant_id,
                                           apr_int64_t file_id, int rows)
{
    int n = 0;
    apr_status_t rv = ailes_db_exec(
        db, p, &st_file_rows, &n,
        AILES_ARGS(ailes_db_int(p, rows), ailes_db_int(p, tenant_id),
                   ailes_db_int(p, file_id)));

    return APR_SUCCESS == rv && n != 1 ? APR_NOTFOUND : rv;
}

apr_status_t ailes_store_checkup_in_file(ailes_db_t *db, apr_pool_t *p,
                                         apr_int64_t tenant_id,
                                         apr_int64_t user_id,
                                         const ailes_checkup_t *c,
                                         apr_int64_t file_id)
{
    ailes_row_t *row;

    return ailes_db_row(db, p, &st_in_file, &row,
                        AILES_ARGS(ailes_db_int(p, tenant_id),
                                   ailes_db_int(p, user_id), c->exam_date,
                                   c->kind, ailes_db_int(p, file_id)));
}

apr_status_t ailes_store_user_ids(ailes_db_t *db, apr_pool_t *p,
                                  apr_int64_t tenant_id, apr_hash_t **ids)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *ids = apr_hash_make(p);
    rv = ailes_db_rows(db, p, &st_user_ids, &rows,
                       AILES_ARGS(ailes_db_int(p, tenant_id)));
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        const ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        apr_int64_t *id = apr_palloc(p, sizeof(*id));
        *id = ailes_row_int(row, 1);
        apr_hash_set(*ids, row->cols[0], APR_HASH_KEY_STRING, id);
    }
    return rv;
}

apr_status_t ailes_store_checkup_add(ailes_db_t *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id,
                                     const ailes_checkup_t *c,
                                     apr_int64_t file_id)
{
    int n = 0;
    apr_status_t rv = ailes_db_exec(
        db, p, &st_add, &n,
        AILES_ARGS(ailes_db_int(p, tenant_id), ailes_db_int(p, user_id),
                   c->exam_date, c->kind, c->judgement, c->work_class,
                   c->items, ailes_db_int(p, file_id),
                   ailes_db_int(p, ailes_time_sec(apr_time_now()))));

    return APR_SUCCESS == rv && n == 0 ? APR_EEXIST : rv;
}

apr_status_t ailes_store_checkups_of(ailes_db_t *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id,
                                     apr_array_header_t **list)
{
    apr_array_header_t *rows;
    apr_status_t rv = ailes_db_rows(db, p, &st_of, &rows,
                                    AILES_ARGS(ailes_db_int(p, tenant_id),
                                               ailes_db_int(p, user_id)));

    *list = APR_SUCCESS == rv ? checkup_rows(p, rows) : NULL;
    return rv;
}

apr_status_t ailes_store_checkup_status(ailes_db_t *db, apr_pool_t *p,
                                        apr_int64_t tenant_id,
                                        const char *from, const char *to,
                                        int page, int per_page,
                                        apr_array_header_t **list,
                                        apr_int64_t *total)
{
    const char *t = ailes_db_int(p, tenant_id);
    apr_array_header_t *rows;
    ailes_row_t *row;
    apr_status_t rv;

    *list = NULL;
    *total = 0;
    rv = ailes_db_rows(db, p, &st_status, &rows,
                       AILES_ARGS(from, to, t, ailes_db_int(p, per_page),
                                  ailes_db_int(p, (apr_int64_t)(page - 1)
                                                      * per_page)));
    if (APR_SUCCESS == rv) {
        *list = checkup_rows(p, rows);
        rv = ailes_db_row(db, p, &st_count, &row, AILES_ARGS(t));
    }
    if (APR_SUCCESS == rv) {
        *total = ailes_row_int(row, 0);
    }
    return rv;
}

apr_status_t ailes_store_checkup_latest_periodic(ailes_db_t *db,
                                                 apr_pool_t *p,
                                                 apr_int64_t tenant_id,
                                                 const char *from,
                                                 const char *to,
                                                 apr_array_header_t **list)
{
    apr_array_header_t *rows;
    apr_status_t rv = ailes_db_rows(db, p, &st_latest_periodic, &rows,
                                    AILES_ARGS(from, to,
                                               ailes_db_int(p, tenant_id)));

    *list = APR_SUCCESS == rv ? checkup_rows(p, rows) : NULL;
    return rv;
}
