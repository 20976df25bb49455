/* Health checkup results (健康診断), keyed by employee number:
 *
 *   POST /v1/checkups            health_staff (people in scope) and
 *                                tenant_admin: a CSV (UTF-8 or CP932),
 *                                all or nothing, every bad cell reported
 *   GET  /v1/checkups            one's own results, newest first
 *   GET  /v1/checkups?employee_no=N
 *                                health_staff: a person in scope, values
 *                                included; tenant_admin: anyone, but only
 *                                whether and when they were examined and
 *                                the 就業区分 (the MHLW guideline on
 *                                workers' health information keeps the
 *                                employer's view to what it needs)
 *   GET  /v1/checkups/status     tenant_admin: who was examined in a period
 *   GET  /v1/checkups/report     tenant_admin, health_staff: counts of
 *                                findings per item for the 労基署 report
 *                                (定期健康診断結果報告書), JSON or CSV
 *
 * A person outside the caller's view answers exactly like one who does not
 * exist (404). Every read of another person's results is audited.
 */
#include <stdlib.h>
#include <string.h>

#include <httpd.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>
#include <util_script.h>

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_checkup.h"
#include "ailes_config.h"
#include "ailes_csv.h"
#include "ailes_db.h"
#include "ailes_json.h"
#include "ailes_parse.h"
#include "ailes_request.h"
#include "ailes_sigv4.h"
#include "ailes_spool.h"
#include "ailes_store.h"
#include "ailes_store_checkup.h"
#include "ailes_time.h"
#include "ailes_userimport.h"

static const char *today(apr_pool_t *p)
{
    return apr_pstrmemdup(p, ailes_time_jst(p, apr_time_now()), 10);
}

/* One upload as it is read back from its spool, row by row: each row
 * checked, its person found and written inside one transaction that is
 * kept only when no row had an error. Memory is one row (cleared after
 * each), the tenant's employee numbers and the error list; never the
 * file. */
typedef struct {
    request_rec *r;
    ailes_db_t *db;
    const ailes_session_t *s;
    apr_hash_t *ids;            /* employee_no -> user id (the tenant's) */
    apr_hash_t *in_scope;       /* health staff: employee_no -> "y"/"n" */
    apr_array_header_t *errors;
    apr_int64_t file_id;
    int rows;
} upload;

/* The person of c: unknown, or (for health staff) out of scope, is the
 * same error. *user_id is 0 when there is none. */
static apr_status_t person(upload *u, apr_pool_t *tmp,
                           const ailes_checkup_t *c, apr_int64_t *user_id)
{
    apr_int64_t *id = apr_hash_get(u->ids, c->employee_no,
                                   APR_HASH_KEY_STRING);
    int staff = u->s->role == AILES_ROLE_HEALTH_STAFF;
    const char *seen;
    apr_status_t rv;

    *user_id = 0;
    if (id && staff) {
        seen = apr_hash_get(u->in_scope, c->employee_no, APR_HASH_KEY_STRING);
        if (!seen) {
            rv = ailes_store_can_see(u->db, tmp, u->s->tenant_id,
                                     u->s->user_id, *id);
            if (APR_SUCCESS != rv && APR_NOTFOUND != rv) {
                return rv;
            }
            seen = APR_SUCCESS == rv ? "y" : "n";
            apr_hash_set(u->in_scope, apr_pstrdup(u->r->pool, c->employee_no),
                         APR_HASH_KEY_STRING, seen);
        }
        if (*seen == 'n') {
            id = NULL;
        }
    }
    if (!id) {
        ailes_import_error(u->r->pool, u->errors, c->line, "社員番号",
                           apr_psprintf(u->r->pool, "no employee '%s'%s",
                                        c->employee_no,
                                        staff ? " in your scope" : ""));
        return APR_SUCCESS;
    }
    *user_id = *id;
    return APR_SUCCESS;
}

