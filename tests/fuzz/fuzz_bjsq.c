/* Fuzzes BJSQ scoring on an answer sheet as PUT /v1/stress-check/answers
 * and the database hold it: 57 digits (0 = not answered), then "m" or "f".
 * ailes_bjsq_valid decides; a valid sheet is scored by both methods with
 * the default and with input-chosen thresholds, and the results must stay
 * within the manual's ranges. */
#include <string.h>

#include "ailes_bjsq.h"
#include "fuzz_common.h"

int ailes_fuzz_one(apr_pool_t *p, const uint8_t *data, size_t size)
{
    int answers[AILES_BJSQ_ITEMS], i;
    ailes_bjsq_result_t r;
    ailes_bjsq_thresholds_t t;
    ailes_sex_t sex;

    (void)p;
    if (size < AILES_BJSQ_ITEMS) {
        return 0;
    }
    for (i = 0; i < AILES_BJSQ_ITEMS; i++) {
        answers[i] = (int)data[i] - '0';
    }
    sex = size > AILES_BJSQ_ITEMS && data[AILES_BJSQ_ITEMS] == 'f'
              ? AILES_SEX_FEMALE
              : AILES_SEX_MALE;
    /* Thresholds from the bytes after the sex, when there are three. */
    if (size >= AILES_BJSQ_ITEMS + 4) {
        t.b_alone = (signed char)data[AILES_BJSQ_ITEMS + 1];
        t.ac = (signed char)data[AILES_BJSQ_ITEMS + 2];
        t.b_with_ac = (signed char)data[AILES_BJSQ_ITEMS + 3];
    }
    else {
        t = ailes_bjsq_m1_default;
    }
    if (!ailes_bjsq_valid(answers)) {
        return 0;
    }
    memset(&r, 0, sizeof(r));
    ailes_bjsq_method1(answers, &ailes_bjsq_m1_default, &r);
    if (r.a < 17 || r.a > 68 || r.b < 29 || r.b > 116 || r.c < 9
        || r.c > 36 || (r.high_stress != 0 && r.high_stress != 1)) {
        __builtin_trap();
    }
    ailes_bjsq_method1(answers, &t, &r);
    memset(&r, 0, sizeof(r));
    ailes_bjsq_method2(answers, sex, &ailes_bjsq_m2_default, &r);
    for (i = 0; i < AILES_BJSQ_SCALES; i++) {
        if (r.points[i] < 1 || r.points[i] > 5) {
            __builtin_trap();
        }
    }
    ailes_bjsq_method2(answers, sex, &t, &r);
    return 0;
}
