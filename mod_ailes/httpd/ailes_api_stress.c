/* Stress check (ストレスチェック, 労働安全衛生法 66条の10):
 *
 *   GET  /v1/stress-check/questionnaire          anyone logged in
 *   GET/POST /v1/stress-check/campaigns          staff run campaigns;
 *   POST /v1/stress-check/campaigns/{id}/close   others see open ones
 *   GET/PUT /v1/stress-check/answers?campaign=   own answers, save/submit
 *   GET  /v1/stress-check/result?campaign=       own result
 *   POST /v1/stress-check/consent, /interview    after the result only
 *   GET  /v1/stress-check/results?campaign=      sc staff: people in their
 *                                                scope; tenant_admin and
 *                                                health_staff: consented
 *                                                results only
 *
 * Individual results go to the examinee and the stress-check staff; the
 * employer side sees a result only after the examinee consented, which is
 * possible only after the result was shown (never at the test), and an
 * interview request counts as consent. Every staff read is audited.
 * Scoring is in the core (ailes_bjsq.h).
 */
#include <httpd.h>
#include <stdlib.h>

#include <apr_strings.h>
#include <http_protocol.h>
#include <util_script.h>

#include "ailes_api.h"
#include "ailes_auth.h"
#include "ailes_bjsq.h"
#include "ailes_db.h"
#include "ailes_json.h"
#include "ailes_parse.h"
#include "ailes_request.h"
#include "ailes_store.h"
#include "ailes_store_stress.h"
#include "ailes_time.h"

/* Stress-check data is kept 5 years (the MHLW guideline), then purged on
 * its own schedule, apart from the tenant's contract. */
#define SC_RETENTION_SEC (5L * 366 * 86400)
#define INTERVIEW_WINDOW_SEC (31L * 86400)

static const struct {
    char area;
    const char *ja, *en;
} areas[] = {
    { 'A', "あなたの仕事についてうかがいます。最もあてはまるものに○を付けてください。",
      "About your work: choose the answer that fits best." },
    { 'B', "最近 1 か月間のあなたの状態についてうかがいます。最もあてはまるものに○を付けてください。",
      "About how you have been during the last month: choose the answer "
      "that fits best." },
    { 'C', "あなたの周りの方々についてうかがいます。最もあてはまるものに○を付けてください。",
      "About the people around you: choose the answer that fits best." },
    { 'D', "満足度について", "About your satisfaction" },
};

/* The three questions of area C, each asked about three groups. */
static const char *c_question_ja(int no)
{
    return no <= 49 ? "次の人たちはどのくらい気軽に話ができますか？"
           : no <= 52 ? "あなたが困った時、次の人たちはどのくらい頼りになりますか？"
                      : "あなたの個人的な問題を相談したら、次の人たちはどのくらいきいてくれますか？";
}

static const char *c_question_en(int no)
{
    return no <= 49 ? "How freely can you talk with these people?"
           : no <= 52 ? "How reliable are these people when you have trouble?"
                      : "How well do these people listen when you talk about "
                        "personal problems?";
}

