/* BJSQ scoring (ailes_bjsq.h): both MHLW methods, hand-computed answer
 * sets, the manual's worked example and every threshold at +-1. */
#include <string.h>

#include <check.h>

#include "ailes_bjsq.h"
#include "unit_tests.h"

static void fill(int *a, int v)
{
    int i;

    for (i = 0; i < AILES_BJSQ_ITEMS; i++) {
        a[i] = v;
    }
}

START_TEST(items_and_areas)
{
    int i, n[4] = { 0 };

    for (i = 0; i < AILES_BJSQ_ITEMS; i++) {
        ck_assert_int_eq(ailes_bjsq_items[i].no, i + 1);
        n[ailes_bjsq_items[i].area - 'A']++;
    }
    ck_assert_int_eq(n[0], 17);
    ck_assert_int_eq(n[1], 29);
    ck_assert_int_eq(n[2], 9);
    ck_assert_int_eq(n[3], 2);
    ck_assert_str_eq(ailes_bjsq_items[17].code, "B1");
    ck_assert_str_eq(ailes_bjsq_items[46].code, "C1");
    ck_assert_str_eq(ailes_bjsq_choices_ja('B')[3], "ほとんどいつもあった");
    ck_assert_str_eq(ailes_bjsq_choices_ja('C')[2], "多少");
}
END_TEST

START_TEST(valid_answers)
{
    int a[AILES_BJSQ_ITEMS];

    fill(a, 2);
    ck_assert(ailes_bjsq_valid(a));
    a[56] = 5;
    ck_assert(!ailes_bjsq_valid(a));
    a[56] = 0;
    ck_assert(!ailes_bjsq_valid(a));
}
END_TEST

START_TEST(method1_all_ones_and_fours)
{
    int a[AILES_BJSQ_ITEMS];
    ailes_bjsq_result_t r;

    fill(a, 1);
    ailes_bjsq_method1(a, &ailes_bjsq_m1_default, &r);
    ck_assert_int_eq(r.a, 50);      /* 11 reversed x 4 + 6 x 1 */
    ck_assert_int_eq(r.b, 38);      /* 3 reversed x 4 + 26 x 1 */
    ck_assert_int_eq(r.c, 9);
    ck_assert(!r.high_stress);
    fill(a, 4);
    ailes_bjsq_method1(a, &ailes_bjsq_m1_default, &r);
    ck_assert_int_eq(r.a, 35);
    ck_assert_int_eq(r.b, 107);
    ck_assert_int_eq(r.c, 36);
    ck_assert(r.high_stress);
}
END_TEST

START_TEST(method1_reversal_per_item)
{
    int a[AILES_BJSQ_ITEMS], i, base;
    ailes_bjsq_result_t r;
    /* Items whose code is reversed: A1-A7, A11-A13, A15, B1-B3. */
    static const int rev[] = { 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 15, 18, 19,
                               20 };

    fill(a, 2);
    ailes_bjsq_method1(a, &ailes_bjsq_m1_default, &r);
    base = r.a + r.b + r.c;
    for (i = 1; i <= 55; i++) {
        int j, is_rev = 0;
        for (j = 0; j < (int)(sizeof(rev) / sizeof(rev[0])); j++) {
            is_rev |= rev[j] == i;
        }
        fill(a, 2);
        a[i - 1] = 3;               /* one step up on the form */
        ailes_bjsq_method1(a, &ailes_bjsq_m1_default, &r);
        ck_assert_msg(r.a + r.b + r.c == base + (is_rev ? -1 : 1),
                      "item %d", i);
    }
}
END_TEST

START_TEST(method1_thresholds_edges)
{
    const ailes_bjsq_thresholds_t *t = &ailes_bjsq_m1_default;

    ck_assert(ailes_bjsq_high_m1(17, 77, 9, t));
    ck_assert(!ailes_bjsq_high_m1(17, 76, 9, t));
    ck_assert(ailes_bjsq_high_m1(40, 63, 36, t));     /* A+C 76, B 63 */
    ck_assert(!ailes_bjsq_high_m1(40, 62, 36, t));
    ck_assert(!ailes_bjsq_high_m1(39, 63, 36, t));    /* A+C 75 */
}
END_TEST

