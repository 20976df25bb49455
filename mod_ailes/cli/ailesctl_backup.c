/* ailesctl backup, backup --verify and restore: the glue between the
 * databases, pg_dump/pg_restore and the backup file format (ailes_backup.h).
 *
 * Snapshots are consistent while httpd serves: SQLite through its online
 * backup API (one step, under one read transaction), PostgreSQL through
 * pg_dump (one repeatable-read transaction). The main database is copied
 * first, then the vault. Connection parameters reach pg_dump/pg_restore in
 * their environment only, never on a command line, and are never printed.
 *
 * A restore decrypts and checks the whole file into a private temp folder
 * before it touches anything; any refusal leaves both databases as they
 * were. SQLite is restored through the backup API too, from the checked
 * copy into the live file: one write transaction per database, so httpd
 * may keep running (its next statements read the restored data).
 * PostgreSQL: pg_restore --clean --single-transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_file_info.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <sodium.h>
#include <sqlite3.h>

#include "ailes_backup.h"
#include "ailes_db.h"
#include "ailes_time.h"
#include "ailes_vault.h"
#include "ailesctl.h"

#define DEFAULT_DIR "/var/backups/ailes"
#define KEEP_DAILY 7
#define KEEP_MONTHLY 1
#define SQLITE_WAIT_MS 30000

/* --- small helpers ----------------------------------------------------------- */

/* Removes a flat folder we made (temp parts, SQLite -wal/-shm files). */
static void rm_tmpdir(apr_pool_t *p, const char *dir)
{
    apr_dir_t *d;
    apr_finfo_t fi;

    if (!dir || APR_SUCCESS != apr_dir_open(&d, dir, p)) {
        return;
    }
    while (APR_SUCCESS == apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE,
                                       d)) {
        if (fi.filetype == APR_REG) {
            apr_file_remove(apr_pstrcat(p, dir, "/", fi.name, NULL), p);
        }
    }
    apr_dir_close(d);
    apr_dir_remove(dir, p);
}

static const char *make_tmpdir(apr_pool_t *p, const char *parent,
                               const char *prefix)
{
    char *t = apr_pstrcat(p, parent, "/", prefix, "XXXXXX", NULL);

    return mkdtemp(t) ? t : NULL;       /* mode 0700 */
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

/* The backup key, refused when it is one of the vault keys or the index
 * key (a backup key of its own: a leaked backup must not open the vault,
 * nor a leaked vault key the backups). */
static int load_backup_key(ctl_t *c, ailes_backup_key_t **key)
{
    const char *files[3], *err;
    int i, n = 0;

    if ((err = ailes_backup_key_load(c->p, c->conf.backup_key_file, key))) {
        return ailesctl_fail("%s", err);
    }
    files[n++] = c->conf.vault_key_file;
    files[n++] = c->conf.vault_index_key_file;
    for (i = 0; i < n; i++) {
        ailes_vault_key_t *vk;
        if (files[i] && !ailes_vault_key_load(c->p, files[i], &vk)
            && !sodium_memcmp(vk->key, (*key)->key, AILES_BACKUP_KEY_BYTES)) {
            return ailesctl_fail("AilesBackupKeyFile must hold a key of its "
                                 "own, not the key of %s", files[i]);
        }
    }
    for (i = 0; c->conf.vault_old_key_files
                && i < c->conf.vault_old_key_files->nelts; i++) {
        ailes_vault_key_t *vk;
        const char *f = APR_ARRAY_IDX(c->conf.vault_old_key_files, i,
                                      const char *);
        if (!ailes_vault_key_load(c->p, f, &vk)
            && !sodium_memcmp(vk->key, (*key)->key, AILES_BACKUP_KEY_BYTES)) {
            return ailesctl_fail("AilesBackupKeyFile must hold a key of its "
                                 "own, not the key of %s", f);
        }
    }
    return 0;
}

/* --- SQLite ------------------------------------------------------------------ */

/* Copies database `from` over database `to` with the online backup API,
 * waiting while another connection holds a lock. The destination changes
 * in one transaction: all or nothing. */
static const char *sqlite_copy(apr_pool_t *p, const char *from,
                               const char *to, int create)
{
    sqlite3 *src = NULL, *dst = NULL;
    sqlite3_backup *b;
    const char *err = NULL;
    int rc, waited = 0;

    rc = sqlite3_open_v2(from, &src, SQLITE_OPEN_READWRITE, NULL);
    if (SQLITE_OK != rc) {
        err = apr_psprintf(p, "cannot open %s: %s", from,
                           sqlite3_errstr(rc));
        goto leave;
    }
    rc = sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE
                                       | (create ? SQLITE_OPEN_CREATE : 0),
                         NULL);
    if (SQLITE_OK != rc) {
        err = apr_psprintf(p, "cannot open %s: %s", to, sqlite3_errstr(rc));
        goto leave;
    }
    sqlite3_busy_timeout(src, SQLITE_WAIT_MS);
    sqlite3_busy_timeout(dst, SQLITE_WAIT_MS);
    if (!(b = sqlite3_backup_init(dst, "main", src, "main"))) {
        err = apr_psprintf(p, "cannot copy %s: %s", from, sqlite3_errmsg(dst));
        goto leave;
    }
    /* -1: every page in one step, so the copy is one consistent state. */
    while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY
           || rc == SQLITE_LOCKED) {
        if (waited >= SQLITE_WAIT_MS) {
            break;
        }
        sqlite3_sleep(100);
        waited += 100;
    }
    sqlite3_backup_finish(b);
    if (SQLITE_DONE != rc) {
        err = apr_psprintf(p, "cannot copy %s to %s: %s", from, to,
                           sqlite3_errstr(rc));
    }
