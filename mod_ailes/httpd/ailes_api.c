/* JSON API dispatch and shared response helpers; see ailes_api.h. */
#include <httpd.h>
#include <string.h>
#include <strings.h>

#include <apr_strings.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_script.h>

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_config.h"
#include "ailes_ip.h"
#include "ailes_login.h"
#include "ailes_db.h"
#include "ailes_json.h"
#include "ailes_log.h"
#include "ailes_request.h"
#include "ailes_store.h"
#include "ailes_time.h"
#include "ailes_token.h"
#include "ailes_userimport.h"

APLOG_USE_MODULE(ailes);

static const ailes_api_route_t *const route_tables[] = {
    ailes_api_health_routes,
    ailes_api_session_routes,
    ailes_api_users_routes,
    ailes_api_totp_routes,
    ailes_api_tenant_routes,
    ailes_api_import_routes,
    ailes_api_people_routes,
    ailes_api_audit_routes,
    ailes_api_stress_routes,
    ailes_api_checkup_routes,
    ailes_api_lifelog_routes,
    ailes_api_notices_routes,
    NULL
};

int ailes_api_json(request_rec *r, int status, json_t *body)
{
    const char *s = ailes_json_dump(r->pool, body);

    r->status = status;
    ap_set_content_type(r, "application/json; charset=utf-8");
    ap_set_content_length(r, (apr_off_t)strlen(s) + 1);
    ap_rputs(s, r);
    ap_rputc('\n', r);
    return OK;
}

int ailes_api_error(request_rec *r, int status, const char *code,
                    const char *message)
{
    json_t *body = ailes_json_pool(r->pool,
                                   json_pack("{s:{s:s,s:s}}", "error", "code",
                                             code, "message", message));

    return ailes_api_json(r, status, body);
}

int ailes_api_unavailable(request_rec *r)
{
    return ailes_api_error(r, HTTP_SERVICE_UNAVAILABLE, "unavailable",
                           "the service is temporarily unavailable");
}

ailes_user_t *ailes_api_session_user(request_rec *r, const ailes_session_t *s,
                                     ailes_db_t **db)
{
    ailes_user_t *u = NULL;

    if (!(*db = ailes_req_db(r))
        || APR_SUCCESS != ailes_store_user_by_no(*db, r->pool, s->tenant_id,
                                                 s->employee_no, &u)) {
        ailes_api_unavailable(r);
        return NULL;
    }
    return u;
}

int ailes_api_locked(request_rec *r)
{
    return ailes_api_error(r, HTTP_LOCKED, "locked",
                           "too many failed attempts: login is locked");
}

int ailes_api_login_attempt(request_rec *r, ailes_db_t *db,
                            apr_int64_t tenant_id, const char *employee_no,
                            int *failures)
{
    switch (ailes_login_attempt(r, db, tenant_id, employee_no, failures)) {
    case AILES_ATTEMPT_GO:
        return 0;
    case AILES_ATTEMPT_LOCKED:
        ailes_api_locked(r);
        return -1;
    default:
        ailes_api_unavailable(r);
        return -1;
    }
}

ailes_tenant_t *ailes_api_tenant(request_rec *r, ailes_db_t *db)
{
    ailes_req_t *q = ailes_req(r);
    ailes_tenant_t *t = NULL;
    apr_status_t rv = ailes_store_tenant_by_slug(db, r->pool, q->tenant, &t);

    if (APR_SUCCESS == rv && t->terminated_on
        && strcmp(apr_pstrmemdup(r->pool, ailes_time_jst(r->pool,
                                                         apr_time_now()),
                                 10),
                  t->terminated_on) > 0) {
        ailes_api_error(r, HTTP_FORBIDDEN, "tenant_terminated",
                        "this service contract has ended");
        return NULL;
    }
    if (APR_SUCCESS == rv) {
        return t;
    }
    if (APR_NOTFOUND == rv && q->tenant_from_path) {
        ailes_api_error(r, HTTP_NOT_FOUND, "unknown_tenant", "no such tenant");
        return NULL;
    }
    if (APR_NOTFOUND == rv) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AILES_LOGNO(00201)
                      "AilesTenant %s is not in the database: run "
                      "'ailesctl tenant add %s NAME'", q->tenant, q->tenant);
    }
    ailes_api_unavailable(r);
    return NULL;
}