/* Checks and writes one data row. */
static apr_status_t one_row(upload *u, ailes_checkup_reader_t *rd,
                            apr_pool_t *tmp, const ailes_csv_row_t *row)
{
    apr_int64_t user_id;
    ailes_checkup_t c;
    apr_status_t rv;

    u->rows++;
    if (!ailes_checkup_reader_row(rd, tmp, row, &c)) {
        return APR_SUCCESS;
    }
    if (APR_SUCCESS != (rv = person(u, tmp, &c, &user_id)) || !user_id) {
        return rv;
    }
    rv = ailes_store_checkup_add(u->db, tmp, u->s->tenant_id, user_id, &c,
                                 u->file_id);
    if (APR_EEXIST != rv) {
        return rv;
    }
    rv = ailes_store_checkup_in_file(u->db, tmp, u->s->tenant_id, user_id,
                                     &c, u->file_id);
    if (APR_SUCCESS != rv && APR_NOTFOUND != rv) {
        return rv;
    }
    ailes_import_error(u->r->pool, u->errors, c.line, NULL,
                       APR_SUCCESS == rv
                           ? "the same employee, date and kind as an "
                             "earlier line"
                           : "this employee already has a result of that "
                             "date and kind");
    return APR_SUCCESS;
}

/* Reads the spool through the CSV reader into the database (the caller's
 * transaction). A file-level problem (encoding, quoting, the header) is
 * reported like a bad cell; only database failures are returned. */
static apr_status_t read_all(upload *u, ailes_spool_t *spool,
                             const char **encoding)
{
    request_rec *r = u->r;
    ailes_csv_stream_t *csv;
    ailes_checkup_reader_t *rd;
    const ailes_csv_row_t *row;
    apr_pool_t *scratch, *tmp;
    const char *err = NULL;
    apr_status_t rv = APR_SUCCESS;
    apr_size_t n = 1;
    int header = 0, stop = 0;
    char *piece = apr_palloc(r->pool, AILES_API_BODY_PIECE);

    apr_pool_create(&scratch, r->pool);
    apr_pool_create(&tmp, scratch);
    csv = ailes_csv_stream_make(scratch, AILES_CHECKUP_MAX_FIELDS,
                                AILES_CHECKUP_MAX_RECORD);
    rd = ailes_checkup_reader_make(r->pool, today(r->pool), 0, u->errors);
    while (!stop && n) {
        if (APR_SUCCESS != (rv = ailes_spool_read(spool, piece,
                                                  AILES_API_BODY_PIECE,
                                                  &n))) {
            break;
        }
        ailes_csv_stream_feed(csv, piece, n);
        while (!stop && 1 == ailes_csv_stream_next(csv, tmp, !n, &row,
                                                     &err)) {
            if (!header) {
                header = 1;
                stop = ailes_checkup_reader_header(rd, row) < 0;
            }
            else if (u->rows >= AILES_CHECKUP_MAX_ROWS) {
                ailes_import_error(r->pool, u->errors, 0, NULL,
                                   apr_psprintf(r->pool, "more than %d rows",
                                                AILES_CHECKUP_MAX_ROWS));
                stop = 1;
            }
            else {
                rv = one_row(u, rd, tmp, row);
                stop = APR_SUCCESS != rv
                       || u->errors->nelts >= AILES_IMPORT_MAX_ERRORS;
            }
            apr_pool_clear(tmp);
        }
        if (err) {
            ailes_import_error(r->pool, u->errors, 0, NULL,
                               apr_pstrdup(r->pool, err));
            stop = 1;
        }
    }
    if (APR_SUCCESS == rv) {
        ailes_checkup_reader_end(rd);
    }
    *encoding = apr_pstrdup(r->pool, ailes_csv_stream_encoding(csv));
    apr_pool_destroy(scratch);
    return rv;
}

static apr_status_t to_spool(void *baton, const char *piece, apr_size_t len)
{
    return ailes_spool_write(baton, piece, len);
}

/* POST /v1/checkups, body text/csv, read into a sealed spool (the body
 * never lies in memory whole, nor on disk in clear) and from there row by
 * row. */
