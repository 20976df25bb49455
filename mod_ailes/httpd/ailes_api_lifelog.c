/* Life log and points (ライフログ / ポイント):
 *
 *   GET  /v1/lifelog?from=&to=              own entries (default: the
 *                                           last 31 days)
 *   POST /v1/lifelog                        own entry {"date","kind",
 *                                           "value","source"}; again for
 *                                           the same day and kind replaces
 *   GET  /v1/points                         own balance and history
 *   GET/PUT /v1/points/rules                tenant_admin: rules and caps
 *   GET  /v1/lifelog/flags?status=open      tenant_admin: review flags
 *   POST /v1/lifelog/flags/{id}/reverse     tenant_admin: {"reason"}
 *
 * Everyone but examinees (a stress-check-only contract) logs their own
 * entries, and only their own: no route takes another person. Points are
 * confirmed lazily: reading /v1/points writes the award rows of entries
 * whose day and last change are both before today (JST), so nothing is
 * paid on the day it is claimed. The ledger is append-only; a tenant
 * admin's reversal is a row of its own. Ranges, caps and flags are
 * decided in the core (ailes_lifelog.h); every change is audited.
 */
#include <httpd.h>
#include <stdlib.h>

#include <apr_strings.h>
#include <http_protocol.h>
#include <util_script.h>

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_config.h"
#include "ailes_db.h"
#include "ailes_json.h"
#include "ailes_lifelog.h"
#include "ailes_parse.h"
#include "ailes_request.h"
#include "ailes_store.h"
#include "ailes_store_lifelog.h"
#include "ailes_time.h"

#define LIST_DAYS_DEFAULT 31
#define LIST_DAYS_MAX 366
#define HISTORY_ROWS 100
#define REASON_MAX 500

static int bad_request(request_rec *r, const char *message)
{
    return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request", message);
}

static int invalid(request_rec *r, const char *code, const char *message)
{
    return ailes_api_error(r, HTTP_UNPROCESSABLE_ENTITY, code, message);
}

static const char *actor(request_rec *r, const ailes_session_t *s)
{
    return ailes_session_actor(r->pool, s);
}

static json_t *entry_json(apr_pool_t *p, const ailes_ll_entry_t *e)
{
    const ailes_ll_kind_t *k = ailes_ll_kind(e->kind);

    return json_pack("{s:s,s:s,s:o,s:s,s:I,s:s}", "date",
                     ailes_ll_day_str(p, e->day), "kind", e->kind, "value",
                     k ? ailes_ll_value_json(k, e->v, e->v2) : json_null(),
                     "source", e->source, "revision", (json_int_t)e->rev,
                     "updated_at", ailes_time_jst(p, apr_time_from_sec(
                                                         e->updated_at)));
}

/* GET /v1/lifelog?from=YYYY-MM-DD&to=YYYY-MM-DD */
static int lifelog_list(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    const char *from_s = ailes_api_arg(r, "from"), *to_s = ailes_api_arg(r, "to");
    long today = ailes_ll_day(apr_time_now()), from, to;
    apr_array_header_t *list;
    ailes_db_t *db;
    json_t *out;
    int i;

    to = today;
    if (to_s && ailes_ll_parse_day(r->pool, to_s, &to)) {
        return bad_request(r, "to is a date YYYY-MM-DD");
    }
    from = to - (LIST_DAYS_DEFAULT - 1);
    if (from_s && ailes_ll_parse_day(r->pool, from_s, &from)) {
        return bad_request(r, "from is a date YYYY-MM-DD");
    }
    if (from > to || to - from >= LIST_DAYS_MAX) {
        return bad_request(r, "from is on or before to, at most 366 days");
    }
    if (!(db = ailes_req_db(r))
        || APR_SUCCESS != ailes_store_ll_list(db, r->pool, s->tenant_id,
                                              s->user_id, from, to, &list)) {
        return ailes_api_unavailable(r);
    }
    out = json_array();
    for (i = 0; i < list->nelts; i++) {
        json_array_append_new(out, entry_json(r->pool,
                                              APR_ARRAY_IDX(list, i,
                                                            ailes_ll_entry_t
                                                                *)));
    }
    return ailes_api_json(r, HTTP_OK,
                          ailes_json_pool(r->pool,
                                          json_pack("{s:s,s:s,s:o}", "from",
                                                    ailes_ll_day_str(r->pool,
                                                                     from),
                                                    "to",
                                                    ailes_ll_day_str(r->pool,
                                                                     to),
                                                    "entries", out)));
}

/* Judges a new entry against the person's own history and records the
 * flags it earns (their reasons are appended to `flags`). A failure to
 * flag is logged by the store and does not undo the entry. */
