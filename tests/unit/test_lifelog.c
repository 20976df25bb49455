/* ailes_lifelog: value ranges at every edge, JST days, rules, caps per
 * day/week/month, next-day confirmation with an injected clock, the
 * ledger balance after reversals, and the fraud flags. */
#include <string.h>

#include <apr_strings.h>

#include "ailes_lifelog.h"
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

/* Parses the JSON text `js` as a value of `kind`: 1 when accepted. */
static int accepts(const char *kind, const char *js, long *v, long *v2)
{
    json_error_t e;
    json_t *j = json_loads(js, JSON_DECODE_ANY, &e);
    long a, b;
    const char *err;

    ck_assert_msg(j != NULL, "bad test JSON %s", js);
    err = ailes_ll_parse_value(pool, ailes_ll_kind(kind), j, v ? v : &a,
                               v2 ? v2 : &b);
    json_decref(j);
    return err == NULL;
}

START_TEST(kinds_table)
{
    ck_assert_ptr_nonnull(ailes_ll_kind("steps"));
    ck_assert_ptr_nonnull(ailes_ll_kind("sleep"));
    ck_assert_ptr_nonnull(ailes_ll_kind("weight"));
    ck_assert_ptr_nonnull(ailes_ll_kind("blood_pressure"));
    ck_assert_ptr_nonnull(ailes_ll_kind("exercise"));
    ck_assert_ptr_nonnull(ailes_ll_kind("alcohol_free"));
    ck_assert_ptr_nonnull(ailes_ll_kind("no_smoking"));
    ck_assert_ptr_null(ailes_ll_kind("Steps"));
    ck_assert_ptr_null(ailes_ll_kind(""));
    ck_assert_ptr_null(ailes_ll_kind(NULL));
}
END_TEST

START_TEST(steps_edges)
{
    long v;

    ck_assert(!accepts("steps", "-1", NULL, NULL));
    ck_assert(accepts("steps", "0", &v, NULL));
    ck_assert_int_eq(v, 0);
    ck_assert(accepts("steps", "1", NULL, NULL));
    ck_assert(accepts("steps", "99999", NULL, NULL));
    ck_assert(accepts("steps", "100000", &v, NULL));
    ck_assert_int_eq(v, 100000);
    ck_assert(!accepts("steps", "100001", NULL, NULL));
    ck_assert(!accepts("steps", "8000.5", NULL, NULL));
    ck_assert(!accepts("steps", "\"8000\"", NULL, NULL));
    ck_assert(!accepts("steps", "true", NULL, NULL));
    ck_assert(!accepts("steps", "null", NULL, NULL));
    ck_assert(!accepts("steps", "99999999999999", NULL, NULL));
}
END_TEST

START_TEST(exercise_edges)
{
    ck_assert(!accepts("exercise", "-1", NULL, NULL));
    ck_assert(accepts("exercise", "0", NULL, NULL));
    ck_assert(accepts("exercise", "1440", NULL, NULL));
    ck_assert(!accepts("exercise", "1441", NULL, NULL));
}
END_TEST

START_TEST(sleep_edges)
{
    long v;

    ck_assert(!accepts("sleep", "-0.1", NULL, NULL));
    ck_assert(accepts("sleep", "0", &v, NULL));
    ck_assert_int_eq(v, 0);
    ck_assert(accepts("sleep", "0.1", &v, NULL));
    ck_assert_int_eq(v, 1);
    ck_assert(accepts("sleep", "7.3", &v, NULL));
    ck_assert_int_eq(v, 73);
    ck_assert(accepts("sleep", "23.9", NULL, NULL));
    ck_assert(accepts("sleep", "24", &v, NULL));
    ck_assert_int_eq(v, 240);
    ck_assert(accepts("sleep", "24.0", NULL, NULL));
    ck_assert(!accepts("sleep", "24.1", NULL, NULL));
    ck_assert(!accepts("sleep", "25", NULL, NULL));
    ck_assert(!accepts("sleep", "7.25", NULL, NULL));
}
END_TEST

START_TEST(weight_edges)
{
    long v;

    ck_assert(!accepts("weight", "19.9", NULL, NULL));
    ck_assert(!accepts("weight", "19", NULL, NULL));
    ck_assert(accepts("weight", "20", &v, NULL));
    ck_assert_int_eq(v, 200);
    ck_assert(accepts("weight", "20.1", NULL, NULL));
    ck_assert(accepts("weight", "65.4", &v, NULL));
    ck_assert_int_eq(v, 654);
    ck_assert(accepts("weight", "299.9", NULL, NULL));
    ck_assert(accepts("weight", "300", NULL, NULL));
    ck_assert(!accepts("weight", "300.1", NULL, NULL));
    ck_assert(!accepts("weight", "301", NULL, NULL));
}
END_TEST

