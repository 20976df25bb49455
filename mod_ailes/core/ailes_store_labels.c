/* Labels, the labels people carry, the labels staff are granted, and the
 * one scope check every data endpoint asks ("may viewer see subject?").
 * See ailes_store.h. All SQL here takes the tenant. */
#include <string.h>

#include <apr_strings.h>

#include "ailes_db.h"
#include "ailes_store.h"
#include "ailes_time.h"

static const ailes_stmt_t st_label_list = {
    "ailes_label_list", 1,
    "SELECT l.name, (SELECT COUNT(*) FROM user_labels ul "
    "WHERE ul.tenant_id = l.tenant_id AND ul.label_id = l.id) "
    "FROM labels l WHERE l.tenant_id = %lld ORDER BY l.name"
};

static const ailes_stmt_t st_label_by_name = {
    "ailes_label_by_name", 2,
    "SELECT id FROM labels WHERE tenant_id = %lld AND name = %s"
};

static const ailes_stmt_t st_label_add = {
    "ailes_label_add", 3,
    "INSERT INTO labels (tenant_id, name, created_at) VALUES (%lld, %s, %lld)"
};

static const ailes_stmt_t st_user_label_names = {
    "ailes_user_label_names", 2,
    "SELECT l.name FROM user_labels ul JOIN labels l ON l.id = ul.label_id "
    "AND l.tenant_id = ul.tenant_id "
    "WHERE ul.tenant_id = %lld AND ul.user_id = %lld ORDER BY l.name"
};

static const ailes_stmt_t st_grant_names = {
    "ailes_grant_names", 2,
    "SELECT l.name FROM grants g JOIN labels l ON l.id = g.label_id "
    "AND l.tenant_id = g.tenant_id "
    "WHERE g.tenant_id = %lld AND g.user_id = %lld ORDER BY l.name"
};

static const ailes_stmt_t st_user_labels_clear = {
    "ailes_user_labels_clear", 2,
    "DELETE FROM user_labels WHERE tenant_id = %lld AND user_id = %lld"
};

static const ailes_stmt_t st_user_label_add = {
    "ailes_user_label_add", 3,
    "INSERT INTO user_labels (tenant_id, user_id, label_id) "
    "VALUES (%lld, %lld, %lld)"
};

static const ailes_stmt_t st_grants_clear = {
    "ailes_grants_clear", 2,
    "DELETE FROM grants WHERE tenant_id = %lld AND user_id = %lld"
};

static const ailes_stmt_t st_grant_add = {
    "ailes_grant_add", 3,
    "INSERT INTO grants (tenant_id, user_id, label_id) "
    "VALUES (%lld, %lld, %lld)"
};

static const ailes_stmt_t st_can_see = {
    "ailes_can_see", 3,
    "SELECT 1 FROM grants g JOIN user_labels ul "
    "ON ul.tenant_id = g.tenant_id AND ul.label_id = g.label_id "
    "WHERE g.tenant_id = %lld AND g.user_id = %lld AND ul.user_id = %lld "
    "LIMIT 1"
};

#define IN_SCOPE                                                            \
    "FROM users u WHERE u.tenant_id = %lld AND EXISTS (SELECT 1 FROM "      \
    "grants g JOIN user_labels ul ON ul.tenant_id = g.tenant_id AND "      \
    "ul.label_id = g.label_id WHERE g.tenant_id = u.tenant_id AND "        \
    "g.user_id = %lld AND ul.user_id = u.id) "

static const ailes_stmt_t st_scope_list = {
    "ailes_scope_list", 4,
    "SELECT u.id, u.tenant_id, u.employee_no, u.role, NULL, u.status "
    IN_SCOPE "ORDER BY u.employee_no LIMIT %lld OFFSET %lld"
};

static const ailes_stmt_t st_scope_count = {
    "ailes_scope_count", 2,
    "SELECT COUNT(*) " IN_SCOPE
};

static apr_array_header_t *first_column(apr_pool_t *p,
                                        const apr_array_header_t *rows)
{
    apr_array_header_t *out = apr_array_make(p, rows->nelts + 1,
                                             sizeof(const char *));
    int i;

    for (i = 0; i < rows->nelts; i++) {
        APR_ARRAY_PUSH(out, const char *) =
            APR_ARRAY_IDX(rows, i, ailes_row_t *)->cols[0];
    }
    return out;
}

apr_status_t ailes_store_label_list(ailes_db_t *db, apr_pool_t *p,
                                    apr_int64_t tenant_id,
                                    apr_array_header_t **labels)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *labels = apr_array_make(p, 8, sizeof(ailes_label_t));
    rv = ailes_db_rows(db, p, &st_label_list, &rows,
                       AILES_ARGS(ailes_db_int(p, tenant_id)));
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        ailes_label_t *l = apr_array_push(*labels);
        l->name = row->cols[0];
        l->members = ailes_row_int(row, 1);
    }
    return rv;
}

apr_status_t ailes_store_label_add(ailes_db_t *db, apr_pool_t *p,
                                   apr_int64_t tenant_id, const char *name)
{
    const char *tid = ailes_db_int(p, tenant_id);
    ailes_row_t *row;
    apr_status_t rv;

    rv = ailes_db_row(db, p, &st_label_by_name, &row, AILES_ARGS(tid, name));
    if (APR_SUCCESS == rv) {
        return APR_EEXIST;
    }
    if (APR_NOTFOUND != rv) {
        return rv;
    }
    return ailes_db_exec(db, p, &st_label_add, NULL,
                         AILES_ARGS(tid, name,
                                    ailes_db_int(p, ailes_time_sec(
                                                        apr_time_now()))));
}

