/* Notices storage (ailes_store_notice.c). What a user sees is decided in
 * one place, the visibility condition of these queries: the notice is for
 * every tenant or for the user's, and starts_at <= now < ends_at. A notice
 * of another tenant answers as if it did not exist (APR_NOTFOUND).
 */
#ifndef AILES_STORE_NOTICE_H
#define AILES_STORE_NOTICE_H

#include <apr_pools.h>
#include <apr_tables.h>

struct ailes_db;

typedef struct ailes_notice_update {
    const char *body;
    apr_int64_t created_at;
} ailes_notice_update_t;

typedef struct ailes_notice_rec {
    apr_int64_t id;
    const char *severity;
    int all_tenants;
    const char *title, *body;
    const char *what, *cause, *response;    /* NULL when not known */
    apr_int64_t starts_at;
    apr_int64_t ends_at;                    /* 0: no end */
    apr_int64_t created_at, updated_at;
    int read;                               /* by the asking user */
    apr_array_header_t *updates;            /* ailes_notice_update_t*,
                                               oldest first */
    const char *tenants;                    /* CLI list: "acme,globex" */
} ailes_notice_rec_t;

/* Stores n (its id comes back in n->id) for the tenants in tenant_ids
 * (apr_int64_t) unless n->all_tenants. Run it inside a transaction. */
apr_status_t ailes_store_notice_add(struct ailes_db *db, apr_pool_t *p,
                                    ailes_notice_rec_t *n,
                                    const apr_array_header_t *tenant_ids,
                                    apr_int64_t now);

/* One notice by id (operators only: no tenant check); APR_NOTFOUND. */
apr_status_t ailes_store_notice_get(struct ailes_db *db, apr_pool_t *p,
                                    apr_int64_t id, ailes_notice_rec_t **n);

/* Appends a dated update; ends_at (0: unchanged), cause and response
 * (NULL: unchanged) change the notice too. APR_NOTFOUND when no notice
 * has that id. */
apr_status_t ailes_store_notice_update(struct ailes_db *db, apr_pool_t *p,
                                       apr_int64_t id, const char *body,
                                       apr_int64_t ends_at,
                                       const char *cause,
                                       const char *response,
                                       apr_int64_t now);

/* Every notice (operators), newest first, at most 500, with tenants. */
apr_status_t ailes_store_notice_list_all(struct ailes_db *db, apr_pool_t *p,
                                         apr_array_header_t **list);

/* The notices the user sees now (ailes_notice_rec_t*), newest first, at
 * most 100, with read and updates filled in. */
apr_status_t ailes_store_notice_visible(struct ailes_db *db, apr_pool_t *p,
                                        apr_int64_t tenant_id,
                                        apr_int64_t user_id,
                                        apr_int64_t now,
                                        apr_array_header_t **list);

/* Marks a notice the user sees now as read (again: no change).
 * APR_NOTFOUND when the user does not see it. */
apr_status_t ailes_store_notice_read(struct ailes_db *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id, apr_int64_t id,
                                     apr_int64_t now);

/* The ids (apr_int64_t) of every tenant, for notices to all. */
apr_status_t ailes_store_tenant_ids(struct ailes_db *db, apr_pool_t *p,
                                    apr_array_header_t **ids);

#endif
