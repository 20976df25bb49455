/* Main-database queries; see ailes_store.h. All SQL of the main database
 * that the module and the CLI run lives in this file. */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "ailes_db.h"
#include "ailes_store.h"
#include "ailes_time.h"

static const ailes_stmt_t st_tenant_by_slug = {
    "ailes_tenant_by_slug", 1,
    "SELECT id, slug, name, ip_allow, terminated_on FROM tenants "
    "WHERE slug = %s"
};

static const ailes_stmt_t st_tenant_add = {
    "ailes_tenant_add", 3,
    "INSERT INTO tenants (slug, name, created_at) VALUES (%s, %s, %lld)"
};

/* The columns user_from_row reads, in its order. */
#define USER_COLUMNS                                                        \
    "u.id, u.tenant_id, u.employee_no, u.role, u.password_hash, u.status, " \
    "u.totp_secret, u.totp_pending, u.totp_last_step, u.ip_allow, "         \
    "u.activation_hash, u.activation_expires "

static const ailes_stmt_t st_user_by_no = {
    "ailes_user_by_no", 2,
    "SELECT " USER_COLUMNS
    "FROM users u WHERE u.tenant_id = %lld AND u.employee_no = %s"
};

static const ailes_stmt_t st_user_add = {
    "ailes_user_add", 6,
    "INSERT INTO users (tenant_id, employee_no, role, password_hash, "
    "created_at, updated_at) VALUES (%lld, %s, %s, %s, %lld, %lld)"
};

static const ailes_stmt_t st_session_add = {
    "ailes_session_add", 8,
    "INSERT INTO sessions (id_hash, tenant_id, user_id, csrf_token, "
    "created_at, last_seen, expires_at, stage) "
    "VALUES (%s, %lld, %lld, %s, %lld, %lld, %lld, %s)"
};

static const ailes_stmt_t st_session_get = {
    "ailes_session_get", 3,
    "SELECT s.id_hash, s.tenant_id, t.slug, s.user_id, u.employee_no, "
    "u.role, s.csrf_token, s.created_at, s.last_seen, s.expires_at, "
    "s.stage, u.ip_allow "
    "FROM sessions s "
    "JOIN tenants t ON t.id = s.tenant_id "
    "JOIN users u ON u.id = s.user_id AND u.tenant_id = s.tenant_id "
    "WHERE t.slug = %s AND s.id_hash = %s AND u.status = 'active' "
    "AND (t.terminated_on IS NULL OR t.terminated_on >= %s)"
};

static const ailes_stmt_t st_session_touch = {
    "ailes_session_touch", 3,
    "UPDATE sessions SET last_seen = %lld "
    "WHERE tenant_id = %lld AND id_hash = %s"
};

static const ailes_stmt_t st_session_delete = {
    "ailes_session_delete", 2,
    "DELETE FROM sessions WHERE tenant_id = %lld AND id_hash = %s"
};

static const ailes_stmt_t st_audit_add = {
    "ailes_audit_add", 8,
    "INSERT INTO audit (tenant_id, at_us, actor, action, target, client_ip, "
    "outcome, request_id) VALUES (%lld, %lld, %s, %s, %s, %s, %s, %s)"
};

static const ailes_stmt_t st_attempt_begin = {
    "ailes_attempt_begin", 3,
    "INSERT INTO login_attempts (tenant_id, employee_no, failures, "
    "locked_until, updated_at) VALUES (%lld, %s, 1, NULL, %lld) "
    "ON CONFLICT (tenant_id, employee_no) DO UPDATE SET "
    "failures = CASE WHEN login_attempts.locked_until IS NOT NULL "
    "  AND login_attempts.locked_until <= excluded.updated_at THEN 1 "
    "  ELSE login_attempts.failures + 1 END, "
    "locked_until = CASE WHEN login_attempts.locked_until IS NOT NULL "
    "  AND login_attempts.locked_until <= excluded.updated_at THEN NULL "
    "  ELSE login_attempts.locked_until END, "
    "updated_at = excluded.updated_at "
    "RETURNING failures, locked_until"
};

static const ailes_stmt_t st_attempt_lock = {
    "ailes_attempt_lock", 3,
    "UPDATE login_attempts SET locked_until = %lld "
    "WHERE tenant_id = %lld AND employee_no = %s"
};

static const ailes_stmt_t st_attempt_clear = {
    "ailes_attempt_clear", 2,
    "DELETE FROM login_attempts WHERE tenant_id = %lld AND employee_no = %s"
};

static const ailes_stmt_t st_user_set_password = {
    "ailes_user_set_password", 4,
    "UPDATE users SET password_hash = %s, updated_at = %lld "
    "WHERE tenant_id = %lld AND id = %lld"
};

static const ailes_stmt_t st_session_hashes = {
    "ailes_session_hashes", 3,
    "SELECT id_hash FROM sessions "
    "WHERE tenant_id = %lld AND user_id = %lld AND id_hash <> %s"
};

static const ailes_stmt_t st_session_delete_user = {
    "ailes_session_delete_user", 3,
    "DELETE FROM sessions "
    "WHERE tenant_id = %lld AND user_id = %lld AND id_hash <> %s"
};

/* A prefix of employee numbers is a range [prefix, upper) (prefix_upper),
 * so the (tenant_id, employee_no) index serves it. */
#define USER_ADMIN_COLUMNS                                                  \
    "SELECT " USER_COLUMNS                                                 \
    ", COALESCE(a.failures, 0), COALESCE(a.locked_until, 0) "              \
    "FROM users u LEFT JOIN login_attempts a "                             \
    "ON a.tenant_id = u.tenant_id AND a.employee_no = u.employee_no "

