/* Password hashing with bcrypt through apr-util (the spec: bcrypt, never
 * plain text). Policy checks (length, classes) come with the login issue.
 */
#ifndef AILES_PASSWORD_H
#define AILES_PASSWORD_H

#include <apr_pools.h>

#define AILES_BCRYPT_COST_MIN 4
#define AILES_BCRYPT_COST_MAX 15
#define AILES_BCRYPT_COST_DEFAULT 12

/* bcrypt reads at most 72 bytes; longer passwords are refused, never
 * silently truncated. */
#define AILES_PASSWORD_MAX_BYTES 72

/* Hashes pw with a fresh random salt at the given cost. APR_EINVAL for a
 * cost outside 4..15, an empty or over-long password. */
apr_status_t ailes_password_hash(apr_pool_t *p, const char *pw, int cost,
                                 const char **hash);

/* True when pw matches hash. A NULL or malformed hash never matches but
 * still costs a bcrypt computation against *dummy (when given), so that a
 * missing account takes as long as a wrong password. */
int ailes_password_verify(const char *pw, const char *hash,
                          const char *dummy);

/* The cost a bcrypt hash was made with, or -1 when hash is no bcrypt hash
 * (a lower cost than configured means: rehash at the next login). */
int ailes_password_cost(const char *hash);

#endif
