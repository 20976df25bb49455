/* User administration by tenant admins (the spec: customers register,
 * change and delete their own users; the employee number identifies a
 * person; labels decide who sees whom):
 *
 *   GET/POST /v1/users, GET/PATCH/DELETE /v1/users/{employee_no},
 *   POST /v1/users/{employee_no}/unlock, .../reset-totp,
 *   PUT /v1/users/{employee_no}/grants, GET/POST /v1/labels.
 *
 * Every query carries the admin's own tenant id from the session: a user
 * of another tenant answers exactly like one that does not exist. Names go
 * to the vault only. Nothing is half-written: the main database changes in
 * one transaction that commits only after the vault accepted the name.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <util_script.h>

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_cidr.h"
#include "ailes_config.h"
#include "ailes_db.h"
#include "ailes_json.h"
#include "ailes_parse.h"
#include "ailes_password.h"
#include "ailes_policy.h"
#include "ailes_request.h"
#include "ailes_store.h"
#include "ailes_time.h"
#include "ailes_vault.h"
#include "ailes_mailq.h"
#include "ailes_notify.h"

#define MAX_LABELS_PER_USER 50

static int not_found(request_rec *r)
{
    return ailes_api_error(r, HTTP_NOT_FOUND, "not_found", "no such user");
}

static int bad_request(request_rec *r, const char *message)
{
    return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request", message);
}

/* The user the path names, in the admin's own tenant; NULL after a 404 or
 * 503 has been written. */
static ailes_user_t *target_user(request_rec *r, ailes_api_ctx_t *ctx,
                                 ailes_db_t **db)
{
    const char *employee_no = ctx->params[0];
    ailes_user_t *u = NULL;
    apr_status_t rv;

    if (ailes_parse_employee_no(r->pool, employee_no)) {
        not_found(r);
        return NULL;
    }
    if (!(*db = ailes_req_db(r))) {
        ailes_api_unavailable(r);
        return NULL;
    }
    rv = ailes_store_user_get_admin(*db, r->pool, ctx->session->tenant_id,
                                    employee_no, &u);
    if (APR_SUCCESS != rv) {
        APR_NOTFOUND == rv ? not_found(r) : ailes_api_unavailable(r);
        return NULL;
    }
    return u;
}

static json_t *string_array(const apr_array_header_t *a)
{
    json_t *out = json_array();
    int i;

    for (i = 0; a && i < a->nelts; i++) {
        json_array_append_new(out,
                              json_string(APR_ARRAY_IDX(a, i, const char *)));
    }
    return out;
}

static json_t *user_json(const ailes_user_t *u, apr_int64_t now)
{
    return json_pack("{s:s,s:s,s:s,s:b,s:i,s:b}", "employee_no",
                     u->employee_no, "role", ailes_role_name(u->role),
                     "status", u->status, "locked", u->locked_until > now,
                     "failed_logins", u->failed_logins, "mfa_enabled",
                     u->totp_secret != NULL);
}

/* The full view of one user: labels, grants and the name from the vault
 * (null when the vault does not answer). */
static int user_detail(request_rec *r, ailes_db_t *db, apr_int64_t tenant_id,
                       const ailes_user_t *u, int status)
{
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    apr_array_header_t *labels, *grants;
    ailes_db_t *vault = ailes_req_vault(r);
    const char *name = NULL;
    json_t *body;

    if (APR_SUCCESS != ailes_store_user_label_names(db, r->pool, tenant_id,
                                                    u->id, &labels)
        || APR_SUCCESS != ailes_store_grant_names(db, r->pool, tenant_id,
                                                  u->id, &grants)) {
        return ailes_api_unavailable(r);
    }
    if (vault && g->vault_key) {
        (void)ailes_vault_get(vault, r->pool, g->vault_key, tenant_id, u->id,
                              "name", &name);
    }
    body = user_json(u, ailes_time_sec(apr_time_now()));
    json_object_set_new(body, "name", name ? json_string(name) : json_null());
    json_object_set_new(body, "allowed_ips",
                        string_array(u->ip_allow
                                         ? ailes_cidr_split(r->pool,
                                                            u->ip_allow)
                                         : NULL));
    json_object_set_new(body, "labels", string_array(labels));
    json_object_set_new(body, "grants", string_array(grants));
    return ailes_api_json(r, status, ailes_json_pool(r->pool, body));
}

