/* Tenant routing and per-request resources; see ailes_request.h. */
#include <httpd.h>
#include <apr_dbd.h>
#include <apr_optional.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_main.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_dbd.h>

#include "ailes_audit.h"
#include "ailes_config.h"
#include "ailes_db.h"
#include "ailes_log.h"
#include "ailes_parse.h"
#include "ailes_request.h"
#include "ailes_store.h"

APLOG_USE_MODULE(ailes);

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *dbd_acquire;

ailes_req_t *ailes_req(request_rec *r)
{
    ailes_req_t *q = ap_get_module_config(r->request_config, &ailes_module);

    if (!q) {
        /* Subrequests and internal redirects see the main request's state,
         * so a session is resolved once per client request. */
        if (r->main) {
            q = ailes_req(r->main);
        }
        else if (r->prev) {
            q = ailes_req(r->prev);
        }
        else {
            q = apr_pcalloc(r->pool, sizeof(*q));
            q->tenant = ailes_srv_conf(r->server)->tenant;
        }
        ap_set_module_config(r->request_config, &ailes_module, q);
    }
    return q;
}

/* post_read_request: bind the request to its tenant: the one of its
 * virtual host (AilesTenant), or with AilesTenantPathPrefix /t the SLUG of
 * /t/SLUG/... (the URI is left as it is: sections match the full path). */
static int route_tenant(request_rec *r)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    ailes_req_t *q = ailes_req(r);
    size_t n;

    if (!sc->path_prefix || r->main || r->prev || !r->uri) {
        return DECLINED;
    }
    n = strlen(sc->path_prefix);
    if (!strncmp(r->uri, sc->path_prefix, n) && r->uri[n] == '/') {
        const char *slug = r->uri + n + 1, *end = strchr(slug, '/');
        char *s = end ? apr_pstrmemdup(r->pool, slug, (apr_size_t)(end - slug))
                      : apr_pstrdup(r->pool, slug);
        if (!ailes_parse_slug(r->pool, s)) {
            q->tenant = s;
            q->tenant_from_path = 1;
        }
    }
    return DECLINED;
}

static void retrieve_optional_fns(void)
{
    dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
}

ailes_db_t *ailes_req_db(request_rec *r)
{
    ailes_req_t *q = ailes_req(r);
    ap_dbd_t *dbd;

    if (q->db || q->db_failed) {
        return q->db;
    }
    dbd = dbd_acquire ? dbd_acquire(r) : NULL;
    if (!dbd) {
        q->db_failed = 1;
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AILES_LOGNO(00101)
                      "main database unavailable (mod_dbd gave no "
                      "connection)");
        return NULL;
    }
    q->db = ailes_db_wrap(r->pool, dbd->driver, dbd->handle, dbd->prepared,
                          dbd->pool);
    return q->db;
}

/* --- the vault pool ------------------------------------------------------ */

static apr_status_t vault_construct(void **res, void *params, apr_pool_t *p)
{
    ailes_global_t *g = params;
    ailes_db_t *db;
    const char *err;
    apr_status_t rv;

    rv = ailes_db_open(p, g->vault_driver, g->vault_params, &db, &err);
    if (APR_SUCCESS != rv) {
        ailes_log(AILES_LOG_ERR, rv, AILES_LOGNO(00102) "vault: %s", err);
        return rv;
    }
    *res = db;
    return APR_SUCCESS;
}

static apr_status_t vault_destruct(void *res, void *params, apr_pool_t *p)
{
    ailes_db_close(res);
    return APR_SUCCESS;
}

apr_status_t ailes_vault_pool_init(apr_pool_t *pchild, server_rec *s)
{
    ailes_global_t *g = ailes_srv_conf(s)->g;

    if (!g->vault_driver) {
        return APR_SUCCESS;
    }
    /* min 0: a vault that is down at start must not stop the child; the
     * pool connects on first use and retries on later requests. */
    return apr_reslist_create(&g->vault_pool, 0, 2, 16,
                              apr_time_from_sec(300), vault_construct,
                              vault_destruct, g, pchild);
}

typedef struct vault_lease {
    apr_reslist_t *pool;
    ailes_db_t *db;
} vault_lease;

