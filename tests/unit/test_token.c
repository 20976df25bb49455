/* ailes_token: random tokens, their stored hash, shape check and
 * comparison. */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "ailes_token.h"
#include "unit_tests.h"

static apr_pool_t *pool;

static void setup(void)
{
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

/* 43 characters of the base64url alphabet. */
#define GOOD "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_0"

START_TEST(token_new_is_43_chars_base64url)
{
    const char *t = ailes_token_new(pool);
    size_t i;

    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(strlen(t), AILES_TOKEN_CHARS);
    ck_assert_uint_eq(AILES_TOKEN_CHARS, 43);
    for (i = 0; i < AILES_TOKEN_CHARS; i++) {
        ck_assert_msg(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                             "vwxyz0123456789-_", t[i]) != NULL,
                      "character %zu of %s is not base64url", i, t);
    }
    ck_assert(ailes_token_wellformed(t));
}
END_TEST

START_TEST(token_new_is_distinct_over_1000_draws)
{
    apr_hash_t *seen = apr_hash_make(pool);
    int i;

    for (i = 0; i < 1000; i++) {
        const char *t = ailes_token_new(pool);
        ck_assert(ailes_token_wellformed(t));
        ck_assert_msg(apr_hash_get(seen, t, APR_HASH_KEY_STRING) == NULL,
                      "token %s drawn twice", t);
        apr_hash_set(seen, t, APR_HASH_KEY_STRING, t);
    }
    ck_assert_uint_eq(apr_hash_count(seen), 1000);
}
END_TEST

START_TEST(token_hash_is_sha256_hex)
{
    ck_assert_str_eq(ailes_token_hash(pool, "abc"),
                     "ba7816bf8f01cfea414140de5dae2223"
                     "b00361a396177a9cb410ff61f20015ad");
    ck_assert_str_eq(ailes_token_hash(pool, ""),
                     "e3b0c44298fc1c149afbf4c8996fb924"
                     "27ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(token_hash_differs_from_token)
{
    const char *t = ailes_token_new(pool);
    const char *h = ailes_token_hash(pool, t);

    ck_assert_uint_eq(strlen(h), 64);
    ck_assert_str_ne(h, t);
    ck_assert_str_eq(h, ailes_token_hash(pool, apr_pstrdup(pool, t)));
}
END_TEST

START_TEST(token_wellformed_accepts_exact_shape)
{
    ck_assert_uint_eq(strlen(GOOD), 43);
    ck_assert(ailes_token_wellformed(GOOD));
}
END_TEST

START_TEST(token_wellformed_rejects_wrong_length)
{
    char buf[64];

    memcpy(buf, GOOD, 42);
    buf[42] = '\0';
    ck_assert(!ailes_token_wellformed(buf));
    memcpy(buf, GOOD, 43);
    buf[43] = 'A';
    buf[44] = '\0';
    ck_assert(!ailes_token_wellformed(buf));
    ck_assert(!ailes_token_wellformed(""));
    ck_assert(!ailes_token_wellformed(NULL));
}
END_TEST

START_TEST(token_wellformed_rejects_foreign_characters)
{
    static const char bad[] = { '+', '/', '=', '.', ' ', '%', '~', '\n' };
    char buf[44];
    size_t i;

    for (i = 0; i < sizeof(bad); i++) {
        memcpy(buf, GOOD, 44);
        buf[10] = bad[i];
        ck_assert_msg(!ailes_token_wellformed(buf),
                      "accepted character 0x%02x", (unsigned)bad[i]);
    }
    /* padding at the end, the usual base64 leftover */
    memcpy(buf, GOOD, 44);
    buf[42] = '=';
    ck_assert(!ailes_token_wellformed(buf));
    /* a non-ASCII byte */
    memcpy(buf, GOOD, 44);
    buf[0] = (char)0xc3;
    ck_assert(!ailes_token_wellformed(buf));
}
END_TEST

START_TEST(token_equal)
{
    char copy[44];

    memcpy(copy, GOOD, 44);
    ck_assert(ailes_token_equal(GOOD, copy));
    ck_assert(ailes_token_equal("", ""));
    copy[42] = 'x';
    ck_assert(!ailes_token_equal(GOOD, copy));
    copy[42] = GOOD[42];
    copy[0] = 'b';
    ck_assert(!ailes_token_equal(GOOD, copy));
}
END_TEST

START_TEST(token_equal_null_never_matches)
{
    ck_assert(!ailes_token_equal(NULL, GOOD));
    ck_assert(!ailes_token_equal(GOOD, NULL));
    ck_assert(!ailes_token_equal(NULL, NULL));
}
END_TEST

START_TEST(token_equal_different_lengths)
{
    ck_assert(!ailes_token_equal("abc", "abcd"));
    ck_assert(!ailes_token_equal("abcd", "abc"));
    ck_assert(!ailes_token_equal("", "a"));
}
END_TEST

Suite *ailes_suite_token(void)
{
    Suite *s = suite_create("token");
    TCase *tc = tcase_create("token");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, token_new_is_43_chars_base64url);
    tcase_add_test(tc, token_new_is_distinct_over_1000_draws);
    tcase_add_test(tc, token_hash_is_sha256_hex);
    tcase_add_test(tc, token_hash_differs_from_token);
    tcase_add_test(tc, token_wellformed_accepts_exact_shape);
    tcase_add_test(tc, token_wellformed_rejects_wrong_length);
    tcase_add_test(tc, token_wellformed_rejects_foreign_characters);
    tcase_add_test(tc, token_equal);
    tcase_add_test(tc, token_equal_null_never_matches);
    tcase_add_test(tc, token_equal_different_lengths);
    suite_add_tcase(s, tc);
    return s;
}