int ailes_api_import_invalid(request_rec *r,
                             const apr_array_header_t *errors)
{
    json_t *details = json_array(), *body;
    int i;

    for (i = 0; i < errors->nelts; i++) {
        const ailes_import_error_t *e =
            &APR_ARRAY_IDX(errors, i, ailes_import_error_t);
        json_array_append_new(details,
                              json_pack("{s:i,s:s?,s:s}", "line", e->line,
                                        "column", e->column, "message",
                                        e->message));
    }
    body = json_pack("{s:{s:s,s:s,s:o}}", "error", "code", "import_invalid",
                     "message", "nothing was imported; fix the lines below",
                     "details", details);
    return ailes_api_json(r, HTTP_UNPROCESSABLE_ENTITY,
                          ailes_json_pool(r->pool, body));
}

apr_table_t *ailes_api_args(request_rec *r)
{
    apr_table_t *args = NULL;
    char *saved = r->args, *c;

    /* ap_args_to_table unescapes %XX but leaves '+', which forms and
     * URLSearchParams send for a space. */
    if (saved && strchr(saved, '+')) {
        r->args = apr_pstrdup(r->pool, saved);
        for (c = r->args; *c; c++) {
            if (*c == '+') {
                *c = ' ';
            }
        }
    }
    ap_args_to_table(r, &args);
    r->args = saved;
    return args;
}

const char *ailes_api_arg(request_rec *r, const char *name)
{
    return apr_table_get(ailes_api_args(r), name);
}

int ailes_api_no_content(request_rec *r)
{
    r->status = HTTP_NO_CONTENT;
    return OK;
}

int ailes_api_read_body_with(request_rec *r, const char *type,
                             apr_size_t max, ailes_api_body_fn fn,
                             void *baton)
{
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    size_t tlen = strlen(type);
    apr_size_t total = 0;
    char *piece;
    long got;

    if (!ct || strncasecmp(ct, type, tlen)
        || !(ct[tlen] == '\0' || ct[tlen] == ';' || ct[tlen] == ' ')) {
        ailes_api_error(r, HTTP_UNSUPPORTED_MEDIA_TYPE,
                        "unsupported_media_type",
                        apr_pstrcat(r->pool, "the body must be ", type,
                                    NULL));
        return -1;
    }
    if (OK != ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK)) {
        ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                        "the request body cannot be read");
        return -1;
    }
    if (r->remaining > (apr_off_t)max) {
        ailes_api_error(r, HTTP_REQUEST_ENTITY_TOO_LARGE, "too_large",
                        "the request body is too large");
        return -1;
    }
    if (!ap_should_client_block(r)) {
        return 0;
    }
    piece = apr_palloc(r->pool, AILES_API_BODY_PIECE);
    while ((got = ap_get_client_block(r, piece, AILES_API_BODY_PIECE)) > 0) {
        total += (apr_size_t)got;
        if (total > max) {
            ailes_api_error(r, HTTP_REQUEST_ENTITY_TOO_LARGE, "too_large",
                            "the request body is too large");
            return -1;
        }
        if (APR_SUCCESS != fn(baton, piece, (apr_size_t)got)) {
            ailes_api_unavailable(r);
            return -1;
        }
    }
    if (got < 0) {
        ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                        "the request body cannot be read");
        return -1;
    }
    return 0;
}

typedef struct {
    apr_pool_t *p;
    char *buf;
    apr_size_t len, cap;
} body_buf;

static apr_status_t body_append(void *baton, const char *piece,
                                apr_size_t len)
{
    body_buf *b = baton;

    if (b->len + len > b->cap) {
        apr_size_t cap = b->cap * 2 > b->len + len ? b->cap * 2
                                                   : b->len + len;
        char *bigger = apr_palloc(b->p, cap + 1);

        memcpy(bigger, b->buf, b->len);
        b->buf = bigger;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, piece, len);
    b->len += len;
    return APR_SUCCESS;
}

int ailes_api_read_body(request_rec *r, const char *type,
                        apr_size_t max, char **buf, apr_size_t *len)
{
    body_buf b;

    b.p = r->pool;
    b.cap = 4096;
    b.len = 0;
    b.buf = apr_palloc(r->pool, b.cap + 1);
    *buf = NULL;
    *len = 0;
    if (ailes_api_read_body_with(r, type, max, body_append, &b) < 0) {
        return -1;
    }
    b.buf[b.len] = '\0';
    *buf = b.buf;
    *len = b.len;
    return 0;
}