static void check_flags(request_rec *r, ailes_db_t *db,
                        const ailes_session_t *s, const ailes_ll_kind_t *k,
                        const ailes_ll_entry_t *e, json_t *flags)
{
    apr_array_header_t *hist;
    long vals[AILES_LL_OUTLIER_HISTORY], days[AILES_LL_OUTLIER_HISTORY];
    apr_int64_t now = ailes_time_sec(apr_time_now());
    const char *target = apr_psprintf(r->pool, "%s %s",
                                      ailes_ll_day_str(r->pool, e->day),
                                      e->kind);
    int i, n, run;

    if ((!k->outlier && !k->repeat)
        || APR_SUCCESS != ailes_store_ll_history(db, r->pool, s->tenant_id,
                                                 s->user_id, e->kind, e->day,
                                                 AILES_LL_OUTLIER_HISTORY,
                                                 &hist)) {
        return;
    }
    n = hist->nelts < AILES_LL_OUTLIER_HISTORY ? hist->nelts
                                               : AILES_LL_OUTLIER_HISTORY;
    for (i = 0; i < n; i++) {
        const ailes_ll_entry_t *h = APR_ARRAY_IDX(hist, i,
                                                  ailes_ll_entry_t *);
        vals[i] = h->v;
        days[i] = h->day;
    }
    if (k->outlier && ailes_ll_is_outlier(vals, n, e->v)
        && APR_SUCCESS == ailes_store_ll_flag_add(
                              db, r->pool, s->tenant_id, s->user_id, e->day,
                              e->kind, e->rev, "outlier", e->v,
                              apr_psprintf(r->pool, "more than %d times the "
                                           "median of the last %d entries",
                                           AILES_LL_OUTLIER_FACTOR, n),
                              now)) {
        json_array_append_new(flags, json_string("outlier"));
        ailes_audit(r, s->tenant_id, actor(r, s), "lifelog.flagged",
                    apr_pstrcat(r->pool, target, " outlier", NULL), "ok");
    }
    if (k->repeat
        && (run = ailes_ll_repeat_run(days, vals, n, e->day, e->v))
               >= AILES_LL_REPEAT_DAYS
        && APR_SUCCESS == ailes_store_ll_flag_add(
                              db, r->pool, s->tenant_id, s->user_id, e->day,
                              e->kind, e->rev, "repeated", e->v,
                              apr_psprintf(r->pool, "the same value %d days "
                                           "in a row", run),
                              now)) {
        json_array_append_new(flags, json_string("repeated"));
        ailes_audit(r, s->tenant_id, actor(r, s), "lifelog.flagged",
                    apr_pstrcat(r->pool, target, " repeated", NULL), "ok");
    }
}

/* POST /v1/lifelog {"date","kind","value","source"} */
static int lifelog_post(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    ailes_session_t *s = ctx->session;
    json_t *body = ailes_api_read_json(r), *out, *flags;
    const ailes_ll_kind_t *k;
    ailes_ll_entry_t e;
    const char *err, *date;
    apr_time_t now = apr_time_now();
    ailes_db_t *db;
    int replaced;

    if (!body) {
        return OK;
    }
    memset(&e, 0, sizeof(e));
    date = ailes_json_string(body, "date");
    if (!date || ailes_ll_parse_day(r->pool, date, &e.day)) {
        return bad_request(r, "date is required, YYYY-MM-DD");
    }
    if (!(k = ailes_ll_kind(ailes_json_string(body, "kind")))) {
        return invalid(r, "unknown_kind", "kind is one of steps, sleep, "
                       "weight, blood_pressure, exercise, alcohol_free, "
                       "no_smoking");
    }
    e.kind = k->name;
    e.source = ailes_json_string(body, "source");
    if (!json_object_get(body, "source")) {
        e.source = "manual";
    }
    if (!e.source || (strcmp(e.source, "manual")
                      && strcmp(e.source, "device"))) {
        return bad_request(r, "source is manual or device");
    }
    if ((err = ailes_ll_parse_value(r->pool, k, json_object_get(body,
                                                                "value"),
                                    &e.v, &e.v2))) {
        return invalid(r, "out_of_range", err);
    }
    if ((err = ailes_ll_check_day(r->pool, e.day, ailes_ll_day(now),
                                  ailes_conf_lifelog_backdate(sc)))) {
        return invalid(r, "bad_date", err);
    }
    if (!(db = ailes_req_db(r))
        || APR_SUCCESS != ailes_store_ll_put(db, r->pool, s->tenant_id,
                                             s->user_id, &e,
                                             ailes_time_sec(now), &replaced,
                                             &e.rev)) {
        return ailes_api_unavailable(r);
    }
    e.updated_at = ailes_time_sec(now);
    ailes_audit(r, s->tenant_id, actor(r, s),
                replaced ? "lifelog.replaced" : "lifelog.created",
                apr_psprintf(r->pool, "%s %s", date, e.kind), "ok");
    flags = json_array();
    check_flags(r, db, s, k, &e, flags);
    out = entry_json(r->pool, &e);
    json_object_set_new(out, "replaced", json_boolean(replaced));
    json_object_set_new(out, "flags", flags);
    return ailes_api_json(r, replaced ? HTTP_OK : HTTP_CREATED,
                          ailes_json_pool(r->pool, out));
}

