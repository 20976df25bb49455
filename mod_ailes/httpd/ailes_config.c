/* Directives and per-server configuration; see ailes_config.h. Setters
 * validate with the core parsers and return their message, so httpd names
 * the file and line of a bad directive (configtest fails). */
#include <httpd.h>
#include <apr_strings.h>
#include <http_log.h>

#include "ailes_config.h"
#include "ailes_parse.h"
#include "ailes_password.h"
#include "ailes_vault.h"

APLOG_USE_MODULE(ailes);

#define COOKIE_SECURE_DEFAULT 1

void *ailes_create_srv_conf(apr_pool_t *p, server_rec *s)
{
    ailes_srv_conf_t *sc = apr_pcalloc(p, sizeof(*sc));

    sc->cookie_secure = -1;
    if (!s->is_virtual) {
        sc->g = apr_pcalloc(p, sizeof(*sc->g));
        sc->g->bcrypt_cost = -1;
    }
    return sc;
}

void *ailes_merge_srv_conf(apr_pool_t *p, void *basev, void *addv)
{
    ailes_srv_conf_t *base = basev, *add = addv;
    ailes_srv_conf_t *sc = apr_pcalloc(p, sizeof(*sc));

    sc->g = base->g;
    sc->tenant = add->tenant ? add->tenant : base->tenant;
    sc->cookie_secure = add->cookie_secure != -1 ? add->cookie_secure
                                                 : base->cookie_secure;
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

static const char *set_vault_key_file(cmd_parms *cmd, void *dc,
                                      const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    const char *path;
    ailes_global_t *g = global_of(cmd);

    if (err) {
        return err;
    }
    path = ap_server_root_relative(cmd->pool, arg);
    if (!path) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": invalid path ", arg,
                           NULL);
    }
    /* Read now, as root, so that configtest refuses a bad key and the
     * children (another user) never need to open the file. */
    err = ailes_vault_key_load(cmd->pool, path, &g->vault_key);
    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    g->vault_key_file = path;
    return NULL;
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

const command_rec ailes_cmds[] = {
    AP_INIT_TAKE1("AilesTenant", set_tenant, NULL, RSRC_CONF,
                  "the tenant (slug, [a-z0-9-]{1,32}) this server serves"),
    AP_INIT_TAKE2("AilesVaultDB", set_vault_db, NULL, RSRC_CONF,
                  "driver (sqlite3|pgsql) and parameters of the name vault "
                  "database, separate from DBDParams"),
    AP_INIT_TAKE1("AilesVaultKeyFile", set_vault_key_file, NULL, RSRC_CONF,
                  "file with the 32-byte vault key (mode 0400)"),
    AP_INIT_TAKE1("AilesBcryptCost", set_bcrypt_cost, NULL, RSRC_CONF,
                  "bcrypt cost for new password hashes (4-15, default 12)"),
    AP_INIT_FLAG("AilesCookieSecure", set_cookie_secure, NULL, RSRC_CONF,
                 "On (default): session cookie __Host-ailes, Secure; Off: "
                 "cookie 'ailes' for plain-http demos"),
    { NULL }
};

const char *ailes_conf_check(apr_pool_t *p, server_rec *s)
{
    ailes_global_t *g = ailes_srv_conf(s)->g;
    server_rec *sp;
    int tenants = 0;

    for (sp = s; sp; sp = sp->next) {
        if (ailes_srv_conf(sp)->tenant) {
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
    return NULL;
}