START_TEST(blood_pressure_edges)
{
    long v, v2;

    ck_assert(accepts("blood_pressure", "{\"systolic\":120,\"diastolic\":80}",
                      &v, &v2));
    ck_assert_int_eq(v, 120);
    ck_assert_int_eq(v2, 80);
    ck_assert(accepts("blood_pressure", "{\"systolic\":60,\"diastolic\":30}",
                      NULL, NULL));
    ck_assert(!accepts("blood_pressure",
                       "{\"systolic\":59,\"diastolic\":30}", NULL, NULL));
    ck_assert(accepts("blood_pressure",
                      "{\"systolic\":260,\"diastolic\":160}", NULL, NULL));
    ck_assert(!accepts("blood_pressure",
                       "{\"systolic\":261,\"diastolic\":100}", NULL, NULL));
    ck_assert(!accepts("blood_pressure",
                       "{\"systolic\":120,\"diastolic\":29}", NULL, NULL));
    ck_assert(!accepts("blood_pressure",
                       "{\"systolic\":200,\"diastolic\":161}", NULL, NULL));
    /* systolic must be above diastolic */
    ck_assert(!accepts("blood_pressure",
                       "{\"systolic\":90,\"diastolic\":90}", NULL, NULL));
    ck_assert(accepts("blood_pressure", "{\"systolic\":91,\"diastolic\":90}",
                      NULL, NULL));
    ck_assert(!accepts("blood_pressure", "{\"systolic\":120}", NULL, NULL));
    ck_assert(!accepts("blood_pressure", "120", NULL, NULL));
    ck_assert(!accepts("blood_pressure",
                       "{\"systolic\":120.5,\"diastolic\":80}", NULL, NULL));
}
END_TEST

START_TEST(boolean_days)
{
    long v;

    ck_assert(accepts("alcohol_free", "true", &v, NULL));
    ck_assert_int_eq(v, 1);
    ck_assert(accepts("no_smoking", "false", &v, NULL));
    ck_assert_int_eq(v, 0);
    ck_assert(!accepts("no_smoking", "1", NULL, NULL));
    ck_assert(!accepts("alcohol_free", "\"true\"", NULL, NULL));
    ck_assert(!accepts("alcohol_free", "null", NULL, NULL));
}
END_TEST

START_TEST(days_jst)
{
    long d, ws, f, l;
    /* 2026-03-01T00:30:00+09:00 is 2026-02-28T15:30:00Z */
    apr_time_t t = apr_time_from_sec(1772292600);

    ck_assert_ptr_null(ailes_ll_parse_day(pool, "2026-03-01", &d));
    ck_assert_int_eq(ailes_ll_day(t), d);
    ck_assert_int_eq(ailes_ll_day(t - apr_time_from_sec(1801)), d - 1);
    ck_assert_str_eq(ailes_ll_day_str(pool, d), "2026-03-01");
    ck_assert_ptr_nonnull(ailes_ll_parse_day(pool, "2026-02-30", &d));
    ck_assert_ptr_nonnull(ailes_ll_parse_day(pool, "26-03-01", &d));
    /* 2026-03-04 is a Wednesday; its week starts Monday 2026-03-02. */
    ck_assert_ptr_null(ailes_ll_parse_day(pool, "2026-03-04", &d));
    ws = ailes_ll_week_start(d);
    ck_assert_str_eq(ailes_ll_day_str(pool, ws), "2026-03-02");
    ck_assert_int_eq(ailes_ll_week_start(ws), ws);
    ck_assert_int_eq(ailes_ll_week_start(ws + 6), ws);
    ck_assert_int_eq(ailes_ll_week_start(ws + 7), ws + 7);
    ck_assert_int_eq(ailes_ll_week_start(ws - 1), ws - 7);
    ailes_ll_month_range(d, &f, &l);
    ck_assert_str_eq(ailes_ll_day_str(pool, f), "2026-03-01");
    ck_assert_str_eq(ailes_ll_day_str(pool, l), "2026-03-31");
    ck_assert_ptr_null(ailes_ll_parse_day(pool, "2028-02-10", &d));
    ailes_ll_month_range(d, &f, &l);
    ck_assert_str_eq(ailes_ll_day_str(pool, l), "2028-02-29");
    ck_assert_ptr_null(ailes_ll_parse_day(pool, "2026-12-31", &d));
    ailes_ll_month_range(d, &f, &l);
    ck_assert_str_eq(ailes_ll_day_str(pool, f), "2026-12-01");
    ck_assert_int_eq(l, d);
}
END_TEST

START_TEST(backdate_window)
{
    long today = 20000;

    ck_assert_ptr_null(ailes_ll_check_day(pool, today, today, 7));
    ck_assert_ptr_nonnull(ailes_ll_check_day(pool, today + 1, today, 7));
    ck_assert_ptr_null(ailes_ll_check_day(pool, today - 7, today, 7));
    ck_assert_ptr_nonnull(ailes_ll_check_day(pool, today - 8, today, 7));
    ck_assert_ptr_null(ailes_ll_check_day(pool, today, today, 0));
    ck_assert_ptr_nonnull(ailes_ll_check_day(pool, today - 1, today, 0));
}
END_TEST

static json_t *load(const char *js)
{
    json_error_t e;
    json_t *j = json_loads(js, 0, &e);

    ck_assert_msg(j != NULL, "bad test JSON: %s", e.text);
    return j;
}

static const char *parse_rules(const char *js, apr_array_header_t **rules,
                               ailes_pt_caps_t *caps)
{
    json_t *j = load(js);
    const char *err = ailes_pt_rules_parse(pool, j, rules, caps);

    json_decref(j);
    return err;
}