static int checkups_upload(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    ailes_session_t *s = ctx->session;
    apr_dbd_transaction_t *tx = NULL;
    const char *encoding = "utf-8";
    ailes_spool_t *spool;
    apr_pool_t *sp;
    apr_off_t size;
    apr_status_t rv;
    upload u;
    char sha[65];
    int done;
    json_t *body;

    /* The spool lives in sp, destroyed (file deleted, key wiped) before
     * the answer goes out. */
    apr_pool_create(&sp, r->pool);
    if (APR_SUCCESS != ailes_spool_create(sp, NULL, &spool)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      "cannot create the upload spool in the temporary "
                      "directory");
        return ailes_api_unavailable(r);
    }
    if (ailes_api_read_body_with(r, "text/csv",
                                 (apr_size_t)ailes_conf_max_upload(sc),
                                 to_spool, spool) < 0) {
        return OK;
    }
    if (APR_SUCCESS != ailes_spool_finish(spool, &size, sha)
        || !(u.db = ailes_req_db(r))) {
        return ailes_api_unavailable(r);
    }
    rv = ailes_store_checkup_file_get(u.db, r->pool, s->tenant_id, sha,
                                      &done);
    if (APR_SUCCESS == rv) {
        body = json_pack("{s:s,s:b,s:i,s:i}", "sha256", sha,
                         "already_imported", 1, "imported", 0, "rows", done);
        return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
    }
    if (APR_NOTFOUND != rv) {
        return ailes_api_unavailable(r);
    }
    u.r = r;
    u.s = s;
    u.in_scope = apr_hash_make(r->pool);
    u.errors = apr_array_make(r->pool, 8, sizeof(ailes_import_error_t));
    u.rows = 0;
    if (APR_SUCCESS != ailes_store_user_ids(u.db, r->pool, s->tenant_id,
                                            &u.ids)
        || APR_SUCCESS != ailes_db_begin(u.db, r->pool, &tx)) {
        return ailes_api_unavailable(r);
    }
    rv = ailes_store_checkup_file_add(u.db, r->pool, s->tenant_id, sha,
                                      ailes_session_actor(r->pool, s),
                                      &u.file_id);
    if (APR_SUCCESS == rv) {
        rv = read_all(&u, spool, &encoding);
    }
    apr_pool_destroy(sp);
    if (APR_SUCCESS == rv && !u.errors->nelts) {
        rv = ailes_store_checkup_file_rows(u.db, r->pool, s->tenant_id,
                                           u.file_id, u.rows);
    }
    if (APR_SUCCESS != ailes_db_end(u.db, r->pool, tx,
                                    APR_SUCCESS == rv && !u.errors->nelts)
        || APR_SUCCESS != rv) {
        return ailes_api_unavailable(r);
    }
    if (u.errors->nelts) {
        return ailes_api_import_invalid(r, u.errors);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "checkups.imported",
                apr_psprintf(r->pool, "%d rows, sha256 %.16s", u.rows, sha),
                "ok");
    body = json_pack("{s:s,s:s,s:b,s:i,s:i}", "sha256", sha, "encoding",
                     encoding, "already_imported", 0, "imported", u.rows,
                     "rows", u.rows);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

static json_t *checkup_json(apr_pool_t *p, const ailes_checkup_row_t *c,
                            int employer_view)
{
    apr_array_header_t *keys;
    unsigned examined, found;
    json_t *items, *flagged;
    int i;

    if (employer_view) {
        return json_pack("{s:s,s:s,s:s?}", "exam_date", c->exam_date, "kind",
                         c->kind, "work_class", c->work_class);
    }
    items = json_loads(c->items, 0, NULL);
    flagged = json_array();
    if (0 == ailes_checkup_findings(p, c->items, &examined, &found, &keys)) {
        for (i = 0; i < keys->nelts; i++) {
            json_array_append_new(flagged,
                                  json_string(APR_ARRAY_IDX(keys, i,
                                                            const char *)));
        }
    }
    return json_pack("{s:s,s:s,s:s?,s:s?,s:o,s:o}", "exam_date",
                     c->exam_date, "kind", c->kind, "judgement", c->judgement,
                     "work_class", c->work_class, "items",
                     items ? items : json_object(), "out_of_range", flagged);
}

static int not_found(request_rec *r)
{
    return ailes_api_error(r, HTTP_NOT_FOUND, "not_found", "no such person");
}

