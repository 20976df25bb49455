/* Queueing notification mail from a request (ailes_mailq.c): the account
 * events (locked, password changed, TOTP enrolled or reset) add a row to
 * the mail queue that `ailesctl mail flush` sends. Nothing is queued
 * without AilesMailRelay; a failure to queue is logged and never changes
 * the answer of the request (a login above all).
 */
#ifndef AILES_MAILQ_H
#define AILES_MAILQ_H

#include <httpd.h>

struct ailes_db;

/* Queues mail of `kind` (AILES_NOTIFY_*) for the user. */
void ailes_mailq_user(request_rec *r, struct ailes_db *db,
                      apr_int64_t tenant_id, apr_int64_t user_id,
                      const char *employee_no, const char *kind);

/* The same by employee number; an unknown number queues nothing. */
void ailes_mailq_employee(request_rec *r, struct ailes_db *db,
                          apr_int64_t tenant_id, const char *employee_no,
                          const char *kind);

#endif
