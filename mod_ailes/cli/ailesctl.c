/* ailesctl: the operators' command-line tool.
 *
 * Reads the database settings from the same httpd config file the server
 * uses (-f FILE, or $AILES_CONF, default /etc/ailes/ailes.conf) and runs
 * the same core code as the module. Exit 0 on success; otherwise one line
 * on stderr and a non-zero status (1 for a failure, 2 for a usage error).
 * Passwords are read from standard input, never from arguments (they would
 * show in ps and shell history).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_getopt.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <sodium.h>

#include "ailes_conffile.h"
#include "ailes_db.h"
#include "ailes_log.h"
#include "ailes_mail.h"
#include "ailes_migrate.h"
#include "ailes_notice.h"
#include "ailes_notify.h"
#include "ailes_parse.h"
#include "ailes_password.h"
#include "ailes_policy.h"
#include "ailes_role.h"
#include "ailes_smtp.h"
#include "ailes_store.h"
#include "ailes_store_mail.h"
#include "ailes_store_notice.h"
#include "ailes_time.h"
#include "ailes_token.h"
#include "ailes_vault.h"
#include "ailesctl.h"

#define DEFAULT_CONF "/etc/ailes/ailes.conf"

/* One line on stderr, "ailesctl: ...", and EXIT_FAIL (ailesctl.h). */
#define fail ailesctl_fail

static int usage(void)
{
    fputs("usage: ailesctl [-f HTTPD_CONF] COMMAND\n"
          "commands:\n"
          "  migrate                         create or upgrade both databases\n"
          "  tenant add SLUG NAME            register a tenant\n"
          "  tenant list                     list tenants\n"
          "  tenant terminate SLUG --on YYYY-MM-DD\n"
          "                                  the contract ends that day (JST);\n"
          "                                  purge deletes the data after the\n"
          "                                  end of the following month\n"
          "  user add --tenant SLUG --employee-no NO --role ROLE --name NAME\n"
          "                                  add a user; password on stdin\n"
          "  user unlock --tenant SLUG --employee-no NO\n"
          "                                  clear failed logins and a lock\n"
          "  user reset-totp --tenant SLUG --employee-no NO\n"
          "                                  turn TOTP off, end the sessions\n"
          "  vault rotate-key [--batch N]    re-seal every value with the\n"
          "                                  AilesVaultKeyFile key (old keys:\n"
          "                                  AilesVaultOldKeyFile); resumable\n"
          "  vault reindex                   write the name search index under\n"
          "                                  AilesVaultIndexKeyFile\n"
          "  backup [--dir DIR]              encrypted backup of both databases\n"
          "                                  (AilesBackupKeyFile) into DIR\n"
          "                                  (default /var/backups/ailes); keeps\n"
          "                                  7 daily and 1 monthly generation\n"
          "  backup --verify FILE            decrypt and check a backup\n"
          "  restore FILE                    bring both databases back to FILE\n"
          "  purge [--dry-run]               delete audit rows older than\n"
          "                                  AilesAuditRetention and expired\n"
          "                                  sessions\n"
          "  notice add --severity info|maintenance|vulnerability|incident\n"
          "      --tenants all|SLUG,... --title TITLE --body BODY\n"
          "      [--from YYYY-MM-DDTHH:MM] [--until YYYY-MM-DDTHH:MM] (JST)\n"
          "      [--what TEXT --cause TEXT --response TEXT] (incident)\n"
          "                                  publish an in-app notice\n"
          "  notice list                     list notices\n"
          "  notice update ID --body TEXT [--until T] [--cause TEXT]\n"
          "      [--response TEXT]           add a dated update\n"
          "  mail flush                      send queued mail through\n"
          "                                  AilesMailRelay (retries later)\n"
          "  version                         print the version\n",
          stderr);
    return EXIT_USAGE;
}

/* Core errors go to stderr as they happen; the command adds its one line. */
static void log_stderr(void *baton, ailes_log_level_t level, apr_status_t rv,
                       const char *msg)
{
    ctl_t *c = baton;

    if (level <= AILES_LOG_WARN || c->verbose) {
        fprintf(stderr, "ailesctl: %s\n", msg);
    }
}

/* SQLite files that root creates must stay writable for httpd's user: give
 * them to the owner of their folder (the folder the sysadmin prepared for
 * httpd). */
static void fix_sqlite_owner(apr_pool_t *p, const char *driver,
                             const char *path)
{
    static const char *const suffixes[] = { "", "-wal", "-shm", NULL };
    struct stat dir;
    char *d;
    int i;

    if (geteuid() != 0 || strcmp(driver, "sqlite3") || !path) {
        return;
    }
    d = apr_pstrdup(p, path);
    if (strrchr(d, '/')) {
        *strrchr(d, '/') = '\0';
    }
    else {
        d = ".";
    }
    if (stat(*d ? d : "/", &dir) != 0 || dir.st_uid == 0) {
        return;
    }
    for (i = 0; suffixes[i]; i++) {
        const char *f = apr_pstrcat(p, path, suffixes[i], NULL);
        if (access(f, F_OK) == 0 && chown(f, dir.st_uid, dir.st_gid) != 0) {
            fprintf(stderr, "ailesctl: warning: cannot chown %s\n", f);
        }
    }
}

static int open_main(ctl_t *c, ailes_db_t **db)
{
    const char *err;

    if (!c->conf.db_driver || !c->conf.db_params) {
        return fail("%s sets no DBDriver/DBDParams", c->conf_path);
    }
    if (APR_SUCCESS != ailes_db_open(c->p, c->conf.db_driver,
                                     c->conf.db_params, db, &err)) {
        return fail("main database: %s", err);
    }
    return 0;
}