leave:
    sqlite3_close(src);
    sqlite3_close(dst);
    return err;
}

/* PRAGMA integrity_check of a restored copy and the row counts of a few
 * tables; NULL or why the copy is not good. */
static const char *sqlite_check(apr_pool_t *p, const char *path,
                                const char *const *tables,
                                const char **counts)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    const char *err = NULL;
    int rc, i;

    *counts = "";
    rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (SQLITE_OK != rc) {
        err = apr_psprintf(p, "not an SQLite database (%s)",
                           sqlite3_errstr(rc));
        goto leave;
    }
    if (SQLITE_OK != sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1,
                                        &st, NULL)
        || SQLITE_ROW != sqlite3_step(st)
        || strcmp((const char *)sqlite3_column_text(st, 0), "ok")) {
        err = apr_psprintf(p, "integrity_check failed: %s",
                           st && sqlite3_column_text(st, 0)
                               ? (const char *)sqlite3_column_text(st, 0)
                               : sqlite3_errmsg(db));
        goto leave;
    }
    sqlite3_finalize(st);
    st = NULL;
    for (i = 0; tables[i]; i++) {
        /* The table names are our constants, never input. */
        const char *sql = apr_pstrcat(p, "SELECT COUNT(*) FROM ", tables[i],
                                      NULL);
        if (SQLITE_OK != sqlite3_prepare_v2(db, sql, -1, &st, NULL)
            || SQLITE_ROW != sqlite3_step(st)) {
            err = apr_psprintf(p, "cannot count %s: %s", tables[i],
                               sqlite3_errmsg(db));
            goto leave;
        }
        *counts = apr_psprintf(p, "%s%s%s %" APR_INT64_T_FMT, *counts,
                               **counts ? ", " : "", tables[i],
                               (apr_int64_t)sqlite3_column_int64(st, 0));
        sqlite3_finalize(st);
        st = NULL;
    }
leave:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return err;
}

/* --- pg_dump and pg_restore --------------------------------------------------- */

/* The absolute path of a program on $PATH (APR_PROGRAM execs with the
 * environment we give it, and needs a path). */
static const char *find_program(apr_pool_t *p, const char *name)
{
    const char *path = getenv("PATH");
    char *dirs, *dir, *last;

    dirs = apr_pstrdup(p, path && *path ? path : "/usr/bin:/bin");
    for (dir = apr_strtok(dirs, ":", &last); dir;
         dir = apr_strtok(NULL, ":", &last)) {
        const char *f = apr_pstrcat(p, dir, "/", name, NULL);
        if (access(f, X_OK) == 0) {
            return f;
        }
    }
    return NULL;
}