START_TEST(rules_parse)
{
    apr_array_header_t *rules;
    ailes_pt_caps_t caps;
    json_t *back;

    ck_assert_ptr_null(parse_rules(
        "{\"rules\":[{\"kind\":\"steps\",\"min\":8000,\"points\":10},"
        "{\"kind\":\"sleep\",\"min\":6,\"max\":9.5,\"points\":5},"
        "{\"kind\":\"weight\",\"points\":1},"
        "{\"kind\":\"no_smoking\",\"min\":true,\"points\":3}],"
        "\"caps\":{\"day\":20,\"week\":null}}", &rules, &caps));
    ck_assert_int_eq(rules->nelts, 4);
    ck_assert_int_eq(caps.day, 20);
    ck_assert_int_eq(caps.week, AILES_PT_NO_CAP);
    ck_assert_int_eq(caps.month, AILES_PT_NO_CAP);
    ck_assert_int_eq(APR_ARRAY_IDX(rules, 1, ailes_pt_rule_t).max, 95);
    back = ailes_pt_rules_json(rules, &caps);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(back, "rules"), 0),
                         "kind")),
                     "steps");
    ck_assert(json_real_value(json_object_get(
                  json_array_get(json_object_get(back, "rules"), 1), "max"))
              == 9.5);
    json_decref(back);

    /* Each problem refused. */
    ck_assert_ptr_nonnull(parse_rules("{}", &rules, &caps));
    ck_assert_ptr_null(rules);
    ck_assert_ptr_nonnull(parse_rules(
        "{\"rules\":[{\"kind\":\"walking\",\"points\":1}]}", &rules, &caps));
    ck_assert_ptr_nonnull(parse_rules(
        "{\"rules\":[{\"kind\":\"steps\",\"min\":100001,\"points\":1}]}",
        &rules, &caps));
    ck_assert_ptr_nonnull(parse_rules(
        "{\"rules\":[{\"kind\":\"steps\",\"min\":10,\"max\":9,"
        "\"points\":1}]}", &rules, &caps));
    ck_assert_ptr_nonnull(parse_rules(
        "{\"rules\":[{\"kind\":\"steps\",\"points\":0}]}", &rules, &caps));
    ck_assert_ptr_null(parse_rules(
        "{\"rules\":[{\"kind\":\"steps\",\"points\":100}]}", &rules, &caps));
    ck_assert_ptr_nonnull(parse_rules(
        "{\"rules\":[{\"kind\":\"steps\",\"points\":101}]}", &rules, &caps));
    /* self-reported days earn at most AILES_PT_SELF_REPORT_MAX */
    ck_assert_ptr_null(parse_rules(
        "{\"rules\":[{\"kind\":\"alcohol_free\",\"min\":true,"
        "\"points\":3}]}", &rules, &caps));
    ck_assert_ptr_nonnull(parse_rules(
        "{\"rules\":[{\"kind\":\"alcohol_free\",\"min\":true,"
        "\"points\":4}]}", &rules, &caps));
    ck_assert_ptr_nonnull(parse_rules(
        "{\"rules\":[{\"kind\":\"blood_pressure\",\"min\":100,"
        "\"points\":1}]}", &rules, &caps));
    ck_assert_ptr_nonnull(parse_rules(
        "{\"rules\":[],\"caps\":{\"day\":-1}}", &rules, &caps));
    ck_assert_ptr_nonnull(parse_rules(
        "{\"rules\":[],\"caps\":{\"day\":\"10\"}}", &rules, &caps));
    ck_assert_ptr_null(parse_rules("{\"rules\":[]}", &rules, &caps));
    ck_assert_int_eq(rules->nelts, 0);
}
END_TEST

START_TEST(rules_too_many)
{
    apr_array_header_t *rules;
    ailes_pt_caps_t caps;
    json_t *body = json_pack("{s:[]}", "rules");
    int i;

    for (i = 0; i < AILES_PT_MAX_RULES; i++) {
        json_array_append_new(json_object_get(body, "rules"),
                              json_pack("{s:s,s:i}", "kind", "steps",
                                        "points", 1));
    }
    ck_assert_ptr_null(ailes_pt_rules_parse(pool, body, &rules, &caps));
    json_array_append_new(json_object_get(body, "rules"),
                          json_pack("{s:s,s:i}", "kind", "steps", "points",
                                    1));
    ck_assert_ptr_nonnull(ailes_pt_rules_parse(pool, body, &rules, &caps));
    json_decref(body);
}
END_TEST

START_TEST(base_points)
{
    const apr_array_header_t *rules = ailes_pt_default_rules(pool);

    ck_assert_int_eq(ailes_pt_base(rules, "steps", 7999), 0);
    ck_assert_int_eq(ailes_pt_base(rules, "steps", 8000), 10);
    ck_assert_int_eq(ailes_pt_base(rules, "sleep", 59), 0);
    ck_assert_int_eq(ailes_pt_base(rules, "sleep", 60), 5);
    ck_assert_int_eq(ailes_pt_base(rules, "sleep", 90), 5);
    ck_assert_int_eq(ailes_pt_base(rules, "sleep", 91), 0);
    ck_assert_int_eq(ailes_pt_base(rules, "weight", 654), 2);
    ck_assert_int_eq(ailes_pt_base(rules, "alcohol_free", 0), 0);
    ck_assert_int_eq(ailes_pt_base(rules, "alcohol_free", 1), 2);
    ck_assert_int_le(ailes_pt_base(rules, "no_smoking", 1),
                     AILES_PT_SELF_REPORT_MAX);
    ck_assert_int_lt(ailes_pt_base(rules, "no_smoking", 1),
                     ailes_pt_base(rules, "steps", 8000));
}
END_TEST