static int open_vault(ctl_t *c, ailes_db_t **db, ailes_vault_key_t **key)
{
    const char *err;

    if (!c->conf.vault_driver || !c->conf.vault_params) {
        return fail("%s sets no AilesVaultDB", c->conf_path);
    }
    if (APR_SUCCESS != ailes_db_open(c->p, c->conf.vault_driver,
                                     c->conf.vault_params, db, &err)) {
        return fail("vault database: %s", err);
    }
    if (key) {
        ailes_vault_key_t *tail;
        int i;

        if ((err = ailes_vault_key_load(c->p, c->conf.vault_key_file, key))) {
            return fail("%s", err);
        }
        /* The ring: the current key seals, older ones still open. */
        tail = *key;
        for (i = 0; c->conf.vault_old_key_files
                    && i < c->conf.vault_old_key_files->nelts; i++) {
            ailes_vault_key_t *k;
            if ((err = ailes_vault_key_load(
                     c->p, APR_ARRAY_IDX(c->conf.vault_old_key_files, i,
                                         const char *), &k))) {
                return fail("%s", err);
            }
            tail->next = k;
            tail = k;
        }
    }
    return 0;
}

/* The blind index key, or NULL (and 0) when none is configured. */
static int index_key(ctl_t *c, ailes_vault_key_t **ikey)
{
    const char *err;

    *ikey = NULL;
    if (c->conf.vault_index_key_file
        && (err = ailes_vault_key_load(c->p, c->conf.vault_index_key_file,
                                       ikey))) {
        return fail("%s", err);
    }
    return 0;
}

static void fix_owners(ctl_t *c)
{
    fix_sqlite_owner(c->p, c->conf.db_driver, c->conf.db_params);
    if (c->conf.vault_driver) {
        fix_sqlite_owner(c->p, c->conf.vault_driver, c->conf.vault_params);
    }
}

/* Operators' changes are audited like everyone else's. */
static void audit_event(ctl_t *c, ailes_db_t *db, apr_int64_t tenant_id,
                  const char *action, const char *target)
{
    ailes_audit_rec_t a;

    memset(&a, 0, sizeof(a));
    a.tenant_id = tenant_id;
    a.at = apr_time_now();
    a.actor = "ailesctl";
    a.action = action;
    a.target = target;
    a.client_ip = "-";
    a.outcome = "ok";
    if (APR_SUCCESS != ailes_store_audit_add(db, c->p, &a)) {
        fprintf(stderr, "ailesctl: warning: audit event %s not stored\n",
                action);
    }
}

/* The helpers for the other command files (ailesctl.h). */
int ailesctl_fail(const char *fmt, ...)
{
    va_list ap;

    fputs("ailesctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_FAIL;
}

int ailesctl_open_main(ctl_t *c, ailes_db_t **db)
{
    return open_main(c, db);
}

int ailesctl_open_vault(ctl_t *c, ailes_db_t **db)
{
    return open_vault(c, db, NULL);
}

void ailesctl_audit(ctl_t *c, ailes_db_t *db, apr_int64_t tenant_id,
                    const char *action, const char *target)
{
    audit_event(c, db, tenant_id, action, target);
}

void ailesctl_fix_owners(ctl_t *c)
{
    fix_owners(c);
}

static int check_latest(ailes_db_t *db, apr_pool_t *p, const char *which)
{
    int version = 0;

    if (APR_SUCCESS != ailes_migrate_version(db, p, &version)
        || version < ailes_migrate_latest(db->name, which)) {
        return fail("the %s database is not migrated: run 'ailesctl migrate'",
                    which);
    }
    return 0;
}

static int cmd_migrate(ctl_t *c)
{
    ailes_db_t *db, *vault;
    const char *err;
    int applied = 0, rc;

    if ((rc = open_main(c, &db)) || (rc = open_vault(c, &vault, NULL))) {
        return rc;
    }
    if (APR_SUCCESS != ailes_migrate(db, c->p, "main", &applied, &err)) {
        return fail("main database: %s", err);
    }
    printf("main database: %d migration(s) applied, at version %d\n",
           applied, ailes_migrate_latest(db->name, "main"));
    if (APR_SUCCESS != ailes_migrate(vault, c->p, "vault", &applied, &err)) {
        return fail("vault database: %s", err);
    }
    printf("vault database: %d migration(s) applied, at version %d\n",
           applied, ailes_migrate_latest(vault->name, "vault"));
    fix_owners(c);
    return 0;
}

/* The tenant with this slug, or one line on stderr. */
static int find_tenant(ctl_t *c, ailes_db_t *db, const char *slug,
                       ailes_tenant_t **t)
{
    apr_status_t rv = ailes_store_tenant_by_slug(db, c->p, slug, t);

    if (APR_NOTFOUND == rv) {
        return fail("no tenant %s (ailesctl tenant add)", slug);
    }
    if (APR_SUCCESS != rv) {
        return fail("cannot read tenant %s", slug);
    }
    return 0;
}

static int cmd_tenant(ctl_t *c, int argc, const char *const *argv)
{
    ailes_db_t *db;
    const char *err;
    apr_int64_t id;
    apr_status_t rv;
    int rc;

    if (argc == 3 && !strcmp(argv[0], "add")) {
        if ((err = ailes_parse_slug(c->p, argv[1]))) {
            return fail("%s", err);
        }
        if (!*argv[2]) {
            return fail("tenant name is empty");
        }
        if ((rc = open_main(c, &db)) || (rc = check_latest(db, c->p, "main"))) {
            return rc;
        }
        rv = ailes_store_tenant_add(db, c->p, argv[1], argv[2], &id);
        if (APR_EEXIST == rv) {
            return fail("tenant %s exists already", argv[1]);
        }
        if (APR_SUCCESS != rv) {
            return fail("cannot add tenant %s", argv[1]);
        }
        audit_event(c, db, id, "tenant.created", argv[1]);
        printf("tenant %s added\n", argv[1]);
        fix_owners(c);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[0], "terminate")
        && !strcmp(argv[2], "--on")) {
        ailes_tenant_t *t;
        apr_time_t day;

        if ((err = ailes_parse_slug(c->p, argv[1]))
            || (err = ailes_time_parse_jst_date(c->p, argv[3], &day))) {
            return fail("%s", err);
        }
        if ((rc = open_main(c, &db)) || (rc = check_latest(db, c->p, "main"))
            || (rc = find_tenant(c, db, argv[1], &t))) {
            return rc;
        }
        if (APR_SUCCESS != ailes_store_tenant_terminate(db, c->p, t->id,
                                                        argv[3])) {
            return fail("cannot record the termination");
        }
        audit_event(c, db, t->id, "tenant.terminated", argv[3]);
        printf("tenant %s: contract ends %s (JST); logins stop after that "
               "day\n", argv[1], argv[3]);
        return 0;
    }
    if (argc == 1 && !strcmp(argv[0], "list")) {
        static const ailes_stmt_t st_list = {
            "ailesctl_tenant_list", 0,
            "SELECT slug, name FROM tenants ORDER BY slug"
        };
        apr_array_header_t *rows;
        int i;

        if ((rc = open_main(c, &db)) || (rc = check_latest(db, c->p, "main"))) {
            return rc;
        }
        if (APR_SUCCESS != ailes_db_rows(db, c->p, &st_list, &rows,
                                         AILES_NOARGS)) {
            return fail("cannot list tenants");
        }
        for (i = 0; i < rows->nelts; i++) {
            ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
            printf("%s\t%s\n", row->cols[0], row->cols[1]);
        }
        return 0;
    }
    return usage();
}


