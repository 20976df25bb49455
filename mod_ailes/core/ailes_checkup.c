/* Health checkup CSV checks and findings; see ailes_checkup.h. */
#include <stdlib.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <jansson.h>

#include "ailes_checkup.h"
#include "ailes_csv.h"
#include "ailes_parse.h"
#include "ailes_userimport.h"

typedef enum {
    T_NO,           /* 社員番号 */
    T_DATE,         /* 受診日 */
    T_CHOICE,       /* one of a list, kept by its English word */
    T_NUM,          /* a measurement */
    T_LAB,          /* a measurement that may be "<limit>" */
    T_URINE,        /* −, ±, +, 2+, 3+, 4+ */
    T_HEARING,      /* 所見なし/所見あり or a threshold in dB */
    T_FINDING,      /* 所見なし or the finding's text */
    T_TEXT,         /* free text */
    T_DROPPED       /* read past, never kept (names: they live in the vault) */
} item_type;

#define NONE -1.0
#define TEXT_MAX 500
#define FINDING_MAX 200

/* A choice: canonical word, then the accepted spellings, '|'-separated. */
typedef struct {
    const char *word, *spellings;
} choice;

static const choice kinds[] = {
    { "periodic", "periodic|定期|定期健診|定期健康診断" },
    { "hiring", "hiring|雇入|雇入時|雇入時健診|雇入時健康診断" },
    { "special", "special|特定業務|特定業務従事者健診" },
    { "dock", "dock|人間ドック|ドック" },
    { NULL, NULL }
};
static const choice sexes[] = {
    { "male", "male|m|男|男性" }, { "female", "female|f|女|女性" },
    { NULL, NULL }
};
static const choice judgements[] = {
    { "A", "A|a" }, { "B", "B|b" }, { "C", "C|c" }, { "D", "D|d" },
    { "E", "E|e" }, { NULL, NULL }
};
static const choice work_classes[] = {
    { "normal", "normal|通常|通常勤務" },
    { "restricted", "restricted|制限|就業制限|要就業制限" },
    { "leave", "leave|休業|要休業" },
    { NULL, NULL }
};
static const choice smoking[] = {
    { "yes", "yes|あり|有|喫煙" }, { "no", "no|なし|無|非喫煙" },
    { "former", "former|過去|禁煙|過去喫煙" }, { NULL, NULL }
};
static const choice urine[] = {
    { "-", "-|−|ー|(-)|negative|陰性" },
    { "+-", "+-|±|(+-)|(±)" },
    { "+", "+|1+|(+)" }, { "2+", "2+|++" }, { "3+", "3+|+++" },
    { "4+", "4+|++++" }, { NULL, NULL }
};
static const choice normal_words[] = {
    { "normal", "normal|所見なし|異常なし|なし|異常を認めず|-" },
    { NULL, NULL }
};
static const choice hearing_finding[] = {
    { "finding", "finding|所見あり|異常あり|あり" }, { NULL, NULL }
};

typedef struct {
    const char *key;            /* JSON key and English header */
    const char *ja;             /* Japanese headers, '|'-separated */
    const char *unit;           /* accepted after the name, or NULL */
    item_type type;
    double lo, hi;              /* plausible range (T_NUM, T_LAB) */
    const choice *choices;      /* T_CHOICE */
    int group;                  /* report group or -1 */
    /* Reference: a finding at or above ge, at or below le (male, female);
     * NONE when the side has no cut-off. */
    double ge_m, ge_f, le_m, le_f;
} item;

#define G_NONE -1
#define NOREF NONE, NONE, NONE, NONE