/* Helpers for confirmation: entries made at noon of their own day. */
static apr_int64_t noon(long day)
{
    return (apr_int64_t)day * 86400 + 3 * 3600;     /* 12:00 JST */
}

static void pend(apr_array_header_t *a, long day, const char *kind, long v,
                 apr_int64_t rev)
{
    ailes_pt_entry_t e;

    memset(&e, 0, sizeof(e));
    e.day = day;
    e.kind = kind;
    e.v = v;
    e.rev = rev;
    e.updated_at = noon(day);
    APR_ARRAY_PUSH(a, ailes_pt_entry_t) = e;
}

static long confirm(const apr_array_header_t *rules,
                    const ailes_pt_caps_t *caps, apr_array_header_t *pending,
                    apr_array_header_t *ledger)
{
    apr_array_header_t *out;

    ailes_pt_confirm(pool, rules, caps, pending, ledger, &out);
    ck_assert_int_eq(out->nelts, pending->nelts);
    apr_array_clear(pending);
    return ailes_pt_balance(out);
}

static apr_array_header_t *steps_rule(int points)
{
    apr_array_header_t *rules = apr_array_make(pool, 1,
                                               sizeof(ailes_pt_rule_t));
    ailes_pt_rule_t r = { "steps", 1, 0, 8000, 0, points };

    APR_ARRAY_PUSH(rules, ailes_pt_rule_t) = r;
    r.kind = "exercise";
    r.min = 30;
    APR_ARRAY_PUSH(rules, ailes_pt_rule_t) = r;
    return rules;
}

START_TEST(next_day_confirmation)
{
    ailes_pt_entry_t e;
    long d;

    ck_assert_ptr_null(ailes_ll_parse_day(pool, "2026-03-04", &d));
    memset(&e, 0, sizeof(e));
    e.day = d;
    e.updated_at = noon(d);
    /* the injected clock: the same day never confirms, the next one does */
    ck_assert(!ailes_pt_confirmable(&e, ailes_ll_day_of_sec(noon(d))));
    ck_assert(!ailes_pt_confirmable(&e, ailes_ll_day_of_sec(
                                            (apr_int64_t)(d + 1) * 86400
                                            - 9 * 3600 - 1)));
    ck_assert(ailes_pt_confirmable(&e, ailes_ll_day_of_sec(
                                           (apr_int64_t)(d + 1) * 86400
                                           - 9 * 3600)));
    /* backdated on d+2 for day d: confirmed on d+3, not at once */
    e.updated_at = noon(d + 2);
    ck_assert(!ailes_pt_confirmable(&e, d + 2));
    ck_assert(ailes_pt_confirmable(&e, d + 3));
}
END_TEST

START_TEST(cap_per_day)
{
    apr_array_header_t *rules = steps_rule(10);
    apr_array_header_t *pending = apr_array_make(pool, 4,
                                                 sizeof(ailes_pt_entry_t));
    apr_array_header_t *ledger = apr_array_make(pool, 4,
                                                sizeof(ailes_pt_row_t));
    ailes_pt_caps_t caps = { 14, AILES_PT_NO_CAP, AILES_PT_NO_CAP };

    pend(pending, 20000, "exercise", 60, 1);
    pend(pending, 20000, "steps", 9000, 1);
    ck_assert_int_eq(confirm(rules, &caps, pending, ledger), 14);
    ck_assert_int_eq(ailes_pt_net(ledger, 20000, "exercise"), 10);
    ck_assert_int_eq(ailes_pt_net(ledger, 20000, "steps"), 4);
    /* one less than the cap pays in full; the cap exactly too */
    caps.day = 21;
    pend(pending, 20001, "exercise", 60, 1);
    pend(pending, 20001, "steps", 9000, 1);
    ck_assert_int_eq(confirm(rules, &caps, pending, ledger), 20);
    caps.day = 20;
    pend(pending, 20002, "exercise", 60, 1);
    pend(pending, 20002, "steps", 9000, 1);
    ck_assert_int_eq(confirm(rules, &caps, pending, ledger), 20);
    caps.day = 19;
    pend(pending, 20003, "exercise", 60, 1);
    pend(pending, 20003, "steps", 9000, 1);
    ck_assert_int_eq(confirm(rules, &caps, pending, ledger), 19);
    caps.day = 0;
    pend(pending, 20004, "steps", 9000, 1);
    ck_assert_int_eq(confirm(rules, &caps, pending, ledger), 0);
}
END_TEST

