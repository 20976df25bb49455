/* JST rendering; see ailes_time.h. apr_time_exp_tz applies a fixed offset,
 * so neither TZ nor the C library's zone database is consulted. */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "ailes_time.h"

const char *ailes_time_jst(apr_pool_t *p, apr_time_t t)
{
    apr_time_exp_t x;

    if (APR_SUCCESS != apr_time_exp_tz(&x, t, AILES_JST_OFFSET_SEC)) {
        return "1970-01-01T09:00:00.000+09:00";
    }
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+09:00",
                        x.tm_year + 1900, x.tm_mon + 1, x.tm_mday, x.tm_hour,
                        x.tm_min, x.tm_sec, x.tm_usec / 1000);
}

apr_int64_t ailes_time_sec(apr_time_t t)
{
    return (apr_int64_t)apr_time_sec(t);
}

const char *ailes_time_parse_jst_date(apr_pool_t *p, const char *s,
                                      apr_time_t *start)
{
    apr_time_exp_t x;
    apr_time_t t;
    int y, m, d, i;

    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
        return "a date is YYYY-MM-DD";
    }
    for (i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) {
            return "a date is YYYY-MM-DD";
        }
    }
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    memset(&x, 0, sizeof(x));
    x.tm_year = y - 1900;
    x.tm_mon = m - 1;
    x.tm_mday = d;
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31
        || APR_SUCCESS != apr_time_exp_get(&t, &x)) {
        return "no such date";
    }
    /* Round trip: 2026-02-30 must not quietly become March 2nd. */
    if (APR_SUCCESS != apr_time_exp_gmt(&x, t) || x.tm_mday != d
        || x.tm_mon != m - 1) {
        return "no such date";
    }
    *start = t - apr_time_from_sec(AILES_JST_OFFSET_SEC);
    return NULL;
}
