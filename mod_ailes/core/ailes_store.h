/* Typed queries over the main database. Every query of tenant data takes
 * the tenant (its id, or its slug where the request only knows the slug)
 * as a mandatory parameter: there is no way in this API to reach a user or
 * a session without naming the tenant.
 *
 * Functions return APR_SUCCESS, APR_NOTFOUND (no such row), APR_EEXIST
 * (where a function says so: a unique key taken) or an error that has been
 * logged.
 */
#ifndef AILES_STORE_H
#define AILES_STORE_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "ailes_role.h"

struct ailes_db;

typedef struct ailes_tenant {
    apr_int64_t id;
    const char *slug;
    const char *name;
    const char *ip_allow;       /* tenant admins' allow-list, NULL = none */
    const char *terminated_on;  /* YYYY-MM-DD (JST) or NULL */
} ailes_tenant_t;

typedef struct ailes_user {
    apr_int64_t id;
    apr_int64_t tenant_id;
    const char *employee_no;
    ailes_role_t role;
    const char *password_hash;  /* NULL until a password is set */
    const char *status;         /* "active" or "disabled" */
    const char *totp_secret;    /* sealed ("key_id.nonce.ct"), NULL = off */
    const char *totp_pending;   /* sealed secret awaiting confirmation */
    apr_int64_t totp_last_step; /* last accepted TOTP step (replay) */
    const char *ip_allow;       /* account allow-list text, NULL = none */
    const char *activation_hash;    /* pending activation code, or NULL */
    apr_int64_t activation_expires;
    /* Filled by ailes_store_user_list/_get_admin only: */
    int failed_logins;          /* since the last success or unlock */
    apr_int64_t locked_until;   /* epoch seconds, 0 = not locked */
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
    const char *stage;          /* "full", "mfa" (code pending) or "enroll"
                                   (must set up TOTP first) */
    const char *csrf_token;
    apr_int64_t created_at;
    apr_int64_t last_seen;
    apr_int64_t expires_at;
    const char *ip_allow;       /* the user's account allow-list, or NULL */
} ailes_session_t;

typedef struct ailes_label {
    const char *name;
    apr_int64_t members;        /* people carrying the label */
} ailes_label_t;

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

/* A page of a tenant's users ordered by employee number, with their
 * lockout state; `prefix` (may be NULL or "") filters by employee number
 * prefix, `label` (may be NULL) to the people carrying that label. *users holds ailes_user_t*; *total counts all matches. */
apr_status_t ailes_store_user_list(struct ailes_db *db, apr_pool_t *p,
                                   apr_int64_t tenant_id, const char *prefix,
                                   const char *label, int page, int per_page,
                                   apr_array_header_t **users,
                                   apr_int64_t *total);

/* The users of the tenant with these ids (apr_int64_t), in employee-number
 * order, with lockout state, by one query per 20 ids; ids of no user of
 * the tenant are skipped. */
apr_status_t ailes_store_users_by_ids(struct ailes_db *db, apr_pool_t *p,
                                      apr_int64_t tenant_id,
                                      const apr_array_header_t *ids,
                                      apr_array_header_t **users);

/* One user with lockout state, for administrators. */
apr_status_t ailes_store_user_get_admin(struct ailes_db *db, apr_pool_t *p,
                                        apr_int64_t tenant_id,
                                        const char *employee_no,
                                        ailes_user_t **u);

/* Imported users: created without a password, with an activation code
 * (hash) valid until `expires`. */
apr_status_t ailes_store_user_add_pending(struct ailes_db *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          const char *employee_no,
                                          ailes_role_t role,
                                          const char *activation_hash,
                                          apr_int64_t expires,
                                          apr_int64_t *id);
/* A new activation code for a user; the old password stops working. */
apr_status_t ailes_store_user_set_activation(struct ailes_db *db,
                                             apr_pool_t *p,
                                             apr_int64_t tenant_id,
                                             apr_int64_t user_id,
                                             const char *activation_hash,
                                             apr_int64_t expires);
/* The first password: set it and spend the activation code. */
apr_status_t ailes_store_user_activate(struct ailes_db *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       apr_int64_t user_id,
                                       const char *password_hash);

/* Sets (NULL clears) the tenant's or a user's allow-list text. */
apr_status_t ailes_store_tenant_set_ip(struct ailes_db *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       const char *cidrs);
apr_status_t ailes_store_user_set_ip(struct ailes_db *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id, const char *cidrs);

