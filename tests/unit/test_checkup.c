/* ailes_checkup: checking a health checkup CSV cell by cell (headers in
 * Japanese or English, units, ranges, urine, hearing, dates, duplicates)
 * and deciding findings by the reference cut-offs. Rows come from
 * ailes_csv_parse on literal UTF-8 text. */
#include <string.h>

#include <apr_strings.h>

#include "ailes_checkup.h"
#include "ailes_csv.h"
#include "ailes_userimport.h"
#include "unit_tests.h"

#define TODAY "2026-11-26"

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

static void check(const char *text, apr_array_header_t **out,
                  apr_array_header_t **errors)
{
    apr_array_header_t *rows = NULL;
    const char *err = ailes_csv_parse(pool, text, strlen(text),
                                      AILES_CHECKUP_MAX_ROWS,
                                      AILES_CHECKUP_MAX_FIELDS, &rows);

    ck_assert_msg(err == NULL, "csv: %s", err);
    ailes_checkup_check(pool, rows, TODAY, out, errors);
}

static const ailes_import_error_t *error_at(apr_array_header_t *e, int i)
{
    return &APR_ARRAY_IDX(e, i, ailes_import_error_t);
}

static const ailes_checkup_t *at(apr_array_header_t *c, int i)
{
    return &APR_ARRAY_IDX(c, i, ailes_checkup_t);
}

static void assert_no_errors(apr_array_header_t *errors)
{
    ck_assert_msg(errors->nelts == 0, "line %d col %s: %s",
                  errors->nelts ? error_at(errors, 0)->line : 0,
                  errors->nelts && error_at(errors, 0)->column
                      ? error_at(errors, 0)->column : "-",
                  errors->nelts ? error_at(errors, 0)->message : "");
}

/* One cell under header `col` must be refused with a message naming it;
 * returns the message. */
static const char *refused(const char *col, const char *value)
{
    apr_array_header_t *c, *e;

    check(apr_psprintf(pool, "社員番号,受診日,%s\nE1,2026-04-01,%s\n", col,
                       value), &c, &e);
    ck_assert_msg(e->nelts == 1, "%s=%s: %d errors", col, value, e->nelts);
    ck_assert_int_eq(error_at(e, 0)->line, 2);
    ck_assert_str_eq(error_at(e, 0)->column, col);
    ck_assert_int_eq(c->nelts, 0);
    return error_at(e, 0)->message;
}

/* One cell accepted; returns the items JSON. */
static const char *accepted(const char *col, const char *value)
{
    apr_array_header_t *c, *e;

    check(apr_psprintf(pool, "社員番号,受診日,%s\nE1,2026-04-01,%s\n", col,
                       value), &c, &e);
    assert_no_errors(e);
    ck_assert_int_eq(c->nelts, 1);
    return at(c, 0)->items;
}

START_TEST(checkup_japanese_layout)
{
    apr_array_header_t *c, *e;

    check("社員番号,受診日,健診種別(定期/雇入/特定業務/人間ドック),年齢,性別,"
          "身長cm,体重kg,収縮期血圧,拡張期血圧,尿糖,尿蛋白,総合判定(A-E),"
          "就業区分(通常/制限/休業),LDL\n"
          "E001,2026/4/15,定期,45,男,170.0,65.5,128,82,−,±,B,通常,140\n",
          &c, &e);
    assert_no_errors(e);
    ck_assert_int_eq(c->nelts, 1);
    ck_assert_str_eq(at(c, 0)->employee_no, "E001");
    ck_assert_str_eq(at(c, 0)->exam_date, "2026-04-15");
    ck_assert_str_eq(at(c, 0)->kind, "periodic");
    ck_assert_str_eq(at(c, 0)->judgement, "B");
    ck_assert_str_eq(at(c, 0)->work_class, "normal");
    /* BMI is computed when missing: 65.5 / 1.7^2 = 22.66 -> 22.7. */
    ck_assert_str_eq(at(c, 0)->items,
                     "{\"age\":45,\"bmi\":22.7,\"diastolic_bp\":82,"
                     "\"height_cm\":170,\"judgement\":\"B\",\"ldl\":140,"
                     "\"sex\":\"male\",\"systolic_bp\":128,"
                     "\"urine_glucose\":\"-\",\"urine_protein\":\"+-\","
                     "\"weight_kg\":65.5,\"work_class\":\"normal\"}");
}
END_TEST

