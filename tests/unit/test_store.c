/* ailes_db, ailes_migrate and ailes_store on a temp SQLite file through
 * apr_dbd: connection handling, migrations, transactions, and the typed
 * queries with their tenant scoping. */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "ailes_db.h"
#include "ailes_migrate.h"
#include "ailes_store.h"
#include "unit_tests.h"

static apr_pool_t *pool;
static const char *dir;
static const char *dbpath;
static ailes_db_t *db;

static void open_db(void)
{
    const char *err = NULL;

    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
    ailes_test_log_capture();
    dir = ailes_test_mkdtemp(pool);
    dbpath = apr_pstrcat(pool, dir, "/main.db", NULL);
    ck_assert_msg(APR_SUCCESS == ailes_db_open(pool, "sqlite3", dbpath, &db,
                                               &err),
                  "open: %s", err ? err : "");
    ck_assert_ptr_nonnull(db);
}

static void open_migrated_db(void)
{
    const char *err = NULL;
    int applied = -1;

    open_db();
    ck_assert_msg(APR_SUCCESS == ailes_migrate(db, pool, "main", &applied,
                                               &err),
                  "migrate: %s", err ? err : "");
    ck_assert_int_ge(applied, 1);
}

static void close_db(void)
{
    ailes_db_close(db);
    db = NULL;
    ailes_test_rmtree(dir);
    apr_pool_destroy(pool);
}

/* Statements of the tests themselves (labels "test_*"). */
static const ailes_stmt_t st_two_args = {
    "test_two_args", 2, "SELECT %s, %s"
};
static const ailes_stmt_t st_constants = {
    "test_constants", 0, "SELECT 7, NULL, 'text'"
};
static const ailes_stmt_t st_count_t_a = {
    "test_count_t_a", 0, "SELECT COUNT(*) FROM t_a"
};
static const ailes_stmt_t st_insert_tenant = {
    "test_insert_tenant", 2,
    "INSERT INTO tenants (slug, name, created_at) VALUES (%s, %s, 0)"
};
static const ailes_stmt_t st_count_tenants = {
    "test_count_tenants", 0, "SELECT COUNT(*) FROM tenants"
};
static const ailes_stmt_t st_disable_user = {
    "test_disable_user", 1,
    "UPDATE users SET status = 'disabled' WHERE id = %lld"
};
static const ailes_stmt_t st_last_audit = {
    "test_last_audit", 0,
    "SELECT tenant_id, at_us, actor, action, target, client_ip, outcome, "
    "request_id FROM audit ORDER BY id DESC LIMIT 1"
};

static apr_int64_t count_tenants(void)
{
    ailes_row_t *row;

    ck_assert_int_eq(ailes_db_row(db, pool, &st_count_tenants, &row,
                                  AILES_NOARGS),
                     APR_SUCCESS);
    return ailes_row_int(row, 0);
}

static apr_int64_t add_tenant(const char *slug)
{
    apr_int64_t id = 0;

    ck_assert_int_eq(ailes_store_tenant_add(db, pool, slug, "Tenant", &id),
                     APR_SUCCESS);
    ck_assert_int_gt(id, 0);
    return id;
}

static apr_int64_t add_user(apr_int64_t tenant_id, const char *no,
                            ailes_role_t role)
{
    apr_int64_t id = 0;

    ck_assert_int_eq(ailes_store_user_add(db, pool, tenant_id, no, role,
                                          "$2y$04$hash", &id),
                     APR_SUCCESS);
    ck_assert_int_gt(id, 0);
    return id;
}

static void add_session(apr_int64_t tenant_id, apr_int64_t user_id,
                        const char *id_hash)
{
    ailes_session_t s;

    memset(&s, 0, sizeof(s));
    s.id_hash = id_hash;
    s.tenant_id = tenant_id;
    s.user_id = user_id;
    s.csrf_token = "csrf-token-value";
    s.created_at = 1795705000;
    s.last_seen = 1795705100;
    s.expires_at = 1795708600;
    ck_assert_int_eq(ailes_store_session_add(db, pool, &s), APR_SUCCESS);
}

/* --- ailes_db ------------------------------------------------------------ */

START_TEST(db_open_rejects_unknown_driver)
{
    ailes_db_t *other = (ailes_db_t *)1;
    const char *err = NULL;

    ck_assert_int_eq(ailes_db_open(pool, "mysql", "x", &other, &err),
                     APR_ENOTIMPL);
    ck_assert_ptr_null(other);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "mysql") != NULL, "error: %s", err);
}
END_TEST

START_TEST(db_open_without_params)
{
    ailes_db_t *other = (ailes_db_t *)1;
    const char *err = NULL;

    ck_assert_int_eq(ailes_db_open(pool, "sqlite3", NULL, &other, &err),
                     APR_EINVAL);
    ck_assert_ptr_null(other);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(ailes_db_open(pool, NULL, "x", &other, &err),
                     APR_EINVAL);
}
END_TEST

START_TEST(db_open_sqlite_in_missing_folder_fails)
{
    ailes_db_t *other = (ailes_db_t *)1;
    const char *err = NULL;

    ck_assert_int_ne(ailes_db_open(pool, "sqlite3",
                                   apr_pstrcat(pool, dir, "/no/such/x.db",
                                               NULL),
                                   &other, &err),
                     APR_SUCCESS);
    ck_assert_ptr_null(other);
    ck_assert_ptr_nonnull(err);
}
END_TEST

START_TEST(db_open_error_never_shows_params)
{
    ailes_db_t *other = (ailes_db_t *)1;
    const char *err = NULL;

    ck_assert_int_ne(ailes_db_open(pool, "pgsql",
                                   "host=127.0.0.1 port=1 dbname=x user=u "
                                   "password=S3cr3tPw connect_timeout=2",
                                   &other, &err),
                     APR_SUCCESS);
    ck_assert_ptr_null(other);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "S3cr3tPw") == NULL, "error: %s", err);
}
END_TEST

