/* In-app notices (お知らせ) for every logged-in user:
 *
 *   GET  /v1/notices              the notices of the user's tenant shown
 *                                 now, newest first, with read: true|false
 *   POST /v1/notices/{id}/read    marks one read for this user → 204
 *
 * Which notices a user sees is the store's one visibility rule; a notice
 * of another tenant, or not shown now, answers 404 like a missing one.
 * Notices are written by the operators (ailesctl notice), never here.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_protocol.h>

#include "ailes_api.h"
#include "ailes_db.h"
#include "ailes_json.h"
#include "ailes_parse.h"
#include "ailes_request.h"
#include "ailes_session.h"
#include "ailes_store_notice.h"
#include "ailes_time.h"

static const char *jst(request_rec *r, apr_int64_t sec)
{
    return sec ? ailes_time_jst(r->pool, apr_time_from_sec(sec)) : NULL;
}

static json_t *notice_json(request_rec *r, const ailes_notice_rec_t *n)
{
    json_t *updates = json_array();
    int i;

    for (i = 0; i < n->updates->nelts; i++) {
        const ailes_notice_update_t *u =
            APR_ARRAY_IDX(n->updates, i, ailes_notice_update_t *);
        json_array_append_new(updates,
                              json_pack("{s:s,s:s}", "at",
                                        jst(r, u->created_at), "body",
                                        u->body));
    }
    return json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s,s:s?,s:s,s:s,"
                     "s:b,s:o}",
                     "id", (json_int_t)n->id, "severity", n->severity,
                     "title", n->title, "body", n->body, "what", n->what,
                     "cause", n->cause, "response", n->response, "from",
                     jst(r, n->starts_at), "until", jst(r, n->ends_at),
                     "created_at", jst(r, n->created_at), "updated_at",
                     jst(r, n->updated_at), "read", n->read, "updates",
                     updates);
}

static int notices_list(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    apr_array_header_t *list;
    ailes_db_t *db = ailes_req_db(r);
    json_t *out, *body;
    int i, unread = 0;

    if (!db || APR_SUCCESS != ailes_store_notice_visible(
                                  db, r->pool, s->tenant_id, s->user_id,
                                  ailes_time_sec(apr_time_now()), &list)) {
        return ailes_api_unavailable(r);
    }
    out = json_array();
    for (i = 0; i < list->nelts; i++) {
        const ailes_notice_rec_t *n =
            APR_ARRAY_IDX(list, i, ailes_notice_rec_t *);
        json_array_append_new(out, notice_json(r, n));
        unread += !n->read;
    }
    body = json_pack("{s:o,s:i}", "notices", out, "unread", unread);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

static int notice_read(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    ailes_db_t *db = ailes_req_db(r);
    apr_status_t rv;
    long id;

    if (ailes_parse_int(r->pool, ctx->params[0], 1, 2000000000L, &id)) {
        return ailes_api_error(r, HTTP_NOT_FOUND, "not_found",
                               "no such notice");
    }
    if (!db) {
        return ailes_api_unavailable(r);
    }
    rv = ailes_store_notice_read(db, r->pool, s->tenant_id, s->user_id, id,
                                 ailes_time_sec(apr_time_now()));
    if (APR_NOTFOUND == rv) {
        return ailes_api_error(r, HTTP_NOT_FOUND, "not_found",
                               "no such notice");
    }
    if (APR_SUCCESS != rv) {
        return ailes_api_unavailable(r);
    }
    return ailes_api_no_content(r);
}

const ailes_api_route_t ailes_api_notices_routes[] = {
    { M_GET, "/v1/notices", AILES_API_SESSION, AILES_API_ANY_ROLE,
      notices_list },
    { M_POST, "/v1/notices/{id}/read", AILES_API_SESSION, AILES_API_ANY_ROLE,
      notice_read },
    { 0, NULL, 0, 0, NULL }
};
