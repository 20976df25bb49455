/* jansson with APR pools: every json_t handed out here is released by a
 * pool cleanup, so callers never json_decref by hand and an early return
 * cannot leak. */
#ifndef AILES_JSON_H
#define AILES_JSON_H

#include <apr_pools.h>
#include <jansson.h>

/* Ties j's lifetime to p (one reference is dropped when p is cleared).
 * Returns j; NULL stays NULL. */
json_t *ailes_json_pool(apr_pool_t *p, json_t *j);

typedef enum {
    AILES_JSON_OK = 0,
    AILES_JSON_MALFORMED,   /* not JSON, or not UTF-8 */
    AILES_JSON_NOT_OBJECT   /* valid JSON but the top level is no object */
} ailes_json_status_t;

/* Parses a request body that must be one JSON object. Invalid UTF-8,
 * embedded NUL and trailing garbage are malformed. */
ailes_json_status_t ailes_json_parse_object(apr_pool_t *p, const char *buf,
                                            apr_size_t len, json_t **out);

/* The string member `key` of obj, or NULL when absent or not a string. */
const char *ailes_json_string(json_t *obj, const char *key);

/* Compact UTF-8 serialisation in p ("null" for NULL). */
const char *ailes_json_dump(apr_pool_t *p, json_t *j);

#endif
