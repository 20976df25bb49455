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
#include <http_ssl.h>
#include <mod_auth.h>

#include "ailes_auth.h"
#include "ailes_cache.h"
#include "ailes_config.h"
#include "ailes_db.h"
#include "ailes_ip.h"
#include "ailes_log.h"
#include "ailes_parse.h"
#include "ailes_request.h"
#include "ailes_role.h"
#include "ailes_session.h"
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
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    int idle = ailes_conf_session_idle(sc);
    ailes_req_t *q = ailes_req(r);
    const char *token, *hash;
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
    hash = ailes_token_hash(r->pool, token);
    now = ailes_time_sec(apr_time_now());

    /* The hot path: a cached session costs no database query. Entries
     * never outlive the next last_seen write, so no touch is due here. */
    s = ailes_cache_get(r, hash);
    if (s && !strcmp(s->id_hash, hash) && !strcmp(s->tenant_slug, q->tenant)
        && AILES_SESSION_VALID == ailes_session_state(s, now, idle)) {
        q->session = s;
        *out = s;
        return AILES_SESSION_OK;
    }

    if (!(db = ailes_req_db(r))) {
        return AILES_SESSION_UNAVAILABLE;
    }
    rv = ailes_store_session_get(db, r->pool, q->tenant, hash, &s);
    if (APR_NOTFOUND == rv) {
        return AILES_SESSION_NONE;
    }
    if (APR_SUCCESS != rv) {
        q->db_failed = 1;
        return AILES_SESSION_UNAVAILABLE;
    }
    switch (ailes_session_state(s, now, idle)) {
    case AILES_SESSION_EXPIRED:
        ailes_cache_remove(r, s->id_hash);
        (void)ailes_store_session_delete(db, r->pool, s->tenant_id,
                                         s->id_hash);
        return AILES_SESSION_NONE;
    case AILES_SESSION_VALID_TOUCH:
        if (APR_SUCCESS == ailes_store_session_touch(db, r->pool,
                                                     s->tenant_id, s->id_hash,
                                                     now)) {
            s->last_seen = now;
        }
        break;
    default:
        break;
    }
    ailes_cache_put(r, s, ailes_session_cache_ttl(s, now, idle));
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

/* Writes a new session row for (tenant, user) and sets its cookie. */
static apr_status_t session_create(request_rec *r, apr_int64_t tenant_id,
                                   const char *tenant_slug,
                                   apr_int64_t user_id,
                                   const char *employee_no, ailes_role_t role,
                                   const char *stage, const char *csrf,
                                   ailes_session_t **out)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    ailes_db_t *db = ailes_req_db(r);
    const char *token = ailes_token_new(r->pool);
    ailes_session_t *s = apr_pcalloc(r->pool, sizeof(*s));
    apr_int64_t now = ailes_time_sec(apr_time_now());
    apr_status_t rv;

    *out = NULL;
    if (!db) {
        return APR_EGENERAL;
    }
    s->id_hash = ailes_token_hash(r->pool, token);
    s->tenant_id = tenant_id;
    s->tenant_slug = tenant_slug;
    s->user_id = user_id;
    s->employee_no = employee_no;
    s->role = role;
    s->stage = stage;
    s->csrf_token = csrf ? csrf : ailes_token_new(r->pool);
    s->created_at = now;
    s->last_seen = now;
    s->expires_at = now + ailes_conf_session_max(sc);
    rv = ailes_store_session_add(db, r->pool, s);
    if (APR_SUCCESS == rv) {
        set_cookie(r, token, 0);
        *out = s;
    }
    return rv;
}

apr_status_t ailes_session_start(request_rec *r, const ailes_tenant_t *t,
                                 const ailes_user_t *u, const char *stage,
                                 const char **csrf)
{
    ailes_session_t *s;
    apr_status_t rv;

    *csrf = NULL;
    rv = session_create(r, t->id, t->slug, u->id, u->employee_no, u->role,
                        stage, NULL, &s);
    if (APR_SUCCESS == rv) {
        *csrf = s->csrf_token;
    }
    return rv;
}

apr_status_t ailes_session_rotate(request_rec *r, ailes_session_t *s,
                                  const char *stage)
{
    ailes_db_t *db = ailes_req_db(r);
    ailes_session_t *fresh;
    apr_status_t rv;

    if (!db) {
        return APR_EGENERAL;
    }
    rv = session_create(r, s->tenant_id, s->tenant_slug, s->user_id,
                        s->employee_no, s->role, stage, s->csrf_token,
                        &fresh);
    if (APR_SUCCESS != rv) {
        return rv;
    }
    ailes_cache_remove(r, s->id_hash);
    rv = ailes_store_session_delete(db, r->pool, s->tenant_id, s->id_hash);
    if (APR_SUCCESS == rv) {
        ailes_req(r)->session = fresh;
    }
    return rv;
}

apr_status_t ailes_session_end_all(request_rec *r, apr_int64_t tenant_id,
                                   apr_int64_t user_id, const char *keep)
{
    ailes_db_t *db = ailes_req_db(r);
    apr_array_header_t *hashes;
    apr_status_t rv;
    int i;

    if (!db) {
        return APR_EGENERAL;
    }
    rv = ailes_store_session_hashes(db, r->pool, tenant_id, user_id, keep,
                                    &hashes);
    if (APR_SUCCESS != rv) {
        return rv;
    }
    for (i = 0; i < hashes->nelts; i++) {
        ailes_cache_remove(r, APR_ARRAY_IDX(hashes, i, const char *));
    }
    return ailes_store_session_delete_user(db, r->pool, tenant_id, user_id,
                                           keep);
}