START_TEST(db_row_columns_and_null)
{
    ailes_row_t *row = NULL;

    ck_assert_int_eq(ailes_db_row(db, pool, &st_constants, &row,
                                  AILES_NOARGS),
                     APR_SUCCESS);
    ck_assert_int_eq(row->ncols, 3);
    ck_assert_str_eq(row->cols[0], "7");
    ck_assert_ptr_null(row->cols[1]);
    ck_assert_str_eq(row->cols[2], "text");
    ck_assert_int_eq(ailes_row_int(row, 0), 7);
    ck_assert_int_eq(ailes_row_int(row, 1), 0);
    ck_assert_int_eq(ailes_row_int(row, 3), 0);
    ck_assert_int_eq(ailes_row_int(row, -1), 0);
    ck_assert_int_eq(ailes_row_int(NULL, 0), 0);
}
END_TEST

START_TEST(db_int_renders_64_bit)
{
    ck_assert_str_eq(ailes_db_int(pool, 0), "0");
    ck_assert_str_eq(ailes_db_int(pool, -5), "-5");
    ck_assert_str_eq(ailes_db_int(pool, APR_INT64_C(9007199254740993)),
                     "9007199254740993");
}
END_TEST

START_TEST(db_args_count_mismatch_is_einval)
{
    ailes_row_t *row = (ailes_row_t *)1;
    apr_array_header_t *rows = (apr_array_header_t *)1;
    int n = 99;

    ck_assert_int_eq(ailes_db_row(db, pool, &st_two_args, &row,
                                  AILES_ARGS("only-one")),
                     APR_EINVAL);
    ck_assert_ptr_null(row);
    ck_assert_int_eq(ailes_db_rows(db, pool, &st_two_args, &rows,
                                   AILES_ARGS("a", "b", "c")),
                     APR_EINVAL);
    ck_assert_ptr_null(rows);
    ck_assert_int_eq(ailes_db_exec(db, pool, &st_two_args, &n, AILES_NOARGS),
                     APR_EINVAL);
    ck_assert_int_eq(n, 0);
    ck_assert_msg(strstr(ailes_test_log_text(), "test_two_args") != NULL,
                  "log: %s", ailes_test_log_text());
    /* the right count still works afterwards */
    ck_assert_int_eq(ailes_db_row(db, pool, &st_two_args, &row,
                                  AILES_ARGS("a", "b")),
                     APR_SUCCESS);
    ck_assert_str_eq(row->cols[0], "a");
    ck_assert_str_eq(row->cols[1], "b");
}
END_TEST

START_TEST(db_statement_survives_schema_change)
{
    /* apr_dbd's sqlite3 driver prepares with the legacy sqlite3_prepare(),
     * whose statements fail with SQLITE_SCHEMA after any schema change
     * instead of re-preparing themselves. A migration is such a change. */
    ailes_row_t *row;

    ck_assert_int_eq(ailes_db_exec_fixed(db, pool,
                                         "CREATE TABLE t_a (x INTEGER)"),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_db_row(db, pool, &st_count_t_a, &row,
                                  AILES_NOARGS),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_db_exec_fixed(db, pool,
                                         "CREATE TABLE t_b (x INTEGER)"),
                     APR_SUCCESS);
    ck_assert_msg(APR_SUCCESS == ailes_db_row(db, pool, &st_count_t_a, &row,
                                              AILES_NOARGS),
                  "a statement prepared before a schema change fails after "
                  "it; log: %s", ailes_test_log_text());
    ck_assert_str_eq(row->cols[0], "0");
}
END_TEST

START_TEST(db_statement_survives_schema_change_by_other_connection)
{
    /* httpd's connections keep their statements while `ailesctl migrate`
     * changes the schema from another process. */
    ailes_db_t *admin;
    ailes_row_t *row;
    const char *err;

    ck_assert_int_eq(ailes_db_exec_fixed(db, pool,
                                         "CREATE TABLE t_a (x INTEGER)"),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_db_row(db, pool, &st_count_t_a, &row,
                                  AILES_NOARGS),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_db_open(pool, "sqlite3", dbpath, &admin, &err),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_db_exec_fixed(admin, pool,
                                         "CREATE TABLE t_b (x INTEGER)"),
                     APR_SUCCESS);
    ailes_db_close(admin);
    ck_assert_msg(APR_SUCCESS == ailes_db_row(db, pool, &st_count_t_a, &row,
                                              AILES_NOARGS),
                  "a statement prepared before another connection changed "
                  "the schema fails after it; log: %s",
                  ailes_test_log_text());
}
END_TEST

START_TEST(db_end_without_transaction_is_einval)
{
    ck_assert_int_eq(ailes_db_end(db, pool, NULL, 1), APR_EINVAL);
}
END_TEST

/* --- migrations ---------------------------------------------------------- */

START_TEST(migrate_latest_known_versions)
{
    ck_assert_int_ge(ailes_migrate_latest("sqlite3", "main"), 1);
    ck_assert_int_ge(ailes_migrate_latest("sqlite3", "vault"), 1);
    ck_assert_int_ge(ailes_migrate_latest("pgsql", "main"), 1);
    ck_assert_int_eq(ailes_migrate_latest("sqlite3", "nope"), 0);
    ck_assert_int_eq(ailes_migrate_latest("mysql", "main"), 0);
}
END_TEST

START_TEST(migrate_applies_once)
{
    /* All on one connection, as `ailesctl migrate` runs it. */
    const char *err = NULL;
    int applied = -1, version = -1;

    ck_assert_int_eq(ailes_migrate(db, pool, "main", &applied, &err),
                     APR_SUCCESS);
    ck_assert_ptr_null(err);
    ck_assert_int_ge(applied, 1);
    ck_assert_int_eq(ailes_migrate_version(db, pool, &version), APR_SUCCESS);
    ck_assert_int_eq(version, ailes_migrate_latest("sqlite3", "main"));

    ck_assert_int_eq(ailes_migrate(db, pool, "main", &applied, &err),
                     APR_SUCCESS);
    ck_assert_int_eq(applied, 0);
    ck_assert_int_eq(ailes_migrate_version(db, pool, &version), APR_SUCCESS);
    ck_assert_int_eq(version, ailes_migrate_latest("sqlite3", "main"));
}
END_TEST

