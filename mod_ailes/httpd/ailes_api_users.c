/* User administration by tenant admins: /v1/users/... (the first piece:
 * unlock; the rest comes with the user-administration issue). A user of
 * another tenant answers exactly like one that does not exist. */
#include <httpd.h>
#include <http_protocol.h>

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_parse.h"
#include "ailes_request.h"
#include "ailes_store.h"

static int not_found(request_rec *r)
{
    return ailes_api_error(r, HTTP_NOT_FOUND, "not_found", "no such user");
}

/* POST /v1/users/{employee_no}/unlock: clears failures and a lock. */
static int user_unlock(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    const char *employee_no = ctx->params[0];
    struct ailes_db *db = ailes_req_db(r);
    ailes_user_t *u;
    apr_status_t rv;

    if (ailes_parse_employee_no(r->pool, employee_no)) {
        return not_found(r);
    }
    if (!db) {
        return ailes_api_error(r, HTTP_SERVICE_UNAVAILABLE, "unavailable",
                               "the service is temporarily unavailable");
    }
    rv = ailes_store_user_by_no(db, r->pool, s->tenant_id, employee_no, &u);
    if (APR_NOTFOUND == rv) {
        return not_found(r);
    }
    if (APR_SUCCESS != rv
        || APR_SUCCESS != ailes_store_attempt_clear(db, r->pool, s->tenant_id,
                                                    employee_no)) {
        return ailes_api_error(r, HTTP_SERVICE_UNAVAILABLE, "unavailable",
                               "the service is temporarily unavailable");
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "account.unlocked", employee_no, "ok");
    return ailes_api_no_content(r);
}

const ailes_api_route_t ailes_api_users_routes[] = {
    { M_POST, "/v1/users/{employee_no}/unlock", AILES_API_SESSION,
      AILES_API_ROLE(AILES_ROLE_TENANT_ADMIN), user_unlock },
    { 0, NULL, 0, 0, NULL }
};
