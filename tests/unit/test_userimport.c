/* ailes_userimport: checking a user CSV (headers in English or Japanese,
 * roles, labels, e-mail) and reporting every problem with its line and
 * column. Rows come from ailes_csv_parse on literal UTF-8 text. */
#include <stdarg.h>
#include <string.h>

#include <apr_strings.h>

#include "ailes_csv.h"
#include "ailes_role.h"
#include "ailes_userimport.h"
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

/* Parses text as CSV (which must succeed) and checks it. */
static void check(const char *text, apr_array_header_t **users,
                  apr_array_header_t **errors)
{
    apr_array_header_t *rows = NULL;
    const char *err = ailes_csv_parse(pool, text, strlen(text),
                                      AILES_IMPORT_MAX_ROWS, 64, &rows);

    ck_assert_msg(err == NULL, "CSV did not parse: %s", err);
    *users = NULL;
    *errors = NULL;
    ailes_import_check(pool, rows, users, errors);
    ck_assert_ptr_nonnull(*users);
    ck_assert_ptr_nonnull(*errors);
}

static const ailes_import_user_t *user_at(apr_array_header_t *users, int i)
{
    ck_assert_int_lt(i, users->nelts);
    return &APR_ARRAY_IDX(users, i, ailes_import_user_t);
}

static const ailes_import_error_t *error_at(apr_array_header_t *errors,
                                            int i)
{
    ck_assert_int_lt(i, errors->nelts);
    return &APR_ARRAY_IDX(errors, i, ailes_import_error_t);
}

/* All errors, one per line, for failure messages. */
static const char *dump(apr_array_header_t *errors)
{
    const char *s = "";
    int i;

    for (i = 0; i < errors->nelts; i++) {
        const ailes_import_error_t *e = error_at(errors, i);
        s = apr_psprintf(pool, "%s[line %d, %s: %s] ", s, e->line,
                         e->column ? e->column : "(null)", e->message);
    }
    return s;
}

static void assert_no_errors(apr_array_header_t *errors)
{
    ck_assert_msg(errors->nelts == 0, "unexpected errors: %s", dump(errors));
}

/* The error on line for column (NULL: not about one column); fails the
 * test when there is none. */
static const ailes_import_error_t *find_error(apr_array_header_t *errors,
                                              int line, const char *column)
{
    int i;

    for (i = 0; i < errors->nelts; i++) {
        const ailes_import_error_t *e = error_at(errors, i);
        if (e->line != line) {
            continue;
        }
        if ((column == NULL && e->column == NULL)
            || (column && e->column && !strcmp(column, e->column))) {
            ck_assert_ptr_nonnull(e->message);
            ck_assert_msg(e->message[0] != '\0', "empty error message");
            return e;
        }
    }
    ck_abort_msg("no error on line %d for %s; got: %s", line,
                 column ? column : "(no column)", dump(errors));
    return NULL;
}

static void assert_labels(const ailes_import_user_t *u, int n, ...)
{
    va_list ap;
    int i;

    ck_assert_ptr_nonnull(u->labels);
    ck_assert_int_eq(u->labels->nelts, n);
    va_start(ap, n);
    for (i = 0; i < n; i++) {
        const char *want = va_arg(ap, const char *);
        ck_assert_str_eq(APR_ARRAY_IDX(u->labels, i, const char *), want);
    }
    va_end(ap);
}

/* The two users of english_headers and japanese_headers. */
static void assert_two_users(apr_array_header_t *users)
{
    const ailes_import_user_t *u;

    ck_assert_int_eq(users->nelts, 2);
    u = user_at(users, 0);
    ck_assert_int_eq(u->line, 2);
    ck_assert_str_eq(u->employee_no, "E001");
    ck_assert_str_eq(u->name, "山田 太郎");
    ck_assert_int_eq(u->role, AILES_ROLE_TENANT_ADMIN);
    assert_labels(u, 2, "本社", "営業");
    ck_assert_str_eq(u->email, "yamada@example.com");
    u = user_at(users, 1);
    ck_assert_int_eq(u->line, 3);
    ck_assert_str_eq(u->employee_no, "E002");
    ck_assert_str_eq(u->name, "佐藤");
    ck_assert_int_eq(u->role, AILES_ROLE_EMPLOYEE);
    assert_labels(u, 0);
    ck_assert_ptr_null(u->email);
}

/* --- headers and users --------------------------------------------------- */

START_TEST(import_english_headers)
{
    apr_array_header_t *users, *errors;

    check("employee_no,name,role,labels,email\n"
          "E001,山田 太郎,tenant_admin,本社;営業,yamada@example.com\n"
          "E002,佐藤,,,\n", &users, &errors);
    assert_no_errors(errors);
    assert_two_users(users);
}
END_TEST

