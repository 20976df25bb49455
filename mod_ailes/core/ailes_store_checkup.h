/* Health checkup storage (ailes_store_checkup.c): uploads by SHA-256 and
 * one row per examination. Every query takes the tenant. */
#ifndef AILES_STORE_CHECKUP_H
#define AILES_STORE_CHECKUP_H

#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_tables.h>

#include "ailes_checkup.h"

struct ailes_db;

typedef struct ailes_checkup_row {
    const char *employee_no;
    const char *exam_date, *kind;
    const char *judgement, *work_class;     /* NULL when not given */
    const char *items;                      /* JSON object */
} ailes_checkup_row_t;

/* The upload with this SHA-256 (hex): APR_NOTFOUND when there is none;
 * *rows is how many examinations it brought. */
apr_status_t ailes_store_checkup_file_get(struct ailes_db *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          const char *sha256, int *rows);

/* Records an upload (inside the caller's transaction), with no rows yet:
 * ailes_store_checkup_file_rows sets them at its end. */
apr_status_t ailes_store_checkup_file_add(struct ailes_db *db, apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          const char *sha256,
                                          const char *actor,
                                          apr_int64_t *file_id);

/* Sets the number of examinations an upload brought (at its end). */
apr_status_t ailes_store_checkup_file_rows(struct ailes_db *db, apr_pool_t *p,
                                           apr_int64_t tenant_id,
                                           apr_int64_t file_id, int rows);

/* APR_SUCCESS when the person's examination of c's date and kind came
 * with upload file_id (an earlier line of the same file), APR_NOTFOUND
 * when not. */
apr_status_t ailes_store_checkup_in_file(struct ailes_db *db, apr_pool_t *p,
                                         apr_int64_t tenant_id,
                                         apr_int64_t user_id,
                                         const ailes_checkup_t *c,
                                         apr_int64_t file_id);

/* employee_no -> apr_int64_t* user id, for every user of the tenant. */
apr_status_t ailes_store_user_ids(struct ailes_db *db, apr_pool_t *p,
                                  apr_int64_t tenant_id, apr_hash_t **ids);

/* Adds one examination; APR_EEXIST when the person already has one of
 * that date and kind (nothing is written then). */
apr_status_t ailes_store_checkup_add(struct ailes_db *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id,
                                     const ailes_checkup_t *c,
                                     apr_int64_t file_id);

/* One person's examinations (ailes_checkup_row_t*), newest first. */
apr_status_t ailes_store_checkups_of(struct ailes_db *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id,
                                     apr_array_header_t **list);

/* Each person's latest examination from `from` to `to` (YYYY-MM-DD), or
 * none (exam_date NULL), by employee number: the employer's view (items
 * and judgement left NULL). */
apr_status_t ailes_store_checkup_status(struct ailes_db *db, apr_pool_t *p,
                                        apr_int64_t tenant_id,
                                        const char *from, const char *to,
                                        int page, int per_page,
                                        apr_array_header_t **list,
                                        apr_int64_t *total);

/* Each person's latest periodic examination in [from, to], items only
 * (employee_no left NULL): what the 労基署 report counts. */
apr_status_t ailes_store_checkup_latest_periodic(struct ailes_db *db,
                                                 apr_pool_t *p,
                                                 apr_int64_t tenant_id,
                                                 const char *from,
                                                 const char *to,
                                                 apr_array_header_t **list);

#endif
