/* Directives and per-server configuration; see ailes_config.h. Setters
 * validate with the core parsers and return their message, so httpd names
 * the file and line of a bad directive (configtest fails). */
#include <httpd.h>
#include <ap_provider.h>
#include <ap_socache.h>
#include <apr_strings.h>
#include <http_log.h>

#include "ailes_backup.h"
#include "ailes_cidr.h"
#include "ailes_config.h"
#include "ailes_mail.h"
#include "ailes_parse.h"
#include "ailes_password.h"
#include "ailes_role.h"
#include "ailes_totp.h"
#include "ailes_vault.h"

APLOG_USE_MODULE(ailes);

#define COOKIE_SECURE_DEFAULT 1
#define LOCKOUT_DEFAULT 5
#define LOCKOUT_DURATION_DEFAULT (30 * 60)
#define SESSION_IDLE_DEFAULT (30 * 60)
#define SESSION_MAX_DEFAULT (12 * 3600)
#define MAX_BODY_DEFAULT (1024 * 1024)
#define SESSION_CACHE_DEFAULT "shmcb"
#define TOTP_WINDOW_DEFAULT 1
#define AUDIT_RETENTION_DEFAULT (395L * 86400)     /* 13 months */
#define AUDIT_RETENTION_MIN (366L * 86400)         /* never below 12 */
#define ACTIVATION_TTL_DEFAULT (14 * 86400)
#define MAX_UPLOAD_DEFAULT (16L * 1024 * 1024)
#define LIFELOG_BACKDATE_DEFAULT 7
#define TOTP_ISSUER_DEFAULT "Ailes"

#define MERGE(field) sc->field = add->field != -1 ? add->field : base->field

void *ailes_create_srv_conf(apr_pool_t *p, server_rec *s)
{
    ailes_srv_conf_t *sc = apr_pcalloc(p, sizeof(*sc));

    sc->cookie_secure = -1;
    sc->lockout = -1;
    sc->lockout_duration = -1;
    sc->session_idle = -1;
    sc->session_max = -1;
    sc->max_body = -1;
    sc->totp_window = -1;
    sc->ip_scope_all = -1;
    sc->activation_ttl = -1;
    sc->max_upload = -1;
    sc->lifelog_backdate = -1;
    if (!s->is_virtual) {
        sc->g = apr_pcalloc(p, sizeof(*sc->g));
        sc->g->bcrypt_cost = -1;
        sc->g->audit_retention = -1;
    }
    return sc;
}

void *ailes_merge_srv_conf(apr_pool_t *p, void *basev, void *addv)
{
    ailes_srv_conf_t *base = basev, *add = addv;
    ailes_srv_conf_t *sc = apr_pcalloc(p, sizeof(*sc));

    sc->g = base->g;
    sc->tenant = add->tenant ? add->tenant : base->tenant;
    sc->path_prefix = add->path_prefix ? add->path_prefix : base->path_prefix;
    MERGE(cookie_secure);
    MERGE(lockout);
    MERGE(lockout_duration);
    MERGE(session_idle);
    MERGE(session_max);
    MERGE(max_body);
    MERGE(totp_window);
    sc->totp_issuer = add->totp_issuer ? add->totp_issuer : base->totp_issuer;
    sc->totp_roles = add->totp_roles | base->totp_roles;
    sc->ip_bound = add->ip_bound ? add->ip_bound : base->ip_bound;
    MERGE(ip_scope_all);
    MERGE(activation_ttl);
    MERGE(lifelog_backdate);
    MERGE(max_upload);
    return sc;
}

ailes_srv_conf_t *ailes_srv_conf(const server_rec *s)
{
    return ap_get_module_config(s->module_config, &ailes_module);
}

int ailes_conf_bcrypt_cost(const ailes_global_t *g)
{
    return g->bcrypt_cost != -1 ? g->bcrypt_cost : AILES_BCRYPT_COST_DEFAULT;
}

