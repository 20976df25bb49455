/* IP allow-lists in the request path (the spec's IPアドレス制御).
 *
 * Tenant level: the list tenant admins set (GET/PUT /v1/tenant/ip-allowlist)
 * when there is one, else AilesTenantAllowIP; an empty list restricts
 * nothing. It applies to roles that see other people's data, or to
 * everyone with AilesTenantIPScope all. Account level: a user's own list,
 * on top. The client address is r->useragent_ip, so mod_remoteip behind a
 * load balancer gives the real one.
 *
 * Threading: tenant lists are cached per process for a few seconds behind
 * a mutex (no database query per request for an unchanged list); a change
 * made through this process is seen at once, one made elsewhere within
 * AILES_IP_CACHE_SEC.
 */
#ifndef AILES_IP_H
#define AILES_IP_H

#include <httpd.h>

#define AILES_IP_CACHE_SEC 5

void ailes_ip_child_init(apr_pool_t *pchild, server_rec *s);

typedef enum {
    AILES_IP_ALLOWED = 0,
    AILES_IP_DENIED,
    AILES_IP_UNAVAILABLE    /* the database did not answer */
} ailes_ip_result_t;

/* May this request act as a user of `role` whose account list is
 * `account` (text, NULL = none)? Denials are audited (ip.denied). */
ailes_ip_result_t ailes_ip_check(request_rec *r, int role,
                                 const char *account, const char *who);

/* The tenant's effective list (ailes_cidr_t) and its id. */
apr_status_t ailes_ip_tenant_list(request_rec *r, apr_int64_t *tenant_id,
                                  apr_array_header_t **list);

/* Forgets this process's cached list of a tenant (after a change). */
void ailes_ip_forget(const char *slug);

#endif
