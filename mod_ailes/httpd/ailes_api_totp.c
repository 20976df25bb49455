/* Two-step verification (TOTP, RFC 6238): the second login step, enrolment
 * with a QR code, and recovery codes.
 *
 * POST /v1/session/totp     half-logged-in session -> full session
 * POST /v1/me/totp          start enrolment: secret, otpauth URI, QR (SVG)
 * POST /v1/me/totp/confirm  first code switches TOTP on -> recovery codes
 *
 * Secrets are sealed with the vault key before they reach the database
 * and wiped from memory after use; they are never logged. A code or step
 * already accepted is refused (replay), also when another node accepted it.
 */
#include <httpd.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>
#include <sodium.h>

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_config.h"
#include "ailes_db.h"
#include "ailes_json.h"
#include "ailes_log.h"
#include "ailes_login.h"
#include "ailes_qr.h"
#include "ailes_request.h"
#include "ailes_store.h"
#include "ailes_time.h"
#include "ailes_token.h"
#include "ailes_totp.h"
#include "ailes_vault.h"
#include "ailes_mailq.h"
#include "ailes_notify.h"

APLOG_USE_MODULE(ailes);

#define FIELD_TOTP "totp"

/* Wipes a secret when the request ends (errors included). */
typedef struct wipe_rec {
    void *data;
    apr_size_t len;
} wipe_rec;

static apr_status_t wipe(void *data)
{
    wipe_rec *w = data;

    sodium_memzero(w->data, w->len);
    return APR_SUCCESS;
}

static void wipe_later(request_rec *r, void *data, apr_size_t len)
{
    wipe_rec *w = apr_palloc(r->pool, sizeof(*w));

    w->data = data;
    w->len = len;
    apr_pool_cleanup_register(r->pool, w, wipe, apr_pool_cleanup_null);
}

/* The raw secret inside a sealed column value, or NULL. */
static unsigned char *open_secret(request_rec *r, const ailes_session_t *s,
                                  const char *sealed, apr_size_t *len)
{
    ailes_global_t *g = ailes_srv_conf(r->server)->g;
    const char *b32;
    unsigned char *raw;

    *len = 0;
    b32 = ailes_vault_open_text(r->pool, g->vault_key, s->tenant_id,
                                s->user_id, FIELD_TOTP, sealed);
    if (!b32) {
        if (sealed) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AILES_LOGNO(00501)
                          "TOTP secret of %s does not open with the vault "
                          "key", s->employee_no);
        }
        return NULL;
    }
    wipe_later(r, (void *)b32, strlen(b32));
    raw = ailes_totp_unbase32(r->pool, b32, len);
    if (raw) {
        wipe_later(r, raw, *len);
    }
    return raw;
}

/* POST /v1/session/totp {"code"}: a 6-digit code or a recovery code. */
static int session_totp(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    ailes_session_t *s = ctx->session;
    json_t *body = ailes_api_read_json(r);
    const char *code, *how = NULL;
    ailes_user_t *u;
    ailes_db_t *db;
    int failures;

    if (!body) {
        return OK;
    }
    if (!(code = ailes_json_string(body, "code"))) {
        return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                               "code is a required string");
    }
    if (!(u = ailes_api_session_user(r, s, &db))) {
        return OK;
    }
    if (ailes_api_login_attempt(r, db, s->tenant_id, s->employee_no,
                                &failures) < 0) {
        return OK;
    }
    if (ailes_totp_code_wellformed(code)) {
        apr_size_t len;
        unsigned char *secret = open_secret(r, s, u->totp_secret, &len);
        apr_int64_t step = -1;

        if (secret) {
            step = ailes_totp_match(secret, len, code,
                                    ailes_time_sec(apr_time_now()),
                                    ailes_conf_totp_window(sc),
                                    u->totp_last_step);
        }
        if (step >= 0 && APR_SUCCESS == ailes_store_totp_accept_step(
                             db, r->pool, s->tenant_id, s->user_id, step)) {
            how = "totp";
        }
    }
    else {
        const char *hash = ailes_recovery_code_hash(r->pool, code);

        if (hash && APR_SUCCESS == ailes_store_recovery_use(
                        db, r->pool, s->tenant_id, s->user_id, hash,
                        ailes_time_sec(apr_time_now()))) {
            how = "recovery_code";
        }
    }
    if (!how) {
        if (APR_SUCCESS != ailes_login_failed(r, db, s->tenant_id,
                                              s->employee_no, failures,
                                              "login.totp_fail")) {
            return ailes_api_unavailable(r);
        }
        return ailes_api_error(r, HTTP_UNAUTHORIZED, "invalid_code",
                               "the code is wrong or was used already");
    }
    if (APR_SUCCESS != ailes_login_succeeded(r, db, s->tenant_id,
                                             s->employee_no)
        || APR_SUCCESS != ailes_session_rotate(r, s, "full")) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                strcmp(how, "totp") ? "login.ok_recovery_code" : "login.ok",
                s->employee_no, "ok");
    return ailes_api_json(r, HTTP_OK,
                          ailes_json_pool(r->pool,
                                          json_pack("{s:s,s:s}", "mfa",
                                                    "none", "csrf_token",
                                                    s->csrf_token)));
}