apr_status_t ailes_session_end(request_rec *r, ailes_session_t *s)
{
    ailes_db_t *db = ailes_req_db(r);
    apr_status_t rv;

    if (!db) {
        return APR_EGENERAL;
    }
    ailes_cache_remove(r, s->id_hash);
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

void ailes_security_headers(request_rec *r, int api)
{
    apr_table_t *h = r->err_headers_out;

    apr_table_setn(h, "X-Content-Type-Options", "nosniff");
    apr_table_setn(h, "X-Frame-Options", "DENY");
    apr_table_setn(h, "Referrer-Policy", "no-referrer");
    if (api) {
        apr_table_setn(h, "Cache-Control", "no-store");
        apr_table_setn(h, "Content-Security-Policy",
                       "default-src 'none'; frame-ancestors 'none'");
    }
    else {
        /* Pages: own scripts and styles only, never inline, never framed. */
        apr_table_setn(h, "Content-Security-Policy",
                       "default-src 'self'; frame-ancestors 'none'; "
                       "base-uri 'none'; form-action 'self'");
    }
    if (ap_ssl_conn_is_ssl(r->connection)) {
        apr_table_setn(h, "Strict-Transport-Security",
                       "max-age=31536000; includeSubDomains");
    }
}

/* --- AuthType ailes ------------------------------------------------------ */

static int check_user_id(request_rec *r)
{
    const char *type = ap_auth_type(r);
    ailes_session_t *s;

    if (!type || strcasecmp(type, "ailes")) {
        return DECLINED;
    }
    /* A protected page is private: headers on every answer, 401 included. */
    ailes_security_headers(r, 0);
    apr_table_setn(r->err_headers_out, "Cache-Control", "private, no-store");
    switch (ailes_session_resolve(r, &s)) {
    case AILES_SESSION_OK:
        if (strcmp(s->stage, "full")) {
            return HTTP_UNAUTHORIZED;   /* second factor or enrolment due */
        }
        switch (ailes_ip_check(r, s->role, s->ip_allow,
                               ailes_session_actor(r->pool, s))) {
        case AILES_IP_DENIED:
            return HTTP_FORBIDDEN;
        case AILES_IP_UNAVAILABLE:
            return HTTP_SERVICE_UNAVAILABLE;
        default:
            break;
        }
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
    if (AILES_SESSION_OK != ailes_session_resolve(r, &s) || !s
        || strcmp(s->stage, "full")) {
        return AUTHZ_DENIED;
    }
    return (*mask & (1UL << s->role)) ? AUTHZ_GRANTED : AUTHZ_DENIED;
}

static const authz_provider role_provider = {
    &role_check,
    &role_parse,
};

/* --- Require ailes-label LABEL... ---------------------------------------- */

/* The parsed form is the array of label names (UTF-8, as written). */
static const char *label_parse(cmd_parms *cmd, const char *line,
                               const void **parsed)
{
    apr_array_header_t *names = apr_array_make(cmd->pool, 4,
                                               sizeof(const char *));
    const char *w, *rest = line, *err;

    while (*(w = ap_getword_conf(cmd->pool, &rest))) {
        if ((err = ailes_parse_text(cmd->temp_pool, w, AILES_LABEL_MAX,
                                    "a label"))) {
            return apr_pstrcat(cmd->pool, "Require ailes-label: ", err, NULL);
        }
        APR_ARRAY_PUSH(names, const char *) = w;
    }
    if (!names->nelts) {
        return "Require ailes-label: name at least one label";
    }
    *parsed = names;
    return NULL;
}

/* Granted when the user carries one of the labels. Costs one query (the
 * labels are not in the session cache). */
static authz_status label_check(request_rec *r, const char *line,
                                const void *parsed)
{
    const apr_array_header_t *want = parsed;
    apr_array_header_t *have;
    ailes_session_t *s = NULL;
    ailes_db_t *db;
    int i, j;

    if (!r->user) {
        return AUTHZ_DENIED_NO_USER;
    }
    if (AILES_SESSION_OK != ailes_session_resolve(r, &s) || !s
        || strcmp(s->stage, "full") || !(db = ailes_req_db(r))
        || APR_SUCCESS != ailes_store_user_label_names(db, r->pool,
                                                       s->tenant_id,
                                                       s->user_id, &have)) {
        return AUTHZ_DENIED;
    }
    for (i = 0; i < have->nelts; i++) {
        for (j = 0; j < want->nelts; j++) {
            if (!strcmp(APR_ARRAY_IDX(have, i, const char *),
                        APR_ARRAY_IDX(want, j, const char *))) {
                return AUTHZ_GRANTED;
            }
        }
    }
    return AUTHZ_DENIED;
}

static const authz_provider label_provider = {
    &label_check,
    &label_parse,
};

void ailes_auth_register_hooks(apr_pool_t *p)
{
    ap_hook_check_authn(check_user_id, NULL, NULL, APR_HOOK_MIDDLE,
                        AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "ailes-role",
                              AUTHZ_PROVIDER_VERSION, &role_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "ailes-label",
                              AUTHZ_PROVIDER_VERSION, &label_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
}