/* Reads an optional array of label names from body[key]. Returns 0 and
 * *names (NULL when absent), or -1 after writing a 400. */
static int read_label_names(request_rec *r, json_t *body, const char *key,
                            apr_array_header_t **names)
{
    json_t *arr = json_object_get(body, key), *v;
    size_t i;

    *names = NULL;
    if (!arr) {
        return 0;
    }
    if (!json_is_array(arr) || json_array_size(arr) > MAX_LABELS_PER_USER) {
        bad_request(r, apr_psprintf(r->pool, "%s is a list of at most %d "
                                    "label names", key,
                                    MAX_LABELS_PER_USER));
        return -1;
    }
    *names = apr_array_make(r->pool, (int)json_array_size(arr) + 1,
                            sizeof(const char *));
    json_array_foreach(arr, i, v) {
        const char *err = json_is_string(v)
                              ? ailes_parse_text(r->pool, json_string_value(v),
                                                 AILES_LABEL_MAX, "a label")
                              : "labels are strings";
        if (err) {
            bad_request(r, err);
            return -1;
        }
        APR_ARRAY_PUSH(*names, const char *) = json_string_value(v);
    }
    return 0;
}

/* Label names -> ids; -1 after a 422 unknown_label or a 503. */
static int resolve_labels(request_rec *r, ailes_db_t *db,
                          apr_int64_t tenant_id,
                          const apr_array_header_t *names,
                          apr_array_header_t **ids)
{
    const char *missing;
    apr_status_t rv = ailes_store_label_ids(db, r->pool, tenant_id, names,
                                            ids, &missing);

    if (APR_NOTFOUND == rv) {
        ailes_api_error(r, HTTP_UNPROCESSABLE_ENTITY, "unknown_label",
                        apr_psprintf(r->pool, "no label '%s' (create it "
                                     "with POST /v1/labels)",
                                     missing));
        return -1;
    }
    if (APR_SUCCESS != rv) {
        ailes_api_unavailable(r);
        return -1;
    }
    return 0;
}

/* The users whose name is exactly `name` (by the vault's blind index):
 * 0, or -1 after an error was written. */
static int users_named(request_rec *r, ailes_db_t *db, apr_int64_t tenant_id,
                       const char *name, apr_array_header_t **users)
{
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    apr_array_header_t *ids;
    ailes_db_t *vault;

    if (!g->index_key) {
        ailes_api_error(r, HTTP_BAD_REQUEST, "name_search_unavailable",
                        "search by name is not set up on this server "
                        "(AilesVaultIndexKeyFile)");
        return -1;
    }
    if (!(vault = ailes_req_vault(r))
        || APR_SUCCESS != ailes_vault_find(vault, r->pool, g->index_key,
                                           tenant_id, "name", name, 200,
                                           &ids)
        || APR_SUCCESS != ailes_store_users_by_ids(db, r->pool, tenant_id,
                                                   ids, users)) {
        ailes_api_unavailable(r);
        return -1;
    }
    return 0;
}

/* GET /v1/users?q=&label=&page=&per_page= or ?name= (exact, by the blind
 * index; alone) */
