/* Hash chain (ailes_chain.h) and AWS Signature Version 4 (ailes_sigv4.h).
 * The SigV4 vectors are AWS's published test suite (get-vanilla,
 * get-vanilla-query-order-key-case, post-vanilla). */
#include <string.h>

#include <apr_strings.h>
#include <check.h>

#include "ailes_chain.h"
#include "ailes_sigv4.h"
#include "unit_tests.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static const char *wrap(ailes_chain_t *c, const char *line)
{
    return ailes_chain_wrap(pool, c, line, strlen(line),
                            apr_time_from_sec(1764000000));
}

START_TEST(chain_round_trip)
{
    ailes_chain_t w, v;
    const char *r1, *r2, *r3;

    ailes_chain_init(&w);
    r1 = wrap(&w, "first");
    r2 = wrap(&w, "{\"action\":\"login.ok\"}");
    r3 = wrap(&w, "日本語の行");
    ck_assert_ptr_nonnull(strstr(r1, "\"start\":true"));
    ck_assert_ptr_null(strstr(r2, "\"start\""));
    ailes_chain_init(&v);
    ck_assert_ptr_null(ailes_chain_verify(pool, &v, r1, strlen(r1)));
    ck_assert_ptr_null(ailes_chain_verify(pool, &v, r2, strlen(r2)));
    ck_assert_ptr_null(ailes_chain_verify(pool, &v, r3, strlen(r3)));
    ck_assert_int_eq(v.seq, 3);
    ck_assert_str_eq(v.prev, w.prev);
}
END_TEST

START_TEST(chain_catches_edit_delete_reorder)
{
    ailes_chain_t w, v;
    const char *r1, *r2, *r3;
    char *edited;

    ailes_chain_init(&w);
    r1 = wrap(&w, "one");
    r2 = wrap(&w, "two");
    r3 = wrap(&w, "three");
    /* edited */
    edited = apr_pstrdup(pool, r2);
    memcpy(strstr(edited, "\"two\""), "\"tw0\"", 5);
    ailes_chain_init(&v);
    ailes_chain_verify(pool, &v, r1, strlen(r1));
    ck_assert_ptr_nonnull(strstr(ailes_chain_verify(pool, &v, edited,
                                                    strlen(edited)),
                                 "edited"));
    /* deleted */
    ailes_chain_init(&v);
    ailes_chain_verify(pool, &v, r1, strlen(r1));
    ck_assert_ptr_nonnull(strstr(ailes_chain_verify(pool, &v, r3,
                                                    strlen(r3)),
                                 "missing"));
    /* reordered */
    ailes_chain_init(&v);
    ck_assert_ptr_nonnull(ailes_chain_verify(pool, &v, r2, strlen(r2)));
    /* garbage */
    ailes_chain_init(&v);
    ck_assert_ptr_nonnull(ailes_chain_verify(pool, &v, "{}", 2));
    ck_assert_ptr_nonnull(ailes_chain_verify(pool, &v, "x", 1));
}
END_TEST

START_TEST(chain_escapes_bytes_that_are_not_utf8)
{
    ailes_chain_t w, v;
    const char *r;
    char raw[] = { 'a', (char)0xff, 'b', '\0' };

    ailes_chain_init(&w);
    r = ailes_chain_wrap(pool, &w, raw, 3, apr_time_from_sec(1));
    ck_assert_ptr_nonnull(strstr(r, "a\\\\xffb"));
    ailes_chain_init(&v);
    ck_assert_ptr_null(ailes_chain_verify(pool, &v, r, strlen(r)));
}
END_TEST

static ailes_sigv4_req_t vector(const char *method, const char *query)
{
    ailes_sigv4_req_t r;

    memset(&r, 0, sizeof(r));
    r.method = method;
    r.path = "/";
    r.query = query;
    r.headers = apr_table_make(pool, 4);
    apr_table_setn(r.headers, "Host", "example.amazonaws.com");
    apr_table_setn(r.headers, "X-Amz-Date", "20150830T123600Z");
    r.payload = "";
    r.region = "us-east-1";
    r.service = "service";
    return r;
}

static const ailes_aws_cred_t example = {
    "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL
};

#define CRED "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/" \
             "service/aws4_request, SignedHeaders=host;x-amz-date, "       \
             "Signature="

START_TEST(sigv4_get_vanilla)
{
    ailes_sigv4_req_t r = vector("GET", "");
    const char *names;
    const char *canon = ailes_sigv4_canonical(pool, &r, &names);

    ck_assert_str_eq(ailes_sha256_hex(pool, canon, strlen(canon)),
                     "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c2"
                     "5292927e63");
    ck_assert_str_eq(names, "host;x-amz-date");
    ck_assert_str_eq(ailes_sigv4_authorization(pool, &example, &r),
                     CRED "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b"
                          "8aae1d763fbf31");
}
END_TEST

START_TEST(sigv4_query_order)
{
    ailes_sigv4_req_t r = vector("GET", "Param2=value2&Param1=value1");

    ck_assert_str_eq(ailes_sigv4_authorization(pool, &example, &r),
                     CRED "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3"
                          "219ec94cdf2500");
}
END_TEST

START_TEST(sigv4_post_vanilla)
{
    ailes_sigv4_req_t r = vector("POST", "");

    ck_assert_str_eq(ailes_sigv4_authorization(pool, &example, &r),
                     CRED "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37ddd"
                          "b68e92efbe5d6b");
}
END_TEST

START_TEST(sigv4_needs_date_and_host)
{
    ailes_sigv4_req_t r = vector("GET", "");

    apr_table_unset(r.headers, "X-Amz-Date");
    ck_assert_ptr_null(ailes_sigv4_authorization(pool, &example, &r));
    r = vector("GET", "");
    apr_table_unset(r.headers, "Host");
    ck_assert_ptr_null(ailes_sigv4_authorization(pool, &example, &r));
}
END_TEST

Suite *ailes_suite_chain(void)
{
    Suite *s = suite_create("chain");
    TCase *tc = tcase_create("chain");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, chain_round_trip);
    tcase_add_test(tc, chain_catches_edit_delete_reorder);
    tcase_add_test(tc, chain_escapes_bytes_that_are_not_utf8);
    tcase_add_test(tc, sigv4_get_vanilla);
    tcase_add_test(tc, sigv4_query_order);
    tcase_add_test(tc, sigv4_post_vanilla);
    tcase_add_test(tc, sigv4_needs_date_and_host);
    suite_add_tcase(s, tc);
    return s;
}
