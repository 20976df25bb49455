/* Parsers; see ailes_parse.h. None of them trusts a length it did not
 * measure itself. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <apr_escape.h>
#include <apr_strings.h>

#include "ailes_parse.h"

const char *ailes_parse_slug(apr_pool_t *p, const char *s)
{
    size_t i, n;

    if (!s || !*s) {
        return "tenant slug is empty";
    }
    n = strlen(s);
    if (n > AILES_SLUG_MAX) {
        return apr_psprintf(p, "tenant slug is longer than %d characters",
                            AILES_SLUG_MAX);
    }
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            return apr_psprintf(p, "tenant slug '%s' may only contain a-z, "
                                "0-9 and '-'", apr_pescape_echo(p, s, 0));
        }
    }
    return NULL;
}

const char *ailes_parse_employee_no(apr_pool_t *p, const char *s)
{
    size_t i, n;

    if (!s || !*s) {
        return "employee number is empty";
    }
    n = strlen(s);
    if (n > AILES_EMPLOYEE_NO_MAX) {
        return apr_psprintf(p, "employee number is longer than %d characters",
                            AILES_EMPLOYEE_NO_MAX);
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e) {
            return "employee number may only contain printable ASCII";
        }
    }
    if (s[0] == ' ' || s[n - 1] == ' ') {
        return "employee number has a leading or trailing space";
    }
    return NULL;
}

const char *ailes_parse_text(apr_pool_t *p, const char *s, apr_size_t max,
                             const char *what)
{
    size_t n = s ? strlen(s) : 0, i;

    if (n == 0) {
        return apr_psprintf(p, "%s is empty", what);
    }
    if (n > max) {
        return apr_psprintf(p, "%s is longer than %lu bytes", what,
                            (unsigned long)max);
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            return apr_psprintf(p, "%s contains a control character", what);
        }
    }
    if (s[0] == ' ' || s[n - 1] == ' ') {
        return apr_psprintf(p, "%s has a leading or trailing space", what);
    }
    return NULL;
}

const char *ailes_parse_int(apr_pool_t *p, const char *s, long lo, long hi,
                            long *out)
{
    char *end = NULL;
    long v;

    if (!s || !*s || !((*s >= '0' && *s <= '9') || *s == '-')) {
        return apr_psprintf(p, "'%s' is not a number",
                            s ? apr_pescape_echo(p, s, 0) : "");
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || !end || *end) {
        return apr_psprintf(p, "'%s' is not a number",
                            apr_pescape_echo(p, s, 0));
    }
    if (v < lo || v > hi) {
        return apr_psprintf(p, "%ld is outside %ld..%ld", v, lo, hi);
    }
    *out = v;
    return NULL;
}

const char *ailes_parse_duration(apr_pool_t *p, const char *s, long lo,
                                 long hi, long *seconds)
{
    size_t n = s ? strlen(s) : 0;
    long unit = 1, v;
    const char *err;
    char *num;

    if (n == 0) {
        return "empty duration";
    }
    switch (s[n - 1]) {
    case 's': unit = 1; n--; break;
    case 'm': unit = 60; n--; break;
    case 'h': unit = 3600; n--; break;
    case 'd': unit = 86400; n--; break;
    default: break;
    }
    num = apr_pstrmemdup(p, s, n);
    if ((err = ailes_parse_int(p, num, 0, 100L * 365 * 86400, &v))) {
        return apr_psprintf(p, "'%s' is not a duration (a number with "
                            "an optional s, m, h or d)",
                            apr_pescape_echo(p, s, 0));
    }
    v *= unit;
    if (v < lo || v > hi) {
        return apr_psprintf(p, "%s is outside %lds..%lds",
                            apr_pescape_echo(p, s, 0), lo, hi);
    }
    *seconds = v;
    return NULL;
}

const char *ailes_parse_cookie(apr_pool_t *p, const char *header,
                               const char *name)
{
    size_t nlen;
    const char *s;

    if (!header || !name) {
        return NULL;
    }
    nlen = strlen(name);
    s = header;
    while (*s) {
        const char *end;

        while (*s == ' ' || *s == '\t' || *s == ';') {
            s++;
        }
        end = strchr(s, ';');
        if (!end) {
            end = s + strlen(s);
        }
        if ((size_t)(end - s) > nlen && !strncmp(s, name, nlen)
            && s[nlen] == '=') {
            const char *v = s + nlen + 1;
            const char *vend = end;
            while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t')) {
                vend--;
            }
            return apr_pstrmemdup(p, v, (apr_size_t)(vend - v));
        }
        s = end;
    }
    return NULL;
}
