/* The mail queue (ailes_store_mail.c). A row names its recipient by tenant
 * and user id only: the address is read from the vault when the mail is
 * sent (ailesctl mail flush), so the main database never holds it.
 *
 * Exactly once: a sender claims a row by moving its next_at forward with
 * a guarded UPDATE (only one claimer changes the row); a sender that dies
 * after claiming lets the row come due again when the claim runs out.
 */
#ifndef AILES_STORE_MAIL_H
#define AILES_STORE_MAIL_H

#include <apr_pools.h>
#include <apr_tables.h>

struct ailes_db;

typedef struct ailes_mail_row {
    apr_int64_t id, tenant_id, user_id;
    const char *kind, *subject, *body;
    int attempts;
} ailes_mail_row_t;

apr_status_t ailes_store_mail_add(struct ailes_db *db, apr_pool_t *p,
                                  apr_int64_t tenant_id, apr_int64_t user_id,
                                  const char *kind, const char *subject,
                                  const char *body, apr_int64_t now);

/* Queued rows with next_at <= now (ailes_mail_row_t*), oldest first, at
 * most max. */
apr_status_t ailes_store_mail_due(struct ailes_db *db, apr_pool_t *p,
                                  apr_int64_t now, int max,
                                  apr_array_header_t **rows);

/* Claims a due row until `until`: APR_NOTFOUND when someone else did. */
apr_status_t ailes_store_mail_claim(struct ailes_db *db, apr_pool_t *p,
                                    apr_int64_t id, apr_int64_t now,
                                    apr_int64_t until);

apr_status_t ailes_store_mail_sent(struct ailes_db *db, apr_pool_t *p,
                                   apr_int64_t id, apr_int64_t now);

/* A failed attempt: counted, with the error (no address in it) and the
 * next try at next_at; status becomes `status` ("queued" to retry,
 * "failed" or "no_address" to stop). */
apr_status_t ailes_store_mail_attempt(struct ailes_db *db, apr_pool_t *p,
                                      apr_int64_t id, const char *status,
                                      apr_int64_t next_at,
                                      const char *error);

/* Active tenant admins of a tenant (apr_int64_t user ids). */
apr_status_t ailes_store_tenant_admin_ids(struct ailes_db *db,
                                          apr_pool_t *p,
                                          apr_int64_t tenant_id,
                                          apr_array_header_t **ids);

/* Counts of the queue by status, "queued=N sent=N ..." (CLI). */
apr_status_t ailes_store_mail_counts(struct ailes_db *db, apr_pool_t *p,
                                     const char **summary);

#endif
