/* Pure argument and header parsers shared by httpd directives, the CLI and
 * the API. Validators return NULL when the input is acceptable and an error
 * message otherwise (openidc's cfg/parse.c pattern), so a config error and a
 * CLI error say the same thing.
 */
#ifndef AILES_PARSE_H
#define AILES_PARSE_H

#include <apr_pools.h>

#define AILES_SLUG_MAX 32
#define AILES_EMPLOYEE_NO_MAX 32

/* Tenant slug: [a-z0-9-]{1,32}. */
const char *ailes_parse_slug(apr_pool_t *p, const char *s);

/* Employee number (社員番号): 1..32 printable ASCII characters, no leading
 * or trailing space. */
const char *ailes_parse_employee_no(apr_pool_t *p, const char *s);

#define AILES_LABEL_MAX 64
#define AILES_NAME_MAX 200

/* A label name or a person's name: 1..max bytes of UTF-8 (checked by the
 * caller's JSON parser or here), no control characters, no leading or
 * trailing space. `what` names the field in the message. */
const char *ailes_parse_text(apr_pool_t *p, const char *s, apr_size_t max,
                             const char *what);

/* A decimal integer within [lo, hi], whole string, no sign games. */
const char *ailes_parse_int(apr_pool_t *p, const char *s, long lo, long hi,
                            long *out);

/* A duration: a whole number with an optional unit s, m, h or d (no unit:
 * seconds), within [lo, hi] seconds. "30m" -> 1800. */
const char *ailes_parse_duration(apr_pool_t *p, const char *s, long lo,
                                 long hi, long *seconds);

/* The value of cookie `name` in a Cookie header, or NULL. The first
 * occurrence wins; values are returned verbatim (no unquoting). */
const char *ailes_parse_cookie(apr_pool_t *p, const char *header,
                               const char *name);

#endif
