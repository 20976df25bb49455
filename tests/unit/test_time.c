/* ailes_time: JST rendering of fixed instants, whatever TZ says. */
#include <stdlib.h>
#include <time.h>

#include <apr_time.h>

#include "ailes_time.h"
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

/* The zones every rendering test runs under (loop index of the test). */
static const char *const zones[] = { "UTC", "America/New_York",
                                     "Asia/Tokyo" };

static void use_zone(int i)
{
    ck_assert_int_eq(setenv("TZ", zones[i], 1), 0);
    tzset();
}

/* 2026-11-26T14:59:59Z as seconds since the epoch. */
#define T_2026_11_26_145959 APR_INT64_C(1795705199)

START_TEST(time_epoch)
{
    use_zone(_i);
    ck_assert_str_eq(ailes_time_jst(pool, apr_time_from_sec(0)),
                     "1970-01-01T09:00:00.000+09:00");
}
END_TEST

START_TEST(time_last_millisecond_of_the_jst_day)
{
    apr_time_t t = apr_time_from_sec(T_2026_11_26_145959) + 999000;

    use_zone(_i);
    ck_assert_str_eq(ailes_time_jst(pool, t),
                     "2026-11-26T23:59:59.999+09:00");
}
END_TEST

START_TEST(time_crosses_the_date_at_15_utc)
{
    apr_time_t t = apr_time_from_sec(T_2026_11_26_145959 + 1);

    use_zone(_i);
    ck_assert_str_eq(ailes_time_jst(pool, t),
                     "2026-11-27T00:00:00.000+09:00");
}
END_TEST

START_TEST(time_crosses_the_year)
{
    /* 2025-12-31T15:00:00Z is New Year in Japan. */
    use_zone(_i);
    ck_assert_str_eq(ailes_time_jst(pool, apr_time_from_sec(1767193200)),
                     "2026-01-01T00:00:00.000+09:00");
}
END_TEST

START_TEST(time_leap_day)
{
    /* 2028-02-28T15:30:00Z */
    use_zone(_i);
    ck_assert_str_eq(ailes_time_jst(pool, apr_time_from_sec(1835364600)),
                     "2028-02-29T00:30:00.000+09:00");
}
END_TEST

START_TEST(time_truncates_microseconds)
{
    apr_time_t t = apr_time_from_sec(T_2026_11_26_145959);

    use_zone(_i);
    ck_assert_str_eq(ailes_time_jst(pool, t + 999999),
                     "2026-11-26T23:59:59.999+09:00");
    ck_assert_str_eq(ailes_time_jst(pool, t + 1999),
                     "2026-11-26T23:59:59.001+09:00");
    ck_assert_str_eq(ailes_time_jst(pool, t + 999),
                     "2026-11-26T23:59:59.000+09:00");
}
END_TEST

START_TEST(time_summer_time_in_new_york_changes_nothing)
{
    /* 2026-07-01T03:04:05.678Z: New York is on EDT then. */
    apr_time_t t = apr_time_from_sec(1782875045) + 678000;

    use_zone(_i);
    ck_assert_str_eq(ailes_time_jst(pool, t),
                     "2026-07-01T12:04:05.678+09:00");
}
END_TEST

START_TEST(time_zone_setting_takes_effect)
{
    /* Guards the TZ loop above: the zones really differ for the C
     * library, so equal JST output proves ailes_time ignores TZ. */
    apr_time_exp_t utc, ny;

    use_zone(0);
    ck_assert_int_eq(apr_time_exp_lt(&utc, apr_time_from_sec(0)),
                     APR_SUCCESS);
    use_zone(1);
    ck_assert_int_eq(apr_time_exp_lt(&ny, apr_time_from_sec(0)),
                     APR_SUCCESS);
    ck_assert_int_eq(utc.tm_hour, 0);
    ck_assert_int_eq(ny.tm_hour, 19);
}
END_TEST

START_TEST(time_sec)
{
    ck_assert_int_eq(ailes_time_sec(apr_time_from_sec(0)), 0);
    ck_assert_int_eq(ailes_time_sec(apr_time_from_sec(T_2026_11_26_145959)
                                    + 999999),
                     T_2026_11_26_145959);
}
END_TEST

Suite *ailes_suite_time(void)
{
    Suite *s = suite_create("time");
    TCase *tc = tcase_create("time");
    int nz = (int)(sizeof(zones) / sizeof(zones[0]));

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, time_epoch, 0, nz);
    tcase_add_loop_test(tc, time_last_millisecond_of_the_jst_day, 0, nz);
    tcase_add_loop_test(tc, time_crosses_the_date_at_15_utc, 0, nz);
    tcase_add_loop_test(tc, time_crosses_the_year, 0, nz);
    tcase_add_loop_test(tc, time_leap_day, 0, nz);
    tcase_add_loop_test(tc, time_truncates_microseconds, 0, nz);
    tcase_add_loop_test(tc, time_summer_time_in_new_york_changes_nothing, 0,
                        nz);
    tcase_add_test(tc, time_zone_setting_takes_effect);
    tcase_add_test(tc, time_sec);
    suite_add_tcase(s, tc);
    return s;
}
