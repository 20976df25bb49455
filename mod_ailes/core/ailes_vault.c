/* Vault sealing and storage; see ailes_vault.h. */
#include <string.h>
#include <sys/stat.h>

#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "ailes_csv.h"
#include "ailes_db.h"
#include "ailes_log.h"
#include "ailes_time.h"
#include "ailes_vault.h"

static const ailes_stmt_t st_put = {
    "ailes_vault_put", 8,
    "INSERT INTO vault_fields (tenant_id, user_id, field, key_id, nonce, "
    "ciphertext, bidx, updated_at) VALUES (%lld, %lld, %s, %s, %s, %s, %s, "
    "%lld) ON CONFLICT (tenant_id, user_id, field) DO UPDATE SET "
    "key_id = excluded.key_id, nonce = excluded.nonce, "
    "ciphertext = excluded.ciphertext, bidx = excluded.bidx, "
    "updated_at = excluded.updated_at"
};

static const ailes_stmt_t st_find = {
    "ailes_vault_find", 4,
    "SELECT user_id FROM vault_fields WHERE tenant_id = %lld AND field = %s "
    "AND bidx = %s ORDER BY user_id LIMIT %lld"
};

static const ailes_stmt_t st_reindex_pick = {
    "ailes_vault_reindex_pick", 5,
    "SELECT tenant_id, user_id, key_id, nonce, ciphertext FROM vault_fields "
    "WHERE field = %s AND (tenant_id > %lld OR (tenant_id = %lld AND "
    "user_id > %lld)) ORDER BY tenant_id, user_id LIMIT %lld"
};

static const ailes_stmt_t st_reindex_put = {
    "ailes_vault_reindex_put", 5,
    "UPDATE vault_fields SET bidx = %s WHERE tenant_id = %lld AND "
    "user_id = %lld AND field = %s AND ciphertext = %s"
};

static const ailes_stmt_t st_get = {
    "ailes_vault_get", 3,
    "SELECT key_id, nonce, ciphertext FROM vault_fields "
    "WHERE tenant_id = %lld AND user_id = %lld AND field = %s"
};

static const ailes_stmt_t st_delete_user = {
    "ailes_vault_delete_user", 2,
    "DELETE FROM vault_fields WHERE tenant_id = %lld AND user_id = %lld"
};

/* One range query for a page of users: ids of a page lie close together
 * (users are created in batches), and rows outside the page are skipped
 * without being opened. */
static const ailes_stmt_t st_get_range = {
    "ailes_vault_get_range", 4,
    "SELECT user_id, key_id, nonce, ciphertext FROM vault_fields "
    "WHERE tenant_id = %lld AND field = %s AND user_id >= %lld "
    "AND user_id <= %lld"
};

static const ailes_stmt_t st_rotate_pick = {
    "ailes_vault_rotate_pick", 2,
    "SELECT tenant_id, user_id, field, key_id, nonce, ciphertext "
    "FROM vault_fields WHERE key_id = %s LIMIT %lld"
};

static const ailes_stmt_t st_rotate_put = {
    "ailes_vault_rotate_put", 7,
    "UPDATE vault_fields SET key_id = %s, nonce = %s, ciphertext = %s "
    "WHERE tenant_id = %lld AND user_id = %lld AND field = %s AND key_id = %s"
};

static const ailes_stmt_t st_rotate_left = {
    "ailes_vault_rotate_left", 1,
    "SELECT COUNT(*) FROM vault_fields WHERE key_id <> %s"
};

static const ailes_stmt_t st_rotate_totp_pick = {
    "ailes_vault_rotate_totp_pick", 2,
    "SELECT tenant_id, id, totp_secret FROM users WHERE totp_secret IS NOT "
    "NULL AND substr(totp_secret, 1, 16) <> %s LIMIT %lld"
};

static const ailes_stmt_t st_rotate_totp_put = {
    "ailes_vault_rotate_totp_put", 4,
    "UPDATE users SET totp_secret = %s WHERE tenant_id = %lld AND id = %lld "
    "AND totp_secret = %s"
};

static const ailes_stmt_t st_delete_tenant = {
    "ailes_vault_delete_tenant", 1,
    "DELETE FROM vault_fields WHERE tenant_id = %lld"
};