int ailes_conf_cookie_secure(const ailes_srv_conf_t *sc)
{
    return sc->cookie_secure != -1 ? sc->cookie_secure
                                   : COOKIE_SECURE_DEFAULT;
}

const char *ailes_conf_cookie_name(const ailes_srv_conf_t *sc)
{
    /* The __Host- prefix makes browsers refuse the cookie unless it is
     * Secure, Path=/ and has no Domain: it cannot be planted by a sibling
     * host. Plain-http demos cannot use it. */
    return ailes_conf_cookie_secure(sc) ? "__Host-ailes" : "ailes";
}

int ailes_conf_lockout(const ailes_srv_conf_t *sc)
{
    return sc->lockout != -1 ? sc->lockout : LOCKOUT_DEFAULT;
}

long ailes_conf_lockout_duration(const ailes_srv_conf_t *sc)
{
    return sc->lockout_duration != -1 ? sc->lockout_duration
                                      : LOCKOUT_DURATION_DEFAULT;
}

int ailes_conf_session_idle(const ailes_srv_conf_t *sc)
{
    return (int)(sc->session_idle != -1 ? sc->session_idle
                                        : SESSION_IDLE_DEFAULT);
}

int ailes_conf_session_max(const ailes_srv_conf_t *sc)
{
    return (int)(sc->session_max != -1 ? sc->session_max
                                       : SESSION_MAX_DEFAULT);
}

long ailes_conf_max_body(const ailes_srv_conf_t *sc)
{
    return sc->max_body != -1 ? sc->max_body : MAX_BODY_DEFAULT;
}

const char *ailes_conf_session_cache(const ailes_global_t *g)
{
    return g->session_cache ? g->session_cache : SESSION_CACHE_DEFAULT;
}

int ailes_conf_totp_window(const ailes_srv_conf_t *sc)
{
    return sc->totp_window != -1 ? sc->totp_window : TOTP_WINDOW_DEFAULT;
}

const char *ailes_conf_totp_issuer(const ailes_srv_conf_t *sc)
{
    return sc->totp_issuer ? sc->totp_issuer : TOTP_ISSUER_DEFAULT;
}

long ailes_conf_audit_retention(const ailes_global_t *g)
{
    return g->audit_retention != -1 ? g->audit_retention
                                    : AUDIT_RETENTION_DEFAULT;
}

long ailes_conf_activation_ttl(const ailes_srv_conf_t *sc)
{
    return sc->activation_ttl != -1 ? sc->activation_ttl
                                    : ACTIVATION_TTL_DEFAULT;
}

long ailes_conf_max_upload(const ailes_srv_conf_t *sc)
{
    return sc->max_upload != -1 ? sc->max_upload : MAX_UPLOAD_DEFAULT;
}

int ailes_conf_lifelog_backdate(const ailes_srv_conf_t *sc)
{
    return sc->lifelog_backdate != -1 ? sc->lifelog_backdate
                                      : LIFELOG_BACKDATE_DEFAULT;
}

int ailes_conf_ip_applies(const ailes_srv_conf_t *sc, int role)
{
    return sc->ip_scope_all == 1
           || ailes_role_is_high_privilege((ailes_role_t)role);
}

int ailes_conf_totp_required(const ailes_srv_conf_t *sc, int role)
{
    return ailes_role_totp_required((ailes_role_t)role)
           || (sc->totp_roles & (1U << role));
}

static ailes_global_t *global_of(cmd_parms *cmd)
{
    return ailes_srv_conf(cmd->server)->g;
}

static const char *set_tenant(cmd_parms *cmd, void *dc, const char *arg)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(cmd->server);
    const char *err = ailes_parse_slug(cmd->pool, arg);

    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    sc->tenant = arg;
    return NULL;
}

