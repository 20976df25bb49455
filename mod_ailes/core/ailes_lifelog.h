/* Life-log entries and points (ライフログ / ポイント), the pure half:
 * the table of kinds with their plausible ranges, JST day arithmetic,
 * points rules and caps, next-day confirmation and the fraud flags.
 * Nothing here touches a database or a request; the store
 * (ailes_store_lifelog.h) feeds it rows and writes what it decides, and
 * the unit tests drive it with any clock they like (every function that
 * depends on the time takes `today` or `now` as a parameter).
 *
 * Units: a value is stored as a whole number in the kind's unit: steps,
 * minutes, 0/1 for the boolean days, tenths for sleep hours and weight
 * (7.5 h is 75), mmHg for blood pressure with the diastolic in v2.
 *
 * Days are JST day numbers: days since 1970-01-01 in Japan Standard Time.
 */
#ifndef AILES_LIFELOG_H
#define AILES_LIFELOG_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>
#include <jansson.h>

typedef enum {
    AILES_LL_INT,       /* a whole number */
    AILES_LL_DEC1,      /* a number with at most one decimal (tenths) */
    AILES_LL_BOOL,      /* true or false, a self-reported day */
    AILES_LL_BP         /* {"systolic","diastolic"} in mmHg */
} ailes_ll_type_t;

typedef struct ailes_ll_kind {
    const char *name;       /* API and database name */
    ailes_ll_type_t type;
    long lo, hi;            /* plausible range of v, stored units */
    long lo2, hi2;          /* of v2 (AILES_LL_BP only) */
    int thresholds;         /* point rules may set min/max on v */
    int outlier;            /* flag v > AILES_LL_OUTLIER_FACTOR x median */
    int repeat;             /* flag the same v AILES_LL_REPEAT_DAYS days */
} ailes_ll_kind_t;

/* The kinds, terminated by a NULL name. Adding a kind is one line here. */
extern const ailes_ll_kind_t ailes_ll_kinds[];

/* The kind called name, or NULL. */
const ailes_ll_kind_t *ailes_ll_kind(const char *name);

/* Reads a JSON value for kind k into *v (and *v2 for blood pressure).
 * NULL, or a message naming the allowed range. */
const char *ailes_ll_parse_value(apr_pool_t *p, const ailes_ll_kind_t *k,
                                 json_t *j, long *v, long *v2);

/* The API form of a stored value (a new reference). */
json_t *ailes_ll_value_json(const ailes_ll_kind_t *k, long v, long v2);

/* --- days (JST) ----------------------------------------------------------- */

/* The JST day of an instant, and of a time in epoch seconds. */
long ailes_ll_day(apr_time_t t);
long ailes_ll_day_of_sec(apr_int64_t sec);

/* "YYYY-MM-DD" -> day number; NULL or an error message. */
const char *ailes_ll_parse_day(apr_pool_t *p, const char *s, long *day);

/* day number -> "YYYY-MM-DD". */
const char *ailes_ll_day_str(apr_pool_t *p, long day);

/* May an entry be made for `day` on `today`? Not in the future, and not
 * more than `backdate` days back. NULL or the reason. */
const char *ailes_ll_check_day(apr_pool_t *p, long day, long today,
                               int backdate);

/* First day (Monday) of day's week, and the first and last day of its
 * calendar month. */
long ailes_ll_week_start(long day);
void ailes_ll_month_range(long day, long *first, long *last);

/* --- points rules ------------------------------------------------------------ */

/* One rule: an entry of `kind` whose v lies in [min, max] (either bound
 * may be absent) earns `points` for its day. Every matching rule counts. */
typedef struct ailes_pt_rule {
    const char *kind;
    int has_min, has_max;
    long min, max;              /* stored units */
    int points;
} ailes_pt_rule_t;

/* Caps on the points a person earns per JST day, Monday-to-Sunday week
 * and calendar month; AILES_PT_NO_CAP for none. */
#define AILES_PT_NO_CAP (-1L)
typedef struct ailes_pt_caps {
    long day, week, month;
} ailes_pt_caps_t;

#define AILES_PT_MAX_RULES 50
#define AILES_PT_MAX_POINTS 100     /* per rule */
/* Boolean days (禁煙, 休肝日) are self-reported and unverifiable: a rule on
 * them earns at most this much, so the cheapest claim stays cheap. */
