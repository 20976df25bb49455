/* ailes_parse: tenant slugs, employee numbers, integers, durations and
 * cookies. */
#include <limits.h>
#include <string.h>

#include <apr_strings.h>

#include "ailes_parse.h"
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

#define OK(expr) ck_assert_ptr_null(expr)
#define BAD(expr) ck_assert_ptr_nonnull(expr)

/* --- slugs --------------------------------------------------------------- */

START_TEST(parse_slug_accepts)
{
    OK(ailes_parse_slug(pool, "acme"));
    OK(ailes_parse_slug(pool, "a-1"));
    OK(ailes_parse_slug(pool, "0"));
    OK(ailes_parse_slug(pool, "abcdefghijklmnopqrstuvwxyz-01234"));
    OK(ailes_parse_slug(pool, repeat('z', 32)));
}
END_TEST

START_TEST(parse_slug_rejects)
{
    BAD(ailes_parse_slug(pool, ""));
    BAD(ailes_parse_slug(pool, NULL));
    BAD(ailes_parse_slug(pool, repeat('z', 33)));
    BAD(ailes_parse_slug(pool, "Acme"));
    BAD(ailes_parse_slug(pool, "a_b"));
    BAD(ailes_parse_slug(pool, "a.b"));
    BAD(ailes_parse_slug(pool, "a b"));
    BAD(ailes_parse_slug(pool, "a/b"));
    BAD(ailes_parse_slug(pool, "\xc3\xa4")); /* ä */
    BAD(ailes_parse_slug(pool, "acme\n"));
}
END_TEST

START_TEST(parse_slug_error_escapes_input)
{
    /* The message may reach a log or terminal: control bytes escaped. */
    const char *err = ailes_parse_slug(pool, "a\nb\x1b[31m");

    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(strchr(err, '\n'));
    ck_assert_ptr_null(strchr(err, '\x1b'));
}
END_TEST

/* --- employee numbers ---------------------------------------------------- */

START_TEST(parse_employee_no_accepts)
{
    OK(ailes_parse_employee_no(pool, "E001"));
    OK(ailes_parse_employee_no(pool, "1"));
    OK(ailes_parse_employee_no(pool, "A 1"));
    OK(ailes_parse_employee_no(pool, "x-y_z.#~!"));
    OK(ailes_parse_employee_no(pool, repeat('9', 32)));
}
END_TEST

START_TEST(parse_employee_no_rejects)
{
    BAD(ailes_parse_employee_no(pool, ""));
    BAD(ailes_parse_employee_no(pool, NULL));
    BAD(ailes_parse_employee_no(pool, repeat('9', 33)));
    BAD(ailes_parse_employee_no(pool, " E001"));
    BAD(ailes_parse_employee_no(pool, "E001 "));
    BAD(ailes_parse_employee_no(pool, " "));
    BAD(ailes_parse_employee_no(pool, "E\t001"));
    BAD(ailes_parse_employee_no(pool, "E001\n"));
    BAD(ailes_parse_employee_no(pool, "E\x7f"));
    /* 社員1 */
    BAD(ailes_parse_employee_no(pool, "\xe7\xa4\xbe\xe5\x93\xa1" "1"));
}
END_TEST

/* --- integers ------------------------------------------------------------ */

START_TEST(parse_int_accepts_within_bounds)
{
    long v = -1;

    OK(ailes_parse_int(pool, "4", 4, 15, &v));
    ck_assert_int_eq(v, 4);
    OK(ailes_parse_int(pool, "15", 4, 15, &v));
    ck_assert_int_eq(v, 15);
    OK(ailes_parse_int(pool, "0", 0, 0, &v));
    ck_assert_int_eq(v, 0);
    OK(ailes_parse_int(pool, "-7", -10, 10, &v));
    ck_assert_int_eq(v, -7);
    /* leading zeros are plain decimal, not octal */
    OK(ailes_parse_int(pool, "010", 0, 100, &v));
    ck_assert_int_eq(v, 10);
}
END_TEST

