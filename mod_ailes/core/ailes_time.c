/* JST rendering; see ailes_time.h. apr_time_exp_tz applies a fixed offset,
 * so neither TZ nor the C library's zone database is consulted. */
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