static const item items[] = {
    { "employee_no", "社員番号|従業員番号|職員ID", NULL, T_NO, 0, 0, NULL,
      G_NONE, NOREF },
    { "exam_date", "受診日|健診日|受診年月日", NULL, T_DATE, 0, 0, NULL,
      G_NONE, NOREF },
    { "kind", "健診種別|健診区分", NULL, T_CHOICE, 0, 0, kinds, G_NONE,
      NOREF },
    { "name", "氏名|名前", NULL, T_DROPPED, 0, 0, NULL, G_NONE, NOREF },
    { "name_kana", "カナ氏名|氏名カナ|フリガナ|ふりがな", NULL, T_DROPPED, 0, 0,
      NULL, G_NONE, NOREF },
    { "institution", "健診機関|健診機関名|医療機関", NULL, T_TEXT, 0, 0, NULL,
      G_NONE, NOREF },
    { "age", "年齢", NULL, T_NUM, 15, 100, NULL, G_NONE, NOREF },
    { "sex", "性別", NULL, T_CHOICE, 0, 0, sexes, G_NONE, NOREF },
    { "height_cm", "身長", "cm", T_NUM, 100, 250, NULL, G_NONE, NOREF },
    { "weight_kg", "体重", "kg", T_NUM, 20, 300, NULL, G_NONE, NOREF },
    { "bmi", "BMI", NULL, T_NUM, 10, 80, NULL, G_NONE,
      25, 25, NONE, NONE },
    { "waist_cm", "腹囲", "cm", T_NUM, 40, 250, NULL, G_NONE,
      85, 90, NONE, NONE },
    { "vision_right", "視力右|視力(右)|右眼視力|右視力", NULL, T_NUM, 0, 2.0,
      NULL, G_NONE, NOREF },
    { "vision_left", "視力左|視力(左)|左眼視力|左視力", NULL, T_NUM, 0, 2.0,
      NULL, G_NONE, NOREF },
    { "hearing_1000_right", "聴力1000右|聴力1000Hz右|聴力(1000Hz右)|"
      "聴力右1000|聴力右1000Hz", NULL, T_HEARING, 0, 120, NULL,
      AILES_CK_HEARING_1000, 30, 30, NONE, NONE },
    { "hearing_1000_left", "聴力1000左|聴力1000Hz左|聴力(1000Hz左)|"
      "聴力左1000|聴力左1000Hz", NULL, T_HEARING, 0, 120, NULL,
      AILES_CK_HEARING_1000, 30, 30, NONE, NONE },
    { "hearing_4000_right", "聴力4000右|聴力4000Hz右|聴力(4000Hz右)|"
      "聴力右4000|聴力右4000Hz", NULL, T_HEARING, 0, 120, NULL,
      AILES_CK_HEARING_4000, 40, 40, NONE, NONE },
    { "hearing_4000_left", "聴力4000左|聴力4000Hz左|聴力(4000Hz左)|"
      "聴力左4000|聴力左4000Hz", NULL, T_HEARING, 0, 120, NULL,
      AILES_CK_HEARING_4000, 40, 40, NONE, NONE },
    { "systolic_bp", "収縮期血圧|血圧(収縮期)|最高血圧", "mmHg", T_NUM, 60,
      300, NULL, AILES_CK_BLOOD_PRESSURE, 130, 130, NONE, NONE },
    { "diastolic_bp", "拡張期血圧|血圧(拡張期)|最低血圧", "mmHg", T_NUM, 30,
      200, NULL, AILES_CK_BLOOD_PRESSURE, 85, 85, NONE, NONE },
    { "chest_xray", "胸部X線所見|胸部X線|胸部エックス線", NULL, T_FINDING, 0,
      0, NULL, AILES_CK_CHEST_XRAY, NOREF },
    { "sputum", "喀痰|喀痰検査", NULL, T_FINDING, 0, 0, NULL,
      AILES_CK_SPUTUM, NOREF },
    { "hb", "Hb|血色素量|ヘモグロビン", "g/dL", T_NUM, 3, 25, NULL,
      AILES_CK_ANEMIA, NONE, NONE, 13.0, 12.0 },
    { "rbc", "RBC|赤血球数", "万/μL", T_NUM, 100, 900, NULL, AILES_CK_ANEMIA,
      NOREF },
    { "ast", "AST|AST(GOT)|GOT", "U/L", T_LAB, 0, 5000, NULL, AILES_CK_LIVER,
      31, 31, NONE, NONE },
    { "alt", "ALT|ALT(GPT)|GPT", "U/L", T_LAB, 0, 5000, NULL, AILES_CK_LIVER,
      31, 31, NONE, NONE },
    { "ggt", "γGTP|γ-GTP|γGT|γ-GT", "U/L", T_LAB, 0, 5000, NULL,
      AILES_CK_LIVER, 51, 51, NONE, NONE },
    { "ldl", "LDL|LDLコレステロール", "mg/dL", T_LAB, 10, 1000, NULL,
      AILES_CK_LIPIDS, 120, 120, NONE, NONE },
    { "hdl", "HDL|HDLコレステロール", "mg/dL", T_LAB, 5, 300, NULL,
      AILES_CK_LIPIDS, NONE, NONE, 39, 39 },
    { "tg", "TG|中性脂肪|トリグリセライド", "mg/dL", T_LAB, 10, 5000, NULL,
      AILES_CK_LIPIDS, 150, 150, NONE, NONE },
    { "fasting_glucose", "空腹時血糖", "mg/dL", T_LAB, 20, 1000, NULL,
      AILES_CK_GLUCOSE, 100, 100, NONE, NONE },
    { "random_glucose", "随時血糖", "mg/dL", T_LAB, 20, 1000, NULL,
      AILES_CK_GLUCOSE, 100, 100, NONE, NONE },
    { "hba1c", "HbA1c", "%", T_LAB, 3, 20, NULL, AILES_CK_GLUCOSE,
      5.6, 5.6, NONE, NONE },
    { "urine_glucose", "尿糖", NULL, T_URINE, 0, 0, urine,
      AILES_CK_URINE_GLUCOSE, NOREF },
    { "urine_protein", "尿蛋白|尿たんぱく", NULL, T_URINE, 0, 0, urine,
      AILES_CK_URINE_PROTEIN, NOREF },
    { "ecg", "心電図所見|心電図", NULL, T_FINDING, 0, 0, NULL, AILES_CK_ECG,
      NOREF },
    { "history", "既往歴|既往歴・業務歴", NULL, T_TEXT, 0, 0, NULL, G_NONE,
      NOREF },
    { "subjective_symptoms", "自覚症状", NULL, T_TEXT, 0, 0, NULL, G_NONE,
      NOREF },
    { "objective_symptoms", "他覚症状", NULL, T_TEXT, 0, 0, NULL, G_NONE,
      NOREF },
    { "smoking", "喫煙|喫煙歴", NULL, T_CHOICE, 0, 0, smoking, G_NONE,
      NOREF },
    { "judgement", "総合判定", NULL, T_CHOICE, 0, 0, judgements, G_NONE,
      NOREF },
    { "doctor", "医師名|判定医", NULL, T_TEXT, 0, 0, NULL, G_NONE, NOREF },
    { "work_class", "就業区分|就業判定", NULL, T_CHOICE, 0, 0, work_classes,
      G_NONE, NOREF },
    { "doctor_opinion", "医師の意見|意見", NULL, T_TEXT, 0, 0, NULL, G_NONE,
      NOREF },
};
#define NITEMS ((int)(sizeof(items) / sizeof(items[0])))
enum { I_NO, I_DATE, I_KIND };

