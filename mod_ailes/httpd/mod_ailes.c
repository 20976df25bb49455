/* mod_ailes: corporate health management on Apache httpd 2.4.
 *
 * This file holds the module record and hook registration only; the work
 * is in ailes_*.c (glue) and ../core (logic without httpd).
 */
#include <httpd.h>
#include <apr_optional.h>
#include <http_config.h>
#include <http_log.h>

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_cache.h"
#include "ailes_config.h"
#include "ailes_ip.h"
#include "ailes_log.h"
#include "ailes_password.h"
#include "ailes_request.h"
#include "ailes_token.h"
#include "ailes_totp.h"

/* Core code logs through this; set in post_config, before any thread. */
static void log_to_httpd(void *baton, ailes_log_level_t level,
                         apr_status_t rv, const char *msg)
{
    server_rec *s = baton;
    int lvl = level == AILES_LOG_ERR    ? APLOG_ERR
              : level == AILES_LOG_WARN ? APLOG_WARNING
              : level == AILES_LOG_INFO ? APLOG_INFO
                                        : APLOG_DEBUG;

    ap_log_error(APLOG_MARK, lvl, rv, s, "%s", msg);
}

/* check_config runs for `apachectl configtest` too, so a configuration
 * that cannot work fails there, not on the first request. */
static int check_config(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp, server_rec *s)
{
    const char *err = ailes_conf_check(pconf, s);

    if (err) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, AILES_LOGNO(00301) "%s",
                     err);
        return !OK;
    }
    return OK;
}

static int post_config(apr_pool_t *pconf, apr_pool_t *plog,
                       apr_pool_t *ptemp, server_rec *s)
{
    ailes_global_t *g = ailes_srv_conf(s)->g;
    ailes_log_set(log_to_httpd, s);
    if (ailes_crypto_init() != 0 || ailes_totp_init() != 0) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, AILES_LOGNO(00302)
                     "libsodium or liboath cannot be initialised");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (!g->tenants_configured) {
        return OK;
    }
    if (!ap_find_linked_module("mod_dbd.c")) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, AILES_LOGNO(00304)
                     "mod_ailes needs mod_dbd: LoadModule dbd_module before "
                     "mod_ailes");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (OK != ailes_cache_post_config(pconf, ptemp, s)) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* A login for an unknown employee number verifies against this hash,
     * made at the configured cost, so it costs what a real check costs. */
    if (APR_SUCCESS != ailes_password_hash(pconf, "ailes-dummy-Passw0rd",
                                           ailes_conf_bcrypt_cost(g),
                                           &g->dummy_hash)) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, AILES_LOGNO(00305)
                     "bcrypt is not available");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static int pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    return ailes_cache_pre_config(pconf);
}

static int open_logs(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                     server_rec *s)
{
    return ailes_audit_open_logs(pconf, s);
}

static void child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv = ailes_vault_pool_init(pchild, s);

    ailes_cache_child_init(pchild, s);
    ailes_ip_child_init(pchild, s);
    if (APR_SUCCESS != rv) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, AILES_LOGNO(00306)
                     "cannot create the vault connection pool");
    }
}

static void register_hooks(apr_pool_t *p)
{
    static const char *const after_dbd[] = { "mod_dbd.c", NULL };

    ap_hook_pre_config(pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(post_config, after_dbd, NULL, APR_HOOK_MIDDLE);
    ap_hook_open_logs(open_logs, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(child_init, after_dbd, NULL, APR_HOOK_MIDDLE);
    ailes_request_register_hooks(p);
    ailes_auth_register_hooks(p);
    ailes_api_register_hooks(p);
}

AP_DECLARE_MODULE(ailes) = {
    STANDARD20_MODULE_STUFF,
    NULL,
    NULL,
    ailes_create_srv_conf,
    ailes_merge_srv_conf,
    ailes_cmds,
    register_hooks,
    AP_MODULE_FLAG_NONE
};