static int questionnaire(request_rec *r, ailes_api_ctx_t *ctx)
{
    json_t *out = json_array(), *body;
    size_t a;
    int i, k;

    for (a = 0; a < sizeof(areas) / sizeof(areas[0]); a++) {
        const char *const *cj = ailes_bjsq_choices_ja(areas[a].area);
        const char *const *ce = ailes_bjsq_choices_en(areas[a].area);
        json_t *choices = json_array(), *items = json_array();

        for (k = 0; k < 4; k++) {
            json_array_append_new(choices, json_pack("{s:i,s:s,s:s}", "code",
                                                     k + 1, "ja", cj[k], "en",
                                                     ce[k]));
        }
        for (i = 0; i < AILES_BJSQ_ITEMS; i++) {
            const ailes_bjsq_item_t *it = &ailes_bjsq_items[i];
            json_t *item;
            if (it->area != areas[a].area) {
                continue;
            }
            item = json_pack("{s:i,s:s,s:s,s:s}", "no", it->no, "code",
                             it->code, "ja", it->ja, "en", it->en);
            if (it->area == 'C') {
                json_object_set_new(item, "question_ja",
                                    json_string(c_question_ja(it->no)));
                json_object_set_new(item, "question_en",
                                    json_string(c_question_en(it->no)));
            }
            json_array_append_new(items, item);
        }
        json_array_append_new(out, json_pack("{s:s#,s:s,s:s,s:o,s:o}", "area",
                                             &areas[a].area, 1,
                                             "instruction_ja", areas[a].ja,
                                             "instruction_en", areas[a].en,
                                             "choices", choices, "items",
                                             items));
    }
    body = json_pack("{s:s,s:i,s:o}", "questionnaire", "BJSQ-57", "items",
                     AILES_BJSQ_ITEMS, "areas", out);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

static int bad_request(request_rec *r, const char *message)
{
    return ailes_api_error(r, HTTP_BAD_REQUEST, "bad_request", message);
}

static int no_campaign(request_rec *r)
{
    return ailes_api_error(r, HTTP_NOT_FOUND, "not_found",
                           "no such campaign");
}

static int is_sc_staff(ailes_role_t role)
{
    return role == AILES_ROLE_SC_STAFF || role == AILES_ROLE_SC_IMPLEMENTER;
}

/* labels: the target label names (const char *); empty = everyone. */
static json_t *campaign_json(const ailes_campaign_t *c,
                             const apr_array_header_t *labels)
{
    json_t *jl = json_array();
    int i;

    for (i = 0; labels && i < labels->nelts; i++) {
        json_array_append_new(jl, json_string(APR_ARRAY_IDX(labels, i,
                                                            const char *)));
    }
    return json_pack("{s:I,s:s,s:s,s:s,s:i,s:{s:i,s:i,s:i},s:s,s:o}", "id",
                     (json_int_t)c->id, "name", c->name, "starts_on",
                     c->starts_on, "ends_on", c->ends_on, "method",
                     c->method, "thresholds", "b", c->thr.b_alone, "ac",
                     c->thr.ac, "b_with_ac", c->thr.b_with_ac, "status",
                     c->status, "labels", jl);
}

/* For examinees: 0 when the user is a target of the campaign, else -1
 * after 404 (a campaign for others answers like none) or 503. */
static int targeted(request_rec *r, ailes_db_t *db, const ailes_session_t *s,
                    const ailes_campaign_t *c)
{
    apr_status_t rv = ailes_store_campaign_targets(db, r->pool, s->tenant_id,
                                                   c->id, s->user_id);

    if (APR_SUCCESS == rv) {
        return 0;
    }
    if (APR_NOTFOUND == rv) {
        no_campaign(r);
    }
    else {
        ailes_api_unavailable(r);
    }
    return -1;
}

/* Today in JST as YYYY-MM-DD. */
static const char *jst_today(apr_pool_t *p)
{
    return apr_pstrmemdup(p, ailes_time_jst(p, apr_time_now()), 10);
}

static int is_open(apr_pool_t *p, const ailes_campaign_t *c)
{
    const char *today = jst_today(p);

    return !strcmp(c->status, "open") && strcmp(today, c->starts_on) >= 0
           && strcmp(today, c->ends_on) <= 0;
}

/* The campaign named by ?campaign=ID (or a JSON field); NULL after 400,
 * 404 or 503 was written. */
static ailes_campaign_t *find_campaign(request_rec *r, ailes_db_t *db,
                                       apr_int64_t tenant_id, const char *id)
{
    ailes_campaign_t *c = NULL;
    apr_status_t rv;
    long v;

    if (!id || ailes_parse_int(r->pool, id, 1, 2000000000L, &v)) {
        bad_request(r, "campaign is a campaign id");
        return NULL;
    }
    rv = ailes_store_campaign_get(db, r->pool, tenant_id, v, &c);
    if (APR_NOTFOUND == rv) {
        no_campaign(r);
        return NULL;
    }
    if (APR_SUCCESS != rv) {
        ailes_api_unavailable(r);
        return NULL;
    }
    return c;
}

/* POST /v1/stress-check/campaigns {"name","starts_on","ends_on","method",
 * "thresholds":{"b","ac","b_with_ac"}} */
static int campaign_create(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    json_t *body = ailes_api_read_json(r), *thr, *m, *jl;
    apr_array_header_t *names, *ids;
    apr_dbd_transaction_t *tx = NULL;
    const char *missing = NULL;
    ailes_campaign_t c;
    apr_time_t t1, t2;
    const char *err;
    ailes_db_t *db;
    apr_int64_t id;
    apr_status_t rv;

    if (!body) {
        return OK;
    }
    memset(&c, 0, sizeof(c));
    c.name = ailes_json_string(body, "name");
    c.starts_on = ailes_json_string(body, "starts_on");
    c.ends_on = ailes_json_string(body, "ends_on");
    m = json_object_get(body, "method");
    c.method = m ? (int)json_integer_value(m) : 2;
    if (!c.name || !c.starts_on || !c.ends_on
        || (m && !json_is_integer(m)) || (c.method != 1 && c.method != 2)) {
        return bad_request(r, "name, starts_on and ends_on (YYYY-MM-DD) are "
                              "required; method is 1 or 2");
    }
    if ((err = ailes_parse_text(r->pool, c.name, 100, "name"))
        || (err = ailes_time_parse_jst_date(r->pool, c.starts_on, &t1))
        || (err = ailes_time_parse_jst_date(r->pool, c.ends_on, &t2))) {
        return bad_request(r, err);
    }
    if (t2 < t1) {
        return bad_request(r, "ends_on is before starts_on");
    }
    c.thr = c.method == 1 ? ailes_bjsq_m1_default : ailes_bjsq_m2_default;
    if ((thr = json_object_get(body, "thresholds"))) {
        json_t *b = json_object_get(thr, "b"), *ac = json_object_get(thr,
                                                                     "ac");
        json_t *bac = json_object_get(thr, "b_with_ac");
        if (!json_is_integer(b) || !json_is_integer(ac)
            || !json_is_integer(bac)) {
            return bad_request(r, "thresholds has integers b, ac and "
                                  "b_with_ac");
        }
        c.thr.b_alone = (int)json_integer_value(b);
        c.thr.ac = (int)json_integer_value(ac);
        c.thr.b_with_ac = (int)json_integer_value(bac);
        if (c.thr.b_alone < 0 || c.thr.b_alone > 200 || c.thr.ac < 0
            || c.thr.ac > 200 || c.thr.b_with_ac < 0
            || c.thr.b_with_ac > 200) {
            return bad_request(r, "thresholds are 0 to 200");
        }
    }
    c.purge_after = apr_time_sec(t2) + SC_RETENTION_SEC;
    names = apr_array_make(r->pool, 4, sizeof(const char *));
    if ((jl = json_object_get(body, "labels"))) {
        size_t k;
        json_t *v;
        if (!json_is_array(jl) || json_array_size(jl) > 100) {
            return bad_request(r, "labels is a list of label names");
        }
        json_array_foreach(jl, k, v) {
            if (!json_is_string(v)
                || ailes_parse_text(r->pool, json_string_value(v),
                                    AILES_LABEL_MAX, "label")) {
                return bad_request(r, "labels is a list of label names");
            }
            APR_ARRAY_PUSH(names, const char *) = json_string_value(v);
        }
    }
    if (!(db = ailes_req_db(r))) {
        return ailes_api_unavailable(r);
    }
    ids = apr_array_make(r->pool, 1, sizeof(apr_int64_t));
    if (names->nelts) {
        rv = ailes_store_label_ids(db, r->pool, s->tenant_id, names, &ids,
                                   &missing);
        if (APR_NOTFOUND == rv) {
            return ailes_api_error(r, HTTP_UNPROCESSABLE_ENTITY,
                                   "unknown_label",
                                   apr_psprintf(r->pool, "no label '%s'",
                                                missing));
        }
        if (APR_SUCCESS != rv) {
            return ailes_api_unavailable(r);
        }
    }
    if (APR_SUCCESS != ailes_db_begin(db, r->pool, &tx)) {
        return ailes_api_unavailable(r);
    }
    rv = ailes_store_campaign_add(db, r->pool, s->tenant_id, &c, &id);
    if (APR_SUCCESS == rv) {
        rv = ailes_store_campaign_set_labels(db, r->pool, s->tenant_id, id,
                                             ids);
    }
    if (APR_SUCCESS != ailes_db_end(db, r->pool, tx, APR_SUCCESS == rv)
        && APR_SUCCESS == rv) {
        rv = APR_EGENERAL;
    }
    if (APR_EEXIST == rv) {
        return ailes_api_error(r, HTTP_CONFLICT, "campaign_exists",
                               "a campaign of this name exists");
    }
    if (APR_SUCCESS != rv) {
        return ailes_api_unavailable(r);
    }
    c.id = id;
    c.status = "open";
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "stress.campaign_created", c.name, "ok");
    return ailes_api_json(r, HTTP_CREATED,
                          ailes_json_pool(r->pool, campaign_json(&c, names)));
}