static const struct {
    const char *key, *ja;
} groups[AILES_CK_GROUPS] = {
    { "hearing_1000", "聴力(1000Hz)" }, { "hearing_4000", "聴力(4000Hz)" },
    { "chest_xray", "胸部X線検査" }, { "sputum", "喀痰検査" },
    { "blood_pressure", "血圧" }, { "anemia", "貧血検査" },
    { "liver", "肝機能検査" }, { "lipids", "血中脂質検査" },
    { "glucose", "血糖検査" }, { "urine_glucose", "尿検査(糖)" },
    { "urine_protein", "尿検査(蛋白)" }, { "ecg", "心電図検査" },
};

const char *ailes_checkup_group_key(ailes_checkup_group_t g)
{
    return g < AILES_CK_GROUPS ? groups[g].key : NULL;
}

const char *ailes_checkup_group_ja(ailes_checkup_group_t g)
{
    return g < AILES_CK_GROUPS ? groups[g].ja : NULL;
}

/* True when s equals one of the '|'-separated words (ASCII letters
 * compared without case), optionally followed by unit. */
static int one_of(const char *words, const char *s, const char *unit)
{
    size_t slen = strlen(s), ulen = unit ? strlen(unit) : 0;

    while (*words) {
        const char *end = strchr(words, '|');
        size_t wlen = end ? (size_t)(end - words) : strlen(words);

        if ((slen == wlen && !strncasecmp(words, s, wlen))
            || (unit && slen == wlen + ulen && !strncasecmp(words, s, wlen)
                && !strcasecmp(s + wlen, unit))) {
            return 1;
        }
        words += wlen;
        if (*words) {
            words++;
        }
    }
    return 0;
}