/* Runs pg_dump or pg_restore (no shell) with the connection of conninfo
 * in its environment. Its stderr goes to errfile; on failure the first
 * line of it becomes the error (libpq never prints the password). */
static const char *run_pg(apr_pool_t *p, const char *prog,
                          const char *const *args, const char *conninfo,
                          const char *errfile, const char **dbname)
{
    apr_array_header_t *env = apr_array_make(p, 12, sizeof(const char *));
    apr_array_header_t *argv = apr_array_make(p, 12, sizeof(const char *));
    const char *exe = find_program(p, prog), *err, *db = NULL;
    apr_procattr_t *attr;
    apr_exit_why_e why;
    apr_file_t *ef;
    apr_proc_t proc;
    int code, i;

    if (!exe) {
        return apr_psprintf(p, "%s not found on PATH (install "
                            "postgresql-client)", prog);
    }
    if (conninfo) {
        if ((err = ailes_backup_pg_env(p, conninfo, env, &db))) {
            return err;
        }
        if (dbname) {
            *dbname = db;
        }
    }
    APR_ARRAY_PUSH(env, const char *) = apr_pstrcat(
        p, "PATH=", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin", NULL);
    if (getenv("HOME")) {
        APR_ARRAY_PUSH(env, const char *) = apr_pstrcat(p, "HOME=",
                                                        getenv("HOME"), NULL);
    }
    APR_ARRAY_PUSH(env, const char *) = NULL;
    APR_ARRAY_PUSH(argv, const char *) = prog;
    for (i = 0; args[i]; i++) {
        APR_ARRAY_PUSH(argv, const char *) = args[i];
    }
    APR_ARRAY_PUSH(argv, const char *) = NULL;
    if (APR_SUCCESS != apr_file_open(&ef, errfile,
                                     APR_FOPEN_WRITE | APR_FOPEN_CREATE
                                         | APR_FOPEN_TRUNCATE,
                                     APR_FPROT_UREAD | APR_FPROT_UWRITE, p)
        || APR_SUCCESS != apr_procattr_create(&attr, p)
        || APR_SUCCESS != apr_procattr_cmdtype_set(attr, APR_PROGRAM)
        || APR_SUCCESS != apr_procattr_io_set(attr, APR_NO_PIPE, APR_NO_PIPE,
                                              APR_NO_PIPE)
        || APR_SUCCESS != apr_procattr_child_err_set(attr, ef, NULL)
        || APR_SUCCESS != apr_proc_create(&proc, exe,
                                          (const char *const *)argv->elts,
                                          (const char *const *)env->elts,
                                          attr, p)) {
        return apr_psprintf(p, "cannot run %s", exe);
    }
    apr_file_close(ef);
    if (APR_CHILD_DONE != apr_proc_wait(&proc, &code, &why, APR_WAIT)
        || why != APR_PROC_EXIT || code != 0) {
        char line[512] = "";
        FILE *f = fopen(errfile, "r");
        if (f) {
            if (!fgets(line, sizeof(line), f)) {
                line[0] = '\0';
            }
            fclose(f);
            line[strcspn(line, "\r\n")] = '\0';
        }
        return apr_psprintf(p, "%s failed%s%s", prog, *line ? ": " : "",
                            line);
    }
    return NULL;
}

static const char *pg_dump(apr_pool_t *p, const char *conninfo,
                           const char *out, const char *tmp)
{
    const char *args[] = { "--format=custom", "--no-password",
                           apr_pstrcat(p, "--file=", out, NULL), NULL };

    return run_pg(p, "pg_dump", args, conninfo,
                  apr_pstrcat(p, tmp, "/pg.err", NULL), NULL);
}

/* pg_restore --list reads the whole archive's table of contents. */
static const char *pg_list(apr_pool_t *p, const char *archive,
                           const char *tmp, int *entries)
{
    const char *out = apr_pstrcat(p, tmp, "/pg.list", NULL);
    const char *args[] = { "--list", apr_pstrcat(p, "--file=", out, NULL),
                           archive, NULL };
    const char *err = run_pg(p, "pg_restore", args, NULL,
                             apr_pstrcat(p, tmp, "/pg.err", NULL), NULL);
    char line[1024];
    FILE *f;

    *entries = 0;
    if (err) {
        return err;
    }
    if (!(f = fopen(out, "r"))) {
        return "pg_restore --list wrote nothing";
    }
    while (fgets(line, sizeof(line), f)) {
        if (line[0] != ';' && line[0] != '\n') {
            (*entries)++;
        }
    }
    fclose(f);
    return *entries ? NULL : "pg_restore --list: the archive is empty";
}

static const char *pg_restore(apr_pool_t *p, const char *conninfo,
                              const char *archive, const char *tmp)
{
    apr_array_header_t *env = apr_array_make(p, 12, sizeof(const char *));
    const char *db, *err;

    if ((err = ailes_backup_pg_env(p, conninfo, env, &db))) {
        return err;
    }
    if (!db) {
        return "the connection parameters name no dbname";
    }
    {
        const char *args[] = { "--clean", "--if-exists",
                               "--single-transaction", "--exit-on-error",
                               "--no-owner", "--no-password",
                               apr_pstrcat(p, "--dbname=", db, NULL), archive,
                               NULL };
        return run_pg(p, "pg_restore", args, conninfo,
                      apr_pstrcat(p, tmp, "/pg.err", NULL), NULL);
    }
}

/* --- the parts ------------------------------------------------------------- */

typedef struct part_conf {
    const char *name;           /* "main" or "vault" */
    const char *driver;
    const char *params;
    const char *const *tables;  /* counted by --verify */
} part_conf_t;

static const char *const main_tables[] = { "tenants", "users", "audit",
                                           NULL };
static const char *const vault_tables[] = { "vault_fields", NULL };

static int parts_of(ctl_t *c, part_conf_t *parts)
{
    if (!c->conf.db_driver || !c->conf.db_params) {
        return ailesctl_fail("%s sets no DBDriver/DBDParams", c->conf_path);
    }
    if (!c->conf.vault_driver || !c->conf.vault_params) {
        return ailesctl_fail("%s sets no AilesVaultDB", c->conf_path);
    }
    parts[0].name = "main";
    parts[0].driver = c->conf.db_driver;
    parts[0].params = c->conf.db_params;
    parts[0].tables = main_tables;
    parts[1].name = "vault";
    parts[1].driver = c->conf.vault_driver;
    parts[1].params = c->conf.vault_params;
    parts[1].tables = vault_tables;
    if ((strcmp(parts[0].driver, "sqlite3") && strcmp(parts[0].driver,
                                                       "pgsql"))
        || (strcmp(parts[1].driver, "sqlite3")
            && strcmp(parts[1].driver, "pgsql"))) {
        return ailesctl_fail("backups know the sqlite3 and pgsql drivers "
                             "only");
    }
    return 0;
}

static const char *snapshot(apr_pool_t *p, const part_conf_t *pc,
                            const char *out, const char *tmp)
{
    if (!strcmp(pc->driver, "sqlite3")) {
        if (access(pc->params, F_OK) != 0) {
            return apr_psprintf(p, "%s does not exist", pc->params);
        }
        return sqlite_copy(p, pc->params, out, 1);
    }
    return pg_dump(p, pc->params, out, tmp);
}

/* --- ailesctl backup ---------------------------------------------------------- */

static void rotate(ctl_t *c, const char *dir)
{
    apr_array_header_t *names = apr_array_make(c->p, 16,
                                               sizeof(const char *));
    apr_array_header_t *del;
    const char *today;
    apr_finfo_t fi;
    apr_dir_t *d;
    int i;

    if (APR_SUCCESS != apr_dir_open(&d, dir, c->p)) {
        return;
    }
    while (APR_SUCCESS == apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE,
                                       d)) {
        if (fi.filetype == APR_REG) {
            APR_ARRAY_PUSH(names, const char *) = apr_pstrdup(c->p, fi.name);
        }
    }
    apr_dir_close(d);
    today = apr_pstrmemdup(c->p, ailes_time_jst(c->p, apr_time_now()), 10);
    del = ailes_backup_rotation(c->p, names, today, KEEP_DAILY, KEEP_MONTHLY);
    for (i = 0; i < del->nelts; i++) {
        const char *n = APR_ARRAY_IDX(del, i, const char *);
        if (APR_SUCCESS == apr_file_remove(apr_pstrcat(c->p, dir, "/", n,
                                                       NULL), c->p)) {
            printf("deleted old backup %s\n", n);
        }
        else {
            fprintf(stderr, "ailesctl: warning: cannot delete old backup "
                    "%s\n", n);
        }
    }
}