/* Changes role and status of a user (NULL keeps the value). */
apr_status_t ailes_store_user_update(struct ailes_db *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id, const char *role,
                                     const char *status);

/* Deletes a user and what hangs on it in the main database (sessions,
 * recovery codes, labels, grants, failed logins); audit rows stay. The
 * caller removes the vault fields and cached sessions. */
apr_status_t ailes_store_user_delete(struct ailes_db *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id,
                                     const char *employee_no);

/* Active tenant admins of a tenant (the last one may not go). */
apr_status_t ailes_store_count_admins(struct ailes_db *db, apr_pool_t *p,
                                      apr_int64_t tenant_id,
                                      apr_int64_t *count);

/* Labels (ailes_store_labels.c). */
apr_status_t ailes_store_label_list(struct ailes_db *db, apr_pool_t *p,
                                    apr_int64_t tenant_id,
                                    apr_array_header_t **labels);
/* APR_EEXIST when the tenant has a label of that name. */
apr_status_t ailes_store_label_add(struct ailes_db *db, apr_pool_t *p,
                                   apr_int64_t tenant_id, const char *name);
/* Ids (apr_int64_t) of the named labels; APR_NOTFOUND and *missing when a
 * name is not a label of the tenant. */
apr_status_t ailes_store_label_ids(struct ailes_db *db, apr_pool_t *p,
                                   apr_int64_t tenant_id,
                                   const apr_array_header_t *names,
                                   apr_array_header_t **ids,
                                   const char **missing);
apr_status_t ailes_store_user_label_names(struct ailes_db *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          apr_int64_t user_id,
                                          apr_array_header_t **names);
apr_status_t ailes_store_user_set_labels(struct ailes_db *db, apr_pool_t *p,
                                         apr_int64_t tenant_id,
                                         apr_int64_t user_id,
                                         const apr_array_header_t *label_ids);
apr_status_t ailes_store_grant_names(struct ailes_db *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id,
                                     apr_array_header_t **names);
apr_status_t ailes_store_set_grants(struct ailes_db *db, apr_pool_t *p,
                                    apr_int64_t tenant_id,
                                    apr_int64_t user_id,
                                    const apr_array_header_t *label_ids);
/* The people a staff member may see (carrying a granted label), ordered
 * by employee number, a page at a time; ailes_user_t* like the admin
 * list (lockout fields zero). */
apr_status_t ailes_store_people_in_scope(struct ailes_db *db, apr_pool_t *p,
                                         apr_int64_t tenant_id,
                                         apr_int64_t viewer_id, int page,
                                         int per_page,
                                         apr_array_header_t **people,
                                         apr_int64_t *total);

/* The scope check: APR_SUCCESS when `viewer` is granted a label that
 * `subject` carries (same tenant), APR_NOTFOUND otherwise. */
apr_status_t ailes_store_can_see(struct ailes_db *db, apr_pool_t *p,
                                 apr_int64_t tenant_id, apr_int64_t viewer_id,
                                 apr_int64_t subject_id);

/* Login attempts (lockout). An attempt is counted *before* the password is
 * checked: *failures is this attempt's number since the last success or
 * unlock, counting the attempt itself; *locked_until is the end of a
 * lock (0 = none). A lock that has run out is cleared by this call and the
 * count starts again at 1. Works for employee numbers that do not exist. */
apr_status_t ailes_store_attempt_begin(struct ailes_db *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       const char *employee_no,
                                       apr_int64_t now, int *failures,
                                       apr_int64_t *locked_until);
/* Locks (tenant, employee_no) until `until` (epoch seconds). */
apr_status_t ailes_store_attempt_lock(struct ailes_db *db, apr_pool_t *p,
                                      apr_int64_t tenant_id,
                                      const char *employee_no,
                                      apr_int64_t until);
/* Forgets failures and any lock: a successful login, or an unlock. */
apr_status_t ailes_store_attempt_clear(struct ailes_db *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       const char *employee_no);

/* TOTP state of a user. Sealing is the caller's (ailes_vault_seal_text). */
apr_status_t ailes_store_totp_set_pending(struct ailes_db *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          apr_int64_t user_id,
                                          const char *sealed);
/* Makes the pending secret the active one, with `step` as the last step
 * used; APR_NOTFOUND when nothing is pending. */