static const char *set_path_prefix(cmd_parms *cmd, void *dc,
                                   const char *arg)
{
    size_t n = strlen(arg), i;

    if (n < 2 || arg[0] != '/' || arg[n - 1] == '/' || n > 64) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": a path like /t "
                           "(starts with /, no trailing /)", NULL);
    }
    for (i = 1; i < n; i++) {
        char c = arg[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
              || c == '_' || c == '/')) {
            return apr_pstrcat(cmd->pool, cmd->cmd->name,
                               ": only a-z, 0-9, '-', '_' and '/'", NULL);
        }
    }
    ailes_srv_conf(cmd->server)->path_prefix = arg;
    return NULL;
}

static const char *set_vault_db(cmd_parms *cmd, void *dc, const char *driver,
                                const char *params)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    if (err) {
        return err;
    }
    if (strcmp(driver, "sqlite3") && strcmp(driver, "pgsql")) {
        return apr_psprintf(cmd->pool, "%s: driver must be sqlite3 or pgsql, "
                            "not '%s'", cmd->cmd->name, driver);
    }
    global_of(cmd)->vault_driver = driver;
    global_of(cmd)->vault_params = params;
    return NULL;
}

/* Reads a 32-byte key file named by a server-level directive into *key
 * (pool memory, wiped with the pool). Read now, as root, so that
 * configtest refuses a bad key and the children (another user) never need
 * to open the file. *path (may be NULL) gets the resolved path. */
static const char *load_key_file(cmd_parms *cmd, const char *arg,
                                 ailes_vault_key_t **key, const char **path)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    const char *full;

    if (err) {
        return err;
    }
    if (!(full = ap_server_root_relative(cmd->pool, arg))) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": invalid path ", arg,
                           NULL);
    }
    if ((err = ailes_vault_key_load(cmd->pool, full, key))) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    if (path) {
        *path = full;
    }
    return NULL;
}

static const char *set_vault_key_file(cmd_parms *cmd, void *dc,
                                      const char *arg)
{
    ailes_global_t *g = global_of(cmd);

    return load_key_file(cmd, arg, &g->vault_key, &g->vault_key_file);
}

static const char *add_old_key_file(cmd_parms *cmd, void *dc,
                                    const char *arg)
{
    ailes_global_t *g = global_of(cmd);
    ailes_vault_key_t *k;
    const char *err = load_key_file(cmd, arg, &k, NULL);

    if (err) {
        return err;
    }
    if (!g->old_keys) {
        g->old_keys = apr_array_make(cmd->pool, 2,
                                     sizeof(ailes_vault_key_t *));
    }
    APR_ARRAY_PUSH(g->old_keys, ailes_vault_key_t *) = k;
    return NULL;
}

static const char *set_index_key_file(cmd_parms *cmd, void *dc,
                                      const char *arg)
{
    return load_key_file(cmd, arg, &global_of(cmd)->index_key, NULL);
}

/* httpd needs no backup key (ailesctl backup reads it): the file is checked
 * like a vault key so that configtest catches a bad one, and only the id
 * of the key is kept, to refuse a vault key in post_config. */
static const char *set_backup_key_file(cmd_parms *cmd, void *dc,
                                       const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    ailes_backup_key_t *bk;
    ailes_vault_key_t *vk;
    apr_pool_t *tmp;
    const char *path;

    if (err) {
        return err;
    }
    if (!(path = ap_server_root_relative(cmd->pool, arg))) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": invalid path ", arg,
                           NULL);
    }
    apr_pool_create(&tmp, cmd->temp_pool);
    if ((err = ailes_backup_key_load(tmp, path, &bk))) {
        err = apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    else {
        vk = ailes_vault_key_make(tmp, bk->key);
        global_of(cmd)->backup_key_id = apr_pstrdup(cmd->pool, vk->id);
    }
    apr_pool_destroy(tmp);     /* wipes the key */
    return err;
}

static const char *set_bcrypt_cost(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    long v;

    if (err) {
        return err;
    }
    err = ailes_parse_int(cmd->pool, arg, AILES_BCRYPT_COST_MIN,
                          AILES_BCRYPT_COST_MAX, &v);
    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    global_of(cmd)->bcrypt_cost = (int)v;
    return NULL;
}