/* GET /v1/checkups[?employee_no=] */
static int checkups_get(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    apr_table_t *args = NULL;
    const char *no;
    apr_array_header_t *list;
    apr_int64_t subject = s->user_id;
    int employer_view = 0, other, i;
    ailes_user_t *u;
    ailes_db_t *db;
    apr_status_t rv;
    json_t *jl, *body;

    args = ailes_api_args(r);
    no = apr_table_get(args, "employee_no");
    other = no && strcmp(no, s->employee_no);
    if (!(db = ailes_req_db(r))) {
        return ailes_api_unavailable(r);
    }
    if (other) {
        if (ailes_parse_employee_no(r->pool, no)
            || (s->role != AILES_ROLE_HEALTH_STAFF
                && s->role != AILES_ROLE_TENANT_ADMIN)) {
            return not_found(r);
        }
        rv = ailes_store_user_by_no(db, r->pool, s->tenant_id, no, &u);
        if (APR_SUCCESS == rv && s->role == AILES_ROLE_HEALTH_STAFF) {
            rv = ailes_store_can_see(db, r->pool, s->tenant_id, s->user_id,
                                     u->id);
        }
        if (APR_NOTFOUND == rv) {
            return not_found(r);
        }
        if (APR_SUCCESS != rv) {
            return ailes_api_unavailable(r);
        }
        subject = u->id;
        employer_view = s->role == AILES_ROLE_TENANT_ADMIN;
    }
    if (APR_SUCCESS != ailes_store_checkups_of(db, r->pool, s->tenant_id,
                                               subject, &list)) {
        return ailes_api_unavailable(r);
    }
    jl = json_array();
    for (i = 0; i < list->nelts; i++) {
        json_array_append_new(jl, checkup_json(r->pool,
                                               &APR_ARRAY_IDX(
                                                   list, i,
                                                   ailes_checkup_row_t),
                                               employer_view));
    }
    if (other) {
        ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                    employer_view ? "checkup.status_read" : "checkup.read",
                    no, "ok");
    }
    body = json_pack("{s:s,s:s,s:o}", "employee_no", other ? no : s->employee_no,
                     "view", employer_view ? "employer" : "full", "checkups",
                     jl);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

/* from and to (YYYY-MM-DD): both given, or neither (the last 12 months
 * up to today). NULL, or the message. */
static const char *period(request_rec *r, apr_table_t *args,
                          const char **from, const char **to)
{
    const char *f = apr_table_get(args, "from"), *t = apr_table_get(args, "to");
    const char *now = today(r->pool);

    if (!f && !t) {
        *to = now;
        *from = apr_psprintf(r->pool, "%04d%s", atoi(now) - 1, now + 4);
        return NULL;
    }
    if (!f || !t || strlen(f) != 10 || strlen(t) != 10
        || !(*from = ailes_checkup_date(r->pool, f))
        || !(*to = ailes_checkup_date(r->pool, t)) || strcmp(*from, f)
        || strcmp(*to, t) || strcmp(*from, *to) > 0) {
        return "from and to are dates YYYY-MM-DD, from not after to";
    }
    return NULL;
}

/* GET /v1/checkups/status?from=&to=&page=&per_page= */
static int checkups_status(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    apr_table_t *args = NULL;
    const char *from, *to, *v, *err;
    long page = 1, per_page = 50;
    apr_array_header_t *list;
    apr_int64_t total;
    ailes_db_t *db;
    json_t *jl, *body;
    int i;

    args = ailes_api_args(r);
    err = period(r, args, &from, &to);
    if (!err && (v = apr_table_get(args, "page"))) {
        err = ailes_parse_int(r->pool, v, 1, 1000000, &page);
    }
    if (!err && (v = apr_table_get(args, "per_page"))) {
        err = ailes_parse_int(r->pool, v, 1, 200, &per_page);
    }
    if (err) {
        return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                               "from and to are dates YYYY-MM-DD, page is 1 "
                               "or more, per_page 1 to 200");
    }
    if (!(db = ailes_req_db(r))
        || APR_SUCCESS != ailes_store_checkup_status(db, r->pool,
                                                     s->tenant_id, from, to,
                                                     (int)page, (int)per_page,
                                                     &list, &total)) {
        return ailes_api_unavailable(r);
    }
    jl = json_array();
    for (i = 0; i < list->nelts; i++) {
        const ailes_checkup_row_t *c = &APR_ARRAY_IDX(list, i,
                                                      ailes_checkup_row_t);
        json_array_append_new(jl, json_pack("{s:s,s:b,s:s?,s:s?,s:s?}",
                                            "employee_no", c->employee_no,
                                            "examined", c->exam_date != NULL,
                                            "exam_date", c->exam_date,
                                            "kind", c->kind, "work_class",
                                            c->work_class));
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "checkups.status_listed", apr_pstrcat(r->pool, from, "..", to,
                                                      NULL), "ok");
    body = json_pack("{s:s,s:s,s:o,s:i,s:i,s:I}", "from", from, "to", to,
                     "people", jl, "page", (int)page, "per_page",
                     (int)per_page, "total", (json_int_t)total);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