static int users_list(request_rec *r, ailes_api_ctx_t *ctx)
{
    apr_table_t *args = NULL;
    const char *q, *label, *v, *wanted, *err = NULL;
    long page = 1, per_page = 50;
    apr_array_header_t *users;
    apr_int64_t total, now = ailes_time_sec(apr_time_now());
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    apr_hash_t *names;
    ailes_db_t *db, *vault;
    json_t *list, *body;
    int i;

    args = ailes_api_args(r);
    q = apr_table_get(args, "q");
    label = apr_table_get(args, "label");
    if ((v = apr_table_get(args, "page"))) {
        err = ailes_parse_int(r->pool, v, 1, 1000000, &page);
    }
    if (!err && (v = apr_table_get(args, "per_page"))) {
        err = ailes_parse_int(r->pool, v, 1, 200, &per_page);
    }
    if (!err && q && *q && ailes_parse_employee_no(r->pool, q)) {
        err = "q";
    }
    if (!err && label) {
        err = ailes_parse_text(r->pool, label, AILES_LABEL_MAX, "label");
    }
    wanted = apr_table_get(args, "name");
    if (!err && wanted
        && (q || label || apr_table_get(args, "page")
            || ailes_parse_text(r->pool, wanted, AILES_NAME_MAX, "name"))) {
        err = "name";
    }
    if (err) {
        return bad_request(r, "page is 1 or more, per_page 1 to 200, q the "
                              "start of an employee number, label a label "
                              "name, name a full name (alone)");
    }
    if (!(db = ailes_req_db(r))) {
        return ailes_api_unavailable(r);
    }
    if (wanted) {
        if (users_named(r, db, ctx->session->tenant_id, wanted, &users) < 0) {
            return OK;
        }
        total = users->nelts;
    }
    else if (APR_SUCCESS != ailes_store_user_list(db, r->pool,
                                                  ctx->session->tenant_id, q,
                                                  label, (int)page,
                                                  (int)per_page, &users,
                                                  &total)) {
        return ailes_api_unavailable(r);
    }
    /* Names: one vault query for the whole page; null when the vault does
     * not answer (the list still works). */
    names = NULL;
    if ((vault = ailes_req_vault(r)) && g->vault_key && users->nelts) {
        apr_int64_t *ids = apr_palloc(r->pool,
                                      sizeof(apr_int64_t) * users->nelts);
        for (i = 0; i < users->nelts; i++) {
            ids[i] = APR_ARRAY_IDX(users, i, ailes_user_t *)->id;
        }
        (void)ailes_vault_get_many(vault, r->pool, g->vault_key,
                                   ctx->session->tenant_id, ids, users->nelts,
                                   "name", &names);
    }
    list = json_array();
    for (i = 0; i < users->nelts; i++) {
        ailes_user_t *u = APR_ARRAY_IDX(users, i, ailes_user_t *);
        const char *name = names ? apr_hash_get(names,
                                                ailes_db_int(r->pool, u->id),
                                                APR_HASH_KEY_STRING)
                                 : NULL;
        json_t *j = user_json(u, now);
        json_object_set_new(j, "name", name ? json_string(name) : json_null());
        json_array_append_new(list, j);
    }
    body = json_pack("{s:o,s:i,s:i,s:I}", "users", list, "page", (int)page,
                     "per_page", (int)per_page, "total", (json_int_t)total);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

/* GET /v1/users/{employee_no} */
static int user_get(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_db_t *db;
    ailes_user_t *u = target_user(r, ctx, &db);

    return u ? user_detail(r, db, ctx->session->tenant_id, u, HTTP_OK) : OK;
}

/* Nobody gives a role above their own. */
static int role_allowed(request_rec *r, ailes_api_ctx_t *ctx, ailes_role_t role)
{
    if (ailes_role_rank(role) > ailes_role_rank(ctx->session->role)) {
        ailes_api_error(r, HTTP_FORBIDDEN, "forbidden",
                        "you may not give a role above your own");
        return 0;
    }
    return 1;
}

/* Seals the name into the vault, then commits the main transaction: a
 * vault failure leaves nothing behind. Returns the final status. */
static apr_status_t commit_with_name(request_rec *r, ailes_db_t *db,
                                     apr_dbd_transaction_t *tx,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id, const char *name,
                                     apr_status_t rv)
{
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    ailes_db_t *vault;

    if (APR_SUCCESS == rv && name) {
        vault = ailes_req_vault(r);
        rv = vault && g->vault_key
                 ? ailes_vault_put_indexed(vault, r->pool, g->vault_key,
                                           g->index_key, tenant_id, user_id,
                                           "name", name)
                 : APR_EGENERAL;
    }
    if (APR_SUCCESS != ailes_db_end(db, r->pool, tx, APR_SUCCESS == rv)) {
        rv = APR_EGENERAL;
    }
    return rv;
}

/* POST /v1/users {"employee_no","name","role","labels","password"} */
static int user_create(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    json_t *body = ailes_api_read_json(r);
    const char *employee_no, *name, *role_name, *password, *hash, *err;
    apr_array_header_t *label_names, *label_ids = NULL, *violations;
    apr_dbd_transaction_t *tx;
    ailes_role_t role;
    ailes_user_t *u;
    ailes_db_t *db;
    apr_int64_t id;
    apr_status_t rv;

    if (!body) {
        return OK;
    }
    employee_no = ailes_json_string(body, "employee_no");
    name = ailes_json_string(body, "name");
    role_name = ailes_json_string(body, "role");
    password = ailes_json_string(body, "password");
    if (!employee_no || !name || !role_name || !password) {
        return bad_request(r, "employee_no, name, role and password are "
                              "required strings");
    }
    if ((err = ailes_parse_employee_no(r->pool, employee_no))
        || (err = ailes_parse_text(r->pool, name, AILES_NAME_MAX, "name"))) {
        return bad_request(r, err);
    }
    if (AILES_ROLE_NONE == (role = ailes_role_parse(role_name))) {
        return bad_request(r, apr_psprintf(r->pool, "role is one of %s",
                                           ailes_role_list()));
    }
    if (read_label_names(r, body, "labels", &label_names) < 0
        || !role_allowed(r, ctx, role)) {
        return OK;
    }
    if ((violations = ailes_policy_check(r->pool, password, role,
                                         employee_no))) {
        return ailes_api_policy_error(r, violations);
    }
    if (!(db = ailes_req_db(r))) {
        return ailes_api_unavailable(r);
    }
    if (label_names
        && resolve_labels(r, db, s->tenant_id, label_names, &label_ids) < 0) {
        return OK;
    }
    if (APR_SUCCESS != ailes_password_hash(r->pool, password,
                                           ailes_conf_bcrypt_cost(g), &hash)
        || APR_SUCCESS != ailes_db_begin(db, r->pool, &tx)) {
        return ailes_api_unavailable(r);
    }
    rv = ailes_store_user_add(db, r->pool, s->tenant_id, employee_no, role,
                              hash, &id);
    if (APR_SUCCESS == rv && label_ids) {
        rv = ailes_store_user_set_labels(db, r->pool, s->tenant_id, id,
                                         label_ids);
    }
    rv = commit_with_name(r, db, tx, s->tenant_id, id, name, rv);
    if (APR_EEXIST == rv) {
        return ailes_api_error(r, HTTP_CONFLICT, "employee_no_taken",
                               "this employee number exists already");
    }
    if (APR_SUCCESS != rv
        || APR_SUCCESS != ailes_store_user_get_admin(db, r->pool,
                                                     s->tenant_id,
                                                     employee_no, &u)) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "user.created", employee_no, "ok");
    return user_detail(r, db, s->tenant_id, u, HTTP_CREATED);
}

