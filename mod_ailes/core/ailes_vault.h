/* The name vault: personal names (and other directly identifying text)
 * sealed with AES-256-GCM and kept in a database separate from the main one
 * (the spec: 個人情報データのサーバー分離, AES-256).
 *
 * Each value gets a fresh random 96-bit nonce; the associated data binds the
 * ciphertext to (tenant id, user id, field), so a ciphertext copied to
 * another row does not open. Each row names the key that sealed it (the
 * key id is derived from the key, so no registry is needed).
 *
 * Key material lives in pool memory that is wiped when the pool dies; it
 * is never logged. Key rotation and the blind index come with the vault
 * issue.
 */
#ifndef AILES_VAULT_H
#define AILES_VAULT_H

#include <apr_pools.h>

struct ailes_db;

#define AILES_VAULT_KEY_BYTES 32
#define AILES_VAULT_NONCE_BYTES 12
#define AILES_VAULT_TAG_BYTES 16

typedef struct ailes_vault_key {
    char id[17];                            /* 16 hex chars of SHA-256(key) */
    unsigned char key[AILES_VAULT_KEY_BYTES];
} ailes_vault_key_t;

/* Loads a key file: exactly 32 bytes, a regular file that neither group
 * nor others may read. NULL or an error message naming the file. */
const char *ailes_vault_key_load(apr_pool_t *p, const char *path,
                                 ailes_vault_key_t **key);

/* Builds a key from raw bytes (tests, rotation). */
ailes_vault_key_t *ailes_vault_key_make(apr_pool_t *p,
                                        const unsigned char *raw);

/* Seals plain for (tenant, user, field); nonce and ciphertext+tag come
 * back base64-encoded. */
apr_status_t ailes_vault_seal(apr_pool_t *p, const ailes_vault_key_t *key,
                              apr_int64_t tenant_id, apr_int64_t user_id,
                              const char *field, const char *plain,
                              const char **nonce_b64, const char **ct_b64);

/* Opens what ailes_vault_seal made. APR_EINVAL when the key id differs,
 * APR_EGENERAL when authentication fails (wrong key, wrong row, edited). */
apr_status_t ailes_vault_open(apr_pool_t *p, const ailes_vault_key_t *key,
                              apr_int64_t tenant_id, apr_int64_t user_id,
                              const char *field, const char *key_id,
                              const char *nonce_b64, const char *ct_b64,
                              const char **plain);

/* The same as one string, "key_id.nonce.ciphertext", for secrets kept in
 * a single column of the main database (TOTP secrets). */
const char *ailes_vault_seal_text(apr_pool_t *p, const ailes_vault_key_t *key,
                                  apr_int64_t tenant_id, apr_int64_t user_id,
                                  const char *field, const char *plain);
/* NULL when the string is malformed or does not open. */
const char *ailes_vault_open_text(apr_pool_t *p, const ailes_vault_key_t *key,
                                  apr_int64_t tenant_id, apr_int64_t user_id,
                                  const char *field, const char *sealed);

/* Stores (replaces) a sealed field in the vault database. */
apr_status_t ailes_vault_put(struct ailes_db *vdb, apr_pool_t *p,
                             const ailes_vault_key_t *key,
                             apr_int64_t tenant_id, apr_int64_t user_id,
                             const char *field, const char *plain);

/* Reads and opens a field: APR_NOTFOUND when there is none. */
apr_status_t ailes_vault_get(struct ailes_db *vdb, apr_pool_t *p,
                             const ailes_vault_key_t *key,
                             apr_int64_t tenant_id, apr_int64_t user_id,
                             const char *field, const char **plain);

/* Removes every field of a tenant (its contract ended). */
apr_status_t ailes_vault_delete_tenant(struct ailes_db *vdb, apr_pool_t *p,
                                       apr_int64_t tenant_id);

/* Removes every field of a user (the user was deleted). */
apr_status_t ailes_vault_delete_user(struct ailes_db *vdb, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id);

#endif
