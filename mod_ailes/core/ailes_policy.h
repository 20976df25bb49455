/* Password policy (the spec's パスワード section, DESIGN.md's roles table).
 *
 * Employees and examinees: at least 8 characters; every role that sees
 * other people's data: at least 12. Always at least one ASCII upper-case
 * letter, one lower-case letter and one digit; full-width (全角) letters
 * and digits do not count, and the caller is told so. Never more than 72
 * bytes (bcrypt ignores the rest: we refuse rather than truncate). Never
 * the employee number itself.
 */
#ifndef AILES_POLICY_H
#define AILES_POLICY_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "ailes_role.h"

#define AILES_PW_MIN_EMPLOYEE 8
#define AILES_PW_MIN_PRIVILEGED 12

/* One broken rule: a stable code for programs, a sentence for people. */
typedef struct ailes_policy_violation {
    const char *rule;       /* "min_length", "max_bytes", "upper", "lower",
                               "digit", "not_employee_no", "utf8",
                               "fullwidth" */
    const char *message;
} ailes_policy_violation_t;

/* The minimum length for a role. */
int ailes_policy_min_length(ailes_role_t role);

/* Checks pw for a user of `role` with `employee_no` (may be NULL). Returns
 * NULL when the password is acceptable, else an array of
 * ailes_policy_violation_t (every rule broken, in a fixed order). */
apr_array_header_t *ailes_policy_check(apr_pool_t *p, const char *pw,
                                       ailes_role_t role,
                                       const char *employee_no);

/* "a; b; c": the messages of a violation list on one line (CLI). */
const char *ailes_policy_summary(apr_pool_t *p,
                                 const apr_array_header_t *violations);

#endif