/* Would this change leave the tenant without an active tenant admin? */
static int last_admin(request_rec *r, ailes_db_t *db, const ailes_user_t *u,
                      ailes_role_t new_role, const char *new_status,
                      int deleting)
{
    apr_int64_t admins = 0;

    if (u->role != AILES_ROLE_TENANT_ADMIN || strcmp(u->status, "active")) {
        return 0;
    }
    if (!deleting && new_role == AILES_ROLE_TENANT_ADMIN
        && (!new_status || !strcmp(new_status, "active"))) {
        return 0;
    }
    if (APR_SUCCESS != ailes_store_count_admins(db, r->pool, u->tenant_id,
                                                &admins)) {
        return -1;
    }
    return admins <= 1;
}

/* PATCH /v1/users/{employee_no} {"name","role","status","labels"} */
static int user_patch(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    json_t *body = ailes_api_read_json(r);
    const char *name, *role_name, *status, *err, *ips = NULL;
    apr_array_header_t *label_names, *label_ids = NULL;
    apr_dbd_transaction_t *tx;
    json_t *ip_list = NULL;
    ailes_role_t role;
    ailes_user_t *u;
    ailes_db_t *db;
    apr_status_t rv;
    int last;

    if (!body) {
        return OK;
    }
    /* allowed_ips: a list of CIDRs for this account, [] or null to clear. */
    if (json_object_get(body, "allowed_ips")) {
        apr_array_header_t *texts, *list;
        json_t *v;
        size_t i;

        ip_list = json_object_get(body, "allowed_ips");
        if (!json_is_array(ip_list) && !json_is_null(ip_list)) {
            return bad_request(r, "allowed_ips is a list of CIDRs or null");
        }
        texts = apr_array_make(r->pool, 4, sizeof(const char *));
        json_array_foreach(ip_list, i, v) {
            if (!json_is_string(v)) {
                return bad_request(r, "allowed_ips are strings");
            }
            APR_ARRAY_PUSH(texts, const char *) = json_string_value(v);
        }
        if ((err = ailes_cidr_list_parse(r->pool, texts, &list))) {
            return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_cidr", err);
        }
        ips = list->nelts ? ailes_cidr_list_text(r->pool, list) : NULL;
    }
    name = ailes_json_string(body, "name");
    role_name = ailes_json_string(body, "role");
    status = ailes_json_string(body, "status");
    if ((json_object_get(body, "name") && !name)
        || (json_object_get(body, "role") && !role_name)
        || (json_object_get(body, "status") && !status)) {
        return bad_request(r, "name, role and status are strings");
    }
    if (name && (err = ailes_parse_text(r->pool, name, AILES_NAME_MAX,
                                        "name"))) {
        return bad_request(r, err);
    }
    if (status && strcmp(status, "active") && strcmp(status, "disabled")) {
        return bad_request(r, "status is active or disabled");
    }
    if (read_label_names(r, body, "labels", &label_names) < 0) {
        return OK;
    }
    if (!(u = target_user(r, ctx, &db))) {
        return OK;
    }
    role = role_name ? ailes_role_parse(role_name) : u->role;
    if (AILES_ROLE_NONE == role) {
        return bad_request(r, apr_psprintf(r->pool, "role is one of %s",
                                           ailes_role_list()));
    }
    if (!role_allowed(r, ctx, role)) {
        return OK;
    }
    if ((last = last_admin(r, db, u, role, status, 0))) {
        return last < 0 ? ailes_api_unavailable(r)
                        : ailes_api_error(r, HTTP_CONFLICT, "last_admin",
                                          "the tenant needs at least one "
                                          "active tenant admin");
    }
    if (label_names
        && resolve_labels(r, db, s->tenant_id, label_names, &label_ids) < 0) {
        return OK;
    }
    if (APR_SUCCESS != ailes_db_begin(db, r->pool, &tx)) {
        return ailes_api_unavailable(r);
    }
    rv = ailes_store_user_update(db, r->pool, s->tenant_id, u->id,
                                 role_name ? ailes_role_name(role) : NULL,
                                 status);
    if (APR_SUCCESS == rv && label_ids) {
        rv = ailes_store_user_set_labels(db, r->pool, s->tenant_id, u->id,
                                         label_ids);
    }
    if (APR_SUCCESS == rv && ip_list) {
        rv = ailes_store_user_set_ip(db, r->pool, s->tenant_id, u->id, ips);
    }
    rv = commit_with_name(r, db, tx, s->tenant_id, u->id, name, rv);
    if (APR_SUCCESS != rv) {
        return ailes_api_unavailable(r);
    }
    /* A changed role, a disabled account or a new address list takes
     * effect at once: the user's sessions end (they carry the old ones). */
    if ((role != u->role || (status && strcmp(status, u->status)) || ip_list)
        && APR_SUCCESS != ailes_session_end_all(r, s->tenant_id, u->id,
                                                NULL)) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "user.updated", u->employee_no, "ok");
    if (APR_SUCCESS != ailes_store_user_get_admin(db, r->pool, s->tenant_id,
                                                  u->employee_no, &u)) {
        return ailes_api_unavailable(r);
    }
    return user_detail(r, db, s->tenant_id, u, HTTP_OK);
}

