/* Notification texts and queueing; see ailes_notify.h. */
#include <string.h>

#include <apr_strings.h>

#include "ailes_notify.h"
#include "ailes_store_mail.h"
#include "ailes_store_notice.h"
#include "ailes_time.h"

#define SUBJECT_PREFIX "【Ailes】"
#define FOOTER                                                              \
    "\n--\n"                                                                \
    "このメールは送信専用です。/ This mail is sent automatically; "        \
    "replies are not read.\n"

typedef struct account_text {
    const char *kind;
    const char *subject;
    const char *ja;     /* @NO@: the employee number, @AT@: the time */
    const char *en;
} account_text_t;

static const account_text_t account_texts[] = {
    { AILES_NOTIFY_LOCKED,
      "アカウントがロックされました / Your account was locked",
      "社員番号 @NO@ のアカウントは、ログインの失敗が続いたためロックされ"
      "ました（@AT@）。\n心当たりがない場合は、管理者に連絡してください。\n",
      "The account of employee number @NO@ was locked after repeated failed "
      "sign-ins (@AT@).\nIf this was not you, contact your administrator.\n" },
    { AILES_NOTIFY_PASSWORD,
      "パスワードが変更されました / Your password was changed",
      "社員番号 @NO@ のパスワードが変更されました（@AT@）。\n心当たりがない"
      "場合は、すぐに管理者に連絡してください。\n",
      "The password of employee number @NO@ was changed (@AT@).\nIf this was "
      "not you, contact your administrator at once.\n" },
    { AILES_NOTIFY_TOTP_ENROLLED,
      "2段階認証が設定されました / Two-step verification was set up",
      "社員番号 @NO@ の2段階認証（認証アプリ）が設定されました（@AT@）。\n"
      "心当たりがない場合は、すぐに管理者に連絡してください。\n",
      "Two-step verification was set up for employee number @NO@ (@AT@).\nIf "
      "this was not you, contact your administrator at once.\n" },
    { AILES_NOTIFY_TOTP_RESET,
      "2段階認証がリセットされました / Two-step verification was reset",
      "社員番号 @NO@ の2段階認証が管理者によりリセットされました（@AT@）。\n"
      "次回のログインで設定し直してください。\n",
      "Two-step verification of employee number @NO@ was reset by an "
      "administrator (@AT@).\nSet it up again at your next sign-in.\n" },
    { NULL, NULL, NULL, NULL }
};

/* tmpl with @NO@ and @AT@ filled in (no format string from data). */
static const char *fill(apr_pool_t *p, const char *tmpl, const char *no,
                        const char *at)
{
    const char *out = "", *s = tmpl, *m;

    while ((m = strchr(s, '@'))) {
        if (!strncmp(m, "@NO@", 4) || !strncmp(m, "@AT@", 4)) {
            out = apr_pstrcat(p, out,
                              apr_pstrmemdup(p, s, (apr_size_t)(m - s)),
                              m[1] == 'N' ? no : at, NULL);
            s = m + 4;
        }
        else {
            out = apr_pstrcat(p, out,
                              apr_pstrmemdup(p, s, (apr_size_t)(m - s + 1)),
                              NULL);
            s = m + 1;
        }
    }
    return apr_pstrcat(p, out, s, NULL);
}

apr_status_t ailes_notify_text(apr_pool_t *p, const char *kind,
                               const char *employee_no, apr_int64_t now,
                               const char **subject, const char **body)
{
    const char *when = ailes_time_jst(p, apr_time_from_sec(now));
    int i;

    for (i = 0; account_texts[i].kind; i++) {
        const account_text_t *t = &account_texts[i];
        if (!strcmp(kind, t->kind)) {
            *subject = apr_pstrcat(p, SUBJECT_PREFIX, t->subject, NULL);
            *body = apr_pstrcat(p,
                                fill(p, t->ja, employee_no, when), "\n",
                                fill(p, t->en, employee_no, when),
                                FOOTER, NULL);
            return APR_SUCCESS;
        }
    }
    return APR_EINVAL;
}

static const char *severity_ja(const char *severity)
{
    if (!strcmp(severity, "incident")) {
        return "障害・インシデント";
    }
    if (!strcmp(severity, "vulnerability")) {
        return "脆弱性";
    }
    if (!strcmp(severity, "maintenance")) {
        return "メンテナンス";
    }
    return "お知らせ";
}

void ailes_notify_notice_text(apr_pool_t *p, const ailes_notice_rec_t *n,
                              const char **subject, const char **body)
{
    const char *b;

    *subject = apr_pstrcat(p, SUBJECT_PREFIX, "[", severity_ja(n->severity),
                           "] ", n->title, NULL);
    b = apr_pstrcat(p, n->title, "\n\n", n->body, "\n", NULL);
    if (n->what) {
        b = apr_pstrcat(p, b, "\n■ 発生事象 / What happened\n", n->what,
                        "\n", NULL);
    }
    if (n->cause) {
        b = apr_pstrcat(p, b, "\n■ 原因 / Cause\n", n->cause, "\n", NULL);
    }
    if (n->response) {
        b = apr_pstrcat(p, b, "\n■ 暫定対応 / Interim response\n",
                        n->response, "\n", NULL);
    }
    b = apr_pstrcat(p, b, "\n掲載開始 / From: ",
                    ailes_time_jst(p, apr_time_from_sec(n->starts_at)),
                    "\n", NULL);
    if (n->ends_at) {
        b = apr_pstrcat(p, b, "掲載終了 / Until: ",
                        ailes_time_jst(p, apr_time_from_sec(n->ends_at)),
                        "\n", NULL);
    }
    *body = apr_pstrcat(p, b,
                        "\n詳しくはアプリの「お知らせ」をご覧ください。\n"
                        "See the notices in the app for updates.\n",
                        FOOTER, NULL);
}

apr_status_t ailes_notify_user(struct ailes_db *db, apr_pool_t *p,
                               apr_int64_t tenant_id, apr_int64_t user_id,
                               const char *kind, const char *employee_no,
                               apr_int64_t now)
{
    const char *subject, *body;
    apr_status_t rv = ailes_notify_text(p, kind, employee_no, now, &subject,
                                        &body);

    if (APR_SUCCESS != rv) {
        return rv;
    }
    return ailes_store_mail_add(db, p, tenant_id, user_id, kind, subject,
                                body, now);
}

apr_status_t ailes_notify_notice(struct ailes_db *db, apr_pool_t *p,
                                 const ailes_notice_rec_t *n,
                                 const apr_array_header_t *tenant_ids,
                                 apr_int64_t now, int *queued)
{
    const char *subject, *body;
    apr_status_t rv = APR_SUCCESS;
    int i, j;

    *queued = 0;
    ailes_notify_notice_text(p, n, &subject, &body);
    for (i = 0; APR_SUCCESS == rv && i < tenant_ids->nelts; i++) {
        apr_int64_t tid = APR_ARRAY_IDX(tenant_ids, i, apr_int64_t);
        apr_array_header_t *admins;

        rv = ailes_store_tenant_admin_ids(db, p, tid, &admins);
        for (j = 0; APR_SUCCESS == rv && j < admins->nelts; j++) {
            rv = ailes_store_mail_add(db, p, tid,
                                      APR_ARRAY_IDX(admins, j, apr_int64_t),
                                      AILES_NOTIFY_NOTICE, subject, body,
                                      now);
            *queued += APR_SUCCESS == rv;
        }
    }
    return rv;
}
