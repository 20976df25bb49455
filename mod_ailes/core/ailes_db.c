/* apr_dbd wrapper; see ailes_db.h. Driver errors are logged with the
 * statement label, never with parameter values (they may be secrets). */
#include <string.h>

#include <apr_strings.h>

#include "ailes_db.h"
#include "ailes_log.h"

/* The driver's message for rc, without libpq's trailing newline. */
static const char *db_error(ailes_db_t *db, apr_pool_t *p, int rc)
{
    const char *e = apr_dbd_error(db->driver, db->handle, rc);
    char *out;
    size_t n;

    if (!e) {
        return "(no message)";
    }
    out = apr_pstrdup(p, e);
    n = strlen(out);
    while (n && (out[n - 1] == '\n' || out[n - 1] == ' ')) {
        out[--n] = '\0';
    }
    return out;
}

/* A hash entry that marks a connection as initialised (pragmas run). */
#define INIT_MARK "ailes:init"

/* The first use of a connection runs driver set-up and records who the
 * connection is: for PostgreSQL the backend pid, so that a connection that
 * libpq silently re-opened (PQreset after a server restart, which drops
 * every prepared statement) can be told apart from the one we prepared on. */
static const char *backend_id(ailes_db_t *db, apr_pool_t *p)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *r = NULL;
    const char *pid = NULL;

    if (apr_dbd_select(db->driver, p, db->handle, &res,
                       "SELECT pg_backend_pid()", 1)) {
        return NULL;
    }
    while (0 == apr_dbd_get_row(db->driver, p, res, &r, -1)) {
        if (!pid) {
            pid = apr_pstrdup(p, apr_dbd_get_entry(db->driver, r, 0));
        }
    }
    return pid;
}

static apr_status_t conn_init(ailes_db_t *db)
{
    const char *id = "sqlite3";

    if (apr_hash_get(db->prepared, INIT_MARK, APR_HASH_KEY_STRING)) {
        return APR_SUCCESS;
    }
    if (!strcmp(db->name, "sqlite3")) {
        /* Several httpd children share the file: wait for a lock instead of
         * failing at once, and enforce the schema's foreign keys. */
        if (APR_SUCCESS != ailes_db_select_fixed(db, db->pool,
                                                 "PRAGMA busy_timeout = 10000")
            || APR_SUCCESS != ailes_db_select_fixed(db, db->pool,
                                                    "PRAGMA foreign_keys = ON")) {
            ailes_log(AILES_LOG_ERR, 0,
                      AILES_LOGNO(00001) "sqlite3 connection setup failed: %s",
                      db_error(db, db->pool, 1));
            return APR_EGENERAL;
        }
    }
    else if (!(id = backend_id(db, db->pool))) {
        return APR_EGENERAL;
    }
    apr_hash_set(db->prepared, INIT_MARK, APR_HASH_KEY_STRING, id);
    return APR_SUCCESS;
}

/* After a failed statement: may it be retried once, prepared afresh?
 *
 * SQLite: apr_dbd's driver keeps a prepared statement that a schema change
 * (a migration, from any connection) has made stale, and it fails from then
 * on; so the failed statement is dropped and prepared again. A retry of a
 * statement that failed for another reason fails the same way, without
 * side effects. (Each re-preparation stays linked to the connection until
 * it closes: bounded by the number of schema changes.)
 *
 * PostgreSQL: if the server connection under us was replaced (PQreset
 * after a server restart, which drops every prepared statement), forget
 * our statements. Only outside transactions: inside one, PostgreSQL
 * refuses everything until rollback. */
static int recovered(ailes_db_t *db, apr_pool_t *p, const ailes_stmt_t *st)
{
    const char *was, *now;
    apr_hash_index_t *hi;

    if (!strcmp(db->name, "sqlite3")) {
        if (!st || !apr_hash_get(db->prepared, st->label,
                                 APR_HASH_KEY_STRING)) {
            return 0;
        }
        apr_hash_set(db->prepared, st->label, APR_HASH_KEY_STRING, NULL);
        return 1;
    }
    if (db->in_tx) {
        return 0;
    }
    was = apr_hash_get(db->prepared, INIT_MARK, APR_HASH_KEY_STRING);
    (void)apr_dbd_check_conn(db->driver, p, db->handle);
    now = backend_id(db, p);
    if (!now || (was && !strcmp(was, now))) {
        return 0;
    }
    /* Statements prepared on the new connection before we noticed the
     * change (mod_dbd resets a broken connection on acquire) would collide
     * with the re-preparation: start from a clean slate. */
    if (apr_dbd_query(db->driver, db->handle, &(int){ 0 }, "DEALLOCATE ALL")) {
        return 0;
    }
    for (hi = apr_hash_first(p, db->prepared); hi; hi = apr_hash_next(hi)) {
        const void *key;
        apr_hash_this(hi, &key, NULL, NULL);
        if (!strncmp(key, "ailes", 5)) {
            apr_hash_set(db->prepared, key, APR_HASH_KEY_STRING, NULL);
        }
    }
    ailes_log(AILES_LOG_WARN, APR_SUCCESS, AILES_LOGNO(00011)
              "database connection was re-opened; statements prepared again");
    return 1;
}