json_t *ailes_api_read_json(request_rec *r)
{
    apr_size_t max = (apr_size_t)ailes_conf_max_body(ailes_srv_conf(r->server));
    json_t *obj = NULL;
    apr_size_t len;
    char *buf;

    if (ailes_api_read_body(r, "application/json", max, &buf, &len) < 0) {
        return NULL;
    }
    switch (ailes_json_parse_object(r->pool, buf, len, &obj)) {
    case AILES_JSON_OK:
        return obj;
    case AILES_JSON_NOT_OBJECT:
        ailes_api_error(r, HTTP_BAD_REQUEST, "bad_json",
                        "the body must be a JSON object");
        return NULL;
    default:
        ailes_api_error(r, HTTP_BAD_REQUEST, "bad_json",
                        "the body is not valid JSON (UTF-8)");
        return NULL;
    }
}

/* Matches route against pattern; "{name}" matches one non-empty segment,
 * captured in order into params. */
static int match(const char *pattern, const char *route,
                 const char **params, apr_pool_t *p)
{
    int n = 0;

    while (*pattern && *route) {
        if (*pattern == '{') {
            const char *end = strchr(route, '/');
            size_t len = end ? (size_t)(end - route) : strlen(route);
            if (len == 0 || n >= AILES_API_MAX_PARAMS) {
                return 0;
            }
            params[n++] = apr_pstrmemdup(p, route, len);
            route += len;
            pattern = strchr(pattern, '}');
            if (!pattern) {
                return 0;
            }
            pattern++;
            continue;
        }
        if (*pattern != *route) {
            return 0;
        }
        pattern++;
        route++;
    }
    return !*pattern && !*route;
}

static int is_write(int method)
{
    return method != M_GET && method != M_OPTIONS;
}

/* True when the request has no Origin header or one naming this host.
 * Only host[:port] is compared: behind a TLS-terminating load balancer
 * httpd itself may see http. */
static int same_origin(request_rec *r)
{
    const char *origin = apr_table_get(r->headers_in, "Origin");
    const char *host = apr_table_get(r->headers_in, "Host");
    const char *o;

    if (!origin) {
        return 1;
    }
    o = strstr(origin, "://");
    if (!o || !host) {
        return 0;   /* "null" and other opaque origins */
    }
    o += 3;
    return !strcasecmp(o, host);
}

/* What a session at each stage may reach: a half-logged-in session only
 * its second factor (and logout, /v1/me); an enrolling one only TOTP
 * enrolment. */
static int stage_allows(ailes_api_access_t access, const char *stage)
{
    int full = !strcmp(stage, "full");

    switch (access) {
    case AILES_API_ANY_STAGE:
        return 1;
    case AILES_API_MFA_STAGE:
        return !strcmp(stage, "mfa");
    case AILES_API_ENROLL_STAGE:
        return full || !strcmp(stage, "enroll");
    default:
        return full;
    }
}

static int stage_refusal(request_rec *r, const char *stage)
{
    if (!strcmp(stage, "mfa")) {
        return ailes_api_error(r, HTTP_UNAUTHORIZED, "mfa_required",
                               "enter the one-time code first");
    }
    if (!strcmp(stage, "enroll")) {
        return ailes_api_error(r, HTTP_FORBIDDEN, "totp_enrollment_required",
                               "set up two-step verification first");
    }
    return ailes_api_error(r, HTTP_CONFLICT, "not_pending",
                           "no second factor is pending for this session");
}

/* DECLINED when allowed, else the written refusal. */
int ailes_api_ip_refusal(request_rec *r, int result)
{
    if (result == AILES_IP_DENIED) {
        return ailes_api_error(r, HTTP_FORBIDDEN, "ip_denied",
                               "access from this address is not allowed");
    }
    if (result == AILES_IP_UNAVAILABLE) {
        return ailes_api_unavailable(r);
    }
    return DECLINED;
}