/* The password is the first line of stdin; a terminal gets a prompt with
 * echo off. The buffer is wiped by the caller. */
static int read_password(char *buf, size_t size)
{
    size_t n;

    if (isatty(STDIN_FILENO)) {
        apr_size_t len = size;
        if (APR_SUCCESS != apr_password_get("Password: ", buf, &len)) {
            return -1;
        }
        return 0;
    }
    if (!fgets(buf, (int)size, stdin)) {
        return -1;
    }
    n = strlen(buf);
    if (n && buf[n - 1] != '\n' && !feof(stdin)) {
        return -1;  /* longer than the buffer: refuse, never truncate */
    }
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        buf[--n] = '\0';
    }
    return 0;
}

static int cmd_user_add(ctl_t *c, int argc, const char *const *argv)
{
    const char *tenant = NULL, *employee_no = NULL, *role_name = NULL;
    const char *name = NULL, *hash, *err;
    apr_array_header_t *violations;
    char pw[256];
    ailes_role_t role;
    ailes_db_t *db, *vault;
    ailes_vault_key_t *key, *ikey;
    ailes_tenant_t *t;
    apr_dbd_transaction_t *tx;
    apr_int64_t id;
    apr_status_t rv;
    int i, rc;

    for (i = 0; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--tenant")) {
            tenant = argv[i + 1];
        }
        else if (!strcmp(argv[i], "--employee-no")) {
            employee_no = argv[i + 1];
        }
        else if (!strcmp(argv[i], "--role")) {
            role_name = argv[i + 1];
        }
        else if (!strcmp(argv[i], "--name")) {
            name = argv[i + 1];
        }
        else {
            return fail("unknown option %s", argv[i]);
        }
    }
    if (i != argc || !tenant || !employee_no || !role_name || !name) {
        return fail("user add needs --tenant, --employee-no, --role and "
                    "--name");
    }
    if ((err = ailes_parse_slug(c->p, tenant))
        || (err = ailes_parse_employee_no(c->p, employee_no))) {
        return fail("%s", err);
    }
    if (AILES_ROLE_NONE == (role = ailes_role_parse(role_name))) {
        return fail("unknown role '%s' (one of %s)", role_name,
                    ailes_role_list());
    }
    if (!*name) {
        return fail("name is empty");
    }
    if (read_password(pw, sizeof(pw)) != 0) {
        return fail("no password on standard input (or longer than %d "
                    "bytes)", AILES_PASSWORD_MAX_BYTES);
    }
    if ((violations = ailes_policy_check(c->p, pw, role, employee_no))) {
        sodium_memzero(pw, sizeof(pw));
        return fail("password refused: %s",
                    ailes_policy_summary(c->p, violations));
    }
    rv = ailes_password_hash(c->p, pw,
                             c->conf.bcrypt_cost > 0
                                 ? c->conf.bcrypt_cost
                                 : AILES_BCRYPT_COST_DEFAULT, &hash);
    sodium_memzero(pw, sizeof(pw));
    if (APR_SUCCESS != rv) {
        return fail("password refused: it must be 1 to %d bytes (and "
                    "AilesBcryptCost 4-15)", AILES_PASSWORD_MAX_BYTES);
    }
    if ((rc = open_main(c, &db)) || (rc = check_latest(db, c->p, "main"))
        || (rc = open_vault(c, &vault, &key))
        || (rc = check_latest(vault, c->p, "vault"))
        || (rc = index_key(c, &ikey))) {
        return rc;
    }
    if ((rc = find_tenant(c, db, tenant, &t))) {
        return rc;
    }
    /* The user row commits only once the name is sealed in the vault, so
     * a vault failure leaves no user without a name behind. */
    if (APR_SUCCESS != ailes_db_begin(db, c->p, &tx)) {
        return fail("cannot start a transaction");
    }
    rv = ailes_store_user_add(db, c->p, t->id, employee_no, role, hash, &id);
    if (APR_SUCCESS == rv) {
        rv = ailes_vault_put_indexed(vault, c->p, key, ikey, t->id, id,
                                     "name", name);
        if (APR_SUCCESS != rv) {
            ailes_db_end(db, c->p, tx, 0);
            return fail("cannot store the name in the vault; nothing added");
        }
    }
    if (APR_SUCCESS != rv) {
        ailes_db_end(db, c->p, tx, 0);
        if (APR_EEXIST == rv) {
            return fail("employee number %s exists already in tenant %s",
                        employee_no, tenant);
        }
        return fail("cannot add user %s", employee_no);
    }
    if (APR_SUCCESS != ailes_db_end(db, c->p, tx, 1)) {
        return fail("cannot commit user %s", employee_no);
    }
    audit_event(c, db, t->id, "user.created", employee_no);
    printf("user %s (%s) added to tenant %s\n", employee_no,
           ailes_role_name(role), tenant);
    fix_owners(c);
    return 0;
}

