/* Bulk registration and first passwords:
 *
 *   POST /v1/users/import                 tenant_admin, body text/csv
 *   POST /v1/users/{employee_no}/activation  tenant_admin: a new code
 *   POST /v1/activation                   anyone: code -> first password
 *
 * An import is all or nothing: every row is checked first and every
 * problem reported with its line and column; then one transaction per
 * database writes everything, and the main one commits only after the
 * vault's did. Importing the same file again updates, it does not
 * duplicate. New users get no password (10,000 bcrypt hashes would take
 * minutes) but a one-time activation code, shown once in the answer, like
 * a 初期パスワード通知書; each user sets their own password with it.
 */
#include <httpd.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <util_script.h>

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_config.h"
#include "ailes_csv.h"
#include "ailes_db.h"
#include "ailes_json.h"
#include "ailes_login.h"
#include "ailes_parse.h"
#include "ailes_password.h"
#include "ailes_policy.h"
#include "ailes_request.h"
#include "ailes_store.h"
#include "ailes_time.h"
#include "ailes_token.h"
#include "ailes_userimport.h"
#include "ailes_vault.h"

#define ACTIVATION_CHARS 16     /* 80 bits */
#define MAX_FIELDS 20

static int one_problem(request_rec *r, const char *message)
{
    apr_array_header_t *e = apr_array_make(r->pool, 1,
                                           sizeof(ailes_import_error_t));

    ailes_import_error(r->pool, e, 0, NULL, message);
    return ailes_api_import_invalid(r, e);
}

typedef struct issued {
    const char *employee_no;
    const char *code;
} issued;

/* Checks the file against the tenant: labels exist, roles may be given.
 * Fills label ids per user (parallel array of apr_array_header_t*). */
static void check_against_tenant(request_rec *r, ailes_db_t *db,
                                 const ailes_session_t *s,
                                 const apr_array_header_t *users,
                                 apr_array_header_t *errors,
                                 apr_array_header_t **label_ids,
                                 apr_status_t *rv)
{
    apr_hash_t *ids = apr_hash_make(r->pool);
    int i, j;

    *label_ids = apr_array_make(r->pool, users->nelts + 1,
                                sizeof(apr_array_header_t *));
    *rv = APR_SUCCESS;
    for (i = 0; i < users->nelts && APR_SUCCESS == *rv; i++) {
        const ailes_import_user_t *u =
            &APR_ARRAY_IDX(users, i, ailes_import_user_t);
        apr_array_header_t *mine = apr_array_make(r->pool, 4,
                                                  sizeof(apr_int64_t));

        if (ailes_role_rank(u->role) > ailes_role_rank(s->role)) {
            ailes_import_error(r->pool, errors, u->line, "role",
                               "you may not give a role above your own");
        }
        for (j = 0; j < u->labels->nelts; j++) {
            const char *name = APR_ARRAY_IDX(u->labels, j, const char *);
            apr_int64_t *id = apr_hash_get(ids, name, APR_HASH_KEY_STRING);

            if (!id) {
                apr_array_header_t *one, *found;
                const char *missing;

                one = apr_array_make(r->pool, 1, sizeof(const char *));
                APR_ARRAY_PUSH(one, const char *) = name;
                id = apr_palloc(r->pool, sizeof(*id));
                *rv = ailes_store_label_ids(db, r->pool, s->tenant_id, one,
                                            &found, &missing);
                if (APR_NOTFOUND == *rv) {
                    *id = -1;
                    *rv = APR_SUCCESS;
                }
                else if (APR_SUCCESS == *rv) {
                    *id = APR_ARRAY_IDX(found, 0, apr_int64_t);
                }
                apr_hash_set(ids, name, APR_HASH_KEY_STRING, id);
            }
            if (*id < 0) {
                ailes_import_error(r->pool, errors, u->line, "labels",
                                   apr_psprintf(r->pool, "no label '%s'",
                                                name));
            }
            else {
                APR_ARRAY_PUSH(mine, apr_int64_t) = *id;
            }
        }
        APR_ARRAY_PUSH(*label_ids, apr_array_header_t *) = mine;
    }
}

