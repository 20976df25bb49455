/* Life-log kinds, points and flags; see ailes_lifelog.h. Pure functions:
 * no database, no clock of their own. */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "ailes_lifelog.h"
#include "ailes_time.h"

#define DAY_SEC 86400L

const ailes_ll_kind_t ailes_ll_kinds[] = {
    /* name              type           lo   hi      lo2 hi2  thr out rep */
    { "steps",           AILES_LL_INT,  0,   100000, 0,  0,   1,  1,  1 },
    { "sleep",           AILES_LL_DEC1, 0,   240,    0,  0,   1,  0,  0 },
    { "weight",          AILES_LL_DEC1, 200, 3000,   0,  0,   1,  0,  0 },
    { "blood_pressure",  AILES_LL_BP,   60,  260,    30, 160, 0,  0,  0 },
    { "exercise",        AILES_LL_INT,  0,   1440,   0,  0,   1,  1,  0 },
    { "alcohol_free",    AILES_LL_BOOL, 0,   1,      0,  0,   1,  0,  0 },
    { "no_smoking",      AILES_LL_BOOL, 0,   1,      0,  0,   1,  0,  0 },
    { NULL, 0, 0, 0, 0, 0, 0, 0, 0 }
};

const ailes_ll_kind_t *ailes_ll_kind(const char *name)
{
    const ailes_ll_kind_t *k;

    for (k = ailes_ll_kinds; name && k->name; k++) {
        if (!strcmp(k->name, name)) {
            return k;
        }
    }
    return NULL;
}

/* A JSON number as stored units (scale 1 or 10); -1 when it is not a
 * number or has more precision than the unit. */
static int number_units(json_t *j, int scale, long *out)
{
    double d, diff;
    long r;

    if (json_is_integer(j)) {
        json_int_t i = json_integer_value(j);
        if (i > 100000000 || i < -100000000) {
            return -1;
        }
        *out = (long)i * scale;
        return 0;
    }
    if (!json_is_real(j) || scale == 1) {
        return -1;
    }
    d = json_real_value(j) * scale;
    /* Written so that NaN and infinities fail too (no libm needed). */
    if (!(d <= 1e8 && d >= -1e8)) {
        return -1;
    }
    r = (long)(d >= 0 ? d + 0.5 : d - 0.5);
    diff = d - (double)r;
    if (diff > 1e-6 || diff < -1e-6) {
        return -1;
    }
    *out = r;
    return 0;
}

static const char *units_str(apr_pool_t *p, const ailes_ll_kind_t *k, long v)
{
    if (k->type == AILES_LL_DEC1) {
        return apr_psprintf(p, "%ld.%ld", v / 10, v % 10);
    }
    return apr_psprintf(p, "%ld", v);
}

static const char *range_msg(apr_pool_t *p, const ailes_ll_kind_t *k)
{
    switch (k->type) {
    case AILES_LL_BOOL:
        return apr_psprintf(p, "%s is true or false", k->name);
    case AILES_LL_BP:
        return apr_psprintf(p, "blood_pressure is {\"systolic\": %ld to %ld, "
                            "\"diastolic\": %ld to %ld}, systolic above "
                            "diastolic", k->lo, k->hi, k->lo2, k->hi2);
    case AILES_LL_DEC1:
        return apr_psprintf(p, "%s is %s to %s with at most one decimal",
                            k->name, units_str(p, k, k->lo),
                            units_str(p, k, k->hi));
    default:
        return apr_psprintf(p, "%s is a whole number from %ld to %ld",
                            k->name, k->lo, k->hi);
    }
}