/* Parses "--tenant SLUG --employee-no NO" (both required). */
static int tenant_and_number(ctl_t *c, int argc, const char *const *argv,
                             const char **tenant, const char **employee_no)
{
    const char *err;
    int i;

    *tenant = *employee_no = NULL;
    for (i = 0; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--tenant")) {
            *tenant = argv[i + 1];
        }
        else if (!strcmp(argv[i], "--employee-no")) {
            *employee_no = argv[i + 1];
        }
        else {
            return fail("unknown option %s", argv[i]);
        }
    }
    if (i != argc || !*tenant || !*employee_no) {
        return fail("needs --tenant and --employee-no");
    }
    if ((err = ailes_parse_slug(c->p, *tenant))
        || (err = ailes_parse_employee_no(c->p, *employee_no))) {
        return fail("%s", err);
    }
    return 0;
}

static int cmd_user_unlock(ctl_t *c, int argc, const char *const *argv)
{
    const char *tenant, *employee_no;
    ailes_tenant_t *t;
    ailes_db_t *db;
    int rc;

    if ((rc = tenant_and_number(c, argc, argv, &tenant, &employee_no))
        || (rc = open_main(c, &db)) || (rc = check_latest(db, c->p, "main"))
        || (rc = find_tenant(c, db, tenant, &t))) {
        return rc;
    }
    /* Unknown numbers are counted too (lockout reveals nothing), so they
     * can be unlocked too. */
    if (APR_SUCCESS != ailes_store_attempt_clear(db, c->p, t->id,
                                                 employee_no)) {
        return fail("cannot unlock %s", employee_no);
    }
    audit_event(c, db, t->id, "account.unlocked", employee_no);
    printf("%s unlocked in tenant %s\n", employee_no, tenant);
    return 0;
}

/* Account mail, when AilesMailRelay is set; a failure only warns. */
static void queue_account_mail(ctl_t *c, ailes_db_t *db, apr_int64_t tenant_id,
                               apr_int64_t user_id, const char *employee_no,
                               const char *kind)
{
    if (c->conf.mail_relay
        && APR_SUCCESS != ailes_notify_user(db, c->p, tenant_id, user_id,
                                            kind, employee_no,
                                            ailes_time_sec(apr_time_now()))) {
        fprintf(stderr, "ailesctl: warning: mail to %s not queued\n",
                employee_no);
    }
}

static int cmd_user_reset_totp(ctl_t *c, int argc, const char *const *argv)
{
    const char *tenant, *employee_no;
    ailes_tenant_t *t;
    ailes_user_t *u;
    ailes_db_t *db;
    apr_status_t rv;
    int rc;

    if ((rc = tenant_and_number(c, argc, argv, &tenant, &employee_no))
        || (rc = open_main(c, &db)) || (rc = check_latest(db, c->p, "main"))
        || (rc = find_tenant(c, db, tenant, &t))) {
        return rc;
    }
    rv = ailes_store_user_by_no(db, c->p, t->id, employee_no, &u);
    if (APR_NOTFOUND == rv) {
        return fail("no user %s in tenant %s", employee_no, tenant);
    }
    /* The sessions go too; a shared session cache forgets them within a
     * minute (the CLI cannot reach httpd's cache), the database at once. */
    if (APR_SUCCESS != rv
        || APR_SUCCESS != ailes_store_totp_reset(db, c->p, t->id, u->id)
        || APR_SUCCESS != ailes_store_session_delete_user(db, c->p, t->id,
                                                         u->id, NULL)) {
        return fail("cannot reset TOTP of %s", employee_no);
    }
    audit_event(c, db, t->id, "totp.reset", employee_no);
    queue_account_mail(c, db, t->id, u->id, employee_no,
                       AILES_NOTIFY_TOTP_RESET);
    printf("TOTP of %s in tenant %s reset\n", employee_no, tenant);
    return 0;
}

static int cmd_reindex(ctl_t *c, int argc)
{
    ailes_vault_key_t *ring, *ikey;
    ailes_db_t *vault;
    int done, failed, rc;

    if (argc != 0) {
        return usage();
    }
    if ((rc = open_vault(c, &vault, &ring))
        || (rc = check_latest(vault, c->p, "vault"))
        || (rc = index_key(c, &ikey))) {
        return rc;
    }
    if (!ikey) {
        return fail("%s sets no AilesVaultIndexKeyFile", c->conf_path);
    }
    if (APR_SUCCESS != ailes_vault_reindex(vault, c->p, ring, ikey, "name",
                                           &done, &failed)) {
        return fail("the vault database failed after %d names; run reindex "
                    "again", done);
    }
    if (failed) {
        return fail("%d names do not open with the configured keys "
                    "(AilesVaultOldKeyFile?); %d indexed", failed, done);
    }
    printf("indexed %d names\n", done);
    return 0;
}

