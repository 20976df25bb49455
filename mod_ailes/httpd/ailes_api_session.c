/* Login, logout and "who am I": POST/DELETE /v1/session, GET /v1/me.
 *
 * Login must not tell an attacker which employee numbers exist: an unknown
 * number costs the same bcrypt work (against a dummy hash) and gets the
 * same bytes as a wrong password.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_config.h"
#include "ailes_db.h"
#include "ailes_json.h"
#include "ailes_log.h"
#include "ailes_parse.h"
#include "ailes_password.h"
#include "ailes_request.h"
#include "ailes_store.h"
#include "ailes_vault.h"

APLOG_USE_MODULE(ailes);

static int unavailable(request_rec *r)
{
    return ailes_api_error(r, HTTP_SERVICE_UNAVAILABLE, "unavailable",
                           "the service is temporarily unavailable");
}

static int session_post(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    ailes_req_t *q = ailes_req(r);
    json_t *body = ailes_api_read_json(r);
    const char *employee_no, *password, *csrf;
    ailes_tenant_t *t;
    ailes_user_t *u = NULL;
    ailes_db_t *db;
    apr_status_t rv;
    int ok;

    if (!body) {
        return OK;
    }
    employee_no = ailes_json_string(body, "employee_no");
    password = ailes_json_string(body, "password");
    if (!employee_no || !password) {
        return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                               "employee_no and password are required "
                               "strings");
    }
    if (!(db = ailes_req_db(r))) {
        return unavailable(r);
    }
    rv = ailes_store_tenant_by_slug(db, r->pool, q->tenant, &t);
    if (APR_NOTFOUND == rv) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AILES_LOGNO(00201)
                      "AilesTenant %s is not in the database: run "
                      "'ailesctl tenant add %s NAME'", q->tenant, q->tenant);
        return unavailable(r);
    }
    if (APR_SUCCESS != rv) {
        return unavailable(r);
    }
    /* A malformed employee number is looked up like any other: it simply
     * does not exist, and answers like a wrong password. */
    if (!ailes_parse_employee_no(r->pool, employee_no)) {
        rv = ailes_store_user_by_no(db, r->pool, t->id, employee_no, &u);
        if (APR_SUCCESS != rv && APR_NOTFOUND != rv) {
            return unavailable(r);
        }
    }
    ok = ailes_password_verify(password, u ? u->password_hash : NULL,
                               g->dummy_hash);
    if (ok && strcmp(u->status, "active")) {
        ok = 0;
    }
    if (!ok) {
        ailes_audit(r, t->id, "-", "login.fail",
                    u ? u->employee_no : "-", "denied");
        return ailes_api_error(r, HTTP_UNAUTHORIZED, "invalid_credentials",
                               "employee number or password is wrong");
    }
    if (APR_SUCCESS != ailes_session_start(r, t, u, &csrf)) {
        return unavailable(r);
    }
    ailes_audit(r, t->id, apr_pstrcat(r->pool, u->employee_no, "/",
                                      ailes_role_name(u->role), NULL),
                "login.ok", u->employee_no, "ok");
    return ailes_api_json(r, HTTP_OK,
                          ailes_json_pool(r->pool,
                                          json_pack("{s:s,s:s}", "mfa",
                                                    "none", "csrf_token",
                                                    csrf)));
}

static int session_delete(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;

    if (APR_SUCCESS != ailes_session_end(r, s)) {
        return unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s), "logout",
                s->employee_no, "ok");
    return ailes_api_no_content(r);
}

static int me_get(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    ailes_session_t *s = ctx->session;
    ailes_db_t *vault = ailes_req_vault(r);
    const char *name = NULL;
    json_t *body;

    /* The vault is read only to show the name; when it is down the page
     * still works and says the name is unavailable (null). */
    if (vault && g->vault_key) {
        (void)ailes_vault_get(vault, r->pool, g->vault_key, s->tenant_id,
                              s->user_id, "name", &name);
    }
    body = json_pack("{s:s,s:s,s:s,s:s?,s:[],s:b,s:s}", "employee_no",
                     s->employee_no, "role", ailes_role_name(s->role),
                     "tenant", s->tenant_slug, "name", name, "labels",
                     "mfa_enabled", 0, "csrf_token", s->csrf_token);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

const ailes_api_route_t ailes_api_session_routes[] = {
    { M_POST, "/v1/session", AILES_API_TENANT, session_post },
    { M_DELETE, "/v1/session", AILES_API_SESSION, session_delete },
    { M_GET, "/v1/me", AILES_API_SESSION, me_get },
    { 0, NULL, 0, NULL }
};
