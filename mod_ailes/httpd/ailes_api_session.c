/* Login, logout, "who am I" and the own password: POST/DELETE /v1/session,
 * GET /v1/me, POST /v1/me/password.
 *
 * Login must not tell an attacker which employee numbers exist: an unknown
 * number is counted and locked like a real one, costs the same bcrypt work
 * (against a dummy hash) and gets the same bytes as a wrong password. An
 * attempt is counted before its password is checked, so concurrent guesses
 * never get more than AilesLockout checks.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_config.h"
#include "ailes_db.h"
#include "ailes_ip.h"
#include "ailes_json.h"
#include "ailes_log.h"
#include "ailes_login.h"
#include "ailes_parse.h"
#include "ailes_password.h"
#include "ailes_policy.h"
#include "ailes_request.h"
#include "ailes_store.h"
#include "ailes_time.h"
#include "ailes_vault.h"
#include "ailes_mailq.h"
#include "ailes_notify.h"

APLOG_USE_MODULE(ailes);

static const char *actor_of(apr_pool_t *p, const ailes_user_t *u)
{
    return apr_pstrcat(p, u->employee_no, "/", ailes_role_name(u->role),
                       NULL);
}

typedef enum {
    CHECK_OK = 0,
    CHECK_WRONG,        /* wrong password (or no such user): 401 */
    CHECK_LOCKED,       /* locked: 423 */
    CHECK_UNAVAILABLE   /* the database did not answer: 503 */
} check_result;

/* One password check under the lockout rules, for an existing user (u) or
 * not (u NULL). The counter is not cleared here: only a completed login
 * clears it (ailes_login.h). */
static check_result check_password(request_rec *r, ailes_db_t *db,
                                   apr_int64_t tenant_id,
                                   const char *employee_no,
                                   const ailes_user_t *u,
                                   const char *password)
{
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    int failures;

    switch (ailes_login_attempt(r, db, tenant_id, employee_no, &failures)) {
    case AILES_ATTEMPT_LOCKED:
        return CHECK_LOCKED;
    case AILES_ATTEMPT_UNAVAILABLE:
        return CHECK_UNAVAILABLE;
    default:
        break;
    }
    if (ailes_password_verify(password, u ? u->password_hash : NULL,
                              g->dummy_hash)
        && u && !strcmp(u->status, "active")) {
        return CHECK_OK;
    }
    if (APR_SUCCESS != ailes_login_failed(r, db, tenant_id, employee_no,
                                          failures, "login.fail")) {
        return CHECK_UNAVAILABLE;
    }
    return CHECK_WRONG;
}

/* A hash made at a lower cost than configured is replaced by one at the
 * configured cost while the password is at hand. Failure is harmless. */
static void maybe_rehash(request_rec *r, ailes_db_t *db, const ailes_user_t *u,
                         const char *password)
{
    int cost = ailes_conf_bcrypt_cost(ailes_srv_conf(r->server)->g);
    const char *hash;

    if (ailes_password_cost(u->password_hash) >= cost) {
        return;
    }
    if (APR_SUCCESS == ailes_password_hash(r->pool, password, cost, &hash)
        && APR_SUCCESS == ailes_store_user_set_password(db, r->pool,
                                                        u->tenant_id, u->id,
                                                        hash)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, AILES_LOGNO(00202)
                      "password hash of %s rehashed at cost %d",
                      u->employee_no, cost);
    }
}