static int cmd_rotate(ctl_t *c, int argc, const char *const *argv)
{
    ailes_vault_key_t *ring;
    ailes_db_t *db, *vault;
    long batch = 500;
    apr_int64_t left = 0, total = 0;
    int done, rc;

    if (argc == 2 && !strcmp(argv[0], "--batch")) {
        const char *err = ailes_parse_int(c->p, argv[1], 1, 100000, &batch);
        if (err) {
            return fail("--batch: %s", err);
        }
    }
    else if (argc != 0) {
        return usage();
    }
    if ((rc = open_main(c, &db)) || (rc = check_latest(db, c->p, "main"))
        || (rc = open_vault(c, &vault, &ring))
        || (rc = check_latest(vault, c->p, "vault"))) {
        return rc;
    }
    do {
        apr_pool_t *bp;
        apr_status_t rv;

        apr_pool_create(&bp, c->p);
        rv = ailes_vault_rotate(vault, db, bp, ring, (int)batch, &done,
                                &left);
        apr_pool_destroy(bp);
        if (APR_SUCCESS != rv) {
            return fail("rotation stopped after %" APR_INT64_T_FMT " values "
                        "(run it again once the cause is fixed)", total);
        }
        total += done;
        if (done) {
            printf("re-sealed %" APR_INT64_T_FMT " values, %" APR_INT64_T_FMT
                   " left\n", total, left);
            fflush(stdout);
        }
    } while (done > 0);
    if (left > 0) {
        return fail("%" APR_INT64_T_FMT " vault values are sealed with a key "
                    "that is not configured (AilesVaultOldKeyFile)", left);
    }
    audit_event(c, db, 0, "vault.rotated",
                apr_psprintf(c->p, "%" APR_INT64_T_FMT " values to key %s",
                             total, ring->id));
    printf("every value is sealed with key %s\n", ring->id);
    return 0;
}

static int cmd_purge(ctl_t *c, int argc, const char *const *argv)
{
    static const ailes_stmt_t st_count = {
        "ailesctl_purge_count", 1,
        "SELECT COUNT(*) FROM audit WHERE at_us < %lld"
    };
    long keep = c->conf.audit_retention > 0 ? c->conf.audit_retention
                                            : 395L * 86400;
    apr_time_t before = apr_time_now() - apr_time_from_sec(keep);
    int dry = argc == 1 && !strcmp(argv[0], "--dry-run");
    int audit = 0, sessions = 0, responses = 0, rc, i;
    apr_array_header_t *due;
    const char *today;
    ailes_row_t *row;
    ailes_db_t *db, *vault = NULL;

    if (argc > 1 || (argc == 1 && !dry)) {
        return usage();
    }
    if ((rc = open_main(c, &db)) || (rc = check_latest(db, c->p, "main"))) {
        return rc;
    }
    today = apr_pstrmemdup(c->p, ailes_time_jst(c->p, apr_time_now()), 10);
    if (APR_SUCCESS != ailes_store_tenants_due(db, c->p, today, &due)) {
        return fail("cannot list terminated tenants");
    }
    if (dry) {
        if (APR_SUCCESS != ailes_db_row(db, c->p, &st_count, &row,
                                        AILES_ARGS(ailes_db_int(
                                            c->p, (apr_int64_t)before)))) {
            return fail("cannot count audit rows");
        }
        printf("would delete %s audit rows older than %ld days\n",
               row->cols[0], keep / 86400);
        for (i = 0; i < due->nelts; i++) {
            ailes_tenant_t *t = APR_ARRAY_IDX(due, i, ailes_tenant_t *);
            printf("would delete the data of tenant %s (terminated %s)\n",
                   t->slug, t->terminated_on);
        }
        return 0;
    }
    /* Terminated tenants: the main database in one transaction, the vault
     * after it; audit rows stay. */
    for (i = 0; i < due->nelts; i++) {
        ailes_tenant_t *t = APR_ARRAY_IDX(due, i, ailes_tenant_t *);
        apr_dbd_transaction_t *tx;
        apr_status_t rv;

        if (APR_SUCCESS != ailes_db_begin(db, c->p, &tx)) {
            return fail("cannot start a transaction");
        }
        rv = ailes_store_tenant_purge(db, c->p, t->id);
        if (APR_SUCCESS != ailes_db_end(db, c->p, tx, APR_SUCCESS == rv)
            || APR_SUCCESS != rv) {
            return fail("cannot purge tenant %s; nothing of it was deleted",
                        t->slug);
        }
        if (!vault && (rc = open_vault(c, &vault, NULL))) {
            return rc;
        }
        if (APR_SUCCESS != ailes_vault_delete_tenant(vault, c->p, t->id)) {
            return fail("tenant %s purged, but its vault names could not be "
                        "deleted: run purge again", t->slug);
        }
        audit_event(c, db, t->id, "tenant.purged", t->slug);
        printf("deleted the data of tenant %s (terminated %s)\n", t->slug,
               t->terminated_on);
    }
    if (APR_SUCCESS != ailes_store_stress_purge(db, c->p,
                                                (apr_int64_t)apr_time_sec(
                                                    apr_time_now()),
                                                &responses)) {
        return fail("cannot purge stress-check data");
    }
    if (responses) {
        audit_event(c, db, 0, "stress.purged",
                    apr_psprintf(c->p, "%d responses", responses));
        printf("deleted %d stress-check responses past their retention\n",
               responses);
    }
    if (APR_SUCCESS != ailes_store_purge(db, c->p, before,
                                         (apr_int64_t)apr_time_sec(
                                             apr_time_now()),
                                         &audit, &sessions)) {
        return fail("purge failed; nothing was deleted in the failed step");
    }
    audit_event(c, db, 0, "audit.purged",
                apr_psprintf(c->p, "%d audit rows, %d sessions", audit,
                             sessions));
    printf("deleted %d audit rows older than %ld days and %d expired "
           "sessions\n", audit, keep / 86400, sessions);
    return 0;
}

/* --- notices and mail -------------------------------------------------- */

typedef struct notice_opts {
    const char *severity, *tenants, *title, *body, *from, *until;
    const char *what, *cause, *response;
} notice_opts_t;

/* Reads "--name value" pairs into o; only the names in `allowed` (a
 * space-separated list) are taken. */
