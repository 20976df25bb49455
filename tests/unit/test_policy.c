/* ailes_policy: minimum length per role, every rule code in its fixed
 * order, characters counted as code points, invalid UTF-8, and the one-line
 * summary. */
#include <string.h>

#include <apr_strings.h>

#include "ailes_policy.h"
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

/* The rule codes ailes_policy_check reports, comma-separated in their
 * order, or "accepted" when it returns NULL. Checks every violation has a
 * message on the way. */
static const char *rules(const char *pw, ailes_role_t role,
                         const char *employee_no)
{
    apr_array_header_t *v = ailes_policy_check(pool, pw, role, employee_no);
    const char *out = "";
    int i;

    if (!v) {
        return "accepted";
    }
    ck_assert_int_gt(v->nelts, 0);
    for (i = 0; i < v->nelts; i++) {
        const ailes_policy_violation_t *x =
            &APR_ARRAY_IDX(v, i, ailes_policy_violation_t);

        ck_assert_ptr_nonnull(x->rule);
        ck_assert_ptr_nonnull(x->message);
        ck_assert_int_gt(strlen(x->message), 0);
        out = apr_pstrcat(pool, out, i ? "," : "", x->rule, NULL);
    }
    return out;
}

#define EMP AILES_ROLE_EMPLOYEE
#define ADMIN AILES_ROLE_TENANT_ADMIN

/* あいうえお, ー (U+30FC), full-width １２３, Ａ, ａ */
#define HIRA_A "\xe3\x81\x82"
#define HIRA_I "\xe3\x81\x84"
#define HIRA_U "\xe3\x81\x86"
#define HIRA_E "\xe3\x81\x88"
#define HIRA_O "\xe3\x81\x8a"
#define CHOON "\xe3\x83\xbc"
#define FW_123 "\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93"
#define FW_A "\xef\xbc\xa1"
#define FW_a "\xef\xbd\x81"

/* --- minimum length ------------------------------------------------------ */

START_TEST(policy_min_length_per_role)
{
    ck_assert_int_eq(ailes_policy_min_length(AILES_ROLE_EMPLOYEE), 8);
    ck_assert_int_eq(ailes_policy_min_length(AILES_ROLE_EXAMINEE), 8);
    ck_assert_int_eq(ailes_policy_min_length(AILES_ROLE_SC_STAFF), 12);
    ck_assert_int_eq(ailes_policy_min_length(AILES_ROLE_SC_IMPLEMENTER), 12);
    ck_assert_int_eq(ailes_policy_min_length(AILES_ROLE_HEALTH_STAFF), 12);
    ck_assert_int_eq(ailes_policy_min_length(AILES_ROLE_TENANT_ADMIN), 12);
}
END_TEST

START_TEST(policy_min_length_applies_per_role)
{
    /* 8 characters: enough for employee and examinee only */
    ck_assert_str_eq(rules("Abcdefg1", AILES_ROLE_EXAMINEE, NULL),
                     "accepted");
    ck_assert_str_eq(rules("Abcdefg1", AILES_ROLE_SC_STAFF, NULL),
                     "min_length");
    ck_assert_str_eq(rules("Abcdefg1", AILES_ROLE_SC_IMPLEMENTER, NULL),
                     "min_length");
    ck_assert_str_eq(rules("Abcdefg1", AILES_ROLE_HEALTH_STAFF, NULL),
                     "min_length");
    ck_assert_str_eq(rules("Abcdefg1", ADMIN, NULL), "min_length");
    /* 11 and 12 characters for a privileged role */
    ck_assert_str_eq(rules("Abcdefghij1", ADMIN, NULL), "min_length");
    ck_assert_str_eq(rules("Abcdefghijk1", AILES_ROLE_HEALTH_STAFF, NULL),
                     "accepted");
}
END_TEST

/* --- good passwords ------------------------------------------------------ */

START_TEST(policy_accepts_good_passwords)
{
    ck_assert_ptr_null(ailes_policy_check(pool, "Abcdefg1", EMP, NULL));
    ck_assert_ptr_null(ailes_policy_check(pool, "Abcdefg1", EMP, "E001"));
    ck_assert_ptr_null(ailes_policy_check(pool, "Abcdefghijk1", ADMIN,
                                          "E001"));
    /* symbols and spaces are allowed, not required */
    ck_assert_ptr_null(ailes_policy_check(pool, "A b-c!d1 ", EMP, NULL));
}
END_TEST

/* --- each rule ----------------------------------------------------------- */

START_TEST(policy_min_length)
{
    ck_assert_str_eq(rules("Abcdef1", EMP, NULL), "min_length");
    ck_assert_str_eq(rules("Abcdefghij1", ADMIN, NULL), "min_length");
}
END_TEST