/* GET /v1/points: confirms what is due, then balance and history. */
static int points_get(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    apr_time_t now = apr_time_now();
    apr_array_header_t *rows;
    ailes_db_t *db = ailes_req_db(r);
    json_t *hist;
    long balance;
    int i, n = 0;

    if (!db
        || APR_SUCCESS != ailes_store_pt_confirm(db, r->pool, s->tenant_id,
                                                 s->user_id,
                                                 ailes_ll_day(now),
                                                 ailes_time_sec(now), &n)) {
        return ailes_api_unavailable(r);
    }
    if (n > 0) {
        ailes_audit(r, s->tenant_id, actor(r, s), "points.confirmed",
                    apr_psprintf(r->pool, "%d rows", n), "ok");
    }
    if (APR_SUCCESS != ailes_store_pt_ledger(db, r->pool, s->tenant_id,
                                             s->user_id, HISTORY_ROWS,
                                             &balance, &rows)) {
        return ailes_api_unavailable(r);
    }
    hist = json_array();
    for (i = 0; i < rows->nelts; i++) {
        const ailes_pt_ledger_row_t *l = APR_ARRAY_IDX(rows, i,
                                                       ailes_pt_ledger_row_t
                                                           *);
        json_array_append_new(
            hist, json_pack("{s:I,s:s,s:s,s:s,s:I,s:s?,s:s}", "id",
                            (json_int_t)l->id, "date",
                            ailes_ll_day_str(r->pool, l->day), "kind",
                            l->kind, "type", l->type, "amount",
                            (json_int_t)l->amount, "reason", l->reason, "at",
                            ailes_time_jst(r->pool, apr_time_from_sec(
                                                        l->created_at))));
    }
    return ailes_api_json(r, HTTP_OK,
                          ailes_json_pool(r->pool,
                                          json_pack("{s:I,s:o}", "balance",
                                                    (json_int_t)balance,
                                                    "history", hist)));
}

static int rules_get(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    apr_array_header_t *rules;
    ailes_pt_caps_t caps;
    ailes_db_t *db = ailes_req_db(r);

    if (!db || APR_SUCCESS != ailes_store_pt_rules_get(
                                  db, r->pool, s->tenant_id,
                                  ailes_time_sec(apr_time_now()), &rules,
                                  &caps)) {
        return ailes_api_unavailable(r);
    }
    return ailes_api_json(r, HTTP_OK,
                          ailes_json_pool(r->pool,
                                          ailes_pt_rules_json(rules, &caps)));
}

/* PUT /v1/points/rules {"rules":[...],"caps":{...}}: replaces them all. */
static int rules_put(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    json_t *body = ailes_api_read_json(r);
    apr_array_header_t *rules;
    ailes_pt_caps_t caps;
    const char *err;
    ailes_db_t *db;

    if (!body) {
        return OK;
    }
    if ((err = ailes_pt_rules_parse(r->pool, body, &rules, &caps))) {
        return invalid(r, "invalid_rules", err);
    }
    if (!(db = ailes_req_db(r))
        || APR_SUCCESS != ailes_store_pt_rules_put(
                              db, r->pool, s->tenant_id, rules, &caps,
                              ailes_time_sec(apr_time_now()))) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, actor(r, s), "points.rules_replaced",
                apr_psprintf(r->pool, "%d rules", rules->nelts), "ok");
    return ailes_api_json(r, HTTP_OK,
                          ailes_json_pool(r->pool,
                                          ailes_pt_rules_json(rules, &caps)));
}

static json_t *flag_json(apr_pool_t *p, const ailes_ll_flag_t *f)
{
    const ailes_ll_kind_t *k = ailes_ll_kind(f->kind);
    json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:b}", "id",
                          (json_int_t)f->id, "employee_no", f->employee_no,
                          "date", ailes_ll_day_str(p, f->day), "kind",
                          f->kind, "value",
                          k ? ailes_ll_value_json(k, f->value, 0)
                            : json_null(),
                          "reason", f->reason, "detail", f->detail,
                          "flagged_at",
                          ailes_time_jst(p, apr_time_from_sec(f->created_at)),
                          "reversed", f->reversed_at != 0);

    if (f->reversed_at) {
        json_object_set_new(j, "reversed_amount",
                            json_integer(f->reversed_amount));
    }
    return j;
}