static int notice_options(int argc, const char *const *argv,
                          const char *allowed, notice_opts_t *o)
{
    static const struct {
        const char *name;
        size_t off;
    } names[] = {
        { "--severity", offsetof(notice_opts_t, severity) },
        { "--tenants", offsetof(notice_opts_t, tenants) },
        { "--title", offsetof(notice_opts_t, title) },
        { "--body", offsetof(notice_opts_t, body) },
        { "--from", offsetof(notice_opts_t, from) },
        { "--until", offsetof(notice_opts_t, until) },
        { "--what", offsetof(notice_opts_t, what) },
        { "--cause", offsetof(notice_opts_t, cause) },
        { "--response", offsetof(notice_opts_t, response) },
    };
    int i;
    size_t k;

    memset(o, 0, sizeof(*o));
    for (i = 0; i < argc; i += 2) {
        const char **slot = NULL;
        for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
            if (!strcmp(argv[i], names[k].name)) {
                slot = (const char **)((char *)o + names[k].off);
            }
        }
        if (!slot || !strstr(allowed, argv[i])) {
            return fail("unknown option %s", argv[i]);
        }
        if (i + 1 >= argc) {
            return fail("%s needs a value", argv[i]);
        }
        if (*slot) {
            return fail("%s given twice", argv[i]);
        }
        *slot = argv[i + 1];
    }
    return 0;
}

/* The incident fields, each optional here. */
static int check_incident_fields(ctl_t *c, const notice_opts_t *o)
{
    const char *err = NULL;

    if (o->what) {
        err = ailes_notice_check_text(c->p, o->what, AILES_NOTICE_FIELD_MAX,
                                      1, "--what");
    }
    if (!err && o->cause) {
        err = ailes_notice_check_text(c->p, o->cause, AILES_NOTICE_FIELD_MAX,
                                      1, "--cause");
    }
    if (!err && o->response) {
        err = ailes_notice_check_text(c->p, o->response,
                                      AILES_NOTICE_FIELD_MAX, 1,
                                      "--response");
    }
    return err ? fail("%s", err) : 0;
}

static const char *notice_sev_check(ctl_t *c, const notice_opts_t *o)
{
    const char *err;

    if ((err = ailes_notice_check_severity(c->p, o->severity))) {
        return err;
    }
    if (strcmp(o->severity, "incident") && (o->what || o->cause
                                            || o->response)) {
        return "--what, --cause and --response are for incident notices";
    }
    if (!strcmp(o->severity, "incident") && !o->what) {
        return "an incident notice needs --what (what happened)";
    }
    return NULL;
}

static int cmd_notice_add(ctl_t *c, int argc, const char *const *argv)
{
    notice_opts_t o;
    ailes_notice_rec_t n;
    apr_array_header_t *slugs, *tenant_ids;
    apr_dbd_transaction_t *tx;
    apr_time_t from, until = 0, now = apr_time_now();
    apr_status_t rv;
    ailes_db_t *db;
    const char *err;
    int all, rc, i, queued = 0;

    if ((rc = notice_options(argc, argv,
                             "--severity --tenants --title --body --from "
                             "--until --what --cause --response", &o))) {
        return rc;
    }
    if (!o.severity || !o.tenants || !o.title || !o.body) {
        return fail("notice add needs --severity, --tenants, --title and "
                    "--body");
    }
    if ((err = notice_sev_check(c, &o))
        || (err = ailes_notice_parse_tenants(c->p, o.tenants, &all, &slugs))
        || (err = ailes_notice_check_text(c->p, o.title,
                                          AILES_NOTICE_TITLE_MAX, 0,
                                          "--title"))
        || (err = ailes_notice_check_text(c->p, o.body,
                                          AILES_NOTICE_BODY_MAX, 1,
                                          "--body"))) {
        return fail("%s", err);
    }
    if ((rc = check_incident_fields(c, &o))) {
        return rc;
    }
    from = now;
    if ((o.from && (err = ailes_notice_parse_time(c->p, o.from, &from)))
        || (o.until && (err = ailes_notice_parse_time(c->p, o.until,
                                                      &until)))) {
        return fail("%s", err);
    }
    if (o.until && until <= from) {
        return fail("--until must be after --from");
    }
    if (o.until && until <= now) {
        return fail("--until is in the past: the notice would never show");
    }
    if ((rc = open_main(c, &db)) || (rc = check_latest(db, c->p, "main"))) {
        return rc;
    }
    if (all) {
        if (APR_SUCCESS != ailes_store_tenant_ids(db, c->p, &tenant_ids)) {
            return fail("cannot list tenants");
        }
    }
    else {
        tenant_ids = apr_array_make(c->p, slugs->nelts, sizeof(apr_int64_t));
        for (i = 0; i < slugs->nelts; i++) {
            ailes_tenant_t *t;
            if ((rc = find_tenant(c, db, APR_ARRAY_IDX(slugs, i,
                                                       const char *), &t))) {
                return rc;
            }
            APR_ARRAY_PUSH(tenant_ids, apr_int64_t) = t->id;
        }
    }
    memset(&n, 0, sizeof(n));
    n.severity = o.severity;
    n.all_tenants = all;
    n.title = o.title;
    n.body = o.body;
    n.what = o.what;
    n.cause = o.cause;
    n.response = o.response;
    n.starts_at = ailes_time_sec(from);
    n.ends_at = o.until ? ailes_time_sec(until) : 0;
    /* The notice and its mail commit together or not at all. */
    if (APR_SUCCESS != ailes_db_begin(db, c->p, &tx)) {
        return fail("cannot start a transaction");
    }
    rv = ailes_store_notice_add(db, c->p, &n, tenant_ids,
                                ailes_time_sec(now));
    if (APR_SUCCESS == rv && c->conf.mail_relay
        && ailes_notice_severity_mails(n.severity)) {
        rv = ailes_notify_notice(db, c->p, &n, tenant_ids,
                                 ailes_time_sec(now), &queued);
    }
    if (APR_SUCCESS != ailes_db_end(db, c->p, tx, APR_SUCCESS == rv)
        || APR_SUCCESS != rv) {
        return fail("cannot store the notice; nothing was published");
    }
    audit_event(c, db, 0, "notice.published",
                apr_psprintf(c->p, "notice %" APR_INT64_T_FMT " (%s, %s)",
                             n.id, n.severity, o.tenants));
    printf("notice %" APR_INT64_T_FMT " published (%s, tenants %s, from %s"
           "%s%s); %d mail(s) queued\n", n.id, n.severity, o.tenants,
           ailes_time_jst(c->p, from), o.until ? " until " : "",
           o.until ? ailes_time_jst(c->p, until) : "", queued);
    return 0;
}