static int make_backup(ctl_t *c, const char *dir)
{
    ailes_backup_manifest_t m;
    ailes_backup_key_t *key;
    ailes_backup_writer_t *w;
    part_conf_t pcs[2];
    const char *tmp = NULL, *name, *final, *partial = NULL, *err;
    const char *src[2];
    apr_time_t now = apr_time_now();
    apr_file_t *f = NULL;
    apr_finfo_t fi;
    ailes_db_t *db;
    int rc = 0, i;

    if ((rc = parts_of(c, pcs)) || (rc = load_backup_key(c, &key))) {
        return rc;
    }
    if (APR_SUCCESS != apr_dir_make_recursive(dir, APR_FPROT_OS_DEFAULT
                                                  & 0700, c->p)
        || APR_SUCCESS != apr_stat(&fi, dir, APR_FINFO_TYPE, c->p)
        || fi.filetype != APR_DIR) {
        return ailesctl_fail("cannot create the backup folder %s", dir);
    }
    if (!(tmp = make_tmpdir(c->p, dir, ".ailes-backup-"))) {
        return ailesctl_fail("cannot create a temp folder in %s: %s", dir,
                             strerror(errno));
    }
    memset(&m, 0, sizeof(m));
    m.format = AILES_BACKUP_FORMAT;
    m.installation = key->installation;
    m.created = ailes_time_jst(c->p, now);
    m.created_unix = ailes_time_sec(now);
    m.tool = "ailesctl (mod_ailes) 0.1.0";
    m.parts = apr_array_make(c->p, 2, sizeof(ailes_backup_part_t));
    for (i = 0; i < 2; i++) {
        ailes_backup_part_t *pt = apr_array_push(m.parts);
        src[i] = apr_pstrcat(c->p, tmp, "/", pcs[i].name, NULL);
        if ((err = snapshot(c->p, &pcs[i], src[i], tmp))) {
            rc = ailesctl_fail("backup failed: %s database: %s", pcs[i].name,
                               err);
            goto leave;
        }
        pt->name = pcs[i].name;
        pt->driver = pcs[i].driver;
        if (APR_SUCCESS != ailes_backup_hash_file(c->p, src[i], &pt->size,
                                                  pt->sha256)) {
            rc = ailesctl_fail("backup failed: cannot read the %s snapshot",
                               pcs[i].name);
            goto leave;
        }
    }
    partial = apr_pstrcat(c->p, tmp, "/backup.partial", NULL);
    if (APR_SUCCESS != apr_file_open(&f, partial,
                                     APR_FOPEN_WRITE | APR_FOPEN_CREATE
                                         | APR_FOPEN_EXCL | APR_FOPEN_BINARY
                                         | APR_FOPEN_BUFFERED,
                                     APR_FPROT_UREAD | APR_FPROT_UWRITE,
                                     c->p)
        || APR_SUCCESS != ailes_backup_writer_open(c->p, key, f, &w)
        || APR_SUCCESS != ailes_backup_write_manifest(w, c->p, &m)
        || APR_SUCCESS != ailes_backup_write_file(
                              w, c->p, src[0],
                              &APR_ARRAY_IDX(m.parts, 0, ailes_backup_part_t))
        || APR_SUCCESS != ailes_backup_write_file(
                              w, c->p, src[1],
                              &APR_ARRAY_IDX(m.parts, 1, ailes_backup_part_t))
        || APR_SUCCESS != ailes_backup_writer_close(w)
        || APR_SUCCESS != apr_file_sync(f)
        || APR_SUCCESS != apr_file_close(f)) {
        rc = ailesctl_fail("backup failed: cannot write in %s (disk full?)",
                           dir);
        goto leave;
    }
    f = NULL;
    /* Complete files only ever carry a backup name; link() never replaces
     * one (two backups within a second: the second waits for the next). */
    for (i = 0;; i++) {
        name = ailes_backup_file_name(c->p, apr_time_now());
        final = apr_pstrcat(c->p, dir, "/", name, NULL);
        if (link(partial, final) == 0) {
            break;
        }
        if (errno != EEXIST || i == 3) {
            rc = ailesctl_fail("backup failed: cannot create %s: %s", final,
                               strerror(errno));
            goto leave;
        }
        apr_sleep(apr_time_from_msec(300));
    }
    apr_stat(&fi, final, APR_FINFO_SIZE, c->p);
    printf("backup %s: %" APR_OFF_T_FMT " bytes, made %s, installation %s\n",
           final, fi.size, m.created, key->installation);
    for (i = 0; i < 2; i++) {
        const ailes_backup_part_t *pt = &APR_ARRAY_IDX(m.parts, i,
                                                       ailes_backup_part_t);
        printf("  %s database: %s, %" APR_OFF_T_FMT " bytes, sha256 %s\n",
               pt->name, pt->driver, pt->size, pt->sha256);
    }
    if (!ailesctl_open_main(c, &db)) {
        ailesctl_audit(c, db, 0, "backup.created",
                       apr_psprintf(c->p, "%s (%" APR_OFF_T_FMT " bytes)",
                                    name, fi.size));
    }
    rotate(c, dir);
leave:
    if (f) {
        apr_file_close(f);
    }
    rm_tmpdir(c->p, tmp);
    ailesctl_fix_owners(c);
    return rc;
}