START_TEST(method2_all_ones_and_fours_male)
{
    int a[AILES_BJSQ_ITEMS];
    ailes_bjsq_result_t r;
    static const int ones[] = { 1, 1, 1, 2, 1, 5, 1, 5, 5, 1, 5, 5, 5, 5, 5,
                                5, 5, 5, 5 };
    static const int fours[] = { 5, 5, 4, 3, 4, 1, 4, 1, 1, 5, 1, 1, 1, 1, 1,
                                 1, 1, 1, 1 };
    int i;

    fill(a, 1);
    ailes_bjsq_method2(a, AILES_SEX_MALE, &ailes_bjsq_m2_default, &r);
    for (i = 0; i < AILES_BJSQ_SCALES; i++) {
        ck_assert_msg(r.points[i] == ones[i], "scale %s: %d",
                      ailes_bjsq_scales[i].key, r.points[i]);
    }
    ck_assert_int_eq(r.a, 22);
    ck_assert_int_eq(r.b, 26);
    ck_assert_int_eq(r.c, 15);
    ck_assert(!r.high_stress);
    fill(a, 4);
    ailes_bjsq_method2(a, AILES_SEX_MALE, &ailes_bjsq_m2_default, &r);
    for (i = 0; i < AILES_BJSQ_SCALES; i++) {
        ck_assert_msg(r.points[i] == fours[i], "scale %s: %d",
                      ailes_bjsq_scales[i].key, r.points[i]);
    }
    ck_assert_int_eq(r.a, 28);
    ck_assert_int_eq(r.b, 10);
    ck_assert_int_eq(r.c, 3);
    ck_assert(r.high_stress);
}
END_TEST

START_TEST(method2_sex_tables_differ)
{
    int a[AILES_BJSQ_ITEMS];
    ailes_bjsq_result_t m, f;

    /* Somatic complaints all "sometimes" (2): raw 22 is やや高い (2 points)
     * for men, 普通 (3) for women. */
    fill(a, 2);
    ailes_bjsq_method2(a, AILES_SEX_MALE, &ailes_bjsq_m2_default, &m);
    ailes_bjsq_method2(a, AILES_SEX_FEMALE, &ailes_bjsq_m2_default, &f);
    ck_assert_int_eq(m.raw[14], 22);
    ck_assert_int_eq(m.points[14], 2);
    ck_assert_int_eq(f.points[14], 3);
}
END_TEST

START_TEST(method2_worked_example_and_edges)
{
    const ailes_bjsq_thresholds_t *t = &ailes_bjsq_m2_default;

    /* The manual's example: A=21, B=7, C=4 is high stress by both rules. */
    ck_assert(ailes_bjsq_high_m2(21, 7, 4, t));
    ck_assert(21 + 4 <= t->ac && 7 <= t->b_with_ac);
    ck_assert(ailes_bjsq_high_m2(45, 12, 15, t));
    ck_assert(!ailes_bjsq_high_m2(45, 13, 15, t));
    ck_assert(ailes_bjsq_high_m2(20, 17, 6, t));      /* A+C 26, B 17 */
    ck_assert(!ailes_bjsq_high_m2(20, 18, 6, t));
    ck_assert(!ailes_bjsq_high_m2(21, 17, 6, t));     /* A+C 27 */
}
END_TEST