static int cmd_notice_update(ctl_t *c, int argc, const char *const *argv)
{
    notice_opts_t o;
    ailes_notice_rec_t *n;
    apr_time_t until = 0;
    apr_status_t rv;
    ailes_db_t *db;
    const char *err;
    long id;
    int rc;

    if (argc < 1 || ailes_parse_int(c->p, argv[0], 1, 2000000000L, &id)) {
        return fail("notice update needs the notice ID (a number; see "
                    "notice list)");
    }
    if ((rc = notice_options(argc - 1, argv + 1,
                             "--body --until --cause --response", &o))) {
        return rc;
    }
    if (!o.body) {
        return fail("notice update needs --body (the update text)");
    }
    if ((err = ailes_notice_check_text(c->p, o.body, AILES_NOTICE_BODY_MAX,
                                       1, "--body"))
        || (o.until && (err = ailes_notice_parse_time(c->p, o.until,
                                                      &until)))) {
        return fail("%s", err);
    }
    if ((rc = check_incident_fields(c, &o))) {
        return rc;
    }
    if ((rc = open_main(c, &db)) || (rc = check_latest(db, c->p, "main"))) {
        return rc;
    }
    rv = ailes_store_notice_get(db, c->p, id, &n);
    if (APR_NOTFOUND == rv) {
        return fail("no notice %ld (ailesctl notice list)", id);
    }
    if (APR_SUCCESS != rv) {
        return fail("cannot read notice %ld", id);
    }
    if ((o.cause || o.response) && strcmp(n->severity, "incident")) {
        return fail("--cause and --response are for incident notices");
    }
    if (o.until && ailes_time_sec(until) <= n->starts_at) {
        return fail("--until must be after the notice's start (%s)",
                    ailes_time_jst(c->p, apr_time_from_sec(n->starts_at)));
    }
    if (APR_SUCCESS != ailes_store_notice_update(
                           db, c->p, id, o.body,
                           o.until ? ailes_time_sec(until) : 0, o.cause,
                           o.response, ailes_time_sec(apr_time_now()))) {
        return fail("cannot update notice %ld", id);
    }
    audit_event(c, db, 0, "notice.updated",
                apr_psprintf(c->p, "notice %ld", id));
    printf("notice %ld updated\n", id);
    return 0;
}

static int cmd_notice_list(ctl_t *c)
{
    apr_array_header_t *list;
    ailes_db_t *db;
    int rc, i;

    if ((rc = open_main(c, &db)) || (rc = check_latest(db, c->p, "main"))) {
        return rc;
    }
    if (APR_SUCCESS != ailes_store_notice_list_all(db, c->p, &list)) {
        return fail("cannot list notices");
    }
    for (i = 0; i < list->nelts; i++) {
        ailes_notice_rec_t *n = APR_ARRAY_IDX(list, i, ailes_notice_rec_t *);
        printf("%" APR_INT64_T_FMT "\t%s\t%s\t%s\t%s\t%d update(s)\t%s\n",
               n->id, n->severity, n->tenants,
               ailes_time_jst(c->p, apr_time_from_sec(n->starts_at)),
               n->ends_at ? ailes_time_jst(c->p,
                                           apr_time_from_sec(n->ends_at))
                          : "-",
               n->updates->nelts, n->title);
    }
    return 0;
}

static int cmd_notice(ctl_t *c, int argc, const char *const *argv)
{
    if (!strcmp(argv[0], "add")) {
        return cmd_notice_add(c, argc - 1, argv + 1);
    }
    if (!strcmp(argv[0], "update")) {
        return cmd_notice_update(c, argc - 1, argv + 1);
    }
    if (!strcmp(argv[0], "list") && argc == 1) {
        return cmd_notice_list(c);
    }
    return usage();
}

#define MAIL_MAX_ATTEMPTS 5
#define MAIL_CLAIM_SECONDS 600
#define MAIL_TIMEOUT_SECONDS 10

/* Sends every due mail once: the address and name are opened from the
 * vault now; a failed send is retried after 1, 2, 4, 8 minutes and given
 * up after MAIL_MAX_ATTEMPTS attempts. */