static const ailes_stmt_t st_user_list = {
    "ailes_user_list", 5,
    USER_ADMIN_COLUMNS
    "WHERE u.tenant_id = %lld AND u.employee_no >= %s AND u.employee_no < %s "
    "ORDER BY u.employee_no LIMIT %lld OFFSET %lld"
};

static const ailes_stmt_t st_user_count = {
    "ailes_user_count", 3,
    "SELECT COUNT(*) FROM users "
    "WHERE tenant_id = %lld AND employee_no >= %s AND employee_no < %s"
};

/* The whole tenant: the count the triggers keep (migration 014). */
static const ailes_stmt_t st_user_count_all = {
    "ailes_user_count_all", 1,
    "SELECT COALESCE((SELECT n FROM tenant_user_counts WHERE tenant_id = "
    "%lld), 0)"
};

#define IN_LABEL                                                            \
    "AND EXISTS (SELECT 1 FROM user_labels ul JOIN labels l "               \
    "ON l.id = ul.label_id AND l.tenant_id = ul.tenant_id "                 \
    "WHERE ul.tenant_id = u.tenant_id AND ul.user_id = u.id AND l.name = %s) "

static const ailes_stmt_t st_user_list_label = {
    "ailes_user_list_label", 6,
    USER_ADMIN_COLUMNS
    "WHERE u.tenant_id = %lld AND u.employee_no >= %s AND u.employee_no < %s "
    IN_LABEL "ORDER BY u.employee_no LIMIT %lld OFFSET %lld"
};

static const ailes_stmt_t st_user_count_label = {
    "ailes_user_count_label", 4,
    "SELECT COUNT(*) FROM users u "
    "WHERE u.tenant_id = %lld AND u.employee_no >= %s AND u.employee_no < %s " IN_LABEL
};

static const ailes_stmt_t st_user_update = {
    "ailes_user_update", 5,
    "UPDATE users SET role = COALESCE(%s, role), "
    "status = COALESCE(%s, status), updated_at = %lld "
    "WHERE tenant_id = %lld AND id = %lld"
};

static const ailes_stmt_t st_user_delete = {
    "ailes_user_delete", 2,
    "DELETE FROM users WHERE tenant_id = %lld AND id = %lld"
};

static const ailes_stmt_t st_sessions_of_user_delete = {
    "ailes_sessions_of_user_delete", 2,
    "DELETE FROM sessions WHERE tenant_id = %lld AND user_id = %lld"
};

static const ailes_stmt_t st_user_add_pending = {
    "ailes_user_add_pending", 7,
    "INSERT INTO users (tenant_id, employee_no, role, activation_hash, "
    "activation_expires, created_at, updated_at) "
    "VALUES (%lld, %s, %s, %s, %lld, %lld, %lld)"
};

static const ailes_stmt_t st_user_set_activation = {
    "ailes_user_set_activation", 5,
    "UPDATE users SET password_hash = NULL, activation_hash = %s, "
    "activation_expires = %lld, updated_at = %lld "
    "WHERE tenant_id = %lld AND id = %lld"
};

static const ailes_stmt_t st_user_activate = {
    "ailes_user_activate", 4,
    "UPDATE users SET password_hash = %s, activation_hash = NULL, "
    "activation_expires = NULL, updated_at = %lld "
    "WHERE tenant_id = %lld AND id = %lld AND activation_hash IS NOT NULL"
};

static const ailes_stmt_t st_tenant_set_ip = {
    "ailes_tenant_set_ip", 2,
    "UPDATE tenants SET ip_allow = %s WHERE id = %lld"
};

static const ailes_stmt_t st_user_set_ip = {
    "ailes_user_set_ip", 4,
    "UPDATE users SET ip_allow = %s, updated_at = %lld "
    "WHERE tenant_id = %lld AND id = %lld"
};

static const ailes_stmt_t st_count_admins = {
    "ailes_count_admins", 1,
    "SELECT COUNT(*) FROM users WHERE tenant_id = %lld "
    "AND role = 'tenant_admin' AND status = 'active'"
};

static const ailes_stmt_t st_user_get_admin = {
    "ailes_user_get_admin", 2,
    USER_ADMIN_COLUMNS "WHERE u.tenant_id = %lld AND u.employee_no = %s"
};

/* Users by id, IDS_BATCH at a time (unused places hold 0, no user's id). */
#define IDS_BATCH 20
#define ID16 "%lld, %lld, %lld, %lld, %lld, %lld, %lld, %lld, " \
             "%lld, %lld, %lld, %lld, %lld, %lld, %lld, %lld, "
static const ailes_stmt_t st_user_get_admin_ids = {
    "ailes_user_get_admin_ids", 1 + IDS_BATCH,
    USER_ADMIN_COLUMNS "WHERE u.tenant_id = %lld AND u.id IN ("
    ID16 "%lld, %lld, %lld, %lld) ORDER BY u.employee_no"
};

static const ailes_stmt_t st_totp_pending = {
    "ailes_totp_pending", 4,
    "UPDATE users SET totp_pending = %s, updated_at = %lld "
    "WHERE tenant_id = %lld AND id = %lld"
};

static const ailes_stmt_t st_totp_activate = {
    "ailes_totp_activate", 4,
    "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, "
    "totp_last_step = %lld, updated_at = %lld "
    "WHERE tenant_id = %lld AND id = %lld AND totp_pending IS NOT NULL"
};

