/* ailes_vault: AES-256-GCM sealing bound to (tenant, user, field), key
 * files, and the vault database on a temp SQLite file. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_strings.h>
#include <sodium.h>

#include "ailes_db.h"
#include "ailes_migrate.h"
#include "ailes_vault.h"
#include "unit_tests.h"

static apr_pool_t *pool;
static const char *dir;
static ailes_vault_key_t *key;

/* 山田 太郎 (a personal name) in UTF-8 */
#define NAME "\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e"

static const unsigned char raw1[AILES_VAULT_KEY_BYTES] = {
    1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32
};

static void setup(void)
{
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
    ailes_test_log_capture();
    dir = ailes_test_mkdtemp(pool);
    key = ailes_vault_key_make(pool, raw1);
    ck_assert_ptr_nonnull(key);
}

static void teardown(void)
{
    ailes_test_rmtree(dir);
    apr_pool_destroy(pool);
}

static ailes_vault_key_t *other_key(void)
{
    unsigned char raw[AILES_VAULT_KEY_BYTES];

    memcpy(raw, raw1, sizeof(raw));
    raw[31] ^= 0x01;
    return ailes_vault_key_make(pool, raw);
}

/* A copy of a key with another id, so that open reaches the AEAD check. */
static ailes_vault_key_t *other_key_same_id(void)
{
    ailes_vault_key_t *k = other_key();

    memcpy(k->id, key->id, sizeof(k->id));
    return k;
}

