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
 * is never logged.
 *
 * Exact-match search by name uses a blind index: HMAC-SHA-256 under a key
 * of its own (AilesVaultIndexKeyFile) of the tenant, the field and the
 * normalised value, kept next to the sealed value. Equal names of one
 * tenant give equal index values; nothing else can be read from them.
 */
#ifndef AILES_VAULT_H
#define AILES_VAULT_H

#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_tables.h>

struct ailes_db;

#define AILES_VAULT_KEY_BYTES 32
#define AILES_VAULT_NONCE_BYTES 12
#define AILES_VAULT_TAG_BYTES 16

/* A key ring: the first key seals; every key in the chain opens what it
 * sealed (rotation: the new key first, the old ones after it until
 * `ailesctl vault rotate-key` has re-sealed every row). */
typedef struct ailes_vault_key {
    char id[17];                            /* 16 hex chars of SHA-256(key) */
    unsigned char key[AILES_VAULT_KEY_BYTES];
    struct ailes_vault_key *next;           /* older keys, or NULL */
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

/* Opens what ailes_vault_seal made, with the key of the ring whose id is
 * key_id. APR_EINVAL when no key of the ring has that id, APR_EGENERAL
 * when authentication fails (wrong key, wrong row, edited). */
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

/* A value as the blind index sees it: full-width ASCII as ASCII, no
 * spaces (of either width), ASCII letters in lower case; so "山田　太郎",
 * "山田 太郎" and "山田太郎" match. */
const char *ailes_vault_index_norm(apr_pool_t *p, const char *value);

/* The blind index of a value: hex HMAC-SHA-256 under ikey's key. */
const char *ailes_vault_index_mac(apr_pool_t *p,
                                  const ailes_vault_key_t *ikey,
                                  apr_int64_t tenant_id, const char *field,
                                  const char *value);

/* ailes_vault_put that also stores the blind index under ikey (none when
 * ikey is NULL). */
apr_status_t ailes_vault_put_indexed(struct ailes_db *vdb, apr_pool_t *p,
                                     const ailes_vault_key_t *key,
                                     const ailes_vault_key_t *ikey,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id, const char *field,
                                     const char *plain);

/* Users of the tenant whose `field` matches value exactly (after
 * normalisation), by the blind index: at most max apr_int64_t ids,
 * smallest first. */
apr_status_t ailes_vault_find(struct ailes_db *vdb, apr_pool_t *p,
                              const ailes_vault_key_t *ikey,
                              apr_int64_t tenant_id, const char *field,
                              const char *value, int max,
                              apr_array_header_t **user_ids);

/* Writes the blind index under ikey of every `field` value (after a new
 * index key, or values written without one), in batches. *failed counts
 * values that do not open with the ring. */
apr_status_t ailes_vault_reindex(struct ailes_db *vdb, apr_pool_t *p,
                                 const ailes_vault_key_t *ring,
                                 const ailes_vault_key_t *ikey,
                                 const char *field, int *done, int *failed);

/* Reads and opens a field: APR_NOTFOUND when there is none. */
apr_status_t ailes_vault_get(struct ailes_db *vdb, apr_pool_t *p,
                             const ailes_vault_key_t *key,
                             apr_int64_t tenant_id, apr_int64_t user_id,
                             const char *field, const char **plain);

/* Opens `field` for many users with one query: *out maps the decimal user
 * id (string) to the plaintext. Users without the field, or whose value
 * does not open, are simply absent. The ids must be of one tenant. */
apr_status_t ailes_vault_get_many(struct ailes_db *vdb, apr_pool_t *p,
                                  const ailes_vault_key_t *key,
                                  apr_int64_t tenant_id,
                                  const apr_int64_t *user_ids, int n,
                                  const char *field, apr_hash_t **out);

/* Re-seals up to `batch` vault rows (and then TOTP secrets of the main
 * database) that another key of the ring sealed, with the ring's first
 * key; each row in its own statement, so an interruption loses nothing
 * and a second run goes on. *done counts re-sealed values, *left the
 * values still sealed with another key (those of keys not in the ring
 * included). */
apr_status_t ailes_vault_rotate(struct ailes_db *vdb, struct ailes_db *db,
                                apr_pool_t *p, const ailes_vault_key_t *ring,
                                int batch, int *done, apr_int64_t *left);

/* Removes every field of a tenant (its contract ended). */
apr_status_t ailes_vault_delete_tenant(struct ailes_db *vdb, apr_pool_t *p,
                                       apr_int64_t tenant_id);

/* Removes every field of a user (the user was deleted). */
apr_status_t ailes_vault_delete_user(struct ailes_db *vdb, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id);

#endif