/* DELETE /v1/users/{employee_no}: the user, their sessions (on every node)
 * and their name go; the audit log keeps the fact. */
static int user_delete(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    ailes_db_t *db, *vault;
    apr_dbd_transaction_t *tx;
    ailes_user_t *u;
    apr_status_t rv;
    int last;

    if (!(u = target_user(r, ctx, &db))) {
        return OK;
    }
    if ((last = last_admin(r, db, u, AILES_ROLE_NONE, NULL, 1))) {
        return last < 0 ? ailes_api_unavailable(r)
                        : ailes_api_error(r, HTTP_CONFLICT, "last_admin",
                                          "the tenant needs at least one "
                                          "active tenant admin");
    }
    if (APR_SUCCESS != ailes_session_end_all(r, s->tenant_id, u->id, NULL)
        || !(vault = ailes_req_vault(r))
        || APR_SUCCESS != ailes_db_begin(db, r->pool, &tx)) {
        return ailes_api_unavailable(r);
    }
    rv = ailes_store_user_delete(db, r->pool, s->tenant_id, u->id,
                                 u->employee_no);
    if (APR_SUCCESS == rv) {
        rv = ailes_vault_delete_user(vault, r->pool, s->tenant_id, u->id);
    }
    if (APR_SUCCESS != ailes_db_end(db, r->pool, tx, APR_SUCCESS == rv)
        || APR_SUCCESS != rv) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "user.deleted", u->employee_no, "ok");
    return ailes_api_no_content(r);
}