/* Writes one checked user; *code is set for a new one. */
static apr_status_t write_user(request_rec *r, ailes_db_t *db,
                               ailes_db_t *vault, const ailes_session_t *s,
                               const ailes_import_user_t *iu,
                               const apr_array_header_t *label_ids,
                               apr_int64_t expires, const char **code,
                               apr_array_header_t *changed_ids)
{
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    ailes_user_t *u;
    apr_int64_t id;
    apr_status_t rv;

    *code = NULL;
    rv = ailes_store_user_by_no(db, r->pool, s->tenant_id, iu->employee_no,
                                &u);
    if (APR_SUCCESS == rv) {
        id = u->id;
        if (u->role != iu->role) {
            rv = ailes_store_user_update(db, r->pool, s->tenant_id, id,
                                         ailes_role_name(iu->role), NULL);
            APR_ARRAY_PUSH(changed_ids, apr_int64_t) = id;
        }
    }
    else if (APR_NOTFOUND == rv) {
        *code = ailes_code_new(r->pool, ACTIVATION_CHARS);
        rv = ailes_store_user_add_pending(
            db, r->pool, s->tenant_id, iu->employee_no, iu->role,
            ailes_code_hash(r->pool, *code, ACTIVATION_CHARS), expires, &id);
    }
    if (APR_SUCCESS == rv) {
        rv = ailes_store_user_set_labels(db, r->pool, s->tenant_id, id,
                                         label_ids);
    }
    if (APR_SUCCESS == rv) {
        rv = ailes_vault_put_indexed(vault, r->pool, g->vault_key,
                                     g->index_key, s->tenant_id, id, "name",
                                     iu->name);
    }
    if (APR_SUCCESS == rv && iu->email) {
        rv = ailes_vault_put(vault, r->pool, g->vault_key, s->tenant_id, id,
                             "email", iu->email);
    }
    return rv;
}

static int answer(request_rec *r, const char *encoding, int created,
                  int updated, const apr_array_header_t *codes,
                  apr_int64_t expires, int as_csv)
{
    const char *until = ailes_time_jst(r->pool, apr_time_from_sec(expires));
    json_t *list, *body;
    int i;

    if (as_csv) {
        /* For Excel: UTF-8 with a BOM, CRLF. The codes are ours (letters,
         * digits, '-'), the employee numbers printable ASCII without
         * quotes needed except for ',' and '"', which we quote. */
        ap_set_content_type(r, "text/csv; charset=utf-8");
        apr_table_setn(r->headers_out, "Content-Disposition",
                       "attachment; filename=\"activation-codes.csv\"");
        ap_rputs("\xef\xbb\xbf" "社員番号,有効化コード,有効期限\r\n", r);
        for (i = 0; i < codes->nelts; i++) {
            const issued *x = &APR_ARRAY_IDX(codes, i, issued);
            char *q = apr_pstrdup(r->pool, x->employee_no), *w;
            const char *field = x->employee_no;
            if (strpbrk(q, ",\"")) {
                field = "\"";
                for (w = q; *w; w++) {
                    field = apr_pstrcat(r->pool, field,
                                        *w == '"' ? "\"\"" : apr_pstrndup(
                                            r->pool, w, 1), NULL);
                }
                field = apr_pstrcat(r->pool, field, "\"", NULL);
            }
            ap_rprintf(r, "%s,%s,%s\r\n", field, x->code, until);
        }
        return OK;
    }
    list = json_array();
    for (i = 0; i < codes->nelts; i++) {
        const issued *x = &APR_ARRAY_IDX(codes, i, issued);
        json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "employee_no",
                                              x->employee_no,
                                              "activation_code", x->code,
                                              "expires_at", until));
    }
    body = json_pack("{s:s,s:i,s:i,s:o}", "encoding", encoding, "created",
                     created, "updated", updated, "activation_codes", list);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

