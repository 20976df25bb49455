/* Fuzzes request bodies: ailes_json_parse_object as every API handler
 * calls it, then the accessors on what it returns (ailes_json_string on
 * the keys handlers read and on the body's own keys, ailes_json_dump). */
#include <string.h>

#include "ailes_json.h"
#include "fuzz_common.h"

static const char *const keys[] = {
    "employee_no", "password", "tenant", "code", "name", "role", "email",
    "labels", "sex", "answers", "campaign", "current_password",
    "new_password", "", NULL
};

int ailes_fuzz_one(apr_pool_t *p, const uint8_t *data, size_t size)
{
    json_t *obj = NULL, *v;
    const char *k, *dump;
    char *buf = apr_palloc(p, size);
    int i;

    if (size) {
        memcpy(buf, data, size);
    }
    switch (ailes_json_parse_object(p, buf, size, &obj)) {
    case AILES_JSON_OK:
        if (!json_is_object(obj)) {
            __builtin_trap();
        }
        break;
    case AILES_JSON_MALFORMED:
    case AILES_JSON_NOT_OBJECT:
        return 0;
    default:
        __builtin_trap();
    }
    for (i = 0; keys[i]; i++) {
        ailes_json_string(obj, keys[i]);
    }
    json_object_foreach(obj, k, v) {
        const char *s = ailes_json_string(obj, k);
        if (s && (!json_is_string(v) || strcmp(s, json_string_value(v)))) {
            __builtin_trap();
        }
    }
    dump = ailes_json_dump(p, obj);
    if (!dump || dump[0] != '{') {
        __builtin_trap();
    }
    ailes_json_dump(p, NULL);
    return 0;
}