static const ailes_stmt_t st_totp_accept = {
    "ailes_totp_accept", 4,
    "UPDATE users SET totp_last_step = %lld "
    "WHERE tenant_id = %lld AND id = %lld AND totp_last_step < %lld"
};

static const ailes_stmt_t st_totp_reset = {
    "ailes_totp_reset", 3,
    "UPDATE users SET totp_secret = NULL, totp_pending = NULL, "
    "totp_last_step = 0, updated_at = %lld "
    "WHERE tenant_id = %lld AND id = %lld"
};

static const ailes_stmt_t st_recovery_clear = {
    "ailes_recovery_clear", 2,
    "DELETE FROM recovery_codes WHERE tenant_id = %lld AND user_id = %lld"
};

static const ailes_stmt_t st_recovery_add = {
    "ailes_recovery_add", 3,
    "INSERT INTO recovery_codes (tenant_id, user_id, code_hash) "
    "VALUES (%lld, %lld, %s)"
};

static const ailes_stmt_t st_recovery_use = {
    "ailes_recovery_use", 4,
    "UPDATE recovery_codes SET used_at = %lld WHERE tenant_id = %lld "
    "AND user_id = %lld AND code_hash = %s AND used_at IS NULL"
};

static const ailes_stmt_t st_audit_list = {
    "ailes_audit_list", 4,
    "SELECT at_us, actor, action, target, client_ip, outcome, request_id "
    "FROM audit WHERE tenant_id = %lld AND at_us >= %lld AND at_us < %lld "
    "ORDER BY at_us, id LIMIT %lld"
};

static const ailes_stmt_t st_purge_audit = {
    "ailes_purge_audit", 1,
    "DELETE FROM audit WHERE at_us < %lld"
};

static const ailes_stmt_t st_purge_sessions = {
    "ailes_purge_sessions", 1,
    "DELETE FROM sessions WHERE expires_at <= %lld"
};

static const ailes_stmt_t st_tenant_terminate = {
    "ailes_tenant_terminate", 2,
    "UPDATE tenants SET terminated_on = %s WHERE id = %lld"
};

static const ailes_stmt_t st_tenants_due = {
    "ailes_tenants_due", 0,
    "SELECT id, slug, name, terminated_on FROM tenants "
    "WHERE terminated_on IS NOT NULL AND purged_at IS NULL ORDER BY id"
};

/* Statements of a tenant purge, each taking the tenant id once. */
static const ailes_stmt_t st_purge_tenant[] = {
    { "ailes_pt_sessions", 1, "DELETE FROM sessions WHERE tenant_id = %lld" },
    { "ailes_pt_recovery", 1,
      "DELETE FROM recovery_codes WHERE tenant_id = %lld" },
    { "ailes_pt_attempts", 1,
      "DELETE FROM login_attempts WHERE tenant_id = %lld" },
    { "ailes_pt_user_labels", 1,
      "DELETE FROM user_labels WHERE tenant_id = %lld" },
    { "ailes_pt_grants", 1, "DELETE FROM grants WHERE tenant_id = %lld" },
    { "ailes_pt_checkups", 1, "DELETE FROM checkups WHERE tenant_id = %lld" },
    { "ailes_pt_checkup_files", 1,
      "DELETE FROM checkup_files WHERE tenant_id = %lld" },
    { "ailes_pt_labels", 1, "DELETE FROM labels WHERE tenant_id = %lld" },
    { "ailes_pt_ll_ledger", 1,
      "DELETE FROM points_ledger WHERE tenant_id = %lld" },
    { "ailes_pt_ll_flags", 1,
      "DELETE FROM lifelog_flags WHERE tenant_id = %lld" },
    { "ailes_pt_ll_entries", 1,
      "DELETE FROM lifelog_entries WHERE tenant_id = %lld" },
    { "ailes_pt_ll_rules", 1,
      "DELETE FROM points_rules WHERE tenant_id = %lld" },
    { "ailes_pt_ll_rulesets", 1,
      "DELETE FROM points_rulesets WHERE tenant_id = %lld" },
    { "ailes_pt_notice_reads", 1,
      "DELETE FROM notice_reads WHERE tenant_id = %lld" },
    { "ailes_pt_notice_tenants", 1,
      "DELETE FROM notice_tenants WHERE tenant_id = %lld" },
    { "ailes_pt_mail_queue", 1,
      "DELETE FROM mail_queue WHERE tenant_id = %lld" },
    { "ailes_pt_users", 1,
      "DELETE FROM users WHERE tenant_id = %lld AND NOT EXISTS (SELECT 1 "
      "FROM sc_responses r WHERE r.user_id = users.id)" },
    { "ailes_pt_wipe", 1,
      "UPDATE users SET password_hash = NULL, totp_secret = NULL, "
      "totp_pending = NULL, activation_hash = NULL, ip_allow = NULL, "
      "status = 'disabled' WHERE tenant_id = %lld" },
};

static const ailes_stmt_t st_tenant_purged = {
    "ailes_tenant_purged", 2,
    "UPDATE tenants SET purged_at = %lld, ip_allow = NULL WHERE id = %lld"
};

static const ailes_stmt_t st_sc_purge_responses = {
    "ailes_sc_purge_responses", 1,
    "DELETE FROM sc_responses WHERE campaign_id IN (SELECT id FROM "
    "sc_campaigns WHERE purge_after < %lld)"
};

