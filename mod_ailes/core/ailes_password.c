/* bcrypt via apr-util; see ailes_password.h. */
#include <string.h>

#include <apr_md5.h>
#include <sodium.h>

#include "ailes_password.h"

/* "$2y$" + cost + "$" + 53 characters of salt and hash, plus NUL. */
#define BCRYPT_OUT_LEN 64

apr_status_t ailes_password_hash(apr_pool_t *p, const char *pw, int cost,
                                 const char **hash)
{
    unsigned char salt[16];
    char *out;
    size_t len = pw ? strlen(pw) : 0;
    apr_status_t rv;

    *hash = NULL;
    if (len == 0 || len > AILES_PASSWORD_MAX_BYTES
        || cost < AILES_BCRYPT_COST_MIN || cost > AILES_BCRYPT_COST_MAX) {
        return APR_EINVAL;
    }
    out = apr_pcalloc(p, BCRYPT_OUT_LEN);
    randombytes_buf(salt, sizeof(salt));
    rv = apr_bcrypt_encode(pw, (unsigned int)cost, salt, sizeof(salt), out,
                           BCRYPT_OUT_LEN);
    sodium_memzero(salt, sizeof(salt));
    if (APR_SUCCESS == rv) {
        *hash = out;
    }
    return rv;
}

int ailes_password_verify(const char *pw, const char *hash,
                          const char *dummy)
{
    int usable = hash && !strncmp(hash, "$2", 2);

    if (!pw) {
        pw = "";
    }
    /* bcrypt would read 72 bytes and ignore the rest: a longer password is
     * wrong, never "right up to byte 72". */
    if (strlen(pw) > AILES_PASSWORD_MAX_BYTES) {
        usable = 0;
        if (!dummy) {
            dummy = hash;
        }
        pw = "";
    }
    if (!usable) {
        if (dummy) {
            (void)apr_password_validate(pw, dummy);
        }
        return 0;
    }
    return APR_SUCCESS == apr_password_validate(pw, hash);
}

int ailes_password_cost(const char *hash)
{
    /* "$2y$12$" + 53 characters */
    if (!hash || strlen(hash) != 60 || hash[0] != '$' || hash[1] != '2'
        || hash[3] != '$' || hash[6] != '$' || hash[4] < '0' || hash[4] > '9'
        || hash[5] < '0' || hash[5] > '9') {
        return -1;
    }
    return (hash[4] - '0') * 10 + (hash[5] - '0');
}