static const char *set_cookie_secure(cmd_parms *cmd, void *dc, int flag)
{
    ailes_srv_conf(cmd->server)->cookie_secure = flag;
    return NULL;
}

/* Durations and counts of a server: cmd->info says which field. */
typedef enum {
    SET_LOCKOUT_DURATION,
    SET_SESSION_IDLE,
    SET_SESSION_MAX,
    SET_ACTIVATION_TTL
} duration_field;

static const char *set_duration(cmd_parms *cmd, void *dc, const char *arg)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(cmd->server);
    long v, lo, hi;
    long *slot;
    const char *err;

    switch ((duration_field)(apr_uintptr_t)cmd->info) {
    case SET_LOCKOUT_DURATION:
        slot = &sc->lockout_duration;
        lo = 0;
        hi = 30L * 86400;
        break;
    case SET_SESSION_IDLE:
        slot = &sc->session_idle;
        lo = 60;
        hi = 86400;
        break;
    case SET_ACTIVATION_TTL:
        slot = &sc->activation_ttl;
        lo = 3600;
        hi = 90L * 86400;
        break;
    default:
        slot = &sc->session_max;
        lo = 300;
        hi = 30L * 86400;
        break;
    }
    err = ailes_parse_duration(cmd->pool, arg, lo, hi, &v);
    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    *slot = v;
    return NULL;
}

static const char *set_lifelog_backdate(cmd_parms *cmd, void *dc,
                                        const char *arg)
{
    long v;
    const char *err = ailes_parse_int(cmd->pool, arg, 0, 90, &v);

    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    ailes_srv_conf(cmd->server)->lifelog_backdate = (int)v;
    return NULL;
}

static const char *set_lockout(cmd_parms *cmd, void *dc, const char *arg)
{
    long v;
    const char *err = ailes_parse_int(cmd->pool, arg, 1, 100, &v);

    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    ailes_srv_conf(cmd->server)->lockout = (int)v;
    return NULL;
}

/* AilesMaxBody and AilesMaxUpload: cmd->info says which. */
static const char *set_max_bytes(cmd_parms *cmd, void *dc, const char *arg)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(cmd->server);
    int upload = cmd->info != NULL;
    long v;
    const char *err = ailes_parse_int(cmd->pool, arg, 1024,
                                      upload ? 1024L << 20 : 64L << 20, &v);

    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    *(upload ? &sc->max_upload : &sc->max_body) = v;
    return NULL;
}

static const char *set_session_cache(cmd_parms *cmd, void *dc,
                                     const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    if (err) {
        return err;
    }
    if (!*arg) {
        return "AilesSessionCache: name a provider (shmcb, redis:HOST:PORT, "
               "memcache:HOST:PORT) or none";
    }
    global_of(cmd)->session_cache = arg;
    return NULL;
}

static const char *set_totp_window(cmd_parms *cmd, void *dc, const char *arg)
{
    long v;
    const char *err = ailes_parse_int(cmd->pool, arg, 0, AILES_TOTP_WINDOW_MAX,
                                      &v);

    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    ailes_srv_conf(cmd->server)->totp_window = (int)v;
    return NULL;
}

static const char *set_totp_issuer(cmd_parms *cmd, void *dc, const char *arg)
{
    size_t i, n = strlen(arg);

    if (n == 0 || n > 64) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name,
                           ": give 1 to 64 bytes", NULL);
    }
    for (i = 0; i < n; i++) {
        if ((unsigned char)arg[i] < 0x20 || arg[i] == ':') {
            return apr_pstrcat(cmd->pool, cmd->cmd->name,
                               ": no control characters and no ':'", NULL);
        }
    }
    ailes_srv_conf(cmd->server)->totp_issuer = arg;
    return NULL;
}