START_TEST(parse_int_rejects_out_of_bounds)
{
    long v = 42;

    BAD(ailes_parse_int(pool, "3", 4, 15, &v));
    BAD(ailes_parse_int(pool, "16", 4, 15, &v));
    BAD(ailes_parse_int(pool, "-11", -10, 10, &v));
    ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(parse_int_rejects_junk)
{
    long v = 42;

    BAD(ailes_parse_int(pool, "12x", 0, 100, &v));
    BAD(ailes_parse_int(pool, "", 0, 100, &v));
    BAD(ailes_parse_int(pool, NULL, 0, 100, &v));
    BAD(ailes_parse_int(pool, " 5", 0, 100, &v));
    BAD(ailes_parse_int(pool, "5 ", 0, 100, &v));
    BAD(ailes_parse_int(pool, "0x10", 0, 100, &v));
    BAD(ailes_parse_int(pool, "1e2", 0, 1000, &v));
    BAD(ailes_parse_int(pool, "-", -10, 10, &v));
    BAD(ailes_parse_int(pool, "--5", -10, 10, &v));
    BAD(ailes_parse_int(pool, "- 5", -10, 10, &v));
    ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(parse_int_rejects_plus_sign)
{
    /* "no sign games": the code accepts a leading '-' (for negative
     * bounds) but never '+', which would be a second spelling of 5. */
    long v = 42;

    BAD(ailes_parse_int(pool, "+5", 0, 100, &v));
    BAD(ailes_parse_int(pool, "+0", 0, 100, &v));
    ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(parse_int_rejects_overflow)
{
    long v = 42;

    BAD(ailes_parse_int(pool, "99999999999999999999", LONG_MIN, LONG_MAX,
                        &v));
    BAD(ailes_parse_int(pool, "-99999999999999999999", LONG_MIN, LONG_MAX,
                        &v));
    ck_assert_int_eq(v, 42);
    OK(ailes_parse_int(pool, "9223372036854775807", LONG_MIN, LONG_MAX, &v));
    ck_assert_int_eq(v, LONG_MAX);
}
END_TEST

/* --- durations ----------------------------------------------------------- */

START_TEST(parse_duration_units)
{
    long v = -1;

    OK(ailes_parse_duration(pool, "30m", 0, 86400, &v));
    ck_assert_int_eq(v, 1800);
    OK(ailes_parse_duration(pool, "12h", 0, 86400, &v));
    ck_assert_int_eq(v, 43200);
    OK(ailes_parse_duration(pool, "2d", 0, 1000000, &v));
    ck_assert_int_eq(v, 172800);
    OK(ailes_parse_duration(pool, "45s", 0, 86400, &v));
    ck_assert_int_eq(v, 45);
    OK(ailes_parse_duration(pool, "1m", 0, 86400, &v));
    ck_assert_int_eq(v, 60);
}
END_TEST

START_TEST(parse_duration_without_unit_is_seconds)
{
    long v = -1;

    OK(ailes_parse_duration(pool, "90", 0, 86400, &v));
    ck_assert_int_eq(v, 90);
    OK(ailes_parse_duration(pool, "0", 0, 86400, &v));
    ck_assert_int_eq(v, 0);
    v = -1;
    OK(ailes_parse_duration(pool, "0m", 0, 86400, &v));
    ck_assert_int_eq(v, 0);
}
END_TEST

START_TEST(parse_duration_bounds_apply_after_unit)
{
    long v = 42;

    /* 1m is 60 s: below 61 though "1" is not */
    BAD(ailes_parse_duration(pool, "1m", 61, 86400, &v));
    BAD(ailes_parse_duration(pool, "0", 1, 86400, &v));
    /* 2h is 7200 s: above 3600 though "2" is not */
    BAD(ailes_parse_duration(pool, "2h", 0, 3600, &v));
    BAD(ailes_parse_duration(pool, "3601", 0, 3600, &v));
    ck_assert_int_eq(v, 42);
    /* the edges themselves are in */
    OK(ailes_parse_duration(pool, "1m", 60, 3600, &v));
    ck_assert_int_eq(v, 60);
    OK(ailes_parse_duration(pool, "1h", 60, 3600, &v));
    ck_assert_int_eq(v, 3600);
    OK(ailes_parse_duration(pool, "3600s", 60, 3600, &v));
    ck_assert_int_eq(v, 3600);
}
END_TEST

START_TEST(parse_duration_rejects_junk)
{
    long v = 42;

    BAD(ailes_parse_duration(pool, "", 0, 86400, &v));
    BAD(ailes_parse_duration(pool, NULL, 0, 86400, &v));
    BAD(ailes_parse_duration(pool, "m", 0, 86400, &v));
    BAD(ailes_parse_duration(pool, "s", 0, 86400, &v));
    BAD(ailes_parse_duration(pool, "-5m", -86400, 86400, &v));
    BAD(ailes_parse_duration(pool, "-5", -86400, 86400, &v));
    BAD(ailes_parse_duration(pool, "+5m", 0, 86400, &v));
    BAD(ailes_parse_duration(pool, "5x", 0, 86400, &v));
    BAD(ailes_parse_duration(pool, "5M", 0, 86400, &v));
    BAD(ailes_parse_duration(pool, "5mm", 0, 86400, &v));
    BAD(ailes_parse_duration(pool, "5hm", 0, 86400, &v));
    BAD(ailes_parse_duration(pool, "1.5h", 0, 86400, &v));
    BAD(ailes_parse_duration(pool, " 5m", 0, 86400, &v));
    BAD(ailes_parse_duration(pool, "5 m", 0, 86400, &v));
    BAD(ailes_parse_duration(pool, "5m ", 0, 86400, &v));
    BAD(ailes_parse_duration(pool, "0x10", 0, 86400, &v));
    ck_assert_int_eq(v, 42);
}
END_TEST

/* --- cookies ------------------------------------------------------------- */

START_TEST(parse_cookie_finds_value)
{
    const char *v = ailes_parse_cookie(pool, "a=1; ailes=XYZ; b=2", "ailes");

    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v, "XYZ");
    ck_assert_str_eq(ailes_parse_cookie(pool, "ailes=XYZ", "ailes"), "XYZ");
    ck_assert_str_eq(ailes_parse_cookie(pool, "a=1; b=2", "b"), "2");
}
END_TEST

START_TEST(parse_cookie_first_occurrence_wins)
{
    ck_assert_str_eq(ailes_parse_cookie(pool, "ailes=one; ailes=two",
                                        "ailes"),
                     "one");
}
END_TEST

START_TEST(parse_cookie_name_prefix_is_not_a_match)
{
    ck_assert_str_eq(ailes_parse_cookie(pool, "ailes2=1; ailes=ok", "ailes"),
                     "ok");
    ck_assert_str_eq(ailes_parse_cookie(pool, "xailes=1; ailes=ok", "ailes"),
                     "ok");
    ck_assert_ptr_null(ailes_parse_cookie(pool, "ailes2=1", "ailes"));
    ck_assert_ptr_null(ailes_parse_cookie(pool, "myailes=1", "ailes"));
    ck_assert_ptr_null(ailes_parse_cookie(pool, "ailes", "ailes"));
    ck_assert_ptr_null(ailes_parse_cookie(pool, "AILES=1", "ailes"));
}
END_TEST

START_TEST(parse_cookie_spaces_and_tabs)
{
    ck_assert_str_eq(ailes_parse_cookie(pool, "a=1;ailes=T1", "ailes"), "T1");
    ck_assert_str_eq(ailes_parse_cookie(pool, "a=1;   ailes=T2  ; b=2",
                                        "ailes"),
                     "T2");
    ck_assert_str_eq(ailes_parse_cookie(pool, "a=1;\tailes=T3\t", "ailes"),
                     "T3");
    ck_assert_str_eq(ailes_parse_cookie(pool, "  ailes=T4", "ailes"), "T4");
}
END_TEST

START_TEST(parse_cookie_missing_is_null)
{
    ck_assert_ptr_null(ailes_parse_cookie(pool, "a=1; b=2", "ailes"));
    ck_assert_ptr_null(ailes_parse_cookie(pool, "", "ailes"));
    ck_assert_ptr_null(ailes_parse_cookie(pool, ";;; ", "ailes"));
    ck_assert_ptr_null(ailes_parse_cookie(pool, NULL, "ailes"));
}
END_TEST

START_TEST(parse_cookie_empty_value)
{
    const char *v = ailes_parse_cookie(pool, "ailes=; b=2", "ailes");

    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v, "");
    v = ailes_parse_cookie(pool, "a=1; ailes=", "ailes");
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v, "");
}
END_TEST