/* Spaces (ASCII; the ideographic one is ASCII by now) off both ends. */
static char *trim(apr_pool_t *p, const char *s)
{
    const char *end;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }
    return apr_pstrmemdup(p, s, (apr_size_t)(end - s));
}

static int find_item(const char *name)
{
    int i;

    for (i = 0; i < NITEMS; i++) {
        if (!strcasecmp(name, items[i].key)
            || one_of(items[i].ja, name, items[i].unit)) {
            return i;
        }
    }
    return -1;
}

/* The item a header names: as written, else without a trailing note in
 * brackets ("総合判定(A-E)", "身長(cm)"). */
static int header_item(apr_pool_t *p, const char *raw)
{
    char *h = trim(p, ailes_fullwidth_to_ascii(p, raw)), *br;
    int i = find_item(h);

    if (i < 0 && (br = strrchr(h, '(')) && br > h
        && h[strlen(h) - 1] == ')') {
        *br = '\0';
        i = find_item(trim(p, h));
    }
    return i;
}

static const char *pick(const choice *c, const char *s)
{
    for (; c->word; c++) {
        if (one_of(c->spellings, s, NULL)) {
            return c->word;
        }
    }
    return NULL;
}

static const char *choice_list(apr_pool_t *p, const choice *c)
{
    const char *out = NULL;

    for (; c->word; c++) {
        const char *bar = strchr(c->spellings, '|');
        const char *ja = bar ? bar + 1 : c->spellings;
        const char *end = strchr(ja, '|');
        const char *first = end ? apr_pstrmemdup(p, ja, (apr_size_t)(end - ja))
                                : ja;
        out = out ? apr_pstrcat(p, out, ", ", first, NULL) : first;
    }
    return out;
}

