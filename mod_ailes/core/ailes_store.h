/* Typed queries over the main database. Every query of tenant data takes
 * the tenant (its id, or its slug where the request only knows the slug)
 * as a mandatory parameter: there is no way in this API to reach a user or
 * a session without naming the tenant.
 *
 * Functions return APR_SUCCESS, APR_NOTFOUND (no such row), APR_EEXIST
 * (unique key taken) or an error that has been logged.
 */
#ifndef AILES_STORE_H
#define AILES_STORE_H

#include <apr_pools.h>
#include <apr_time.h>

#include "ailes_role.h"

struct ailes_db;

typedef struct ailes_tenant {
    apr_int64_t id;
    const char *slug;
    const char *name;
} ailes_tenant_t;

typedef struct ailes_user {
    apr_int64_t id;
    apr_int64_t tenant_id;
    const char *employee_no;
    ailes_role_t role;
    const char *password_hash;  /* NULL until a password is set */
    const char *status;         /* "active" or "disabled" */
} ailes_user_t;

/* A live session joined with its user and tenant: what a request needs to
 * know who is calling. */
typedef struct ailes_session {
    const char *id_hash;
    apr_int64_t tenant_id;
    const char *tenant_slug;
    apr_int64_t user_id;
    const char *employee_no;
    ailes_role_t role;
    const char *csrf_token;
    apr_int64_t created_at;
    apr_int64_t last_seen;
    apr_int64_t expires_at;
} ailes_session_t;

typedef struct ailes_audit_rec {
    apr_int64_t tenant_id;      /* 0 when no tenant is known */
    apr_time_t at;
    const char *actor;          /* "E001/employee" or "-" */
    const char *action;         /* "login.ok", ... */
    const char *target;
    const char *client_ip;
    const char *outcome;        /* "ok", "denied", "error" */
    const char *request_id;     /* may be NULL */
} ailes_audit_rec_t;

apr_status_t ailes_store_tenant_by_slug(struct ailes_db *db, apr_pool_t *p,
                                        const char *slug, ailes_tenant_t **t);
apr_status_t ailes_store_tenant_add(struct ailes_db *db, apr_pool_t *p,
                                    const char *slug, const char *name,
                                    apr_int64_t *id);

apr_status_t ailes_store_user_by_no(struct ailes_db *db, apr_pool_t *p,
                                    apr_int64_t tenant_id,
                                    const char *employee_no,
                                    ailes_user_t **u);
apr_status_t ailes_store_user_add(struct ailes_db *db, apr_pool_t *p,
                                  apr_int64_t tenant_id,
                                  const char *employee_no, ailes_role_t role,
                                  const char *password_hash, apr_int64_t *id);

apr_status_t ailes_store_session_add(struct ailes_db *db, apr_pool_t *p,
                                     const ailes_session_t *s);
/* The session with this hash in the tenant with this slug, whoever's it is,
 * expired or not (the caller applies the time rules). */
apr_status_t ailes_store_session_get(struct ailes_db *db, apr_pool_t *p,
                                     const char *tenant_slug,
                                     const char *id_hash,
                                     ailes_session_t **s);
apr_status_t ailes_store_session_touch(struct ailes_db *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       const char *id_hash,
                                       apr_int64_t now);
apr_status_t ailes_store_session_delete(struct ailes_db *db, apr_pool_t *p,
                                        apr_int64_t tenant_id,
                                        const char *id_hash);

apr_status_t ailes_store_audit_add(struct ailes_db *db, apr_pool_t *p,
                                   const ailes_audit_rec_t *a);

/* A cheap query that proves the database answers and is migrated. */
apr_status_t ailes_store_ping(struct ailes_db *db, apr_pool_t *p);

#endif