static int session_post(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    json_t *body = ailes_api_read_json(r);
    const char *employee_no, *password, *csrf;
    const char *stage = "full", *mfa = "none";
    ailes_tenant_t *t;
    int rc;
    ailes_user_t *u = NULL;
    ailes_db_t *db;
    apr_status_t rv;

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
        return ailes_api_unavailable(r);
    }
    if (!(t = ailes_api_tenant(r, db))) {
        return OK;
    }
    /* A malformed employee number can belong to nobody: it costs a dummy
     * bcrypt and answers like a wrong password, without a counter row. */
    if (ailes_parse_employee_no(r->pool, employee_no)) {
        (void)ailes_password_verify(password, NULL, g->dummy_hash);
        return ailes_api_error(r, HTTP_UNAUTHORIZED, "invalid_credentials",
                               "employee number or password is wrong");
    }
    rv = ailes_store_user_by_no(db, r->pool, t->id, employee_no, &u);
    if (APR_SUCCESS != rv && APR_NOTFOUND != rv) {
        return ailes_api_unavailable(r);
    }
    switch (check_password(r, db, t->id, employee_no, u, password)) {
    case CHECK_OK:
        break;
    case CHECK_LOCKED:
        return ailes_api_locked(r);
    case CHECK_UNAVAILABLE:
        return ailes_api_unavailable(r);
    default:
        return ailes_api_error(r, HTTP_UNAUTHORIZED, "invalid_credentials",
                               "employee number or password is wrong");
    }
    maybe_rehash(r, db, u, password);
    /* The right password from a place the lists exclude opens nothing; it
     * was no guess, so the failure count goes. */
    rc = ailes_api_ip_refusal(r, ailes_ip_check(r, u->role, u->ip_allow,
                                                actor_of(r->pool, u)));
    if (rc != DECLINED) {
        (void)ailes_login_succeeded(r, db, t->id, employee_no);
        return rc;
    }
    /* With TOTP on, the password alone opens a session that can do nothing
     * but give the code; the failure count runs on until then. A role
     * that must have TOTP and has none may only enrol. */
    if (u->totp_secret) {
        stage = "mfa";
        mfa = "required";
    }
    else if (ailes_conf_totp_required(ailes_srv_conf(r->server), u->role)) {
        stage = "enroll";
        mfa = "enroll";
    }
    if (strcmp(stage, "mfa")
        && APR_SUCCESS != ailes_login_succeeded(r, db, t->id, employee_no)) {
        return ailes_api_unavailable(r);
    }
    if (APR_SUCCESS != ailes_session_start(r, t, u, stage, &csrf)) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, t->id, actor_of(r->pool, u),
                strcmp(stage, "mfa") ? "login.ok" : "login.password_ok",
                u->employee_no, "ok");
    return ailes_api_json(r, HTTP_OK,
                          ailes_json_pool(r->pool,
                                          json_pack("{s:s,s:s}", "mfa", mfa,
                                                    "csrf_token", csrf)));
}

static int session_delete(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;

    if (APR_SUCCESS != ailes_session_end(r, s)) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s), "logout",
                s->employee_no, "ok");
    return ailes_api_no_content(r);
}