static apr_status_t wipe_key(void *data)
{
    sodium_memzero(data, sizeof(ailes_vault_key_t));
    return APR_SUCCESS;
}

ailes_vault_key_t *ailes_vault_key_make(apr_pool_t *p,
                                        const unsigned char *raw)
{
    ailes_vault_key_t *k = apr_pcalloc(p, sizeof(*k));
    unsigned char md[crypto_hash_sha256_BYTES];

    memcpy(k->key, raw, AILES_VAULT_KEY_BYTES);
    crypto_hash_sha256(md, raw, AILES_VAULT_KEY_BYTES);
    sodium_bin2hex(k->id, sizeof(k->id), md, 8);
    apr_pool_cleanup_register(p, k, wipe_key, apr_pool_cleanup_null);
    return k;
}

const char *ailes_vault_key_load(apr_pool_t *p, const char *path,
                                 ailes_vault_key_t **key)
{
    unsigned char raw[AILES_VAULT_KEY_BYTES + 1];
    struct stat st;
    apr_file_t *f;
    apr_size_t n = sizeof(raw);
    apr_status_t rv;

    *key = NULL;
    if (!path) {
        return "no vault key file configured (AilesVaultKeyFile)";
    }
    if (stat(path, &st) != 0) {
        return apr_psprintf(p, "vault key file %s does not exist", path);
    }
    if (!S_ISREG(st.st_mode)) {
        return apr_psprintf(p, "vault key file %s is not a regular file",
                            path);
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        return apr_psprintf(p, "vault key file %s must not be accessible by "
                            "group or others (chmod 0400)", path);
    }
    if (st.st_size != AILES_VAULT_KEY_BYTES) {
        return apr_psprintf(p, "vault key file %s must hold exactly %d bytes "
                            "(it has %ld)", path, AILES_VAULT_KEY_BYTES,
                            (long)st.st_size);
    }
    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, p);
    if (APR_SUCCESS != rv) {
        return apr_psprintf(p, "cannot read vault key file %s", path);
    }
    rv = apr_file_read_full(f, raw, sizeof(raw), &n);
    apr_file_close(f);
    if (n != AILES_VAULT_KEY_BYTES) {
        sodium_memzero(raw, sizeof(raw));
        return apr_psprintf(p, "vault key file %s must hold exactly %d bytes",
                            path, AILES_VAULT_KEY_BYTES);
    }
    *key = ailes_vault_key_make(p, raw);
    sodium_memzero(raw, sizeof(raw));
    return NULL;
}

/* "ailes-vault-v1" NUL tenant NUL user NUL field NUL: unambiguous because
 * no part contains NUL. */
static const char *make_aad(apr_pool_t *p, apr_int64_t tenant_id,
                            apr_int64_t user_id, const char *field,
                            int *len)
{
    const char *parts[4];
    size_t total = 0, i, n;
    char *buf, *w;

    parts[0] = "ailes-vault-v1";
    parts[1] = ailes_db_int(p, tenant_id);
    parts[2] = ailes_db_int(p, user_id);
    parts[3] = field;
    for (i = 0; i < 4; i++) {
        total += strlen(parts[i]) + 1;
    }
    buf = w = apr_palloc(p, total);
    for (i = 0; i < 4; i++) {
        n = strlen(parts[i]) + 1;
        memcpy(w, parts[i], n);
        w += n;
    }
    *len = (int)total;
    return buf;
}

static const char *b64(apr_pool_t *p, const unsigned char *bin, size_t n)
{
    size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = apr_palloc(p, len);

    return sodium_bin2base64(out, len, bin, n, sodium_base64_VARIANT_ORIGINAL);
}

