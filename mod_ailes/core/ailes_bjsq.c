/* BJSQ items and scoring; see ailes_bjsq.h. Item wording is the MHLW form
 * (厚生労働省「職業性ストレス簡易調査票」); the conversion tables are the
 * manual's 素点換算表 as domain.md records them (the female rows are
 * marked unverified there: see the issue note). */
#include <math.h>
#include <string.h>

#include "ailes_bjsq.h"

const ailes_bjsq_item_t ailes_bjsq_items[AILES_BJSQ_ITEMS] = {
    { 1, 'A', "A1", "非常にたくさんの仕事をしなければならない",
      "I have an extremely large amount of work to do" },
    { 2, 'A', "A2", "時間内に仕事が処理しきれない",
      "I can't complete my work in the required time" },
    { 3, 'A', "A3", "一生懸命働かなければならない", "I have to work very hard" },
    { 4, 'A', "A4", "かなり注意を集中する必要がある",
      "I have to concentrate intensely" },
    { 5, 'A', "A5", "高度の知識や技術が必要なむずかしい仕事だ",
      "My job is difficult and needs advanced knowledge and skills" },
    { 6, 'A', "A6", "勤務時間中はいつも仕事のことを考えていなければならない",
      "I have to keep thinking about work all through working hours" },
    { 7, 'A', "A7", "からだを大変よく使う仕事だ",
      "My job is physically very demanding" },
    { 8, 'A', "A8", "自分のペースで仕事ができる",
      "I can work at my own pace" },
    { 9, 'A', "A9", "自分で仕事の順番・やり方を決めることができる",
      "I can decide the order and way of doing my work" },
    { 10, 'A', "A10", "職場の仕事の方針に自分の意見を反映できる",
      "I can have my say in my workplace's policies" },
    { 11, 'A', "A11", "自分の技能や知識を仕事で使うことが少ない",
      "I seldom use my skills or knowledge at work" },
    { 12, 'A', "A12", "私の部署内で意見のくい違いがある",
      "There are differences of opinion within my department" },
    { 13, 'A', "A13", "私の部署と他の部署とはうまが合わない",
      "My department does not get on with other departments" },
    { 14, 'A', "A14", "私の職場の雰囲気は友好的である",
      "The atmosphere of my workplace is friendly" },
    { 15, 'A', "A15",
      "私の職場の作業環境（騒音、照明、温度、換気など）はよくない",
      "My working environment (noise, lighting, temperature, ventilation) "
      "is poor" },
    { 16, 'A', "A16", "仕事の内容は自分にあっている", "My job suits me" },
    { 17, 'A', "A17", "働きがいのある仕事だ", "My job is worth doing" },
    { 18, 'B', "B1", "活気がわいてくる", "I feel full of vigour" },
    { 19, 'B', "B2", "元気がいっぱいだ", "I am full of energy" },
    { 20, 'B', "B3", "生き生きする", "I feel lively" },
    { 21, 'B', "B4", "怒りを感じる", "I feel angry" },
    { 22, 'B', "B5", "内心腹立たしい", "I am inwardly annoyed" },
    { 23, 'B', "B6", "イライラしている", "I feel irritated" },
    { 24, 'B', "B7", "ひどく疲れた", "I am extremely tired" },
    { 25, 'B', "B8", "へとへとだ", "I am exhausted" },
    { 26, 'B', "B9", "だるい", "I feel sluggish" },
    { 27, 'B', "B10", "気がはりつめている", "I feel tense" },
    { 28, 'B', "B11", "不安だ", "I feel anxious" },
    { 29, 'B', "B12", "落着かない", "I feel restless" },
    { 30, 'B', "B13", "ゆううつだ", "I feel depressed" },
    { 31, 'B', "B14", "何をするのも面倒だ", "Everything is a bother" },
    { 32, 'B', "B15", "物事に集中できない", "I cannot concentrate" },
    { 33, 'B', "B16", "気分が晴れない", "My mood does not lift" },
    { 34, 'B', "B17", "仕事が手につかない", "I cannot get down to work" },
    { 35, 'B', "B18", "悲しいと感じる", "I feel sad" },
    { 36, 'B', "B19", "めまいがする", "I feel dizzy" },
    { 37, 'B', "B20", "体のふしぶしが痛む", "My joints ache" },
    { 38, 'B', "B21", "頭が重かったり頭痛がする",
      "My head feels heavy or aches" },
    { 39, 'B', "B22", "首筋や肩がこる", "My neck or shoulders are stiff" },
    { 40, 'B', "B23", "腰が痛い", "My lower back hurts" },
    { 41, 'B', "B24", "目が疲れる", "My eyes are tired" },
    { 42, 'B', "B25", "動悸や息切れがする",
      "I have palpitations or shortness of breath" },
    { 43, 'B', "B26", "胃腸の具合が悪い", "My stomach or bowels are upset" },
    { 44, 'B', "B27", "食欲がない", "I have no appetite" },
    { 45, 'B', "B28", "便秘や下痢をする", "I have constipation or diarrhoea" },
    { 46, 'B', "B29", "よく眠れない", "I do not sleep well" },
    { 47, 'C', "C1", "上司", "Your superiors" },
    { 48, 'C', "C2", "職場の同僚", "Your co-workers" },
    { 49, 'C', "C3", "配偶者、家族、友人等", "Spouse, family, friends" },
    { 50, 'C', "C4", "上司", "Your superiors" },
    { 51, 'C', "C5", "職場の同僚", "Your co-workers" },
    { 52, 'C', "C6", "配偶者、家族、友人等", "Spouse, family, friends" },
    { 53, 'C', "C7", "上司", "Your superiors" },
    { 54, 'C', "C8", "職場の同僚", "Your co-workers" },
    { 55, 'C', "C9", "配偶者、家族、友人等", "Spouse, family, friends" },
    { 56, 'D', "D1", "仕事に満足だ", "I am satisfied with my job" },
    { 57, 'D', "D2", "家庭生活に満足だ",
      "I am satisfied with my family life" },
};

