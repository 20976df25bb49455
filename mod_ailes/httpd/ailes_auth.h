/* Authentication and authorisation glue: the session cookie, AuthType
 * ailes (check_user_id) and the `Require ailes-role ROLE...` provider.
 */
#ifndef AILES_AUTH_H
#define AILES_AUTH_H

#include <httpd.h>

struct ailes_session;
struct ailes_user;
struct ailes_tenant;

/* Session lifetime rules (directives come with the login issue). */
#define AILES_SESSION_IDLE_SEC (30 * 60)
#define AILES_SESSION_MAX_SEC (12 * 3600)
#define AILES_SESSION_TOUCH_SEC 60

typedef enum {
    AILES_SESSION_NONE = 0,     /* no cookie, unknown, expired: 401 */
    AILES_SESSION_OK,
    AILES_SESSION_UNAVAILABLE   /* the database did not answer: 503 */
} ailes_session_status_t;

/* The session of this request, resolved once (cookie -> database). */
ailes_session_status_t ailes_session_resolve(request_rec *r,
                                             struct ailes_session **s);

/* Creates a session for user u and sets the cookie. *csrf receives the
 * session's CSRF token. */
apr_status_t ailes_session_start(request_rec *r,
                                 const struct ailes_tenant *t,
                                 const struct ailes_user *u,
                                 const char **csrf);

/* Deletes the current session and expires the cookie. */
apr_status_t ailes_session_end(request_rec *r, struct ailes_session *s);

/* "E001/employee", the actor of audit events. */
const char *ailes_session_actor(apr_pool_t *p, const struct ailes_session *s);

void ailes_auth_register_hooks(apr_pool_t *p);

#endif