static unsigned char *unb64(apr_pool_t *p, const char *s, size_t *n)
{
    size_t max = strlen(s);
    unsigned char *out = apr_palloc(p, max + 1);

    if (sodium_base642bin(out, max + 1, s, strlen(s), NULL, n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        return NULL;
    }
    return out;
}

apr_status_t ailes_vault_seal(apr_pool_t *p, const ailes_vault_key_t *key,
                              apr_int64_t tenant_id, apr_int64_t user_id,
                              const char *field, const char *plain,
                              const char **nonce_b64, const char **ct_b64)
{
    unsigned char nonce[AILES_VAULT_NONCE_BYTES];
    unsigned char *ct;
    int plen = (int)strlen(plain), aadlen, n = 0, total = 0;
    const char *aad = make_aad(p, tenant_id, user_id, field, &aadlen);
    EVP_CIPHER_CTX *ctx;
    apr_status_t rv = APR_EGENERAL;

    *nonce_b64 = *ct_b64 = NULL;
    randombytes_buf(nonce, sizeof(nonce));
    ct = apr_palloc(p, (apr_size_t)plen + AILES_VAULT_TAG_BYTES);
    if (!(ctx = EVP_CIPHER_CTX_new())) {
        return APR_ENOMEM;
    }
    if (1 != EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key->key, nonce)
        || 1 != EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)aad,
                                  aadlen)
        || 1 != EVP_EncryptUpdate(ctx, ct, &n, (const unsigned char *)plain,
                                  plen)) {
        goto leave;
    }
    total = n;
    if (1 != EVP_EncryptFinal_ex(ctx, ct + total, &n)) {
        goto leave;
    }
    total += n;
    if (1 != EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
                                 AILES_VAULT_TAG_BYTES, ct + total)) {
        goto leave;
    }
    total += AILES_VAULT_TAG_BYTES;
    *nonce_b64 = b64(p, nonce, sizeof(nonce));
    *ct_b64 = b64(p, ct, (size_t)total);
    rv = APR_SUCCESS;
leave:
    EVP_CIPHER_CTX_free(ctx);
    return rv;
}

apr_status_t ailes_vault_open(apr_pool_t *p, const ailes_vault_key_t *key,
                              apr_int64_t tenant_id, apr_int64_t user_id,
                              const char *field, const char *key_id,
                              const char *nonce_b64, const char *ct_b64,
                              const char **plain)
{
    unsigned char *nonce, *ct, *out;
    size_t nlen = 0, clen = 0;
    int aadlen, n = 0, total = 0;
    const char *aad = make_aad(p, tenant_id, user_id, field, &aadlen);
    EVP_CIPHER_CTX *ctx;
    apr_status_t rv = APR_EGENERAL;

    *plain = NULL;
    while (key && (!key_id || strcmp(key_id, key->id))) {
        key = key->next;
    }
    if (!key) {
        return APR_EINVAL;
    }
    nonce = unb64(p, nonce_b64, &nlen);
    ct = unb64(p, ct_b64, &clen);
    if (!nonce || !ct || nlen != AILES_VAULT_NONCE_BYTES
        || clen < AILES_VAULT_TAG_BYTES) {
        return APR_EGENERAL;
    }
    clen -= AILES_VAULT_TAG_BYTES;
    out = apr_palloc(p, clen + 1);
    if (!(ctx = EVP_CIPHER_CTX_new())) {
        return APR_ENOMEM;
    }
    if (1 != EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key->key, nonce)
        || 1 != EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)aad,
                                  aadlen)
        || 1 != EVP_DecryptUpdate(ctx, out, &n, ct, (int)clen)) {
        goto leave;
    }
    total = n;
    if (1 != EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
                                 AILES_VAULT_TAG_BYTES, ct + clen)
        || 1 != EVP_DecryptFinal_ex(ctx, out + total, &n)) {
        goto leave;
    }
    total += n;
    out[total] = '\0';
    *plain = (const char *)out;
    rv = APR_SUCCESS;
leave:
    EVP_CIPHER_CTX_free(ctx);
    if (APR_SUCCESS != rv) {
        sodium_memzero(out, clen + 1);
    }
    return rv;
}

const char *ailes_vault_seal_text(apr_pool_t *p, const ailes_vault_key_t *key,
                                  apr_int64_t tenant_id, apr_int64_t user_id,
                                  const char *field, const char *plain)
{
    const char *nonce, *ct;

    if (APR_SUCCESS != ailes_vault_seal(p, key, tenant_id, user_id, field,
                                        plain, &nonce, &ct)) {
        return NULL;
    }
    /* base64 never contains '.', so the parts split unambiguously. */
    return apr_pstrcat(p, key->id, ".", nonce, ".", ct, NULL);
}

