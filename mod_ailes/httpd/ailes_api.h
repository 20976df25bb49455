/* The JSON API handler (SetHandler ailes-api): routing, request bodies,
 * responses and errors. Endpoint files (ailes_api_<area>.c) hold the
 * handlers; this file holds what they share.
 *
 * Every response the API writes carries the security headers and
 * Cache-Control: no-store. Errors are {"error":{"code","message"}}.
 */
#ifndef AILES_API_H
#define AILES_API_H

#include <httpd.h>
#include <jansson.h>

struct ailes_db;
struct ailes_session;
struct ailes_tenant;
struct ailes_user;

#define AILES_API_MAX_PARAMS 4

typedef struct ailes_api_ctx {
    const char *route;                          /* "/v1/..." */
    const char *params[AILES_API_MAX_PARAMS];   /* {name} segments */
    struct ailes_session *session;              /* set for AUTH routes */
} ailes_api_ctx_t;

typedef int ailes_api_fn(request_rec *r, ailes_api_ctx_t *ctx);

typedef enum {
    AILES_API_PUBLIC = 0,   /* no session, no tenant needed */
    AILES_API_TENANT,       /* a tenant host, no session */
    AILES_API_SESSION,      /* a full session (and CSRF on writes) */
    AILES_API_ANY_STAGE,    /* any session, even half logged in */
    AILES_API_MFA_STAGE,    /* a session waiting for its second factor */
    AILES_API_ENROLL_STAGE  /* a session that must (or may) enrol TOTP */
} ailes_api_access_t;

/* Role bit sets for routes: AILES_API_ROLES(AILES_ROLE_TENANT_ADMIN). */
#define AILES_API_ROLE(role) (1U << (role))
#define AILES_API_ANY_ROLE 0U

typedef struct ailes_api_route {
    int method;                 /* M_GET, M_POST, ... */
    const char *path;           /* "/v1/users/{employee_no}" */
    ailes_api_access_t access;
    unsigned roles;             /* for AILES_API_SESSION: who may call it
                                   (AILES_API_ANY_ROLE = every role) */
    ailes_api_fn *fn;
} ailes_api_route_t;

/* Route tables of the endpoint files, each terminated by a NULL path. */
extern const ailes_api_route_t ailes_api_health_routes[];
extern const ailes_api_route_t ailes_api_session_routes[];
extern const ailes_api_route_t ailes_api_users_routes[];
extern const ailes_api_route_t ailes_api_totp_routes[];
extern const ailes_api_route_t ailes_api_tenant_routes[];
extern const ailes_api_route_t ailes_api_import_routes[];
extern const ailes_api_route_t ailes_api_people_routes[];
extern const ailes_api_route_t ailes_api_audit_routes[];
extern const ailes_api_route_t ailes_api_stress_routes[];
extern const ailes_api_route_t ailes_api_checkup_routes[];
extern const ailes_api_route_t ailes_api_lifelog_routes[];
extern const ailes_api_route_t ailes_api_notices_routes[];

/* Writes a JSON response with the given status; returns OK. */
int ailes_api_json(request_rec *r, int status, json_t *body);

/* Writes {"error":{"code","message"}} with the given status; returns OK.
 * code and message are ours, never request data. */
int ailes_api_error(request_rec *r, int status, const char *code,
                    const char *message);

/* 422 password_policy, with a details list of every broken rule
 * (ailes_policy_violation_t); returns OK. */
int ailes_api_policy_error(request_rec *r,
                           const apr_array_header_t *violations);

/* 503 unavailable (a database did not answer); returns OK. */
int ailes_api_unavailable(request_rec *r);

/* The user row behind a session, with the main database in *db; NULL
 * after a 503 has been written. */
struct ailes_user *ailes_api_session_user(request_rec *r,
                                          const struct ailes_session *s,
                                          struct ailes_db **db);

/* For an ailes_ip_check() result: DECLINED when allowed, else OK after
 * writing 403 ip_denied or 503. */
int ailes_api_ip_refusal(request_rec *r, int ip_result);

/* The request's tenant row; NULL after writing 404 (a path-prefix slug
 * that is no tenant) or 503 (a configured tenant missing from the
 * database, logged, or the database down). */
struct ailes_tenant *ailes_api_tenant(request_rec *r, struct ailes_db *db);

/* Counts a login attempt under the lockout rules (ailes_login.h): 0 to go
 * on and check the secret, -1 after 423 locked or 503 was written. */
int ailes_api_login_attempt(request_rec *r, struct ailes_db *db,
                            apr_int64_t tenant_id, const char *employee_no,
                            int *failures);

/* 423 locked; returns OK. */
int ailes_api_locked(request_rec *r);

/* 422 import_invalid with a details list of ailes_import_error_t
 * (line, column, message): a CSV upload that changed nothing. */
int ailes_api_import_invalid(request_rec *r,
                             const apr_array_header_t *errors);

/* The query string as a table, form-decoded: %XX and '+' for a space. */
apr_table_t *ailes_api_args(request_rec *r);

/* One query parameter, form-decoded, or NULL. */
const char *ailes_api_arg(request_rec *r, const char *name);

/* 204 No Content; returns OK. */
int ailes_api_no_content(request_rec *r);

/* Reads a body of Content-Type `type` (415 otherwise) of at most max
 * bytes (413), handing it to fn in pieces of at most AILES_API_BODY_PIECE
 * bytes as they arrive; fn failing is a 503. 0, or -1 after the error
 * was written. */
#define AILES_API_BODY_PIECE (64 * 1024)
typedef apr_status_t (*ailes_api_body_fn)(void *baton, const char *piece,
                                          apr_size_t len);
int ailes_api_read_body_with(request_rec *r, const char *type,
                             apr_size_t max, ailes_api_body_fn fn,
                             void *baton);

/* The same, the whole body in memory, NUL-terminated. */
int ailes_api_read_body(request_rec *r, const char *type, apr_size_t max,
                        char **buf, apr_size_t *len);

/* Reads the request body as one JSON object (Content-Type
 * application/json, at most AilesMaxBody bytes, UTF-8). On failure the
 * error response is written and NULL is returned. */
json_t *ailes_api_read_json(request_rec *r);

void ailes_api_register_hooks(apr_pool_t *p);

#endif
