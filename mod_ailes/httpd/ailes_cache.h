/* The session cache: an ap_socache provider (shmcb on one node, redis or
 * memcache shared by several) in front of the sessions table.
 *
 * The database stays the source of truth: an entry lives at most until its
 * session's next last_seen write (a minute), logout removes it, and a miss
 * (a restart wiped shmcb, redis is down) just costs a database query. A hit
 * costs no database query at all.
 *
 * Threading: providers flagged AP_SOCACHE_FLAG_NOTMPSAFE (shmcb) are used
 * under a global mutex; the others are safe to call from any thread.
 */
#ifndef AILES_CACHE_H
#define AILES_CACHE_H

#include <httpd.h>

struct ailes_session;

/* pre_config: registers the mutex type "ailes-sessions". */
int ailes_cache_pre_config(apr_pool_t *pconf);

/* post_config: sets up the provider named by AilesSessionCache. A provider
 * the sysadmin named that cannot be had is an error; the default (shmcb)
 * without mod_socache_shmcb is a warning and no cache. */
int ailes_cache_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                            server_rec *s);

void ailes_cache_child_init(apr_pool_t *pchild, server_rec *s);

/* A valid cached session for this id hash, or NULL (miss, corrupt entry,
 * no cache). */
struct ailes_session *ailes_cache_get(request_rec *r, const char *id_hash);

/* Caches s for at most ttl seconds (nothing when ttl <= 0). */
void ailes_cache_put(request_rec *r, const struct ailes_session *s,
                     apr_int64_t ttl);

/* Forgets a session: on this node, and on every node for shared caches. */
void ailes_cache_remove(request_rec *r, const char *id_hash);

#endif