/* A decimal number with at most two decimals: digits, one '.'. */
static int parse_number(const char *s, double *v)
{
    const char *c = s;
    int digits = 0, decimals = -1;

    for (; *c; c++) {
        if (*c == '.' && decimals < 0 && digits) {
            decimals = 0;
        }
        else if (apr_isdigit(*c)) {
            digits++;
            if (decimals >= 0) {
                decimals++;
            }
        }
        else {
            return 0;
        }
    }
    if (!digits || decimals == 0 || decimals > 2 || digits > 9) {
        return 0;
    }
    *v = strtod(s, NULL);
    return 1;
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* 2026-04-15, 2026/4/15 or 2026年4月15日 -> "2026-04-15", or NULL. */
static const char *parse_date(apr_pool_t *p, const char *s)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                                 31 };
    int part[3] = { 0, 0, 0 }, n = 0, len = 0;
    const char *c = s;

    while (n < 3) {
        if (apr_isdigit(*c)) {
            if (++len > (n ? 2 : 4)) {
                return NULL;
            }
            part[n] = part[n] * 10 + (*c - '0');
            c++;
            continue;
        }
        if (!len) {
            return NULL;
        }
        if (n < 2 && (*c == '-' || *c == '/')) {
            c++;
        }
        else if (n == 0 && !strncmp(c, "年", 3)) {
            c += 3;
        }
        else if (n == 1 && !strncmp(c, "月", 3)) {
            c += 3;
        }
        else if (n == 2 && (!*c || !strcmp(c, "日"))) {
            c += *c ? 3 : 0;
        }
        else {
            return NULL;
        }
        n++;
        len = 0;
    }
    if (*c || part[0] < 1900 || part[1] < 1 || part[1] > 12 || part[2] < 1
        || part[2] > mdays[part[1] - 1] + (part[1] == 2 && leap(part[0]))) {
        return NULL;
    }
    return apr_psprintf(p, "%04d-%02d-%02d", part[0], part[1], part[2]);
}

const char *ailes_checkup_date(apr_pool_t *p, const char *s)
{
    return parse_date(p, s);
}

static json_t *number(double v)
{
    double whole = (double)(long)v;

    return whole == v ? json_integer((json_int_t)v) : json_real(v);
}

/* Checks one cell of item `it` (text after trimming; never empty) and
 * sets *value. NULL or the message. */
static const char *check_cell(apr_pool_t *p, const item *it, const char *raw,
                              json_t **value)
{
    const char *ascii = trim(p, ailes_fullwidth_to_ascii(p, raw));
    const char *w;
    double v;

    *value = NULL;
    switch (it->type) {
    case T_CHOICE:
    case T_URINE:
        if (!(w = pick(it->choices, ascii))) {
            return apr_pstrcat(p, "must be one of ",
                               choice_list(p, it->choices), NULL);
        }
        *value = json_string(w);
        return NULL;
    case T_HEARING:
        if ((w = pick(normal_words, ascii))
            || (w = pick(hearing_finding, ascii))) {
            *value = json_string(w);
            return NULL;
        }
        if (!parse_number(ascii, &v) || v > it->hi || v != (double)(long)v) {
            return "must be 所見なし, 所見あり or a whole number of dB "
                   "from 0 to 120";
        }
        *value = json_integer((json_int_t)v);
        return NULL;
    case T_FINDING:
    case T_TEXT:
        if ((w = ailes_parse_text(p, trim(p, raw), it->type == T_TEXT
                                                       ? TEXT_MAX
                                                       : FINDING_MAX,
                                  "the text"))) {
            return w;
        }
        w = it->type == T_FINDING ? pick(normal_words, ascii) : NULL;
        *value = json_string(w ? w : trim(p, raw));
        return NULL;
    case T_LAB:
        if (ascii[0] == '<' && parse_number(ascii + 1, &v) && v > it->lo
            && v <= it->hi) {
            *value = json_string(ascii);
            return NULL;
        }
        /* fall through */
    case T_NUM:
        if (!parse_number(ascii, &v)) {
            return "must be a number (at most two decimals)";
        }
        if (v < it->lo || v > it->hi) {
            return apr_psprintf(p, "must be from %g to %g%s%s", it->lo,
                                it->hi, it->unit ? " " : "",
                                it->unit ? it->unit : "");
        }
        *value = number(v);
        return NULL;
    default:
        return "cannot be read";
    }
}

/* What the rows share while they are checked. */
typedef struct {
    apr_pool_t *p;              /* results and messages */
    apr_pool_t *tmp;            /* cleared after every row */
    const ailes_csv_row_t *head;
    const int *col;
    int ncols;
    const char *today;
    apr_hash_t *seen;           /* "no\tdate\tkind" -> line, or NULL */
    apr_array_header_t *errors;
} checking;