/* POST /v1/users/import[?format=csv] */
static int users_import(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    ailes_session_t *s = ctx->session;
    apr_array_header_t *rows, *users, *errors, *label_ids, *codes, *changed;
    apr_dbd_transaction_t *tx = NULL, *vtx = NULL;
    const char *text, *encoding, *err, *format;
    apr_table_t *args = NULL;
    apr_size_t len, tlen;
    apr_int64_t expires, admins = 0;
    ailes_db_t *db, *vault;
    apr_status_t rv;
    int i, created = 0, updated = 0, vault_ok;
    char *buf;

    args = ailes_api_args(r);
    format = apr_table_get(args, "format");
    if (format && strcmp(format, "csv") && strcmp(format, "json")) {
        return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                               "format is json or csv");
    }
    if (ailes_api_read_body(r, "text/csv", (apr_size_t)ailes_conf_max_upload(
                                               sc), &buf, &len) < 0) {
        return OK;
    }
    if ((err = ailes_csv_to_utf8(r->pool, buf, len, &text, &tlen,
                                 &encoding))
        || (err = ailes_csv_parse(r->pool, text, tlen,
                                  AILES_IMPORT_MAX_ROWS + 1, MAX_FIELDS,
                                  &rows))) {
        return one_problem(r, err);
    }
    ailes_import_check(r->pool, rows, &users, &errors);
    if (errors->nelts) {
        return ailes_api_import_invalid(r, errors);
    }
    if (!(db = ailes_req_db(r)) || !(vault = ailes_req_vault(r))) {
        return ailes_api_unavailable(r);
    }
    check_against_tenant(r, db, s, users, errors, &label_ids, &rv);
    if (APR_SUCCESS != rv) {
        return ailes_api_unavailable(r);
    }
    if (errors->nelts) {
        return ailes_api_import_invalid(r, errors);
    }
    expires = ailes_time_sec(apr_time_now()) + ailes_conf_activation_ttl(sc);
    codes = apr_array_make(r->pool, users->nelts + 1, sizeof(issued));
    changed = apr_array_make(r->pool, 4, sizeof(apr_int64_t));
    if (APR_SUCCESS != ailes_db_begin(db, r->pool, &tx)) {
        return ailes_api_unavailable(r);
    }
    rv = ailes_db_begin(vault, r->pool, &vtx);
    for (i = 0; APR_SUCCESS == rv && i < users->nelts; i++) {
        const ailes_import_user_t *iu =
            &APR_ARRAY_IDX(users, i, ailes_import_user_t);
        const char *code;

        rv = write_user(r, db, vault, s, iu,
                        APR_ARRAY_IDX(label_ids, i, apr_array_header_t *),
                        expires, &code, changed);
        if (code) {
            issued *x = apr_array_push(codes);
            x->employee_no = iu->employee_no;
            x->code = code;
            created++;
        }
        else {
            updated++;
        }
    }
    if (APR_SUCCESS == rv) {
        rv = ailes_store_count_admins(db, r->pool, s->tenant_id, &admins);
    }
    vault_ok = vtx && APR_SUCCESS == ailes_db_end(vault, r->pool, vtx,
                                                  APR_SUCCESS == rv
                                                      && admins > 0);
    if (APR_SUCCESS != ailes_db_end(db, r->pool, tx,
                                    APR_SUCCESS == rv && admins > 0
                                        && vault_ok)
        || APR_SUCCESS != rv || !vault_ok) {
        return APR_SUCCESS == rv && admins == 0
                   ? ailes_api_error(r, HTTP_CONFLICT, "last_admin",
                                     "the tenant would have no active "
                                     "tenant admin")
                   : ailes_api_unavailable(r);
    }
    /* A changed role takes effect at once. */
    for (i = 0; i < changed->nelts; i++) {
        (void)ailes_session_end_all(r, s->tenant_id,
                                    APR_ARRAY_IDX(changed, i, apr_int64_t),
                                    NULL);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "users.imported",
                apr_psprintf(r->pool, "%d created, %d updated", created,
                             updated), "ok");
    return answer(r, encoding, created, updated, codes, expires,
                  format && !strcmp(format, "csv"));
}

/* POST /v1/users/{employee_no}/activation: a new code (first login that
 * went wrong, or a forgotten password). The old password and sessions end. */