/* GET /v1/stress-check/campaigns: staff see all, others the open ones
 * meant for them and any they answered (to read the result after the
 * close). Four queries, however many campaigns. */
static int campaign_list(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    int staff = is_sc_staff(s->role);
    ailes_campaign_overview_t o;
    apr_array_header_t *list, *labels;
    ailes_db_t *db = ailes_req_db(r);
    json_t *out;
    int i;

    if (!db
        || APR_SUCCESS != ailes_store_campaign_list(db, r->pool, s->tenant_id,
                                                    &list)
        || APR_SUCCESS != ailes_store_campaign_overview(
               db, r->pool, s->tenant_id, staff ? 0 : s->user_id, &o)) {
        return ailes_api_unavailable(r);
    }
    out = json_array();
    for (i = 0; i < list->nelts; i++) {
        ailes_campaign_t *c = APR_ARRAY_IDX(list, i, ailes_campaign_t *);
        const char *id = apr_psprintf(r->pool, "%" APR_INT64_T_FMT, c->id);

        labels = apr_hash_get(o.labels, id, APR_HASH_KEY_STRING);
        if (staff
            || apr_hash_get(o.submitted, id, APR_HASH_KEY_STRING)
            || (is_open(r->pool, c)
                && (!labels
                    || apr_hash_get(o.labelled, id, APR_HASH_KEY_STRING)))) {
            json_array_append_new(
                out, campaign_json(c, labels ? labels
                                             : apr_array_make(
                                                   r->pool, 1,
                                                   sizeof(const char *))));
        }
    }
    return ailes_api_json(r, HTTP_OK,
                          ailes_json_pool(r->pool,
                                          json_pack("{s:o}", "campaigns",
                                                    out)));
}