START_TEST(parse_cookie_value_verbatim)
{
    /* no unquoting, '=' inside the value kept */
    ck_assert_str_eq(ailes_parse_cookie(pool, "ailes=\"q\"", "ailes"),
                     "\"q\"");
    ck_assert_str_eq(ailes_parse_cookie(pool, "ailes=a=b==", "ailes"),
                     "a=b==");
}
END_TEST

Suite *ailes_suite_parse(void)
{
    Suite *s = suite_create("parse");
    TCase *tc = tcase_create("parse");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, parse_slug_accepts);
    tcase_add_test(tc, parse_slug_rejects);
    tcase_add_test(tc, parse_slug_error_escapes_input);
    tcase_add_test(tc, parse_employee_no_accepts);
    tcase_add_test(tc, parse_employee_no_rejects);
    tcase_add_test(tc, parse_int_accepts_within_bounds);
    tcase_add_test(tc, parse_int_rejects_out_of_bounds);
    tcase_add_test(tc, parse_int_rejects_junk);
    tcase_add_test(tc, parse_int_rejects_plus_sign);
    tcase_add_test(tc, parse_int_rejects_overflow);
    tcase_add_test(tc, parse_duration_units);
    tcase_add_test(tc, parse_duration_without_unit_is_seconds);
    tcase_add_test(tc, parse_duration_bounds_apply_after_unit);
    tcase_add_test(tc, parse_duration_rejects_junk);
    tcase_add_test(tc, parse_cookie_finds_value);
    tcase_add_test(tc, parse_cookie_first_occurrence_wins);
    tcase_add_test(tc, parse_cookie_name_prefix_is_not_a_match);
    tcase_add_test(tc, parse_cookie_spaces_and_tabs);
    tcase_add_test(tc, parse_cookie_missing_is_null);
    tcase_add_test(tc, parse_cookie_empty_value);
    tcase_add_test(tc, parse_cookie_value_verbatim);
    suite_add_tcase(s, tc);
    return s;
}