START_TEST(checkup_name_columns_never_kept)
{
    apr_array_header_t *c, *e;

    check("社員番号,氏名,フリガナ,受診日,BMI\n"
          "E001,山田 太郎,ヤマダ タロウ,2026-04-01,22\n", &c, &e);
    assert_no_errors(e);
    ck_assert_str_eq(at(c, 0)->items, "{\"bmi\":22}");
}
END_TEST

START_TEST(checkup_english_headers_and_kind_default)
{
    apr_array_header_t *c, *e;

    check("exam_date,employee_no,hba1c,judgement\n"
          "2026-04-15,E002,5.4,a\n", &c, &e);
    assert_no_errors(e);
    ck_assert_str_eq(at(c, 0)->employee_no, "E002");
    ck_assert_str_eq(at(c, 0)->kind, "periodic");
    ck_assert_str_eq(at(c, 0)->judgement, "A");
    ck_assert_ptr_null(at(c, 0)->work_class);
    ck_assert_str_eq(at(c, 0)->items, "{\"hba1c\":5.4,\"judgement\":\"A\"}");
}
END_TEST

START_TEST(checkup_fullwidth_digits_from_excel)
{
    apr_array_header_t *c, *e;

    /* Excel users type 全角: "Ｅ００３", "２０２６／４／１", "１２０". */
    check("社員番号,受診日,収縮期血圧,拡張期血圧\n"
          "\xef\xbc\xa5\xef\xbc\x90\xef\xbc\x90\xef\xbc\x93,"
          "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96\xef\xbc\x8f"
          "\xef\xbc\x94\xef\xbc\x8f\xef\xbc\x91,"
          "\xef\xbc\x91\xef\xbc\x92\xef\xbc\x90,"
          "\xef\xbc\x98\xef\xbc\x90\n", &c, &e);
    assert_no_errors(e);
    ck_assert_str_eq(at(c, 0)->employee_no, "E003");
    ck_assert_str_eq(at(c, 0)->exam_date, "2026-04-01");
    ck_assert_str_eq(at(c, 0)->items,
                     "{\"diastolic_bp\":80,\"systolic_bp\":120}");
}
END_TEST

START_TEST(checkup_units_in_brackets_and_notes)
{
    ck_assert_str_eq(accepted("身長(cm)", "160.5"), "{\"height_cm\":160.5}");
    ck_assert_str_eq(accepted("身長（cm）", "160"), "{\"height_cm\":160}");
    ck_assert_str_eq(accepted("γ-GTP", "40"), "{\"ggt\":40}");
    ck_assert_str_eq(accepted("AST(GOT)", "20"), "{\"ast\":20}");
    ck_assert_str_eq(accepted("視力(右)", "1.2"), "{\"vision_right\":1.2}");
}
END_TEST

START_TEST(checkup_ranges_at_their_edges)
{
    static const struct {
        const char *col, *lo, *hi, *below, *above;
    } r[] = {
        { "身長", "100", "250", "99.9", "250.1" },
        { "体重", "20", "300", "19.9", "300.1" },
        { "腹囲", "40", "250", "39.9", "250.1" },
        { "収縮期血圧", "60", "300", "59", "301" },
        { "拡張期血圧", "30", "200", "29", "201" },
        { "Hb", "3", "25", "2.9", "25.1" },
        { "RBC", "100", "900", "99", "901" },
        { "AST", "0", "5000", NULL, "5001" },
        { "LDL", "10", "1000", "9", "1001" },
        { "HDL", "5", "300", "4", "301" },
        { "TG", "10", "5000", "9", "5001" },
        { "空腹時血糖", "20", "1000", "19", "1001" },
        { "HbA1c", "3", "20", "2.9", "20.1" },
        { "視力右", "0", "2", NULL, "2.1" },
        { "年齢", "15", "100", "14", "101" },
        { "BMI", "10", "80", "9.9", "80.1" },
    };
    size_t i;

    for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
        accepted(r[i].col, r[i].lo);
        accepted(r[i].col, r[i].hi);
        if (r[i].below) {
            ck_assert_ptr_nonnull(strstr(refused(r[i].col, r[i].below),
                                         "must be from"));
        }
        ck_assert_ptr_nonnull(strstr(refused(r[i].col, r[i].above),
                                     "must be from"));
    }
}
END_TEST

