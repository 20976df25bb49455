/* GET /v1/audit?from=YYYY-MM-DD&to=YYYY-MM-DD&format=json|csv
 *
 * The spec hands the logs to a customer's HR on request; here tenant admins
 * take their own tenant's audit trail themselves, dates and times in JST.
 * Default: the last 30 days; at most 400 days and AUDIT_EXPORT_MAX events
 * per request (narrow the dates for more). The export is itself audited.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <util_script.h>

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_audit.h"
#include "ailes_db.h"
#include "ailes_json.h"
#include "ailes_request.h"
#include "ailes_store.h"
#include "ailes_time.h"

#define AUDIT_EXPORT_MAX 100000
#define DAY APR_INT64_C(86400000000)

/* A CSV field: quoted when it holds a comma, quote or line break; a field
 * starting with = + - @ gets a leading ' so that Excel does not run it as
 * a formula (CSV injection). */
static const char *csv_field(apr_pool_t *p, const char *v)
{
    const char *out = v ? v : "";
    char *q, *w;

    if (*out == '=' || *out == '+' || *out == '-' || *out == '@') {
        out = apr_pstrcat(p, "'", out, NULL);
    }
    if (!strpbrk(out, ",\"\r\n")) {
        return out;
    }
    q = w = apr_palloc(p, 2 * strlen(out) + 3);
    *w++ = '"';
    for (; *out; out++) {
        if (*out == '"') {
            *w++ = '"';
        }
        *w++ = *out;
    }
    *w++ = '"';
    *w = '\0';
    return q;
}

static int audit_get(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    apr_table_t *args = NULL;
    const char *from_s, *to_s, *format, *err = NULL;
    apr_time_t now = apr_time_now(), from, to;
    apr_array_header_t *events;
    ailes_db_t *db;
    json_t *list, *body;
    int i, csv;

    args = ailes_api_args(r);
    from_s = apr_table_get(args, "from");
    to_s = apr_table_get(args, "to");
    format = apr_table_get(args, "format");
    csv = format && !strcmp(format, "csv");
    if (format && !csv && strcmp(format, "json")) {
        err = "format is json or csv";
    }
    to = now;
    from = now - 30 * DAY;
    if (!err && to_s) {
        err = ailes_time_parse_jst_date(r->pool, to_s, &to);
        to += DAY;                      /* to the end of that day */
    }
    if (!err && from_s) {
        err = ailes_time_parse_jst_date(r->pool, from_s, &from);
    }
    if (!err && (from >= to || to - from > 400 * DAY)) {
        err = "from must be before to, at most 400 days apart";
    }
    if (err) {
        return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request", err);
    }
    if (!(db = ailes_req_db(r))
        || APR_SUCCESS != ailes_store_audit_list(db, r->pool, s->tenant_id,
                                                 from, to, AUDIT_EXPORT_MAX,
                                                 &events)) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "audit.exported",
                apr_psprintf(r->pool, "%d events", events->nelts), "ok");
    if (csv) {
        ap_set_content_type(r, "text/csv; charset=utf-8");
        apr_table_setn(r->headers_out, "Content-Disposition",
                       "attachment; filename=\"audit.csv\"");
        ap_rputs("\xef\xbb\xbf" "time,actor,action,target,client_ip,"
                 "outcome,request_id\r\n", r);
        for (i = 0; i < events->nelts; i++) {
            const ailes_audit_rec_t *a =
                &APR_ARRAY_IDX(events, i, ailes_audit_rec_t);
            ap_rprintf(r, "%s,%s,%s,%s,%s,%s,%s\r\n",
                       ailes_time_jst(r->pool, a->at),
                       csv_field(r->pool, a->actor),
                       csv_field(r->pool, a->action),
                       csv_field(r->pool, a->target),
                       csv_field(r->pool, a->client_ip),
                       csv_field(r->pool, a->outcome),
                       csv_field(r->pool, a->request_id));
        }
        return OK;
    }
    list = json_array();
    for (i = 0; i < events->nelts; i++) {
        const ailes_audit_rec_t *a =
            &APR_ARRAY_IDX(events, i, ailes_audit_rec_t);
        json_array_append_new(list,
                              json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s?}",
                                        "time", ailes_time_jst(r->pool, a->at),
                                        "actor", a->actor, "action",
                                        a->action, "target", a->target,
                                        "client_ip", a->client_ip, "outcome",
                                        a->outcome, "request_id",
                                        a->request_id));
    }
    body = json_pack("{s:s,s:s,s:o,s:b}", "from",
                     ailes_time_jst(r->pool, from), "to",
                     ailes_time_jst(r->pool, to), "events", list, "truncated",
                     events->nelts >= AUDIT_EXPORT_MAX);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

const ailes_api_route_t ailes_api_audit_routes[] = {
    { M_GET, "/v1/audit", AILES_API_SESSION,
      AILES_API_ROLE(AILES_ROLE_TENANT_ADMIN), audit_get },
    { 0, NULL, 0, 0, NULL }
};