static const ailes_stmt_t st_sc_purge_campaigns = {
    "ailes_sc_purge_campaigns", 1,
    "DELETE FROM sc_campaigns WHERE purge_after < %lld"
};

static const ailes_stmt_t st_purge_orphans = {
    "ailes_purge_orphans", 0,
    "DELETE FROM users WHERE tenant_id IN (SELECT id FROM tenants WHERE "
    "purged_at IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM sc_responses r "
    "WHERE r.user_id = users.id)"
};

static const ailes_stmt_t st_ping = {
    "ailes_ping", 0,
    "SELECT COUNT(*) FROM ailes_schema"
};

static const char *now_sec(apr_pool_t *p)
{
    return ailes_db_int(p, ailes_time_sec(apr_time_now()));
}

apr_status_t ailes_store_tenant_by_slug(ailes_db_t *db, apr_pool_t *p,
                                        const char *slug, ailes_tenant_t **t)
{
    ailes_row_t *row;
    apr_status_t rv;

    *t = NULL;
    rv = ailes_db_row(db, p, &st_tenant_by_slug, &row, AILES_ARGS(slug));
    if (APR_SUCCESS == rv) {
        ailes_tenant_t *out = apr_pcalloc(p, sizeof(*out));
        out->id = ailes_row_int(row, 0);
        out->slug = row->cols[1];
        out->name = row->cols[2];
        out->ip_allow = row->cols[3];
        out->terminated_on = row->cols[4];
        *t = out;
    }
    return rv;
}

apr_status_t ailes_store_tenant_add(ailes_db_t *db, apr_pool_t *p,
                                    const char *slug, const char *name,
                                    apr_int64_t *id)
{
    ailes_tenant_t *t;
    apr_status_t rv;

    *id = 0;
    rv = ailes_store_tenant_by_slug(db, p, slug, &t);
    if (APR_SUCCESS == rv) {
        return APR_EEXIST;
    }
    if (APR_NOTFOUND != rv) {
        return rv;
    }
    rv = ailes_db_exec(db, p, &st_tenant_add, NULL,
                       AILES_ARGS(slug, name, now_sec(p)));
    if (APR_SUCCESS == rv) {
        rv = ailes_store_tenant_by_slug(db, p, slug, &t);
        if (APR_SUCCESS == rv) {
            *id = t->id;
        }
    }
    return rv;
}

static ailes_user_t *user_from_row(apr_pool_t *p, const ailes_row_t *row)
{
    ailes_user_t *u = apr_pcalloc(p, sizeof(*u));

    u->id = ailes_row_int(row, 0);
    u->tenant_id = ailes_row_int(row, 1);
    u->employee_no = row->cols[2];
    u->role = ailes_role_parse(row->cols[3]);
    u->password_hash = row->cols[4];
    u->status = row->cols[5];
    u->totp_secret = row->cols[6];
    u->totp_pending = row->cols[7];
    u->totp_last_step = ailes_row_int(row, 8);
    u->ip_allow = row->cols[9];
    u->activation_hash = row->cols[10];
    u->activation_expires = ailes_row_int(row, 11);
    return u;
}

static ailes_user_t *admin_user_from_row(apr_pool_t *p,
                                         const ailes_row_t *row)
{
    ailes_user_t *u = user_from_row(p, row);

    u->failed_logins = (int)ailes_row_int(row, 12);
    u->locked_until = ailes_row_int(row, 13);
    return u;
}

/* The employee numbers starting with prefix are those in [prefix, upper):
 * upper is prefix with its last byte one higher (employee numbers are
 * printable ASCII, so that byte stays below 0x7f), or "\x7f" for every
 * number. A range, so the (tenant_id, employee_no) index serves it. */
static const char *prefix_upper(apr_pool_t *p, const char *prefix)
{
    size_t n = prefix ? strlen(prefix) : 0;
    char *out;

    if (n == 0) {
        return "\x7f";
    }
    out = apr_pstrmemdup(p, prefix, n);
    out[n - 1]++;
    return out;
}

apr_status_t ailes_store_user_list(ailes_db_t *db, apr_pool_t *p,
                                   apr_int64_t tenant_id, const char *prefix,
                                   const char *label, int page, int per_page,
                                   apr_array_header_t **users,
                                   apr_int64_t *total)
{
    const char *limit = ailes_db_int(p, per_page);
    const char *offset = ailes_db_int(p, (apr_int64_t)(page - 1) * per_page);
    const char *tid = ailes_db_int(p, tenant_id);
    const char *lower = prefix ? prefix : "";
    const char *upper = prefix_upper(p, prefix);
    apr_array_header_t *rows;
    ailes_row_t *count;
    apr_status_t rv;
    int i;

    *users = apr_array_make(p, per_page, sizeof(ailes_user_t *));
    *total = 0;
    rv = label ? ailes_db_row(db, p, &st_user_count_label, &count,
                              AILES_ARGS(tid, lower, upper, label))
         : *lower ? ailes_db_row(db, p, &st_user_count, &count,
                                 AILES_ARGS(tid, lower, upper))
                  : ailes_db_row(db, p, &st_user_count_all, &count,
                                 AILES_ARGS(tid));
    if (APR_SUCCESS != rv) {
        return rv;
    }
    *total = ailes_row_int(count, 0);
    rv = label ? ailes_db_rows(db, p, &st_user_list_label, &rows,
                               AILES_ARGS(tid, lower, upper, label, limit,
                                          offset))
               : ailes_db_rows(db, p, &st_user_list, &rows,
                               AILES_ARGS(tid, lower, upper, limit, offset));
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        APR_ARRAY_PUSH(*users, ailes_user_t *) =
            admin_user_from_row(p, APR_ARRAY_IDX(rows, i, ailes_row_t *));
    }
    return rv;
}