/* --- reading a backup (verify and restore) ----------------------------------- */

typedef struct opened {
    ailes_backup_manifest_t *m;
    const char *tmp;
    const char *files[2];       /* the checked parts in tmp */
    const char *notes[2];       /* what the checks found */
} opened_t;

/* Decrypts FILE into a temp folder and checks every part; NULL or the
 * reason (one line). */
static const char *open_backup(ctl_t *c, const char *file, opened_t *o)
{
    const part_conf_t pcs[2] = {
        { "main", NULL, NULL, main_tables },
        { "vault", NULL, NULL, vault_tables }
    };
    ailes_backup_key_t *key;
    ailes_backup_reader_t *r;
    const char *err, *tmpbase;
    apr_file_t *f;
    int i;

    memset(o, 0, sizeof(*o));
    if (load_backup_key(c, &key)) {
        return "";
    }
    if (APR_SUCCESS != apr_file_open(&f, file, APR_FOPEN_READ
                                                   | APR_FOPEN_BINARY
                                                   | APR_FOPEN_BUFFERED,
                                     0, c->p)) {
        return apr_psprintf(c->p, "cannot read %s", file);
    }
    if (APR_SUCCESS != apr_temp_dir_get(&tmpbase, c->p)
        || !(o->tmp = make_tmpdir(c->p, tmpbase, "ailes-restore-"))) {
        return "cannot create a temp folder";
    }
    if (APR_SUCCESS != ailes_backup_reader_open(c->p, key, f, &r, &err)
        || APR_SUCCESS != ailes_backup_read_manifest(r, c->p, &o->m, &err)) {
        return err;
    }
    for (i = 0; i < 2; i++) {
        const ailes_backup_part_t *pt = &APR_ARRAY_IDX(o->m->parts, i,
                                                       ailes_backup_part_t);
        o->files[i] = apr_pstrcat(c->p, o->tmp, "/", pt->name, NULL);
        if (APR_SUCCESS != ailes_backup_read_file(r, c->p, pt, o->files[i],
                                                  &err)) {
            return err;
        }
    }
    if (APR_SUCCESS != ailes_backup_reader_end(r, &err)) {
        return err;
    }
    apr_file_close(f);
    /* Every hash matched: now check that each part restores. */
    for (i = 0; i < 2; i++) {
        const ailes_backup_part_t *pt = &APR_ARRAY_IDX(o->m->parts, i,
                                                       ailes_backup_part_t);
        if (!strcmp(pt->driver, "sqlite3")) {
            err = sqlite_check(c->p, o->files[i], pcs[i].tables,
                               &o->notes[i]);
            o->notes[i] = apr_pstrcat(c->p, "integrity ok, ", o->notes[i],
                                      NULL);
        }
        else {
            int entries;
            err = pg_list(c->p, o->files[i], o->tmp, &entries);
            o->notes[i] = apr_psprintf(c->p, "pg_restore --list ok, %d "
                                       "entries", entries);
        }
        if (err) {
            return apr_psprintf(c->p, "the %s database does not restore: %s",
                                pt->name, err);
        }
    }
    return NULL;
}

