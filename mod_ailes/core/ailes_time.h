/* Time rendering. Everything is stored in UTC; everything shown or logged is
 * Japan Standard Time (+09:00, no DST), whatever the server's TZ says. */
#ifndef AILES_TIME_H
#define AILES_TIME_H

#include <apr_pools.h>
#include <apr_time.h>

#define AILES_JST_OFFSET_SEC (9 * 3600)

/* "2026-11-26T15:04:05.123+09:00" (ISO 8601, milliseconds). */
const char *ailes_time_jst(apr_pool_t *p, apr_time_t t);

/* Seconds since the epoch, the unit of every stored time column. */
apr_int64_t ailes_time_sec(apr_time_t t);

/* "YYYY-MM-DD" read as a day in JST: *start is its first instant (00:00
 * JST) in UTC. NULL or an error message. */
const char *ailes_time_parse_jst_date(apr_pool_t *p, const char *s,
                                      apr_time_t *start);

#endif