START_TEST(cap_per_week)
{
    apr_array_header_t *rules = steps_rule(10);
    apr_array_header_t *pending = apr_array_make(pool, 8,
                                                 sizeof(ailes_pt_entry_t));
    apr_array_header_t *ledger = apr_array_make(pool, 8,
                                                sizeof(ailes_pt_row_t));
    ailes_pt_caps_t caps = { AILES_PT_NO_CAP, 45, AILES_PT_NO_CAP };
    long d, mon, i;

    ck_assert_ptr_null(ailes_ll_parse_day(pool, "2026-03-04", &d));
    mon = ailes_ll_week_start(d);
    for (i = 0; i < 7; i++) {
        pend(pending, mon + i, "steps", 10000, 1);
    }
    /* 10+10+10+10+5, then nothing until Monday */
    ck_assert_int_eq(confirm(rules, &caps, pending, ledger), 45);
    ck_assert_int_eq(ailes_pt_net(ledger, mon + 4, "steps"), 5);
    ck_assert_int_eq(ailes_pt_net(ledger, mon + 6, "steps"), 0);
    pend(pending, mon + 7, "steps", 10000, 1);
    ck_assert_int_eq(confirm(rules, &caps, pending, ledger), 10);
    /* cap +1: the week pays in full */
    caps.week = 71;
    ck_assert_int_eq(ailes_pt_balance(ledger), 55);
    ledger = apr_array_make(pool, 8, sizeof(ailes_pt_row_t));
    for (i = 0; i < 7; i++) {
        pend(pending, mon + i, "steps", 10000, 1);
    }
    ck_assert_int_eq(confirm(rules, &caps, pending, ledger), 70);
}
END_TEST

START_TEST(cap_per_month)
{
    apr_array_header_t *rules = steps_rule(10);
    apr_array_header_t *pending = apr_array_make(pool, 40,
                                                 sizeof(ailes_pt_entry_t));
    apr_array_header_t *ledger = apr_array_make(pool, 40,
                                                sizeof(ailes_pt_row_t));
    ailes_pt_caps_t caps = { AILES_PT_NO_CAP, AILES_PT_NO_CAP, 95 };
    long first, last, i;

    ck_assert_ptr_null(ailes_ll_parse_day(pool, "2026-04-01", &first));
    ailes_ll_month_range(first, &first, &last);
    for (i = first; i <= last + 2; i++) {
        pend(pending, i, "steps", 10000, 1);
    }
    /* April: 95 in all; May starts afresh (2 days, 20) */
    ck_assert_int_eq(confirm(rules, &caps, pending, ledger), 115);
    ck_assert_int_eq(ailes_pt_net(ledger, first + 9, "steps"), 5);
    ck_assert_int_eq(ailes_pt_net(ledger, first + 10, "steps"), 0);
    ck_assert_int_eq(ailes_pt_net(ledger, last + 1, "steps"), 10);
}
END_TEST

START_TEST(replacement_and_reversal)
{
    apr_array_header_t *rules = steps_rule(10);
    apr_array_header_t *pending = apr_array_make(pool, 4,
                                                 sizeof(ailes_pt_entry_t));
    apr_array_header_t *ledger = apr_array_make(pool, 4,
                                                sizeof(ailes_pt_row_t));
    ailes_pt_caps_t caps = ailes_pt_default_caps;
    ailes_pt_row_t rev;
    long d = 20000;

    pend(pending, d, "steps", 9000, 1);
    pend(pending, d + 1, "steps", 9000, 1);
    pend(pending, d + 2, "steps", 100, 1);
    ck_assert_int_eq(confirm(rules, &caps, pending, ledger), 20);
    /* the same revision confirmed again earns nothing more */
    pend(pending, d, "steps", 9000, 1);
    ck_assert_int_eq(confirm(rules, &caps, pending, ledger), 0);
    /* replaced with a lower value: a correction of -10 */
    pend(pending, d, "steps", 100, 2);
    ck_assert_int_eq(confirm(rules, &caps, pending, ledger), -10);
    ck_assert_int_eq(ailes_pt_net(ledger, d, "steps"), 0);
    /* replaced with a higher value: +10 */
    pend(pending, d + 2, "steps", 12000, 2);
    ck_assert_int_eq(confirm(rules, &caps, pending, ledger), 10);
    /* a reversal takes day d+1 back ... */
    rev.day = d + 1;
    rev.kind = "steps";
    rev.rev = 1;
    rev.type = AILES_PT_REVERSAL;
    rev.amount = -ailes_pt_net(ledger, d + 1, "steps");
    ck_assert_int_eq(rev.amount, -10);
    APR_ARRAY_PUSH(ledger, ailes_pt_row_t) = rev;
    /* ... and a later replacement of that day earns nothing */
    pend(pending, d + 1, "steps", 20000, 2);
    ck_assert_int_eq(confirm(rules, &caps, pending, ledger), 0);
    ck_assert_int_eq(ailes_pt_net(ledger, d + 1, "steps"), 0);
    /* balance is the sum of the rows, reversal included */
    ck_assert_int_eq(ailes_pt_balance(ledger), 10);
    ck_assert_int_eq(ailes_pt_net(ledger, d, "steps")
                         + ailes_pt_net(ledger, d + 1, "steps")
                         + ailes_pt_net(ledger, d + 2, "steps"),
                     ailes_pt_balance(ledger));
}
END_TEST