START_TEST(policy_max_bytes_73_refused_72_ok)
{
    const char *pw72 = apr_pstrcat(pool, "Aa1", repeat('x', 69), NULL);
    const char *pw73 = apr_pstrcat(pool, "Aa1", repeat('x', 70), NULL);

    ck_assert_uint_eq(strlen(pw72), 72);
    ck_assert_uint_eq(strlen(pw73), 73);
    ck_assert_str_eq(rules(pw72, EMP, NULL), "accepted");
    ck_assert_str_eq(rules(pw72, ADMIN, NULL), "accepted");
    ck_assert_str_eq(rules(pw73, EMP, NULL), "max_bytes");
    ck_assert_str_eq(rules(pw73, ADMIN, NULL), "max_bytes");
}
END_TEST

START_TEST(policy_max_bytes_counts_bytes_not_characters)
{
    /* 25 x あ = 75 bytes but only 28 characters with "Aa1" */
    const char *pw = "Aa1";
    int i;

    for (i = 0; i < 25; i++) {
        pw = apr_pstrcat(pool, pw, HIRA_A, NULL);
    }
    ck_assert_uint_eq(strlen(pw), 78);
    ck_assert_str_eq(rules(pw, ADMIN, NULL), "max_bytes");
}
END_TEST

START_TEST(policy_character_classes)
{
    ck_assert_str_eq(rules("abcdefg1", EMP, NULL), "upper");
    ck_assert_str_eq(rules("ABCDEFG1", EMP, NULL), "lower");
    ck_assert_str_eq(rules("Abcdefgh", EMP, NULL), "digit");
    ck_assert_str_eq(rules("12345678", EMP, NULL), "upper,lower");
    ck_assert_str_eq(rules("!!!!!!!!", EMP, NULL), "upper,lower,digit");
}
END_TEST

START_TEST(policy_rules_in_fixed_order)
{
    ck_assert_str_eq(rules("abc", EMP, NULL), "min_length,upper,digit");
    ck_assert_str_eq(rules("", EMP, NULL), "min_length,upper,lower,digit");
    ck_assert_str_eq(rules(repeat('a', 73), EMP, NULL),
                     "max_bytes,upper,digit");
    ck_assert_str_eq(rules("eabc", EMP, "eabc"),
                     "min_length,upper,digit,not_employee_no");
    ck_assert_str_eq(rules("abc" FW_123, EMP, NULL),
                     "min_length,upper,digit,fullwidth");
}
END_TEST

START_TEST(policy_fullwidth_reported_only_when_a_class_is_missing)
{
    /* Passwordー１２３: the full-width digits are no digit */
    ck_assert_str_eq(rules("Password" CHOON FW_123, EMP, NULL),
                     "digit,fullwidth");
    /* Ａbcdefg1: the full-width A is no upper-case letter */
    ck_assert_str_eq(rules(FW_A "bcdefg1", EMP, NULL), "upper,fullwidth");
    ck_assert_str_eq(rules("ABCDEFG1" FW_a, EMP, NULL), "lower,fullwidth");
    /* every class present: a full-width character is just a character */
    ck_assert_str_eq(rules("Abcdefg1" FW_A, EMP, NULL), "accepted");
    ck_assert_str_eq(rules("Abcdefg" FW_123 "1", EMP, NULL), "accepted");
    /* a class missing but no full-width character: no hint */
    ck_assert_str_eq(rules("Password" CHOON, EMP, NULL), "digit");
}
END_TEST

START_TEST(policy_not_employee_no)
{
    ck_assert_str_eq(rules("E0012345Ab", EMP, "E0012345Ab"),
                     "not_employee_no");
    ck_assert_str_eq(rules("E0012345Abcd", ADMIN, "E0012345Abcd"),
                     "not_employee_no");
    /* only the exact number */
    ck_assert_str_eq(rules("E0012345Ab", EMP, "e0012345ab"), "accepted");
    ck_assert_str_eq(rules("E0012345Ab", EMP, "E0012345A"), "accepted");
    ck_assert_str_eq(rules("E0012345Ab", EMP, NULL), "accepted");
}
END_TEST

/* --- UTF-8 --------------------------------------------------------------- */

START_TEST(policy_invalid_utf8_is_one_violation)
{
    ck_assert_str_eq(rules("\xff", EMP, NULL), "utf8");
    ck_assert_str_eq(rules("Abcdefg1\xff", EMP, NULL), "utf8");
    /* overlong '/' */
    ck_assert_str_eq(rules("Abcdefg1\xc0\xaf", EMP, NULL), "utf8");
    /* overlong 3-byte form of U+007F */
    ck_assert_str_eq(rules("Abcdefg1\xe0\x81\xbf", EMP, NULL), "utf8");
    /* surrogate U+D800 */
    ck_assert_str_eq(rules("Abcdefg1\xed\xa0\x80", EMP, NULL), "utf8");
    /* beyond U+10FFFF */
    ck_assert_str_eq(rules("Abcdefg1\xf4\x90\x80\x80", EMP, NULL), "utf8");
    /* a lone continuation byte, a sequence cut short */
    ck_assert_str_eq(rules("Abcdefg1\x80", EMP, NULL), "utf8");
    ck_assert_str_eq(rules("Abcdefg1\xe3\x81", EMP, NULL), "utf8");
    ck_assert_str_eq(rules("\xe3\x81" "Abcdefg1", EMP, NULL), "utf8");
    /* even when other rules are broken too */
    ck_assert_str_eq(rules("a\xff", ADMIN, "a\xff"), "utf8");
}
END_TEST

