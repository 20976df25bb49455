/* Stress check (ストレスチェック), the first piece: the questionnaire.
 *
 *   GET /v1/stress-check/questionnaire   any full session
 *
 * The 57 items of the MHLW form with their answer scales, Japanese and
 * English; answers, results, consent and group analysis come with the
 * stress-check issue. Scoring is in the core (ailes_bjsq.h).
 */
#include <httpd.h>
#include <http_protocol.h>

#include "ailes_api.h"
#include "ailes_bjsq.h"
#include "ailes_json.h"

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

const ailes_api_route_t ailes_api_stress_routes[] = {
    { M_GET, "/v1/stress-check/questionnaire", AILES_API_SESSION,
      AILES_API_ANY_ROLE, questionnaire },
    { 0, NULL, 0, 0, NULL }
};