START_TEST(checkup_numbers_are_plain_decimals)
{
    refused("体重", "-60");
    refused("体重", "60kg");
    refused("体重", "6e1");
    refused("体重", "60.");
    refused("体重", ".5");
    refused("体重", "60.123");
    refused("体重", "\"1,0\"");
    refused("体重", "0x40");
    ck_assert_str_eq(accepted("体重", "60.12"), "{\"weight_kg\":60.12}");
}
END_TEST

START_TEST(checkup_lab_below_reporting_limit)
{
    ck_assert_str_eq(accepted("γGTP", "<5"), "{\"ggt\":\"<5\"}");
    ck_assert_str_eq(accepted("γGTP", "＜5"), "{\"ggt\":\"<5\"}");
    refused("γGTP", "<");
    refused("γGTP", "<6000");
    /* Not for a measurement taken by the examiner. */
    refused("身長", "<150");
}
END_TEST

START_TEST(checkup_urine_qualitative)
{
    ck_assert_str_eq(accepted("尿糖", "−"), "{\"urine_glucose\":\"-\"}");
    ck_assert_str_eq(accepted("尿糖", "-"), "{\"urine_glucose\":\"-\"}");
    ck_assert_str_eq(accepted("尿糖", "－"), "{\"urine_glucose\":\"-\"}");
    ck_assert_str_eq(accepted("尿糖", "±"), "{\"urine_glucose\":\"+-\"}");
    ck_assert_str_eq(accepted("尿蛋白", "+"), "{\"urine_protein\":\"+\"}");
    ck_assert_str_eq(accepted("尿蛋白", "1+"), "{\"urine_protein\":\"+\"}");
    ck_assert_str_eq(accepted("尿蛋白", "２＋"), "{\"urine_protein\":\"2+\"}");
    ck_assert_str_eq(accepted("尿蛋白", "3+"), "{\"urine_protein\":\"3+\"}");
    ck_assert_ptr_nonnull(strstr(refused("尿蛋白", "5+"), "must be one of"));
    refused("尿蛋白", "positive");
    refused("尿蛋白", "10");
}
END_TEST

START_TEST(checkup_hearing_words_or_decibels)
{
    ck_assert_str_eq(accepted("聴力1000右", "所見なし"),
                     "{\"hearing_1000_right\":\"normal\"}");
    ck_assert_str_eq(accepted("聴力4000左", "所見あり"),
                     "{\"hearing_4000_left\":\"finding\"}");
    ck_assert_str_eq(accepted("聴力1000左", "30"),
                     "{\"hearing_1000_left\":30}");
    refused("聴力1000左", "121");
    refused("聴力1000左", "25.5");
    refused("聴力1000左", "悪い");
}
END_TEST

START_TEST(checkup_choices)
{
    ck_assert_str_eq(accepted("健診種別", "雇入時"), "{}");
    ck_assert_str_eq(accepted("性別", "女性"), "{\"sex\":\"female\"}");
    ck_assert_str_eq(accepted("総合判定", "Ｅ"), "{\"judgement\":\"E\"}");
    ck_assert_str_eq(accepted("就業区分", "休業"),
                     "{\"work_class\":\"leave\"}");
    ck_assert_str_eq(accepted("喫煙", "過去"), "{\"smoking\":\"former\"}");
    ck_assert_ptr_nonnull(strstr(refused("総合判定", "F"), "must be one of"));
    refused("健診種別", "がん検診");
    refused("就業区分", "在宅");
    refused("性別", "x");
}
END_TEST