START_TEST(reversal_before_confirmation)
{
    apr_array_header_t *rules = steps_rule(10);
    apr_array_header_t *pending = apr_array_make(pool, 4,
                                                 sizeof(ailes_pt_entry_t));
    apr_array_header_t *ledger = apr_array_make(pool, 4,
                                                sizeof(ailes_pt_row_t));
    ailes_pt_row_t rev = { 20000, "steps", 1, AILES_PT_REVERSAL, 0 };

    APR_ARRAY_PUSH(ledger, ailes_pt_row_t) = rev;
    pend(pending, 20000, "steps", 50000, 1);
    ck_assert_int_eq(confirm(rules, &ailes_pt_default_caps, pending, ledger),
                     0);
    ck_assert_int_eq(ailes_pt_balance(ledger), 0);
}
END_TEST

START_TEST(outliers)
{
    long hist[31];
    int i;

    for (i = 0; i < 31; i++) {
        hist[i] = 5000;
    }
    /* fewer than 5 entries: no median */
    ck_assert(!ailes_ll_is_outlier(hist, 4, 90000));
    ck_assert(ailes_ll_is_outlier(hist, 5, 15001));
    ck_assert(!ailes_ll_is_outlier(hist, 5, 15000));
    ck_assert(!ailes_ll_is_outlier(hist, 5, 14999));
    /* the median, not the mean: one huge day does not raise it */
    hist[0] = 100000;
    ck_assert(ailes_ll_is_outlier(hist, 5, 15001));
    /* only the first 30 count */
    for (i = 0; i < 31; i++) {
        hist[i] = i < 30 ? 1000 : 100000;
    }
    ck_assert(ailes_ll_is_outlier(hist, 31, 3001));
    /* a median of 0 flags nothing */
    memset(hist, 0, sizeof(hist));
    ck_assert(!ailes_ll_is_outlier(hist, 10, 5));
}
END_TEST

START_TEST(repeats)
{
    long days[] = { 99, 98, 97, 96, 94 };
    long vals[] = { 8123, 8123, 8123, 8123, 8123 };
    long vals2[] = { 8123, 8123, 8124, 8123, 8123 };

    ck_assert_int_eq(ailes_ll_repeat_run(days, vals, 5, 100, 8123), 5);
    ck_assert_int_eq(ailes_ll_repeat_run(days, vals, 4, 100, 8123), 5);
    ck_assert_int_eq(ailes_ll_repeat_run(days, vals, 3, 100, 8123), 4);
    ck_assert_int_eq(ailes_ll_repeat_run(days, vals, 5, 100, 8000), 1);
    ck_assert_int_eq(ailes_ll_repeat_run(days, vals2, 5, 100, 8123), 3);
    /* a gap (95 missing) ends the run */
    ck_assert_int_eq(ailes_ll_repeat_run(days, vals, 5, 96, 8123), 1);
    ck_assert_int_eq(ailes_ll_repeat_run(NULL, NULL, 0, 100, 1), 1);
}
END_TEST

Suite *ailes_suite_lifelog(void)
{
    Suite *s = suite_create("lifelog");
    TCase *tc = tcase_create("lifelog");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, kinds_table);
    tcase_add_test(tc, steps_edges);
    tcase_add_test(tc, exercise_edges);
    tcase_add_test(tc, sleep_edges);
    tcase_add_test(tc, weight_edges);
    tcase_add_test(tc, blood_pressure_edges);
    tcase_add_test(tc, boolean_days);
    tcase_add_test(tc, days_jst);
    tcase_add_test(tc, backdate_window);
    tcase_add_test(tc, rules_parse);
    tcase_add_test(tc, rules_too_many);
    tcase_add_test(tc, base_points);
    tcase_add_test(tc, next_day_confirmation);
    tcase_add_test(tc, cap_per_day);
    tcase_add_test(tc, cap_per_week);
    tcase_add_test(tc, cap_per_month);
    tcase_add_test(tc, replacement_and_reversal);
    tcase_add_test(tc, reversal_before_confirmation);
    tcase_add_test(tc, outliers);
    tcase_add_test(tc, repeats);
    suite_add_tcase(s, tc);
    return s;
}

/* --- the store on a temp SQLite file ------------------------------------ */

#include "ailes_db.h"
#include "ailes_migrate.h"
#include "ailes_store.h"
#include "ailes_store_lifelog.h"

static ailes_db_t *db;
static const char *dir;

static const ailes_stmt_t st_t_tenant = {
    "test_ll_tenant", 1,
    "INSERT INTO tenants (slug, name, created_at) VALUES (%s, 'T', 0)"
};
static const ailes_stmt_t st_t_user = {
    "test_ll_user", 2,
    "INSERT INTO users (tenant_id, employee_no, role, created_at, "
    "updated_at) VALUES (%lld, %s, 'employee', 0, 0)"
};
static const ailes_stmt_t st_t_ledger_sum = {
    "test_ll_ledger_sum", 0,
    "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM points_ledger"
};

static void db_setup(void)
{
    const char *err = NULL;
    int applied = 0;

    setup();
    ailes_test_log_capture();
    dir = ailes_test_mkdtemp(pool);
    ck_assert_msg(APR_SUCCESS == ailes_db_open(pool, "sqlite3",
                                               apr_pstrcat(pool, dir,
                                                           "/main.db", NULL),
                                               &db, &err),
                  "open: %s", err ? err : "");
    ck_assert_msg(APR_SUCCESS == ailes_migrate(db, pool, "main", &applied,
                                               &err),
                  "migrate: %s", err ? err : "");
    ck_assert_int_eq(ailes_db_exec(db, pool, &st_t_tenant, NULL,
                                   AILES_ARGS("acme")), APR_SUCCESS);
    ck_assert_int_eq(ailes_db_exec(db, pool, &st_t_tenant, NULL,
                                   AILES_ARGS("globex")), APR_SUCCESS);
    ck_assert_int_eq(ailes_db_exec(db, pool, &st_t_user, NULL,
                                   AILES_ARGS("1", "E001")), APR_SUCCESS);
    ck_assert_int_eq(ailes_db_exec(db, pool, &st_t_user, NULL,
                                   AILES_ARGS("2", "G001")), APR_SUCCESS);
}

