/* What staff see of the people in their scope (ラベル付の支援):
 *
 *   GET /v1/people                  health and stress-check staff: the
 *                                   people carrying a label they are
 *                                   granted
 *   GET /v1/people/{employee_no}    one of them: name, labels
 *
 * The one scope check (ailes_store_can_see) decides; a person outside the
 * scope answers exactly like one who does not exist (404). Every read of
 * another person is audited. Health data endpoints build on this.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <util_script.h>

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_config.h"
#include "ailes_db.h"
#include "ailes_json.h"
#include "ailes_parse.h"
#include "ailes_request.h"
#include "ailes_store.h"
#include "ailes_vault.h"

static int not_found(request_rec *r)
{
    return ailes_api_error(r, HTTP_NOT_FOUND, "not_found", "no such person");
}

static int people_list(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    apr_table_t *args = NULL;
    const char *v, *err = NULL;
    long page = 1, per_page = 50;
    apr_array_header_t *people;
    apr_int64_t total;
    ailes_db_t *db;
    json_t *list, *body;
    int i;

    args = ailes_api_args(r);
    if ((v = apr_table_get(args, "page"))) {
        err = ailes_parse_int(r->pool, v, 1, 1000000, &page);
    }
    if (!err && (v = apr_table_get(args, "per_page"))) {
        err = ailes_parse_int(r->pool, v, 1, 200, &per_page);
    }
    if (err) {
        return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                               "page is 1 or more, per_page 1 to 200");
    }
    if (!(db = ailes_req_db(r))
        || APR_SUCCESS != ailes_store_people_in_scope(db, r->pool,
                                                      s->tenant_id,
                                                      s->user_id, (int)page,
                                                      (int)per_page, &people,
                                                      &total)) {
        return ailes_api_unavailable(r);
    }
    list = json_array();
    for (i = 0; i < people->nelts; i++) {
        ailes_user_t *u = APR_ARRAY_IDX(people, i, ailes_user_t *);
        json_array_append_new(list, json_pack("{s:s,s:s}", "employee_no",
                                              u->employee_no, "status",
                                              u->status));
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "people.listed", "-", "ok");
    body = json_pack("{s:o,s:i,s:i,s:I}", "people", list, "page", (int)page,
                     "per_page", (int)per_page, "total", (json_int_t)total);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

static int person_get(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    ailes_session_t *s = ctx->session;
    const char *no = ctx->params[0], *name = NULL;
    apr_array_header_t *labels;
    ailes_db_t *db, *vault;
    ailes_user_t *u;
    json_t *body, *jl;
    apr_status_t rv;
    int i;

    if (ailes_parse_employee_no(r->pool, no)) {
        return not_found(r);
    }
    if (!(db = ailes_req_db(r))) {
        return ailes_api_unavailable(r);
    }
    rv = ailes_store_user_by_no(db, r->pool, s->tenant_id, no, &u);
    if (APR_SUCCESS == rv) {
        rv = ailes_store_can_see(db, r->pool, s->tenant_id, s->user_id,
                                 u->id);
    }
    if (APR_NOTFOUND == rv) {
        return not_found(r);
    }
    if (APR_SUCCESS != rv
        || APR_SUCCESS != ailes_store_user_label_names(db, r->pool,
                                                       s->tenant_id, u->id,
                                                       &labels)) {
        return ailes_api_unavailable(r);
    }
    if ((vault = ailes_req_vault(r)) && g->vault_key) {
        (void)ailes_vault_get(vault, r->pool, g->vault_key, s->tenant_id,
                              u->id, "name", &name);
    }
    jl = json_array();
    for (i = 0; i < labels->nelts; i++) {
        json_array_append_new(jl, json_string(APR_ARRAY_IDX(labels, i,
                                                            const char *)));
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "person.read", no, "ok");
    body = json_pack("{s:s,s:s?,s:s,s:o}", "employee_no", no, "name", name,
                     "status", u->status, "labels", jl);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

#define STAFF                                                               \
    (AILES_API_ROLE(AILES_ROLE_HEALTH_STAFF)                                \
     | AILES_API_ROLE(AILES_ROLE_SC_STAFF)                                  \
     | AILES_API_ROLE(AILES_ROLE_SC_IMPLEMENTER))

const ailes_api_route_t ailes_api_people_routes[] = {
    { M_GET, "/v1/people", AILES_API_SESSION, STAFF, people_list },
    { M_GET, "/v1/people/{employee_no}", AILES_API_SESSION, STAFF,
      person_get },
    { 0, NULL, 0, 0, NULL }
};
