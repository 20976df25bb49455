/* httpd config reader for the CLI; see ailes_conffile.h. */
#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include "ailes_conffile.h"
#include "ailes_mail.h"
#include "ailes_parse.h"
#include "ailes_password.h"

#define MAX_INCLUDE_DEPTH 16

typedef struct read_ctx {
    apr_pool_t *p;
    ailes_conffile_t *out;
    const char *server_root;
    int vhost_depth;
} read_ctx;

const char *ailes_conffile_split(apr_pool_t *p, const char *line,
                                 apr_array_header_t **args)
{
    const char *s = line;

    *args = apr_array_make(p, 4, sizeof(const char *));
    while (*s) {
        char *buf, *w;

        while (*s && isspace((unsigned char)*s)) {
            s++;
        }
        if (!*s) {
            break;
        }
        if ((*args)->nelts == 0 && *s == '#') {
            break;
        }
        buf = w = apr_palloc(p, strlen(s) + 1);
        if (*s == '"' || *s == '\'') {
            char q = *s++;
            while (*s && *s != q) {
                if (*s == '\\' && s[1] == q) {
                    s++;
                }
                *w++ = *s++;
            }
            if (*s != q) {
                return "unterminated quote";
            }
            s++;
        }
        else {
            while (*s && !isspace((unsigned char)*s)) {
                *w++ = *s++;
            }
        }
        *w = '\0';
        APR_ARRAY_PUSH(*args, const char *) = buf;
    }
    return NULL;
}

static const char *read_file(read_ctx *ctx, const char *path, int depth);

static const char *resolve(read_ctx *ctx, const char *from, const char *name)
{
    char *dir;

    if (name[0] == '/') {
        return name;
    }
    if (ctx->server_root) {
        return apr_pstrcat(ctx->p, ctx->server_root, "/", name, NULL);
    }
    dir = apr_pstrdup(ctx->p, from);
    if (strrchr(dir, '/')) {
        *strrchr(dir, '/') = '\0';
        return apr_pstrcat(ctx->p, dir, "/", name, NULL);
    }
    return name;
}

static const char *include(read_ctx *ctx, const char *from, const char *pat,
                           int optional, int depth)
{
    glob_t g;
    size_t i;
    int rc;
    const char *err = NULL;

    rc = glob(resolve(ctx, from, pat), 0, NULL, &g);
    if (rc == GLOB_NOMATCH) {
        globfree(&g);
        return optional ? NULL
                        : apr_psprintf(ctx->p, "%s: Include %s matches no file",
                                       from, pat);
    }
    if (rc != 0) {
        globfree(&g);
        return apr_psprintf(ctx->p, "%s: cannot expand Include %s", from, pat);
    }
    for (i = 0; i < g.gl_pathc && !err; i++) {
        err = read_file(ctx, apr_pstrdup(ctx->p, g.gl_pathv[i]), depth + 1);
    }
    globfree(&g);
    return err;
}

static void set_once(const char **slot, const char *v)
{
    if (!*slot) {
        *slot = v;
    }
}

static const char *apply_one_arg(read_ctx *ctx, const char *path,
                                 int lineno, const char *d, const char *v)
{
    long cost;
    const char *err;

    if (!strcasecmp(d, "DBDriver")) {
        set_once(&ctx->out->db_driver, v);
    }
    else if (!strcasecmp(d, "DBDParams")) {
        set_once(&ctx->out->db_params, v);
    }
    else if (!strcasecmp(d, "AilesVaultKeyFile")) {
        set_once(&ctx->out->vault_key_file, resolve(ctx, path, v));
    }
    else if (!strcasecmp(d, "AilesVaultIndexKeyFile")) {
        set_once(&ctx->out->vault_index_key_file, resolve(ctx, path, v));
    }
    else if (!strcasecmp(d, "AilesBackupKeyFile")) {
        set_once(&ctx->out->backup_key_file, resolve(ctx, path, v));
    }
    else if (!strcasecmp(d, "AilesVaultOldKeyFile")) {
        if (!ctx->out->vault_old_key_files) {
            ctx->out->vault_old_key_files =
                apr_array_make(ctx->p, 2, sizeof(const char *));
        }
        APR_ARRAY_PUSH(ctx->out->vault_old_key_files, const char *) =
            resolve(ctx, path, v);
    }
    else if (!strcasecmp(d, "AilesMailRelay")) {
        if ((err = ailes_mail_check_relay(ctx->p, v))) {
            return apr_psprintf(ctx->p, "%s:%d: AilesMailRelay: %s", path,
                                lineno, err);
        }
        set_once(&ctx->out->mail_relay, v);
    }
    else if (!strcasecmp(d, "AilesMailFrom")) {
        if ((err = ailes_mail_check_address(ctx->p, v))) {
            return apr_psprintf(ctx->p, "%s:%d: AilesMailFrom: %s", path,
                                lineno, err);
        }
        set_once(&ctx->out->mail_from, v);
    }
    else if (!strcasecmp(d, "AilesAuditRetention")) {
        long secs;
        if ((err = ailes_parse_duration(ctx->p, v, 366L * 86400,
                                        3650L * 86400, &secs))) {
            return apr_psprintf(ctx->p, "%s:%d: AilesAuditRetention: %s",
                                path, lineno, err);
        }
        if (ctx->out->audit_retention < 0) {
            ctx->out->audit_retention = secs;
        }
    }
    else if (ctx->out->bcrypt_cost < 0) {
        err = ailes_parse_int(ctx->p, v, AILES_BCRYPT_COST_MIN,
                              AILES_BCRYPT_COST_MAX, &cost);
        if (err) {
            return apr_psprintf(ctx->p, "%s:%d: AilesBcryptCost: %s", path,
                                lineno, err);
        }
        ctx->out->bcrypt_cost = (int)cost;
    }
    return NULL;
}