START_TEST(migrate_survives_reopen)
{
    const char *err = NULL;
    int applied = -1, version = -1;

    ck_assert_int_eq(ailes_migrate(db, pool, "main", &applied, &err),
                     APR_SUCCESS);
    ailes_db_close(db);
    ck_assert_int_eq(ailes_db_open(pool, "sqlite3", dbpath, &db, &err),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_migrate_version(db, pool, &version), APR_SUCCESS);
    ck_assert_int_eq(version, ailes_migrate_latest("sqlite3", "main"));
    ck_assert_int_eq(ailes_migrate(db, pool, "main", &applied, &err),
                     APR_SUCCESS);
    ck_assert_int_eq(applied, 0);
}
END_TEST

START_TEST(ping_fails_before_migrate)
{
    ck_assert_int_ne(ailes_store_ping(db, pool), APR_SUCCESS);
}
END_TEST

START_TEST(ping_works_after_migrate)
{
    const char *err = NULL;
    int applied;

    ck_assert_int_eq(ailes_migrate(db, pool, "main", &applied, &err),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_store_ping(db, pool), APR_SUCCESS);
}
END_TEST

/* --- transactions -------------------------------------------------------- */

START_TEST(tx_rollback_leaves_no_row)
{
    apr_dbd_transaction_t *tx = NULL;
    int n = 0;

    ck_assert_int_eq(ailes_db_begin(db, pool, &tx), APR_SUCCESS);
    ck_assert_ptr_nonnull(tx);
    ck_assert_int_eq(ailes_db_exec(db, pool, &st_insert_tenant, &n,
                                   AILES_ARGS("gone", "Gone")),
                     APR_SUCCESS);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(count_tenants(), 1);
    ck_assert_int_eq(ailes_db_end(db, pool, tx, 0), APR_SUCCESS);
    ck_assert_int_eq(db->in_tx, 0);
    ck_assert_int_eq(count_tenants(), 0);
}
END_TEST

START_TEST(tx_commit_keeps_row)
{
    apr_dbd_transaction_t *tx = NULL;
    ailes_tenant_t *t;

    ck_assert_int_eq(ailes_db_begin(db, pool, &tx), APR_SUCCESS);
    ck_assert_int_eq(db->in_tx, 1);
    ck_assert_int_eq(ailes_db_exec(db, pool, &st_insert_tenant, NULL,
                                   AILES_ARGS("kept", "Kept")),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_db_end(db, pool, tx, 1), APR_SUCCESS);
    ck_assert_int_eq(db->in_tx, 0);
    ck_assert_int_eq(ailes_store_tenant_by_slug(db, pool, "kept", &t),
                     APR_SUCCESS);
    ck_assert_str_eq(t->name, "Kept");
}
END_TEST

START_TEST(tx_failed_statement_rolls_back_despite_commit)
{
    apr_dbd_transaction_t *tx = NULL;

    ck_assert_int_eq(ailes_db_begin(db, pool, &tx), APR_SUCCESS);
    ck_assert_int_eq(ailes_db_exec(db, pool, &st_insert_tenant, NULL,
                                   AILES_ARGS("dup", "First")),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_db_exec(db, pool, &st_insert_tenant, NULL,
                                   AILES_ARGS("dup", "Second")),
                     APR_EGENERAL);
    ailes_db_end(db, pool, tx, 1);
    ck_assert_int_eq(db->in_tx, 0);
    ck_assert_int_eq(count_tenants(), 0);
}
END_TEST

/* --- tenants ------------------------------------------------------------- */