static const char *const choices_ja[4][4] = {
    { "そうだ", "まあそうだ", "ややちがう", "ちがう" },
    { "ほとんどなかった", "ときどきあった", "しばしばあった",
      "ほとんどいつもあった" },
    { "非常に", "かなり", "多少", "全くない" },
    { "満足", "まあ満足", "やや不満足", "不満足" },
};

static const char *const choices_en[4][4] = {
    { "Very much so", "Moderately so", "Somewhat", "Not at all" },
    { "Almost never", "Sometimes", "Often", "Almost always" },
    { "Extremely", "Very much", "Somewhat", "Not at all" },
    { "Satisfied", "Moderately satisfied", "Somewhat dissatisfied",
      "Dissatisfied" },
};

static int area_index(char area)
{
    return area == 'A' ? 0 : area == 'B' ? 1 : area == 'C' ? 2 : 3;
}

const char *const *ailes_bjsq_choices_ja(char area)
{
    return choices_ja[area_index(area)];
}

const char *const *ailes_bjsq_choices_en(char area)
{
    return choices_en[area_index(area)];
}

const ailes_bjsq_thresholds_t ailes_bjsq_m1_default = { 77, 76, 63 };
const ailes_bjsq_thresholds_t ailes_bjsq_m2_default = { 12, 26, 17 };

/* Items reversed in method 1 so that 4 always means more stress. */
static int reversed(int no)
{
    return (no >= 1 && no <= 7) || (no >= 11 && no <= 13) || no == 15
           || (no >= 18 && no <= 20);
}

int ailes_bjsq_valid(const int answers[AILES_BJSQ_ITEMS])
{
    int i;

    for (i = 0; i < AILES_BJSQ_ITEMS; i++) {
        if (answers[i] < 1 || answers[i] > 4) {
            return 0;
        }
    }
    return 1;
}

int ailes_bjsq_high_m1(int a, int b, int c, const ailes_bjsq_thresholds_t *t)
{
    return b >= t->b_alone || (a + c >= t->ac && b >= t->b_with_ac);
}

int ailes_bjsq_high_m2(int a, int b, int c, const ailes_bjsq_thresholds_t *t)
{
    return b <= t->b_alone || (a + c <= t->ac && b <= t->b_with_ac);
}

void ailes_bjsq_method1(const int answers[AILES_BJSQ_ITEMS],
                        const ailes_bjsq_thresholds_t *t,
                        ailes_bjsq_result_t *out)
{
    int i;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < AILES_BJSQ_ITEMS; i++) {
        int v = reversed(i + 1) ? 5 - answers[i] : answers[i];
        switch (ailes_bjsq_items[i].area) {
        case 'A': out->a += v; break;
        case 'B': out->b += v; break;
        case 'C': out->c += v; break;
        default: break;
        }
    }
    out->high_stress = ailes_bjsq_high_m1(out->a, out->b, out->c, t);
}

/* --- method 2 ------------------------------------------------------------- */