apr_status_t ailes_store_label_ids(ailes_db_t *db, apr_pool_t *p,
                                   apr_int64_t tenant_id,
                                   const apr_array_header_t *names,
                                   apr_array_header_t **ids,
                                   const char **missing)
{
    const char *tid = ailes_db_int(p, tenant_id);
    apr_status_t rv = APR_SUCCESS;
    int i;

    *ids = apr_array_make(p, names->nelts + 1, sizeof(apr_int64_t));
    *missing = NULL;
    for (i = 0; APR_SUCCESS == rv && i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        ailes_row_t *row;

        rv = ailes_db_row(db, p, &st_label_by_name, &row,
                          AILES_ARGS(tid, name));
        if (APR_SUCCESS == rv) {
            APR_ARRAY_PUSH(*ids, apr_int64_t) = ailes_row_int(row, 0);
        }
        else if (APR_NOTFOUND == rv) {
            *missing = name;
        }
    }
    return rv;
}

static apr_status_t names_of(ailes_db_t *db, apr_pool_t *p,
                             const ailes_stmt_t *st, apr_int64_t tenant_id,
                             apr_int64_t user_id, apr_array_header_t **names)
{
    apr_array_header_t *rows;
    apr_status_t rv;

    rv = ailes_db_rows(db, p, st, &rows,
                       AILES_ARGS(ailes_db_int(p, tenant_id),
                                  ailes_db_int(p, user_id)));
    *names = APR_SUCCESS == rv ? first_column(p, rows)
                               : apr_array_make(p, 1, sizeof(const char *));
    return rv;
}

static apr_status_t replace_links(ailes_db_t *db, apr_pool_t *p,
                                  const ailes_stmt_t *clear,
                                  const ailes_stmt_t *add,
                                  apr_int64_t tenant_id, apr_int64_t user_id,
                                  const apr_array_header_t *label_ids)
{
    const char *tid = ailes_db_int(p, tenant_id);
    const char *uid = ailes_db_int(p, user_id);
    apr_status_t rv;
    int i, j;

    rv = ailes_db_exec(db, p, clear, NULL, AILES_ARGS(tid, uid));
    for (i = 0; APR_SUCCESS == rv && i < label_ids->nelts; i++) {
        apr_int64_t id = APR_ARRAY_IDX(label_ids, i, apr_int64_t);
        int dup = 0;
        for (j = 0; j < i; j++) {
            dup |= APR_ARRAY_IDX(label_ids, j, apr_int64_t) == id;
        }
        if (!dup) {
            rv = ailes_db_exec(db, p, add, NULL,
                               AILES_ARGS(tid, uid, ailes_db_int(p, id)));
        }
    }
    return rv;
}

apr_status_t ailes_store_user_label_names(ailes_db_t *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          apr_int64_t user_id,
                                          apr_array_header_t **names)
{
    return names_of(db, p, &st_user_label_names, tenant_id, user_id, names);
}

apr_status_t ailes_store_user_set_labels(ailes_db_t *db, apr_pool_t *p,
                                         apr_int64_t tenant_id,
                                         apr_int64_t user_id,
                                         const apr_array_header_t *label_ids)
{
    return replace_links(db, p, &st_user_labels_clear, &st_user_label_add,
                         tenant_id, user_id, label_ids);
}

apr_status_t ailes_store_grant_names(ailes_db_t *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id,
                                     apr_array_header_t **names)
{
    return names_of(db, p, &st_grant_names, tenant_id, user_id, names);
}

apr_status_t ailes_store_set_grants(ailes_db_t *db, apr_pool_t *p,
                                    apr_int64_t tenant_id,
                                    apr_int64_t user_id,
                                    const apr_array_header_t *label_ids)
{
    return replace_links(db, p, &st_grants_clear, &st_grant_add, tenant_id,
                         user_id, label_ids);
}

apr_status_t ailes_store_can_see(ailes_db_t *db, apr_pool_t *p,
                                 apr_int64_t tenant_id, apr_int64_t viewer_id,
                                 apr_int64_t subject_id)
{
    ailes_row_t *row;

    return ailes_db_row(db, p, &st_can_see, &row,
                        AILES_ARGS(ailes_db_int(p, tenant_id),
                                   ailes_db_int(p, viewer_id),
                                   ailes_db_int(p, subject_id)));
}

apr_status_t ailes_store_people_in_scope(ailes_db_t *db, apr_pool_t *p,
                                         apr_int64_t tenant_id,
                                         apr_int64_t viewer_id, int page,
                                         int per_page,
                                         apr_array_header_t **people,
                                         apr_int64_t *total)
{
    const char *t = ailes_db_int(p, tenant_id), *v = ailes_db_int(p, viewer_id);
    apr_array_header_t *rows;
    ailes_row_t *count;
    apr_status_t rv;
    int i;

    *people = apr_array_make(p, per_page, sizeof(ailes_user_t *));
    *total = 0;
    rv = ailes_db_row(db, p, &st_scope_count, &count, AILES_ARGS(t, v));
    if (APR_SUCCESS != rv) {
        return rv;
    }
    *total = ailes_row_int(count, 0);
    rv = ailes_db_rows(db, p, &st_scope_list, &rows,
                       AILES_ARGS(t, v, ailes_db_int(p, per_page),
                                  ailes_db_int(p, (apr_int64_t)(page - 1)
                                                      * per_page)));
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        ailes_user_t *u = apr_pcalloc(p, sizeof(*u));
        u->id = ailes_row_int(row, 0);
        u->tenant_id = ailes_row_int(row, 1);
        u->employee_no = row->cols[2];
        u->role = ailes_role_parse(row->cols[3]);
        u->status = row->cols[5];
        APR_ARRAY_PUSH(*people, ailes_user_t *) = u;
    }
    return rv;
}