static const char *add_totp_role(cmd_parms *cmd, void *dc, const char *arg)
{
    ailes_role_t role = ailes_role_parse(arg);

    if (AILES_ROLE_NONE == role) {
        return apr_psprintf(cmd->pool, "%s: unknown role '%s' (one of %s)",
                            cmd->cmd->name, arg, ailes_role_list());
    }
    if (!ailes_role_totp_allowed(role)) {
        return apr_psprintf(cmd->pool, "%s: %s accounts have no TOTP",
                            cmd->cmd->name, arg);
    }
    ailes_srv_conf(cmd->server)->totp_roles |= 1U << role;
    return NULL;
}

static const char *add_allow_ip(cmd_parms *cmd, void *dc, const char *arg)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(cmd->server);
    ailes_cidr_t *c;
    const char *err;

    if (!sc->ip_bound) {
        sc->ip_bound = apr_array_make(cmd->pool, 4, sizeof(ailes_cidr_t));
    }
    if (sc->ip_bound->nelts >= AILES_CIDR_MAX_ENTRIES) {
        return apr_psprintf(cmd->pool, "%s: at most %d entries",
                            cmd->cmd->name, AILES_CIDR_MAX_ENTRIES);
    }
    c = apr_array_push(sc->ip_bound);
    if ((err = ailes_cidr_parse(cmd->pool, arg, c))) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    return NULL;
}

static const char *set_ip_scope(cmd_parms *cmd, void *dc, const char *arg)
{
    if (strcmp(arg, "staff") && strcmp(arg, "all")) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name,
                           ": staff (roles that see others' data) or all",
                           NULL);
    }
    ailes_srv_conf(cmd->server)->ip_scope_all = !strcmp(arg, "all");
    return NULL;
}

static const char *set_audit_log(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    if (err) {
        return err;
    }
    if (!*arg || !strcmp(arg, "|")) {
        return "AilesAuditLog: a file path or |program";
    }
    global_of(cmd)->audit_log = arg;
    return NULL;
}

static const char *set_audit_retention(cmd_parms *cmd, void *dc,
                                       const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    long v;

    if (err) {
        return err;
    }
    err = ailes_parse_duration(cmd->pool, arg, AUDIT_RETENTION_MIN,
                               3650L * 86400, &v);
    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err,
                           " (at least 366d: the spec keeps 12 months)",
                           NULL);
    }
    global_of(cmd)->audit_retention = v;
    return NULL;
}

/* AilesMailRelay and AilesMailFrom (cmd->info 1): checked by the same
 * core parsers ailesctl uses. */
static const char *set_mail(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    if (err) {
        return err;
    }
    if (cmd->info) {
        if ((err = ailes_mail_check_address(cmd->pool, arg))) {
            return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
        }
        global_of(cmd)->mail_from = arg;
    }
    else {
        if ((err = ailes_mail_check_relay(cmd->pool, arg))) {
            return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
        }
        global_of(cmd)->mail_relay = arg;
    }
    return NULL;
}

int ailes_conf_mail_enabled(const ailes_global_t *g)
{
    return g && g->mail_relay != NULL;
}