/* PUT /v1/users/{employee_no}/grants {"labels":[...]}: the labels a staff
 * member may see. */
static int user_grants(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    json_t *body = ailes_api_read_json(r), *out;
    apr_array_header_t *names, *ids;
    ailes_user_t *u;
    ailes_db_t *db;

    if (!body) {
        return OK;
    }
    if (!json_is_array(json_object_get(body, "labels"))) {
        return bad_request(r, "labels is a required list of label names");
    }
    if (read_label_names(r, body, "labels", &names) < 0
        || !(u = target_user(r, ctx, &db))) {
        return OK;
    }
    if (!ailes_role_takes_grants(u->role)) {
        return ailes_api_error(r, HTTP_UNPROCESSABLE_ENTITY,
                               "grants_not_applicable",
                               "only health and stress-check staff are "
                               "granted labels");
    }
    if (resolve_labels(r, db, s->tenant_id, names, &ids) < 0) {
        return OK;
    }
    if (APR_SUCCESS != ailes_store_set_grants(db, r->pool, s->tenant_id,
                                              u->id, ids)
        || APR_SUCCESS != ailes_store_grant_names(db, r->pool, s->tenant_id,
                                                  u->id, &names)) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "grants.changed", u->employee_no, "ok");
    out = json_pack("{s:s,s:o}", "employee_no", u->employee_no, "grants",
                    string_array(names));
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, out));
}

/* POST /v1/users/{employee_no}/unlock: clears failures and a lock. */
static int user_unlock(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    ailes_db_t *db;
    ailes_user_t *u = target_user(r, ctx, &db);

    if (!u) {
        return OK;
    }
    if (APR_SUCCESS != ailes_store_attempt_clear(db, r->pool, s->tenant_id,
                                                 u->employee_no)) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "account.unlocked", u->employee_no, "ok");
    return ailes_api_no_content(r);
}

/* POST /v1/users/{employee_no}/reset-totp: TOTP off, recovery codes gone,
 * every session of the user ended (they enrol again at the next login). */