const ailes_bjsq_scale_t ailes_bjsq_scales[AILES_BJSQ_SCALES] = {
    { "workload", "心理的な仕事の負担（量）", 'A' },
    { "work_quality", "心理的な仕事の負担（質）", 'A' },
    { "physical_load", "自覚的な身体的負担度", 'A' },
    { "interpersonal", "職場の対人関係でのストレス", 'A' },
    { "environment", "職場環境によるストレス", 'A' },
    { "control", "仕事のコントロール度", 'A' },
    { "skill_use", "技能の活用度", 'A' },
    { "job_fit", "仕事の適性度", 'A' },
    { "rewarding", "働きがい", 'A' },
    { "vigour", "活気", 'B' },
    { "irritability", "イライラ感", 'B' },
    { "fatigue", "疲労感", 'B' },
    { "anxiety", "不安感", 'B' },
    { "depression", "抑うつ感", 'B' },
    { "somatic", "身体愁訴", 'B' },
    { "supervisor", "上司からのサポート", 'C' },
    { "coworkers", "同僚からのサポート", 'C' },
    { "family", "家族・友人からのサポート", 'C' },
    { "satisfaction", "仕事や生活の満足度", 'D' },
};

/* Per scale: does a high raw score mean more stress (points 5..1 from the
 * low column), and the upper bound of each of the five columns (低い,
 * やや低い, 普通, やや高い, 高い); a column whose bound does not exceed the
 * previous one is empty ("—" in the manual). */
typedef struct band {
    int stress_up;
    int upper[2][5];        /* [male, female] */
} band;

static const band bands[AILES_BJSQ_SCALES] = {
    /* workload */      { 1, { { 5, 7, 9, 11, 12 }, { 4, 6, 9, 11, 12 } } },
    /* work_quality */  { 1, { { 5, 7, 9, 11, 12 }, { 4, 6, 8, 10, 12 } } },
    /* physical_load */ { 1, { { 0, 1, 2, 3, 4 }, { 0, 1, 2, 3, 4 } } },
    /* interpersonal */ { 1, { { 3, 5, 7, 9, 12 }, { 3, 5, 7, 9, 12 } } },
    /* environment */   { 1, { { 0, 1, 2, 3, 4 }, { 1, 1, 2, 3, 4 } } },
    /* control */       { 0, { { 4, 6, 8, 10, 12 }, { 3, 5, 8, 10, 12 } } },
    /* skill_use */     { 0, { { 1, 2, 3, 4, 4 }, { 1, 2, 3, 4, 4 } } },
    /* job_fit */       { 0, { { 1, 2, 3, 3, 4 }, { 1, 2, 3, 3, 4 } } },
    /* rewarding */     { 0, { { 1, 2, 3, 3, 4 }, { 1, 2, 3, 3, 4 } } },
    /* vigour */        { 0, { { 3, 5, 7, 9, 12 }, { 3, 5, 7, 9, 12 } } },
    /* irritability */  { 1, { { 3, 5, 7, 9, 12 }, { 3, 5, 8, 10, 12 } } },
    /* fatigue */       { 1, { { 3, 4, 7, 10, 12 }, { 3, 5, 8, 11, 12 } } },
    /* anxiety */       { 1, { { 3, 4, 7, 9, 12 }, { 3, 4, 7, 10, 12 } } },
    /* depression */    { 1, { { 6, 8, 12, 16, 24 }, { 6, 8, 12, 17, 24 } } },
    /* somatic */       { 1, { { 11, 15, 21, 26, 44 },
                               { 13, 17, 23, 29, 44 } } },
    /* supervisor */    { 0, { { 4, 6, 8, 10, 12 }, { 3, 5, 7, 10, 12 } } },
    /* coworkers */     { 0, { { 5, 7, 9, 11, 12 }, { 5, 7, 9, 11, 12 } } },
    /* family */        { 0, { { 6, 8, 9, 11, 12 }, { 6, 8, 9, 11, 12 } } },
    /* satisfaction */  { 0, { { 3, 4, 6, 7, 8 }, { 3, 4, 6, 7, 8 } } },
};

/* Raw code of item A1 is q(1). */
#define Q(n) answers[(n) - 1]
#define AQ(n) Q(n)
#define BQ(n) Q(17 + (n))
#define CQ(n) Q(46 + (n))
#define DQ(n) Q(55 + (n))

static void raw_scores(const int answers[AILES_BJSQ_ITEMS],
                       int raw[AILES_BJSQ_SCALES])
{
    int i, s;

    raw[0] = 15 - (AQ(1) + AQ(2) + AQ(3));
    raw[1] = 15 - (AQ(4) + AQ(5) + AQ(6));
    raw[2] = 5 - AQ(7);
    raw[3] = 10 - (AQ(12) + AQ(13)) + AQ(14);
    raw[4] = 5 - AQ(15);
    raw[5] = 15 - (AQ(8) + AQ(9) + AQ(10));
    raw[6] = AQ(11);
    raw[7] = 5 - AQ(16);
    raw[8] = 5 - AQ(17);
    raw[9] = BQ(1) + BQ(2) + BQ(3);
    raw[10] = BQ(4) + BQ(5) + BQ(6);
    raw[11] = BQ(7) + BQ(8) + BQ(9);
    raw[12] = BQ(10) + BQ(11) + BQ(12);
    for (s = 0, i = 13; i <= 18; i++) {
        s += BQ(i);
    }
    raw[13] = s;
    for (s = 0, i = 19; i <= 29; i++) {
        s += BQ(i);
    }
    raw[14] = s;
    raw[15] = 15 - (CQ(1) + CQ(4) + CQ(7));
    raw[16] = 15 - (CQ(2) + CQ(5) + CQ(8));
    raw[17] = 15 - (CQ(3) + CQ(6) + CQ(9));
    raw[18] = 10 - (DQ(1) + DQ(2));
}