START_TEST(checkup_findings_and_text)
{
    ck_assert_str_eq(accepted("胸部X線所見", "異常なし"),
                     "{\"chest_xray\":\"normal\"}");
    ck_assert_str_eq(accepted("心電図所見", "左室肥大"),
                     "{\"ecg\":\"左室肥大\"}");
    ck_assert_str_eq(accepted("医師の意見", "減量を勧める"),
                     "{\"doctor_opinion\":\"減量を勧める\"}");
    refused("医師の意見", "a\x01" "b");
    accepted("既往歴", repeat('x', 500));
    refused("既往歴", repeat('y', 501));
}
END_TEST

START_TEST(checkup_dates)
{
    apr_array_header_t *c, *e;

    check("社員番号,受診日\nE1,2024/2/29\nE2,2026年11月26日\nE3,2000-01-01\n",
          &c, &e);
    assert_no_errors(e);
    ck_assert_str_eq(at(c, 0)->exam_date, "2024-02-29");
    ck_assert_str_eq(at(c, 1)->exam_date, "2026-11-26");
    ck_assert_str_eq(at(c, 2)->exam_date, "2000-01-01");
    check("社員番号,受診日\nE1,2025/2/29\nE2,2026-11-27\nE3,1999-12-31\n"
          "E4,2026-13-01\nE5,26/4/1\nE6,2026-04-01T00:00\nE7,\n", &c, &e);
    ck_assert_int_eq(e->nelts, 7);
    ck_assert_int_eq(c->nelts, 0);
    ck_assert_int_eq(error_at(e, 0)->line, 2);
    ck_assert_int_eq(error_at(e, 1)->line, 3);
    ck_assert_str_eq(error_at(e, 1)->message,
                     "must be from 2000-01-01 to today");
    ck_assert_str_eq(error_at(e, 6)->message, "is required");
}
END_TEST

START_TEST(checkup_row_consistency)
{
    apr_array_header_t *c, *e;

    check("社員番号,受診日,収縮期血圧,拡張期血圧\nE1,2026-04-01,90,90\n", &c,
          &e);
    ck_assert_int_eq(e->nelts, 1);
    ck_assert_str_eq(error_at(e, 0)->column, "拡張期血圧");
    check("社員番号,受診日,身長,体重,BMI\nE1,2026-04-01,170,65,30\n"
          "E2,2026-04-01,170,65,22.5\n", &c, &e);
    ck_assert_int_eq(e->nelts, 1);
    ck_assert_int_eq(error_at(e, 0)->line, 2);
    ck_assert_str_eq(error_at(e, 0)->column, "BMI");
    ck_assert_int_eq(c->nelts, 1);
}
END_TEST

START_TEST(checkup_duplicates_in_file)
{
    apr_array_header_t *c, *e;

    check("社員番号,受診日,健診種別\nE1,2026-04-01,定期\n"
          "E1,2026-04-01,雇入\nE1,2026/4/1,periodic\n", &c, &e);
    ck_assert_int_eq(e->nelts, 1);
    ck_assert_int_eq(error_at(e, 0)->line, 4);
    ck_assert_str_eq(error_at(e, 0)->message,
                     "the same employee, date and kind as line 2");
}
END_TEST

START_TEST(checkup_header_problems)
{
    apr_array_header_t *c, *e;

    check("社員番号,受診日,身長,身長cm,血液型\nE1,2026-04-01,1,2,A\n", &c, &e);
    ck_assert_int_eq(e->nelts, 2);
    ck_assert_str_eq(error_at(e, 0)->column, "身長cm");
    ck_assert_str_eq(error_at(e, 0)->message, "the column appears twice");
    ck_assert_str_eq(error_at(e, 1)->column, "血液型");
    ck_assert_str_eq(error_at(e, 1)->message, "unknown column");
    check("社員番号,身長\nE1,170\n", &c, &e);
    ck_assert_int_eq(e->nelts, 1);
    ck_assert_ptr_null(error_at(e, 0)->column);
    check("社員番号,受診日\n", &c, &e);
    ck_assert_int_eq(e->nelts, 1);
    ck_assert_str_eq(error_at(e, 0)->message, "the file has no rows");
    check("社員番号,受診日,身長\nE1,2026-04-01\n", &c, &e);
    ck_assert_int_eq(e->nelts, 1);
    ck_assert_str_eq(error_at(e, 0)->message,
                     "has 2 fields, the header has 3");
}
END_TEST