const char *ailes_vault_open_text(apr_pool_t *p, const ailes_vault_key_t *key,
                                  apr_int64_t tenant_id, apr_int64_t user_id,
                                  const char *field, const char *sealed)
{
    char *copy, *nonce, *ct;
    const char *plain = NULL;

    if (!sealed) {
        return NULL;
    }
    copy = apr_pstrdup(p, sealed);
    if (!(nonce = strchr(copy, '.')) || !(ct = strchr(nonce + 1, '.'))) {
        return NULL;
    }
    *nonce++ = '\0';
    *ct++ = '\0';
    if (APR_SUCCESS != ailes_vault_open(p, key, tenant_id, user_id, field,
                                        copy, nonce, ct, &plain)) {
        return NULL;
    }
    return plain;
}

const char *ailes_vault_index_norm(apr_pool_t *p, const char *value)
{
    char *out = apr_pstrdup(p, ailes_fullwidth_to_ascii(p, value));
    char *w = out;
    const char *c;

    for (c = out; *c; c++) {
        if (*c == ' ' || *c == '\t') {
            continue;
        }
        *w++ = apr_tolower(*c);
    }
    *w = '\0';
    return out;
}

const char *ailes_vault_index_mac(apr_pool_t *p,
                                  const ailes_vault_key_t *ikey,
                                  apr_int64_t tenant_id, const char *field,
                                  const char *value)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    const char *t = apr_psprintf(p, "%" APR_INT64_T_FMT, tenant_id);
    const char *norm = ailes_vault_index_norm(p, value);
    char *hex = apr_palloc(p, sizeof(mac) * 2 + 1);

    /* Domain, tenant and field each end in NUL, so no two inputs run
     * together. */
    crypto_auth_hmacsha256_init(&st, ikey->key, sizeof(ikey->key));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"ailes-bidx-1",
                                  13);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)t,
                                  strlen(t) + 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)field,
                                  strlen(field) + 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)norm,
                                  strlen(norm));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof(st));
    sodium_bin2hex(hex, sizeof(mac) * 2 + 1, mac, sizeof(mac));
    return hex;
}

apr_status_t ailes_vault_put_indexed(ailes_db_t *vdb, apr_pool_t *p,
                                     const ailes_vault_key_t *key,
                                     const ailes_vault_key_t *ikey,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id, const char *field,
                                     const char *plain)
{
    const char *nonce, *ct;
    apr_status_t rv;

    rv = ailes_vault_seal(p, key, tenant_id, user_id, field, plain, &nonce,
                          &ct);
    if (APR_SUCCESS != rv) {
        return rv;
    }
    return ailes_db_exec(
        vdb, p, &st_put, NULL,
        AILES_ARGS(ailes_db_int(p, tenant_id), ailes_db_int(p, user_id),
                   field, key->id, nonce, ct,
                   ikey ? ailes_vault_index_mac(p, ikey, tenant_id, field,
                                                plain)
                        : NULL,
                   ailes_db_int(p, ailes_time_sec(apr_time_now()))));
}

apr_status_t ailes_vault_put(ailes_db_t *vdb, apr_pool_t *p,
                             const ailes_vault_key_t *key,
                             apr_int64_t tenant_id, apr_int64_t user_id,
                             const char *field, const char *plain)
{
    return ailes_vault_put_indexed(vdb, p, key, NULL, tenant_id, user_id,
                                   field, plain);
}

apr_status_t ailes_vault_find(ailes_db_t *vdb, apr_pool_t *p,
                              const ailes_vault_key_t *ikey,
                              apr_int64_t tenant_id, const char *field,
                              const char *value, int max,
                              apr_array_header_t **user_ids)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *user_ids = apr_array_make(p, 4, sizeof(apr_int64_t));
    rv = ailes_db_rows(vdb, p, &st_find, &rows,
                       AILES_ARGS(ailes_db_int(p, tenant_id), field,
                                  ailes_vault_index_mac(p, ikey, tenant_id,
                                                        field, value),
                                  ailes_db_int(p, max)));
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        APR_ARRAY_PUSH(*user_ids, apr_int64_t) =
            ailes_row_int(APR_ARRAY_IDX(rows, i, ailes_row_t *), 0);
    }
    return rv;
}