static int campaign_close(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    ailes_db_t *db = ailes_req_db(r);
    ailes_campaign_t *c;

    if (!db) {
        return ailes_api_unavailable(r);
    }
    if (!(c = find_campaign(r, db, s->tenant_id, ctx->params[0]))) {
        return OK;
    }
    if (APR_SUCCESS != ailes_store_campaign_close(db, r->pool, s->tenant_id,
                                                  c->id)) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "stress.campaign_closed", c->name, "ok");
    return ailes_api_no_content(r);
}

static json_t *answers_json(const char *digits)
{
    json_t *a = json_array();
    int i;

    for (i = 0; i < AILES_BJSQ_ITEMS; i++) {
        int v = digits && (int)strlen(digits) == AILES_BJSQ_ITEMS
                    ? digits[i] - '0'
                    : 0;
        json_array_append_new(a, v ? json_integer(v) : json_null());
    }
    return a;
}

static json_t *result_json(apr_pool_t *p, const ailes_campaign_t *c,
                           const ailes_response_t *x)
{
    json_t *j = json_pack("{s:I,s:i,s:s?,s:i,s:i,s:i,s:b,s:s,s:b,s:b}",
                          "campaign", (json_int_t)c->id, "method", c->method,
                          "sex", x->sex, "a", x->a, "b", x->b, "c", x->c,
                          "high_stress", x->high_stress, "submitted_at",
                          ailes_time_jst(p, apr_time_from_sec(
                                                x->submitted_at)),
                          "consented", x->consent_at > 0,
                          "interview_requested", x->interview_at > 0);
    json_t *scales = json_array();
    char *copy, *last = NULL, *tok;
    int i = 0;

    if (c->method == 2 && x->points) {
        copy = apr_pstrdup(p, x->points);
        for (tok = apr_strtok(copy, ",", &last); tok && i < AILES_BJSQ_SCALES;
             tok = apr_strtok(NULL, ",", &last), i++) {
            json_array_append_new(scales,
                                  json_pack("{s:s,s:s,s:s#,s:i}", "key",
                                            ailes_bjsq_scales[i].key, "ja",
                                            ailes_bjsq_scales[i].ja, "area",
                                            &ailes_bjsq_scales[i].area, 1,
                                            "points", atoi(tok)));
        }
    }
    json_object_set_new(j, "scales", scales);
    return j;
}