static int user_reissue(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    ailes_session_t *s = ctx->session;
    const char *employee_no = ctx->params[0], *code;
    apr_int64_t expires;
    ailes_user_t *u;
    ailes_db_t *db;
    apr_status_t rv;
    json_t *body;

    if (ailes_parse_employee_no(r->pool, employee_no)) {
        return ailes_api_error(r, HTTP_NOT_FOUND, "not_found",
                               "no such user");
    }
    if (!(db = ailes_req_db(r))) {
        return ailes_api_unavailable(r);
    }
    rv = ailes_store_user_by_no(db, r->pool, s->tenant_id, employee_no, &u);
    if (APR_NOTFOUND == rv) {
        return ailes_api_error(r, HTTP_NOT_FOUND, "not_found",
                               "no such user");
    }
    code = ailes_code_new(r->pool, ACTIVATION_CHARS);
    expires = ailes_time_sec(apr_time_now()) + ailes_conf_activation_ttl(sc);
    if (APR_SUCCESS != rv
        || APR_SUCCESS != ailes_store_user_set_activation(
                              db, r->pool, s->tenant_id, u->id,
                              ailes_code_hash(r->pool, code,
                                              ACTIVATION_CHARS),
                              expires)
        || APR_SUCCESS != ailes_session_end_all(r, s->tenant_id, u->id,
                                                NULL)) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "activation.issued", employee_no, "ok");
    body = json_pack("{s:s,s:s,s:s}", "employee_no", employee_no,
                     "activation_code", code, "expires_at",
                     ailes_time_jst(r->pool, apr_time_from_sec(expires)));
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

/* POST /v1/activation {"employee_no","activation_code","new_password"} */
static int activation(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    json_t *body = ailes_api_read_json(r);
    const char *employee_no, *code, *password, *hash, *want = NULL;
    apr_array_header_t *violations;
    ailes_tenant_t *t;
    ailes_user_t *u = NULL;
    ailes_db_t *db;
    apr_status_t rv;
    int failures, ok;

    if (!body) {
        return OK;
    }
    employee_no = ailes_json_string(body, "employee_no");
    code = ailes_json_string(body, "activation_code");
    password = ailes_json_string(body, "new_password");
    if (!employee_no || !code || !password) {
        return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                               "employee_no, activation_code and "
                               "new_password are required strings");
    }
    if (!(db = ailes_req_db(r))) {
        return ailes_api_unavailable(r);
    }
    if (!(t = ailes_api_tenant(r, db))) {
        return OK;
    }
    if (ailes_parse_employee_no(r->pool, employee_no)) {
        return ailes_api_error(r, HTTP_UNAUTHORIZED, "invalid_credentials",
                               "employee number or code is wrong");
    }
    rv = ailes_store_user_by_no(db, r->pool, t->id, employee_no, &u);
    if (APR_SUCCESS != rv && APR_NOTFOUND != rv) {
        return ailes_api_unavailable(r);
    }
    if (ailes_api_login_attempt(r, db, t->id, employee_no, &failures) < 0) {
        return OK;
    }
    hash = ailes_code_hash(r->pool, code, ACTIVATION_CHARS);
    if (u && APR_SUCCESS == rv) {
        want = u->activation_hash;
    }
    /* Compared in constant time; unknown users compare against nothing. */
    ok = ailes_token_equal(hash, want) && u
         && u->activation_expires > ailes_time_sec(apr_time_now())
         && !strcmp(u->status, "active");
    if (!ok) {
        if (APR_SUCCESS != ailes_login_failed(r, db, t->id, employee_no,
                                              failures, "activation.fail")) {
            return ailes_api_unavailable(r);
        }
        return ailes_api_error(r, HTTP_UNAUTHORIZED, "invalid_credentials",
                               "employee number or code is wrong");
    }
    if ((violations = ailes_policy_check(r->pool, password, u->role,
                                         employee_no))) {
        return ailes_api_policy_error(r, violations);
    }
    if (APR_SUCCESS != ailes_password_hash(r->pool, password,
                                           ailes_conf_bcrypt_cost(sc->g),
                                           &hash)
        || APR_SUCCESS != ailes_store_user_activate(db, r->pool, t->id, u->id,
                                                    hash)
        || APR_SUCCESS != ailes_login_succeeded(r, db, t->id, employee_no)) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, t->id, "-", "user.activated", employee_no, "ok");
    return ailes_api_no_content(r);
}

#define ADMIN AILES_API_ROLE(AILES_ROLE_TENANT_ADMIN)

const ailes_api_route_t ailes_api_import_routes[] = {
    { M_POST, "/v1/users/import", AILES_API_SESSION, ADMIN, users_import },
    { M_POST, "/v1/users/{employee_no}/activation", AILES_API_SESSION, ADMIN,
      user_reissue },
    { M_POST, "/v1/activation", AILES_API_TENANT, AILES_API_ANY_ROLE,
      activation },
    { 0, NULL, 0, 0, NULL }
};
