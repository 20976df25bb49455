/* Random tokens (session ids, CSRF tokens) and their stored form.
 *
 * A token is 32 bytes from libsodium's CSPRNG, base64url without padding
 * (43 characters). Only its SHA-256 (hex) is ever stored, so a copy of the
 * database lets nobody hijack a session. Comparisons are constant-time.
 */
#ifndef AILES_TOKEN_H
#define AILES_TOKEN_H

#include <apr_pools.h>

#define AILES_TOKEN_BYTES 32
#define AILES_TOKEN_CHARS 43

/* Call once per process before threads start (wraps sodium_init). */
int ailes_crypto_init(void);

/* A fresh token, allocated in p. */
const char *ailes_token_new(apr_pool_t *p);

/* Lower-case hex SHA-256 of s. */
const char *ailes_token_hash(apr_pool_t *p, const char *s);

/* True when s has the exact shape of a token (length and alphabet). Lets
 * callers refuse junk before any database work. */
int ailes_token_wellformed(const char *s);

/* Constant-time equality of two NUL-terminated strings; the length is not
 * secret (all our tokens have the same length). NULL never matches. */
int ailes_token_equal(const char *a, const char *b);

/* Codes people type (recovery codes, activation codes): `nchars` letters
 * and digits from a 32-character alphabet without look-alikes (no i, l, o,
 * u), grouped by four with dashes ("abcd-efgh-jkmn"); 5 bits each. */
const char *ailes_code_new(apr_pool_t *p, int nchars);

/* SHA-256 hex of a code as typed (any case, dashes and spaces ignored);
 * NULL when it cannot be such a code of nchars characters. A fast hash is
 * enough: the codes carry 60 bits or more and expire or work once. */
const char *ailes_code_hash(apr_pool_t *p, const char *typed, int nchars);

#endif
