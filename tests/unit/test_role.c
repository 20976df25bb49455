/* ailes_role: names, parsing and the high-privilege flag. */
#include <string.h>

#include "ailes_role.h"
#include "unit_tests.h"

static const struct {
    const char *name;
    ailes_role_t role;
    int high;
} known[] = {
    { "employee", AILES_ROLE_EMPLOYEE, 0 },
    { "examinee", AILES_ROLE_EXAMINEE, 0 },
    { "sc_staff", AILES_ROLE_SC_STAFF, 1 },
    { "sc_implementer", AILES_ROLE_SC_IMPLEMENTER, 1 },
    { "health_staff", AILES_ROLE_HEALTH_STAFF, 1 },
    { "tenant_admin", AILES_ROLE_TENANT_ADMIN, 1 },
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

START_TEST(role_parse_every_name)
{
    size_t i;

    for (i = 0; i < NKNOWN; i++) {
        ck_assert_int_eq(ailes_role_parse(known[i].name), known[i].role);
    }
}
END_TEST

START_TEST(role_every_role_is_known)
{
    /* A role added to the enum must be added to this test too. */
    ck_assert_int_eq(AILES_ROLE_COUNT_, NKNOWN + 1);
}
END_TEST

START_TEST(role_parse_unknown_is_none)
{
    ck_assert_int_eq(ailes_role_parse(NULL), AILES_ROLE_NONE);
    ck_assert_int_eq(ailes_role_parse(""), AILES_ROLE_NONE);
    ck_assert_int_eq(ailes_role_parse("admin"), AILES_ROLE_NONE);
    ck_assert_int_eq(ailes_role_parse("employees"), AILES_ROLE_NONE);
    ck_assert_int_eq(ailes_role_parse("employe"), AILES_ROLE_NONE);
    ck_assert_int_eq(ailes_role_parse(" employee"), AILES_ROLE_NONE);
    ck_assert_int_eq(ailes_role_parse("employee "), AILES_ROLE_NONE);
    ck_assert_int_eq(ailes_role_parse("sc-staff"), AILES_ROLE_NONE);
}
END_TEST

START_TEST(role_parse_is_case_sensitive)
{
    ck_assert_int_eq(ailes_role_parse("Employee"), AILES_ROLE_NONE);
    ck_assert_int_eq(ailes_role_parse("EMPLOYEE"), AILES_ROLE_NONE);
    ck_assert_int_eq(ailes_role_parse("Tenant_Admin"), AILES_ROLE_NONE);
    ck_assert_int_eq(ailes_role_parse("SC_STAFF"), AILES_ROLE_NONE);
}
END_TEST

START_TEST(role_name_round_trip)
{
    size_t i;

    for (i = 0; i < NKNOWN; i++) {
        ck_assert_str_eq(ailes_role_name(known[i].role), known[i].name);
        ck_assert_int_eq(ailes_role_parse(ailes_role_name(known[i].role)),
                         known[i].role);
    }
}
END_TEST

START_TEST(role_name_of_none_and_out_of_range_is_empty)
{
    ck_assert_str_eq(ailes_role_name(AILES_ROLE_NONE), "");
    ck_assert_str_eq(ailes_role_name(AILES_ROLE_COUNT_), "");
    ck_assert_str_eq(ailes_role_name((ailes_role_t)-1), "");
    ck_assert_str_eq(ailes_role_name((ailes_role_t)1000), "");
}
END_TEST

START_TEST(role_high_privilege_flags)
{
    size_t i;

    for (i = 0; i < NKNOWN; i++) {
        ck_assert_msg(!!ailes_role_is_high_privilege(known[i].role)
                          == known[i].high,
                      "high privilege of %s should be %d", known[i].name,
                      known[i].high);
    }
    ck_assert_int_eq(ailes_role_is_high_privilege(AILES_ROLE_NONE), 0);
    ck_assert_int_eq(ailes_role_is_high_privilege(AILES_ROLE_COUNT_), 0);
    ck_assert_int_eq(ailes_role_is_high_privilege((ailes_role_t)-1), 0);
}
END_TEST

START_TEST(role_list_names_every_role)
{
    const char *list = ailes_role_list();
    size_t i;

    for (i = 0; i < NKNOWN; i++) {
        ck_assert_msg(strstr(list, known[i].name) != NULL,
                      "role list lacks %s", known[i].name);
    }
}
END_TEST

Suite *ailes_suite_role(void)
{
    Suite *s = suite_create("role");
    TCase *tc = tcase_create("role");

    tcase_add_test(tc, role_parse_every_name);
    tcase_add_test(tc, role_every_role_is_known);
    tcase_add_test(tc, role_parse_unknown_is_none);
    tcase_add_test(tc, role_parse_is_case_sensitive);
    tcase_add_test(tc, role_name_round_trip);
    tcase_add_test(tc, role_name_of_none_and_out_of_range_is_empty);
    tcase_add_test(tc, role_high_privilege_flags);
    tcase_add_test(tc, role_list_names_every_role);
    suite_add_tcase(s, tc);
    return s;
}