struct ailes_checkup_reader {
    checking k;
    int header;                 /* a header row was given */
    int rows;                   /* data rows given */
};

static void report(checking *k, int line, const char *column,
                   const char *message)
{
    ailes_import_error(k->p, k->errors, line, column,
                       apr_pstrdup(k->p, message));
}

static const char *string_item(checking *k, json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    return json_is_string(v) ? apr_pstrdup(k->tmp, json_string_value(v))
                             : NULL;
}

/* Checks that hold between cells of one row. */
static void check_row(checking *k, json_t *obj, int line)
{
    json_t *sys = json_object_get(obj, "systolic_bp");
    json_t *dia = json_object_get(obj, "diastolic_bp");
    json_t *h = json_object_get(obj, "height_cm");
    json_t *w = json_object_get(obj, "weight_kg");
    json_t *bmi = json_object_get(obj, "bmi");

    if (sys && dia && json_number_value(dia) >= json_number_value(sys)) {
        report(k, line, "拡張期血圧", "must be below the systolic pressure");
    }
    if (h && w) {
        double m = json_number_value(h) / 100.0;
        double computed = json_number_value(w) / (m * m);
        if (!bmi) {
            json_object_set_new(obj, "bmi",
                                json_real((double)(long)(computed * 10
                                                         + 0.5) / 10));
        }
        else if (json_number_value(bmi) - computed > 1.0
                 || computed - json_number_value(bmi) > 1.0) {
            report(k, line, "BMI",
                   apr_psprintf(k->tmp, "does not match height and weight "
                                        "(%.1f)", computed));
        }
    }
}

/* Checks one row; a good one is *out (1), its strings in k->tmp. */
static int check_line(checking *k, const ailes_csv_row_t *row, json_t *obj,
                      ailes_checkup_t *out)
{
    apr_pool_t *tmp = k->tmp;
    ailes_checkup_t c;
    const char *key, *err, *prev;
    int bad = k->errors->nelts, j;
    char *dump;

    memset(&c, 0, sizeof(c));
    c.line = row->line;
    c.kind = "periodic";
    if (row->nfields != k->ncols) {
        report(k, row->line, NULL,
               apr_psprintf(tmp, "has %d fields, the header has %d",
                            row->nfields, k->ncols));
        return 0;
    }
    for (j = 0; j < k->ncols; j++) {
        const item *it = &items[k->col[j]];
        const char *column = k->head->fields[j];
        const char *cell = trim(tmp, ailes_fullwidth_to_ascii(
                                         tmp, row->fields[j]));
        json_t *value;

        if (it->type == T_DROPPED) {
            continue;
        }
        if (!*cell) {
            if (it->type == T_NO || it->type == T_DATE) {
                report(k, row->line, column, "is required");
            }
        }
        else if (it->type == T_NO) {
            if ((err = ailes_parse_employee_no(tmp, cell))) {
                report(k, row->line, column, err);
            }
            c.employee_no = cell;
        }
        else if (it->type == T_DATE) {
            c.exam_date = parse_date(tmp, cell);
            if (!c.exam_date) {
                report(k, row->line, column,
                       "must be a date like 2026-04-15 or 2026/4/15");
            }
            else if (strcmp(c.exam_date, k->today) > 0
                     || strcmp(c.exam_date, "2000-01-01") < 0) {
                report(k, row->line, column,
                       "must be from 2000-01-01 to today");
            }
        }
        else if ((err = check_cell(tmp, it, row->fields[j], &value))) {
            report(k, row->line, column, err);
        }
        else if (k->col[j] == I_KIND) {
            c.kind = apr_pstrdup(tmp, json_string_value(value));
            json_decref(value);
        }
        else {
            json_object_set_new(obj, it->key, value);
        }
    }
    check_row(k, obj, row->line);
    if (k->errors->nelts > bad || !c.employee_no || !c.exam_date) {
        return 0;
    }
    if (k->seen) {
        key = apr_pstrcat(tmp, c.employee_no, "\t", c.exam_date, "\t",
                          c.kind, NULL);
        if ((prev = apr_hash_get(k->seen, key, APR_HASH_KEY_STRING))) {
            report(k, row->line, NULL,
                   apr_psprintf(tmp, "the same employee, date and kind as "
                                     "line %s", prev));
            return 0;
        }
        apr_hash_set(k->seen, apr_pstrdup(k->p, key), APR_HASH_KEY_STRING,
                     apr_itoa(k->p, row->line));
    }
    c.judgement = string_item(k, obj, "judgement");
    c.work_class = string_item(k, obj, "work_class");
    dump = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS
                               | JSON_REAL_PRECISION(8));
    c.items = apr_pstrdup(tmp, dump ? dump : "{}");
    free(dump);
    *out = c;
    return 1;
}