START_TEST(group_scales_and_risks)
{
    ailes_bjsq_group_t g;
    int a[AILES_BJSQ_ITEMS];

    memset(&g, 0, sizeof(g));
    /* All answers 2: every 3-item scale is 15 - 6 = 9. */
    fill(a, 2);
    ailes_bjsq_group_add(&g, a, AILES_SEX_MALE);
    /* All answers 3: every scale 6. */
    fill(a, 3);
    ailes_bjsq_group_add(&g, a, AILES_SEX_MALE);
    a[0] = 0;                           /* incomplete: not counted */
    ailes_bjsq_group_add(&g, a, AILES_SEX_MALE);
    ailes_bjsq_group_done(&g);
    ck_assert_int_eq(g.all.n, 2);
    ck_assert_int_eq(g.sex[AILES_SEX_MALE].n, 2);
    ck_assert_int_eq(g.sex[AILES_SEX_FEMALE].n, 0);
    ck_assert_double_eq_tol(g.all.quantity, 7.5, 1e-9);
    ck_assert_double_eq_tol(g.all.coworker, 7.5, 1e-9);
    /* 100 exp((7.5-8.7)*0.076 + (7.5-7.9)*-0.089) = 94.59 */
    ck_assert_int_eq(g.all.risk_qc, 95);
    /* 100 exp((7.5-7.5)*-0.097 + (7.5-8.1)*-0.097) = 105.99 */
    ck_assert_int_eq(g.all.risk_support, 106);
    ck_assert_int_eq(g.all.risk_total, 100);    /* 94.59 * 105.99 / 100 */
    ck_assert_int_eq(g.sex[AILES_SEX_MALE].risk_total, 100);
}
END_TEST

/* Women are measured against the women's national means: the same
 * answers give other risks. */
START_TEST(group_women_own_reference)
{
    ailes_bjsq_group_t g;
    int a[AILES_BJSQ_ITEMS];

    memset(&g, 0, sizeof(g));
    fill(a, 2);
    ailes_bjsq_group_add(&g, a, AILES_SEX_FEMALE);
    fill(a, 3);
    ailes_bjsq_group_add(&g, a, AILES_SEX_FEMALE);
    ailes_bjsq_group_done(&g);
    /* 100 exp((7.5-7.9)*0.048 + (7.5-7.2)*-0.056) = 96.46 */
    ck_assert_int_eq(g.all.risk_qc, 96);
    /* 100 exp((7.5-6.6)*-0.097 + (7.5-8.2)*-0.097) = 98.08 */
    ck_assert_int_eq(g.all.risk_support, 98);
    ck_assert_int_eq(g.all.risk_total, 95);     /* 94.61 */
}
END_TEST

/* A mixed group: everyone's means, the risks of each sex against its own
 * reference, weighted by headcount. */
START_TEST(group_mixed_weighted)
{
    ailes_bjsq_group_t g;
    int a[AILES_BJSQ_ITEMS];

    memset(&g, 0, sizeof(g));
    fill(a, 2);                                 /* a man: scales 9 */
    ailes_bjsq_group_add(&g, a, AILES_SEX_MALE);
    fill(a, 3);                                 /* a woman: scales 6 */
    ailes_bjsq_group_add(&g, a, AILES_SEX_FEMALE);
    ailes_bjsq_group_done(&g);
    ck_assert_double_eq_tol(g.all.quantity, 7.5, 1e-9);
    ck_assert_double_eq_tol(g.sex[AILES_SEX_MALE].quantity, 9, 1e-9);
    ck_assert_double_eq_tol(g.sex[AILES_SEX_FEMALE].control, 6, 1e-9);
    ck_assert_int_eq(g.sex[AILES_SEX_MALE].risk_qc, 93);      /* 92.77 */
    ck_assert_int_eq(g.sex[AILES_SEX_FEMALE].risk_qc, 98);    /* 97.63 */
    ck_assert_int_eq(g.sex[AILES_SEX_MALE].risk_support, 79); /* 79.23 */
    ck_assert_int_eq(g.sex[AILES_SEX_FEMALE].risk_support, 131);
    ck_assert_int_eq(g.all.risk_qc, 95);        /* (92.77 + 97.63) / 2 */
    ck_assert_int_eq(g.all.risk_support, 105);  /* (79.23 + 131.21) / 2 */
    ck_assert_int_eq(g.all.risk_total, 101);    /* (73.50 + 128.09) / 2 */
}
END_TEST

