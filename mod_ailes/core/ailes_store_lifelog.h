/* Life-log and points storage (ailes_store_lifelog.c). Every query takes
 * the tenant; the decisions (ranges, points, caps, flags) are made by the
 * pure functions of ailes_lifelog.h, and this file only reads their input
 * and writes their result. The ledger is only ever INSERTed into.
 */
#ifndef AILES_STORE_LIFELOG_H
#define AILES_STORE_LIFELOG_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "ailes_lifelog.h"

struct ailes_db;

typedef struct ailes_ll_entry {
    long day;
    const char *kind;
    long v, v2;
    const char *source;             /* "manual" or "device" */
    apr_int64_t rev;
    apr_int64_t created_at, updated_at;
} ailes_ll_entry_t;

typedef struct ailes_ll_flag {
    apr_int64_t id;
    apr_int64_t user_id;
    const char *employee_no;
    long day;
    const char *kind;
    apr_int64_t rev;
    const char *reason;             /* "outlier" or "repeated" */
    long value;
    const char *detail;
    apr_int64_t created_at;
    apr_int64_t reversed_at;        /* 0 = open */
    long reversed_amount;
} ailes_ll_flag_t;

typedef struct ailes_pt_ledger_row {
    apr_int64_t id;
    long day;
    const char *kind;
    const char *type;               /* "award" or "reversal" */
    long amount;
    const char *reason;             /* reversals: the admin's reason */
    apr_int64_t created_at;
} ailes_pt_ledger_row_t;

/* Creates or replaces the person's entry for (e->day, e->kind): *replaced
 * says which, *rev is the entry's new revision. */
apr_status_t ailes_store_ll_put(struct ailes_db *db, apr_pool_t *p,
                                apr_int64_t tenant_id, apr_int64_t user_id,
                                const ailes_ll_entry_t *e, apr_int64_t now,
                                int *replaced, apr_int64_t *rev);

/* The person's entries with from <= day <= to (ailes_ll_entry_t*), newest
 * day first, at most 1000. */
apr_status_t ailes_store_ll_list(struct ailes_db *db, apr_pool_t *p,
                                 apr_int64_t tenant_id, apr_int64_t user_id,
                                 long from, long to,
                                 apr_array_header_t **list);

/* Up to `max` of the person's latest entries of kind before `day`
 * (ailes_ll_entry_t*), newest first: the history flags are judged on. */
apr_status_t ailes_store_ll_history(struct ailes_db *db, apr_pool_t *p,
                                    apr_int64_t tenant_id,
                                    apr_int64_t user_id, const char *kind,
                                    long day, int max,
                                    apr_array_header_t **list);

/* Records a flag (once per entry revision and reason). */
apr_status_t ailes_store_ll_flag_add(struct ailes_db *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id, long day,
                                     const char *kind, apr_int64_t rev,
                                     const char *reason, long value,
                                     const char *detail, apr_int64_t now);

/* The tenant's flags (ailes_ll_flag_t*), newest first, at most 500;
 * only those not reversed yet when open_only. */
apr_status_t ailes_store_ll_flags(struct ailes_db *db, apr_pool_t *p,
                                  apr_int64_t tenant_id, int open_only,
                                  apr_array_header_t **list);

/* APR_NOTFOUND when the tenant has no such flag. */
apr_status_t ailes_store_ll_flag_get(struct ailes_db *db, apr_pool_t *p,
                                     apr_int64_t tenant_id, apr_int64_t id,
                                     ailes_ll_flag_t **flag);

/* The tenant's rules and caps; a tenant that has none yet gets the
 * defaults written first (seeded on first use). */
apr_status_t ailes_store_pt_rules_get(struct ailes_db *db, apr_pool_t *p,
                                      apr_int64_t tenant_id, apr_int64_t now,
                                      apr_array_header_t **rules,
                                      ailes_pt_caps_t *caps);

/* Replaces the tenant's rules and caps in one transaction. */
apr_status_t ailes_store_pt_rules_put(struct ailes_db *db, apr_pool_t *p,
                                      apr_int64_t tenant_id,
                                      const apr_array_header_t *rules,
                                      const ailes_pt_caps_t *caps,
                                      apr_int64_t now);

/* Confirms the person's entries that are due on `today`
 * (ailes_pt_confirmable) and writes their award rows; *rows says how many
 * rows with points were written. Safe to run twice at once: an award row
 * is unique per entry revision. */
apr_status_t ailes_store_pt_confirm(struct ailes_db *db, apr_pool_t *p,
                                    apr_int64_t tenant_id,
                                    apr_int64_t user_id, long today,
                                    apr_int64_t now, int *rows);

/* The person's balance (sum of all rows) and the latest `max` rows with
 * a non-zero amount (ailes_pt_ledger_row_t*), newest first. */
apr_status_t ailes_store_pt_ledger(struct ailes_db *db, apr_pool_t *p,
                                   apr_int64_t tenant_id,
                                   apr_int64_t user_id, int max,
                                   long *balance, apr_array_header_t **rows);

/* Writes the reversal row for flag f: minus what f's day and kind hold
 * now (0 before confirmation; the day then earns nothing). APR_EEXIST
 * when f was reversed already. */
apr_status_t ailes_store_pt_reverse(struct ailes_db *db, apr_pool_t *p,
                                    apr_int64_t tenant_id,
                                    const ailes_ll_flag_t *f,
                                    const char *reason, apr_int64_t by,
                                    apr_int64_t now, long *amount);

#endif