ailes_checkup_reader_t *ailes_checkup_reader_make(apr_pool_t *p,
                                                  const char *today,
                                                  int dup_check,
                                                  apr_array_header_t *errors)
{
    ailes_checkup_reader_t *rd = apr_pcalloc(p, sizeof(*rd));

    rd->k.p = p;
    rd->k.today = apr_pstrdup(p, today);
    rd->k.seen = dup_check ? apr_hash_make(p) : NULL;
    rd->k.errors = errors;
    return rd;
}

int ailes_checkup_reader_header(ailes_checkup_reader_t *rd,
                                const ailes_csv_row_t *head)
{
    checking *k = &rd->k;
    ailes_csv_row_t *h = apr_palloc(k->p, sizeof(*h));
    int *col, j, have[NITEMS], bad = k->errors->nelts;

    h->line = head->line;
    h->nfields = head->nfields;
    h->fields = apr_palloc(k->p, sizeof(char *) * (apr_size_t)head->nfields);
    for (j = 0; j < head->nfields; j++) {
        h->fields[j] = apr_pstrdup(k->p, head->fields[j]);
    }
    rd->header = 1;
    k->head = h;
    k->ncols = h->nfields;
    k->col = col = apr_pcalloc(k->p, sizeof(int) * (apr_size_t)k->ncols);
    memset(have, 0, sizeof(have));
    for (j = 0; j < k->ncols; j++) {
        col[j] = header_item(k->p, h->fields[j]);
        if (col[j] < 0) {
            report(k, h->line, h->fields[j], "unknown column");
        }
        else if (have[col[j]]++) {
            report(k, h->line, h->fields[j], "the column appears twice");
        }
    }
    if (!have[I_NO] || !have[I_DATE]) {
        report(k, h->line, NULL, "社員番号 and 受診日 columns are required");
    }
    return k->errors->nelts > bad ? -1 : 0;
}

int ailes_checkup_reader_row(ailes_checkup_reader_t *rd, apr_pool_t *tmp,
                             const ailes_csv_row_t *row, ailes_checkup_t *out)
{
    json_t *obj = json_object();
    int good;

    rd->rows++;
    rd->k.tmp = tmp;
    good = check_line(&rd->k, row, obj, out);
    json_decref(obj);
    return good;
}

void ailes_checkup_reader_end(ailes_checkup_reader_t *rd)
{
    if (rd->k.errors->nelts) {
        return;
    }
    if (!rd->header) {
        report(&rd->k, 0, NULL, "the file is empty");
    }
    else if (!rd->rows) {
        report(&rd->k, 0, NULL, "the file has no rows");
    }
}

