/* What the ailesctl command files share: the run's context and the
 * helpers of ailesctl.c (one line on stderr, database connections, the
 * audit trail). Single threaded, like the whole CLI.
 */
#ifndef AILESCTL_H
#define AILESCTL_H

#include <apr_pools.h>

#include "ailes_conffile.h"

struct ailes_db;

#define EXIT_FAIL 1
#define EXIT_USAGE 2

typedef struct ctl {
    apr_pool_t *p;
    const char *conf_path;
    ailes_conffile_t conf;
    int verbose;
} ctl_t;

/* "ailesctl: MESSAGE" on stderr; returns EXIT_FAIL. */
int ailesctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Connections from the configuration; 0 or an exit code (the line is
 * written). */
int ailesctl_open_main(ctl_t *c, struct ailes_db **db);
int ailesctl_open_vault(ctl_t *c, struct ailes_db **db);

/* An audit event by "ailesctl" (a failure to store it is a warning). */
void ailesctl_audit(ctl_t *c, struct ailes_db *db, apr_int64_t tenant_id,
                    const char *action, const char *target);

/* SQLite files root wrote are given back to httpd's user. */
void ailesctl_fix_owners(ctl_t *c);

/* ailesctl_backup.c */
int ailesctl_cmd_backup(ctl_t *c, int argc, const char *const *argv);
int ailesctl_cmd_restore(ctl_t *c, int argc, const char *const *argv);

#endif
