/* Tenant settings for tenant admins: GET/PUT /v1/tenant/ip-allowlist.
 *
 * The list narrows AilesTenantAllowIP (the sysadmin's bound), never widens
 * it; an empty list means "the bound" (or no restriction without one). A
 * list that would shut out the admin's own current address is refused
 * unless "force" is given: the vendor's manual warns admins to add their
 * own address first.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_protocol.h>

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_cidr.h"
#include "ailes_config.h"
#include "ailes_db.h"
#include "ailes_ip.h"
#include "ailes_json.h"
#include "ailes_request.h"
#include "ailes_store.h"

static json_t *cidr_json(apr_pool_t *p, const apr_array_header_t *list)
{
    json_t *out = json_array();
    int i;

    for (i = 0; list && i < list->nelts; i++) {
        json_array_append_new(out, json_string(ailes_cidr_text(
                                       p, &APR_ARRAY_IDX(list, i,
                                                         ailes_cidr_t))));
    }
    return out;
}

static int ip_get(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    ailes_session_t *s = ctx->session;
    apr_array_header_t *own = NULL;
    ailes_tenant_t *t;
    ailes_db_t *db = ailes_req_db(r);
    json_t *body;

    if (!db || APR_SUCCESS != ailes_store_tenant_by_slug(db, r->pool,
                                                         s->tenant_slug, &t)) {
        return ailes_api_unavailable(r);
    }
    if (t->ip_allow && *t->ip_allow) {
        (void)ailes_cidr_list_parse(r->pool,
                                    ailes_cidr_split(r->pool, t->ip_allow),
                                    &own);
    }
    body = json_pack("{s:o,s:o,s:s,s:s}", "cidrs", cidr_json(r->pool, own),
                     "bound", cidr_json(r->pool, sc->ip_bound), "scope",
                     sc->ip_scope_all == 1 ? "all" : "staff", "your_ip",
                     r->useragent_ip ? r->useragent_ip : "");
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

static int ip_put(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    ailes_session_t *s = ctx->session;
    json_t *body = ailes_api_read_json(r), *arr, *v, *force;
    apr_array_header_t *texts, *list, *effective;
    const char *err, *canonical;
    ailes_db_t *db;
    size_t i;

    if (!body) {
        return OK;
    }
    arr = json_object_get(body, "cidrs");
    force = json_object_get(body, "force");
    if (!json_is_array(arr) || (force && !json_is_boolean(force))) {
        return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                               "cidrs is a required list of CIDRs, force a "
                               "boolean");
    }
    texts = apr_array_make(r->pool, (int)json_array_size(arr) + 1,
                           sizeof(const char *));
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v)) {
            return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                                   "cidrs are strings");
        }
        APR_ARRAY_PUSH(texts, const char *) = json_string_value(v);
    }
    if ((err = ailes_cidr_list_parse(r->pool, texts, &list))) {
        return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_cidr", err);
    }
    if (sc->ip_bound && sc->ip_bound->nelts
        && !ailes_cidr_list_within(list, sc->ip_bound)) {
        return ailes_api_error(r, HTTP_UNPROCESSABLE_ENTITY, "outside_bound",
                               "every entry must lie inside the addresses "
                               "the server allows for this tenant");
    }
    effective = list->nelts ? list : sc->ip_bound;
    if (effective && effective->nelts
        && !ailes_cidr_list_contains(effective, r->useragent_ip)
        && !json_is_true(force)) {
        return ailes_api_error(r, HTTP_CONFLICT, "would_lock_you_out",
                               "your own address is not in the list; add it, "
                               "or send \"force\": true");
    }
    canonical = list->nelts ? ailes_cidr_list_text(r->pool, list) : NULL;
    if (!(db = ailes_req_db(r))
        || APR_SUCCESS != ailes_store_tenant_set_ip(db, r->pool, s->tenant_id,
                                                    canonical)) {
        return ailes_api_unavailable(r);
    }
    ailes_ip_forget(s->tenant_slug);
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "ip.allowlist_changed", canonical ? canonical : "-", "ok");
    return ip_get(r, ctx);
}

#define ADMIN AILES_API_ROLE(AILES_ROLE_TENANT_ADMIN)

const ailes_api_route_t ailes_api_tenant_routes[] = {
    { M_GET, "/v1/tenant/ip-allowlist", AILES_API_SESSION, ADMIN, ip_get },
    { M_PUT, "/v1/tenant/ip-allowlist", AILES_API_SESSION, ADMIN, ip_put },
    { 0, NULL, 0, 0, NULL }
};