void ailes_checkup_check(apr_pool_t *p, const apr_array_header_t *rows,
                         const char *today, apr_array_header_t **checkups,
                         apr_array_header_t **errors)
{
    ailes_checkup_reader_t *rd;
    apr_pool_t *tmp;
    ailes_checkup_t c;
    int i;

    *checkups = apr_array_make(p, rows->nelts + 1, sizeof(ailes_checkup_t));
    *errors = apr_array_make(p, 8, sizeof(ailes_import_error_t));
    rd = ailes_checkup_reader_make(p, today, 1, *errors);
    if (rows->nelts == 0
        || ailes_checkup_reader_header(
               rd, APR_ARRAY_IDX(rows, 0, const ailes_csv_row_t *)) < 0) {
        ailes_checkup_reader_end(rd);
        return;
    }
    apr_pool_create(&tmp, p);
    for (i = 1; i < rows->nelts && (*errors)->nelts < AILES_IMPORT_MAX_ERRORS;
         i++) {
        if (ailes_checkup_reader_row(
                rd, tmp, APR_ARRAY_IDX(rows, i, const ailes_csv_row_t *),
                &c)) {
            c.employee_no = apr_pstrdup(p, c.employee_no);
            c.exam_date = apr_pstrdup(p, c.exam_date);
            c.kind = apr_pstrdup(p, c.kind);
            c.judgement = c.judgement ? apr_pstrdup(p, c.judgement) : NULL;
            c.work_class = c.work_class ? apr_pstrdup(p, c.work_class)
                                        : NULL;
            c.items = apr_pstrdup(p, c.items);
            APR_ARRAY_PUSH(*checkups, ailes_checkup_t) = c;
        }
        apr_pool_clear(tmp);
    }
    apr_pool_destroy(tmp);
    ailes_checkup_reader_end(rd);
}

/* A value as a number for the cut-offs: "<5" reads as just under 5. */
static int value_number(json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 1;
    }
    if (json_is_string(v) && json_string_value(v)[0] == '<') {
        *out = strtod(json_string_value(v) + 1, NULL) - 0.001;
        return 1;
    }
    return 0;
}

static int flagged(const item *it, json_t *v, const char *sex)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    double x, ge, le;

    switch (it->type) {
    case T_URINE:
        return s && strcmp(s, "-") && strcmp(s, "+-");
    case T_FINDING:
        return s && strcmp(s, "normal");
    case T_HEARING:
        if (s) {
            return !strcmp(s, "finding");
        }
        /* fall through */
    case T_NUM:
    case T_LAB:
        if (!value_number(v, &x)) {
            return 0;
        }
        /* Without a sex, a finding only where both cut-offs agree. */
        ge = !sex ? (it->ge_m > it->ge_f ? it->ge_m : it->ge_f)
             : !strcmp(sex, "male") ? it->ge_m : it->ge_f;
        le = !sex ? (it->le_m < it->le_f ? it->le_m : it->le_f)
             : !strcmp(sex, "male") ? it->le_m : it->le_f;
        return (ge != NONE && x >= ge) || (le != NONE && x <= le);
    default:
        return 0;
    }
}

int ailes_checkup_findings(apr_pool_t *p, const char *json,
                           unsigned *examined, unsigned *found,
                           apr_array_header_t **flagged_keys)
{
    json_t *obj = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
    json_t *sexv;
    const char *sex;
    int i;

    *examined = *found = 0;
    *flagged_keys = apr_array_make(p, 4, sizeof(const char *));
    if (!json_is_object(obj)) {
        json_decref(obj);
        return -1;
    }
    sexv = json_object_get(obj, "sex");
    sex = json_is_string(sexv) ? json_string_value(sexv) : NULL;
    for (i = 0; i < NITEMS; i++) {
        json_t *v = json_object_get(obj, items[i].key);
        if (!v) {
            continue;
        }
        if (items[i].group != G_NONE) {
            *examined |= 1U << items[i].group;
        }
        if (flagged(&items[i], v, sex)) {
            APR_ARRAY_PUSH(*flagged_keys, const char *) =
                apr_pstrdup(p, items[i].key);
            if (items[i].group != G_NONE) {
                *found |= 1U << items[i].group;
            }
        }
    }
    json_decref(obj);
    return 0;
}