START_TEST(import_japanese_headers_any_order)
{
    apr_array_header_t *users, *errors;

    check("メールアドレス,ラベル,氏名,権限,社員番号\r\n"
          "yamada@example.com,本社;営業,山田 太郎,管理者,E001\r\n"
          ",,佐藤,,E002\r\n", &users, &errors);
    assert_no_errors(errors);
    assert_two_users(users);
}
END_TEST

START_TEST(import_mixed_headers_reordered)
{
    apr_array_header_t *users, *errors;

    check("email,氏名,labels,社員番号,role\n"
          "yamada@example.com,山田 太郎,本社;営業,E001,tenant_admin\n"
          ",佐藤,,E002,\n", &users, &errors);
    assert_no_errors(errors);
    assert_two_users(users);
}
END_TEST

START_TEST(import_role_defaults_to_employee)
{
    apr_array_header_t *users, *errors;
    const ailes_import_user_t *u;

    check("社員番号,氏名\nE001,山田\n", &users, &errors);
    assert_no_errors(errors);
    ck_assert_int_eq(users->nelts, 1);
    u = user_at(users, 0);
    ck_assert_int_eq(u->role, AILES_ROLE_EMPLOYEE);
    ck_assert_str_eq(u->employee_no, "E001");
    ck_assert_str_eq(u->name, "山田");
    assert_labels(u, 0);
    ck_assert_ptr_null(u->email);

    check("employee_no,name,role\nE001,A,\nE002,B,examinee\n", &users,
          &errors);
    assert_no_errors(errors);
    ck_assert_int_eq(users->nelts, 2);
    ck_assert_int_eq(user_at(users, 0)->role, AILES_ROLE_EMPLOYEE);
    ck_assert_int_eq(user_at(users, 1)->role, AILES_ROLE_EXAMINEE);
}
END_TEST

START_TEST(import_role_names)
{
    static const struct {
        const char *ja, *en;
        ailes_role_t role;
    } cases[] = {
        { "従業員", "employee", AILES_ROLE_EMPLOYEE },
        { "受検者", "examinee", AILES_ROLE_EXAMINEE },
        { "実施事務従事者", "sc_staff", AILES_ROLE_SC_STAFF },
        { "実施者", "sc_implementer", AILES_ROLE_SC_IMPLEMENTER },
        { "産業保健スタッフ", "health_staff", AILES_ROLE_HEALTH_STAFF },
        { "管理者", "tenant_admin", AILES_ROLE_TENANT_ADMIN },
    };
    apr_array_header_t *users, *errors;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check(apr_psprintf(pool, "社員番号,氏名,権限\nE001,A,%s\nE002,B,%s\n",
                           cases[i].ja, cases[i].en), &users, &errors);
        assert_no_errors(errors);
        ck_assert_int_eq(users->nelts, 2);
        ck_assert_msg(user_at(users, 0)->role == cases[i].role,
                      "%s: got role %d", cases[i].ja, user_at(users, 0)->role);
        ck_assert_msg(user_at(users, 1)->role == cases[i].role,
                      "%s: got role %d", cases[i].en, user_at(users, 1)->role);
    }
}
END_TEST

START_TEST(import_labels_split_trim_dedup)
{
    apr_array_header_t *users, *errors;

    check("employee_no,name,labels\n"
          "E001,A, b ；a;;b ; c ；a\n"
          "E002,B,東京；大阪;東京\n"
          "E003,C,;；; \n"
          "E004,D,solo\n", &users, &errors);
    assert_no_errors(errors);
    ck_assert_int_eq(users->nelts, 4);
    assert_labels(user_at(users, 0), 3, "b", "a", "c");
    assert_labels(user_at(users, 1), 2, "東京", "大阪");
    assert_labels(user_at(users, 2), 0);
    assert_labels(user_at(users, 3), 1, "solo");
}
END_TEST

/* --- errors -------------------------------------------------------------- */

START_TEST(import_unknown_header)
{
    apr_array_header_t *users, *errors;

    check("employee_no,name,nmae\nE001,A,x\n", &users, &errors);
    ck_assert_int_ge(errors->nelts, 1);
    find_error(errors, 1, "nmae");
}
END_TEST

START_TEST(import_duplicated_column)
{
    apr_array_header_t *users, *errors;

    check("employee_no,name,氏名\nE001,A,B\n", &users, &errors);
    ck_assert_int_ge(errors->nelts, 1);
    find_error(errors, 1, "氏名");

    check("role,employee_no,name,role\nemployee,E001,A,employee\n", &users,
          &errors);
    ck_assert_int_ge(errors->nelts, 1);
    find_error(errors, 1, "role");
}
END_TEST