/* GET /v1/lifelog/flags?status=open|all */
static int flags_list(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    const char *status = ailes_api_arg(r, "status");
    apr_array_header_t *list;
    ailes_db_t *db;
    json_t *out;
    int i, open_only = 0;

    if (status && !strcmp(status, "open")) {
        open_only = 1;
    }
    else if (status && strcmp(status, "all")) {
        return bad_request(r, "status is open or all");
    }
    if (!(db = ailes_req_db(r))
        || APR_SUCCESS != ailes_store_ll_flags(db, r->pool, s->tenant_id,
                                               open_only, &list)) {
        return ailes_api_unavailable(r);
    }
    out = json_array();
    for (i = 0; i < list->nelts; i++) {
        json_array_append_new(out,
                              flag_json(r->pool,
                                        APR_ARRAY_IDX(list, i,
                                                      ailes_ll_flag_t *)));
    }
    ailes_audit(r, s->tenant_id, actor(r, s), "lifelog.flags_listed", "-",
                "ok");
    return ailes_api_json(r, HTTP_OK,
                          ailes_json_pool(r->pool,
                                          json_pack("{s:o}", "flags", out)));
}

/* POST /v1/lifelog/flags/{id}/reverse {"reason"} */
static int flag_reverse(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    json_t *body = ailes_api_read_json(r), *out;
    const char *reason, *err;
    ailes_ll_flag_t *f = NULL;
    ailes_db_t *db;
    apr_status_t rv;
    long id, amount;

    if (!body) {
        return OK;
    }
    if (ailes_parse_int(r->pool, ctx->params[0], 1, 2000000000L, &id)) {
        return ailes_api_error(r, HTTP_NOT_FOUND, "not_found",
                               "no such flag");
    }
    reason = ailes_json_string(body, "reason");
    if (!reason) {
        return bad_request(r, "reason is required");
    }
    if ((err = ailes_parse_text(r->pool, reason, REASON_MAX, "reason"))) {
        return bad_request(r, err);
    }
    if (!(db = ailes_req_db(r))) {
        return ailes_api_unavailable(r);
    }
    rv = ailes_store_ll_flag_get(db, r->pool, s->tenant_id, id, &f);
    if (APR_NOTFOUND == rv) {
        return ailes_api_error(r, HTTP_NOT_FOUND, "not_found",
                               "no such flag");
    }
    if (APR_SUCCESS == rv) {
        rv = ailes_store_pt_reverse(db, r->pool, s->tenant_id, f, reason,
                                    s->user_id,
                                    ailes_time_sec(apr_time_now()), &amount);
    }
    if (APR_EEXIST == rv) {
        return ailes_api_error(r, HTTP_CONFLICT, "already_reversed",
                               "this flag was reversed already");
    }
    if (APR_SUCCESS != rv) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, actor(r, s), "points.reversed",
                apr_psprintf(r->pool, "%s %s %s flag %ld", f->employee_no,
                             ailes_ll_day_str(r->pool, f->day), f->kind, id),
                "ok");
    out = json_pack("{s:I,s:s,s:s,s:s,s:I,s:s}", "flag", (json_int_t)id,
                    "employee_no", f->employee_no, "date",
                    ailes_ll_day_str(r->pool, f->day), "kind", f->kind,
                    "amount", (json_int_t)amount, "reason", reason);
    return ailes_api_json(r, HTTP_CREATED, ailes_json_pool(r->pool, out));
}

/* Everyone with a life of their own to log: all roles but examinees. */
#define LOGGERS                                                             \
    (AILES_API_ROLE(AILES_ROLE_EMPLOYEE)                                    \
     | AILES_API_ROLE(AILES_ROLE_SC_STAFF)                                  \
     | AILES_API_ROLE(AILES_ROLE_SC_IMPLEMENTER)                            \
     | AILES_API_ROLE(AILES_ROLE_HEALTH_STAFF)                              \
     | AILES_API_ROLE(AILES_ROLE_TENANT_ADMIN))
#define ADMIN AILES_API_ROLE(AILES_ROLE_TENANT_ADMIN)

const ailes_api_route_t ailes_api_lifelog_routes[] = {
    { M_GET, "/v1/lifelog", AILES_API_SESSION, LOGGERS, lifelog_list },
    { M_POST, "/v1/lifelog", AILES_API_SESSION, LOGGERS, lifelog_post },
    { M_GET, "/v1/points", AILES_API_SESSION, LOGGERS, points_get },
    { M_GET, "/v1/points/rules", AILES_API_SESSION, ADMIN, rules_get },
    { M_PUT, "/v1/points/rules", AILES_API_SESSION, ADMIN, rules_put },
    { M_GET, "/v1/lifelog/flags", AILES_API_SESSION, ADMIN, flags_list },
    { M_POST, "/v1/lifelog/flags/{id}/reverse", AILES_API_SESSION, ADMIN,
      flag_reverse },
    { 0, NULL, 0, 0, NULL }
};
