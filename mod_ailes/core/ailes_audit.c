/* Audit lines; see ailes_audit.h. */
#include <string.h>

#include <apr_strings.h>

#include "ailes_audit.h"
#include "ailes_json.h"
#include "ailes_time.h"

/* Cuts s to at most max bytes without splitting a UTF-8 sequence. */
static const char *cut(apr_pool_t *p, const char *s, apr_size_t max)
{
    apr_size_t n;

    if (!s) {
        return NULL;
    }
    n = strlen(s);
    if (n <= max) {
        return s;
    }
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) {
        n--;
    }
    return apr_pstrmemdup(p, s, n);
}

const char *ailes_audit_line(apr_pool_t *p, const ailes_audit_rec_t *a,
                             const char *tenant_slug)
{
    json_t *j;
    const char *line;

    j = ailes_json_pool(
        p, json_pack("{s:s,s:s?,s:s,s:s,s:s,s:s,s:s?,s:s}", "time",
                     ailes_time_jst(p, a->at), "tenant",
                     cut(p, tenant_slug, 64), "actor",
                     cut(p, a->actor ? a->actor : "-", AILES_AUDIT_FIELD_MAX),
                     "action", cut(p, a->action, 64), "target",
                     cut(p, a->target ? a->target : "-",
                         AILES_AUDIT_FIELD_MAX),
                     "client_ip",
                     cut(p, a->client_ip ? a->client_ip : "-", 64),
                     "request_id", cut(p, a->request_id, 64), "outcome",
                     cut(p, a->outcome, 32)));
    line = apr_pstrcat(p, ailes_json_dump(p, j), "\n", NULL);
    /* Escaping can grow a field up to six times (\uXXXX); the cuts above
     * keep the worst case below the limit, and this is the last guard. */
    if (strlen(line) > AILES_AUDIT_LINE_MAX) {
        return apr_psprintf(p, "{\"time\":\"%s\",\"action\":\"%s\","
                            "\"outcome\":\"truncated\"}\n",
                            ailes_time_jst(p, a->at), "audit.oversize");
    }
    return line;
}