/* GET /v1/stress-check/answers?campaign=ID: own saved answers (resume). */
static int answers_get(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    ailes_db_t *db = ailes_req_db(r);
    ailes_response_t *x = NULL;
    ailes_campaign_t *c;
    apr_status_t rv;
    json_t *body;

    if (!db) {
        return ailes_api_unavailable(r);
    }
    if (!(c = find_campaign(r, db, s->tenant_id, ailes_api_arg(r, "campaign")))
        || targeted(r, db, s, c) < 0) {
        return OK;
    }
    rv = ailes_store_response_get(db, r->pool, s->tenant_id, c->id,
                                  s->user_id, &x);
    if (APR_SUCCESS != rv && APR_NOTFOUND != rv) {
        return ailes_api_unavailable(r);
    }
    body = json_pack("{s:I,s:s?,s:o,s:b}", "campaign", (json_int_t)c->id,
                     "sex", x ? x->sex : NULL, "answers",
                     answers_json(x ? x->answers : NULL), "submitted",
                     x && x->submitted_at > 0);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

/* PUT /v1/stress-check/answers {"campaign","sex","answers":[57 x 1..4 or
 * null],"submit":bool}: saves; with submit, scores and keeps the result. */
static int answers_put(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    json_t *body = ailes_api_read_json(r), *arr, *v, *submit;
    int answers[AILES_BJSQ_ITEMS], complete = 1, i;
    char digits[AILES_BJSQ_ITEMS + 1];
    ailes_response_t x;
    ailes_bjsq_result_t res;
    ailes_campaign_t *c;
    const char *sex;
    ailes_db_t *db;
    size_t k;

    if (!body) {
        return OK;
    }
    arr = json_object_get(body, "answers");
    submit = json_object_get(body, "submit");
    sex = ailes_json_string(body, "sex");
    if (!json_is_array(arr) || json_array_size(arr) != AILES_BJSQ_ITEMS
        || (submit && !json_is_boolean(submit))
        || (sex && strcmp(sex, "male") && strcmp(sex, "female"))) {
        return bad_request(r, "answers is a list of 57 (1 to 4, or null "
                              "while not answered), sex male or female, "
                              "submit a boolean");
    }
    json_array_foreach(arr, k, v) {
        json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
        if (!json_is_null(v) && (n < 1 || n > 4)) {
            return bad_request(r, apr_psprintf(r->pool, "answer %d is 1 to "
                                               "4 or null", (int)k + 1));
        }
        answers[k] = (int)n;
        digits[k] = (char)('0' + n);
        complete &= n > 0;
    }
    digits[AILES_BJSQ_ITEMS] = '\0';
    if (!(db = ailes_req_db(r))) {
        return ailes_api_unavailable(r);
    }
    if (!(c = find_campaign(r, db, s->tenant_id,
                            json_is_integer(json_object_get(body, "campaign"))
                                ? apr_psprintf(r->pool, "%" APR_INT64_T_FMT,
                                               (apr_int64_t)json_integer_value(
                                                   json_object_get(
                                                       body, "campaign")))
                                : NULL))) {
        return OK;
    }
    if (targeted(r, db, s, c) < 0) {
        return OK;
    }
    if (!is_open(r->pool, c)) {
        return ailes_api_error(r, HTTP_CONFLICT, "campaign_closed",
                               "this stress check is not open");
    }
    memset(&x, 0, sizeof(x));
    x.sex = sex;
    x.answers = digits;
    if (json_is_true(submit)) {
        if (!complete || !sex) {
            return ailes_api_error(r, HTTP_UNPROCESSABLE_ENTITY,
                                   "incomplete",
                                   "all 57 answers and sex are needed to "
                                   "submit");
        }
        if (c->method == 1) {
            ailes_bjsq_method1(answers, &c->thr, &res);
        }
        else {
            ailes_bjsq_method2(answers, strcmp(sex, "female")
                                            ? AILES_SEX_MALE
                                            : AILES_SEX_FEMALE,
                               &c->thr, &res);
            x.points = "";
            for (i = 0; i < AILES_BJSQ_SCALES; i++) {
                x.points = apr_psprintf(r->pool, "%s%s%d", x.points,
                                        i ? "," : "", res.points[i]);
            }
        }
        x.submitted_at = ailes_time_sec(apr_time_now());
        x.a = res.a;
        x.b = res.b;
        x.c = res.c;
        x.high_stress = res.high_stress;
    }
    if (APR_SUCCESS != ailes_store_response_save(db, r->pool, s->tenant_id,
                                                 c->id, s->user_id, &x)) {
        return ailes_api_unavailable(r);
    }
    if (x.submitted_at) {
        ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                    "stress.submitted", c->name, "ok");
        return ailes_api_json(r, HTTP_OK,
                              ailes_json_pool(r->pool, result_json(r->pool, c, &x)));
    }
    return ailes_api_no_content(r);
}