static int by_employee_no(const void *a, const void *b)
{
    return strcmp((*(ailes_user_t *const *)a)->employee_no,
                  (*(ailes_user_t *const *)b)->employee_no);
}

apr_status_t ailes_store_users_by_ids(ailes_db_t *db, apr_pool_t *p,
                                      apr_int64_t tenant_id,
                                      const apr_array_header_t *ids,
                                      apr_array_header_t **users)
{
    const char *args[1 + IDS_BATCH];
    apr_array_header_t *rows;
    apr_status_t rv = APR_SUCCESS;
    int i, j, k;

    *users = apr_array_make(p, ids->nelts + 1, sizeof(ailes_user_t *));
    args[0] = ailes_db_int(p, tenant_id);
    for (i = 0; APR_SUCCESS == rv && i < ids->nelts; i += IDS_BATCH) {
        for (j = 0; j < IDS_BATCH; j++) {
            args[1 + j] = ailes_db_int(
                p, i + j < ids->nelts ? APR_ARRAY_IDX(ids, i + j, apr_int64_t)
                                      : 0);
        }
        rv = ailes_db_rows(db, p, &st_user_get_admin_ids, &rows,
                           1 + IDS_BATCH, args);
        for (k = 0; APR_SUCCESS == rv && k < rows->nelts; k++) {
            APR_ARRAY_PUSH(*users, ailes_user_t *) = admin_user_from_row(
                p, APR_ARRAY_IDX(rows, k, ailes_row_t *));
        }
    }
    qsort((*users)->elts, (size_t)(*users)->nelts, sizeof(ailes_user_t *),
          by_employee_no);
    return rv;
}

apr_status_t ailes_store_user_get_admin(ailes_db_t *db, apr_pool_t *p,
                                        apr_int64_t tenant_id,
                                        const char *employee_no,
                                        ailes_user_t **u)
{
    ailes_row_t *row;
    apr_status_t rv;

    *u = NULL;
    rv = ailes_db_row(db, p, &st_user_get_admin, &row,
                      AILES_ARGS(ailes_db_int(p, tenant_id), employee_no));
    if (APR_SUCCESS == rv) {
        *u = admin_user_from_row(p, row);
    }
    return rv;
}

apr_status_t ailes_store_user_by_no(ailes_db_t *db, apr_pool_t *p,
                                    apr_int64_t tenant_id,
                                    const char *employee_no, ailes_user_t **u)
{
    ailes_row_t *row;
    apr_status_t rv;

    *u = NULL;
    rv = ailes_db_row(db, p, &st_user_by_no, &row,
                      AILES_ARGS(ailes_db_int(p, tenant_id), employee_no));
    if (APR_SUCCESS == rv) {
        *u = user_from_row(p, row);
    }
    return rv;
}

apr_status_t ailes_store_user_add(ailes_db_t *db, apr_pool_t *p,
                                  apr_int64_t tenant_id,
                                  const char *employee_no, ailes_role_t role,
                                  const char *password_hash, apr_int64_t *id)
{
    ailes_user_t *u;
    const char *now = now_sec(p);
    apr_status_t rv;

    *id = 0;
    rv = ailes_store_user_by_no(db, p, tenant_id, employee_no, &u);
    if (APR_SUCCESS == rv) {
        return APR_EEXIST;
    }
    if (APR_NOTFOUND != rv) {
        return rv;
    }
    rv = ailes_db_exec(db, p, &st_user_add, NULL,
                       AILES_ARGS(ailes_db_int(p, tenant_id), employee_no,
                                  ailes_role_name(role), password_hash, now,
                                  now));
    if (APR_SUCCESS == rv) {
        rv = ailes_store_user_by_no(db, p, tenant_id, employee_no, &u);
        if (APR_SUCCESS == rv) {
            *id = u->id;
        }
    }
    return rv;
}

apr_status_t ailes_store_session_add(ailes_db_t *db, apr_pool_t *p,
                                     const ailes_session_t *s)
{
    return ailes_db_exec(db, p, &st_session_add, NULL,
                         AILES_ARGS(s->id_hash, ailes_db_int(p, s->tenant_id),
                                    ailes_db_int(p, s->user_id),
                                    s->csrf_token,
                                    ailes_db_int(p, s->created_at),
                                    ailes_db_int(p, s->last_seen),
                                    ailes_db_int(p, s->expires_at),
                                    s->stage ? s->stage : "full"));
}

apr_status_t ailes_store_session_get(ailes_db_t *db, apr_pool_t *p,
                                     const char *tenant_slug,
                                     const char *id_hash, ailes_session_t **s)
{
    ailes_row_t *row;
    apr_status_t rv;

    *s = NULL;
    /* A terminated tenant's sessions end with its last day (JST). */
    rv = ailes_db_row(db, p, &st_session_get, &row,
                      AILES_ARGS(tenant_slug, id_hash,
                                 apr_pstrmemdup(p, ailes_time_jst(
                                                       p, apr_time_now()),
                                                10)));
    if (APR_SUCCESS == rv) {
        ailes_session_t *out = apr_pcalloc(p, sizeof(*out));
        out->id_hash = row->cols[0];
        out->tenant_id = ailes_row_int(row, 1);
        out->tenant_slug = row->cols[2];
        out->user_id = ailes_row_int(row, 3);
        out->employee_no = row->cols[4];
        out->role = ailes_role_parse(row->cols[5]);
        out->csrf_token = row->cols[6];
        out->created_at = ailes_row_int(row, 7);
        out->last_seen = ailes_row_int(row, 8);
        out->expires_at = ailes_row_int(row, 9);
        out->stage = row->cols[10];
        out->ip_allow = row->cols[11];
        *s = out;
    }
    return rv;
}