static void db_teardown(void)
{
    ailes_db_close(db);
    ailes_test_rmtree(dir);
    teardown();
}

static void put(apr_int64_t tenant, apr_int64_t user, long day,
                const char *kind, long v, apr_int64_t at, int want_replaced)
{
    ailes_ll_entry_t e;
    apr_int64_t rev;
    int replaced;

    memset(&e, 0, sizeof(e));
    e.day = day;
    e.kind = kind;
    e.v = v;
    e.source = "manual";
    ck_assert_int_eq(ailes_store_ll_put(db, pool, tenant, user, &e, at,
                                        &replaced, &rev), APR_SUCCESS);
    ck_assert_int_eq(replaced, want_replaced);
}

START_TEST(store_flow)
{
    apr_array_header_t *list, *rules, *hist;
    ailes_pt_caps_t caps;
    ailes_ll_flag_t *f;
    ailes_row_t *row;
    long d = 20000, balance, amount;
    int n;

    /* seeded defaults on first use */
    ck_assert_int_eq(ailes_store_pt_rules_get(db, pool, 1, 0, &rules, &caps),
                     APR_SUCCESS);
    ck_assert_int_eq(rules->nelts, ailes_pt_default_rules(pool)->nelts);
    ck_assert_int_eq(caps.day, ailes_pt_default_caps.day);

    put(1, 1, d, "steps", 9000, noon(d), 0);
    put(1, 1, d, "steps", 9500, noon(d), 1);
    put(1, 1, d + 1, "steps", 100, noon(d + 1), 0);
    ck_assert_int_eq(ailes_store_ll_list(db, pool, 1, 1, d, d + 5, &list),
                     APR_SUCCESS);
    ck_assert_int_eq(list->nelts, 2);
    ck_assert_int_eq(APR_ARRAY_IDX(list, 1, ailes_ll_entry_t *)->v, 9500);
    ck_assert_int_eq(APR_ARRAY_IDX(list, 1, ailes_ll_entry_t *)->rev, 2);
    /* another tenant's query of the same user id sees nothing */
    ck_assert_int_eq(ailes_store_ll_list(db, pool, 2, 1, d, d + 5, &list),
                     APR_SUCCESS);
    ck_assert_int_eq(list->nelts, 0);
    ck_assert_int_eq(ailes_store_ll_history(db, pool, 1, 1, "steps", d + 1,
                                            30, &hist), APR_SUCCESS);
    ck_assert_int_eq(hist->nelts, 1);

    /* same day: nothing confirmed; next day: day d only */
    ck_assert_int_eq(ailes_store_pt_confirm(db, pool, 1, 1, d, noon(d), &n),
                     APR_SUCCESS);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(ailes_store_pt_confirm(db, pool, 1, 1, d + 1,
                                            noon(d + 1), &n), APR_SUCCESS);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(ailes_store_pt_ledger(db, pool, 1, 1, 100, &balance,
                                           &list), APR_SUCCESS);
    ck_assert_int_eq(balance, 10);
    /* again: idempotent */
    ck_assert_int_eq(ailes_store_pt_confirm(db, pool, 1, 1, d + 1,
                                            noon(d + 1), &n), APR_SUCCESS);
    ck_assert_int_eq(n, 0);

    /* a flag on day d, reversed once */
    ck_assert_int_eq(ailes_store_ll_flag_add(db, pool, 1, 1, d, "steps", 2,
                                             "outlier", 9500, "x", noon(d)),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_store_ll_flags(db, pool, 2, 0, &list),
                     APR_SUCCESS);
    ck_assert_int_eq(list->nelts, 0);
    ck_assert_int_eq(ailes_store_ll_flag_get(db, pool, 2, 1, &f),
                     APR_NOTFOUND);
    ck_assert_int_eq(ailes_store_ll_flag_get(db, pool, 1, 1, &f),
                     APR_SUCCESS);
    ck_assert_str_eq(f->employee_no, "E001");
    ck_assert_int_eq(ailes_store_pt_reverse(db, pool, 1, f, "checked", 1,
                                            noon(d + 2), &amount),
                     APR_SUCCESS);
    ck_assert_int_eq(amount, -10);
    ck_assert_int_eq(ailes_store_ll_flag_get(db, pool, 1, 1, &f),
                     APR_SUCCESS);
    ck_assert_int_ne(f->reversed_at, 0);
    ck_assert_int_eq(ailes_store_pt_reverse(db, pool, 1, f, "again", 1,
                                            noon(d + 2), &amount),
                     APR_EEXIST);
    ck_assert_int_eq(ailes_store_ll_flags(db, pool, 1, 1, &list),
                     APR_SUCCESS);
    ck_assert_int_eq(list->nelts, 0);

    /* day d+1 confirmed on d+2; day d stays at 0 after a replacement */
    put(1, 1, d, "steps", 20000, noon(d + 1), 1);
    ck_assert_int_eq(ailes_store_pt_confirm(db, pool, 1, 1, d + 2,
                                            noon(d + 2), &n), APR_SUCCESS);
    ck_assert_int_eq(ailes_store_pt_ledger(db, pool, 1, 1, 100, &balance,
                                           &list), APR_SUCCESS);
    ck_assert_int_eq(balance, 0);
    /* the balance is the sum of the rows, none of them ever updated */
    ck_assert_int_eq(ailes_db_row(db, pool, &st_t_ledger_sum, &row,
                                  AILES_NOARGS), APR_SUCCESS);
    ck_assert_int_eq(ailes_row_int(row, 1), balance);
    ck_assert_int_ge(ailes_row_int(row, 0), 4);
    ck_assert_int_eq(list->nelts, 2);   /* +10, -10; zero rows hidden */
}
END_TEST

