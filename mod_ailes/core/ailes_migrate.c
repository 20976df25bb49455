/* Migrations; see ailes_migrate.h. */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "ailes_db.h"
#include "ailes_log.h"
#include "ailes_migrate.h"
#include "ailes_time.h"

static const char schema_ddl[] =
    "CREATE TABLE IF NOT EXISTS ailes_schema ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)";

static const ailes_stmt_t st_version = {
    "ailes_schema_version", 0,
    "SELECT COALESCE(MAX(version), 0) FROM ailes_schema"
};

static const ailes_stmt_t st_record = {
    "ailes_schema_record", 3,
    "INSERT INTO ailes_schema (version, name, applied_at) "
    "VALUES (%lld, %s, %lld)"
};

apr_status_t ailes_migrate_version(ailes_db_t *db, apr_pool_t *p,
                                   int *version)
{
    ailes_row_t *row;
    apr_status_t rv;

    *version = 0;
    rv = ailes_db_row(db, p, &st_version, &row, AILES_NOARGS);
    if (APR_SUCCESS == rv) {
        *version = (int)ailes_row_int(row, 0);
    }
    return rv;
}

int ailes_migrate_latest(const char *driver, const char *which)
{
    const ailes_migration_t *m;
    int latest = 0;

    for (m = ailes_sql_migrations; m->driver; m++) {
        if (!strcmp(m->driver, driver) && !strcmp(m->db, which)
            && m->version > latest) {
            latest = m->version;
        }
    }
    return latest;
}

/* Splits a migration into statements: a statement ends with a line whose
 * last non-blank character is ';', except inside a $$-quoted body
 * (PostgreSQL functions) and in a CREATE TRIGGER (SQLite), which ends with
 * a line ending in "END;". Lines starting with "--" are comments. Our own
 * files only: no input ever reaches this. */
static apr_array_header_t *split_sql(apr_pool_t *p, const char *sql)
{
    apr_array_header_t *out = apr_array_make(p, 8, sizeof(const char *));
    char *copy = apr_pstrdup(p, sql), *line, *last = NULL;
    char *stmt = NULL;
    int dollar = 0;

    for (line = apr_strtok(copy, "\n", &last); line;
         line = apr_strtok(NULL, "\n", &last)) {
        char *t = line;
        size_t n;

        while (*t == ' ' || *t == '\t') {
            t++;
        }
        if (!*t || !strncmp(t, "--", 2)) {
            continue;
        }
        stmt = stmt ? apr_pstrcat(p, stmt, "\n", line, NULL)
                    : apr_pstrdup(p, line);
        for (t = line; (t = strstr(t, "$$")); t += 2) {
            dollar = !dollar;
        }
        n = strlen(line);
        while (n && (line[n - 1] == ' ' || line[n - 1] == '\r')) {
            n--;
        }
        if (n && line[n - 1] == ';' && !dollar
            && (strncasecmp(stmt, "CREATE TRIGGER", 14)
                || (n >= 4 && !strncasecmp(line + n - 4, "END;", 4)))) {
            size_t sn = strlen(stmt);
            while (sn && stmt[sn - 1] != ';') {
                sn--;
            }
            stmt[sn - 1] = '\0';
            APR_ARRAY_PUSH(out, const char *) = stmt;
            stmt = NULL;
        }
    }
    if (stmt) {
        APR_ARRAY_PUSH(out, const char *) = stmt;
    }
    return out;
}

static apr_status_t apply_one(ailes_db_t *db, apr_pool_t *p,
                              const ailes_migration_t *m, const char **err)
{
    apr_dbd_transaction_t *tx = NULL;
    apr_array_header_t *stmts = split_sql(p, m->sql);
    apr_status_t rv;
    int i;

    if (APR_SUCCESS != (rv = ailes_db_begin(db, p, &tx))) {
        *err = "cannot start a transaction";
        return rv;
    }
    for (i = 0; i < stmts->nelts && APR_SUCCESS == rv; i++) {
        rv = ailes_db_exec_fixed(db, p, APR_ARRAY_IDX(stmts, i, const char *));
    }
    if (APR_SUCCESS == rv) {
        rv = ailes_db_exec(db, p, &st_record, NULL,
                           AILES_ARGS(ailes_db_int(p, m->version), m->name,
                                      ailes_db_int(p, ailes_time_sec(
                                                          apr_time_now()))));
    }
    if (APR_SUCCESS != rv) {
        ailes_db_end(db, p, tx, 0);
        *err = apr_psprintf(p, "migration %s/%s/%s failed", m->driver, m->db,
                            m->name);
        return rv;
    }
    rv = ailes_db_end(db, p, tx, 1);
    if (APR_SUCCESS != rv) {
        *err = apr_psprintf(p, "migration %s/%s/%s could not be committed",
                            m->driver, m->db, m->name);
    }
    return rv;
}

apr_status_t ailes_migrate(ailes_db_t *db, apr_pool_t *p, const char *which,
                           int *applied, const char **err)
{
    const ailes_migration_t *m;
    apr_status_t rv;
    int current = 0;

    *applied = 0;
    *err = NULL;
    if (!strcmp(db->name, "sqlite3")) {
        /* WAL lets httpd children read while one writes; the setting is
         * stored in the file, so once is enough. Not inside a transaction. */
        if (APR_SUCCESS != ailes_db_select_fixed(db, p,
                                                 "PRAGMA journal_mode = WAL")) {
            *err = "cannot switch the SQLite database to WAL mode";
            return APR_EGENERAL;
        }
    }
    if (APR_SUCCESS != (rv = ailes_db_exec_fixed(db, p, schema_ddl))) {
        *err = "cannot create the ailes_schema table";
        return rv;
    }
    if (APR_SUCCESS != (rv = ailes_migrate_version(db, p, &current))) {
        *err = "cannot read the schema version";
        return rv;
    }
    for (m = ailes_sql_migrations; m->driver; m++) {
        if (strcmp(m->driver, db->name) || strcmp(m->db, which)
            || m->version <= current) {
            continue;
        }
        if (APR_SUCCESS != (rv = apply_one(db, p, m, err))) {
            return rv;
        }
        (*applied)++;
        current = m->version;
    }
    return APR_SUCCESS;
}
