/* Session rules and cache codec; see ailes_session.h. */
#include <string.h>

#include <apr_strings.h>

#include "ailes_role.h"
#include "ailes_session.h"

#define CODEC_TAG "s1"
#define CODEC_END "."           /* last field: a cut-off value shows */
#define CODEC_FIELDS 14
#define MAX_DIGITS 19           /* APR_INT64_MAX has 19 */

ailes_session_state_t ailes_session_state(const ailes_session_t *s,
                                          apr_int64_t now, int idle_sec)
{
    if (now >= s->expires_at || now - s->last_seen >= idle_sec) {
        return AILES_SESSION_EXPIRED;
    }
    if (now - s->last_seen >= AILES_SESSION_TOUCH_SEC) {
        return AILES_SESSION_VALID_TOUCH;
    }
    return AILES_SESSION_VALID;
}

apr_int64_t ailes_session_cache_ttl(const ailes_session_t *s,
                                    apr_int64_t now, int idle_sec)
{
    apr_int64_t ttl = s->last_seen + AILES_SESSION_TOUCH_SEC - now;

    if (s->expires_at - now < ttl) {
        ttl = s->expires_at - now;
    }
    if (s->last_seen + idle_sec - now < ttl) {
        ttl = s->last_seen + idle_sec - now;
    }
    /* A last_seen ahead of our clock (another node's clock, a step back)
     * must not stretch an entry past one touch interval. */
    if (ttl > AILES_SESSION_TOUCH_SEC) {
        ttl = AILES_SESSION_TOUCH_SEC;
    }
    return ttl > 0 ? ttl : 0;
}

const char *ailes_session_encode(apr_pool_t *p, const ailes_session_t *s)
{
    return apr_psprintf(p, CODEC_TAG "\t%s\t%" APR_INT64_T_FMT "\t%s\t%"
                        APR_INT64_T_FMT "\t%s\t%s\t%s\t%" APR_INT64_T_FMT
                        "\t%" APR_INT64_T_FMT "\t%" APR_INT64_T_FMT
                        "\t%s\t%s\t" CODEC_END,
                        s->id_hash, s->tenant_id, s->tenant_slug, s->user_id,
                        s->employee_no, ailes_role_name(s->role),
                        s->csrf_token, s->created_at, s->last_seen,
                        s->expires_at, s->stage ? s->stage : "full",
                        s->ip_allow && *s->ip_allow ? s->ip_allow : "-");
}

/* Exactly what encode writes: 1 to 19 decimal digits within apr_int64_t,
 * nothing else (no sign, no spaces, no overflow). */
static int parse_i64(const char *v, apr_int64_t *out)
{
    size_t n = strlen(v), i;
    apr_int64_t x = 0;

    if (n == 0 || n > MAX_DIGITS) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9'
            || x > (APR_INT64_MAX - (v[i] - '0')) / 10) {
            return 0;
        }
        x = x * 10 + (v[i] - '0');
    }
    *out = x;
    return 1;
}

ailes_session_t *ailes_session_decode(apr_pool_t *p, const char *data,
                                      apr_size_t len)
{
    char *copy = apr_pstrmemdup(p, data, len), *last = NULL, *f;
    const char *fields[CODEC_FIELDS];
    ailes_session_t *s;
    int n = 0;

    if (memchr(data, '\0', len)) {
        return NULL;
    }
    /* apr_strtok would merge empty fields: split by hand. */
    f = copy;
    while (n < CODEC_FIELDS) {
        fields[n++] = f;
        last = strchr(f, '\t');
        if (!last) {
            break;
        }
        *last = '\0';
        f = last + 1;
    }
    if (n != CODEC_FIELDS || last || strcmp(fields[0], CODEC_TAG)
        || strcmp(fields[CODEC_FIELDS - 1], CODEC_END)) {
        return NULL;
    }
    s = apr_pcalloc(p, sizeof(*s));
    s->id_hash = fields[1];
    s->tenant_slug = fields[3];
    s->employee_no = fields[5];
    s->role = ailes_role_parse(fields[6]);
    s->csrf_token = fields[7];
    s->stage = fields[11];
    s->ip_allow = strcmp(fields[12], "-") ? fields[12] : NULL;
    if (!parse_i64(fields[2], &s->tenant_id)
        || !parse_i64(fields[4], &s->user_id)
        || !parse_i64(fields[8], &s->created_at)
        || !parse_i64(fields[9], &s->last_seen)
        || !parse_i64(fields[10], &s->expires_at)
        || AILES_ROLE_NONE == s->role || !*s->id_hash || !*s->tenant_slug
        || !*s->employee_no || !*s->csrf_token
        || (strcmp(s->stage, "full") && strcmp(s->stage, "mfa")
            && strcmp(s->stage, "enroll"))
        || !*fields[12]) {
        return NULL;
    }
    return s;
}
