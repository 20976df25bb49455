/* jansson helpers; see ailes_json.h. */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "ailes_json.h"

static apr_status_t json_cleanup(void *data)
{
    json_decref((json_t *)data);
    return APR_SUCCESS;
}

json_t *ailes_json_pool(apr_pool_t *p, json_t *j)
{
    if (j) {
        apr_pool_cleanup_register(p, j, json_cleanup,
                                  apr_pool_cleanup_null);
    }
    return j;
}

ailes_json_status_t ailes_json_parse_object(apr_pool_t *p, const char *buf,
                                            apr_size_t len, json_t **out)
{
    json_error_t err;
    json_t *j;

    *out = NULL;
    /* jansson rejects invalid UTF-8 and, without JSON_ALLOW_NUL, NUL in
     * strings; JSON_REJECT_DUPLICATES avoids "which value wins" games. */
    j = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (!j) {
        return AILES_JSON_MALFORMED;
    }
    ailes_json_pool(p, j);
    if (!json_is_object(j)) {
        return AILES_JSON_NOT_OBJECT;
    }
    *out = j;
    return AILES_JSON_OK;
}

const char *ailes_json_string(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *ailes_json_dump(apr_pool_t *p, json_t *j)
{
    char *s;
    const char *out;

    if (!j) {
        return "null";
    }
    s = json_dumps(j, JSON_COMPACT);
    if (!s) {
        return "null";
    }
    out = apr_pstrdup(p, s);
    free(s);
    return out;
}