apr_status_t ailes_store_totp_activate(struct ailes_db *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       apr_int64_t user_id, apr_int64_t step);
/* Records `step` as used, atomically: APR_SUCCESS when it is later than
 * the last one, APR_EEXIST when not (a replay, maybe from another node). */
apr_status_t ailes_store_totp_accept_step(struct ailes_db *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          apr_int64_t user_id,
                                          apr_int64_t step);
/* Switches TOTP off and forgets the recovery codes. */
apr_status_t ailes_store_totp_reset(struct ailes_db *db, apr_pool_t *p,
                                    apr_int64_t tenant_id,
                                    apr_int64_t user_id);
/* Replaces the recovery codes by these hashes (const char *). Run it in a
 * transaction. */
apr_status_t ailes_store_recovery_replace(struct ailes_db *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          apr_int64_t user_id,
                                          const apr_array_header_t *hashes);
/* Uses a recovery code once: APR_SUCCESS, or APR_NOTFOUND when it is not
 * one of the user's unused codes. */
apr_status_t ailes_store_recovery_use(struct ailes_db *db, apr_pool_t *p,
                                      apr_int64_t tenant_id,
                                      apr_int64_t user_id, const char *hash,
                                      apr_int64_t now);

/* Replaces a user's password hash. */
apr_status_t ailes_store_user_set_password(struct ailes_db *db,
                                           apr_pool_t *p,
                                           apr_int64_t tenant_id,
                                           apr_int64_t user_id,
                                           const char *password_hash);

/* The session hashes of a user, except `keep` (may be NULL): what must be
 * dropped from the session cache before ailes_store_session_delete_user. */
apr_status_t ailes_store_session_hashes(struct ailes_db *db, apr_pool_t *p,
                                        apr_int64_t tenant_id,
                                        apr_int64_t user_id,
                                        const char *keep,
                                        apr_array_header_t **hashes);
/* Deletes every session of a user except `keep` (may be NULL). */
apr_status_t ailes_store_session_delete_user(struct ailes_db *db,
                                             apr_pool_t *p,
                                             apr_int64_t tenant_id,
                                             apr_int64_t user_id,
                                             const char *keep);

apr_status_t ailes_store_audit_add(struct ailes_db *db, apr_pool_t *p,
                                   const ailes_audit_rec_t *a);

/* A tenant's audit rows with from <= at < to (microseconds), oldest
 * first, at most `limit` (ailes_audit_rec_t). */
apr_status_t ailes_store_audit_list(struct ailes_db *db, apr_pool_t *p,
                                    apr_int64_t tenant_id, apr_time_t from,
                                    apr_time_t to, int limit,
                                    apr_array_header_t **events);

/* Sets (NULL clears) the day a tenant's contract ends. */
apr_status_t ailes_store_tenant_terminate(struct ailes_db *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          const char *on);

/* Tenants whose data is due for deletion: terminated, the end of the
 * month after termination passed (`today` is a JST YYYY-MM-DD), not yet
 * purged (ailes_tenant_t*). */
apr_status_t ailes_store_tenants_due(struct ailes_db *db, apr_pool_t *p,
                                     const char *today,
                                     apr_array_header_t **due);

/* Deletes a terminated tenant's data in the main database: sessions,
 * codes, labels, grants, failed logins, life-log entries, flags, points
 * rules and ledger; users go, except those who still
 * have stress-check data (its own schedule), whose credentials are wiped.
 * Audit rows stay. Run it in a transaction. */
apr_status_t ailes_store_tenant_purge(struct ailes_db *db, apr_pool_t *p,
                                      apr_int64_t tenant_id);

/* Deletes stress-check responses and campaigns past their own purge date,
 * then the users of purged tenants that nothing holds any more. */
apr_status_t ailes_store_stress_purge(struct ailes_db *db, apr_pool_t *p,
                                      apr_int64_t now, int *responses);

/* Deletes audit rows older than `before` and expired sessions; *audit and
 * *sessions count what went. */
apr_status_t ailes_store_purge(struct ailes_db *db, apr_pool_t *p,
                               apr_time_t before, apr_int64_t now_sec,
                               int *audit, int *sessions);

/* A cheap query that proves the database answers and is migrated. */
apr_status_t ailes_store_ping(struct ailes_db *db, apr_pool_t *p);

#endif
