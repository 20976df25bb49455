/* ailes_notice: severities, title and body rules (UTF-8, control
 * characters, lengths in characters), JST times and tenant lists. */
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "ailes_notice.h"
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

START_TEST(severities)
{
    ck_assert_ptr_null(ailes_notice_check_severity(pool, "info"));
    ck_assert_ptr_null(ailes_notice_check_severity(pool, "maintenance"));
    ck_assert_ptr_null(ailes_notice_check_severity(pool, "vulnerability"));
    ck_assert_ptr_null(ailes_notice_check_severity(pool, "incident"));
    ck_assert_ptr_nonnull(ailes_notice_check_severity(pool, "Info"));
    ck_assert_ptr_nonnull(ailes_notice_check_severity(pool, ""));
    ck_assert_ptr_nonnull(ailes_notice_check_severity(pool, NULL));
    ck_assert(!ailes_notice_severity_mails("info"));
    ck_assert(!ailes_notice_severity_mails("maintenance"));
    ck_assert(ailes_notice_severity_mails("vulnerability"));
    ck_assert(ailes_notice_severity_mails("incident"));
}
END_TEST

static const char *title(const char *s)
{
    return ailes_notice_check_text(pool, s, AILES_NOTICE_TITLE_MAX, 0,
                                   "title");
}

static const char *body(const char *s)
{
    return ailes_notice_check_text(pool, s, AILES_NOTICE_BODY_MAX, 1,
                                   "body");
}

START_TEST(texts)
{
    char *s;
    int i;

    ck_assert_ptr_null(title("メンテナンスのお知らせ"));
    ck_assert_ptr_nonnull(title(""));
    ck_assert_ptr_nonnull(title("   "));
    ck_assert_ptr_nonnull(title("\xe3\x80\x80"));      /* 全角 space only */
    ck_assert_ptr_nonnull(title("a\nb"));
    ck_assert_ptr_nonnull(title("a\rb"));
    ck_assert_ptr_nonnull(title("a\tb"));
    ck_assert_ptr_nonnull(title("a\x7f"));
    ck_assert_ptr_nonnull(title("a\xc2\x85"));        /* C1 NEL */
    ck_assert_ptr_nonnull(title("a\xff"));
    ck_assert_ptr_nonnull(title("\xe3\x81"));
    ck_assert_ptr_nonnull(title("\xed\xa0\x80"));     /* a surrogate */
    ck_assert_ptr_null(body("一行目\n二行目\n\n三行目"));
    ck_assert_ptr_nonnull(body("a\r\nb"));
    ck_assert_ptr_nonnull(body("a\x1b[31m"));
    ck_assert_ptr_nonnull(body("\n\n"));
    /* the limit counts characters, not bytes */
    s = apr_palloc(pool, 3 * 201 + 1);
    for (i = 0; i < 200; i++) {
        memcpy(s + 3 * i, "あ", 3);
    }
    s[600] = '\0';
    ck_assert_ptr_null(title(s));
    memcpy(s + 600, "あ", 3);
    s[603] = '\0';
    ck_assert_ptr_nonnull(title(s));
    ck_assert(strstr(title(s), "200") != NULL);
}
END_TEST

START_TEST(times)
{
    apr_time_t t;

    ck_assert_ptr_null(ailes_notice_parse_time(pool, "2026-01-02T03:04",
                                               &t));
    /* 03:04 JST is 18:04 UTC the day before */
    ck_assert_int_eq(apr_time_sec(t), 1767290640);
    ck_assert_ptr_null(ailes_notice_parse_time(pool, "2028-02-29T23:59",
                                               &t));
    ck_assert_ptr_nonnull(ailes_notice_parse_time(pool, "2026-01-02", &t));
    ck_assert_ptr_nonnull(ailes_notice_parse_time(pool, "2026-13-01T00:00",
                                                  &t));
    ck_assert_ptr_nonnull(ailes_notice_parse_time(pool, "2026-02-29T00:00",
                                                  &t));
    ck_assert_ptr_nonnull(ailes_notice_parse_time(pool, "2026-01-02T24:00",
                                                  &t));
    ck_assert_ptr_nonnull(ailes_notice_parse_time(pool, "2026-01-02T03:60",
                                                  &t));
    ck_assert_ptr_nonnull(ailes_notice_parse_time(pool,
                                                  "2026-01-02T03:04:05", &t));
    ck_assert_ptr_nonnull(ailes_notice_parse_time(pool, "2026-01-02 03:04",
                                                  &t));
    ck_assert_ptr_nonnull(ailes_notice_parse_time(pool, "2026-1-02T03:04",
                                                  &t));
    ck_assert_ptr_nonnull(ailes_notice_parse_time(pool, "", &t));
    ck_assert_ptr_nonnull(ailes_notice_parse_time(pool, NULL, &t));
}
END_TEST

START_TEST(tenant_lists)
{
    apr_array_header_t *slugs;
    int all;

    ck_assert_ptr_null(ailes_notice_parse_tenants(pool, "all", &all,
                                                  &slugs));
    ck_assert_int_eq(all, 1);
    ck_assert_ptr_null(ailes_notice_parse_tenants(pool, "acme,globex,acme",
                                                  &all, &slugs));
    ck_assert_int_eq(all, 0);
    ck_assert_int_eq(slugs->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(slugs, 0, const char *), "acme");
    ck_assert_str_eq(APR_ARRAY_IDX(slugs, 1, const char *), "globex");
    ck_assert_ptr_nonnull(ailes_notice_parse_tenants(pool, "", &all,
                                                     &slugs));
    ck_assert_ptr_nonnull(ailes_notice_parse_tenants(pool, "acme,,globex",
                                                     &all, &slugs));
    ck_assert_ptr_nonnull(ailes_notice_parse_tenants(pool, "acme,", &all,
                                                     &slugs));
    ck_assert_ptr_nonnull(ailes_notice_parse_tenants(pool, "Acme", &all,
                                                     &slugs));
    ck_assert_ptr_nonnull(ailes_notice_parse_tenants(pool, "all,acme", &all,
                                                     &slugs));
    ck_assert_ptr_nonnull(ailes_notice_parse_tenants(pool, "acme globex",
                                                     &all, &slugs));
}
END_TEST

Suite *ailes_suite_notice(void)
{
    Suite *s = suite_create("notice");
    TCase *tc = tcase_create("notice");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, severities);
    tcase_add_test(tc, texts);
    tcase_add_test(tc, times);
    tcase_add_test(tc, tenant_lists);
    suite_add_tcase(s, tc);
    return s;
}