START_TEST(store_rules_put)
{
    apr_array_header_t *rules;
    ailes_pt_caps_t caps;

    ck_assert_ptr_null(parse_rules(
        "{\"rules\":[{\"kind\":\"sleep\",\"min\":7,\"max\":8.5,"
        "\"points\":4}],\"caps\":{\"day\":5}}", &rules, &caps));
    ck_assert_int_eq(ailes_store_pt_rules_put(db, pool, 1, rules, &caps, 0),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_store_pt_rules_get(db, pool, 1, 0, &rules, &caps),
                     APR_SUCCESS);
    ck_assert_int_eq(rules->nelts, 1);
    ck_assert_int_eq(APR_ARRAY_IDX(rules, 0, ailes_pt_rule_t).max, 85);
    ck_assert_int_eq(caps.day, 5);
    ck_assert_int_eq(caps.week, AILES_PT_NO_CAP);
    /* the other tenant still gets the defaults */
    ck_assert_int_eq(ailes_store_pt_rules_get(db, pool, 2, 0, &rules, &caps),
                     APR_SUCCESS);
    ck_assert_int_eq(rules->nelts, ailes_pt_default_rules(pool)->nelts);
    /* an empty set stays empty (no re-seeding) */
    rules = apr_array_make(pool, 1, sizeof(ailes_pt_rule_t));
    ck_assert_int_eq(ailes_store_pt_rules_put(db, pool, 1, rules, &caps, 0),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_store_pt_rules_get(db, pool, 1, 0, &rules, &caps),
                     APR_SUCCESS);
    ck_assert_int_eq(rules->nelts, 0);
}
END_TEST

static const ailes_stmt_t st_t_ll_rows = {
    "test_ll_rows", 4,
    "SELECT (SELECT COUNT(*) FROM lifelog_entries WHERE tenant_id = %lld) "
    "+ (SELECT COUNT(*) FROM points_ledger WHERE tenant_id = %lld) "
    "+ (SELECT COUNT(*) FROM lifelog_flags WHERE tenant_id = %lld) "
    "+ (SELECT COUNT(*) FROM points_rules WHERE tenant_id = %lld)"
};

static apr_int64_t ll_rows(const char *tenant)
{
    ailes_row_t *row;

    ck_assert_int_eq(ailes_db_row(db, pool, &st_t_ll_rows, &row,
                                  AILES_ARGS(tenant, tenant, tenant,
                                             tenant)), APR_SUCCESS);
    return ailes_row_int(row, 0);
}

/* A user delete and a tenant purge take the life log with them. */
START_TEST(store_purge)
{
    apr_array_header_t *rules;
    ailes_pt_caps_t caps;
    int n;

    put(1, 1, 20000, "steps", 9000, noon(20000), 0);
    ck_assert_int_eq(ailes_store_ll_flag_add(db, pool, 1, 1, 20000, "steps",
                                             1, "outlier", 9000, "x", 0),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_store_pt_confirm(db, pool, 1, 1, 20001,
                                            noon(20001), &n), APR_SUCCESS);
    put(2, 2, 20000, "steps", 9000, noon(20000), 0);
    ck_assert_int_eq(ailes_store_pt_rules_get(db, pool, 2, 0, &rules, &caps),
                     APR_SUCCESS);
    ck_assert_int_gt(ll_rows("1"), 3);
    ck_assert_int_eq(ailes_store_tenant_purge(db, pool, 1), APR_SUCCESS);
    ck_assert_int_eq(ll_rows("1"), 0);
    ck_assert_int_gt(ll_rows("2"), 0);
    ck_assert_int_eq(ailes_store_user_delete(db, pool, 2, 2, "G001"), APR_SUCCESS);
    ck_assert_int_eq(ll_rows("2"), ailes_pt_default_rules(pool)->nelts);
}
END_TEST

Suite *ailes_suite_store_lifelog(void)
{
    Suite *s = suite_create("store_lifelog");
    TCase *tc = tcase_create("store_lifelog");

    tcase_add_checked_fixture(tc, db_setup, db_teardown);
    tcase_add_test(tc, store_flow);
    tcase_add_test(tc, store_rules_put);
    tcase_add_test(tc, store_purge);
    suite_add_tcase(s, tc);
    return s;
}