static apr_status_t get_stmt(ailes_db_t *db, const ailes_stmt_t *st,
                             int nargs, apr_dbd_prepared_t **out)
{
    apr_dbd_prepared_t *ps = NULL;
    int attempt, rc = 0;

    *out = NULL;
    if (nargs != st->nargs) {
        ailes_log(AILES_LOG_ERR, APR_EINVAL,
                  AILES_LOGNO(00002) "statement %s takes %d arguments, got %d",
                  st->label, st->nargs, nargs);
        return APR_EINVAL;
    }
    for (attempt = 0; attempt < 2; attempt++) {
        if (APR_SUCCESS != conn_init(db)) {
            if (attempt == 0 && recovered(db, db->pool, NULL)) {
                continue;
            }
            return APR_EGENERAL;
        }
        ps = apr_hash_get(db->prepared, st->label, APR_HASH_KEY_STRING);
        if (ps) {
            break;
        }
        rc = apr_dbd_prepare(db->driver, db->pool, db->handle, st->sql,
                             st->label, &ps);
        if (!rc) {
            apr_hash_set(db->prepared, st->label, APR_HASH_KEY_STRING, ps);
            break;
        }
        ps = NULL;
        if (attempt > 0 || !recovered(db, db->pool, NULL)) {
            break;
        }
    }
    if (!ps) {
        ailes_log(AILES_LOG_ERR, 0,
                  AILES_LOGNO(00003) "cannot prepare %s: %s", st->label,
                  rc ? db_error(db, db->pool, rc)
                     : "connection set-up failed");
        return APR_EGENERAL;
    }
    *out = ps;
    return APR_SUCCESS;
}

apr_status_t ailes_db_open(apr_pool_t *p, const char *driver,
                           const char *params, ailes_db_t **db,
                           const char **err)
{
    const apr_dbd_driver_t *drv = NULL;
    apr_dbd_t *handle = NULL;
    apr_pool_t *cp;
    const char *derr = NULL;
    apr_status_t rv;

    *db = NULL;
    *err = NULL;
    if (!driver || !params) {
        *err = "no database configured";
        return APR_EINVAL;
    }
    if (strcmp(driver, "sqlite3") && strcmp(driver, "pgsql")) {
        *err = apr_psprintf(p, "database driver '%s' is not supported "
                            "(sqlite3 or pgsql)", driver);
        return APR_ENOTIMPL;
    }
    rv = apr_dbd_init(p);
    if (APR_SUCCESS == rv) {
        rv = apr_dbd_get_driver(p, driver, &drv);
    }
    if (APR_SUCCESS != rv) {
        *err = apr_psprintf(p, "cannot load the apr_dbd %s driver (Debian "
                            "package libaprutil1-dbd-%s)", driver, driver);
        return rv;
    }
    if (APR_SUCCESS != (rv = apr_pool_create(&cp, p))) {
        *err = "out of memory";
        return rv;
    }
    rv = apr_dbd_open_ex(drv, cp, params, &handle, &derr);
    if (APR_SUCCESS != rv || !handle) {
        *err = apr_psprintf(p, "cannot connect to the %s database%s%s",
                            driver, derr ? ": " : "", derr ? derr : "");
        apr_pool_destroy(cp);
        return APR_SUCCESS == rv ? APR_EGENERAL : rv;
    }
    *db = ailes_db_wrap(cp, drv, handle, apr_hash_make(cp), cp);
    return APR_SUCCESS;
}

ailes_db_t *ailes_db_wrap(apr_pool_t *p, const apr_dbd_driver_t *driver,
                          apr_dbd_t *handle, apr_hash_t *prepared,
                          apr_pool_t *conn_pool)
{
    ailes_db_t *db = apr_pcalloc(p, sizeof(*db));

    db->driver = driver;
    db->handle = handle;
    db->prepared = prepared;
    db->pool = conn_pool;
    db->name = apr_dbd_name(driver);
    return db;
}

void ailes_db_close(ailes_db_t *db)
{
    if (db && db->handle) {
        apr_dbd_close(db->driver, db->handle);
        db->handle = NULL;
        apr_pool_destroy(db->pool);
    }
}