static int verify(ctl_t *c, const char *file)
{
    opened_t o;
    const char *err = open_backup(c, file, &o);
    int i;

    if (err) {
        rm_tmpdir(c->p, o.tmp);
        return *err ? ailesctl_fail("%s is not a good backup: %s", file, err)
                    : EXIT_FAIL;
    }
    printf("%s: good, made %s, installation %s\n", file, o.m->created,
           o.m->installation);
    for (i = 0; i < 2; i++) {
        const ailes_backup_part_t *pt = &APR_ARRAY_IDX(o.m->parts, i,
                                                       ailes_backup_part_t);
        printf("  %s database: %s, %" APR_OFF_T_FMT " bytes, sha256 ok, %s\n",
               pt->name, pt->driver, pt->size, o.notes[i]);
    }
    rm_tmpdir(c->p, o.tmp);
    return 0;
}

int ailesctl_cmd_backup(ctl_t *c, int argc, const char *const *argv)
{
    if (argc == 2 && !strcmp(argv[0], "--verify")) {
        return verify(c, argv[1]);
    }
    if (argc == 2 && !strcmp(argv[0], "--dir")) {
        return make_backup(c, argv[1]);
    }
    if (argc == 0) {
        return make_backup(c, DEFAULT_DIR);
    }
    fputs("usage: ailesctl backup [--dir DIR] | backup --verify FILE\n",
          stderr);
    return EXIT_USAGE;
}