static const char *flip_byte(const char *b64, size_t at)
{
    unsigned char bin[1024];
    size_t n = 0;
    char *out = apr_palloc(pool, 2048);

    ck_assert_int_eq(sodium_base642bin(bin, sizeof(bin), b64, strlen(b64),
                                       NULL, &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    ck_assert_uint_gt(n, at);
    bin[at] ^= 0x80;
    return sodium_bin2base64(out, 2048, bin, n,
                             sodium_base64_VARIANT_ORIGINAL);
}

/* --- keys ---------------------------------------------------------------- */

START_TEST(vault_key_id_is_16_hex)
{
    size_t i;

    ck_assert_uint_eq(strlen(key->id), 16);
    for (i = 0; i < 16; i++) {
        ck_assert_msg(strchr("0123456789abcdef", key->id[i]) != NULL,
                      "key id %s", key->id);
    }
    ck_assert_int_eq(memcmp(key->key, raw1, sizeof(raw1)), 0);
}
END_TEST

START_TEST(vault_key_id_is_sha256_prefix)
{
    unsigned char md[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];

    crypto_hash_sha256(md, raw1, sizeof(raw1));
    sodium_bin2hex(hex, sizeof(hex), md, sizeof(md));
    hex[16] = '\0';
    ck_assert_str_eq(key->id, hex);
}
END_TEST

START_TEST(vault_key_ids_equal_for_equal_keys)
{
    ailes_vault_key_t *again = ailes_vault_key_make(pool, raw1);

    ck_assert_str_eq(again->id, key->id);
    ck_assert_str_ne(other_key()->id, key->id);
}
END_TEST

START_TEST(vault_key_wiped_when_pool_cleared)
{
    apr_pool_t *sub;
    ailes_vault_key_t *k;
    static const unsigned char zero[AILES_VAULT_KEY_BYTES];

    ck_assert_int_eq(apr_pool_create(&sub, pool), APR_SUCCESS);
    k = ailes_vault_key_make(sub, raw1);
    ck_assert_int_eq(memcmp(k->key, raw1, sizeof(raw1)), 0);
    /* apr_pool_clear keeps the pool's memory, so the struct can still be
     * read after its cleanup ran. */
    apr_pool_clear(sub);
    ck_assert_int_eq(memcmp(k->key, zero, sizeof(zero)), 0);
    apr_pool_destroy(sub);
}
END_TEST

static const char *keyfile(const char *name, size_t len, mode_t mode)
{
    const char *path = apr_pstrcat(pool, dir, "/", name, NULL);
    char buf[64];

    memset(buf, 0x5a, sizeof(buf));
    memcpy(buf, raw1, sizeof(raw1));
    ailes_test_write(path, buf, len, mode);
    return path;
}

START_TEST(vault_key_load_ok)
{
    ailes_vault_key_t *k = NULL;
    const char *err = ailes_vault_key_load(pool, keyfile("k", 32, 0400), &k);

    ck_assert_msg(err == NULL, "error: %s", err ? err : "");
    ck_assert_ptr_nonnull(k);
    ck_assert_str_eq(k->id, key->id);
    ck_assert_int_eq(memcmp(k->key, raw1, sizeof(raw1)), 0);
    err = ailes_vault_key_load(pool, keyfile("k6", 32, 0600), &k);
    ck_assert_msg(err == NULL, "error: %s", err ? err : "");
}
END_TEST

START_TEST(vault_key_load_refuses_group_readable)
{
    ailes_vault_key_t *k = (ailes_vault_key_t *)1;
    const char *err = ailes_vault_key_load(pool, keyfile("k", 32, 0440), &k);

    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(k);
    ck_assert_msg(strstr(err, "group or others") != NULL, "error: %s", err);
}
END_TEST

START_TEST(vault_key_load_refuses_world_readable)
{
    ailes_vault_key_t *k = (ailes_vault_key_t *)1;
    const char *err = ailes_vault_key_load(pool, keyfile("k", 32, 0404), &k);

    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(k);
    ck_assert_msg(strstr(err, "group or others") != NULL, "error: %s", err);
    err = ailes_vault_key_load(pool, keyfile("k2", 32, 0402), &k);
    ck_assert_ptr_nonnull(err);
    err = ailes_vault_key_load(pool, keyfile("k3", 32, 0410), &k);
    ck_assert_ptr_nonnull(err);
}
END_TEST

START_TEST(vault_key_load_refuses_wrong_size)
{
    ailes_vault_key_t *k = (ailes_vault_key_t *)1;
    const char *path = keyfile("short", 31, 0400);
    const char *err = ailes_vault_key_load(pool, path, &k);

    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(k);
    ck_assert_msg(strstr(err, path) != NULL, "error: %s", err);
    err = ailes_vault_key_load(pool, keyfile("long", 33, 0400), &k);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(k);
    err = ailes_vault_key_load(pool, keyfile("empty", 0, 0400), &k);
    ck_assert_ptr_nonnull(err);
}
END_TEST

START_TEST(vault_key_load_refuses_missing_file)
{
    ailes_vault_key_t *k = (ailes_vault_key_t *)1;
    const char *path = apr_pstrcat(pool, dir, "/absent.key", NULL);
    const char *err = ailes_vault_key_load(pool, path, &k);

    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(k);
    ck_assert_msg(strstr(err, path) != NULL, "error: %s", err);
    ck_assert_ptr_nonnull(ailes_vault_key_load(pool, NULL, &k));
}
END_TEST

START_TEST(vault_key_load_refuses_directory)
{
    ailes_vault_key_t *k = (ailes_vault_key_t *)1;
    const char *path = apr_pstrcat(pool, dir, "/keydir", NULL);
    const char *err;

    ck_assert_int_eq(mkdir(path, 0700), 0);
    err = ailes_vault_key_load(pool, path, &k);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(k);
}
END_TEST

/* --- seal / open --------------------------------------------------------- */

START_TEST(vault_seal_open_round_trip)
{
    const char *nonce = NULL, *ct = NULL, *plain = NULL;

    ck_assert_int_eq(ailes_vault_seal(pool, key, 1, 2, "name", NAME, &nonce,
                                      &ct),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(nonce);
    ck_assert_ptr_nonnull(ct);
    ck_assert_ptr_null(strstr(ct, NAME));
    ck_assert_int_eq(ailes_vault_open(pool, key, 1, 2, "name", key->id,
                                      nonce, ct, &plain),
                     APR_SUCCESS);
    ck_assert_str_eq(plain, NAME);
}
END_TEST

START_TEST(vault_seal_empty_text)
{
    const char *nonce, *ct, *plain = NULL;

    ck_assert_int_eq(ailes_vault_seal(pool, key, 1, 2, "name", "", &nonce,
                                      &ct),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_open(pool, key, 1, 2, "name", key->id,
                                      nonce, ct, &plain),
                     APR_SUCCESS);
    ck_assert_str_eq(plain, "");
}
END_TEST

START_TEST(vault_seal_sizes)
{
    const char *nonce, *ct;
    unsigned char bin[256];
    size_t n = 0;

    ck_assert_int_eq(ailes_vault_seal(pool, key, 1, 2, "name", "abc", &nonce,
                                      &ct),
                     APR_SUCCESS);
    ck_assert_int_eq(sodium_base642bin(bin, sizeof(bin), nonce,
                                       strlen(nonce), NULL, &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    ck_assert_uint_eq(n, AILES_VAULT_NONCE_BYTES);
    ck_assert_int_eq(sodium_base642bin(bin, sizeof(bin), ct, strlen(ct), NULL,
                                       &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    ck_assert_uint_eq(n, 3 + AILES_VAULT_TAG_BYTES);
}
END_TEST

START_TEST(vault_seal_twice_differs)
{
    const char *n1, *c1, *n2, *c2;

    ck_assert_int_eq(ailes_vault_seal(pool, key, 1, 2, "name", NAME, &n1,
                                      &c1),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_seal(pool, key, 1, 2, "name", NAME, &n2,
                                      &c2),
                     APR_SUCCESS);
    ck_assert_str_ne(n1, n2);
    ck_assert_str_ne(c1, c2);
}
END_TEST

START_TEST(vault_open_with_other_key_id_is_einval)
{
    ailes_vault_key_t *k2 = other_key();
    const char *nonce, *ct, *plain = "x";

    ck_assert_int_eq(ailes_vault_seal(pool, key, 1, 2, "name", NAME, &nonce,
                                      &ct),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_open(pool, k2, 1, 2, "name", key->id, nonce,
                                      ct, &plain),
                     APR_EINVAL);
    ck_assert_ptr_null(plain);
    ck_assert_int_eq(ailes_vault_open(pool, key, 1, 2, "name", NULL, nonce,
                                      ct, &plain),
                     APR_EINVAL);
}
END_TEST

START_TEST(vault_open_with_other_key_bytes_is_egeneral)
{
    /* Same id, different key bytes: the GCM tag must fail. */
    ailes_vault_key_t *k2 = other_key_same_id();
    const char *nonce, *ct, *plain = "x";

    ck_assert_int_eq(ailes_vault_seal(pool, key, 1, 2, "name", NAME, &nonce,
                                      &ct),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_open(pool, k2, 1, 2, "name", key->id, nonce,
                                      ct, &plain),
                     APR_EGENERAL);
    ck_assert_ptr_null(plain);
}
END_TEST

START_TEST(vault_open_bound_to_tenant_user_field)
{
    const char *nonce, *ct, *plain = "x";

    ck_assert_int_eq(ailes_vault_seal(pool, key, 1, 2, "name", NAME, &nonce,
                                      &ct),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_open(pool, key, 9, 2, "name", key->id, nonce,
                                      ct, &plain),
                     APR_EGENERAL);
    ck_assert_ptr_null(plain);
    ck_assert_int_eq(ailes_vault_open(pool, key, 1, 9, "name", key->id, nonce,
                                      ct, &plain),
                     APR_EGENERAL);
    ck_assert_int_eq(ailes_vault_open(pool, key, 1, 2, "kana", key->id, nonce,
                                      ct, &plain),
                     APR_EGENERAL);
    /* (12, 3) and (1, 23) must not share associated data */
    ck_assert_int_eq(ailes_vault_seal(pool, key, 12, 3, "name", NAME, &nonce,
                                      &ct),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_open(pool, key, 1, 23, "name", key->id,
                                      nonce, ct, &plain),
                     APR_EGENERAL);
}
END_TEST

START_TEST(vault_open_edited_ciphertext_fails)
{
    const char *nonce, *ct, *plain = "x";

    ck_assert_int_eq(ailes_vault_seal(pool, key, 1, 2, "name", NAME, &nonce,
                                      &ct),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_open(pool, key, 1, 2, "name", key->id, nonce,
                                      flip_byte(ct, 0), &plain),
                     APR_EGENERAL);
    ck_assert_ptr_null(plain);
    /* the last byte is part of the tag */
    ck_assert_int_eq(ailes_vault_open(pool, key, 1, 2, "name", key->id, nonce,
                                      flip_byte(ct, strlen(NAME)
                                                        + AILES_VAULT_TAG_BYTES
                                                        - 1),
                                      &plain),
                     APR_EGENERAL);
    ck_assert_int_eq(ailes_vault_open(pool, key, 1, 2, "name", key->id,
                                      flip_byte(nonce, 3), ct, &plain),
                     APR_EGENERAL);
}
END_TEST

START_TEST(vault_open_garbage_fails)
{
    const char *nonce, *ct, *plain = "x";

    ck_assert_int_eq(ailes_vault_seal(pool, key, 1, 2, "name", NAME, &nonce,
                                      &ct),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_open(pool, key, 1, 2, "name", key->id,
                                      "not base64!", ct, &plain),
                     APR_EGENERAL);
    ck_assert_ptr_null(plain);
    ck_assert_int_eq(ailes_vault_open(pool, key, 1, 2, "name", key->id, nonce,
                                      "AAAA", &plain),
                     APR_EGENERAL);
    ck_assert_int_eq(ailes_vault_open(pool, key, 1, 2, "name", key->id, ct,
                                      ct, &plain),
                     APR_EGENERAL);
    ck_assert_int_eq(ailes_vault_open(pool, key, 1, 2, "name", key->id, nonce,
                                      "", &plain),
                     APR_EGENERAL);
}
END_TEST

/* --- seal_text / open_text ----------------------------------------------- */

/* The three parts of "key_id.nonce.ct"; aborts unless there are exactly
 * three. */
static void split_sealed(const char *sealed, const char **kid,
                         const char **nonce, const char **ct)
{
    char *copy = apr_pstrdup(pool, sealed), *d1, *d2;

    d1 = strchr(copy, '.');
    ck_assert_msg(d1 != NULL, "no dot in %s", sealed);
    d2 = strchr(d1 + 1, '.');
    ck_assert_msg(d2 != NULL, "one dot in %s", sealed);
    ck_assert_msg(strchr(d2 + 1, '.') == NULL, "three dots in %s", sealed);
    *d1 = *d2 = '\0';
    *kid = copy;
    *nonce = d1 + 1;
    *ct = d2 + 1;
}

START_TEST(vault_text_round_trip)
{
    const char *sealed = ailes_vault_seal_text(pool, key, 1, 2, "totp", NAME);
    const char *secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    ck_assert_ptr_nonnull(sealed);
    ck_assert_ptr_null(strstr(sealed, NAME));
    ck_assert_str_eq(ailes_vault_open_text(pool, key, 1, 2, "totp", sealed),
                     NAME);
    sealed = ailes_vault_seal_text(pool, key, 7, 8, "totp", secret);
    ck_assert_ptr_nonnull(sealed);
    ck_assert_ptr_null(strstr(sealed, secret));
    ck_assert_str_eq(ailes_vault_open_text(pool, key, 7, 8, "totp", sealed),
                     secret);
    sealed = ailes_vault_seal_text(pool, key, 7, 8, "totp", "");
    ck_assert_ptr_nonnull(sealed);
    ck_assert_str_eq(ailes_vault_open_text(pool, key, 7, 8, "totp", sealed),
                     "");
}
END_TEST

START_TEST(vault_text_form)
{
    const char *sealed = ailes_vault_seal_text(pool, key, 1, 2, "totp",
                                               "abc");
    const char *kid, *nonce, *ct, *plain = NULL;
    unsigned char bin[256];
    size_t n = 0;

    ck_assert_ptr_nonnull(sealed);
    split_sealed(sealed, &kid, &nonce, &ct);
    ck_assert_str_eq(kid, key->id);
    ck_assert_int_eq(strncmp(sealed, key->id, 16), 0);
    ck_assert_int_eq(sealed[16], '.');
    ck_assert_int_eq(sodium_base642bin(bin, sizeof(bin), nonce,
                                       strlen(nonce), NULL, &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    ck_assert_uint_eq(n, AILES_VAULT_NONCE_BYTES);
    ck_assert_int_eq(sodium_base642bin(bin, sizeof(bin), ct, strlen(ct), NULL,
                                       &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    ck_assert_uint_eq(n, 3 + AILES_VAULT_TAG_BYTES);
    /* the parts are what ailes_vault_open takes */
    ck_assert_int_eq(ailes_vault_open(pool, key, 1, 2, "totp", kid, nonce, ct,
                                      &plain),
                     APR_SUCCESS);
    ck_assert_str_eq(plain, "abc");
}
END_TEST

START_TEST(vault_text_bound_to_tenant_user_field)
{
    const char *sealed = ailes_vault_seal_text(pool, key, 1, 2, "totp", NAME);

    ck_assert_ptr_nonnull(sealed);
    ck_assert_ptr_null(ailes_vault_open_text(pool, key, 9, 2, "totp",
                                             sealed));
    ck_assert_ptr_null(ailes_vault_open_text(pool, key, 1, 9, "totp",
                                             sealed));
    ck_assert_ptr_null(ailes_vault_open_text(pool, key, 1, 2, "name",
                                             sealed));
    ck_assert_ptr_null(ailes_vault_open_text(pool, key, 2, 1, "totp",
                                             sealed));
    /* still opens where it belongs */
    ck_assert_str_eq(ailes_vault_open_text(pool, key, 1, 2, "totp", sealed),
                     NAME);
}
END_TEST

START_TEST(vault_text_other_key_fails)
{
    const char *sealed = ailes_vault_seal_text(pool, key, 1, 2, "totp", NAME);

    ck_assert_ptr_nonnull(sealed);
    ck_assert_ptr_null(ailes_vault_open_text(pool, other_key(), 1, 2, "totp",
                                             sealed));
    /* same id, other bytes: the GCM tag fails */
    ck_assert_ptr_null(ailes_vault_open_text(pool, other_key_same_id(), 1, 2,
                                             "totp", sealed));
    /* sealed with the other key, opened with ours */
    sealed = ailes_vault_seal_text(pool, other_key(), 1, 2, "totp", NAME);
    ck_assert_ptr_nonnull(sealed);
    ck_assert_int_ne(strncmp(sealed, key->id, 16), 0);
    ck_assert_ptr_null(ailes_vault_open_text(pool, key, 1, 2, "totp",
                                             sealed));
}
END_TEST

START_TEST(vault_text_malformed)
{
    const char *sealed = ailes_vault_seal_text(pool, key, 1, 2, "totp", NAME);
    const char *kid, *nonce, *ct;

    ck_assert_ptr_nonnull(sealed);
    split_sealed(sealed, &kid, &nonce, &ct);
    ck_assert_ptr_null(ailes_vault_open_text(pool, key, 1, 2, "totp", ""));
    ck_assert_ptr_null(ailes_vault_open_text(pool, key, 1, 2, "totp", "abc"));
    ck_assert_ptr_null(ailes_vault_open_text(pool, key, 1, 2, "totp", "a.b"));
    ck_assert_ptr_null(ailes_vault_open_text(pool, key, 1, 2, "totp",
                                             "a..b"));
    ck_assert_ptr_null(ailes_vault_open_text(pool, key, 1, 2, "totp", NULL));
    ck_assert_ptr_null(ailes_vault_open_text(pool, key, 1, 2, "totp", "."));
    ck_assert_ptr_null(ailes_vault_open_text(pool, key, 1, 2, "totp", ".."));
    /* with the right key id, so that the parts themselves are checked */
    ck_assert_ptr_null(ailes_vault_open_text(
        pool, key, 1, 2, "totp", apr_pstrcat(pool, kid, "..", NULL)));
    ck_assert_ptr_null(ailes_vault_open_text(
        pool, key, 1, 2, "totp", apr_pstrcat(pool, kid, ".", nonce, NULL)));
    ck_assert_ptr_null(ailes_vault_open_text(
        pool, key, 1, 2, "totp",
        apr_pstrcat(pool, kid, ".", nonce, ".", NULL)));
    ck_assert_ptr_null(ailes_vault_open_text(
        pool, key, 1, 2, "totp", apr_pstrcat(pool, kid, "..", ct, NULL)));
    ck_assert_ptr_null(ailes_vault_open_text(
        pool, key, 1, 2, "totp",
        apr_pstrcat(pool, kid, ".", ct, ".", nonce, NULL)));
    ck_assert_ptr_null(ailes_vault_open_text(
        pool, key, 1, 2, "totp", apr_pstrcat(pool, sealed, ".x", NULL)));
    ck_assert_ptr_null(ailes_vault_open_text(
        pool, key, 1, 2, "totp", apr_pstrcat(pool, ".", sealed, NULL)));
    ck_assert_ptr_null(ailes_vault_open_text(
        pool, key, 1, 2, "totp",
        apr_pstrcat(pool, kid, ".", nonce, ".", flip_byte(ct, 0), NULL)));
    ck_assert_ptr_null(ailes_vault_open_text(
        pool, key, 1, 2, "totp",
        apr_pstrcat(pool, kid, ".", flip_byte(nonce, 0), ".", ct, NULL)));
    /* a truncated copy of a good one */
    ck_assert_ptr_null(ailes_vault_open_text(
        pool, key, 1, 2, "totp",
        apr_pstrndup(pool, sealed, strlen(sealed) - 4)));
    /* the untouched string still opens */
    ck_assert_str_eq(ailes_vault_open_text(pool, key, 1, 2, "totp", sealed),
                     NAME);
}
END_TEST

START_TEST(vault_text_twice_differs)
{
    const char *a = ailes_vault_seal_text(pool, key, 1, 2, "totp", NAME);
    const char *b = ailes_vault_seal_text(pool, key, 1, 2, "totp", NAME);
    const char *ka, *na, *ca, *kb, *nb, *cb;

    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_ne(a, b);
    split_sealed(a, &ka, &na, &ca);
    split_sealed(b, &kb, &nb, &cb);
    ck_assert_str_eq(ka, kb);
    ck_assert_str_ne(na, nb);
    ck_assert_str_ne(ca, cb);
    ck_assert_str_eq(ailes_vault_open_text(pool, key, 1, 2, "totp", a), NAME);
    ck_assert_str_eq(ailes_vault_open_text(pool, key, 1, 2, "totp", b), NAME);
}
END_TEST

/* --- vault database ------------------------------------------------------ */

static const ailes_stmt_t st_move_row = {
    "test_vault_move", 2,
    "UPDATE vault_fields SET user_id = %lld WHERE user_id = %lld"
};

static ailes_db_t *open_vault_db(const char *path)
{
    ailes_db_t *vdb = NULL;
    const char *err = NULL;
    int applied = -1;

    ck_assert_msg(APR_SUCCESS == ailes_db_open(pool, "sqlite3", path, &vdb,
                                               &err),
                  "open: %s", err ? err : "");
    ck_assert_msg(APR_SUCCESS == ailes_migrate(vdb, pool, "vault", &applied,
                                               &err),
                  "migrate: %s", err ? err : "");
    ck_assert_int_ge(applied, 1);
    return vdb;
}

START_TEST(vault_migrate_applies_once)
{
    /* The rerun uses a fresh connection: the same-connection case is
     * store's migrate_applies_once. */
    const char *path = apr_pstrcat(pool, dir, "/v.db", NULL);
    ailes_db_t *vdb = open_vault_db(path);
    const char *err = NULL;
    int applied = -1, version = -1;

    ailes_db_close(vdb);
    ck_assert_int_eq(ailes_db_open(pool, "sqlite3", path, &vdb, &err),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_migrate_version(vdb, pool, &version), APR_SUCCESS);
    ck_assert_int_eq(version, ailes_migrate_latest("sqlite3", "vault"));
    ck_assert_int_eq(ailes_migrate(vdb, pool, "vault", &applied, &err),
                     APR_SUCCESS);
    ck_assert_int_eq(applied, 0);
    ailes_db_close(vdb);
}
END_TEST

START_TEST(vault_put_get_round_trip)
{
    ailes_db_t *vdb = open_vault_db(apr_pstrcat(pool, dir, "/v.db", NULL));
    const char *plain = NULL;

    ck_assert_int_eq(ailes_vault_put(vdb, pool, key, 1, 2, "name", NAME),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_get(vdb, pool, key, 1, 2, "name", &plain),
                     APR_SUCCESS);
    ck_assert_str_eq(plain, NAME);
    ailes_db_close(vdb);
}
END_TEST

START_TEST(vault_put_twice_replaces)
{
    ailes_db_t *vdb = open_vault_db(apr_pstrcat(pool, dir, "/v.db", NULL));
    const char *plain = NULL;

    ck_assert_int_eq(ailes_vault_put(vdb, pool, key, 1, 2, "name", "first"),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_put(vdb, pool, key, 1, 2, "name", NAME),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_get(vdb, pool, key, 1, 2, "name", &plain),
                     APR_SUCCESS);
    ck_assert_str_eq(plain, NAME);
    ailes_db_close(vdb);
}
END_TEST

START_TEST(vault_get_absent_is_notfound)
{
    ailes_db_t *vdb = open_vault_db(apr_pstrcat(pool, dir, "/v.db", NULL));
    const char *plain = "x";

    ck_assert_int_eq(ailes_vault_put(vdb, pool, key, 1, 2, "name", NAME),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_get(vdb, pool, key, 1, 2, "kana", &plain),
                     APR_NOTFOUND);
    ck_assert_ptr_null(plain);
    ck_assert_int_eq(ailes_vault_get(vdb, pool, key, 1, 3, "name", &plain),
                     APR_NOTFOUND);
    ck_assert_int_eq(ailes_vault_get(vdb, pool, key, 2, 2, "name", &plain),
                     APR_NOTFOUND);
    ailes_db_close(vdb);
}
END_TEST

START_TEST(vault_get_with_other_key_fails)
{
    ailes_db_t *vdb = open_vault_db(apr_pstrcat(pool, dir, "/v.db", NULL));
    const char *plain = "x";

    ck_assert_int_eq(ailes_vault_put(vdb, pool, key, 1, 2, "name", NAME),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_get(vdb, pool, other_key(), 1, 2, "name",
                                     &plain),
                     APR_EINVAL);
    ck_assert_ptr_null(plain);
    ailes_db_close(vdb);
}
END_TEST

START_TEST(vault_row_copied_to_other_user_does_not_open)
{
    ailes_db_t *vdb = open_vault_db(apr_pstrcat(pool, dir, "/v.db", NULL));
    const char *plain = "x";
    int n = 0;

    ck_assert_int_eq(ailes_vault_put(vdb, pool, key, 1, 2, "name", NAME),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_db_exec(vdb, pool, &st_move_row, &n,
                                   AILES_ARGS("3", "2")),
                     APR_SUCCESS);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(ailes_vault_get(vdb, pool, key, 1, 3, "name", &plain),
                     APR_EGENERAL);
    ck_assert_ptr_null(plain);
    /* logged without the plaintext */
    ck_assert_ptr_null(strstr(ailes_test_log_text(), NAME));
    ailes_db_close(vdb);
}
END_TEST

START_TEST(vault_plaintext_not_in_database_file)
{
    const char *path = apr_pstrcat(pool, dir, "/v.db", NULL);
    const char *marker = "PLAINTEXT-MARKER-1234567890";
    ailes_db_t *vdb = open_vault_db(path);
    const char *data, *plain;
    size_t len = 0;
    struct stat st;

    ck_assert_int_eq(ailes_vault_put(vdb, pool, key, 1, 2, "name", NAME),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_put(vdb, pool, key, 1, 2, "note", marker),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_vault_get(vdb, pool, key, 1, 2, "note", &plain),
                     APR_SUCCESS);
    ck_assert_str_eq(plain, marker);
    ailes_db_close(vdb);

    data = ailes_test_read(pool, path, &len);
    ck_assert_uint_gt(len, 0);
    /* the field name is stored in clear: proves we read the right bytes */
    ck_assert(ailes_test_memmem(data, len, "note", 4));
    ck_assert(!ailes_test_memmem(data, len, marker, strlen(marker)));
    ck_assert(!ailes_test_memmem(data, len, NAME, strlen(NAME)));
    ck_assert(!ailes_test_memmem(data, len, "\xe5\xb1\xb1\xe7\x94\xb0", 6));
    /* nor in a WAL file left behind */
    if (stat(apr_pstrcat(pool, path, "-wal", NULL), &st) == 0) {
        data = ailes_test_read(pool, apr_pstrcat(pool, path, "-wal", NULL),
                               &len);
        ck_assert(!ailes_test_memmem(data, len, marker, strlen(marker)));
        ck_assert(!ailes_test_memmem(data, len, NAME, strlen(NAME)));
    }
}
END_TEST

START_TEST(vault_index_norm)
{
    ck_assert_str_eq(ailes_vault_index_norm(pool, NAME),
                     "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e");
    /* The ideographic space and full-width letters. */
    ck_assert_str_eq(ailes_vault_index_norm(pool, "\xef\xbc\xaa" "ane"
                                                  "\xe3\x80\x80" "DOE "),
                     "janedoe");
    ck_assert_str_eq(ailes_vault_index_norm(pool, "\t"), "");
}
END_TEST

START_TEST(vault_index_mac_keyed_and_bound)
{
    const char *a = ailes_vault_index_mac(pool, key, 1, "name", NAME);

    ck_assert_uint_eq(strlen(a), 64);
    ck_assert_str_eq(a, ailes_vault_index_mac(pool, key, 1, "name",
                                              "\xe5\xb1\xb1\xe7\x94\xb0"
                                              "\xe5\xa4\xaa\xe9\x83\x8e"));
    ck_assert_str_ne(a, ailes_vault_index_mac(pool, other_key(), 1, "name",
                                              NAME));
    ck_assert_str_ne(a, ailes_vault_index_mac(pool, key, 2, "name", NAME));
    ck_assert_str_ne(a, ailes_vault_index_mac(pool, key, 1, "email", NAME));
    /* Tenant and field cannot run together: (1, "1name") vs (11, "name"). */
    ck_assert_str_ne(ailes_vault_index_mac(pool, key, 1, "1name", "x"),
                     ailes_vault_index_mac(pool, key, 11, "name", "x"));
    ck_assert_ptr_null(strstr(a, "\xe5\xb1\xb1"));
}
END_TEST

Suite *ailes_suite_vault(void)
{
    Suite *s = suite_create("vault");
    TCase *tk = tcase_create("key");
    TCase *tc = tcase_create("seal");
    TCase *td = tcase_create("db");

    tcase_add_checked_fixture(tk, setup, teardown);
    tcase_add_test(tk, vault_key_id_is_16_hex);
    tcase_add_test(tk, vault_key_id_is_sha256_prefix);
    tcase_add_test(tk, vault_key_ids_equal_for_equal_keys);
    tcase_add_test(tk, vault_key_wiped_when_pool_cleared);
    tcase_add_test(tk, vault_key_load_ok);
    tcase_add_test(tk, vault_key_load_refuses_group_readable);
    tcase_add_test(tk, vault_key_load_refuses_world_readable);
    tcase_add_test(tk, vault_key_load_refuses_wrong_size);
    tcase_add_test(tk, vault_key_load_refuses_missing_file);
    tcase_add_test(tk, vault_key_load_refuses_directory);
    suite_add_tcase(s, tk);

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, vault_seal_open_round_trip);
    tcase_add_test(tc, vault_seal_empty_text);
    tcase_add_test(tc, vault_seal_sizes);
    tcase_add_test(tc, vault_seal_twice_differs);
    tcase_add_test(tc, vault_open_with_other_key_id_is_einval);
    tcase_add_test(tc, vault_open_with_other_key_bytes_is_egeneral);
    tcase_add_test(tc, vault_open_bound_to_tenant_user_field);
    tcase_add_test(tc, vault_open_edited_ciphertext_fails);
    tcase_add_test(tc, vault_open_garbage_fails);
    tcase_add_test(tc, vault_text_round_trip);
    tcase_add_test(tc, vault_text_form);
    tcase_add_test(tc, vault_text_bound_to_tenant_user_field);
    tcase_add_test(tc, vault_text_other_key_fails);
    tcase_add_test(tc, vault_text_malformed);
    tcase_add_test(tc, vault_text_twice_differs);
    tcase_add_test(tc, vault_index_norm);
    tcase_add_test(tc, vault_index_mac_keyed_and_bound);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(td, setup, teardown);
    tcase_set_timeout(td, 30);
    tcase_add_test(td, vault_migrate_applies_once);
    tcase_add_test(td, vault_put_get_round_trip);
    tcase_add_test(td, vault_put_twice_replaces);
    tcase_add_test(td, vault_get_absent_is_notfound);
    tcase_add_test(td, vault_get_with_other_key_fails);
    tcase_add_test(td, vault_row_copied_to_other_user_does_not_open);
    tcase_add_test(td, vault_plaintext_not_in_database_file);
    suite_add_tcase(s, td);
    return s;
}
