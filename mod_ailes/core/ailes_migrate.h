/* Schema migrations for the main and the vault database.
 *
 * Migrations are the files sql/DRIVER/DB/NNN_name.sql, compiled into the
 * core (build-aux/embed-sql.sh). Each is applied once, in version order, in
 * its own transaction together with its row in ailes_schema; running the
 * migrator again changes nothing.
 */
#ifndef AILES_MIGRATE_H
#define AILES_MIGRATE_H

#include <apr_pools.h>

struct ailes_db;

typedef struct ailes_migration {
    const char *driver;     /* "sqlite3" or "pgsql" */
    const char *db;         /* "main" or "vault" */
    int version;
    const char *name;       /* file name */
    const char *sql;
} ailes_migration_t;

/* The generated table, terminated by an entry whose driver is NULL. */
extern const ailes_migration_t ailes_sql_migrations[];

/* Applies pending migrations of `which` ("main" or "vault") to db.
 * *applied counts the migrations applied now. On failure *err says which
 * migration failed and nothing of that migration is left behind. */
apr_status_t ailes_migrate(struct ailes_db *db, apr_pool_t *p,
                           const char *which, int *applied,
                           const char **err);

/* The highest applied version (0 for an empty database). */
apr_status_t ailes_migrate_version(struct ailes_db *db, apr_pool_t *p,
                                   int *version);

/* The newest version the binary knows for a driver and database. */
int ailes_migrate_latest(const char *driver, const char *which);

#endif