static int user_reset_totp(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    ailes_db_t *db;
    ailes_user_t *u = target_user(r, ctx, &db);

    if (!u) {
        return OK;
    }
    if (APR_SUCCESS != ailes_store_totp_reset(db, r->pool, s->tenant_id,
                                              u->id)
        || APR_SUCCESS != ailes_session_end_all(r, s->tenant_id, u->id,
                                                NULL)) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "totp.reset", u->employee_no, "ok");
    ailes_mailq_user(r, db, s->tenant_id, u->id, u->employee_no,
                     AILES_NOTIFY_TOTP_RESET);
    return ailes_api_no_content(r);
}

/* GET /v1/labels */
static int labels_list(request_rec *r, ailes_api_ctx_t *ctx)
{
    apr_array_header_t *labels;
    ailes_db_t *db = ailes_req_db(r);
    json_t *list = json_array(), *body;
    int i;

    if (!db || APR_SUCCESS != ailes_store_label_list(
                                  db, r->pool, ctx->session->tenant_id,
                                  &labels)) {
        json_decref(list);
        return ailes_api_unavailable(r);
    }
    for (i = 0; i < labels->nelts; i++) {
        ailes_label_t *l = &APR_ARRAY_IDX(labels, i, ailes_label_t);
        json_array_append_new(list, json_pack("{s:s,s:I}", "name", l->name,
                                              "members",
                                              (json_int_t)l->members));
    }
    body = json_pack("{s:o}", "labels", list);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

/* POST /v1/labels {"name"} */
static int labels_create(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    json_t *body = ailes_api_read_json(r);
    const char *name, *err;
    ailes_db_t *db;
    apr_status_t rv;

    if (!body) {
        return OK;
    }
    name = ailes_json_string(body, "name");
    if (!name) {
        return bad_request(r, "name is a required string");
    }
    if ((err = ailes_parse_text(r->pool, name, AILES_LABEL_MAX, "name"))) {
        return bad_request(r, err);
    }
    if (!(db = ailes_req_db(r))) {
        return ailes_api_unavailable(r);
    }
    rv = ailes_store_label_add(db, r->pool, s->tenant_id, name);
    if (APR_EEXIST == rv) {
        return ailes_api_error(r, HTTP_CONFLICT, "label_exists",
                               "the tenant has this label already");
    }
    if (APR_SUCCESS != rv) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "label.created", name, "ok");
    return ailes_api_json(r, HTTP_CREATED,
                          ailes_json_pool(r->pool,
                                          json_pack("{s:s,s:i}", "name", name,
                                                    "members", 0)));
}

#define ADMIN AILES_API_ROLE(AILES_ROLE_TENANT_ADMIN)

const ailes_api_route_t ailes_api_users_routes[] = {
    { M_GET, "/v1/users", AILES_API_SESSION, ADMIN, users_list },
    { M_POST, "/v1/users", AILES_API_SESSION, ADMIN, user_create },
    { M_GET, "/v1/users/{employee_no}", AILES_API_SESSION, ADMIN, user_get },
    { M_PATCH, "/v1/users/{employee_no}", AILES_API_SESSION, ADMIN,
      user_patch },
    { M_DELETE, "/v1/users/{employee_no}", AILES_API_SESSION, ADMIN,
      user_delete },
    { M_PUT, "/v1/users/{employee_no}/grants", AILES_API_SESSION, ADMIN,
      user_grants },
    { M_POST, "/v1/users/{employee_no}/unlock", AILES_API_SESSION, ADMIN,
      user_unlock },
    { M_POST, "/v1/users/{employee_no}/reset-totp", AILES_API_SESSION, ADMIN,
      user_reset_totp },
    { M_GET, "/v1/labels", AILES_API_SESSION, ADMIN, labels_list },
    { M_POST, "/v1/labels", AILES_API_SESSION, ADMIN, labels_create },
    { 0, NULL, 0, 0, NULL }
};