/* --- ailesctl restore ------------------------------------------------------------ */

int ailesctl_cmd_restore(ctl_t *c, int argc, const char *const *argv)
{
    part_conf_t pcs[2];
    opened_t o;
    const char *err;
    ailes_db_t *db;
    int rc, i;

    if (argc != 1) {
        fputs("usage: ailesctl restore FILE\n", stderr);
        return EXIT_USAGE;
    }
    if ((rc = parts_of(c, pcs))) {
        return rc;
    }
    if ((err = open_backup(c, argv[0], &o))) {
        rm_tmpdir(c->p, o.tmp);
        return *err ? ailesctl_fail("restore refused, nothing changed: %s: %s",
                                    argv[0], err)
                    : EXIT_FAIL;
    }
    for (i = 0; i < 2; i++) {
        const char *d = APR_ARRAY_IDX(o.m->parts, i,
                                      ailes_backup_part_t).driver;
        if (strcmp(d, pcs[i].driver)) {
            rm_tmpdir(c->p, o.tmp);
            return ailesctl_fail("restore refused, nothing changed: %s holds "
                                 "a %s %s database, the configuration uses "
                                 "%s", argv[0], d, pcs[i].name,
                                 pcs[i].driver);
        }
    }
    for (i = 0; i < 2; i++) {
        if (!strcmp(pcs[i].driver, "sqlite3")) {
            err = sqlite_copy(c->p, o.files[i], pcs[i].params, 1);
        }
        else {
            err = pg_restore(c->p, pcs[i].params, o.files[i], o.tmp);
        }
        if (err) {
            rm_tmpdir(c->p, o.tmp);
            ailesctl_fix_owners(c);
            return ailesctl_fail("restore of the %s database failed (%s); %s",
                                 pcs[i].name, err,
                                 i ? "the main database WAS restored: run "
                                     "the restore again once the cause is "
                                     "fixed"
                                   : "nothing changed");
        }
        printf("restored the %s database (%s) from %s\n", pcs[i].name,
               pcs[i].driver, argv[0]);
    }
    rm_tmpdir(c->p, o.tmp);
    ailesctl_fix_owners(c);
    if (!ailesctl_open_main(c, &db)) {
        ailesctl_audit(c, db, 0, "backup.restored",
                       apr_psprintf(c->p, "%s (made %s)", base_name(argv[0]),
                                    o.m->created));
    }
    printf("both databases are back to %s (installation %s)\n", o.m->created,
           o.m->installation);
    return 0;
}