const command_rec ailes_cmds[] = {
    AP_INIT_TAKE1("AilesTenant", set_tenant, NULL, RSRC_CONF,
                  "the tenant (slug, [a-z0-9-]{1,32}) this server serves"),
    AP_INIT_TAKE1("AilesTenantPathPrefix", set_path_prefix, NULL, RSRC_CONF,
                  "serve several tenants on this host as PREFIX/SLUG/..."),
    AP_INIT_TAKE2("AilesVaultDB", set_vault_db, NULL, RSRC_CONF,
                  "driver (sqlite3|pgsql) and parameters of the name vault "
                  "database, separate from DBDParams"),
    AP_INIT_TAKE1("AilesVaultKeyFile", set_vault_key_file, NULL, RSRC_CONF,
                  "file with the 32-byte vault key (mode 0400)"),
    AP_INIT_TAKE1("AilesVaultOldKeyFile", add_old_key_file, NULL, RSRC_CONF,
                  "an earlier vault key that still opens rows sealed before "
                  "a rotation (repeatable)"),
    AP_INIT_TAKE1("AilesVaultIndexKeyFile", set_index_key_file, NULL,
                  RSRC_CONF, "file with the 32-byte key of the blind index "
                  "that finds users by exact name (mode 0400; a key of its "
                  "own)"),
    AP_INIT_TAKE1("AilesBackupKeyFile", set_backup_key_file, NULL,
                  RSRC_CONF, "file with the 32-byte key that encrypts "
                  "`ailesctl backup` files (mode 0400; a key of its own)"),
    AP_INIT_TAKE1("AilesBcryptCost", set_bcrypt_cost, NULL, RSRC_CONF,
                  "bcrypt cost for new password hashes (4-15, default 12)"),
    AP_INIT_FLAG("AilesCookieSecure", set_cookie_secure, NULL, RSRC_CONF,
                 "On (default): session cookie __Host-ailes, Secure; Off: "
                 "cookie 'ailes' for plain-http demos"),
    AP_INIT_TAKE1("AilesLockout", set_lockout, NULL, RSRC_CONF,
                  "consecutive failed logins that lock an account (1-100, "
                  "default 5)"),
    AP_INIT_TAKE1("AilesLockoutDuration", set_duration,
                  (void *)SET_LOCKOUT_DURATION, RSRC_CONF,
                  "how long a lock lasts (default 30m; 0 = until an admin "
                  "unlocks)"),
    AP_INIT_TAKE1("AilesSessionIdle", set_duration, (void *)SET_SESSION_IDLE,
                  RSRC_CONF, "idle timeout of a session (default 30m)"),
    AP_INIT_TAKE1("AilesSessionMax", set_duration, (void *)SET_SESSION_MAX,
                  RSRC_CONF, "absolute lifetime of a session (default 12h)"),
    AP_INIT_TAKE1("AilesSessionCache", set_session_cache, NULL, RSRC_CONF,
                  "ap_socache provider for sessions: shmcb (default), "
                  "redis:HOST:PORT, memcache:HOST:PORT, or none"),
    AP_INIT_TAKE1("AilesAuditLog", set_audit_log, NULL, RSRC_CONF,
                  "audit events as JSON lines: a file, or |program (a "
                  "piped log restarted by httpd, e.g. ailes-logship)"),
    AP_INIT_TAKE1("AilesAuditRetention", set_audit_retention, NULL,
                  RSRC_CONF, "how long audit rows stay in the database "
                  "(default 395d, at least 366d; ailesctl purge)"),
    AP_INIT_TAKE1("AilesMaxBody", set_max_bytes, NULL, RSRC_CONF,
                  "largest JSON request body in bytes (default 1048576)"),
    AP_INIT_TAKE1("AilesMaxUpload", set_max_bytes, (void *)1, RSRC_CONF,
                  "largest CSV upload in bytes (default 16777216)"),
    AP_INIT_TAKE1("AilesActivationTTL", set_duration,
                  (void *)SET_ACTIVATION_TTL, RSRC_CONF,
                  "how long an activation code works (default 14d)"),
    AP_INIT_TAKE1("AilesLifelogBackdate", set_lifelog_backdate, NULL,
                  RSRC_CONF, "how many days back a life-log entry may be "
                  "made (0-90, default 7)"),
    AP_INIT_TAKE1("AilesTOTPWindow", set_totp_window, NULL, RSRC_CONF,
                  "TOTP steps accepted before and after now (0-2, "
                  "default 1)"),
    AP_INIT_TAKE1("AilesTOTPIssuer", set_totp_issuer, NULL, RSRC_CONF,
                  "issuer name shown by authenticator apps (default Ailes)"),
    AP_INIT_ITERATE("AilesTenantAllowIP", add_allow_ip, NULL, RSRC_CONF,
                    "CIDRs (IPv4, IPv6) the tenant may be used from; tenant "
                    "admins may narrow the list, never widen it"),
    AP_INIT_TAKE1("AilesTenantIPScope", set_ip_scope, NULL, RSRC_CONF,
                  "staff (default: roles that see others' data) or all"),
    AP_INIT_ITERATE("AilesTenantRequireTOTP", add_totp_role, NULL, RSRC_CONF,
                    "roles that must use TOTP besides tenant_admin and "
                    "health_staff (e.g. sc_staff sc_implementer employee)"),
    AP_INIT_TAKE1("AilesMailRelay", set_mail, NULL, RSRC_CONF,
                  "smtp://HOST:PORT of the relay that `ailesctl mail flush` "
                  "sends notifications through (default none: no mail is "
                  "queued)"),
    AP_INIT_TAKE1("AilesMailFrom", set_mail, (void *)1, RSRC_CONF,
                  "sender address of notification mail (required with "
                  "AilesMailRelay)"),
    { NULL }
};