apr_status_t ailes_vault_reindex(ailes_db_t *vdb, apr_pool_t *p,
                                 const ailes_vault_key_t *ring,
                                 const ailes_vault_key_t *ikey,
                                 const char *field, int *done, int *failed)
{
    apr_int64_t tenant = -1, user = -1;
    apr_pool_t *batch;
    apr_status_t rv = APR_SUCCESS;

    *done = *failed = 0;
    apr_pool_create(&batch, p);
    for (;;) {
        apr_array_header_t *rows;
        int i;

        apr_pool_clear(batch);
        rv = ailes_db_rows(vdb, batch, &st_reindex_pick, &rows,
                           AILES_ARGS(field, ailes_db_int(batch, tenant),
                                      ailes_db_int(batch, tenant),
                                      ailes_db_int(batch, user),
                                      ailes_db_int(batch, 500)));
        if (APR_SUCCESS != rv || rows->nelts == 0) {
            break;
        }
        for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
            const ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
            const char *plain;

            tenant = ailes_row_int(row, 0);
            user = ailes_row_int(row, 1);
            if (APR_SUCCESS != ailes_vault_open(batch, ring, tenant, user,
                                                field, row->cols[2],
                                                row->cols[3], row->cols[4],
                                                &plain)) {
                (*failed)++;
                continue;
            }
            rv = ailes_db_exec(vdb, batch, &st_reindex_put, NULL,
                               AILES_ARGS(ailes_vault_index_mac(
                                              batch, ikey, tenant, field,
                                              plain),
                                          row->cols[0], row->cols[1], field,
                                          row->cols[4]));
            (*done)++;
        }
        if (APR_SUCCESS != rv) {
            break;
        }
    }
    apr_pool_destroy(batch);
    return rv;
}

apr_status_t ailes_vault_get(ailes_db_t *vdb, apr_pool_t *p,
                             const ailes_vault_key_t *key,
                             apr_int64_t tenant_id, apr_int64_t user_id,
                             const char *field, const char **plain)
{
    ailes_row_t *row;
    apr_status_t rv;

    *plain = NULL;
    rv = ailes_db_row(vdb, p, &st_get, &row,
                      AILES_ARGS(ailes_db_int(p, tenant_id),
                                 ailes_db_int(p, user_id), field));
    if (APR_SUCCESS != rv) {
        return rv;
    }
    rv = ailes_vault_open(p, key, tenant_id, user_id, field, row->cols[0],
                          row->cols[1], row->cols[2], plain);
    if (APR_SUCCESS != rv) {
        ailes_log(AILES_LOG_ERR, rv,
                  AILES_LOGNO(00010) "vault field %s of user %" APR_INT64_T_FMT
                  " in tenant %" APR_INT64_T_FMT " does not open with key %s",
                  field, user_id, tenant_id, key->id);
    }
    return rv;
}

apr_status_t ailes_vault_delete_user(ailes_db_t *vdb, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id)
{
    return ailes_db_exec(vdb, p, &st_delete_user, NULL,
                         AILES_ARGS(ailes_db_int(p, tenant_id),
                                    ailes_db_int(p, user_id)));
}

apr_status_t ailes_vault_delete_tenant(ailes_db_t *vdb, apr_pool_t *p,
                                       apr_int64_t tenant_id)
{
    return ailes_db_exec(vdb, p, &st_delete_tenant, NULL,
                         AILES_ARGS(ailes_db_int(p, tenant_id)));
}