static int dispatch(request_rec *r, const char *route)
{
    const ailes_api_route_t *const *t;
    const ailes_api_route_t *rt, *found = NULL;
    ailes_api_ctx_t ctx;
    const char *allow = NULL;
    ailes_req_t *q = ailes_req(r);
    int rc;

    memset(&ctx, 0, sizeof(ctx));
    ctx.route = route;
    for (t = route_tables; *t && !found; t++) {
        for (rt = *t; rt->path && !found; rt++) {
            const char *params[AILES_API_MAX_PARAMS] = { NULL };
            if (!match(rt->path, route, params, r->pool)) {
                continue;
            }
            allow = allow ? apr_pstrcat(r->pool, allow, ", ",
                                        ap_method_name_of(r->pool, rt->method),
                                        NULL)
                          : ap_method_name_of(r->pool, rt->method);
            if (rt->method == r->method_number) {
                found = rt;
                memcpy(ctx.params, params, sizeof(params));
            }
        }
    }
    if (!found) {
        if (allow) {
            apr_table_setn(r->err_headers_out, "Allow", allow);
            return ailes_api_error(r, HTTP_METHOD_NOT_ALLOWED,
                                   "method_not_allowed",
                                   "method not allowed on this resource");
        }
        return ailes_api_error(r, HTTP_NOT_FOUND, "not_found",
                               "no such resource");
    }
    /* %00 would cut a parameter short once decoded (ap_args_to_table
     * keeps what precedes it): refuse it outright. */
    if (r->args && strstr(r->args, "%00")) {
        return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                               "the query string holds a NUL");
    }
    if (is_write(r->method_number) && !same_origin(r)) {
        return ailes_api_error(r, HTTP_FORBIDDEN, "csrf",
                               "cross-origin request refused");
    }
    if (found->access != AILES_API_PUBLIC && !q->tenant) {
        return ailes_api_error(r, HTTP_NOT_FOUND, "unknown_tenant",
                               "this host serves no tenant");
    }
    /* With AilesTenantIPScope all, the tenant list applies before anyone
     * has said who they are (login included). */
    if (found->access != AILES_API_PUBLIC) {
        rc = ailes_api_ip_refusal(r, ailes_ip_check(r, AILES_ROLE_EMPLOYEE,
                                                    NULL, "-"));
        if (rc != DECLINED) {
            return rc;
        }
    }
    if (found->access >= AILES_API_SESSION) {
        switch (ailes_session_resolve(r, &ctx.session)) {
        case AILES_SESSION_OK:
            break;
        case AILES_SESSION_UNAVAILABLE:
            return ailes_api_error(r, HTTP_SERVICE_UNAVAILABLE,
                                   "unavailable",
                                   "the service is temporarily unavailable");
        default:
            return ailes_api_error(r, HTTP_UNAUTHORIZED, "unauthenticated",
                                   "log in first");
        }
        /* CSRF: every state-changing request made with a session carries
         * the session's token in a header a cross-site form cannot set. */
        if (is_write(r->method_number)
            && !ailes_token_equal(apr_table_get(r->headers_in,
                                                "X-CSRF-Token"),
                                  ctx.session->csrf_token)) {
            return ailes_api_error(r, HTTP_FORBIDDEN, "csrf",
                                   "missing or wrong X-CSRF-Token");
        }
        if (!stage_allows(found->access, ctx.session->stage)) {
            return stage_refusal(r, ctx.session->stage);
        }
        rc = ailes_api_ip_refusal(
            r, ailes_ip_check(r, ctx.session->role, ctx.session->ip_allow,
                              ailes_session_actor(r->pool, ctx.session)));
        if (rc != DECLINED) {
            return rc;
        }
        if (found->roles && !(found->roles & AILES_API_ROLE(ctx.session->role))) {
            return ailes_api_error(r, HTTP_FORBIDDEN, "forbidden",
                                   "your role may not do this");
        }
    }
    return found->fn(r, &ctx);
}

/* The route is the URI below the <Location> that set the handler:
 * /api/v1/me under <Location /api> is "/v1/me". Modules that set no
 * directive in a <Location> get no per-dir config of their own there, so
 * the section's path comes from core's; when it does not end right before
 * "/v1/" (a nested section, a LocationMatch), the route starts at the
 * first "/v1/" segment. */
static const char *api_route(request_rec *r)
{
    core_dir_config *cd = ap_get_core_module_config(r->per_dir_config);
    const char *uri = r->uri;
    const char *v1;

    if (cd && cd->d && !cd->r && cd->d[0] == '/') {
        size_t blen = strlen(cd->d);
        while (blen && cd->d[blen - 1] == '/') {
            blen--;
        }
        if (!strncmp(uri, cd->d, blen) && !strncmp(uri + blen, "/v1/", 4)) {
            return uri + blen;
        }
    }
    v1 = strstr(uri, "/v1/");
    return v1 ? v1 : uri;
}

static int api_handler(request_rec *r)
{
    if (!r->handler || strcmp(r->handler, "ailes-api")) {
        return DECLINED;
    }
    ailes_security_headers(r, 1);
    return dispatch(r, api_route(r));
}

void ailes_api_register_hooks(apr_pool_t *p)
{
    ap_hook_handler(api_handler, NULL, NULL, APR_HOOK_MIDDLE);
}