START_TEST(policy_valid_multibyte_utf8_accepted)
{
    /* 2-, 3- and 4-byte sequences: é, あ, 😀 */
    ck_assert_str_eq(rules("Abcdef1\xc3\xa9", EMP, NULL), "accepted");
    ck_assert_str_eq(rules("Abcdef1" HIRA_A, EMP, NULL), "accepted");
    ck_assert_str_eq(rules("Abcdef1\xf0\x9f\x98\x80", EMP, NULL),
                     "accepted");
}
END_TEST

START_TEST(policy_length_counts_characters)
{
    /* Aa1あいうえお: 8 characters, 18 bytes */
    const char *pw8 = "Aa1" HIRA_A HIRA_I HIRA_U HIRA_E HIRA_O;
    /* Aa1あいう: 6 characters, 12 bytes */
    const char *pw6 = "Aa1" HIRA_A HIRA_I HIRA_U;

    ck_assert_uint_eq(strlen(pw8), 18);
    ck_assert_str_eq(rules(pw8, EMP, NULL), "accepted");
    ck_assert_uint_eq(strlen(pw6), 12);
    ck_assert_str_eq(rules(pw6, EMP, NULL), "min_length");
    /* 18 bytes are not 12 characters for a privileged role */
    ck_assert_str_eq(rules(pw8, ADMIN, NULL), "min_length");
}
END_TEST

START_TEST(policy_null_password)
{
    ck_assert_str_eq(rules(NULL, EMP, NULL), "min_length,upper,lower,digit");
    ck_assert_str_eq(rules(NULL, ADMIN, "E001"),
                     "min_length,upper,lower,digit");
}
END_TEST

/* --- summary ------------------------------------------------------------- */

START_TEST(policy_summary_joins_messages)
{
    apr_array_header_t *v = ailes_policy_check(pool, "abc", EMP, NULL);
    const char *m0, *m1, *m2;

    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->nelts, 3);
    m0 = APR_ARRAY_IDX(v, 0, ailes_policy_violation_t).message;
    m1 = APR_ARRAY_IDX(v, 1, ailes_policy_violation_t).message;
    m2 = APR_ARRAY_IDX(v, 2, ailes_policy_violation_t).message;
    ck_assert_str_eq(ailes_policy_summary(pool, v),
                     apr_pstrcat(pool, m0, "; ", m1, "; ", m2, NULL));
    /* the minimum is in the message */
    ck_assert_msg(strstr(m0, "8") != NULL, "message: %s", m0);
}
END_TEST

START_TEST(policy_summary_single_and_null)
{
    apr_array_header_t *v = ailes_policy_check(pool, "abcdefg1", EMP, NULL);

    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->nelts, 1);
    ck_assert_str_eq(ailes_policy_summary(pool, v),
                     APR_ARRAY_IDX(v, 0, ailes_policy_violation_t).message);
    ck_assert_str_eq(ailes_policy_summary(pool, NULL), "");
    ck_assert_str_eq(ailes_policy_summary(pool,
                                          apr_array_make(pool, 1,
                                              sizeof(ailes_policy_violation_t))),
                     "");
}
END_TEST

Suite *ailes_suite_policy(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("policy");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, policy_min_length_per_role);
    tcase_add_test(tc, policy_min_length_applies_per_role);
    tcase_add_test(tc, policy_accepts_good_passwords);
    tcase_add_test(tc, policy_min_length);
    tcase_add_test(tc, policy_max_bytes_73_refused_72_ok);
    tcase_add_test(tc, policy_max_bytes_counts_bytes_not_characters);
    tcase_add_test(tc, policy_character_classes);
    tcase_add_test(tc, policy_rules_in_fixed_order);
    tcase_add_test(tc, policy_fullwidth_reported_only_when_a_class_is_missing);
    tcase_add_test(tc, policy_not_employee_no);
    tcase_add_test(tc, policy_invalid_utf8_is_one_violation);
    tcase_add_test(tc, policy_valid_multibyte_utf8_accepted);
    tcase_add_test(tc, policy_length_counts_characters);
    tcase_add_test(tc, policy_null_password);
    tcase_add_test(tc, policy_summary_joins_messages);
    tcase_add_test(tc, policy_summary_single_and_null);
    suite_add_tcase(s, tc);
    return s;
}