static const char *apply(read_ctx *ctx, const char *path, int lineno,
                         apr_array_header_t *a, int depth)
{
    const char **v = (const char **)a->elts;
    const char *d = v[0];

    if (!strncasecmp(d, "<VirtualHost", 12)) {
        ctx->vhost_depth++;
        return NULL;
    }
    if (!strcasecmp(d, "</VirtualHost>")) {
        ctx->vhost_depth--;
        return NULL;
    }
    if (ctx->vhost_depth > 0) {
        return NULL;
    }
    if (!strcasecmp(d, "ServerRoot") && a->nelts == 2) {
        set_once(&ctx->server_root, v[1]);
    }
    else if ((!strcasecmp(d, "Include") || !strcasecmp(d, "IncludeOptional"))
             && a->nelts == 2) {
        return include(ctx, path, v[1], !strcasecmp(d, "IncludeOptional"),
                       depth);
    }
    else if (!strcasecmp(d, "DBDriver") || !strcasecmp(d, "DBDParams")
             || !strcasecmp(d, "AilesVaultKeyFile")
             || !strcasecmp(d, "AilesVaultIndexKeyFile")
             || !strcasecmp(d, "AilesBackupKeyFile")
             || !strcasecmp(d, "AilesBcryptCost")
             || !strcasecmp(d, "AilesAuditRetention")
             || !strcasecmp(d, "AilesVaultOldKeyFile")
             || !strcasecmp(d, "AilesMailRelay")
             || !strcasecmp(d, "AilesMailFrom")) {
        if (a->nelts != 2) {
            return apr_psprintf(ctx->p, "%s:%d: %s takes one argument", path,
                                lineno, d);
        }
        return apply_one_arg(ctx, path, lineno, d, v[1]);
    }
    else if (!strcasecmp(d, "AilesVaultDB")) {
        if (a->nelts != 3) {
            return apr_psprintf(ctx->p, "%s:%d: AilesVaultDB takes DRIVER "
                                "PARAMS", path, lineno);
        }
        set_once(&ctx->out->vault_driver, v[1]);
        set_once(&ctx->out->vault_params, v[2]);
    }
    return NULL;
}

static const char *read_file(read_ctx *ctx, const char *path, int depth)
{
    FILE *f;
    char line[8192];
    char *logical = NULL;
    int lineno = 0;
    const char *err = NULL;

    if (depth > MAX_INCLUDE_DEPTH) {
        return apr_psprintf(ctx->p, "%s: includes nested too deeply", path);
    }
    f = fopen(path, "r");
    if (!f) {
        return apr_psprintf(ctx->p, "cannot read config file %s", path);
    }
    while (!err && fgets(line, sizeof(line), f)) {
        size_t n = strlen(line);
        apr_array_header_t *args;

        lineno++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
            line[--n] = '\0';
        }
        /* A trailing backslash continues the directive on the next line. */
        if (n && line[n - 1] == '\\') {
            line[n - 1] = ' ';
            logical = apr_pstrcat(ctx->p, logical ? logical : "", line, NULL);
            continue;
        }
        if (logical) {
            logical = apr_pstrcat(ctx->p, logical, line, NULL);
        }
        err = ailes_conffile_split(ctx->p, logical ? logical : line, &args);
        logical = NULL;
        if (err) {
            err = apr_psprintf(ctx->p, "%s:%d: %s", path, lineno, err);
        }
        else if (args->nelts > 0) {
            err = apply(ctx, path, lineno, args, depth);
        }
    }
    fclose(f);
    return err;
}

const char *ailes_conffile_read(apr_pool_t *p, const char *path,
                                ailes_conffile_t *out)
{
    read_ctx ctx;

    memset(out, 0, sizeof(*out));
    out->bcrypt_cost = -1;
    out->audit_retention = -1;
    memset(&ctx, 0, sizeof(ctx));
    ctx.p = p;
    ctx.out = out;
    return read_file(&ctx, path, 0);
}