START_TEST(store_tenant_add_and_get)
{
    apr_int64_t id = 0;
    ailes_tenant_t *t = NULL;
    /* 株式会社アクメ */
    const char *name = "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe"
                       "\xe3\x82\xa2\xe3\x82\xaf\xe3\x83\xa1";

    ck_assert_int_eq(ailes_store_tenant_add(db, pool, "acme", name, &id),
                     APR_SUCCESS);
    ck_assert_int_gt(id, 0);
    ck_assert_int_eq(ailes_store_tenant_by_slug(db, pool, "acme", &t),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(t->id, id);
    ck_assert_str_eq(t->slug, "acme");
    ck_assert_str_eq(t->name, name);
}
END_TEST

START_TEST(store_tenant_duplicate_is_eexist)
{
    apr_int64_t id = 0, again = 77;

    ck_assert_int_eq(ailes_store_tenant_add(db, pool, "acme", "A", &id),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_store_tenant_add(db, pool, "acme", "B", &again),
                     APR_EEXIST);
    ck_assert_int_eq(again, 0);
    ck_assert_int_eq(count_tenants(), 1);
}
END_TEST

START_TEST(store_tenant_missing_is_notfound)
{
    ailes_tenant_t *t = (ailes_tenant_t *)1;

    add_tenant("acme");
    ck_assert_int_eq(ailes_store_tenant_by_slug(db, pool, "acme2", &t),
                     APR_NOTFOUND);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(ailes_store_tenant_by_slug(db, pool, "ACME", &t),
                     APR_NOTFOUND);
}
END_TEST

START_TEST(store_parameters_are_bound_not_spliced)
{
    const char *evil = "x'; DROP TABLE tenants; --";
    apr_int64_t id = 0;
    ailes_tenant_t *t;

    ck_assert_int_eq(ailes_store_tenant_add(db, pool, evil, "O'Brien", &id),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_store_tenant_by_slug(db, pool, evil, &t),
                     APR_SUCCESS);
    ck_assert_str_eq(t->slug, evil);
    ck_assert_str_eq(t->name, "O'Brien");
    ck_assert_int_eq(count_tenants(), 1);
}
END_TEST

/* --- users --------------------------------------------------------------- */

START_TEST(store_user_add_and_get)
{
    apr_int64_t tid = add_tenant("acme"), uid = 0;
    ailes_user_t *u = NULL;

    ck_assert_int_eq(ailes_store_user_add(db, pool, tid, "E 001",
                                          AILES_ROLE_HEALTH_STAFF,
                                          "$2y$04$abc", &uid),
                     APR_SUCCESS);
    ck_assert_int_gt(uid, 0);
    ck_assert_int_eq(ailes_store_user_by_no(db, pool, tid, "E 001", &u),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(u);
    ck_assert_int_eq(u->id, uid);
    ck_assert_int_eq(u->tenant_id, tid);
    ck_assert_str_eq(u->employee_no, "E 001");
    ck_assert_int_eq(u->role, AILES_ROLE_HEALTH_STAFF);
    ck_assert_str_eq(u->password_hash, "$2y$04$abc");
    ck_assert_str_eq(u->status, "active");
}
END_TEST

START_TEST(store_user_without_password_has_null_hash)
{
    apr_int64_t tid = add_tenant("acme"), uid = 0;
    ailes_user_t *u = NULL;

    ck_assert_int_eq(ailes_store_user_add(db, pool, tid, "E002",
                                          AILES_ROLE_EMPLOYEE, NULL, &uid),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_store_user_by_no(db, pool, tid, "E002", &u),
                     APR_SUCCESS);
    ck_assert_ptr_null(u->password_hash);
    ck_assert_int_eq(u->role, AILES_ROLE_EMPLOYEE);
}
END_TEST

START_TEST(store_user_duplicate_in_tenant_is_eexist)
{
    apr_int64_t tid = add_tenant("acme"), again = 77;

    add_user(tid, "E001", AILES_ROLE_EMPLOYEE);
    ck_assert_int_eq(ailes_store_user_add(db, pool, tid, "E001",
                                          AILES_ROLE_TENANT_ADMIN, NULL,
                                          &again),
                     APR_EEXIST);
    ck_assert_int_eq(again, 0);
}
END_TEST

START_TEST(store_user_same_number_in_other_tenant_allowed)
{
    apr_int64_t a = add_tenant("tenant-a"), b = add_tenant("tenant-b");
    apr_int64_t ua = add_user(a, "E001", AILES_ROLE_EMPLOYEE);
    apr_int64_t ub = add_user(b, "E001", AILES_ROLE_TENANT_ADMIN);
    ailes_user_t *u;

    ck_assert_int_ne(ua, ub);
    ck_assert_int_eq(ailes_store_user_by_no(db, pool, a, "E001", &u),
                     APR_SUCCESS);
    ck_assert_int_eq(u->id, ua);
    ck_assert_int_eq(u->role, AILES_ROLE_EMPLOYEE);
    ck_assert_int_eq(ailes_store_user_by_no(db, pool, b, "E001", &u),
                     APR_SUCCESS);
    ck_assert_int_eq(u->id, ub);
    ck_assert_int_eq(u->role, AILES_ROLE_TENANT_ADMIN);
}
END_TEST

START_TEST(store_user_lookup_is_tenant_scoped)
{
    apr_int64_t a = add_tenant("tenant-a"), b = add_tenant("tenant-b");
    ailes_user_t *u = (ailes_user_t *)1;

    add_user(a, "E001", AILES_ROLE_EMPLOYEE);
    ck_assert_int_eq(ailes_store_user_by_no(db, pool, b, "E001", &u),
                     APR_NOTFOUND);
    ck_assert_ptr_null(u);
    ck_assert_int_eq(ailes_store_user_by_no(db, pool, a, "e001", &u),
                     APR_NOTFOUND);
}
END_TEST

START_TEST(store_user_in_missing_tenant_fails_quietly)
{
    /* foreign keys are on; the failure is logged by label, never with the
     * parameter values (a password hash here). */
    apr_int64_t id = 77;

    ck_assert_int_eq(ailes_store_user_add(db, pool, 4242, "E001",
                                          AILES_ROLE_EMPLOYEE,
                                          "SECRET-HASH-VALUE", &id),
                     APR_EGENERAL);
    ck_assert_int_eq(id, 0);
    ck_assert_msg(strstr(ailes_test_log_text(), "ailes_user_add") != NULL,
                  "log: %s", ailes_test_log_text());
    ck_assert_msg(strstr(ailes_test_log_text(), "SECRET-HASH-VALUE") == NULL,
                  "log: %s", ailes_test_log_text());
}
END_TEST

/* --- sessions ------------------------------------------------------------ */

START_TEST(store_session_add_and_get)
{
    apr_int64_t tid = add_tenant("acme");
    apr_int64_t uid = add_user(tid, "E001", AILES_ROLE_SC_STAFF);
    ailes_session_t *s = NULL;

    add_session(tid, uid, "hash-1");
    ck_assert_int_eq(ailes_store_session_get(db, pool, "acme", "hash-1", &s),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->id_hash, "hash-1");
    ck_assert_int_eq(s->tenant_id, tid);
    ck_assert_str_eq(s->tenant_slug, "acme");
    ck_assert_int_eq(s->user_id, uid);
    ck_assert_str_eq(s->employee_no, "E001");
    ck_assert_int_eq(s->role, AILES_ROLE_SC_STAFF);
    ck_assert_str_eq(s->csrf_token, "csrf-token-value");
    ck_assert_int_eq(s->created_at, 1795705000);
    ck_assert_int_eq(s->last_seen, 1795705100);
    ck_assert_int_eq(s->expires_at, 1795708600);
}
END_TEST

START_TEST(store_session_get_unknown_hash_is_notfound)
{
    apr_int64_t tid = add_tenant("acme");
    ailes_session_t *s = (ailes_session_t *)1;

    add_session(tid, add_user(tid, "E001", AILES_ROLE_EMPLOYEE), "hash-1");
    ck_assert_int_eq(ailes_store_session_get(db, pool, "acme", "hash-2", &s),
                     APR_NOTFOUND);
    ck_assert_ptr_null(s);
}
END_TEST

START_TEST(store_session_get_wrong_tenant_is_notfound)
{
    apr_int64_t a = add_tenant("tenant-a");
    ailes_session_t *s = (ailes_session_t *)1;

    add_tenant("tenant-b");
    add_session(a, add_user(a, "E001", AILES_ROLE_EMPLOYEE), "hash-1");
    ck_assert_int_eq(ailes_store_session_get(db, pool, "tenant-b", "hash-1",
                                             &s),
                     APR_NOTFOUND);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(ailes_store_session_get(db, pool, "nobody", "hash-1",
                                             &s),
                     APR_NOTFOUND);
    ck_assert_int_eq(ailes_store_session_get(db, pool, "tenant-a", "hash-1",
                                             &s),
                     APR_SUCCESS);
}
END_TEST

START_TEST(store_session_of_disabled_user_is_notfound)
{
    apr_int64_t tid = add_tenant("acme");
    apr_int64_t uid = add_user(tid, "E001", AILES_ROLE_EMPLOYEE);
    ailes_session_t *s;

    add_session(tid, uid, "hash-1");
    ck_assert_int_eq(ailes_db_exec(db, pool, &st_disable_user, NULL,
                                   AILES_ARGS(ailes_db_int(pool, uid))),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_store_session_get(db, pool, "acme", "hash-1", &s),
                     APR_NOTFOUND);
}
END_TEST

START_TEST(store_session_touch_changes_last_seen)
{
    apr_int64_t tid = add_tenant("acme");
    ailes_session_t *s;

    add_session(tid, add_user(tid, "E001", AILES_ROLE_EMPLOYEE), "hash-1");
    ck_assert_int_eq(ailes_store_session_touch(db, pool, tid, "hash-1",
                                               1795706000),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_store_session_get(db, pool, "acme", "hash-1", &s),
                     APR_SUCCESS);
    ck_assert_int_eq(s->last_seen, 1795706000);
    ck_assert_int_eq(s->created_at, 1795705000);
    ck_assert_int_eq(s->expires_at, 1795708600);
}
END_TEST

START_TEST(store_session_touch_in_other_tenant_changes_nothing)
{
    apr_int64_t a = add_tenant("tenant-a"), b = add_tenant("tenant-b");
    ailes_session_t *s;

    add_session(a, add_user(a, "E001", AILES_ROLE_EMPLOYEE), "hash-1");
    ailes_store_session_touch(db, pool, b, "hash-1", 1795706000);
    ck_assert_int_eq(ailes_store_session_get(db, pool, "tenant-a", "hash-1",
                                             &s),
                     APR_SUCCESS);
    ck_assert_int_eq(s->last_seen, 1795705100);
}
END_TEST

START_TEST(store_session_delete_removes)
{
    apr_int64_t tid = add_tenant("acme");
    apr_int64_t uid = add_user(tid, "E001", AILES_ROLE_EMPLOYEE);
    ailes_session_t *s;

    add_session(tid, uid, "hash-1");
    add_session(tid, uid, "hash-2");
    ck_assert_int_eq(ailes_store_session_delete(db, pool, tid, "hash-1"),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_store_session_get(db, pool, "acme", "hash-1", &s),
                     APR_NOTFOUND);
    ck_assert_int_eq(ailes_store_session_get(db, pool, "acme", "hash-2", &s),
                     APR_SUCCESS);
}
END_TEST

START_TEST(store_session_delete_in_other_tenant_keeps_it)
{
    apr_int64_t a = add_tenant("tenant-a"), b = add_tenant("tenant-b");
    ailes_session_t *s;

    add_session(a, add_user(a, "E001", AILES_ROLE_EMPLOYEE), "hash-1");
    ailes_store_session_delete(db, pool, b, "hash-1");
    ck_assert_int_eq(ailes_store_session_get(db, pool, "tenant-a", "hash-1",
                                             &s),
                     APR_SUCCESS);
}
END_TEST

/* --- login attempts (lockout) ------------------------------------------- */

/* One ailes_store_attempt_begin; asserts success and returns the count. */
static int attempt(apr_int64_t tenant_id, const char *no, apr_int64_t now,
                   apr_int64_t *locked_until)
{
    int failures = -1;
    apr_int64_t until = -1;

    ck_assert_int_eq(ailes_store_attempt_begin(db, pool, tenant_id, no, now,
                                               &failures, &until),
                     APR_SUCCESS);
    if (locked_until) {
        *locked_until = until;
    }
    else {
        ck_assert_int_eq(until, 0);
    }
    return failures;
}

START_TEST(store_attempt_counts_for_unknown_employee)
{
    apr_int64_t tid = add_tenant("acme");
    ailes_user_t *u;

    ck_assert_int_eq(ailes_store_user_by_no(db, pool, tid, "NOBODY", &u),
                     APR_NOTFOUND);
    ck_assert_int_eq(attempt(tid, "NOBODY", 1000, NULL), 1);
    ck_assert_int_eq(attempt(tid, "NOBODY", 1001, NULL), 2);
    ck_assert_int_eq(attempt(tid, "NOBODY", 1002, NULL), 3);
    ck_assert_int_eq(attempt(tid, "NOBODY", 1002, NULL), 4);
}
END_TEST

START_TEST(store_attempt_counts_per_tenant_and_number)
{
    apr_int64_t a = add_tenant("tenant-a"), b = add_tenant("tenant-b");

    add_user(a, "E001", AILES_ROLE_EMPLOYEE);
    ck_assert_int_eq(attempt(a, "E001", 1000, NULL), 1);
    ck_assert_int_eq(attempt(a, "E001", 1001, NULL), 2);
    ck_assert_int_eq(attempt(a, "E001", 1002, NULL), 3);
    ck_assert_int_eq(attempt(b, "E001", 1003, NULL), 1);
    ck_assert_int_eq(attempt(a, "E002", 1004, NULL), 1);
    ck_assert_int_eq(attempt(a, "e001", 1005, NULL), 1);
    ck_assert_int_eq(attempt(a, "E001", 1006, NULL), 4);
    ck_assert_int_eq(attempt(b, "E001", 1007, NULL), 2);
}
END_TEST

START_TEST(store_attempt_lock_holds_until_it_ends)
{
    apr_int64_t tid = add_tenant("acme");
    apr_int64_t until = -1;

    ck_assert_int_eq(attempt(tid, "E001", 1000, NULL), 1);
    ck_assert_int_eq(attempt(tid, "E001", 1001, NULL), 2);
    ck_assert_int_eq(ailes_store_attempt_lock(db, pool, tid, "E001", 2000),
                     APR_SUCCESS);
    /* still locked: the lock is reported, attempts keep counting */
    ck_assert_int_eq(attempt(tid, "E001", 1500, &until), 3);
    ck_assert_int_eq(until, 2000);
    ck_assert_int_eq(attempt(tid, "E001", 1999, &until), 4);
    ck_assert_int_eq(until, 2000);
    /* run out (now == until): cleared, counting again from 1 */
    ck_assert_int_eq(attempt(tid, "E001", 2000, &until), 1);
    ck_assert_int_eq(until, 0);
    ck_assert_int_eq(attempt(tid, "E001", 2001, &until), 2);
    ck_assert_int_eq(until, 0);
}
END_TEST

START_TEST(store_attempt_lock_long_past_restarts_at_one)
{
    apr_int64_t tid = add_tenant("acme");
    apr_int64_t until = -1;

    ck_assert_int_eq(attempt(tid, "E001", 1000, NULL), 1);
    ck_assert_int_eq(ailes_store_attempt_lock(db, pool, tid, "E001", 1900),
                     APR_SUCCESS);
    ck_assert_int_eq(attempt(tid, "E001", 999999, &until), 1);
    ck_assert_int_eq(until, 0);
}
END_TEST

START_TEST(store_attempt_lock_is_per_tenant_and_number)
{
    apr_int64_t a = add_tenant("tenant-a"), b = add_tenant("tenant-b");

    attempt(a, "E001", 1000, NULL);
    attempt(a, "E002", 1000, NULL);
    attempt(b, "E001", 1000, NULL);
    ck_assert_int_eq(ailes_store_attempt_lock(db, pool, a, "E001", 5000),
                     APR_SUCCESS);
    ck_assert_int_eq(attempt(a, "E002", 1001, NULL), 2);
    ck_assert_int_eq(attempt(b, "E001", 1001, NULL), 2);
}
END_TEST

START_TEST(store_attempt_clear_restarts_at_one)
{
    apr_int64_t a = add_tenant("tenant-a"), b = add_tenant("tenant-b");
    apr_int64_t until = -1;

    attempt(a, "E001", 1000, NULL);
    attempt(a, "E001", 1001, NULL);
    attempt(a, "E001", 1002, NULL);
    attempt(b, "E001", 1002, NULL);
    ck_assert_int_eq(ailes_store_attempt_clear(db, pool, a, "E001"),
                     APR_SUCCESS);
    ck_assert_int_eq(attempt(a, "E001", 1003, NULL), 1);
    /* the other tenant's count is kept */
    ck_assert_int_eq(attempt(b, "E001", 1003, NULL), 2);
    /* clear also ends a running lock */
    ck_assert_int_eq(ailes_store_attempt_lock(db, pool, a, "E001", 9000),
                     APR_SUCCESS);
    ck_assert_int_eq(attempt(a, "E001", 1004, &until), 2);
    ck_assert_int_eq(until, 9000);
    ck_assert_int_eq(ailes_store_attempt_clear(db, pool, a, "E001"),
                     APR_SUCCESS);
    ck_assert_int_eq(attempt(a, "E001", 1005, &until), 1);
    ck_assert_int_eq(until, 0);
    /* clearing what was never counted is no error */
    ck_assert_int_eq(ailes_store_attempt_clear(db, pool, a, "E999"),
                     APR_SUCCESS);
}
END_TEST

/* --- password change ----------------------------------------------------- */

START_TEST(store_user_set_password)
{
    apr_int64_t tid = add_tenant("acme");
    apr_int64_t uid = add_user(tid, "E001", AILES_ROLE_EMPLOYEE);
    ailes_user_t *u;

    ck_assert_int_eq(ailes_store_user_set_password(db, pool, tid, uid,
                                                   "$2y$04$new"),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_store_user_by_no(db, pool, tid, "E001", &u),
                     APR_SUCCESS);
    ck_assert_str_eq(u->password_hash, "$2y$04$new");
}
END_TEST

START_TEST(store_user_set_password_other_tenant_is_notfound)
{
    apr_int64_t a = add_tenant("tenant-a"), b = add_tenant("tenant-b");
    apr_int64_t ua = add_user(a, "E001", AILES_ROLE_EMPLOYEE);
    ailes_user_t *u;

    add_user(b, "E001", AILES_ROLE_EMPLOYEE);
    ck_assert_int_eq(ailes_store_user_set_password(db, pool, b, ua,
                                                   "$2y$04$evil"),
                     APR_NOTFOUND);
    ck_assert_int_eq(ailes_store_user_set_password(db, pool, a, ua + 1000,
                                                   "$2y$04$evil"),
                     APR_NOTFOUND);
    ck_assert_int_eq(ailes_store_user_by_no(db, pool, a, "E001", &u),
                     APR_SUCCESS);
    ck_assert_str_eq(u->password_hash, "$2y$04$hash");
    ck_assert_int_eq(ailes_store_user_by_no(db, pool, b, "E001", &u),
                     APR_SUCCESS);
    ck_assert_str_eq(u->password_hash, "$2y$04$hash");
}
END_TEST

/* --- a user's sessions --------------------------------------------------- */

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The hashes, sorted and joined with ",". */
static const char *hashes_of(apr_int64_t tenant_id, apr_int64_t user_id,
                             const char *keep)
{
    apr_array_header_t *h = NULL;
    const char *out = "";
    int i;

    ck_assert_int_eq(ailes_store_session_hashes(db, pool, tenant_id, user_id,
                                                keep, &h),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(h);
    qsort(h->elts, (size_t)h->nelts, sizeof(const char *), cmp_str);
    for (i = 0; i < h->nelts; i++) {
        out = apr_pstrcat(pool, out, i ? "," : "",
                          APR_ARRAY_IDX(h, i, const char *), NULL);
    }
    return out;
}

static int session_exists(const char *slug, const char *hash)
{
    ailes_session_t *s;
    apr_status_t rv = ailes_store_session_get(db, pool, slug, hash, &s);

    ck_assert_msg(rv == APR_SUCCESS || rv == APR_NOTFOUND, "rv %d", rv);
    return rv == APR_SUCCESS;
}

START_TEST(store_session_hashes_of_user)
{
    apr_int64_t a = add_tenant("tenant-a"), b = add_tenant("tenant-b");
    apr_int64_t u1 = add_user(a, "E001", AILES_ROLE_EMPLOYEE);
    apr_int64_t u2 = add_user(a, "E002", AILES_ROLE_EMPLOYEE);
    apr_int64_t u3 = add_user(b, "E001", AILES_ROLE_EMPLOYEE);

    add_session(a, u1, "h1");
    add_session(a, u1, "h2");
    add_session(a, u1, "h3");
    add_session(a, u2, "h4");
    add_session(b, u3, "h5");
    ck_assert_str_eq(hashes_of(a, u1, NULL), "h1,h2,h3");
    ck_assert_str_eq(hashes_of(a, u1, "h2"), "h1,h3");
    ck_assert_str_eq(hashes_of(a, u1, "nope"), "h1,h2,h3");
    ck_assert_str_eq(hashes_of(a, u2, NULL), "h4");
    ck_assert_str_eq(hashes_of(a, u2, "h4"), "");
    /* tenant-scoped: u1 has no sessions in tenant-b */
    ck_assert_str_eq(hashes_of(b, u1, NULL), "");
    ck_assert_str_eq(hashes_of(b, u3, NULL), "h5");
}
END_TEST

START_TEST(store_session_delete_user_keeps_one)
{
    apr_int64_t a = add_tenant("tenant-a"), b = add_tenant("tenant-b");
    apr_int64_t u1 = add_user(a, "E001", AILES_ROLE_EMPLOYEE);
    apr_int64_t u2 = add_user(a, "E002", AILES_ROLE_EMPLOYEE);
    apr_int64_t u3 = add_user(b, "E001", AILES_ROLE_EMPLOYEE);

    add_session(a, u1, "h1");
    add_session(a, u1, "h2");
    add_session(a, u1, "h3");
    add_session(a, u2, "h4");
    add_session(b, u3, "h5");
    ck_assert_int_eq(ailes_store_session_delete_user(db, pool, a, u1, "h2"),
                     APR_SUCCESS);
    ck_assert(!session_exists("tenant-a", "h1"));
    ck_assert(session_exists("tenant-a", "h2"));
    ck_assert(!session_exists("tenant-a", "h3"));
    ck_assert(session_exists("tenant-a", "h4"));
    ck_assert(session_exists("tenant-b", "h5"));
    ck_assert_str_eq(hashes_of(a, u1, NULL), "h2");
}
END_TEST

START_TEST(store_session_delete_user_without_keep)
{
    apr_int64_t a = add_tenant("tenant-a"), b = add_tenant("tenant-b");
    apr_int64_t u1 = add_user(a, "E001", AILES_ROLE_EMPLOYEE);
    apr_int64_t u2 = add_user(a, "E002", AILES_ROLE_EMPLOYEE);
    apr_int64_t u3 = add_user(b, "E001", AILES_ROLE_EMPLOYEE);

    add_session(a, u1, "h1");
    add_session(a, u1, "h2");
    add_session(a, u2, "h4");
    add_session(b, u3, "h5");
    ck_assert_int_eq(ailes_store_session_delete_user(db, pool, a, u1, NULL),
                     APR_SUCCESS);
    ck_assert(!session_exists("tenant-a", "h1"));
    ck_assert(!session_exists("tenant-a", "h2"));
    ck_assert(session_exists("tenant-a", "h4"));
    ck_assert(session_exists("tenant-b", "h5"));
}
END_TEST

START_TEST(store_session_delete_user_in_other_tenant_keeps_all)
{
    apr_int64_t a = add_tenant("tenant-a"), b = add_tenant("tenant-b");
    apr_int64_t u1 = add_user(a, "E001", AILES_ROLE_EMPLOYEE);

    add_session(a, u1, "h1");
    add_session(a, u1, "h2");
    ck_assert_int_eq(ailes_store_session_delete_user(db, pool, b, u1, NULL),
                     APR_SUCCESS);
    ck_assert(session_exists("tenant-a", "h1"));
    ck_assert(session_exists("tenant-a", "h2"));
    ck_assert_str_eq(hashes_of(a, u1, NULL), "h1,h2");
}
END_TEST

/* --- audit --------------------------------------------------------------- */

START_TEST(store_audit_add_without_tenant_and_request_id)
{
    ailes_audit_rec_t a;
    ailes_row_t *row;

    memset(&a, 0, sizeof(a));
    a.tenant_id = 0;
    a.at = apr_time_from_sec(1795705199) + 123456;
    a.actor = "-";
    a.action = "login.fail";
    a.target = "E001";
    a.client_ip = "192.0.2.1";
    a.outcome = "denied";
    a.request_id = NULL;
    ck_assert_int_eq(ailes_store_audit_add(db, pool, &a), APR_SUCCESS);
    ck_assert_int_eq(ailes_db_row(db, pool, &st_last_audit, &row,
                                  AILES_NOARGS),
                     APR_SUCCESS);
    ck_assert_ptr_null(row->cols[0]);
    ck_assert_str_eq(row->cols[1], "1795705199123456");
    ck_assert_str_eq(row->cols[2], "-");
    ck_assert_str_eq(row->cols[3], "login.fail");
    ck_assert_str_eq(row->cols[4], "E001");
    ck_assert_str_eq(row->cols[5], "192.0.2.1");
    ck_assert_str_eq(row->cols[6], "denied");
    ck_assert_ptr_null(row->cols[7]);
}
END_TEST

START_TEST(store_audit_add_with_tenant_and_request_id)
{
    apr_int64_t tid = add_tenant("acme");
    ailes_audit_rec_t a;
    ailes_row_t *row;

    memset(&a, 0, sizeof(a));
    a.tenant_id = tid;
    a.at = apr_time_from_sec(1);
    a.actor = "E001/employee";
    a.action = "login.ok";
    a.target = "E001";
    a.client_ip = "::1";
    a.outcome = "ok";
    a.request_id = "req-42";
    ck_assert_int_eq(ailes_store_audit_add(db, pool, &a), APR_SUCCESS);
    ck_assert_int_eq(ailes_db_row(db, pool, &st_last_audit, &row,
                                  AILES_NOARGS),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_row_int(row, 0), tid);
    ck_assert_str_eq(row->cols[1], "1000000");
    ck_assert_str_eq(row->cols[7], "req-42");
}
END_TEST

Suite *ailes_suite_store(void)
{
    Suite *s = suite_create("store");
    TCase *tdb = tcase_create("db");
    TCase *tst = tcase_create("store");

    tcase_add_checked_fixture(tdb, open_db, close_db);
    tcase_set_timeout(tdb, 30);
    tcase_add_test(tdb, db_open_rejects_unknown_driver);
    tcase_add_test(tdb, db_open_without_params);
    tcase_add_test(tdb, db_open_sqlite_in_missing_folder_fails);
    tcase_add_test(tdb, db_open_error_never_shows_params);
    tcase_add_test(tdb, db_row_columns_and_null);
    tcase_add_test(tdb, db_int_renders_64_bit);
    tcase_add_test(tdb, db_args_count_mismatch_is_einval);
    tcase_add_test(tdb, db_end_without_transaction_is_einval);
    tcase_add_test(tdb, db_statement_survives_schema_change);
    tcase_add_test(tdb,
                   db_statement_survives_schema_change_by_other_connection);
    tcase_add_test(tdb, migrate_latest_known_versions);
    tcase_add_test(tdb, migrate_applies_once);
    tcase_add_test(tdb, migrate_survives_reopen);
    tcase_add_test(tdb, ping_fails_before_migrate);
    tcase_add_test(tdb, ping_works_after_migrate);
    suite_add_tcase(s, tdb);

    tcase_add_checked_fixture(tst, open_migrated_db, close_db);
    tcase_set_timeout(tst, 30);
    tcase_add_test(tst, tx_rollback_leaves_no_row);
    tcase_add_test(tst, tx_commit_keeps_row);
    tcase_add_test(tst, tx_failed_statement_rolls_back_despite_commit);
    tcase_add_test(tst, store_tenant_add_and_get);
    tcase_add_test(tst, store_tenant_duplicate_is_eexist);
    tcase_add_test(tst, store_tenant_missing_is_notfound);
    tcase_add_test(tst, store_parameters_are_bound_not_spliced);
    tcase_add_test(tst, store_user_add_and_get);
    tcase_add_test(tst, store_user_without_password_has_null_hash);
    tcase_add_test(tst, store_user_duplicate_in_tenant_is_eexist);
    tcase_add_test(tst, store_user_same_number_in_other_tenant_allowed);
    tcase_add_test(tst, store_user_lookup_is_tenant_scoped);
    tcase_add_test(tst, store_user_in_missing_tenant_fails_quietly);
    tcase_add_test(tst, store_session_add_and_get);
    tcase_add_test(tst, store_session_get_unknown_hash_is_notfound);
    tcase_add_test(tst, store_session_get_wrong_tenant_is_notfound);
    tcase_add_test(tst, store_session_of_disabled_user_is_notfound);
    tcase_add_test(tst, store_session_touch_changes_last_seen);
    tcase_add_test(tst, store_session_touch_in_other_tenant_changes_nothing);
    tcase_add_test(tst, store_session_delete_removes);
    tcase_add_test(tst, store_session_delete_in_other_tenant_keeps_it);
    tcase_add_test(tst, store_attempt_counts_for_unknown_employee);
    tcase_add_test(tst, store_attempt_counts_per_tenant_and_number);
    tcase_add_test(tst, store_attempt_lock_holds_until_it_ends);
    tcase_add_test(tst, store_attempt_lock_long_past_restarts_at_one);
    tcase_add_test(tst, store_attempt_lock_is_per_tenant_and_number);
    tcase_add_test(tst, store_attempt_clear_restarts_at_one);
    tcase_add_test(tst, store_user_set_password);
    tcase_add_test(tst, store_user_set_password_other_tenant_is_notfound);
    tcase_add_test(tst, store_session_hashes_of_user);
    tcase_add_test(tst, store_session_delete_user_keeps_one);
    tcase_add_test(tst, store_session_delete_user_without_keep);
    tcase_add_test(tst, store_session_delete_user_in_other_tenant_keeps_all);
    tcase_add_test(tst, store_audit_add_without_tenant_and_request_id);
    tcase_add_test(tst, store_audit_add_with_tenant_and_request_id);
    suite_add_tcase(s, tst);
    return s;
}