const char *ailes_ll_parse_value(apr_pool_t *p, const ailes_ll_kind_t *k,
                                 json_t *j, long *v, long *v2)
{
    *v = *v2 = 0;
    switch (k->type) {
    case AILES_LL_BOOL:
        if (!json_is_boolean(j)) {
            return range_msg(p, k);
        }
        *v = json_is_true(j) ? 1 : 0;
        return NULL;
    case AILES_LL_BP:
        if (!json_is_object(j)
            || number_units(json_object_get(j, "systolic"), 1, v)
            || number_units(json_object_get(j, "diastolic"), 1, v2)
            || *v < k->lo || *v > k->hi || *v2 < k->lo2 || *v2 > k->hi2
            || *v <= *v2) {
            *v = *v2 = 0;
            return range_msg(p, k);
        }
        return NULL;
    default:
        if (number_units(j, k->type == AILES_LL_DEC1 ? 10 : 1, v)
            || *v < k->lo || *v > k->hi) {
            *v = 0;
            return range_msg(p, k);
        }
        return NULL;
    }
}

json_t *ailes_ll_value_json(const ailes_ll_kind_t *k, long v, long v2)
{
    switch (k->type) {
    case AILES_LL_BOOL:
        return json_boolean(v);
    case AILES_LL_BP:
        return json_pack("{s:I,s:I}", "systolic", (json_int_t)v, "diastolic",
                         (json_int_t)v2);
    case AILES_LL_DEC1:
        return json_real((double)v / 10.0);
    default:
        return json_integer(v);
    }
}

/* --- days ------------------------------------------------------------------- */

long ailes_ll_day_of_sec(apr_int64_t sec)
{
    apr_int64_t s = sec + AILES_JST_OFFSET_SEC;

    /* Floor division: instants before 1970 stay on the right day. */
    return (long)(s >= 0 ? s / DAY_SEC : -((-s + DAY_SEC - 1) / DAY_SEC));
}

long ailes_ll_day(apr_time_t t)
{
    return ailes_ll_day_of_sec(ailes_time_sec(t));
}

const char *ailes_ll_parse_day(apr_pool_t *p, const char *s, long *day)
{
    apr_time_t start;
    const char *err = ailes_time_parse_jst_date(p, s, &start);

    if (err) {
        return err;
    }
    *day = ailes_ll_day(start);
    return NULL;
}

const char *ailes_ll_day_str(apr_pool_t *p, long day)
{
    apr_time_exp_t x;

    if (APR_SUCCESS != apr_time_exp_gmt(&x, apr_time_from_sec(
                                                (apr_int64_t)day * DAY_SEC))) {
        return "1970-01-01";
    }
    return apr_psprintf(p, "%04d-%02d-%02d", x.tm_year + 1900, x.tm_mon + 1,
                        x.tm_mday);
}

const char *ailes_ll_check_day(apr_pool_t *p, long day, long today,
                               int backdate)
{
    if (day > today) {
        return "the date is in the future (JST)";
    }
    if (day < today - backdate) {
        return apr_psprintf(p, "the date is more than %d days back", backdate);
    }
    return NULL;
}

long ailes_ll_week_start(long day)
{
    /* 1970-01-01 was a Thursday: day 4 is the first Monday. */
    long d = day - 4;
    long w = d >= 0 ? d / 7 : -((-d + 6) / 7);

    return 4 + w * 7;
}

void ailes_ll_month_range(long day, long *first, long *last)
{
    apr_time_exp_t x;
    apr_time_t t;
    int y, m;

    *first = *last = day;
    if (APR_SUCCESS != apr_time_exp_gmt(&x, apr_time_from_sec(
                                                (apr_int64_t)day * DAY_SEC))) {
        return;
    }
    *first = day - (x.tm_mday - 1);
    y = x.tm_year;
    m = x.tm_mon + 1;
    if (m == 12) {
        y++;
        m = 0;
    }
    memset(&x, 0, sizeof(x));
    x.tm_year = y;
    x.tm_mon = m;
    x.tm_mday = 1;
    if (APR_SUCCESS == apr_time_exp_get(&t, &x)) {
        *last = (long)(apr_time_sec(t) / DAY_SEC) - 1;
    }
}

/* --- rules ---------------------------------------------------------------- */

const ailes_pt_caps_t ailes_pt_default_caps = { 30, 150, 500 };