apr_status_t ailes_store_session_touch(ailes_db_t *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       const char *id_hash, apr_int64_t now)
{
    return ailes_db_exec(db, p, &st_session_touch, NULL,
                         AILES_ARGS(ailes_db_int(p, now),
                                    ailes_db_int(p, tenant_id), id_hash));
}

apr_status_t ailes_store_session_delete(ailes_db_t *db, apr_pool_t *p,
                                        apr_int64_t tenant_id,
                                        const char *id_hash)
{
    return ailes_db_exec(db, p, &st_session_delete, NULL,
                         AILES_ARGS(ailes_db_int(p, tenant_id), id_hash));
}

apr_status_t ailes_store_audit_add(ailes_db_t *db, apr_pool_t *p,
                                   const ailes_audit_rec_t *a)
{
    return ailes_db_exec(db, p, &st_audit_add, NULL,
                         AILES_ARGS(a->tenant_id ? ailes_db_int(p, a->tenant_id)
                                                 : NULL,
                                    ailes_db_int(p, (apr_int64_t)a->at),
                                    a->actor, a->action, a->target,
                                    a->client_ip, a->outcome, a->request_id));
}

apr_status_t ailes_store_ping(ailes_db_t *db, apr_pool_t *p)
{
    ailes_row_t *row;

    return ailes_db_row(db, p, &st_ping, &row, AILES_NOARGS);
}

apr_status_t ailes_store_attempt_begin(ailes_db_t *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       const char *employee_no,
                                       apr_int64_t now, int *failures,
                                       apr_int64_t *locked_until)
{
    ailes_row_t *row;
    apr_status_t rv;

    *failures = 0;
    *locked_until = 0;
    rv = ailes_db_row(db, p, &st_attempt_begin, &row,
                      AILES_ARGS(ailes_db_int(p, tenant_id), employee_no,
                                 ailes_db_int(p, now)));
    if (APR_SUCCESS == rv) {
        *failures = (int)ailes_row_int(row, 0);
        *locked_until = ailes_row_int(row, 1);
    }
    return rv;
}

apr_status_t ailes_store_attempt_lock(ailes_db_t *db, apr_pool_t *p,
                                      apr_int64_t tenant_id,
                                      const char *employee_no,
                                      apr_int64_t until)
{
    return ailes_db_exec(db, p, &st_attempt_lock, NULL,
                         AILES_ARGS(ailes_db_int(p, until),
                                    ailes_db_int(p, tenant_id), employee_no));
}

apr_status_t ailes_store_attempt_clear(ailes_db_t *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       const char *employee_no)
{
    return ailes_db_exec(db, p, &st_attempt_clear, NULL,
                         AILES_ARGS(ailes_db_int(p, tenant_id), employee_no));
}

apr_status_t ailes_store_user_set_password(ailes_db_t *db, apr_pool_t *p,
                                           apr_int64_t tenant_id,
                                           apr_int64_t user_id,
                                           const char *password_hash)
{
    return ailes_db_exec_one(db, p, &st_user_set_password,
                             AILES_ARGS(password_hash, now_sec(p),
                                        ailes_db_int(p, tenant_id),
                                        ailes_db_int(p, user_id)));
}

apr_status_t ailes_store_session_hashes(ailes_db_t *db, apr_pool_t *p,
                                        apr_int64_t tenant_id,
                                        apr_int64_t user_id,
                                        const char *keep,
                                        apr_array_header_t **hashes)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *hashes = apr_array_make(p, 4, sizeof(const char *));
    rv = ailes_db_rows(db, p, &st_session_hashes, &rows,
                       AILES_ARGS(ailes_db_int(p, tenant_id),
                                  ailes_db_int(p, user_id),
                                  keep ? keep : ""));
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        APR_ARRAY_PUSH(*hashes, const char *) =
            APR_ARRAY_IDX(rows, i, ailes_row_t *)->cols[0];
    }
    return rv;
}

apr_status_t ailes_store_session_delete_user(ailes_db_t *db, apr_pool_t *p,
                                             apr_int64_t tenant_id,
                                             apr_int64_t user_id,
                                             const char *keep)
{
    return ailes_db_exec(db, p, &st_session_delete_user, NULL,
                         AILES_ARGS(ailes_db_int(p, tenant_id),
                                    ailes_db_int(p, user_id),
                                    keep ? keep : ""));
}

apr_status_t ailes_store_totp_set_pending(ailes_db_t *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          apr_int64_t user_id,
                                          const char *sealed)
{
    return ailes_db_exec_one(db, p, &st_totp_pending,
                             AILES_ARGS(sealed, now_sec(p),
                                        ailes_db_int(p, tenant_id),
                                        ailes_db_int(p, user_id)));
}

apr_status_t ailes_store_totp_activate(ailes_db_t *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       apr_int64_t user_id, apr_int64_t step)
{
    return ailes_db_exec_one(db, p, &st_totp_activate,
                             AILES_ARGS(ailes_db_int(p, step),
                                        now_sec(p),
                                        ailes_db_int(p, tenant_id),
                                        ailes_db_int(p, user_id)));
}