static apr_status_t vault_release(void *data)
{
    vault_lease *l = data;

    apr_reslist_release(l->pool, l->db);
    return APR_SUCCESS;
}

ailes_db_t *ailes_req_vault(request_rec *r)
{
    ailes_req_t *q = ailes_req(r);
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    vault_lease *l;
    void *res = NULL;
    apr_status_t rv;

    if (q->vault || q->vault_failed) {
        return q->vault;
    }
    q->vault_failed = 1;
    if (!g->vault_pool) {
        return NULL;
    }
    rv = apr_reslist_acquire(g->vault_pool, &res);
    if (APR_SUCCESS != rv) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, AILES_LOGNO(00103)
                      "vault database unavailable");
        return NULL;
    }
    rv = apr_dbd_check_conn(((ailes_db_t *)res)->driver, r->pool,
                            ((ailes_db_t *)res)->handle);
    if (APR_SUCCESS != rv && APR_ENOTIMPL != rv) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AILES_LOGNO(00104)
                      "vault database connection lost");
        apr_reslist_invalidate(g->vault_pool, res);
        return NULL;
    }
    l = apr_palloc(r->pool, sizeof(*l));
    l->pool = g->vault_pool;
    l->db = res;
    apr_pool_cleanup_register(r->pool, l, vault_release,
                              apr_pool_cleanup_null);
    q->vault_failed = 0;
    q->vault = res;
    return q->vault;
}

void ailes_audit(request_rec *r, apr_int64_t tenant_id, const char *actor,
                 const char *action, const char *target, const char *outcome)
{
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    ailes_db_t *db = ailes_req_db(r);
    ailes_audit_rec_t a;

    if (!db) {
        return;
    }
    a.tenant_id = tenant_id;
    a.at = apr_time_now();
    a.actor = actor ? actor : "-";
    a.action = action;
    a.target = target ? target : "-";
    a.client_ip = r->useragent_ip ? r->useragent_ip : "-";
    a.outcome = outcome;
    a.request_id = apr_table_get(r->subprocess_env, "UNIQUE_ID");
    if (APR_SUCCESS != ailes_store_audit_add(db, r->pool, &a)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AILES_LOGNO(00105)
                      "audit event %s could not be stored", action);
    }
    if (g->audit_file) {
        /* One write() of at most PIPE_BUF bytes: atomic on a pipe and in
         * O_APPEND files, so children never interleave lines. */
        const char *line = ailes_audit_line(r->pool, &a, ailes_req(r)->tenant);
        apr_size_t n = strlen(line);
        if (APR_SUCCESS != apr_file_write(g->audit_file, line, &n)) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AILES_LOGNO(00106)
                          "audit event %s could not be written to "
                          "AilesAuditLog", action);
        }
    }
}

int ailes_audit_open_logs(apr_pool_t *pconf, server_rec *s)
{
    ailes_global_t *g = ailes_srv_conf(s)->g;
    const char *path;
    apr_status_t rv;

    g->audit_file = NULL;
    if (!g->audit_log) {
        return OK;
    }
    if (g->audit_log[0] == '|') {
        piped_log *pl = ap_open_piped_log(pconf, g->audit_log + 1);
        if (!pl) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, AILES_LOGNO(00107)
                         "AilesAuditLog: cannot start %s", g->audit_log + 1);
            return !OK;
        }
        g->audit_file = ap_piped_log_write_fd(pl);
        return OK;
    }
    path = ap_server_root_relative(pconf, g->audit_log);
    rv = path ? apr_file_open(&g->audit_file, path,
                              APR_FOPEN_WRITE | APR_FOPEN_APPEND
                                  | APR_FOPEN_CREATE,
                              APR_FPROT_UREAD | APR_FPROT_UWRITE
                                  | APR_FPROT_GREAD, pconf)
              : APR_EBADPATH;
    if (APR_SUCCESS != rv) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, AILES_LOGNO(00108)
                     "AilesAuditLog: cannot open %s", g->audit_log);
        g->audit_file = NULL;
        return !OK;
    }
    return OK;
}

void ailes_request_register_hooks(apr_pool_t *p)
{
    ap_hook_post_read_request(route_tenant, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_optional_fn_retrieve(retrieve_optional_fns, NULL, NULL,
                                 APR_HOOK_MIDDLE);
}
