/* The Brief Job Stress Questionnaire (職業性ストレス簡易調査票, 57 items)
 * and its two MHLW scorings, table-driven and pure.
 *
 * Answers are the codes 1..4 as printed on the form (A: そうだ..ちがう,
 * B: ほとんどなかった..ほとんどいつもあった, C: 非常に..全くない,
 * D: 満足..不満足), items numbered 1..57 (A1-A17, B1-B29, C1-C9, D1-D2).
 *
 * Method 1 (合計点数): every item scored 1..4 with 4 = more stress (the
 * code reversed for A1-A7, A11-A13, A15, B1-B3); totals A 17-68, B 29-116,
 * C 9-36; high stress when B >= 77, or A+C >= 76 and B >= 63.
 * Method 2 (素点換算表): 19 scales from raw codes, each converted to an
 * evaluation point 1..5 (1 = most stress) by a table that differs by sex;
 * A = 9 scales, B = 6, C = 3; high stress when B <= 12, or A+C <= 26 and
 * B <= 17. Thresholds may be changed per campaign, as the manual allows.
 */
#ifndef AILES_BJSQ_H
#define AILES_BJSQ_H

#define AILES_BJSQ_ITEMS 57
#define AILES_BJSQ_SCALES 19

typedef enum { AILES_SEX_MALE = 0, AILES_SEX_FEMALE = 1 } ailes_sex_t;

typedef struct ailes_bjsq_item {
    int no;                 /* 1..57 */
    char area;              /* 'A', 'B', 'C', 'D' */
    const char *code;       /* "A1".."D2" */
    const char *ja;         /* the form's wording */
    const char *en;
} ailes_bjsq_item_t;

extern const ailes_bjsq_item_t ailes_bjsq_items[AILES_BJSQ_ITEMS];

/* Answer labels of an area (4 each, code 1..4), Japanese and English. */
const char *const *ailes_bjsq_choices_ja(char area);
const char *const *ailes_bjsq_choices_en(char area);

typedef struct ailes_bjsq_scale {
    const char *key;        /* "workload", ... */
    const char *ja;         /* "心理的な仕事の負担（量）" */
    char area;              /* 'A', 'B', 'C' or 'D' (not in the verdict) */
} ailes_bjsq_scale_t;

extern const ailes_bjsq_scale_t ailes_bjsq_scales[AILES_BJSQ_SCALES];

typedef struct ailes_bjsq_thresholds {
    int b_alone;            /* method 1: 77; method 2: 12 */
    int ac;                 /* method 1: 76; method 2: 26 */
    int b_with_ac;          /* method 1: 63; method 2: 17 */
} ailes_bjsq_thresholds_t;

extern const ailes_bjsq_thresholds_t ailes_bjsq_m1_default;
extern const ailes_bjsq_thresholds_t ailes_bjsq_m2_default;

typedef struct ailes_bjsq_result {
    int a, b, c;                            /* area totals */
    int high_stress;
    int raw[AILES_BJSQ_SCALES];             /* method 2: raw scale scores */
    int points[AILES_BJSQ_SCALES];          /* method 2: 1..5 */
} ailes_bjsq_result_t;

/* True when every answer is 1..4. */
int ailes_bjsq_valid(const int answers[AILES_BJSQ_ITEMS]);

/* The verdicts alone, from area totals (the manual's worked example is
 * given as totals). */
int ailes_bjsq_high_m1(int a, int b, int c, const ailes_bjsq_thresholds_t *t);
int ailes_bjsq_high_m2(int a, int b, int c, const ailes_bjsq_thresholds_t *t);

/* Scores valid answers (check with ailes_bjsq_valid first). */
void ailes_bjsq_method1(const int answers[AILES_BJSQ_ITEMS],
                        const ailes_bjsq_thresholds_t *t,
                        ailes_bjsq_result_t *out);
void ailes_bjsq_method2(const int answers[AILES_BJSQ_ITEMS], ailes_sex_t sex,
                        const ailes_bjsq_thresholds_t *t,
                        ailes_bjsq_result_t *out);

/* 仕事のストレス判定図 (group analysis, MHLW manual: the method for
 * the 57-item questionnaire). Per person, four raw scales of 3 items,
 * each 3..12 with "more of it" higher: 量的負担 15-(A1+A2+A3),
 * コントロール 15-(A8+A9+A10), 上司の支援 15-(C1+C4+C7), 同僚の支援
 * 15-(C2+C5+C8). From a group's means, against the national means of
 * the same sex (the 東京大学 technote: the constants depend on sex):
 *   量-コントロール 健康リスク = 100 exp((量-A)α + (コントロール-B)β)
 *   職場の支援 健康リスク     = 100 exp((上司-C)γ + (同僚-D)δ)
 *   総合健康リスク = the product / 100; the national average is 100.
 *            A     α      B     β       C     γ       D     δ
 *   male    8.7  0.076   7.9  -0.089   7.5  -0.097   8.1  -0.097
 *   female  7.9  0.048   7.2  -0.056   6.6  -0.097   8.2  -0.097
 * (the corrected national means of the 東京医科大学 program, as public
 * implementations give them; the technote's own table could not be read,
 * and an older set with コントロール 8.0 and 上司 7.6 for men circulates).
 * A person whose sex is not known counts with the men's constants. The
 * risks of a mixed group are the men's and the women's risks weighted by
 * headcount; the means are everyone's. Each risk is rounded. */
typedef struct ailes_bjsq_scales4 {
    int n;                                  /* people counted */
    double quantity, control;               /* means (sums while adding) */
    double supervisor, coworker;
    int risk_qc, risk_support, risk_total;
} ailes_bjsq_scales4_t;

typedef struct ailes_bjsq_group {
    ailes_bjsq_scales4_t all;               /* everyone */
    ailes_bjsq_scales4_t sex[2];            /* by ailes_sex_t */
} ailes_bjsq_group_t;

/* Adds one person's 57 answers (1..4 each; others are skipped, not
 * counted) to a group started with memset 0; ailes_bjsq_group_done then
 * turns sums into means and risks. */
void ailes_bjsq_group_add(ailes_bjsq_group_t *g,
                          const int answers[AILES_BJSQ_ITEMS],
                          ailes_sex_t sex);
void ailes_bjsq_group_done(ailes_bjsq_group_t *g);

#endif