#define AILES_PT_SELF_REPORT_MAX 3

/* The defaults every tenant starts with (seeded on first use). */
const apr_array_header_t *ailes_pt_default_rules(apr_pool_t *p);
extern const ailes_pt_caps_t ailes_pt_default_caps;

/* Reads {"rules":[{"kind","min","max","points"}...],"caps":{"day",
 * "week","month"}} (min/max/caps may be null or absent) into *rules
 * (ailes_pt_rule_t*) and *caps, checking kinds, ranges and limits. NULL,
 * or the first problem. */
const char *ailes_pt_rules_parse(apr_pool_t *p, json_t *body,
                                 apr_array_header_t **rules,
                                 ailes_pt_caps_t *caps);

/* The same shape back (a new reference). */
json_t *ailes_pt_rules_json(const apr_array_header_t *rules,
                            const ailes_pt_caps_t *caps);

/* Points that rules give an entry of kind with value v, before caps. */
int ailes_pt_base(const apr_array_header_t *rules, const char *kind, long v);

/* --- ledger and confirmation --------------------------------------------- */

typedef enum {
    AILES_PT_AWARD = 0,         /* what an entry earned (or a correction) */
    AILES_PT_REVERSAL           /* taken back by a tenant admin's review */
} ailes_pt_type_t;

/* A ledger row as the confirmation sees it. */
typedef struct ailes_pt_row {
    long day;
    const char *kind;
    apr_int64_t rev;            /* entry revision an award is for */
    ailes_pt_type_t type;
    long amount;                /* may be negative */
} ailes_pt_row_t;

/* An entry waiting for confirmation. */
typedef struct ailes_pt_entry {
    long day;
    const char *kind;
    long v, v2;
    apr_int64_t rev;
    apr_int64_t updated_at;     /* epoch seconds of its last change */
} ailes_pt_entry_t;

/* Is the entry confirmed on `today`? Points for a day come the JST day
 * after both that day and the entry's last change: no same-day points,
 * and a backdated or replaced entry waits a day as well. */
int ailes_pt_confirmable(const ailes_pt_entry_t *e, long today);

/* Decides the ledger rows for `pending` (ailes_pt_entry_t, taken in
 * order), given the person's existing rows `ledger` (ailes_pt_row_t, at
 * least every row from the start of the earliest pending day's week and
 * month on). For each entry: the base points of the rules, cut to what
 * the day, week and month caps leave beside the other awards, 0 when a
 * reversal exists for that day and kind; the award row carries the
 * difference to what that day and kind hold already, so a replaced entry
 * gets a correction and nothing is ever paid twice. The new rows are
 * appended to `ledger` too (later entries see them) and returned in
 * *out (ailes_pt_row_t, one per entry, amount possibly 0). */
void ailes_pt_confirm(apr_pool_t *p, const apr_array_header_t *rules,
                      const ailes_pt_caps_t *caps,
                      const apr_array_header_t *pending,
                      apr_array_header_t *ledger, apr_array_header_t **out);

/* Net points of one day and kind (awards and reversals). */
long ailes_pt_net(const apr_array_header_t *ledger, long day,
                  const char *kind);

/* Sum of all rows. */
long ailes_pt_balance(const apr_array_header_t *ledger);

/* --- fraud flags ------------------------------------------------------------- */

#define AILES_LL_OUTLIER_FACTOR 3
#define AILES_LL_OUTLIER_HISTORY 30     /* entries the median is taken of */
#define AILES_LL_OUTLIER_MIN_HISTORY 5  /* fewer: no median, no flag */
#define AILES_LL_REPEAT_DAYS 5

/* Is v more than AILES_LL_OUTLIER_FACTOR times the median of hist (the
 * person's own earlier values of that kind, n of them)? Never with fewer
 * than AILES_LL_OUTLIER_MIN_HISTORY values or a median of 0. */
int ailes_ll_is_outlier(const long *hist, int n, long v);

/* How many consecutive days, ending with `day`, carry value v, counting
 * `day` itself: days[i]/vals[i] are earlier entries (any order). */
int ailes_ll_repeat_run(const long *days, const long *vals, int n, long day,
                        long v);

#endif