START_TEST(import_missing_required_header)
{
    apr_array_header_t *users, *errors;

    check("name,role\nA,employee\n", &users, &errors);
    find_error(errors, 1, NULL);
    ck_assert_int_eq(users->nelts, 0);

    check("社員番号,権限\nE001,従業員\n", &users, &errors);
    find_error(errors, 1, NULL);
    ck_assert_int_eq(users->nelts, 0);
}
END_TEST

START_TEST(import_wrong_field_count)
{
    apr_array_header_t *users, *errors;

    check("employee_no,name\nE001,A,extra\nE002\nE003,C\n", &users, &errors);
    ck_assert_int_eq(errors->nelts, 2);
    find_error(errors, 2, NULL);
    find_error(errors, 3, NULL);
}
END_TEST

START_TEST(import_bad_employee_no)
{
    apr_array_header_t *users, *errors;

    check(apr_psprintf(pool, "employee_no,name\n"
                       " E001,A\n"
                       "%s,B\n"
                       "山田1,C\n"
                       "%s,D\n"
                       "E005,E\n",
                       repeat('x', 33), repeat('y', 32)),
          &users, &errors);
    ck_assert_msg(errors->nelts == 3, "got: %s", dump(errors));
    find_error(errors, 2, "employee_no");
    find_error(errors, 3, "employee_no");
    find_error(errors, 4, "employee_no");
}
END_TEST

START_TEST(import_empty_employee_no)
{
    apr_array_header_t *users, *errors;

    check("employee_no,name\n,A\n", &users, &errors);
    ck_assert_msg(errors->nelts == 1, "got: %s", dump(errors));
    find_error(errors, 2, "employee_no");
}
END_TEST

START_TEST(import_duplicate_employee_no)
{
    apr_array_header_t *users, *errors;
    const ailes_import_error_t *e;

    check("employee_no,name\nE001,A\nE002,B\n\nE001,C\n", &users, &errors);
    ck_assert_msg(errors->nelts == 1, "got: %s", dump(errors));
    e = find_error(errors, 5, "employee_no");
    ck_assert_msg(strstr(e->message, "also on line 2") != NULL,
                  "message: %s", e->message);
}
END_TEST

START_TEST(import_fullwidth_employee_no)
{
    apr_array_header_t *users, *errors;
    const ailes_import_error_t *e;

    check("社員番号,氏名\nＥ００１,山田\n", &users, &errors);
    assert_no_errors(errors);
    ck_assert_int_eq(users->nelts, 1);
    ck_assert_str_eq(user_at(users, 0)->employee_no, "E001");

    check("社員番号,氏名\nE001,山田\nＥ００１,佐藤\n", &users, &errors);
    ck_assert_msg(errors->nelts == 1, "got: %s", dump(errors));
    e = find_error(errors, 3, "employee_no");
    ck_assert_msg(strstr(e->message, "also on line 2") != NULL,
                  "message: %s", e->message);
}
END_TEST

START_TEST(import_bad_name)
{
    apr_array_header_t *users, *errors;

    check("employee_no,name\nE001,\nE002,A\tB\nE003,\"a\nb\"\nE004,ok\n",
          &users, &errors);
    ck_assert_msg(errors->nelts == 3, "got: %s", dump(errors));
    find_error(errors, 2, "name");
    find_error(errors, 3, "name");
    find_error(errors, 4, "name");
}
END_TEST

START_TEST(import_unknown_role)
{
    apr_array_header_t *users, *errors;

    check("employee_no,name,role\nE001,A,boss\nE002,B,Employee\n"
          "E003,C,管理\n", &users, &errors);
    ck_assert_msg(errors->nelts == 3, "got: %s", dump(errors));
    find_error(errors, 2, "role");
    find_error(errors, 3, "role");
    find_error(errors, 4, "role");
}
END_TEST

START_TEST(import_bad_label)
{
    apr_array_header_t *users, *errors;

    check(apr_psprintf(pool, "employee_no,name,labels\n"
                       "E001,A,ok;%s\n"
                       "E002,B,%s\n",
                       repeat('l', 65), repeat('m', 64)),
          &users, &errors);
    ck_assert_msg(errors->nelts == 1, "got: %s", dump(errors));
    find_error(errors, 2, "labels");
    ck_assert_int_eq(users->nelts, 2);
    assert_labels(user_at(users, 1), 1, repeat('m', 64));
}
END_TEST

