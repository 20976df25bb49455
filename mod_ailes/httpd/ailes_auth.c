/* Sessions, AuthType ailes and the ailes-role authz provider; see
 * ailes_auth.h. Session ids travel only in the cookie; the database and the
 * logs see their SHA-256 hash. */
#include <httpd.h>
#include <string.h>
#include <strings.h>

#include <apr_strings.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_auth.h>

#include "ailes_auth.h"
#include "ailes_config.h"
#include "ailes_db.h"
#include "ailes_log.h"
#include "ailes_parse.h"
#include "ailes_request.h"
#include "ailes_role.h"
#include "ailes_store.h"
#include "ailes_time.h"
#include "ailes_token.h"

APLOG_USE_MODULE(ailes);

static const char *session_token(request_rec *r)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    const char *v = ailes_parse_cookie(r->pool,
                                       apr_table_get(r->headers_in, "Cookie"),
                                       ailes_conf_cookie_name(sc));

    return ailes_token_wellformed(v) ? v : NULL;
}

ailes_session_status_t ailes_session_resolve(request_rec *r,
                                             ailes_session_t **out)
{
    ailes_req_t *q = ailes_req(r);
    const char *token;
    ailes_session_t *s = NULL;
    ailes_db_t *db;
    apr_int64_t now;
    apr_status_t rv;

    *out = NULL;
    if (q->session_resolved) {
        *out = q->session;
        return q->session ? AILES_SESSION_OK
                          : (q->db_failed ? AILES_SESSION_UNAVAILABLE
                                          : AILES_SESSION_NONE);
    }
    q->session_resolved = 1;
    token = session_token(r);
    if (!token || !q->tenant) {
        return AILES_SESSION_NONE;
    }
    if (!(db = ailes_req_db(r))) {
        return AILES_SESSION_UNAVAILABLE;
    }
    rv = ailes_store_session_get(db, r->pool, q->tenant,
                                 ailes_token_hash(r->pool, token), &s);
    if (APR_NOTFOUND == rv) {
        return AILES_SESSION_NONE;
    }
    if (APR_SUCCESS != rv) {
        q->db_failed = 1;
        return AILES_SESSION_UNAVAILABLE;
    }
    now = ailes_time_sec(apr_time_now());
    if (now >= s->expires_at || now - s->last_seen >= AILES_SESSION_IDLE_SEC) {
        (void)ailes_store_session_delete(db, r->pool, s->tenant_id,
                                         s->id_hash);
        return AILES_SESSION_NONE;
    }
    /* last_seen is written at most once a minute per session. */
    if (now - s->last_seen >= AILES_SESSION_TOUCH_SEC) {
        (void)ailes_store_session_touch(db, r->pool, s->tenant_id, s->id_hash,
                                        now);
    }
    q->session = s;
    *out = s;
    return AILES_SESSION_OK;
}

static void set_cookie(request_rec *r, const char *value, int expire)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);

    /* value is our own base64url token or empty: nothing from the request
     * reaches this header. */
    apr_table_add(r->err_headers_out, "Set-Cookie",
                  apr_pstrcat(r->pool, ailes_conf_cookie_name(sc), "=", value,
                              "; Path=/; HttpOnly; SameSite=Strict",
                              ailes_conf_cookie_secure(sc) ? "; Secure" : "",
                              expire ? "; Max-Age=0" : "", NULL));
}

apr_status_t ailes_session_start(request_rec *r, const ailes_tenant_t *t,
                                 const ailes_user_t *u, const char **csrf)
{
    ailes_db_t *db = ailes_req_db(r);
    const char *token = ailes_token_new(r->pool);
    ailes_session_t s;
    apr_int64_t now = ailes_time_sec(apr_time_now());
    apr_status_t rv;

    *csrf = NULL;
    if (!db) {
        return APR_EGENERAL;
    }
    memset(&s, 0, sizeof(s));
    s.id_hash = ailes_token_hash(r->pool, token);
    s.tenant_id = t->id;
    s.user_id = u->id;
    s.csrf_token = ailes_token_new(r->pool);
    s.created_at = now;
    s.last_seen = now;
    s.expires_at = now + AILES_SESSION_MAX_SEC;
    rv = ailes_store_session_add(db, r->pool, &s);
    if (APR_SUCCESS == rv) {
        set_cookie(r, token, 0);
        *csrf = s.csrf_token;
    }
    return rv;
}

apr_status_t ailes_session_end(request_rec *r, ailes_session_t *s)
{
    ailes_db_t *db = ailes_req_db(r);
    apr_status_t rv;

    if (!db) {
        return APR_EGENERAL;
    }
    rv = ailes_store_session_delete(db, r->pool, s->tenant_id, s->id_hash);
    if (APR_SUCCESS == rv) {
        set_cookie(r, "", 1);
        ailes_req(r)->session = NULL;
    }
    return rv;
}

const char *ailes_session_actor(apr_pool_t *p, const ailes_session_t *s)
{
    return apr_pstrcat(p, s->employee_no, "/", ailes_role_name(s->role),
                       NULL);
}

/* --- AuthType ailes ------------------------------------------------------ */

static int check_user_id(request_rec *r)
{
    const char *type = ap_auth_type(r);
    ailes_session_t *s;

    if (!type || strcasecmp(type, "ailes")) {
        return DECLINED;
    }
    switch (ailes_session_resolve(r, &s)) {
    case AILES_SESSION_OK:
        r->user = apr_pstrdup(r->pool, s->employee_no);
        r->ap_auth_type = "ailes";
        return OK;
    case AILES_SESSION_UNAVAILABLE:
        return HTTP_SERVICE_UNAVAILABLE;
    default:
        return HTTP_UNAUTHORIZED;
    }
}

/* --- Require ailes-role ROLE... ----------------------------------------- */

/* The parsed form of a require line is a bit set of roles. */
static const char *role_parse(cmd_parms *cmd, const char *line,
                              const void **parsed)
{
    const char *w, *rest = line;
    unsigned long *mask = apr_pcalloc(cmd->pool, sizeof(*mask));

    while (*(w = ap_getword_conf(cmd->temp_pool, &rest))) {
        ailes_role_t role = ailes_role_parse(w);
        if (AILES_ROLE_NONE == role) {
            return apr_psprintf(cmd->pool, "Require ailes-role: unknown role "
                                "'%s' (one of %s)", w, ailes_role_list());
        }
        *mask |= 1UL << role;
    }
    if (!*mask) {
        return "Require ailes-role: name at least one role";
    }
    *parsed = mask;
    return NULL;
}

static authz_status role_check(request_rec *r, const char *line,
                               const void *parsed)
{
    const unsigned long *mask = parsed;
    ailes_session_t *s = NULL;

    if (!r->user) {
        return AUTHZ_DENIED_NO_USER;
    }
    if (AILES_SESSION_OK != ailes_session_resolve(r, &s) || !s) {
        return AUTHZ_DENIED;
    }
    return (*mask & (1UL << s->role)) ? AUTHZ_GRANTED : AUTHZ_DENIED;
}

static const authz_provider role_provider = {
    &role_check,
    &role_parse,
};

void ailes_auth_register_hooks(apr_pool_t *p)
{
    ap_hook_check_authn(check_user_id, NULL, NULL, APR_HOOK_MIDDLE,
                        AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "ailes-role",
                              AUTHZ_PROVIDER_VERSION, &role_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
}