START_TEST(checkup_every_bad_cell_reported)
{
    apr_array_header_t *c, *e;

    check("社員番号,受診日,体重,尿糖\nE1,2026-04-01,x,y\nE2,2026-04-01,1,+\n"
          "E3,2026-04-01,60,+\n", &c, &e);
    ck_assert_int_eq(e->nelts, 3);
    ck_assert_str_eq(error_at(e, 0)->column, "体重");
    ck_assert_str_eq(error_at(e, 1)->column, "尿糖");
    ck_assert_int_eq(error_at(e, 2)->line, 3);
    ck_assert_int_eq(c->nelts, 1);
}
END_TEST

static unsigned bit(ailes_checkup_group_t g)
{
    return 1U << g;
}

/* Findings of one items object; flagged keys joined with ','. */
static const char *findings(const char *json, unsigned *examined,
                            unsigned *found)
{
    apr_array_header_t *keys;
    const char *out = "";
    int i;

    ck_assert_int_eq(ailes_checkup_findings(pool, json, examined, found,
                                            &keys), 0);
    for (i = 0; i < keys->nelts; i++) {
        out = apr_pstrcat(pool, out, i ? "," : "",
                          APR_ARRAY_IDX(keys, i, const char *), NULL);
    }
    return out;
}

START_TEST(checkup_cutoffs_each_side)
{
    unsigned ex, fd;

    ck_assert_str_eq(findings("{\"systolic_bp\":129,\"diastolic_bp\":84}",
                              &ex, &fd), "");
    ck_assert_uint_eq(ex, bit(AILES_CK_BLOOD_PRESSURE));
    ck_assert_uint_eq(fd, 0);
    ck_assert_str_eq(findings("{\"systolic_bp\":130,\"diastolic_bp\":84}",
                              &ex, &fd), "systolic_bp");
    ck_assert_uint_eq(fd, bit(AILES_CK_BLOOD_PRESSURE));
    ck_assert_str_eq(findings("{\"diastolic_bp\":85}", &ex, &fd),
                     "diastolic_bp");
    ck_assert_str_eq(findings("{\"ast\":30,\"alt\":30,\"ggt\":50}", &ex, &fd),
                     "");
    ck_assert_str_eq(findings("{\"ast\":31,\"alt\":31,\"ggt\":51}", &ex, &fd),
                     "ast,alt,ggt");
    ck_assert_uint_eq(fd, bit(AILES_CK_LIVER));
    ck_assert_str_eq(findings("{\"ldl\":119,\"hdl\":40,\"tg\":149}", &ex,
                              &fd), "");
    ck_assert_str_eq(findings("{\"ldl\":120,\"hdl\":39,\"tg\":150}", &ex,
                              &fd), "ldl,hdl,tg");
    ck_assert_str_eq(findings("{\"fasting_glucose\":99,\"hba1c\":5.5}", &ex,
                              &fd), "");
    ck_assert_str_eq(findings("{\"random_glucose\":100,\"hba1c\":5.6}", &ex,
                              &fd), "random_glucose,hba1c");
    ck_assert_uint_eq(fd, bit(AILES_CK_GLUCOSE));
    /* "<5" is below every upper cut-off. */
    ck_assert_str_eq(findings("{\"ggt\":\"<5\"}", &ex, &fd), "");
    ck_assert_uint_eq(ex, bit(AILES_CK_LIVER));
}
END_TEST

START_TEST(checkup_cutoffs_by_sex)
{
    unsigned ex, fd;

    ck_assert_str_eq(findings("{\"sex\":\"male\",\"hb\":13.1}", &ex, &fd),
                     "");
    ck_assert_str_eq(findings("{\"sex\":\"male\",\"hb\":13.0}", &ex, &fd),
                     "hb");
    ck_assert_uint_eq(fd, bit(AILES_CK_ANEMIA));
    ck_assert_str_eq(findings("{\"sex\":\"female\",\"hb\":12.1}", &ex, &fd),
                     "");
    ck_assert_str_eq(findings("{\"sex\":\"female\",\"hb\":12.0}", &ex, &fd),
                     "hb");
    /* Without a sex: only where both agree. */
    ck_assert_str_eq(findings("{\"hb\":12.5}", &ex, &fd), "");
    ck_assert_str_eq(findings("{\"hb\":12.0}", &ex, &fd), "hb");
    ck_assert_str_eq(findings("{\"sex\":\"male\",\"waist_cm\":85}", &ex,
                              &fd), "waist_cm");
    ck_assert_str_eq(findings("{\"sex\":\"female\",\"waist_cm\":89.9}", &ex,
                              &fd), "");
    ck_assert_uint_eq(ex, 0);   /* waist is in no report group */
}
END_TEST

