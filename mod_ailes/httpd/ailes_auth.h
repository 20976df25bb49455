/* Authentication and authorisation glue: the session cookie, AuthType
 * ailes (check_user_id) and the `Require ailes-role ROLE...` provider.
 */
#ifndef AILES_AUTH_H
#define AILES_AUTH_H

#include <httpd.h>

struct ailes_session;
struct ailes_user;
struct ailes_tenant;

typedef enum {
    AILES_SESSION_NONE = 0,     /* no cookie, unknown, expired: 401 */
    AILES_SESSION_OK,
    AILES_SESSION_UNAVAILABLE   /* the database did not answer: 503 */
} ailes_session_status_t;

/* The session of this request, resolved once (cookie -> database). */
ailes_session_status_t ailes_session_resolve(request_rec *r,
                                             struct ailes_session **s);

/* Creates a session for user u at `stage` ("full", "mfa", "enroll") and
 * sets the cookie. *csrf receives the session's CSRF token. */
apr_status_t ailes_session_start(request_rec *r,
                                 const struct ailes_tenant *t,
                                 const struct ailes_user *u,
                                 const char *stage, const char **csrf);

/* Replaces the current session by a new one at `stage` (new id, same CSRF
 * token): after every change of privilege, such as the second factor or a
 * password change (fixation). */
apr_status_t ailes_session_rotate(request_rec *r, struct ailes_session *s,
                                  const char *stage);

/* Ends every session of a user except `keep` (an id hash, may be NULL), in
 * the database and in the session cache. */
apr_status_t ailes_session_end_all(request_rec *r, apr_int64_t tenant_id,
                                   apr_int64_t user_id, const char *keep);

/* Deletes the current session and expires the cookie. */
apr_status_t ailes_session_end(request_rec *r, struct ailes_session *s);

/* "E001/employee", the actor of audit events. */
const char *ailes_session_actor(apr_pool_t *p, const struct ailes_session *s);

/* Security headers for what the module answers (api) or protects. */
void ailes_security_headers(request_rec *r, int api);

void ailes_auth_register_hooks(apr_pool_t *p);

#endif