/* The caller's submitted response; NULL after 404/503/409. */
static ailes_response_t *own_result(request_rec *r, ailes_api_ctx_t *ctx,
                                    ailes_db_t *db, ailes_campaign_t *c)
{
    ailes_session_t *s = ctx->session;
    ailes_response_t *x = NULL;
    apr_status_t rv = ailes_store_response_get(db, r->pool, s->tenant_id,
                                               c->id, s->user_id, &x);

    if (APR_SUCCESS != rv && APR_NOTFOUND != rv) {
        ailes_api_unavailable(r);
        return NULL;
    }
    if (!x || !x->submitted_at) {
        ailes_api_error(r, HTTP_CONFLICT, "no_result",
                        "there is no result before the answers are "
                        "submitted");
        return NULL;
    }
    return x;
}

static int result_get(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    ailes_db_t *db = ailes_req_db(r);
    ailes_campaign_t *c;
    ailes_response_t *x;

    if (!db) {
        return ailes_api_unavailable(r);
    }
    if (!(c = find_campaign(r, db, s->tenant_id, ailes_api_arg(r, "campaign")))
        || !(x = own_result(r, ctx, db, c))) {
        return OK;
    }
    return ailes_api_json(r, HTTP_OK,
                          ailes_json_pool(r->pool, result_json(r->pool, c, x)));
}

/* POST /v1/stress-check/consent and /interview {"campaign"}. */
static int mark(request_rec *r, ailes_api_ctx_t *ctx, int interview)
{
    ailes_session_t *s = ctx->session;
    json_t *body = ailes_api_read_json(r), *id;
    apr_int64_t now = ailes_time_sec(apr_time_now());
    ailes_campaign_t *c;
    ailes_response_t *x;
    ailes_db_t *db;

    if (!body) {
        return OK;
    }
    id = json_object_get(body, "campaign");
    if (!(db = ailes_req_db(r))) {
        return ailes_api_unavailable(r);
    }
    if (!(c = find_campaign(r, db, s->tenant_id,
                            json_is_integer(id)
                                ? apr_psprintf(r->pool,
                                               "%" APR_INT64_T_FMT,
                                               (apr_int64_t)json_integer_value(
                                                   id))
                                : NULL))
        || !(x = own_result(r, ctx, db, c))) {
        return OK;
    }
    if (interview && now - x->submitted_at > INTERVIEW_WINDOW_SEC) {
        return ailes_api_error(r, HTTP_CONFLICT, "interview_window_closed",
                               "an interview is requested within a month of "
                               "the result; ask the implementer directly");
    }
    /* An interview request counts as consent (MHLW guideline). */
    if (APR_SUCCESS != ailes_store_response_mark(db, r->pool, s->tenant_id,
                                                 c->id, s->user_id, now,
                                                 interview ? now : 0)) {
        return ailes_api_unavailable(r);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                interview ? "stress.interview_requested" : "stress.consented",
                c->name, "ok");
    return ailes_api_no_content(r);
}