/* GET /v1/checkups/report?from=&to=&format=json|csv */
static int checkups_report(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    apr_table_t *args = NULL;
    const char *from, *to, *format;
    apr_array_header_t *list, *keys;
    int examined[AILES_CK_GROUPS] = { 0 }, found[AILES_CK_GROUPS] = { 0 };
    int any = 0, i, g;
    ailes_db_t *db;
    json_t *jl, *body;

    args = ailes_api_args(r);
    format = apr_table_get(args, "format");
    if (period(r, args, &from, &to)
        || (format && strcmp(format, "json") && strcmp(format, "csv"))) {
        return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                               "from and to are dates YYYY-MM-DD, format is "
                               "json or csv");
    }
    if (!(db = ailes_req_db(r))
        || APR_SUCCESS != ailes_store_checkup_latest_periodic(
                              db, r->pool, s->tenant_id, from, to, &list)) {
        return ailes_api_unavailable(r);
    }
    for (i = 0; i < list->nelts; i++) {
        const ailes_checkup_row_t *c = &APR_ARRAY_IDX(list, i,
                                                      ailes_checkup_row_t);
        unsigned ex, fd;
        if (ailes_checkup_findings(r->pool, c->items, &ex, &fd, &keys)) {
            continue;
        }
        for (g = 0; g < AILES_CK_GROUPS; g++) {
            examined[g] += (ex >> g) & 1;
            found[g] += (fd >> g) & 1;
        }
        any += fd != 0;
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "checkups.report", apr_pstrcat(r->pool, from, "..", to, NULL),
                "ok");
    if (format && !strcmp(format, "csv")) {
        ap_set_content_type(r, "text/csv; charset=utf-8");
        apr_table_setn(r->headers_out, "Content-Disposition",
                       "attachment; filename=\"checkup-report.csv\"");
        ap_rprintf(r, "\xef\xbb\xbf" "項目,実施者数,有所見者数\r\n"
                      "受診者数,%d,\r\n", list->nelts);
        for (g = 0; g < AILES_CK_GROUPS; g++) {
            ap_rprintf(r, "%s,%d,%d\r\n",
                       ailes_checkup_group_ja((ailes_checkup_group_t)g),
                       examined[g], found[g]);
        }
        ap_rprintf(r, "所見のあった者の人数,,%d\r\n", any);
        return OK;
    }
    jl = json_array();
    for (g = 0; g < AILES_CK_GROUPS; g++) {
        json_array_append_new(
            jl, json_pack("{s:s,s:s,s:i,s:i}", "key",
                          ailes_checkup_group_key((ailes_checkup_group_t)g),
                          "name",
                          ailes_checkup_group_ja((ailes_checkup_group_t)g),
                          "examined", examined[g], "with_findings",
                          found[g]));
    }
    body = json_pack("{s:s,s:s,s:i,s:i,s:o}", "from", from, "to", to,
                     "examinees", list->nelts, "with_any_finding", any,
                     "items", jl);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

#define ADMIN AILES_API_ROLE(AILES_ROLE_TENANT_ADMIN)
#define UPLOADERS (ADMIN | AILES_API_ROLE(AILES_ROLE_HEALTH_STAFF))
/* Everyone who is an employee of the company; not an examinee account of a
 * stress-check-only contract. */
#define READERS                                                             \
    (UPLOADERS | AILES_API_ROLE(AILES_ROLE_EMPLOYEE)                        \
     | AILES_API_ROLE(AILES_ROLE_SC_STAFF)                                  \
     | AILES_API_ROLE(AILES_ROLE_SC_IMPLEMENTER))

const ailes_api_route_t ailes_api_checkup_routes[] = {
    { M_POST, "/v1/checkups", AILES_API_SESSION, UPLOADERS, checkups_upload },
    { M_GET, "/v1/checkups", AILES_API_SESSION, READERS, checkups_get },
    { M_GET, "/v1/checkups/status", AILES_API_SESSION, ADMIN,
      checkups_status },
    { M_GET, "/v1/checkups/report", AILES_API_SESSION, UPLOADERS,
      checkups_report },
    { 0, NULL, 0, 0, NULL }
};