START_TEST(import_email)
{
    apr_array_header_t *users, *errors;

    check("employee_no,name,email\n"
          "E001,A,no-at-sign\n"
          "E002,B,a b@c\n"
          "E003,C,c@example.com\n"
          "E004,D,\n", &users, &errors);
    ck_assert_msg(errors->nelts == 2, "got: %s", dump(errors));
    find_error(errors, 2, "email");
    find_error(errors, 3, "email");
    ck_assert_int_eq(users->nelts, 4);
    ck_assert_str_eq(user_at(users, 2)->employee_no, "E003");
    ck_assert_str_eq(user_at(users, 2)->email, "c@example.com");
    ck_assert_str_eq(user_at(users, 3)->employee_no, "E004");
    ck_assert_ptr_null(user_at(users, 3)->email);
}
END_TEST

START_TEST(import_empty_file)
{
    apr_array_header_t *users, *errors;

    check("", &users, &errors);
    ck_assert_int_eq(errors->nelts, 1);
    find_error(errors, 0, NULL);
    ck_assert_int_eq(users->nelts, 0);
}
END_TEST

START_TEST(import_header_only)
{
    apr_array_header_t *users, *errors;

    check("社員番号,氏名,権限\r\n", &users, &errors);
    ck_assert_int_eq(errors->nelts, 1);
    find_error(errors, 0, NULL);
    ck_assert_int_eq(users->nelts, 0);
}
END_TEST

START_TEST(import_error_count_capped)
{
    apr_array_header_t *users, *errors;
    apr_array_header_t *lines = apr_array_make(pool, 1501, sizeof(char *));
    int i;

    /* Every row lacks its name. */
    APR_ARRAY_PUSH(lines, const char *) = "employee_no,name\n";
    for (i = 0; i < 1500; i++) {
        APR_ARRAY_PUSH(lines, const char *) = apr_psprintf(pool, "E%04d,\n",
                                                           i);
    }
    check(apr_array_pstrcat(pool, lines, '\0'), &users, &errors);
    ck_assert_int_eq(errors->nelts, AILES_IMPORT_MAX_ERRORS);
    ck_assert_int_eq(error_at(errors, 0)->line, 2);
    ck_assert_str_eq(error_at(errors, 0)->column, "name");
    ck_assert_int_eq(error_at(errors, AILES_IMPORT_MAX_ERRORS - 1)->line,
                     AILES_IMPORT_MAX_ERRORS + 1);

    /* Errors added later are dropped as well. */
    ailes_import_error(pool, errors, 7, "employee_no", "in the database");
    ck_assert_int_eq(errors->nelts, AILES_IMPORT_MAX_ERRORS);
}
END_TEST

START_TEST(import_error_added_later)
{
    apr_array_header_t *users, *errors;

    check("employee_no,name\nE001,A\n", &users, &errors);
    assert_no_errors(errors);
    ailes_import_error(pool, errors, 2, "employee_no", "already registered");
    ck_assert_int_eq(errors->nelts, 1);
    ck_assert_int_eq(error_at(errors, 0)->line, 2);
    ck_assert_str_eq(error_at(errors, 0)->column, "employee_no");
    ck_assert_str_eq(error_at(errors, 0)->message, "already registered");
}
END_TEST

Suite *ailes_suite_userimport(void)
{
    Suite *s = suite_create("userimport");
    TCase *tc = tcase_create("userimport");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, import_english_headers);
    tcase_add_test(tc, import_japanese_headers_any_order);
    tcase_add_test(tc, import_mixed_headers_reordered);
    tcase_add_test(tc, import_role_defaults_to_employee);
    tcase_add_test(tc, import_role_names);
    tcase_add_test(tc, import_labels_split_trim_dedup);
    tcase_add_test(tc, import_unknown_header);
    tcase_add_test(tc, import_duplicated_column);
    tcase_add_test(tc, import_missing_required_header);
    tcase_add_test(tc, import_wrong_field_count);
    tcase_add_test(tc, import_bad_employee_no);
    tcase_add_test(tc, import_empty_employee_no);
    tcase_add_test(tc, import_duplicate_employee_no);
    tcase_add_test(tc, import_fullwidth_employee_no);
    tcase_add_test(tc, import_bad_name);
    tcase_add_test(tc, import_unknown_role);
    tcase_add_test(tc, import_bad_label);
    tcase_add_test(tc, import_email);
    tcase_add_test(tc, import_empty_file);
    tcase_add_test(tc, import_header_only);
    tcase_add_test(tc, import_error_count_capped);
    tcase_add_test(tc, import_error_added_later);
    suite_add_tcase(s, tc);
    return s;
}
