/* ailes_password: bcrypt hashing and verification, the length and cost
 * limits, and that nothing but bcrypt ever matches. */
#include <string.h>

#include <apr_md5.h>
#include <apr_sha1.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "ailes_password.h"
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

static const char *repeat(char c, size_t n)
{
    char *s = apr_palloc(pool, n + 1);

    memset(s, c, n);
    s[n] = '\0';
    return s;
}

START_TEST(password_hash_cost4_is_2y_and_verifies)
{
    const char *h = NULL;

    ck_assert_int_eq(ailes_password_hash(pool, "correct horse", 4, &h),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(h);
    ck_assert_msg(!strncmp(h, "$2y$04$", 7), "hash %s", h);
    ck_assert_uint_eq(strlen(h), 60);
    ck_assert(ailes_password_verify("correct horse", h, NULL));
}
END_TEST

START_TEST(password_hash_salts_differ)
{
    const char *h1, *h2;

    ck_assert_int_eq(ailes_password_hash(pool, "pw", 4, &h1), APR_SUCCESS);
    ck_assert_int_eq(ailes_password_hash(pool, "pw", 4, &h2), APR_SUCCESS);
    ck_assert_str_ne(h1, h2);
    ck_assert(ailes_password_verify("pw", h1, NULL));
    ck_assert(ailes_password_verify("pw", h2, NULL));
}
END_TEST

START_TEST(password_wrong_password_fails)
{
    const char *h;

    ck_assert_int_eq(ailes_password_hash(pool, "correct horse", 4, &h),
                     APR_SUCCESS);
    ck_assert(!ailes_password_verify("correct hors", h, NULL));
    ck_assert(!ailes_password_verify("correct horse ", h, NULL));
    ck_assert(!ailes_password_verify("Correct horse", h, NULL));
    ck_assert(!ailes_password_verify("", h, NULL));
    ck_assert(!ailes_password_verify(NULL, h, NULL));
}
END_TEST

START_TEST(password_cost_limits)
{
    const char *h = "unchanged";

    ck_assert_int_eq(ailes_password_hash(pool, "pw", 3, &h), APR_EINVAL);
    ck_assert_ptr_null(h);
    h = "unchanged";
    ck_assert_int_eq(ailes_password_hash(pool, "pw", 16, &h), APR_EINVAL);
    ck_assert_ptr_null(h);
    ck_assert_int_eq(ailes_password_hash(pool, "pw", 0, &h), APR_EINVAL);
    ck_assert_int_eq(ailes_password_hash(pool, "pw", -1, &h), APR_EINVAL);
    ck_assert_int_eq(ailes_password_hash(pool, "pw", 31, &h), APR_EINVAL);
    ck_assert_int_eq(ailes_password_hash(pool, "pw", 5, &h), APR_SUCCESS);
    ck_assert_msg(!strncmp(h, "$2y$05$", 7), "hash %s", h);
}
END_TEST

START_TEST(password_empty_is_refused)
{
    const char *h = "unchanged";

    ck_assert_int_eq(ailes_password_hash(pool, "", 4, &h), APR_EINVAL);
    ck_assert_ptr_null(h);
    ck_assert_int_eq(ailes_password_hash(pool, NULL, 4, &h), APR_EINVAL);
    ck_assert_ptr_null(h);
}
END_TEST

START_TEST(password_73_bytes_refused_72_ok)
{
    const char *h = "unchanged";

    ck_assert_int_eq(ailes_password_hash(pool, repeat('a', 73), 4, &h),
                     APR_EINVAL);
    ck_assert_ptr_null(h);
    ck_assert_int_eq(ailes_password_hash(pool, repeat('a', 72), 4, &h),
                     APR_SUCCESS);
    ck_assert(ailes_password_verify(repeat('a', 72), h, NULL));
    ck_assert(!ailes_password_verify(repeat('a', 71), h, NULL));
}
END_TEST

START_TEST(password_72_bytes_counted_in_bytes_not_characters)
{
    /* 25 three-byte characters are 75 bytes: too long for bcrypt. */
    const char *h;
    char *pw = apr_palloc(pool, 3 * 25 + 1);
    int i;

    for (i = 0; i < 25; i++) {
        memcpy(pw + 3 * i, "\xe3\x81\x82", 3); /* あ */
    }
    pw[75] = '\0';
    ck_assert_int_eq(ailes_password_hash(pool, pw, 4, &h), APR_EINVAL);
    pw[72] = '\0';
    ck_assert_int_eq(ailes_password_hash(pool, pw, 4, &h), APR_SUCCESS);
    ck_assert(ailes_password_verify(pw, h, NULL));
}
END_TEST

START_TEST(password_verify_refuses_over_long_password)
{
    /* The header: "longer passwords are refused, never silently
     * truncated". bcrypt itself only reads 72 bytes, so a 73-byte
     * password whose first 72 bytes are right must still be refused by
     * verify, or anything may be appended to a 72-byte password. */
    const char *pw72 = repeat('k', 72);
    const char *h;

    ck_assert_int_eq(ailes_password_hash(pool, pw72, 4, &h), APR_SUCCESS);
    ck_assert(ailes_password_verify(pw72, h, NULL));
    ck_assert_msg(!ailes_password_verify(apr_pstrcat(pool, pw72, "X", NULL),
                                         h, NULL),
                  "a 73-byte password matched the hash of its first 72 "
                  "bytes");
}
END_TEST

START_TEST(password_verify_null_hash_never_matches)
{
    const char *dummy;

    ck_assert_int_eq(ailes_password_hash(pool, "pw", 4, &dummy),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_password_verify("pw", NULL, NULL), 0);
    ck_assert_int_eq(ailes_password_verify("pw", NULL, dummy), 0);
    /* even the password the dummy was made from */
    ck_assert_int_eq(ailes_password_verify("pw", "", dummy), 0);
}
END_TEST

START_TEST(password_verify_null_hash_costs_a_bcrypt_run)
{
    /* A missing account must take about as long as a wrong password. The
     * margin (a quarter) keeps the test stable on a busy machine. */
    const char *dummy, *real;
    apr_time_t t0, t_wrong, t_missing;

    ck_assert_int_eq(ailes_password_hash(pool, "dummy", 10, &dummy),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_password_hash(pool, "real", 10, &real),
                     APR_SUCCESS);
    t0 = apr_time_now();
    ck_assert(!ailes_password_verify("guess", real, dummy));
    t_wrong = apr_time_now() - t0;
    t0 = apr_time_now();
    ck_assert(!ailes_password_verify("guess", NULL, dummy));
    t_missing = apr_time_now() - t0;
    ck_assert_msg(t_missing * 4 >= t_wrong,
                  "missing account took %ld us, wrong password %ld us",
                  (long)t_missing, (long)t_wrong);
}
END_TEST

START_TEST(password_non_bcrypt_never_matches)
{
    char md5[120];
    char sha[64];

    /* plain text equal to the password */
    ck_assert_int_eq(ailes_password_verify("secret", "secret", NULL), 0);
    /* apr1 (MD5) and {SHA} hashes of the password: apr_password_validate
     * would accept them, we must not. */
    ck_assert_int_eq(apr_md5_encode("secret", "$apr1$abcdefgh$", md5,
                                    sizeof(md5)),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_password_validate("secret", md5), APR_SUCCESS);
    ck_assert_int_eq(ailes_password_verify("secret", md5, NULL), 0);
    apr_sha1_base64("secret", 6, sha);
    ck_assert_int_eq(apr_password_validate("secret", sha), APR_SUCCESS);
    ck_assert_int_eq(ailes_password_verify("secret", sha, NULL), 0);
    /* "$2" prefix but no valid bcrypt string, equal to the password */
    ck_assert_int_eq(ailes_password_verify("$2secret", "$2secret", NULL), 0);
    ck_assert_int_eq(ailes_password_verify("$2y$04$", "$2y$04$", NULL), 0);
}
END_TEST

START_TEST(password_truncated_hash_never_matches)
{
    const char *h;

    ck_assert_int_eq(ailes_password_hash(pool, "pw", 4, &h), APR_SUCCESS);
    ck_assert_int_eq(ailes_password_verify("pw",
                                           apr_pstrndup(pool, h, 59), NULL),
                     0);
    ck_assert_int_eq(ailes_password_verify("pw",
                                           apr_pstrndup(pool, h, 29), NULL),
                     0);
}
END_TEST

START_TEST(password_cost_of_own_hashes)
{
    const char *h;

    ck_assert_int_eq(ailes_password_hash(pool, "pw", 4, &h), APR_SUCCESS);
    ck_assert_int_eq(ailes_password_cost(h), 4);
    ck_assert_int_eq(ailes_password_hash(pool, "pw", 10, &h), APR_SUCCESS);
    ck_assert_msg(!strncmp(h, "$2y$10$", 7), "hash %s", h);
    ck_assert_int_eq(ailes_password_cost(h), 10);
}
END_TEST

START_TEST(password_cost_of_non_bcrypt_is_minus_one)
{
    const char *h;
    char *bad;

    ck_assert_int_eq(ailes_password_hash(pool, "pw", 4, &h), APR_SUCCESS);
    ck_assert_int_eq(ailes_password_cost(NULL), -1);
    ck_assert_int_eq(ailes_password_cost(""), -1);
    ck_assert_int_eq(ailes_password_cost("plain"), -1);
    /* one character short, one too many */
    ck_assert_int_eq(ailes_password_cost(apr_pstrndup(pool, h, 59)), -1);
    ck_assert_int_eq(ailes_password_cost(apr_pstrcat(pool, h, "x", NULL)),
                     -1);
    /* a cost that is no number */
    bad = apr_pstrdup(pool, h);
    memcpy(bad, "$2y$1a$", 7);
    ck_assert_int_eq(ailes_password_cost(bad), -1);
    memcpy(bad, "$2y$-4$", 7);
    ck_assert_int_eq(ailes_password_cost(bad), -1);
    /* not "$2.$" */
    memcpy(bad, "$1y$04$", 7);
    ck_assert_int_eq(ailes_password_cost(bad), -1);
    memcpy(bad, "$2y$04x", 7);
    ck_assert_int_eq(ailes_password_cost(bad), -1);
    /* an MD5 hash padded to 60 characters */
    ck_assert_int_eq(ailes_password_cost(apr_pstrcat(pool,
                         "$apr1$abcdefgh$", repeat('x', 45), NULL)),
                     -1);
}
END_TEST

Suite *ailes_suite_password(void)
{
    Suite *s = suite_create("password");
    TCase *tc = tcase_create("password");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, password_hash_cost4_is_2y_and_verifies);
    tcase_add_test(tc, password_hash_salts_differ);
    tcase_add_test(tc, password_wrong_password_fails);
    tcase_add_test(tc, password_cost_limits);
    tcase_add_test(tc, password_empty_is_refused);
    tcase_add_test(tc, password_73_bytes_refused_72_ok);
    tcase_add_test(tc, password_72_bytes_counted_in_bytes_not_characters);
    tcase_add_test(tc, password_verify_refuses_over_long_password);
    tcase_add_test(tc, password_verify_null_hash_never_matches);
    tcase_add_test(tc, password_verify_null_hash_costs_a_bcrypt_run);
    tcase_add_test(tc, password_non_bcrypt_never_matches);
    tcase_add_test(tc, password_truncated_hash_never_matches);
    tcase_add_test(tc, password_cost_of_own_hashes);
    tcase_add_test(tc, password_cost_of_non_bcrypt_is_minus_one);
    suite_add_tcase(s, tc);
    return s;
}