const char *ailes_conf_check(apr_pool_t *p, server_rec *s)
{
    ailes_global_t *g = ailes_srv_conf(s)->g;
    server_rec *sp;
    int tenants = 0;

    for (sp = s; sp; sp = sp->next) {
        if (ailes_srv_conf(sp)->tenant || ailes_srv_conf(sp)->path_prefix) {
            tenants++;
        }
    }
    g->tenants_configured = tenants > 0;
    if (!tenants && !g->vault_driver && !g->vault_key) {
        return NULL;    /* loaded but unused */
    }
    if (!g->vault_driver) {
        return "mod_ailes: AilesVaultDB is required (names are kept in a "
               "separate vault database)";
    }
    if (!g->vault_key) {
        return "mod_ailes: AilesVaultKeyFile is required";
    }
    /* The ring: the current key first, then the old ones. */
    g->vault_key->next = NULL;
    if (g->old_keys) {
        ailes_vault_key_t *tail = g->vault_key;
        int i;
        for (i = 0; i < g->old_keys->nelts; i++) {
            ailes_vault_key_t *k = APR_ARRAY_IDX(g->old_keys, i,
                                                 ailes_vault_key_t *);
            if (!strcmp(k->id, g->vault_key->id)) {
                return "mod_ailes: an AilesVaultOldKeyFile holds the current "
                       "AilesVaultKeyFile key";
            }
            k->next = NULL;
            tail->next = k;
            tail = k;
        }
    }
    if (g->index_key) {
        const ailes_vault_key_t *k;
        for (k = g->vault_key; k; k = k->next) {
            if (!strcmp(k->id, g->index_key->id)) {
                return "mod_ailes: AilesVaultIndexKeyFile must hold a key of "
                       "its own, not a vault key";
            }
        }
    }
    if (g->backup_key_id) {
        const ailes_vault_key_t *k;
        for (k = g->vault_key; k; k = k->next) {
            if (!strcmp(k->id, g->backup_key_id)) {
                return "mod_ailes: AilesBackupKeyFile must hold a key of its "
                       "own, not a vault key";
            }
        }
        if (g->index_key && !strcmp(g->index_key->id, g->backup_key_id)) {
            return "mod_ailes: AilesBackupKeyFile must hold a key of its own, "
                   "not the index key";
        }
    }
    if (g->mail_relay && !g->mail_from) {
        return "mod_ailes: AilesMailFrom is required with AilesMailRelay";
    }
    /* An explicitly named session cache must exist at configtest time. */
    if (g->session_cache && strcmp(g->session_cache, "none")) {
        const char *sep = strchr(g->session_cache, ':');
        const char *name = sep ? apr_pstrmemdup(p, g->session_cache,
                                                (apr_size_t)(sep
                                                             - g->session_cache))
                               : g->session_cache;
        if (!ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name,
                                AP_SOCACHE_PROVIDER_VERSION)) {
            return apr_psprintf(p, "mod_ailes: AilesSessionCache %s: no "
                                "socache provider '%s' (load "
                                "mod_socache_%s)", g->session_cache, name,
                                name);
        }
    }
    return NULL;
}
