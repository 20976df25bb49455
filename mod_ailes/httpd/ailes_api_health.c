/* GET /v1/health: for load balancers. 200 when the main database and the
 * vault answer, 503 otherwise; says which part is down, nothing more. */
#include <httpd.h>
#include <http_protocol.h>

#include "ailes_api.h"
#include "ailes_json.h"
#include "ailes_request.h"
#include "ailes_store.h"

static int health_get(request_rec *r, ailes_api_ctx_t *ctx)
{
    struct ailes_db *db = ailes_req_db(r);
    struct ailes_db *vault = ailes_req_vault(r);
    int db_ok = db && APR_SUCCESS == ailes_store_ping(db, r->pool);
    int vault_ok = vault && APR_SUCCESS == ailes_store_ping(vault, r->pool);
    json_t *body;

    body = json_pack("{s:s,s:s,s:s}", "status",
                     db_ok && vault_ok ? "ok" : "unavailable", "db",
                     db_ok ? "ok" : "down", "vault",
                     vault_ok ? "ok" : "down");
    return ailes_api_json(r, db_ok && vault_ok ? HTTP_OK
                                               : HTTP_SERVICE_UNAVAILABLE,
                          ailes_json_pool(r->pool, body));
}

const ailes_api_route_t ailes_api_health_routes[] = {
    { M_GET, "/v1/health", AILES_API_PUBLIC, AILES_API_ANY_ROLE, health_get },
    { 0, NULL, 0, 0, NULL }
};