static const ailes_pt_rule_t default_rules[] = {
    { "steps", 1, 0, 8000, 0, 10 },
    { "sleep", 1, 1, 60, 90, 5 },
    { "exercise", 1, 0, 30, 0, 5 },
    { "weight", 0, 0, 0, 0, 2 },
    { "blood_pressure", 0, 0, 0, 0, 2 },
    { "alcohol_free", 1, 0, 1, 0, 2 },
    { "no_smoking", 1, 0, 1, 0, 2 },
};

const apr_array_header_t *ailes_pt_default_rules(apr_pool_t *p)
{
    size_t n = sizeof(default_rules) / sizeof(default_rules[0]), i;
    apr_array_header_t *a = apr_array_make(p, (int)n,
                                           sizeof(ailes_pt_rule_t));

    for (i = 0; i < n; i++) {
        APR_ARRAY_PUSH(a, ailes_pt_rule_t) = default_rules[i];
    }
    return a;
}

/* A bound of a rule: absent/null -> *has = 0. */
static const char *rule_bound(apr_pool_t *p, const ailes_ll_kind_t *k,
                              json_t *j, const char *what, int *has,
                              long *v)
{
    *has = 0;
    if (!j || json_is_null(j)) {
        return NULL;
    }
    if (!k->thresholds) {
        return apr_psprintf(p, "rules on %s take no min or max (they pay "
                            "for recording it)", k->name);
    }
    if (k->type == AILES_LL_BOOL) {
        if (!json_is_boolean(j)) {
            return apr_psprintf(p, "%s of a %s rule is true or false", what,
                                k->name);
        }
        *v = json_is_true(j) ? 1 : 0;
    }
    else if (number_units(j, k->type == AILES_LL_DEC1 ? 10 : 1, v)
             || *v < k->lo || *v > k->hi) {
        return apr_psprintf(p, "%s of a %s rule: %s", what, k->name,
                            range_msg(p, k));
    }
    *has = 1;
    return NULL;
}

static const char *cap_value(apr_pool_t *p, json_t *caps, const char *name,
                             long *out)
{
    json_t *j = caps ? json_object_get(caps, name) : NULL;

    *out = AILES_PT_NO_CAP;
    if (!j || json_is_null(j)) {
        return NULL;
    }
    if (!json_is_integer(j) || json_integer_value(j) < 0
        || json_integer_value(j) > 1000000) {
        return apr_psprintf(p, "caps.%s is null or 0 to 1000000", name);
    }
    *out = (long)json_integer_value(j);
    return NULL;
}

const char *ailes_pt_rules_parse(apr_pool_t *p, json_t *body,
                                 apr_array_header_t **rules,
                                 ailes_pt_caps_t *caps)
{
    json_t *list = json_object_get(body, "rules"), *c, *item;
    const char *err;
    size_t i;

    *rules = NULL;
    if (!json_is_array(list)) {
        return "rules is a list";
    }
    if (json_array_size(list) > AILES_PT_MAX_RULES) {
        return apr_psprintf(p, "at most %d rules", AILES_PT_MAX_RULES);
    }
    c = json_object_get(body, "caps");
    if (c && !json_is_object(c) && !json_is_null(c)) {
        return "caps is an object {\"day\",\"week\",\"month\"}";
    }
    if ((err = cap_value(p, c, "day", &caps->day))
        || (err = cap_value(p, c, "week", &caps->week))
        || (err = cap_value(p, c, "month", &caps->month))) {
        return err;
    }
    *rules = apr_array_make(p, (int)json_array_size(list) + 1,
                            sizeof(ailes_pt_rule_t));
    json_array_foreach(list, i, item) {
        const ailes_ll_kind_t *k;
        ailes_pt_rule_t rule;
        json_t *pts;
        int limit;

        memset(&rule, 0, sizeof(rule));
        if (!json_is_object(item)) {
            return "each rule is an object {\"kind\",\"min\",\"max\","
                   "\"points\"}";
        }
        if (!(k = ailes_ll_kind(json_string_value(json_object_get(item,
                                                                  "kind"))))) {
            return apr_psprintf(p, "rule %d: unknown kind", (int)i + 1);
        }
        rule.kind = k->name;
        if ((err = rule_bound(p, k, json_object_get(item, "min"), "min",
                              &rule.has_min, &rule.min))
            || (err = rule_bound(p, k, json_object_get(item, "max"), "max",
                                 &rule.has_max, &rule.max))) {
            return apr_psprintf(p, "rule %d: %s", (int)i + 1, err);
        }
        if (rule.has_min && rule.has_max && rule.max < rule.min) {
            return apr_psprintf(p, "rule %d: max is below min", (int)i + 1);
        }
        limit = k->type == AILES_LL_BOOL ? AILES_PT_SELF_REPORT_MAX
                                         : AILES_PT_MAX_POINTS;
        pts = json_object_get(item, "points");
        if (!json_is_integer(pts) || json_integer_value(pts) < 1
            || json_integer_value(pts) > limit) {
            return apr_psprintf(p, "rule %d: points is 1 to %d%s", (int)i + 1,
                                limit, k->type == AILES_LL_BOOL
                                           ? " (self-reported days earn less)"
                                           : "");
        }
        rule.points = (int)json_integer_value(pts);
        APR_ARRAY_PUSH(*rules, ailes_pt_rule_t) = rule;
    }
    return NULL;
}

