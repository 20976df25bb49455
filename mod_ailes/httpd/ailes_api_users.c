/* User administration by tenant admins: /v1/users/... (list, read,
 * unlock so far; the rest comes with the user-administration issue). A
 * user of another tenant answers exactly like one that does not exist.
 * Every query carries the admin's own tenant id from the session. */
#include <httpd.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <util_script.h>

#include "ailes_json.h"
#include "ailes_time.h"

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_parse.h"
#include "ailes_request.h"
#include "ailes_store.h"

static int not_found(request_rec *r)
{
    return ailes_api_error(r, HTTP_NOT_FOUND, "not_found", "no such user");
}

/* The user the path names, in the admin's own tenant (another tenant's
 * user is not found, exactly like a missing one); NULL after a 404 or 503
 * has been written. */
static ailes_user_t *target_user(request_rec *r, ailes_api_ctx_t *ctx,
                                 struct ailes_db **db)
{
    const char *employee_no = ctx->params[0];
    ailes_user_t *u = NULL;
    apr_status_t rv;

    if (ailes_parse_employee_no(r->pool, employee_no)) {
        not_found(r);
        return NULL;
    }
    if (!(*db = ailes_req_db(r))) {
        ailes_api_unavailable(r);
        return NULL;
    }
    rv = ailes_store_user_get_admin(*db, r->pool, ctx->session->tenant_id,
                                    employee_no, &u);
    if (APR_SUCCESS != rv) {
        APR_NOTFOUND == rv ? not_found(r) : ailes_api_unavailable(r);
        return NULL;
    }
    return u;
}

static json_t *user_json(const ailes_user_t *u, apr_int64_t now)
{
    return json_pack("{s:s,s:s,s:s,s:b,s:i}", "employee_no", u->employee_no,
                     "role", ailes_role_name(u->role), "status", u->status,
                     "locked", u->locked_until > now, "failed_logins",
                     u->failed_logins);
}

/* GET /v1/users?q=&page=&per_page= */
static int users_list(request_rec *r, ailes_api_ctx_t *ctx)
{
    apr_table_t *args = NULL;
    const char *q, *v, *err = NULL;
    long page = 1, per_page = 50;
    apr_array_header_t *users;
    apr_int64_t total, now = ailes_time_sec(apr_time_now());
    struct ailes_db *db;
    json_t *list, *body;
    int i;

    ap_args_to_table(r, &args);
    q = apr_table_get(args, "q");
    if ((v = apr_table_get(args, "page"))) {
        err = ailes_parse_int(r->pool, v, 1, 1000000, &page);
    }
    if (!err && (v = apr_table_get(args, "per_page"))) {
        err = ailes_parse_int(r->pool, v, 1, 200, &per_page);
    }
    if (!err && q && *q) {
        err = ailes_parse_employee_no(r->pool, q) ? "q must be the start of "
                                                    "an employee number"
                                                  : NULL;
    }
    if (err) {
        return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                               "page is 1 or more, per_page 1 to 200, q the "
                               "start of an employee number");
    }
    if (!(db = ailes_req_db(r))
        || APR_SUCCESS != ailes_store_user_list(db, r->pool,
                                                ctx->session->tenant_id, q,
                                                (int)page, (int)per_page,
                                                &users, &total)) {
        return ailes_api_unavailable(r);
    }
    list = json_array();
    for (i = 0; i < users->nelts; i++) {
        json_array_append_new(list, user_json(APR_ARRAY_IDX(users, i,
                                                            ailes_user_t *),
                                              now));
    }
    body = json_pack("{s:o,s:i,s:i,s:I}", "users", list, "page", (int)page,
                     "per_page", (int)per_page, "total", (json_int_t)total);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

/* GET /v1/users/{employee_no} */
static int user_get(request_rec *r, ailes_api_ctx_t *ctx)
{
    struct ailes_db *db;
    ailes_user_t *u = target_user(r, ctx, &db);

    if (!u) {
        return OK;
    }
    return ailes_api_json(r, HTTP_OK,
                          ailes_json_pool(r->pool,
                                          user_json(u, ailes_time_sec(
                                                           apr_time_now()))));
}

/* POST /v1/users/{employee_no}/unlock: clears failures and a lock. */
static int user_unlock(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    struct ailes_db *db;
    ailes_user_t *u = target_user(r, ctx, &db);

    if (!u) {
        return OK;
    }
    if (APR_SUCCESS != ailes_store_attempt_clear(db, r->pool, s->tenant_id,
                                                 u->employee_no)) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "account.unlocked", u->employee_no, "ok");
    return ailes_api_no_content(r);
}

/* POST /v1/users/{employee_no}/reset-totp: TOTP off, recovery codes gone,
 * every session of the user ended (they enrol again at the next login). */
static int user_reset_totp(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    struct ailes_db *db;
    ailes_user_t *u = target_user(r, ctx, &db);

    if (!u) {
        return OK;
    }
    if (APR_SUCCESS != ailes_store_totp_reset(db, r->pool, s->tenant_id,
                                              u->id)
        || APR_SUCCESS != ailes_session_end_all(r, s->tenant_id, u->id,
                                                NULL)) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "totp.reset", u->employee_no, "ok");
    return ailes_api_no_content(r);
}

#define ADMIN AILES_API_ROLE(AILES_ROLE_TENANT_ADMIN)

const ailes_api_route_t ailes_api_users_routes[] = {
    { M_GET, "/v1/users", AILES_API_SESSION, ADMIN, users_list },
    { M_GET, "/v1/users/{employee_no}", AILES_API_SESSION, ADMIN, user_get },
    { M_POST, "/v1/users/{employee_no}/unlock", AILES_API_SESSION, ADMIN,
      user_unlock },
    { M_POST, "/v1/users/{employee_no}/reset-totp", AILES_API_SESSION, ADMIN,
      user_reset_totp },
    { 0, NULL, 0, 0, NULL }
};