START_TEST(checkup_cutoffs_qualitative)
{
    unsigned ex, fd;

    ck_assert_str_eq(findings("{\"urine_glucose\":\"+-\","
                              "\"urine_protein\":\"-\"}", &ex, &fd), "");
    ck_assert_uint_eq(ex, bit(AILES_CK_URINE_GLUCOSE)
                              | bit(AILES_CK_URINE_PROTEIN));
    ck_assert_str_eq(findings("{\"urine_glucose\":\"+\","
                              "\"urine_protein\":\"3+\"}", &ex, &fd),
                     "urine_glucose,urine_protein");
    ck_assert_str_eq(findings("{\"hearing_1000_right\":29,"
                              "\"hearing_4000_left\":39}", &ex, &fd), "");
    ck_assert_str_eq(findings("{\"hearing_1000_right\":30,"
                              "\"hearing_4000_left\":\"finding\"}", &ex, &fd),
                     "hearing_1000_right,hearing_4000_left");
    ck_assert_uint_eq(fd, bit(AILES_CK_HEARING_1000)
                              | bit(AILES_CK_HEARING_4000));
    ck_assert_str_eq(findings("{\"chest_xray\":\"normal\",\"ecg\":\"ST低下\"}",
                              &ex, &fd), "ecg");
    ck_assert_uint_eq(fd, bit(AILES_CK_ECG));
    ck_assert_int_eq(ailes_checkup_findings(pool, "[1]", &ex, &fd,
                                            &(apr_array_header_t *){ NULL }),
                     -1);
}
END_TEST

START_TEST(checkup_groups_named)
{
    ck_assert_str_eq(ailes_checkup_group_key(AILES_CK_LIPIDS), "lipids");
    ck_assert_str_eq(ailes_checkup_group_ja(AILES_CK_ECG), "心電図検査");
    ck_assert_ptr_null(ailes_checkup_group_key(AILES_CK_GROUPS));
}
END_TEST

Suite *ailes_suite_checkup(void)
{
    Suite *s = suite_create("checkup");
    TCase *tc = tcase_create("checkup");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, checkup_japanese_layout);
    tcase_add_test(tc, checkup_name_columns_never_kept);
    tcase_add_test(tc, checkup_english_headers_and_kind_default);
    tcase_add_test(tc, checkup_fullwidth_digits_from_excel);
    tcase_add_test(tc, checkup_units_in_brackets_and_notes);
    tcase_add_test(tc, checkup_ranges_at_their_edges);
    tcase_add_test(tc, checkup_numbers_are_plain_decimals);
    tcase_add_test(tc, checkup_lab_below_reporting_limit);
    tcase_add_test(tc, checkup_urine_qualitative);
    tcase_add_test(tc, checkup_hearing_words_or_decibels);
    tcase_add_test(tc, checkup_choices);
    tcase_add_test(tc, checkup_findings_and_text);
    tcase_add_test(tc, checkup_dates);
    tcase_add_test(tc, checkup_row_consistency);
    tcase_add_test(tc, checkup_duplicates_in_file);
    tcase_add_test(tc, checkup_header_problems);
    tcase_add_test(tc, checkup_every_bad_cell_reported);
    tcase_add_test(tc, checkup_cutoffs_each_side);
    tcase_add_test(tc, checkup_cutoffs_by_sex);
    tcase_add_test(tc, checkup_cutoffs_qualitative);
    tcase_add_test(tc, checkup_groups_named);
    suite_add_tcase(s, tc);
    return s;
}