static json_t *bound_json(const ailes_ll_kind_t *k, int has, long v)
{
    if (!has) {
        return json_null();
    }
    return k->type == AILES_LL_BP ? json_integer(v)
                                  : ailes_ll_value_json(k, v, 0);
}

static json_t *cap_json(long v)
{
    return v == AILES_PT_NO_CAP ? json_null() : json_integer(v);
}

json_t *ailes_pt_rules_json(const apr_array_header_t *rules,
                            const ailes_pt_caps_t *caps)
{
    json_t *list = json_array();
    int i;

    for (i = 0; i < rules->nelts; i++) {
        const ailes_pt_rule_t *r = &APR_ARRAY_IDX(rules, i, ailes_pt_rule_t);
        const ailes_ll_kind_t *k = ailes_ll_kind(r->kind);
        if (!k) {
            continue;
        }
        json_array_append_new(list,
                              json_pack("{s:s,s:o,s:o,s:i}", "kind", k->name,
                                        "min", bound_json(k, r->has_min,
                                                          r->min),
                                        "max", bound_json(k, r->has_max,
                                                          r->max),
                                        "points", r->points));
    }
    return json_pack("{s:o,s:{s:o,s:o,s:o}}", "rules", list, "caps", "day",
                     cap_json(caps->day), "week", cap_json(caps->week),
                     "month", cap_json(caps->month));
}

int ailes_pt_base(const apr_array_header_t *rules, const char *kind, long v)
{
    int i, total = 0;

    for (i = 0; i < rules->nelts; i++) {
        const ailes_pt_rule_t *r = &APR_ARRAY_IDX(rules, i, ailes_pt_rule_t);
        if (strcmp(r->kind, kind) || (r->has_min && v < r->min)
            || (r->has_max && v > r->max)) {
            continue;
        }
        total += r->points;
    }
    return total;
}

/* --- ledger ----------------------------------------------------------------- */

int ailes_pt_confirmable(const ailes_pt_entry_t *e, long today)
{
    return e->day < today && ailes_ll_day_of_sec(e->updated_at) < today;
}

long ailes_pt_net(const apr_array_header_t *ledger, long day,
                  const char *kind)
{
    long sum = 0;
    int i;

    for (i = 0; i < ledger->nelts; i++) {
        const ailes_pt_row_t *r = &APR_ARRAY_IDX(ledger, i, ailes_pt_row_t);
        if (r->day == day && !strcmp(r->kind, kind)) {
            sum += r->amount;
        }
    }
    return sum;
}

long ailes_pt_balance(const apr_array_header_t *ledger)
{
    long sum = 0;
    int i;

    for (i = 0; i < ledger->nelts; i++) {
        sum += APR_ARRAY_IDX(ledger, i, ailes_pt_row_t).amount;
    }
    return sum;
}

