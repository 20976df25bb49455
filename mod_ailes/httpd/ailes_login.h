/* The lockout rules shared by every secret a user proves: the password at
 * login and at a password change, and the TOTP or recovery code.
 *
 * An attempt is counted (atomically, in the database) *before* the secret
 * is checked, so concurrent guesses on any node never get more than
 * AilesLockout checks; the counter is keyed by tenant and employee number
 * whether or not the user exists. Only a completed login clears it: a
 * right password followed by wrong codes keeps counting.
 */
#ifndef AILES_LOGIN_H
#define AILES_LOGIN_H

#include <httpd.h>

struct ailes_db;

typedef enum {
    AILES_ATTEMPT_GO = 0,       /* check the secret now */
    AILES_ATTEMPT_LOCKED,       /* answer 423, check nothing */
    AILES_ATTEMPT_UNAVAILABLE   /* the database did not answer: 503 */
} ailes_attempt_t;

/* Counts an attempt; *failures is its number since the last success. */
ailes_attempt_t ailes_login_attempt(request_rec *r, struct ailes_db *db,
                                    apr_int64_t tenant_id,
                                    const char *employee_no, int *failures);

/* The secret was wrong: audits `action` and locks when the attempt was
 * the last allowed. APR_SUCCESS unless the database failed. */
apr_status_t ailes_login_failed(request_rec *r, struct ailes_db *db,
                                apr_int64_t tenant_id,
                                const char *employee_no, int failures,
                                const char *action);

/* The login is complete: forget the failures. */
apr_status_t ailes_login_succeeded(request_rec *r, struct ailes_db *db,
                                   apr_int64_t tenant_id,
                                   const char *employee_no);

#endif
