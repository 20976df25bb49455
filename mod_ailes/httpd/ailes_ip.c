/* IP allow-lists; see ailes_ip.h. */
#include <httpd.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <http_log.h>

#include "ailes_cidr.h"
#include "ailes_config.h"
#include "ailes_db.h"
#include "ailes_ip.h"
#include "ailes_log.h"
#include "ailes_request.h"
#include "ailes_store.h"

APLOG_USE_MODULE(ailes);

/* Per process: slug -> cached entry. Only touched under ip_lock. */
typedef struct ip_entry {
    apr_pool_t *pool;           /* the entry's own memory */
    apr_int64_t tenant_id;
    const char *text;           /* tenant admins' list, "" = none */
    apr_time_t fetched;
} ip_entry;

static apr_thread_mutex_t *ip_lock;
static apr_hash_t *ip_cache;
static apr_pool_t *ip_pool;

void ailes_ip_child_init(apr_pool_t *pchild, server_rec *s)
{
    if (APR_SUCCESS != apr_pool_create(&ip_pool, pchild)
        || APR_SUCCESS != apr_thread_mutex_create(&ip_lock,
                                                  APR_THREAD_MUTEX_DEFAULT,
                                                  pchild)) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, AILES_LOGNO(00601)
                     "cannot set up the IP allow-list cache");
        ip_lock = NULL;
        return;
    }
    ip_cache = apr_hash_make(ip_pool);
}

/* Copies the cached entry out (NULL when missing or stale). */
static int cache_get(request_rec *r, const char *slug, apr_int64_t *id,
                     const char **text)
{
    ip_entry *e;
    int hit = 0;

    if (!ip_lock || APR_SUCCESS != apr_thread_mutex_lock(ip_lock)) {
        return 0;
    }
    e = apr_hash_get(ip_cache, slug, APR_HASH_KEY_STRING);
    if (e && apr_time_now() - e->fetched
                 < apr_time_from_sec(AILES_IP_CACHE_SEC)) {
        *id = e->tenant_id;
        *text = apr_pstrdup(r->pool, e->text);
        hit = 1;
    }
    apr_thread_mutex_unlock(ip_lock);
    return hit;
}

static void cache_put(const char *slug, apr_int64_t id, const char *text)
{
    ip_entry *old, *e;
    apr_pool_t *p;

    if (!ip_lock || APR_SUCCESS != apr_thread_mutex_lock(ip_lock)) {
        return;
    }
    old = apr_hash_get(ip_cache, slug, APR_HASH_KEY_STRING);
    if (APR_SUCCESS == apr_pool_create(&p, ip_pool)) {
        e = apr_palloc(p, sizeof(*e));
        e->pool = p;
        e->tenant_id = id;
        e->text = apr_pstrdup(p, text ? text : "");
        e->fetched = apr_time_now();
        apr_hash_set(ip_cache, apr_pstrdup(p, slug), APR_HASH_KEY_STRING, e);
        if (old) {
            apr_pool_destroy(old->pool);
        }
    }
    apr_thread_mutex_unlock(ip_lock);
}

void ailes_ip_forget(const char *slug)
{
    ip_entry *e;

    if (!ip_lock || APR_SUCCESS != apr_thread_mutex_lock(ip_lock)) {
        return;
    }
    e = apr_hash_get(ip_cache, slug, APR_HASH_KEY_STRING);
    if (e) {
        apr_hash_set(ip_cache, slug, APR_HASH_KEY_STRING, NULL);
        apr_pool_destroy(e->pool);
    }
    apr_thread_mutex_unlock(ip_lock);
}

apr_status_t ailes_ip_tenant_list(request_rec *r, apr_int64_t *tenant_id,
                                  apr_array_header_t **list)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    const char *slug = ailes_req(r)->tenant, *text = NULL, *err;
    ailes_tenant_t *t;
    ailes_db_t *db;

    *list = NULL;
    *tenant_id = 0;
    if (!slug) {
        return APR_NOTFOUND;
    }
    if (!cache_get(r, slug, tenant_id, &text)) {
        if (!(db = ailes_req_db(r))
            || APR_SUCCESS != ailes_store_tenant_by_slug(db, r->pool, slug,
                                                         &t)) {
            return APR_EGENERAL;
        }
        *tenant_id = t->id;
        text = t->ip_allow ? t->ip_allow : "";
        cache_put(slug, t->id, text);
    }
    if (*text) {
        err = ailes_cidr_list_parse(r->pool, ailes_cidr_split(r->pool, text),
                                    list);
        if (!err) {
            return APR_SUCCESS;
        }
        /* Only our own canonical text is stored; if it does not parse,
         * fall back to the sysadmin's bound and say so. */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AILES_LOGNO(00602)
                      "stored IP allow-list of %s does not parse: %s", slug,
                      err);
    }
    *list = sc->ip_bound ? sc->ip_bound
                         : apr_array_make(r->pool, 1, sizeof(ailes_cidr_t));
    return APR_SUCCESS;
}

ailes_ip_result_t ailes_ip_check(request_rec *r, int role,
                                 const char *account, const char *who)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    const char *ip = r->useragent_ip;
    apr_array_header_t *list;
    apr_int64_t tenant_id = 0;
    int ok = 1;

    if (ailes_conf_ip_applies(sc, role)) {
        if (APR_SUCCESS != ailes_ip_tenant_list(r, &tenant_id, &list)) {
            return AILES_IP_UNAVAILABLE;
        }
        ok = list->nelts == 0 || ailes_cidr_list_contains(list, ip);
    }
    if (ok && account && *account) {
        if (ailes_cidr_list_parse(r->pool, ailes_cidr_split(r->pool, account),
                                  &list)) {
            ok = 0;     /* an unreadable account list admits nobody */
        }
        else {
            ok = list->nelts == 0 || ailes_cidr_list_contains(list, ip);
        }
    }
    if (!ok) {
        if (!tenant_id) {
            (void)ailes_ip_tenant_list(r, &tenant_id, &list);
        }
        ailes_audit(r, tenant_id, who ? who : "-", "ip.denied", ip ? ip : "-",
                    "denied");
        return AILES_IP_DENIED;
    }
    return AILES_IP_ALLOWED;
}
