/* Session cache over ap_socache; see ailes_cache.h. */
#include <httpd.h>
#include <ap_provider.h>
#include <ap_socache.h>
#include <apr_strings.h>
#include <http_log.h>
#include <util_mutex.h>

#include "ailes_cache.h"
#include "ailes_config.h"
#include "ailes_log.h"
#include "ailes_session.h"
#include "ailes_store.h"

APLOG_USE_MODULE(ailes);

#define MUTEX_TYPE "ailes-sessions"
#define CACHE_NAMESPACE "ailes-sessions"
#define VALUE_MAX 1024

typedef struct ailes_cache {
    const ap_socache_provider_t *provider;
    ap_socache_instance_t *instance;
    apr_global_mutex_t *mutex;          /* NULL when not needed */
} ailes_cache_t;

int ailes_cache_pre_config(apr_pool_t *pconf)
{
    return APR_SUCCESS == ap_mutex_register(pconf, MUTEX_TYPE, NULL,
                                            APR_LOCK_DEFAULT, 0)
               ? OK
               : !OK;
}

static apr_status_t destroy_cache(void *data)
{
    ailes_cache_t *c = data;

    c->provider->destroy(c->instance, NULL);
    return APR_SUCCESS;
}

int ailes_cache_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                            server_rec *s)
{
    ailes_global_t *g = ailes_srv_conf(s)->g;
    const char *spec = ailes_conf_session_cache(g);
    const char *sep = strchr(spec, ':');
    const char *name = sep ? apr_pstrmemdup(ptemp, spec, sep - spec) : spec;
    const char *arg = sep ? sep + 1 : NULL;
    struct ap_socache_hints hints = { 64, 256, 60 };
    ailes_cache_t *c;
    const char *err;
    apr_status_t rv;

    g->cache = NULL;
    if (!strcmp(spec, "none")) {
        return OK;
    }
    c = apr_pcalloc(pconf, sizeof(*c));
    c->provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name,
                                     AP_SOCACHE_PROVIDER_VERSION);
    if (!c->provider) {
        if (!g->session_cache) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, AILES_LOGNO(00401)
                         "no session cache: load mod_socache_shmcb (or set "
                         "AilesSessionCache); every request checks its "
                         "session in the database");
            return OK;
        }
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, AILES_LOGNO(00402)
                     "AilesSessionCache %s: no socache provider '%s' (load "
                     "mod_socache_%s)", spec, name, name);
        return !OK;
    }
    err = c->provider->create(&c->instance, arg, ptemp, pconf);
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, AILES_LOGNO(00403)
                     "AilesSessionCache %s: %s", spec, err);
        return !OK;
    }
    if (c->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) {
        rv = ap_global_mutex_create(&c->mutex, NULL, MUTEX_TYPE, NULL, s,
                                    pconf, 0);
        if (APR_SUCCESS != rv) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, AILES_LOGNO(00404)
                         "cannot create the session cache mutex");
            return !OK;
        }
    }
    rv = c->provider->init(c->instance, CACHE_NAMESPACE, &hints, s, pconf);
    if (APR_SUCCESS != rv) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, AILES_LOGNO(00405)
                     "cannot initialise the session cache %s", spec);
        return !OK;
    }
    apr_pool_cleanup_register(pconf, c, destroy_cache, apr_pool_cleanup_null);
    g->cache = c;
    return OK;
}

void ailes_cache_child_init(apr_pool_t *pchild, server_rec *s)
{
    ailes_cache_t *c = ailes_srv_conf(s)->g->cache;

    if (c && c->mutex) {
        apr_status_t rv = apr_global_mutex_child_init(
            &c->mutex, apr_global_mutex_lockfile(c->mutex), pchild);
        if (APR_SUCCESS != rv) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, AILES_LOGNO(00406)
                         "cannot attach the session cache mutex");
        }
    }
}

static ailes_cache_t *cache_of(request_rec *r)
{
    return ailes_srv_conf(r->server)->g->cache;
}

static int lock(request_rec *r, ailes_cache_t *c)
{
    if (c->mutex && APR_SUCCESS != apr_global_mutex_lock(c->mutex)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AILES_LOGNO(00407)
                      "cannot lock the session cache");
        return 0;
    }
    return 1;
}

static void unlock(ailes_cache_t *c)
{
    if (c->mutex) {
        apr_global_mutex_unlock(c->mutex);
    }
}

ailes_session_t *ailes_cache_get(request_rec *r, const char *id_hash)
{
    ailes_cache_t *c = cache_of(r);
    unsigned char buf[VALUE_MAX];
    unsigned int len = sizeof(buf);
    apr_status_t rv;

    if (!c || !lock(r, c)) {
        return NULL;
    }
    rv = c->provider->retrieve(c->instance, r->server,
                               (const unsigned char *)id_hash,
                               (unsigned int)strlen(id_hash), buf, &len,
                               r->pool);
    unlock(c);
    if (APR_SUCCESS != rv) {
        return NULL;
    }
    return ailes_session_decode(r->pool, (const char *)buf, len);
}

void ailes_cache_put(request_rec *r, const ailes_session_t *s,
                     apr_int64_t ttl)
{
    ailes_cache_t *c = cache_of(r);
    const char *v;
    apr_status_t rv;

    if (!c || ttl <= 0) {
        return;
    }
    v = ailes_session_encode(r->pool, s);
    if (strlen(v) >= VALUE_MAX || !lock(r, c)) {
        return;
    }
    rv = c->provider->store(c->instance, r->server,
                            (const unsigned char *)s->id_hash,
                            (unsigned int)strlen(s->id_hash),
                            apr_time_now() + apr_time_from_sec(ttl),
                            (unsigned char *)v, (unsigned int)strlen(v),
                            r->pool);
    unlock(c);
    if (APR_SUCCESS != rv) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, rv, r, AILES_LOGNO(00408)
                      "session not cached");
    }
}

void ailes_cache_remove(request_rec *r, const char *id_hash)
{
    ailes_cache_t *c = cache_of(r);

    if (!c || !lock(r, c)) {
        return;
    }
    c->provider->remove(c->instance, r->server,
                        (const unsigned char *)id_hash,
                        (unsigned int)strlen(id_hash), r->pool);
    unlock(c);
}