static int consent_post(request_rec *r, ailes_api_ctx_t *ctx)
{
    return mark(r, ctx, 0);
}

static int interview_post(request_rec *r, ailes_api_ctx_t *ctx)
{
    return mark(r, ctx, 1);
}

/* GET /v1/stress-check/results?campaign=ID */
static int results_list(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    ailes_db_t *db = ailes_req_db(r);
    apr_array_header_t *list;
    ailes_campaign_t *c;
    json_t *out, *body;
    int i, staff = is_sc_staff(s->role);

    if (!db) {
        return ailes_api_unavailable(r);
    }
    if (!(c = find_campaign(r, db, s->tenant_id, ailes_api_arg(r, "campaign")))) {
        return OK;
    }
    if (APR_SUCCESS != ailes_store_response_list(db, r->pool, s->tenant_id,
                                                 c->id,
                                                 staff ? s->user_id : 0,
                                                 !staff, &list)) {
        return ailes_api_unavailable(r);
    }
    out = json_array();
    for (i = 0; i < list->nelts; i++) {
        ailes_response_t *x = APR_ARRAY_IDX(list, i, ailes_response_t *);
        json_t *j = result_json(r->pool, c, x);
        json_object_set_new(j, "employee_no", json_string(x->employee_no));
        json_array_append_new(out, j);
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "stress.results_read",
                apr_psprintf(r->pool, "%s: %d", c->name, list->nelts), "ok");
    body = json_pack("{s:I,s:o,s:b}", "campaign", (json_int_t)c->id,
                     "results", out, "consented_only", !staff);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}


/* Examinees, means and health risks of a group (or one sex of it). */
static json_t *scales4_json(const ailes_bjsq_scales4_t *x)
{
    return json_pack("{s:i,s:{s:f,s:f,s:f,s:f},s:{s:i,s:i,s:i}}",
                     "examinees", x->n, "means", "quantity", x->quantity,
                     "control", x->control, "supervisor", x->supervisor,
                     "coworker", x->coworker, "health_risk",
                     "quantity_control", x->risk_qc, "support",
                     x->risk_support, "total", x->risk_total);
}

/* GET /v1/stress-check/group?campaign=ID&label=NAME: 仕事のストレス判定図
 * of the people carrying the label. Staff other than tenant admins see
 * only labels granted to them. A group under 10 is refused (422
 * group_too_small) unless every member consented (the MHLW guideline). */