static const char *entry(ailes_db_t *db, apr_pool_t *p, apr_dbd_row_t *row,
                         int col)
{
    const char *v = NULL;

    /* apr_dbd_datum_get tells SQL NULL apart (APR_ENOENT) on every driver,
     * where apr_dbd_get_entry gives "" on pgsql. */
    if (APR_SUCCESS != apr_dbd_datum_get(db->driver, row, col,
                                         APR_DBD_TYPE_STRING, &v)) {
        return NULL;
    }
    return v ? apr_pstrdup(p, v) : NULL;
}

apr_status_t ailes_db_rows(ailes_db_t *db, apr_pool_t *p,
                           const ailes_stmt_t *st, apr_array_header_t **rows,
                           int nargs, const char **args)
{
    apr_dbd_prepared_t *ps;
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *r = NULL;
    apr_status_t rv;
    int rc, ncols;

    *rows = NULL;
    if (APR_SUCCESS != (rv = get_stmt(db, st, nargs, &ps))) {
        db->tx_failed = db->in_tx;
        return rv;
    }
    rc = apr_dbd_pselect(db->driver, p, db->handle, &res, ps, 1, nargs, args);
    if (rc && recovered(db, p, st)
        && APR_SUCCESS == get_stmt(db, st, nargs, &ps)) {
        rc = apr_dbd_pselect(db->driver, p, db->handle, &res, ps, 1, nargs,
                             args);
    }
    if (rc) {
        db->tx_failed = db->in_tx;
        ailes_log(AILES_LOG_ERR, 0,
                  AILES_LOGNO(00004) "query %s failed: %s", st->label,
                  db_error(db, p, rc));
        return APR_EGENERAL;
    }
    ncols = apr_dbd_num_cols(db->driver, res);
    *rows = apr_array_make(p, 4, sizeof(ailes_row_t *));
    while (0 == apr_dbd_get_row(db->driver, p, res, &r, -1)) {
        ailes_row_t *row = apr_palloc(p, sizeof(*row));
        int i;

        row->ncols = ncols;
        row->cols = apr_pcalloc(p, sizeof(const char *) * (ncols + 1));
        for (i = 0; i < ncols; i++) {
            row->cols[i] = entry(db, p, r, i);
        }
        APR_ARRAY_PUSH(*rows, ailes_row_t *) = row;
    }
    return APR_SUCCESS;
}

apr_status_t ailes_db_row(ailes_db_t *db, apr_pool_t *p,
                          const ailes_stmt_t *st, ailes_row_t **row,
                          int nargs, const char **args)
{
    apr_array_header_t *rows;
    apr_status_t rv;

    *row = NULL;
    rv = ailes_db_rows(db, p, st, &rows, nargs, args);
    if (APR_SUCCESS != rv) {
        return rv;
    }
    if (rows->nelts == 0) {
        return APR_NOTFOUND;
    }
    *row = APR_ARRAY_IDX(rows, 0, ailes_row_t *);
    return APR_SUCCESS;
}

apr_status_t ailes_db_exec(ailes_db_t *db, apr_pool_t *p,
                           const ailes_stmt_t *st, int *nrows, int nargs,
                           const char **args)
{
    apr_dbd_prepared_t *ps;
    apr_status_t rv;
    int n = 0, rc;

    if (nrows) {
        *nrows = 0;
    }
    if (APR_SUCCESS != (rv = get_stmt(db, st, nargs, &ps))) {
        db->tx_failed = db->in_tx;
        return rv;
    }
    rc = apr_dbd_pquery(db->driver, p, db->handle, &n, ps, nargs, args);
    if (rc && recovered(db, p, st)
        && APR_SUCCESS == get_stmt(db, st, nargs, &ps)) {
        rc = apr_dbd_pquery(db->driver, p, db->handle, &n, ps, nargs, args);
    }
    if (rc) {
        db->tx_failed = db->in_tx;
        ailes_log(AILES_LOG_ERR, 0,
                  AILES_LOGNO(00005) "statement %s failed: %s", st->label,
                  db_error(db, p, rc));
        return APR_EGENERAL;
    }
    if (nrows) {
        *nrows = n;
    }
    return APR_SUCCESS;
}

apr_status_t ailes_db_exec_one(ailes_db_t *db, apr_pool_t *p,
                               const ailes_stmt_t *st, int nargs,
                               const char **args)
{
    int n = 0;
    apr_status_t rv = ailes_db_exec(db, p, st, &n, nargs, args);

    return APR_SUCCESS == rv && n == 0 ? APR_NOTFOUND : rv;
}