static int to_points(const band *b, ailes_sex_t sex, int raw)
{
    int col;

    for (col = 0; col < 4 && raw > b->upper[sex][col]; col++) {
    }
    return b->stress_up ? 5 - col : col + 1;
}

void ailes_bjsq_method2(const int answers[AILES_BJSQ_ITEMS], ailes_sex_t sex,
                        const ailes_bjsq_thresholds_t *t,
                        ailes_bjsq_result_t *out)
{
    int i;

    memset(out, 0, sizeof(*out));
    raw_scores(answers, out->raw);
    for (i = 0; i < AILES_BJSQ_SCALES; i++) {
        out->points[i] = to_points(&bands[i], sex, out->raw[i]);
        switch (ailes_bjsq_scales[i].area) {
        case 'A': out->a += out->points[i]; break;
        case 'B': out->b += out->points[i]; break;
        case 'C': out->c += out->points[i]; break;
        default: break;
        }
    }
    out->high_stress = ailes_bjsq_high_m2(out->a, out->b, out->c, t);
}

/* --- 仕事のストレス判定図 ------------------------------------------------ */

/* National means and coefficients by sex (see ailes_bjsq.h). */
static const struct {
    double quantity, control, supervisor, coworker;
} ref[2] = { { 8.7, 7.9, 7.5, 8.1 }, { 7.9, 7.2, 6.6, 8.2 } },
  coef[2] = { { 0.076, -0.089, -0.097, -0.097 },
              { 0.048, -0.056, -0.097, -0.097 } };

/* 15 minus the answers of three items (1-based numbers). */
static int scale3(const int *a, int i, int j, int k)
{
    return 15 - (a[i - 1] + a[j - 1] + a[k - 1]);
}

static void sums_add(ailes_bjsq_scales4_t *x, const int *answers)
{
    x->n++;
    x->quantity += scale3(answers, 1, 2, 3);            /* A1-A3 */
    x->control += scale3(answers, 8, 9, 10);            /* A8-A10 */
    x->supervisor += scale3(answers, 47, 50, 53);       /* C1, C4, C7 */
    x->coworker += scale3(answers, 48, 51, 54);         /* C2, C5, C8 */
}

static void means(ailes_bjsq_scales4_t *x)
{
    if (x->n) {
        x->quantity /= x->n;
        x->control /= x->n;
        x->supervisor /= x->n;
        x->coworker /= x->n;
    }
}

void ailes_bjsq_group_add(ailes_bjsq_group_t *g,
                          const int answers[AILES_BJSQ_ITEMS],
                          ailes_sex_t sex)
{
    if (!ailes_bjsq_valid(answers)) {
        return;
    }
    sums_add(&g->all, answers);
    sums_add(&g->sex[sex == AILES_SEX_FEMALE], answers);
}

void ailes_bjsq_group_done(ailes_bjsq_group_t *g)
{
    double qc = 0, sup = 0, total = 0;
    int i;

    if (g->all.n == 0) {
        return;
    }
    means(&g->all);
    for (i = 0; i < 2; i++) {
        ailes_bjsq_scales4_t *x = &g->sex[i];
        double q, s;

        if (!x->n) {
            continue;
        }
        means(x);
        q = 100.0 * exp((x->quantity - ref[i].quantity) * coef[i].quantity
                        + (x->control - ref[i].control) * coef[i].control);
        s = 100.0 * exp((x->supervisor - ref[i].supervisor)
                            * coef[i].supervisor
                        + (x->coworker - ref[i].coworker) * coef[i].coworker);
        x->risk_qc = (int)lround(q);
        x->risk_support = (int)lround(s);
        x->risk_total = (int)lround(q * s / 100.0);
        qc += x->n * q;
        sup += x->n * s;
        total += x->n * q * s / 100.0;
    }
    g->all.risk_qc = (int)lround(qc / g->all.n);
    g->all.risk_support = (int)lround(sup / g->all.n);
    g->all.risk_total = (int)lround(total / g->all.n);
}
