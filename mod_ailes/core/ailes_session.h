/* Session rules and the session cache's value format, without httpd.
 *
 * A session is valid until its absolute end (expires_at) and while it has
 * been seen within the idle limit. last_seen is written at most once per
 * AILES_SESSION_TOUCH_SEC; the cache keeps an entry no longer than that,
 * so a cache hit never needs a write and never outlives a touch.
 */
#ifndef AILES_SESSION_H
#define AILES_SESSION_H

#include <apr_pools.h>

#include "ailes_store.h"

#define AILES_SESSION_TOUCH_SEC 60

typedef enum {
    AILES_SESSION_VALID = 0,
    AILES_SESSION_VALID_TOUCH,  /* valid; last_seen is due to be written */
    AILES_SESSION_EXPIRED       /* idle too long or past its maximum */
} ailes_session_state_t;

ailes_session_state_t ailes_session_state(const ailes_session_t *s,
                                          apr_int64_t now, int idle_sec);

/* How long a cache entry for s may live from now (seconds, >= 0). */
apr_int64_t ailes_session_cache_ttl(const ailes_session_t *s,
                                    apr_int64_t now, int idle_sec);

/* Cache value: one line of tab-separated fields, version-tagged. Only our
 * own values go in (employee numbers and slugs cannot hold tabs). */
const char *ailes_session_encode(apr_pool_t *p, const ailes_session_t *s);

/* Parses what ailes_session_encode made; NULL on any deviation (a corrupt
 * or foreign cache entry is a miss, never a session). */
ailes_session_t *ailes_session_decode(apr_pool_t *p, const char *data,
                                      apr_size_t len);

#endif