static int cmd_mail_flush(ctl_t *c)
{
    apr_array_header_t *due;
    ailes_vault_key_t *key;
    ailes_db_t *db, *vault;
    apr_int64_t now = ailes_time_sec(apr_time_now());
    int rc, i, sent = 0, deferred = 0, failed = 0, noaddr = 0;
    const char *last_err = NULL;

    if (!c->conf.mail_relay || !c->conf.mail_from) {
        return fail("%s sets no AilesMailRelay and AilesMailFrom",
                    c->conf_path);
    }
    if ((rc = open_main(c, &db)) || (rc = check_latest(db, c->p, "main"))
        || (rc = open_vault(c, &vault, &key))
        || (rc = check_latest(vault, c->p, "vault"))) {
        return rc;
    }
    if (APR_SUCCESS != ailes_store_mail_due(db, c->p, now, 1000, &due)) {
        return fail("cannot read the mail queue");
    }
    for (i = 0; i < due->nelts; i++) {
        ailes_mail_row_t *m = APR_ARRAY_IDX(due, i, ailes_mail_row_t *);
        const char *to = NULL, *name = NULL, *msg, *err;
        ailes_mail_t mail;
        apr_pool_t *mp;
        apr_status_t rv;

        if (APR_SUCCESS != ailes_store_mail_claim(db, c->p, m->id, now,
                                                  now + MAIL_CLAIM_SECONDS)) {
            continue;       /* another flush has it */
        }
        apr_pool_create(&mp, c->p);
        rv = ailes_vault_get(vault, mp, key, m->tenant_id, m->user_id,
                             "email", &to);
        if (APR_NOTFOUND == rv) {
            ailes_store_mail_attempt(db, c->p, m->id, "no_address", now,
                                     "the user has no mail address");
            noaddr++;
            apr_pool_destroy(mp);
            continue;
        }
        if (APR_SUCCESS == rv) {
            (void)ailes_vault_get(vault, mp, key, m->tenant_id, m->user_id,
                                  "name", &name);
            memset(&mail, 0, sizeof(mail));
            mail.from = c->conf.mail_from;
            mail.to = to;
            mail.to_name = name;
            mail.subject = m->subject;
            mail.body = m->body;
            mail.date = apr_time_now();
            if ((err = ailes_mail_build(mp, &mail, &msg))) {
                /* a stored address that is no address: never retried */
                ailes_store_mail_attempt(db, c->p, m->id, "failed", now,
                                         err);
                failed++;
                apr_pool_destroy(mp);
                continue;
            }
            rv = ailes_smtp_send(mp, c->conf.mail_relay, c->conf.mail_from,
                                 to, msg, MAIL_TIMEOUT_SECONDS, &err);
        }
        else {
            err = "the vault did not answer";
        }
        if (APR_SUCCESS == rv) {
            if (APR_SUCCESS != ailes_store_mail_sent(db, c->p, m->id, now)) {
                fprintf(stderr, "ailesctl: warning: mail %" APR_INT64_T_FMT
                        " sent but not marked sent\n", m->id);
            }
            sent++;
        }
        else if (m->attempts + 1 >= MAIL_MAX_ATTEMPTS) {
            ailes_store_mail_attempt(db, c->p, m->id, "failed", now, err);
            failed++;
            last_err = apr_pstrdup(c->p, err);
        }
        else {
            ailes_store_mail_attempt(db, c->p, m->id, "queued",
                                     now + (60L << m->attempts), err);
            deferred++;
            last_err = apr_pstrdup(c->p, err);
        }
        apr_pool_destroy(mp);
    }
    printf("mail: %d sent, %d to retry, %d failed, %d without address\n",
           sent, deferred, failed, noaddr);
    if (deferred || failed) {
        return fail("%d mail(s) not sent (%s); retried by the next flush "
                    "unless given up", deferred + failed,
                    last_err ? last_err : "see the queue");
    }
    return 0;
}

int main(int argc, const char *const *argv)
{
    ctl_t c;
    const char *err;
    int i = 1;

    if (APR_SUCCESS != apr_app_initialize(&argc, &argv, NULL)) {
        fputs("ailesctl: cannot initialise APR\n", stderr);
        return EXIT_FAIL;
    }
    atexit(apr_terminate);
    memset(&c, 0, sizeof(c));
    if (APR_SUCCESS != apr_pool_create(&c.p, NULL)
        || ailes_crypto_init() != 0) {
        return fail("cannot initialise");
    }
    ailes_log_set(log_stderr, &c);
    c.conf_path = getenv("AILES_CONF") ? getenv("AILES_CONF") : DEFAULT_CONF;
    while (i < argc && argv[i][0] == '-') {
        if (!strcmp(argv[i], "-f") && i + 1 < argc) {
            c.conf_path = argv[i + 1];
            i += 2;
        }
        else if (!strcmp(argv[i], "-v")) {
            c.verbose = 1;
            i++;
        }
        else {
            return usage();
        }
    }
    if (i >= argc) {
        return usage();
    }
    if (!strcmp(argv[i], "version")) {
        printf("ailesctl (mod_ailes) 0.1.0\n");
        return 0;
    }
    if (!strcmp(argv[i], "help")) {
        usage();
        return 0;
    }
    if ((err = ailes_conffile_read(c.p, c.conf_path, &c.conf))) {
        return fail("%s", err);
    }
    if (!strcmp(argv[i], "vault") && argc - i >= 2
        && !strcmp(argv[i + 1], "rotate-key")) {
        return cmd_rotate(&c, argc - i - 2, argv + i + 2);
    }
    if (!strcmp(argv[i], "vault") && argc - i >= 2
        && !strcmp(argv[i + 1], "reindex")) {
        return cmd_reindex(&c, argc - i - 2);
    }
    if (!strcmp(argv[i], "backup")) {
        return ailesctl_cmd_backup(&c, argc - i - 1, argv + i + 1);
    }
    if (!strcmp(argv[i], "restore")) {
        return ailesctl_cmd_restore(&c, argc - i - 1, argv + i + 1);
    }
    if (!strcmp(argv[i], "purge")) {
        return cmd_purge(&c, argc - i - 1, argv + i + 1);
    }
    if (!strcmp(argv[i], "migrate") && argc - i == 1) {
        return cmd_migrate(&c);
    }
    if (!strcmp(argv[i], "tenant") && argc - i >= 2) {
        return cmd_tenant(&c, argc - i - 1, argv + i + 1);
    }
    if (!strcmp(argv[i], "user") && argc - i >= 2
        && !strcmp(argv[i + 1], "add")) {
        return cmd_user_add(&c, argc - i - 2, argv + i + 2);
    }
    if (!strcmp(argv[i], "user") && argc - i >= 2
        && !strcmp(argv[i + 1], "unlock")) {
        return cmd_user_unlock(&c, argc - i - 2, argv + i + 2);
    }
    if (!strcmp(argv[i], "user") && argc - i >= 2
        && !strcmp(argv[i + 1], "reset-totp")) {
        return cmd_user_reset_totp(&c, argc - i - 2, argv + i + 2);
    }
    if (!strcmp(argv[i], "notice") && argc - i >= 2) {
        return cmd_notice(&c, argc - i - 1, argv + i + 1);
    }
    if (!strcmp(argv[i], "mail") && argc - i == 2
        && !strcmp(argv[i + 1], "flush")) {
        return cmd_mail_flush(&c);
    }
    return usage();
}