START_TEST(group_items_used)
{
    ailes_bjsq_group_t g;
    int a[AILES_BJSQ_ITEMS];

    /* Heavy workload (A1-A3 answered 1 = そうだ: 12), no control (A8-A10
     * answered 4: 3), no support (C1-C9 answered 4: 3): every risk above
     * 100. */
    memset(&g, 0, sizeof(g));
    fill(a, 2);
    a[0] = a[1] = a[2] = 1;
    a[7] = a[8] = a[9] = 4;
    a[46] = a[49] = a[52] = 4;
    a[47] = a[50] = a[53] = 4;
    ailes_bjsq_group_add(&g, a, AILES_SEX_MALE);
    ailes_bjsq_group_done(&g);
    ck_assert_double_eq_tol(g.all.quantity, 12, 1e-9);
    ck_assert_double_eq_tol(g.all.control, 3, 1e-9);
    ck_assert_double_eq_tol(g.all.supervisor, 3, 1e-9);
    ck_assert_double_eq_tol(g.all.coworker, 3, 1e-9);
    ck_assert_int_eq(g.all.risk_qc, 199);       /* 100 exp(0.2508 + 0.4361) */
    ck_assert_int_eq(g.all.risk_support, 254);  /* 100 exp(0.4365 + 0.4947) */
    ck_assert_int_eq(g.all.risk_total, 504);    /* 198.75 * 253.76 / 100 */
    /* An empty group stays empty. */
    memset(&g, 0, sizeof(g));
    ailes_bjsq_group_done(&g);
    ck_assert_int_eq(g.all.n, 0);
    ck_assert_int_eq(g.all.risk_total, 0);
}
END_TEST

static int scale_index(const char *key)
{
    int i;

    for (i = 0; i < AILES_BJSQ_SCALES; i++) {
        if (!strcmp(ailes_bjsq_scales[i].key, key)) {
            return i;
        }
    }
    ck_abort_msg("no scale %s", key);
    return -1;
}

/* 仕事の技能の活用度 (A11, not reversed): 1..4 give 評価点 1..4 for men
 * and women alike; no answer reaches 5. */
START_TEST(method2_skill_use_both_sexes)
{
    ailes_bjsq_result_t m, f;
    int a[AILES_BJSQ_ITEMS], v, k = scale_index("skill_use");

    fill(a, 2);
    for (v = 1; v <= 4; v++) {
        a[10] = v;
        ailes_bjsq_method2(a, AILES_SEX_MALE, &ailes_bjsq_m2_default, &m);
        ailes_bjsq_method2(a, AILES_SEX_FEMALE, &ailes_bjsq_m2_default, &f);
        ck_assert_int_eq(m.raw[k], v);
        ck_assert_int_eq(m.points[k], v);
        ck_assert_int_eq(f.points[k], v);
    }
}
END_TEST

Suite *ailes_suite_bjsq(void)
{
    Suite *s = suite_create("bjsq");
    TCase *tc = tcase_create("bjsq");

    tcase_add_test(tc, items_and_areas);
    tcase_add_test(tc, valid_answers);
    tcase_add_test(tc, method1_all_ones_and_fours);
    tcase_add_test(tc, method1_reversal_per_item);
    tcase_add_test(tc, method1_thresholds_edges);
    tcase_add_test(tc, method2_all_ones_and_fours_male);
    tcase_add_test(tc, method2_sex_tables_differ);
    tcase_add_test(tc, method2_worked_example_and_edges);
    tcase_add_test(tc, group_scales_and_risks);
    tcase_add_test(tc, group_women_own_reference);
    tcase_add_test(tc, group_mixed_weighted);
    tcase_add_test(tc, method2_skill_use_both_sexes);
    tcase_add_test(tc, group_items_used);
    suite_add_tcase(s, tc);
    return s;
}