/* Awards in [from, to] other than those of (day, kind). */
static long awards_beside(const apr_array_header_t *ledger, long from,
                          long to, long day, const char *kind)
{
    long sum = 0;
    int i;

    for (i = 0; i < ledger->nelts; i++) {
        const ailes_pt_row_t *r = &APR_ARRAY_IDX(ledger, i, ailes_pt_row_t);
        if (r->type != AILES_PT_AWARD || r->day < from || r->day > to
            || (r->day == day && !strcmp(r->kind, kind))) {
            continue;
        }
        sum += r->amount;
    }
    return sum;
}

static int reversed(const apr_array_header_t *ledger, long day,
                    const char *kind)
{
    int i;

    for (i = 0; i < ledger->nelts; i++) {
        const ailes_pt_row_t *r = &APR_ARRAY_IDX(ledger, i, ailes_pt_row_t);
        if (r->type == AILES_PT_REVERSAL && r->day == day
            && !strcmp(r->kind, kind)) {
            return 1;
        }
    }
    return 0;
}

static long cut(long want, long cap, long used)
{
    if (cap == AILES_PT_NO_CAP) {
        return want;
    }
    return want < cap - used ? want : cap - used;
}

void ailes_pt_confirm(apr_pool_t *p, const apr_array_header_t *rules,
                      const ailes_pt_caps_t *caps,
                      const apr_array_header_t *pending,
                      apr_array_header_t *ledger, apr_array_header_t **out)
{
    int i;

    *out = apr_array_make(p, pending->nelts + 1, sizeof(ailes_pt_row_t));
    for (i = 0; i < pending->nelts; i++) {
        const ailes_pt_entry_t *e = &APR_ARRAY_IDX(pending, i,
                                                   ailes_pt_entry_t);
        long target = 0, ws = ailes_ll_week_start(e->day), mf, ml;
        ailes_pt_row_t row;

        ailes_ll_month_range(e->day, &mf, &ml);
        if (!reversed(ledger, e->day, e->kind)) {
            target = ailes_pt_base(rules, e->kind, e->v);
            target = cut(target, caps->day,
                         awards_beside(ledger, e->day, e->day, e->day,
                                       e->kind));
            target = cut(target, caps->week,
                         awards_beside(ledger, ws, ws + 6, e->day, e->kind));
            target = cut(target, caps->month,
                         awards_beside(ledger, mf, ml, e->day, e->kind));
            if (target < 0) {
                target = 0;
            }
        }
        row.day = e->day;
        row.kind = e->kind;
        row.rev = e->rev;
        row.type = AILES_PT_AWARD;
        row.amount = target - ailes_pt_net(ledger, e->day, e->kind);
        APR_ARRAY_PUSH(ledger, ailes_pt_row_t) = row;
        APR_ARRAY_PUSH(*out, ailes_pt_row_t) = row;
    }
}

/* --- flags ------------------------------------------------------------------ */

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;

    return x < y ? -1 : x > y;
}

int ailes_ll_is_outlier(const long *hist, int n, long v)
{
    long sorted[AILES_LL_OUTLIER_HISTORY], median;

    if (n < AILES_LL_OUTLIER_MIN_HISTORY) {
        return 0;
    }
    if (n > AILES_LL_OUTLIER_HISTORY) {
        n = AILES_LL_OUTLIER_HISTORY;
    }
    memcpy(sorted, hist, (size_t)n * sizeof(long));
    qsort(sorted, (size_t)n, sizeof(long), cmp_long);
    /* The lower median of an even count: the stricter comparison. */
    median = sorted[(n - 1) / 2];
    return median > 0 && v > AILES_LL_OUTLIER_FACTOR * median;
}

int ailes_ll_repeat_run(const long *days, const long *vals, int n, long day,
                        long v)
{
    int run = 1, i, found;

    do {
        found = 0;
        for (i = 0; i < n; i++) {
            if (days[i] == day - run && vals[i] == v) {
                found = 1;
                run++;
                break;
            }
        }
    } while (found);
    return run;
}
