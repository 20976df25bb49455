/* Tokens; see ailes_token.h. */
#include <string.h>

#include <sodium.h>

#include "ailes_token.h"

int ailes_crypto_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

const char *ailes_token_new(apr_pool_t *p)
{
    unsigned char raw[AILES_TOKEN_BYTES];
    char *out = apr_palloc(p, AILES_TOKEN_CHARS + 1);

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, AILES_TOKEN_CHARS + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    return out;
}

const char *ailes_token_hash(apr_pool_t *p, const char *s)
{
    unsigned char md[crypto_hash_sha256_BYTES];
    char *hex = apr_palloc(p, 2 * sizeof(md) + 1);

    crypto_hash_sha256(md, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(hex, 2 * sizeof(md) + 1, md, sizeof(md));
    return hex;
}

int ailes_token_wellformed(const char *s)
{
    size_t i;

    if (!s || strlen(s) != AILES_TOKEN_CHARS) {
        return 0;
    }
    for (i = 0; i < AILES_TOKEN_CHARS; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            return 0;
        }
    }
    return 1;
}

int ailes_token_equal(const char *a, const char *b)
{
    size_t la, lb;

    if (!a || !b) {
        return 0;
    }
    la = strlen(a);
    lb = strlen(b);
    if (la != lb) {
        return 0;
    }
    return sodium_memcmp(a, b, la) == 0;
}

static const char code_alphabet[] = "abcdefghjkmnpqrstvwxyz0123456789";
#define CODE_MAX 32

const char *ailes_code_new(apr_pool_t *p, int nchars)
{
    char *out;
    int i, w = 0;

    if (nchars < 4 || nchars > CODE_MAX) {
        return NULL;
    }
    out = apr_palloc(p, (apr_size_t)nchars + nchars / 4 + 1);
    for (i = 0; i < nchars; i++) {
        if (i && i % 4 == 0) {
            out[w++] = '-';
        }
        out[w++] = code_alphabet[randombytes_uniform(sizeof(code_alphabet)
                                                     - 1)];
    }
    out[w] = '\0';
    return out;
}

const char *ailes_code_hash(apr_pool_t *p, const char *typed, int nchars)
{
    char norm[CODE_MAX + 1];
    int n = 0, i;

    if (!typed || nchars < 4 || nchars > CODE_MAX) {
        return NULL;
    }
    for (i = 0; typed[i]; i++) {
        char c = typed[i];
        if (c == '-' || c == ' ') {
            continue;
        }
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (n == nchars || !strchr(code_alphabet, c)) {
            return NULL;
        }
        norm[n++] = c;
    }
    if (n != nchars) {
        return NULL;
    }
    norm[n] = '\0';
    return ailes_token_hash(p, norm);
}
