/* TOTP and recovery codes; see ailes_totp.h. */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <liboath/oath.h>
#include <sodium.h>

#include "ailes_token.h"
#include "ailes_totp.h"

#define RECOVERY_CHARS 12

int ailes_totp_init(void)
{
    return oath_init() == OATH_OK ? 0 : -1;
}

const char *ailes_totp_code(apr_pool_t *p, const unsigned char *secret,
                            apr_size_t len, apr_int64_t now, int digits)
{
    char *out = apr_pcalloc(p, 16);

    if (digits < 6 || digits > 8 || now < 0
        || oath_totp_generate2((const char *)secret, len, (time_t)now,
                               AILES_TOTP_STEP, 0, (unsigned)digits, 0, out)
               != OATH_OK) {
        return NULL;
    }
    return out;
}

int ailes_totp_code_wellformed(const char *code)
{
    int i;

    if (!code || strlen(code) != AILES_TOTP_DIGITS) {
        return 0;
    }
    for (i = 0; i < AILES_TOTP_DIGITS; i++) {
        if (code[i] < '0' || code[i] > '9') {
            return 0;
        }
    }
    return 1;
}

apr_int64_t ailes_totp_match(const unsigned char *secret, apr_size_t len,
                             const char *code, apr_int64_t now, int window,
                             apr_int64_t last_step)
{
    apr_int64_t step = now / AILES_TOTP_STEP, found = -1;
    int off;

    if (!ailes_totp_code_wellformed(code) || window < 0
        || window > AILES_TOTP_WINDOW_MAX || now < 0) {
        return -1;
    }
    /* Every candidate is computed and compared, so the time taken does not
     * say which offset matched. */
    for (off = -window; off <= window; off++) {
        char cand[16];
        apr_int64_t s = step + off;

        if (s < 0 || oath_totp_generate2((const char *)secret, len,
                                         (time_t)(s * AILES_TOTP_STEP),
                                         AILES_TOTP_STEP, 0,
                                         AILES_TOTP_DIGITS, 0, cand)
                         != OATH_OK) {
            continue;
        }
        if (sodium_memcmp(cand, code, AILES_TOTP_DIGITS) == 0
            && s > last_step && found < 0) {
            found = s;
        }
        sodium_memzero(cand, sizeof(cand));
    }
    return found;
}

unsigned char *ailes_totp_secret_new(apr_pool_t *p)
{
    unsigned char *s = apr_palloc(p, AILES_TOTP_SECRET_BYTES);

    randombytes_buf(s, AILES_TOTP_SECRET_BYTES);
    return s;
}

const char *ailes_totp_base32(apr_pool_t *p, const unsigned char *raw,
                              apr_size_t len)
{
    char *enc = NULL, *out, *eq;
    size_t n = 0;

    if (oath_base32_encode((const char *)raw, len, &enc, &n) != OATH_OK) {
        return NULL;
    }
    out = apr_pstrmemdup(p, enc, n);
    sodium_memzero(enc, n);
    free(enc);
    if ((eq = strchr(out, '='))) {
        *eq = '\0';             /* authenticator apps want no padding */
    }
    return out;
}

unsigned char *ailes_totp_unbase32(apr_pool_t *p, const char *b32,
                                   apr_size_t *len)
{
    char *dec = NULL;
    unsigned char *out;
    size_t n = 0;

    *len = 0;
    if (!b32 || !*b32
        || oath_base32_decode(b32, strlen(b32), &dec, &n) != OATH_OK) {
        return NULL;
    }
    out = apr_palloc(p, n ? n : 1);
    memcpy(out, dec, n);
    sodium_memzero(dec, n);
    free(dec);
    *len = n;
    return out;
}

/* RFC 3986: unreserved characters stay, every other byte is %XX. */
static const char *pct(apr_pool_t *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s), i;
    char *out = apr_palloc(p, 3 * n + 1), *w = out;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
            || c == '~') {
            *w++ = (char)c;
        }
        else {
            *w++ = '%';
            *w++ = hex[c >> 4];
            *w++ = hex[c & 15];
        }
    }
    *w = '\0';
    return out;
}

const char *ailes_totp_uri(apr_pool_t *p, const char *issuer,
                           const char *tenant, const char *account,
                           const char *secret_b32)
{
    return apr_pstrcat(p, "otpauth://totp/", pct(p, issuer), ":",
                       pct(p, tenant), "%3A", pct(p, account),
                       "?secret=", pct(p, secret_b32), "&issuer=",
                       pct(p, issuer),
                       "&algorithm=SHA1&digits=6&period=30", NULL);
}

const char *ailes_recovery_code_new(apr_pool_t *p)
{
    return ailes_code_new(p, RECOVERY_CHARS);
}

const char *ailes_recovery_code_hash(apr_pool_t *p, const char *typed)
{
    return ailes_code_hash(p, typed, RECOVERY_CHARS);
}