apr_status_t ailes_db_exec_fixed(ailes_db_t *db, apr_pool_t *p,
                                 const char *sql)
{
    int n = 0, rc;

    rc = apr_dbd_query(db->driver, db->handle, &n, sql);
    if (rc) {
        db->tx_failed = db->in_tx;
        ailes_log(AILES_LOG_ERR, 0,
                  AILES_LOGNO(00006) "SQL failed: %s",
                  db_error(db, p, rc));
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

apr_status_t ailes_db_select_fixed(ailes_db_t *db, apr_pool_t *p,
                                   const char *sql)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *r = NULL;
    int rc;

    rc = apr_dbd_select(db->driver, p, db->handle, &res, sql, 1);
    if (rc) {
        db->tx_failed = db->in_tx;
        ailes_log(AILES_LOG_ERR, 0,
                  AILES_LOGNO(00009) "SQL failed: %s",
                  db_error(db, p, rc));
        return APR_EGENERAL;
    }
    while (0 == apr_dbd_get_row(db->driver, p, res, &r, -1)) {
        /* drain */
    }
    return APR_SUCCESS;
}

/* PostgreSQL transactions are plain BEGIN / COMMIT / ROLLBACK, not
 * apr_dbd_transaction_start(): apr-util's pgsql driver (1.6.3, and apr
 * trunk) writes through a NULL transaction pointer when BEGIN comes back
 * with an error result, which is what a pooled connection to a server that
 * has just died gives; the httpd child crashed with every request it was
 * serving. Nothing of the driver's transaction is needed there: failures
 * are tracked in tx_failed (a failed statement dooms the transaction, and
 * recovered() never retries one inside a transaction on PostgreSQL).
 * PG_TX is the handle such a transaction gets; it is never dereferenced. */
static char pg_tx_mark;
#define PG_TX ((apr_dbd_transaction_t *)(void *)&pg_tx_mark)

apr_status_t ailes_db_begin(ailes_db_t *db, apr_pool_t *p,
                            apr_dbd_transaction_t **tx)
{
    apr_status_t rv;
    int rc, n = 0;

    *tx = NULL;
    if (APR_SUCCESS != (rv = conn_init(db))) {
        return rv;
    }
    if (strcmp(db->name, "sqlite3")) {
        rc = apr_dbd_query(db->driver, db->handle, &n, "BEGIN");
        /* A pooled connection the server dropped (a restart) fails its
         * first statement: BEGIN changes nothing, so try once more on the
         * connection libpq re-opens. */
        if (rc && recovered(db, p, NULL)) {
            rc = apr_dbd_query(db->driver, db->handle, &n, "BEGIN");
        }
        if (!rc) {
            *tx = PG_TX;
            db->in_tx = 1;
            db->tx_failed = 0;
            return APR_SUCCESS;
        }
        ailes_log(AILES_LOG_ERR, 0,
                  AILES_LOGNO(00007) "cannot start a transaction: %s",
                  db_error(db, p, rc));
        return APR_EGENERAL;
    }
    rc = apr_dbd_transaction_start(db->driver, p, db->handle, tx);
    if (!rc) {
        /* We track failures ourselves (tx_failed): a statement that failed
         * once and succeeded on retry must not doom the transaction, one
         * that failed for good must. */
        apr_dbd_transaction_mode_set(db->driver, *tx,
                                     APR_DBD_TRANSACTION_COMMIT
                                     | APR_DBD_TRANSACTION_IGNORE_ERRORS);
        db->in_tx = 1;
        db->tx_failed = 0;
    }
    else {
        ailes_log(AILES_LOG_ERR, 0,
                  AILES_LOGNO(00007) "cannot start a transaction: %s",
                  db_error(db, p, rc));
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

apr_status_t ailes_db_end(ailes_db_t *db, apr_pool_t *p,
                          apr_dbd_transaction_t *tx, int commit)
{
    int rc;

    if (!tx) {
        return APR_EINVAL;
    }
    if (PG_TX == tx) {
        int n = 0;

        rc = apr_dbd_query(db->driver, db->handle, &n,
                           commit && !db->tx_failed ? "COMMIT" : "ROLLBACK");
    }
    else {
        if (!commit || db->tx_failed) {
            apr_dbd_transaction_mode_set(db->driver, tx,
                                         APR_DBD_TRANSACTION_ROLLBACK);
        }
        rc = apr_dbd_transaction_end(db->driver, p, tx);
    }
    db->in_tx = 0;
    if (rc) {
        ailes_log(AILES_LOG_ERR, 0,
                  AILES_LOGNO(00008) "cannot end a transaction: %s",
                  db_error(db, p, rc));
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

apr_int64_t ailes_row_int(const ailes_row_t *row, int col)
{
    if (!row || col < 0 || col >= row->ncols || !row->cols[col]) {
        return 0;
    }
    return apr_atoi64(row->cols[col]);
}

const char *ailes_db_int(apr_pool_t *p, apr_int64_t v)
{
    return apr_psprintf(p, "%" APR_INT64_T_FMT, v);
}
