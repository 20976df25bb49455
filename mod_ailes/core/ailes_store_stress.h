/* Stress-check storage: campaigns and responses (ailes_store_stress.c).
 * Every query takes the tenant. */
#ifndef AILES_STORE_STRESS_H
#define AILES_STORE_STRESS_H

#include <apr_pools.h>
#include <apr_hash.h>
#include <apr_tables.h>

#include "ailes_bjsq.h"

struct ailes_db;

typedef struct ailes_campaign {
    apr_int64_t id;
    const char *name;
    const char *starts_on, *ends_on;    /* YYYY-MM-DD, JST days */
    int method;                         /* 1 or 2 */
    ailes_bjsq_thresholds_t thr;
    const char *status;                 /* "open" or "closed" */
    apr_int64_t purge_after;
} ailes_campaign_t;

typedef struct ailes_response {
    apr_int64_t user_id;
    const char *employee_no;
    const char *sex;                    /* "male", "female" or NULL */
    const char *answers;                /* 57 digits, 0 = not answered */
    apr_int64_t submitted_at;           /* 0 = not submitted */
    int a, b, c, high_stress;
    const char *points;                 /* method 2: 19 comma-separated */
    apr_int64_t consent_at, interview_at;
} ailes_response_t;

/* APR_EEXIST when the tenant has a campaign of that name. */
apr_status_t ailes_store_campaign_add(struct ailes_db *db, apr_pool_t *p,
                                      apr_int64_t tenant_id,
                                      const ailes_campaign_t *c,
                                      apr_int64_t *id);
apr_status_t ailes_store_campaign_get(struct ailes_db *db, apr_pool_t *p,
                                      apr_int64_t tenant_id, apr_int64_t id,
                                      ailes_campaign_t **c);
/* ailes_campaign_t*, newest first. */
apr_status_t ailes_store_campaign_list(struct ailes_db *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       apr_array_header_t **list);
apr_status_t ailes_store_campaign_close(struct ailes_db *db, apr_pool_t *p,
                                        apr_int64_t tenant_id,
                                        apr_int64_t id);

apr_status_t ailes_store_response_get(struct ailes_db *db, apr_pool_t *p,
                                      apr_int64_t tenant_id,
                                      apr_int64_t campaign_id,
                                      apr_int64_t user_id,
                                      ailes_response_t **r);
/* Saves (replaces) a response; scores only when submitted. */
apr_status_t ailes_store_response_save(struct ailes_db *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       apr_int64_t campaign_id,
                                       apr_int64_t user_id,
                                       const ailes_response_t *r);
/* Records consent and/or an interview request (0 keeps the value). */
apr_status_t ailes_store_response_mark(struct ailes_db *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       apr_int64_t campaign_id,
                                       apr_int64_t user_id,
                                       apr_int64_t consent_at,
                                       apr_int64_t interview_at);
/* Submitted responses of a campaign (ailes_response_t*): those of the
 * people in scope of viewer_id (granted labels) when in_scope_of > 0, and
 * only consented ones when consented_only. */
apr_status_t ailes_store_response_list(struct ailes_db *db, apr_pool_t *p,
                                       apr_int64_t tenant_id,
                                       apr_int64_t campaign_id,
                                       apr_int64_t in_scope_of,
                                       int consented_only,
                                       apr_array_header_t **list);

/* The submitted responses of the people carrying label (by name), for
 * group analysis; ailes_response_t*, by employee number. */
apr_status_t ailes_store_response_list_label(struct ailes_db *db,
                                             apr_pool_t *p,
                                             apr_int64_t tenant_id,
                                             apr_int64_t campaign_id,
                                             const char *label,
                                             apr_array_header_t **list);

/* Target labels (ids) of a new campaign, inside the caller's work. */
apr_status_t ailes_store_campaign_set_labels(struct ailes_db *db,
                                             apr_pool_t *p,
                                             apr_int64_t tenant_id,
                                             apr_int64_t campaign_id,
                                             const apr_array_header_t *ids);

/* APR_SUCCESS when the user is a target of the campaign (it has no
 * target labels, or the user carries one), APR_NOTFOUND when not. */
apr_status_t ailes_store_campaign_targets(struct ailes_db *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          apr_int64_t campaign_id,
                                          apr_int64_t user_id);

/* What the campaign list needs, in three queries whatever the number of
 * campaigns: target label names by campaign id (decimal string -> array
 * of const char *, sorted; absent: no target labels) and, for user_id
 * (0: skip), the campaigns they submitted and those whose target labels
 * they carry (id string -> "1"). */
typedef struct ailes_campaign_overview {
    apr_hash_t *labels;
    apr_hash_t *submitted, *labelled;
} ailes_campaign_overview_t;

apr_status_t ailes_store_campaign_overview(struct ailes_db *db, apr_pool_t *p,
                                           apr_int64_t tenant_id,
                                           apr_int64_t user_id,
                                           ailes_campaign_overview_t *o);

#endif