/* POST /v1/me/totp: a fresh secret, pending until confirmed. */
static int me_totp_start(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    ailes_session_t *s = ctx->session;
    unsigned char *secret;
    const char *b32, *sealed, *uri, *svg, *tenant_name;
    ailes_tenant_t *t;
    ailes_user_t *u;
    ailes_db_t *db;
    json_t *body;

    if (!ailes_role_totp_allowed(s->role)) {
        return ailes_api_error(r, HTTP_FORBIDDEN, "totp_unavailable",
                               "this account has no two-step verification");
    }
    if (!(u = ailes_api_session_user(r, s, &db))) {
        return OK;
    }
    if (APR_SUCCESS != ailes_store_tenant_by_slug(db, r->pool, s->tenant_slug,
                                                  &t)) {
        return ailes_api_unavailable(r);
    }
    if (u->totp_secret) {
        return ailes_api_error(r, HTTP_CONFLICT, "totp_enabled",
                               "two-step verification is on already; an "
                               "administrator can reset it");
    }
    secret = ailes_totp_secret_new(r->pool);
    wipe_later(r, secret, AILES_TOTP_SECRET_BYTES);
    b32 = ailes_totp_base32(r->pool, secret, AILES_TOTP_SECRET_BYTES);
    if (!b32) {
        return ailes_api_unavailable(r);
    }
    wipe_later(r, (void *)b32, strlen(b32));
    sealed = ailes_vault_seal_text(r->pool, sc->g->vault_key, s->tenant_id,
                                   s->user_id, FIELD_TOTP, b32);
    if (!sealed || APR_SUCCESS != ailes_store_totp_set_pending(
                                      db, r->pool, s->tenant_id, s->user_id,
                                      sealed)) {
        return ailes_api_unavailable(r);
    }
    tenant_name = t->name && *t->name ? t->name : t->slug;
    uri = ailes_totp_uri(r->pool, ailes_conf_totp_issuer(sc), tenant_name,
                         s->employee_no, b32);
    svg = ailes_qr_svg(r->pool, uri);
    wipe_later(r, (void *)uri, strlen(uri));
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "totp.enrollment_started", s->employee_no, "ok");
    body = json_pack("{s:s,s:s,s:s?}", "secret", b32, "otpauth_uri", uri,
                     "qr_svg", svg);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

/* POST /v1/me/totp/confirm {"code"}: switches TOTP on. */
static int me_totp_confirm(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    ailes_session_t *s = ctx->session;
    json_t *body = ailes_api_read_json(r), *codes;
    apr_array_header_t *hashes;
    apr_dbd_transaction_t *tx;
    unsigned char *secret;
    apr_size_t len;
    apr_int64_t step;
    const char *code;
    ailes_user_t *u;
    ailes_db_t *db;
    apr_status_t rv;
    int i;

    if (!body) {
        return OK;
    }
    if (!(code = ailes_json_string(body, "code"))) {
        return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request",
                               "code is a required string");
    }
    if (!(u = ailes_api_session_user(r, s, &db))) {
        return OK;
    }
    if (!u->totp_pending) {
        return ailes_api_error(r, HTTP_CONFLICT, "no_enrollment",
                               "start the enrolment first (POST /v1/me/totp)");
    }
    secret = open_secret(r, s, u->totp_pending, &len);
    if (!secret) {
        return ailes_api_unavailable(r);
    }
    step = ailes_totp_match(secret, len, code, ailes_time_sec(apr_time_now()),
                            ailes_conf_totp_window(sc), 0);
    if (step < 0) {
        return ailes_api_error(r, HTTP_UNPROCESSABLE_ENTITY, "invalid_code",
                               "the code does not match; check the clock of "
                               "the device and try the next code");
    }
    hashes = apr_array_make(r->pool, AILES_RECOVERY_CODES, sizeof(char *));
    codes = ailes_json_pool(r->pool, json_array());
    for (i = 0; i < AILES_RECOVERY_CODES; i++) {
        const char *rc = ailes_recovery_code_new(r->pool);
        APR_ARRAY_PUSH(hashes, const char *) = ailes_recovery_code_hash(
            r->pool, rc);
        json_array_append_new(codes, json_string(rc));
    }
    if (APR_SUCCESS != ailes_db_begin(db, r->pool, &tx)) {
        return ailes_api_unavailable(r);
    }
    rv = ailes_store_totp_activate(db, r->pool, s->tenant_id, s->user_id,
                                   step);
    if (APR_SUCCESS == rv) {
        rv = ailes_store_recovery_replace(db, r->pool, s->tenant_id,
                                          s->user_id, hashes);
    }
    if (APR_SUCCESS != ailes_db_end(db, r->pool, tx, APR_SUCCESS == rv)
        || APR_SUCCESS != rv) {
        return APR_NOTFOUND == rv
                   ? ailes_api_error(r, HTTP_CONFLICT, "no_enrollment",
                                     "start the enrolment first")
                   : ailes_api_unavailable(r);
    }
    /* Enrolment completes a login that was waiting for it. */
    if (!strcmp(s->stage, "enroll")
        && APR_SUCCESS != ailes_session_rotate(r, s, "full")) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "totp.enrolled", s->employee_no, "ok");
    ailes_mailq_user(r, db, s->tenant_id, s->user_id, s->employee_no,
                     AILES_NOTIFY_TOTP_ENROLLED);
    body = json_pack("{s:O,s:s}", "recovery_codes", codes, "csrf_token",
                     s->csrf_token);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

const ailes_api_route_t ailes_api_totp_routes[] = {
    { M_POST, "/v1/session/totp", AILES_API_MFA_STAGE, AILES_API_ANY_ROLE,
      session_totp },
    { M_POST, "/v1/me/totp", AILES_API_ENROLL_STAGE, AILES_API_ANY_ROLE,
      me_totp_start },
    { M_POST, "/v1/me/totp/confirm", AILES_API_ENROLL_STAGE,
      AILES_API_ANY_ROLE, me_totp_confirm },
    { 0, NULL, 0, 0, NULL }
};
