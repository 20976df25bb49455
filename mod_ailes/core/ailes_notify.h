/* What the product mails, and the queueing of it (ailes_notify.c): the
 * subject and body of each notification, written into the mail queue for
 * `ailesctl mail flush`. The texts hold the employee number and operator
 * notice text only; the address and the name are read from the vault
 * when the mail is sent.
 *
 * Callers queue only when mail is on (AilesMailRelay): without a relay
 * nothing is queued. A queueing failure is the caller's to log; it must
 * never fail the request (a login above all) that caused it.
 */
#ifndef AILES_NOTIFY_H
#define AILES_NOTIFY_H

#include <apr_pools.h>
#include <apr_tables.h>

struct ailes_db;
struct ailes_notice_rec;

/* Kinds of account mail. */
#define AILES_NOTIFY_LOCKED "account_locked"
#define AILES_NOTIFY_PASSWORD "password_changed"
#define AILES_NOTIFY_TOTP_ENROLLED "totp_enrolled"
#define AILES_NOTIFY_TOTP_RESET "totp_reset"
#define AILES_NOTIFY_NOTICE "notice"

/* Subject and body of an account mail of `kind` about employee_no at
 * `now` (epoch seconds). APR_EINVAL for an unknown kind. */
apr_status_t ailes_notify_text(apr_pool_t *p, const char *kind,
                               const char *employee_no, apr_int64_t now,
                               const char **subject, const char **body);

/* Subject and body of the mail announcing notice n. */
void ailes_notify_notice_text(apr_pool_t *p,
                              const struct ailes_notice_rec *n,
                              const char **subject, const char **body);

/* Queues an account mail for one user. */
apr_status_t ailes_notify_user(struct ailes_db *db, apr_pool_t *p,
                               apr_int64_t tenant_id, apr_int64_t user_id,
                               const char *kind, const char *employee_no,
                               apr_int64_t now);

/* Queues the mail of notice n for the tenant admins of each tenant in
 * tenant_ids (apr_int64_t); *queued counts the mails. */
apr_status_t ailes_notify_notice(struct ailes_db *db, apr_pool_t *p,
                                 const struct ailes_notice_rec *n,
                                 const apr_array_header_t *tenant_ids,
                                 apr_int64_t now, int *queued);

#endif