apr_status_t ailes_store_totp_accept_step(ailes_db_t *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          apr_int64_t user_id,
                                          apr_int64_t step)
{
    const char *s = ailes_db_int(p, step);
    int n = 0;
    apr_status_t rv = ailes_db_exec(db, p, &st_totp_accept, &n,
                                    AILES_ARGS(s, ailes_db_int(p, tenant_id),
                                               ailes_db_int(p, user_id), s));

    return APR_SUCCESS == rv && n == 0 ? APR_EEXIST : rv;
}

apr_status_t ailes_store_totp_reset(ailes_db_t *db, apr_pool_t *p,
                                    apr_int64_t tenant_id,
                                    apr_int64_t user_id)
{
    const char *t = ailes_db_int(p, tenant_id), *u = ailes_db_int(p, user_id);
    apr_status_t rv;

    rv = ailes_db_exec(db, p, &st_totp_reset, NULL,
                       AILES_ARGS(now_sec(p), t, u));
    if (APR_SUCCESS == rv) {
        rv = ailes_db_exec(db, p, &st_recovery_clear, NULL, AILES_ARGS(t, u));
    }
    return rv;
}

apr_status_t ailes_store_recovery_replace(ailes_db_t *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          apr_int64_t user_id,
                                          const apr_array_header_t *hashes)
{
    const char *t = ailes_db_int(p, tenant_id), *u = ailes_db_int(p, user_id);
    apr_status_t rv;
    int i;

    rv = ailes_db_exec(db, p, &st_recovery_clear, NULL, AILES_ARGS(t, u));
    for (i = 0; APR_SUCCESS == rv && i < hashes->nelts; i++) {
        rv = ailes_db_exec(db, p, &st_recovery_add, NULL,
                           AILES_ARGS(t, u, APR_ARRAY_IDX(hashes, i,
                                                          const char *)));
    }
    return rv;
}

apr_status_t ailes_store_recovery_use(ailes_db_t *db, apr_pool_t *p,
                                      apr_int64_t tenant_id,
                                      apr_int64_t user_id, const char *hash,
                                      apr_int64_t now)
{
    return ailes_db_exec_one(db, p, &st_recovery_use,
                             AILES_ARGS(ailes_db_int(p, now),
                                        ailes_db_int(p, tenant_id),
                                        ailes_db_int(p, user_id),
                                        hash));
}

apr_status_t ailes_store_user_update(ailes_db_t *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id, const char *role,
                                     const char *status)
{
    return ailes_db_exec_one(db, p, &st_user_update,
                             AILES_ARGS(role, status, now_sec(p),
                                        ailes_db_int(p, tenant_id),
                                        ailes_db_int(p, user_id)));
}

apr_status_t ailes_store_user_delete(ailes_db_t *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id,
                                     const char *employee_no)
{
    const char *t = ailes_db_int(p, tenant_id), *u = ailes_db_int(p, user_id);
    apr_status_t rv;

    rv = ailes_db_exec(db, p, &st_sessions_of_user_delete, NULL,
                       AILES_ARGS(t, u));
    if (APR_SUCCESS == rv) {
        rv = ailes_db_exec(db, p, &st_recovery_clear, NULL, AILES_ARGS(t, u));
    }
    if (APR_SUCCESS == rv) {
        rv = ailes_store_attempt_clear(db, p, tenant_id, employee_no);
    }
    /* user_labels and grants go with ON DELETE CASCADE. */
    if (APR_SUCCESS == rv) {
        rv = ailes_db_exec(db, p, &st_user_delete, NULL, AILES_ARGS(t, u));
    }
    return rv;
}

apr_status_t ailes_store_count_admins(ailes_db_t *db, apr_pool_t *p,
                                      apr_int64_t tenant_id,
                                      apr_int64_t *count)
{
    ailes_row_t *row;
    apr_status_t rv = ailes_db_row(db, p, &st_count_admins, &row,
                                   AILES_ARGS(ailes_db_int(p, tenant_id)));

    *count = APR_SUCCESS == rv ? ailes_row_int(row, 0) : 0;
    return rv;
}

apr_status_t ailes_store_tenant_set_ip(ailes_db_t *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       const char *cidrs)
{
    return ailes_db_exec(db, p, &st_tenant_set_ip, NULL,
                         AILES_ARGS(cidrs, ailes_db_int(p, tenant_id)));
}

apr_status_t ailes_store_user_set_ip(ailes_db_t *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id, const char *cidrs)
{
    return ailes_db_exec(db, p, &st_user_set_ip, NULL,
                         AILES_ARGS(cidrs, now_sec(p),
                                    ailes_db_int(p, tenant_id),
                                    ailes_db_int(p, user_id)));
}

apr_status_t ailes_store_user_add_pending(ailes_db_t *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          const char *employee_no,
                                          ailes_role_t role,
                                          const char *activation_hash,
                                          apr_int64_t expires,
                                          apr_int64_t *id)
{
    const char *now = now_sec(p);
    ailes_user_t *u;
    apr_status_t rv;

    *id = 0;
    rv = ailes_db_exec(db, p, &st_user_add_pending, NULL,
                       AILES_ARGS(ailes_db_int(p, tenant_id), employee_no,
                                  ailes_role_name(role), activation_hash,
                                  ailes_db_int(p, expires), now, now));
    if (APR_SUCCESS == rv) {
        rv = ailes_store_user_by_no(db, p, tenant_id, employee_no, &u);
        if (APR_SUCCESS == rv) {
            *id = u->id;
        }
    }
    return rv;
}

