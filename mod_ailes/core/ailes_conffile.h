/* Reads the settings ailesctl shares with httpd out of an httpd config file,
 * so a sysadmin states the databases and keys once.
 *
 * Only what the CLI needs is read: DBDriver, DBDParams, AilesVaultDB,
 * AilesVaultKeyFile, AilesBcryptCost, AilesAuditRetention, AilesBackupKeyFile,
 * AilesMailRelay, AilesMailFrom, from the server level (directives
 * inside <VirtualHost> are ignored). Include and IncludeOptional are
 * followed (globs, relative to ServerRoot or the including file's folder).
 * It is not an httpd parser: no <IfModule> or Define evaluation.
 */
#ifndef AILES_CONFFILE_H
#define AILES_CONFFILE_H

#include <apr_pools.h>
#include <apr_tables.h>

typedef struct ailes_conffile {
    const char *db_driver;
    const char *db_params;
    const char *vault_driver;
    const char *vault_params;
    const char *vault_key_file;
    apr_array_header_t *vault_old_key_files;    /* const char *, may be
                                                   NULL */
    const char *vault_index_key_file;           /* NULL when not set */
    const char *backup_key_file;                /* NULL when not set */
    int bcrypt_cost;                /* -1 when not set */
    long audit_retention;           /* seconds, -1 when not set */
    const char *mail_relay;         /* AilesMailRelay, NULL when not set */
    const char *mail_from;          /* AilesMailFrom, NULL when not set */
} ailes_conffile_t;

/* Splits one config line into arguments the way httpd does: whitespace
 * separates, double or single quotes group, backslash escapes the quote
 * inside quotes. A '#' at the start of a line makes a comment. Returns NULL
 * or an error message (unterminated quote). */
const char *ailes_conffile_split(apr_pool_t *p, const char *line,
                                 apr_array_header_t **args);

/* Reads path (and its includes) into *out. NULL or an error naming the file
 * and line. */
const char *ailes_conffile_read(apr_pool_t *p, const char *path,
                                ailes_conffile_t *out);

#endif
