/* TOTP (RFC 6238) second factor and recovery codes.
 *
 * 30-second steps, 6 digits, HMAC-SHA-1: what every authenticator app
 * reads. Codes are computed with liboath; matching compares every
 * candidate in the window in constant time and refuses steps at or before
 * the last one accepted (replay). Recovery codes are random, shown once
 * and kept only as SHA-256 hashes (60 bits of entropy each: a fast hash is
 * safe, unlike for passwords).
 */
#ifndef AILES_TOTP_H
#define AILES_TOTP_H

#include <apr_pools.h>

#define AILES_TOTP_SECRET_BYTES 20     /* 160 bits, RFC 4226's advice */
#define AILES_TOTP_STEP 30
#define AILES_TOTP_DIGITS 6
#define AILES_TOTP_WINDOW_MAX 2
#define AILES_RECOVERY_CODES 10

/* Once per process, before threads (oath_init). */
int ailes_totp_init(void);

/* The code for time `now` (seconds) with `digits` digits, or NULL. */
const char *ailes_totp_code(apr_pool_t *p, const unsigned char *secret,
                            apr_size_t len, apr_int64_t now, int digits);

/* The step (now/30 + offset, offset within +-window) whose 6-digit code is
 * `code` and that is later than last_step; -1 when there is none (wrong
 * code, replayed code, malformed input). */
apr_int64_t ailes_totp_match(const unsigned char *secret, apr_size_t len,
                             const char *code, apr_int64_t now, int window,
                             apr_int64_t last_step);

/* A fresh random secret of AILES_TOTP_SECRET_BYTES. */
unsigned char *ailes_totp_secret_new(apr_pool_t *p);

/* RFC 4648 base32 without padding, and back (NULL when malformed). */
const char *ailes_totp_base32(apr_pool_t *p, const unsigned char *raw,
                              apr_size_t len);
unsigned char *ailes_totp_unbase32(apr_pool_t *p, const char *b32,
                                   apr_size_t *len);

/* otpauth://totp/ISSUER:TENANT%3AACCOUNT?secret=...&issuer=...: every part
 * percent-encoded as UTF-8 (Japanese tenant names included). */
const char *ailes_totp_uri(apr_pool_t *p, const char *issuer,
                           const char *tenant, const char *account,
                           const char *secret_b32);

/* True for exactly six ASCII digits. */
int ailes_totp_code_wellformed(const char *code);

/* "abcd-efgh-jkmn": 12 characters from a 32-letter alphabet without
 * look-alikes (no i, l, o, u), grouped by four. */
const char *ailes_recovery_code_new(apr_pool_t *p);

/* Hash of a recovery code as the user may type it (any case, with or
 * without dashes and spaces); NULL when it cannot be a recovery code. */
const char *ailes_recovery_code_hash(apr_pool_t *p, const char *typed);

#endif