apr_status_t ailes_vault_get_many(ailes_db_t *vdb, apr_pool_t *p,
                                  const ailes_vault_key_t *key,
                                  apr_int64_t tenant_id,
                                  const apr_int64_t *user_ids, int n,
                                  const char *field, apr_hash_t **out)
{
    apr_hash_t *want = apr_hash_make(p);
    apr_array_header_t *rows;
    apr_int64_t lo, hi;
    apr_status_t rv;
    int i;

    *out = apr_hash_make(p);
    if (n <= 0) {
        return APR_SUCCESS;
    }
    lo = hi = user_ids[0];
    for (i = 0; i < n; i++) {
        lo = user_ids[i] < lo ? user_ids[i] : lo;
        hi = user_ids[i] > hi ? user_ids[i] : hi;
        apr_hash_set(want, ailes_db_int(p, user_ids[i]), APR_HASH_KEY_STRING,
                     "");
    }
    rv = ailes_db_rows(vdb, p, &st_get_range, &rows,
                       AILES_ARGS(ailes_db_int(p, tenant_id), field,
                                  ailes_db_int(p, lo), ailes_db_int(p, hi)));
    for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
        ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        const char *plain;

        if (!apr_hash_get(want, row->cols[0], APR_HASH_KEY_STRING)) {
            continue;
        }
        if (APR_SUCCESS == ailes_vault_open(p, key, tenant_id,
                                            ailes_row_int(row, 0), field,
                                            row->cols[1], row->cols[2],
                                            row->cols[3], &plain)) {
            apr_hash_set(*out, row->cols[0], APR_HASH_KEY_STRING, plain);
        }
    }
    return rv;
}

apr_status_t ailes_vault_rotate(ailes_db_t *vdb, ailes_db_t *db, apr_pool_t *p,
                                const ailes_vault_key_t *ring, int batch,
                                int *done, apr_int64_t *left)
{
    const ailes_vault_key_t *old;
    apr_array_header_t *rows;
    ailes_row_t *count;
    apr_status_t rv = APR_SUCCESS;
    int i;

    *done = 0;
    *left = 0;
    for (old = ring->next; old && APR_SUCCESS == rv && *done < batch;
         old = old->next) {
        rv = ailes_db_rows(vdb, p, &st_rotate_pick, &rows,
                           AILES_ARGS(old->id,
                                      ailes_db_int(p, batch - *done)));
        for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
            ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
            apr_int64_t t = ailes_row_int(row, 0), u = ailes_row_int(row, 1);
            const char *plain, *nonce, *ct;

            if (APR_SUCCESS != ailes_vault_open(p, ring, t, u, row->cols[2],
                                                row->cols[3], row->cols[4],
                                                row->cols[5], &plain)
                || APR_SUCCESS != ailes_vault_seal(p, ring, t, u,
                                                   row->cols[2], plain,
                                                   &nonce, &ct)) {
                ailes_log(AILES_LOG_ERR, 0, AILES_LOGNO(00012)
                          "vault field %s of user %" APR_INT64_T_FMT
                          " does not open with key %s", row->cols[2], u,
                          old->id);
                rv = APR_EGENERAL;
                break;
            }
            rv = ailes_db_exec(vdb, p, &st_rotate_put, NULL,
                               AILES_ARGS(ring->id, nonce, ct,
                                          ailes_db_int(p, t),
                                          ailes_db_int(p, u), row->cols[2],
                                          old->id));
            (*done)++;
        }
    }
    /* TOTP secrets live sealed in the main database. */
    if (APR_SUCCESS == rv && *done < batch && db) {
        rv = ailes_db_rows(db, p, &st_rotate_totp_pick, &rows,
                           AILES_ARGS(ring->id,
                                      ailes_db_int(p, batch - *done)));
        for (i = 0; APR_SUCCESS == rv && i < rows->nelts; i++) {
            ailes_row_t *row = APR_ARRAY_IDX(rows, i, ailes_row_t *);
            apr_int64_t t = ailes_row_int(row, 0), u = ailes_row_int(row, 1);
            const char *b32 = ailes_vault_open_text(p, ring, t, u, "totp",
                                                    row->cols[2]);
            const char *sealed = b32 ? ailes_vault_seal_text(p, ring, t, u,
                                                             "totp", b32)
                                     : NULL;
            if (!sealed) {
                continue;       /* a key not in the ring: counted as left */
            }
            rv = ailes_db_exec(db, p, &st_rotate_totp_put, NULL,
                               AILES_ARGS(sealed, ailes_db_int(p, t),
                                          ailes_db_int(p, u), row->cols[2]));
            (*done)++;
        }
    }
    if (APR_SUCCESS == rv) {
        rv = ailes_db_row(vdb, p, &st_rotate_left, &count,
                          AILES_ARGS(ring->id));
        if (APR_SUCCESS == rv) {
            *left = ailes_row_int(count, 0);
        }
    }
    return rv;
}