apr_status_t ailes_store_user_set_activation(ailes_db_t *db, apr_pool_t *p,
                                             apr_int64_t tenant_id,
                                             apr_int64_t user_id,
                                             const char *activation_hash,
                                             apr_int64_t expires)
{
    return ailes_db_exec_one(db, p, &st_user_set_activation,
                             AILES_ARGS(activation_hash,
                                        ailes_db_int(p, expires),
                                        now_sec(p),
                                        ailes_db_int(p, tenant_id),
                                        ailes_db_int(p, user_id)));
}

apr_status_t ailes_store_user_activate(ailes_db_t *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       apr_int64_t user_id,
                                       const char *password_hash)
{
    return ailes_db_exec_one(db, p, &st_user_activate,
                             AILES_ARGS(password_hash, now_sec(p),
                                        ailes_db_int(p, tenant_id),
                                        ailes_db_int(p, user_id)));
}

apr_status_t ailes_store_audit_list(ailes_db_t *db, apr_pool_t *p,
                                    apr_int64_t tenant_id, apr_time_t from,
                                    apr_time_t to, int limit,
                                    apr_array_header_t **events)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *events = apr_array_make(p, 64, sizeof(ailes_audit_rec_t));
    rv = ailes_db_rows(db, p, &st_audit_list, &rows,
                       AILES_ARGS(ailes_db_int(p, tenant_id),
                                  ailes_db_int(p, (apr_int64_t)from),
                                  ailes_db_int(p, (apr_int64_t)to),
                                  ailes_db_int(p, limit)));
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        ailes_audit_rec_t *a = apr_array_push(*events);
        a->tenant_id = tenant_id;
        a->at = (apr_time_t)ailes_row_int(row, 0);
        a->actor = row->cols[1];
        a->action = row->cols[2];
        a->target = row->cols[3];
        a->client_ip = row->cols[4];
        a->outcome = row->cols[5];
        a->request_id = row->cols[6];
    }
    return rv;
}

apr_status_t ailes_store_purge(ailes_db_t *db, apr_pool_t *p,
                               apr_time_t before, apr_int64_t now_sec,
                               int *audit, int *sessions)
{
    apr_status_t rv;

    rv = ailes_db_exec(db, p, &st_purge_audit, audit,
                       AILES_ARGS(ailes_db_int(p, (apr_int64_t)before)));
    if (APR_SUCCESS == rv) {
        rv = ailes_db_exec(db, p, &st_purge_sessions, sessions,
                           AILES_ARGS(ailes_db_int(p, now_sec)));
    }
    return rv;
}

apr_status_t ailes_store_tenant_terminate(ailes_db_t *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          const char *on)
{
    return ailes_db_exec(db, p, &st_tenant_terminate, NULL,
                         AILES_ARGS(on, ailes_db_int(p, tenant_id)));
}

/* The last day of the month after the one of `day` (YYYY-MM-DD). */
static void deadline_of(const char *day, char out[11])
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                                 31 };
    int y = atoi(day), m = atoi(day + 5) + 1, d;

    if (m > 12) {
        m = 1;
        y++;
    }
    d = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0));
    apr_snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

apr_status_t ailes_store_tenants_due(ailes_db_t *db, apr_pool_t *p,
                                     const char *today,
                                     apr_array_header_t **due)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *due = apr_array_make(p, 4, sizeof(ailes_tenant_t *));
    rv = ailes_db_rows(db, p, &st_tenants_due, &rows, AILES_NOARGS);
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        char deadline[11];

        if (!row->cols[3] || strlen(row->cols[3]) != 10) {
            continue;
        }
        deadline_of(row->cols[3], deadline);
        if (strcmp(today, deadline) > 0) {
            ailes_tenant_t *t = apr_pcalloc(p, sizeof(*t));
            t->id = ailes_row_int(row, 0);
            t->slug = row->cols[1];
            t->name = row->cols[2];
            t->terminated_on = row->cols[3];
            APR_ARRAY_PUSH(*due, ailes_tenant_t *) = t;
        }
    }
    return rv;
}

apr_status_t ailes_store_tenant_purge(ailes_db_t *db, apr_pool_t *p,
                                      apr_int64_t tenant_id)
{
    const char *t = ailes_db_int(p, tenant_id);
    apr_status_t rv = APR_SUCCESS;
    size_t i;

    for (i = 0; APR_SUCCESS == rv
                && i < sizeof(st_purge_tenant) / sizeof(st_purge_tenant[0]);
         i++) {
        rv = ailes_db_exec(db, p, &st_purge_tenant[i], NULL, AILES_ARGS(t));
    }
    if (APR_SUCCESS == rv) {
        rv = ailes_db_exec(db, p, &st_tenant_purged, NULL,
                           AILES_ARGS(now_sec(p), t));
    }
    return rv;
}

apr_status_t ailes_store_stress_purge(ailes_db_t *db, apr_pool_t *p,
                                      apr_int64_t now, int *responses)
{
    const char *n = ailes_db_int(p, now);
    apr_status_t rv;

    rv = ailes_db_exec(db, p, &st_sc_purge_responses, responses,
                       AILES_ARGS(n));
    if (APR_SUCCESS == rv) {
        rv = ailes_db_exec(db, p, &st_sc_purge_campaigns, NULL,
                           AILES_ARGS(n));
    }
    if (APR_SUCCESS == rv) {
        rv = ailes_db_exec(db, p, &st_purge_orphans, NULL, AILES_NOARGS);
    }
    return rv;
}