static int me_get(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    ailes_session_t *s = ctx->session;
    ailes_db_t *db, *vault;
    const char *name = NULL;
    apr_array_header_t *labels;
    ailes_user_t *u;
    json_t *body, *jl;
    int i;

    if (!(u = ailes_api_session_user(r, s, &db))) {
        return OK;
    }
    if (APR_SUCCESS != ailes_store_user_label_names(db, r->pool, s->tenant_id,
                                                    s->user_id, &labels)) {
        return ailes_api_unavailable(r);
    }
    vault = ailes_req_vault(r);

    /* The vault is read only to show the name; when it is down the page
     * still works and says the name is unavailable (null). */
    if (vault && g->vault_key) {
        (void)ailes_vault_get(vault, r->pool, g->vault_key, s->tenant_id,
                              s->user_id, "name", &name);
    }
    jl = json_array();
    for (i = 0; i < labels->nelts; i++) {
        json_array_append_new(jl, json_string(APR_ARRAY_IDX(labels, i,
                                                            const char *)));
    }
    body = json_pack("{s:s,s:s,s:s,s:s?,s:o,s:b,s:s,s:s}", "employee_no",
                     s->employee_no, "role", ailes_role_name(s->role),
                     "tenant", s->tenant_slug, "name", name, "labels", jl,
                     "mfa_enabled", u->totp_secret != NULL, "session",
                     s->stage, "csrf_token", s->csrf_token);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

/* 422 password_policy with every broken rule in details. */
int ailes_api_policy_error(request_rec *r, const apr_array_header_t *v)
{
    json_t *details = json_array(), *body;
    int i;

    for (i = 0; i < v->nelts; i++) {
        const ailes_policy_violation_t *x =
            &APR_ARRAY_IDX(v, i, ailes_policy_violation_t);
        json_array_append_new(details, json_pack("{s:s,s:s}", "rule", x->rule,
                                                 "message", x->message));
    }
    body = json_pack("{s:{s:s,s:s,s:o}}", "error", "code", "password_policy",
                     "message", "the new password does not meet the policy",
                     "details", details);
    return ailes_api_json(r, HTTP_UNPROCESSABLE_ENTITY,
                          ailes_json_pool(r->pool, body));
}

static int me_password_post(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    json_t *body = ailes_api_read_json(r);
    const char *current, *fresh, *hash;
    apr_array_header_t *violations;
    ailes_user_t *u;
    ailes_db_t *db;
    int cost = ailes_conf_bcrypt_cost(ailes_srv_conf(r->server)->g);

    if (!body) {
        return OK;
    }
    current = ailes_json_string(body, "current_password");
    fresh = ailes_json_string(body, "new_password");
    if (!current || !fresh) {
        return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                               "current_password and new_password are "
                               "required strings");
    }
    if (!(u = ailes_api_session_user(r, s, &db))) {
        return OK;
    }
    /* The current password is checked under the same lockout as a login:
     * a stolen session must not become an unlimited guessing oracle. */
    switch (check_password(r, db, s->tenant_id, s->employee_no, u, current)) {
    case CHECK_OK:
        if (APR_SUCCESS != ailes_login_succeeded(r, db, s->tenant_id,
                                                 s->employee_no)) {
            return ailes_api_unavailable(r);
        }
        break;
    case CHECK_LOCKED:
        return ailes_api_locked(r);
    case CHECK_UNAVAILABLE:
        return ailes_api_unavailable(r);
    default:
        return ailes_api_error(r, HTTP_FORBIDDEN, "invalid_credentials",
                               "the current password is wrong");
    }
    violations = ailes_policy_check(r->pool, fresh, u->role, u->employee_no);
    if (violations) {
        return ailes_api_policy_error(r, violations);
    }
    if (APR_SUCCESS != ailes_password_hash(r->pool, fresh, cost, &hash)
        || APR_SUCCESS != ailes_store_user_set_password(db, r->pool,
                                                        s->tenant_id,
                                                        s->user_id, hash)
        || APR_SUCCESS != ailes_session_end_all(r, s->tenant_id, s->user_id,
                                                s->id_hash)
        || APR_SUCCESS != ailes_session_rotate(r, s, "full")) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "password.changed", s->employee_no, "ok");
    ailes_mailq_user(r, db, s->tenant_id, s->user_id, s->employee_no,
                     AILES_NOTIFY_PASSWORD);
    return ailes_api_no_content(r);
}

const ailes_api_route_t ailes_api_session_routes[] = {
    { M_POST, "/v1/session", AILES_API_TENANT, AILES_API_ANY_ROLE,
      session_post },
    { M_DELETE, "/v1/session", AILES_API_ANY_STAGE, AILES_API_ANY_ROLE,
      session_delete },
    { M_GET, "/v1/me", AILES_API_ANY_STAGE, AILES_API_ANY_ROLE, me_get },
    { M_POST, "/v1/me/password", AILES_API_SESSION, AILES_API_ANY_ROLE,
      me_password_post },
    { 0, NULL, 0, 0, NULL }
};
