/* Database access over apr_dbd, shared by the module (connections from
 * mod_dbd or our vault pool), the CLI and the unit tests.
 *
 * Every statement is a labelled, prepared statement with bound parameters
 * (ailes_stmt_t). It is prepared on a connection the first time that
 * connection runs it and kept in the connection's `prepared` hash, which is
 * the same hash mod_dbd keeps per connection: so a statement costs one
 * prepare per connection, and a database that is not migrated yet does not
 * stop connections from opening. Nothing here ever builds SQL from input.
 *
 * Placeholders follow apr_dbd: %s for text, %lld for 64-bit integers (on
 * PostgreSQL a labelled statement declares its parameter types from them).
 * All parameters are passed as strings.
 *
 * Threading: an ailes_db_t is used by one thread at a time (one request, or
 * the CLI), like the connection under it.
 */
#ifndef AILES_DB_H
#define AILES_DB_H

#include <apr_dbd.h>
#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_tables.h>

typedef struct ailes_db {
    const apr_dbd_driver_t *driver;
    apr_dbd_t *handle;
    apr_hash_t *prepared;   /* label -> apr_dbd_prepared_t*, per connection */
    apr_pool_t *pool;       /* lives as long as the connection */
    const char *name;       /* "sqlite3" or "pgsql" */
    int in_tx;              /* inside ailes_db_begin/ailes_db_end */
    int tx_failed;          /* a statement of this transaction failed */
} ailes_db_t;

typedef struct ailes_stmt {
    const char *label;      /* unique, a valid SQL identifier */
    int nargs;              /* number of placeholders, checked at run time */
    const char *sql;
} ailes_stmt_t;

/* A row: column values as strings, NULL for SQL NULL. */
typedef struct ailes_row {
    int ncols;
    const char **cols;
} ailes_row_t;

/* Builds the argument pair (count, array) for ailes_db_rows/ailes_db_exec. */
#define AILES_ARGS(...)                                                     \
    (int)(sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(const char *)),  \
        (const char *[]){ __VA_ARGS__ }
#define AILES_NOARGS 0, NULL

/* Opens a connection of our own (CLI, tests, the vault pool). On failure
 * *err says why (never the params: they may hold a password). */
apr_status_t ailes_db_open(apr_pool_t *p, const char *driver,
                           const char *params, ailes_db_t **db,
                           const char **err);

/* Wraps a connection that someone else owns (mod_dbd's ap_dbd_t). */
ailes_db_t *ailes_db_wrap(apr_pool_t *p, const apr_dbd_driver_t *driver,
                          apr_dbd_t *handle, apr_hash_t *prepared,
                          apr_pool_t *conn_pool);

void ailes_db_close(ailes_db_t *db);

/* Runs a statement that returns rows; *rows is an array of ailes_row_t*
 * allocated in p. */
apr_status_t ailes_db_rows(ailes_db_t *db, apr_pool_t *p,
                           const ailes_stmt_t *st, apr_array_header_t **rows,
                           int nargs, const char **args);

/* Like ailes_db_rows for at most one row: APR_NOTFOUND when there is none. */
apr_status_t ailes_db_row(ailes_db_t *db, apr_pool_t *p,
                          const ailes_stmt_t *st, ailes_row_t **row,
                          int nargs, const char **args);

/* Runs a statement that changes rows; *nrows (may be NULL) says how many. */
apr_status_t ailes_db_exec(ailes_db_t *db, apr_pool_t *p,
                           const ailes_stmt_t *st, int *nrows, int nargs,
                           const char **args);

/* Runs a statement that must change a row: APR_NOTFOUND when it changed
 * none (no such row in this tenant, or its WHERE guard did not hold). */
apr_status_t ailes_db_exec_one(ailes_db_t *db, apr_pool_t *p,
                               const ailes_stmt_t *st, int nargs,
                               const char **args);

/* Runs fixed SQL without parameters (migrations, pragmas). Never pass a
 * string that contains input. */
apr_status_t ailes_db_exec_fixed(ailes_db_t *db, apr_pool_t *p,
                                 const char *sql);

/* The same for fixed SQL that returns rows (SQLite pragmas); the rows are
 * read and dropped. */
apr_status_t ailes_db_select_fixed(ailes_db_t *db, apr_pool_t *p,
                                   const char *sql);

/* Transactions. ailes_db_end commits when commit is true and no statement
 * inside failed for good (one that succeeded on its retry does not count),
 * and rolls back otherwise. */
apr_status_t ailes_db_begin(ailes_db_t *db, apr_pool_t *p,
                            apr_dbd_transaction_t **tx);
apr_status_t ailes_db_end(ailes_db_t *db, apr_pool_t *p,
                          apr_dbd_transaction_t *tx, int commit);

/* Column helpers: 64-bit integer value of a column (0 for NULL). */
apr_int64_t ailes_row_int(const ailes_row_t *row, int col);

/* Decimal string of v, for parameters. */
const char *ailes_db_int(apr_pool_t *p, apr_int64_t v);

#endif