static int group_get(request_rec *r, ailes_api_ctx_t *ctx)
{
    ailes_session_t *s = ctx->session;
    const char *label = ailes_api_arg(r, "label");
    apr_array_header_t *list, *granted;
    ailes_bjsq_group_t g;
    ailes_campaign_t *c;
    ailes_db_t *db;
    int i, all_consented = 1, high = 0, ok = s->role == AILES_ROLE_TENANT_ADMIN;
    json_t *body, *by_sex;

    if (!label || ailes_parse_text(r->pool, label, AILES_LABEL_MAX, "label")) {
        return bad_request(r, "campaign and label are required");
    }
    if (!(db = ailes_req_db(r))) {
        return ailes_api_unavailable(r);
    }
    if (!(c = find_campaign(r, db, s->tenant_id, ailes_api_arg(r, "campaign")))) {
        return OK;
    }
    if (!ok) {
        if (APR_SUCCESS != ailes_store_grant_names(db, r->pool, s->tenant_id,
                                                   s->user_id, &granted)) {
            return ailes_api_unavailable(r);
        }
        for (i = 0; i < granted->nelts && !ok; i++) {
            ok = !strcmp(APR_ARRAY_IDX(granted, i, const char *), label);
        }
    }
    if (!ok) {
        return ailes_api_error(r, HTTP_NOT_FOUND, "not_found",
                               "no such label in your scope");
    }
    if (APR_SUCCESS != ailes_store_response_list_label(db, r->pool,
                                                       s->tenant_id, c->id,
                                                       label, &list)) {
        return ailes_api_unavailable(r);
    }
    memset(&g, 0, sizeof(g));
    for (i = 0; i < list->nelts; i++) {
        ailes_response_t *x = APR_ARRAY_IDX(list, i, ailes_response_t *);
        int answers[AILES_BJSQ_ITEMS], k;

        for (k = 0; k < AILES_BJSQ_ITEMS && x->answers[k]; k++) {
            answers[k] = x->answers[k] - '0';
        }
        for (; k < AILES_BJSQ_ITEMS; k++) {
            answers[k] = 0;
        }
        ailes_bjsq_group_add(&g, answers,
                             x->sex && !strcmp(x->sex, "female")
                                 ? AILES_SEX_FEMALE : AILES_SEX_MALE);
        all_consented &= x->consent_at > 0;
        high += x->high_stress != 0;
    }
    ailes_bjsq_group_done(&g);
    if (g.all.n < 10 && !(g.all.n > 0 && all_consented)) {
        ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                    "stress.group_read", label, "refused");
        return ailes_api_error(r, HTTP_UNPROCESSABLE_ENTITY,
                               "group_too_small",
                               "a group under 10 examinees is shown only "
                               "when every member consented");
    }
    ailes_audit(r, s->tenant_id, ailes_session_actor(r->pool, s),
                "stress.group_read",
                apr_psprintf(r->pool, "%s: %s (%d)", c->name, label,
                             g.all.n),
                "ok");
    body = scales4_json(&g.all);
    json_object_set_new(body, "campaign", json_integer((json_int_t)c->id));
    json_object_set_new(body, "label", json_string(label));
    json_object_set_new(body, "high_stress", json_integer(high));
    /* Each sex apart only when every sex present is itself a group of 10
     * or all consented: a smaller subgroup could be worked out from the
     * other one and the whole group's means. */
    by_sex = json_object();
    for (i = 0; i < 2; i++) {
        if (g.sex[i].n && g.sex[i].n < 10 && !all_consented) {
            json_decref(by_sex);
            by_sex = json_null();
            break;
        }
        if (g.sex[i].n) {
            json_object_set_new(by_sex, i == AILES_SEX_FEMALE ? "female"
                                                              : "male",
                                scales4_json(&g.sex[i]));
        }
    }
    json_object_set_new(body, "by_sex", by_sex);
    return ailes_api_json(r, HTTP_OK, ailes_json_pool(r->pool, body));
}

#define SC_STAFF                                                            \
    (AILES_API_ROLE(AILES_ROLE_SC_STAFF)                                    \
     | AILES_API_ROLE(AILES_ROLE_SC_IMPLEMENTER))
#define RESULT_READERS                                                      \
    (SC_STAFF | AILES_API_ROLE(AILES_ROLE_TENANT_ADMIN)                     \
     | AILES_API_ROLE(AILES_ROLE_HEALTH_STAFF))

const ailes_api_route_t ailes_api_stress_routes[] = {
    { M_GET, "/v1/stress-check/questionnaire", AILES_API_SESSION,
      AILES_API_ANY_ROLE, questionnaire },
    { M_GET, "/v1/stress-check/campaigns", AILES_API_SESSION,
      AILES_API_ANY_ROLE, campaign_list },
    { M_POST, "/v1/stress-check/campaigns", AILES_API_SESSION, SC_STAFF,
      campaign_create },
    { M_POST, "/v1/stress-check/campaigns/{id}/close", AILES_API_SESSION,
      SC_STAFF, campaign_close },
    { M_GET, "/v1/stress-check/answers", AILES_API_SESSION,
      AILES_API_ANY_ROLE, answers_get },
    { M_PUT, "/v1/stress-check/answers", AILES_API_SESSION,
      AILES_API_ANY_ROLE, answers_put },
    { M_GET, "/v1/stress-check/result", AILES_API_SESSION,
      AILES_API_ANY_ROLE, result_get },
    { M_POST, "/v1/stress-check/consent", AILES_API_SESSION,
      AILES_API_ANY_ROLE, consent_post },
    { M_POST, "/v1/stress-check/interview", AILES_API_SESSION,
      AILES_API_ANY_ROLE, interview_post },
    { M_GET, "/v1/stress-check/results", AILES_API_SESSION, RESULT_READERS,
      results_list },
    { M_GET, "/v1/stress-check/group", AILES_API_SESSION, RESULT_READERS,
      group_get },
    { 0, NULL, 0, 0, NULL }
};
