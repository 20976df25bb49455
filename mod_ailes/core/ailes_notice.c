/* Notice checks; see ailes_notice.h. */
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "ailes_csv.h"
#include "ailes_notice.h"
#include "ailes_parse.h"
#include "ailes_time.h"

static const char *const severities[] = { "info", "maintenance",
                                          "vulnerability", "incident", NULL };

const char *ailes_notice_check_severity(apr_pool_t *p, const char *severity)
{
    int i;

    for (i = 0; severity && severities[i]; i++) {
        if (!strcmp(severity, severities[i])) {
            return NULL;
        }
    }
    (void)p;
    return "severity is one of info, maintenance, vulnerability, incident";
}

int ailes_notice_severity_mails(const char *severity)
{
    return severity && (!strcmp(severity, "vulnerability")
                        || !strcmp(severity, "incident"));
}

/* The code point at s (valid UTF-8), and its length in *n. */
static unsigned long code_point(const unsigned char *s, apr_size_t *n)
{
    if (s[0] < 0x80) {
        *n = 1;
        return s[0];
    }
    if ((s[0] & 0xe0) == 0xc0) {
        *n = 2;
        return ((s[0] & 0x1fUL) << 6) | (s[1] & 0x3f);
    }
    if ((s[0] & 0xf0) == 0xe0) {
        *n = 3;
        return ((s[0] & 0x0fUL) << 12) | ((s[1] & 0x3fUL) << 6)
               | (s[2] & 0x3f);
    }
    *n = 4;
    return ((s[0] & 0x07UL) << 18) | ((s[1] & 0x3fUL) << 12)
           | ((s[2] & 0x3fUL) << 6) | (s[3] & 0x3f);
}

const char *ailes_notice_check_text(apr_pool_t *p, const char *s,
                                    apr_size_t max, int multiline,
                                    const char *what)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t chars = 0, n;
    int visible = 0;

    if (!s || !*s) {
        return apr_psprintf(p, "%s is empty", what);
    }
    if (!ailes_utf8_valid(s, strlen(s))) {
        return apr_psprintf(p, "%s is not valid UTF-8", what);
    }
    while (*u) {
        unsigned long cp = code_point(u, &n);

        if ((cp < 0x20 && !(multiline && cp == '\n')) || cp == 0x7f
            || (cp >= 0x80 && cp < 0xa0)) {
            return apr_psprintf(p, "%s has a control character%s", what,
                                multiline ? " (only line breaks, LF, are "
                                            "allowed)"
                                          : "");
        }
        if (cp != ' ' && cp != '\n' && cp != 0x3000) {
            visible = 1;
        }
        chars++;
        u += n;
    }
    if (!visible) {
        return apr_psprintf(p, "%s is empty", what);
    }
    if (chars > max) {
        return apr_psprintf(p, "%s has more than %lu characters", what,
                            (unsigned long)max);
    }
    return NULL;
}

static int digits(const char *s, int n, int *v)
{
    int i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
        *v = *v * 10 + (s[i] - '0');
    }
    return 1;
}

const char *ailes_notice_parse_time(apr_pool_t *p, const char *s,
                                    apr_time_t *t)
{
    static const char *const msg =
        "a time is YYYY-MM-DDTHH:MM (JST), e.g. 2026-01-10T02:00";
    int hh, mm;
    apr_time_t day;

    (void)p;
    if (!s || strlen(s) != 16 || s[10] != 'T' || s[13] != ':'
        || !digits(s + 11, 2, &hh) || !digits(s + 14, 2, &mm) || hh > 23
        || mm > 59) {
        return msg;
    }
    if (ailes_time_parse_jst_date(p, apr_pstrmemdup(p, s, 10), &day)) {
        return msg;
    }
    *t = day + apr_time_from_sec((apr_int64_t)hh * 3600 + mm * 60);
    return NULL;
}

const char *ailes_notice_parse_tenants(apr_pool_t *p, const char *s,
                                       int *all,
                                       apr_array_header_t **slugs)
{
    char *copy, *item, *last;
    int i;

    *all = 0;
    *slugs = apr_array_make(p, 4, sizeof(const char *));
    if (s && !strcmp(s, "all")) {
        *all = 1;
        return NULL;
    }
    if (!s || !*s || s[0] == ',' || s[strlen(s) - 1] == ','
        || strstr(s, ",,")) {
        return "tenants is all or SLUG,SLUG,... (no empty item)";
    }
    copy = apr_pstrdup(p, s);
    for (item = apr_strtok(copy, ",", &last); item;
         item = apr_strtok(NULL, ",", &last)) {
        const char *err = ailes_parse_slug(p, item);
        int dup = 0;

        if (!strcmp(item, "all")) {
            return "tenants: all stands alone, never in a list";
        }
        if (err) {
            return apr_pstrcat(p, "tenants: ", err, NULL);
        }
        for (i = 0; i < (*slugs)->nelts; i++) {
            dup |= !strcmp(APR_ARRAY_IDX(*slugs, i, const char *), item);
        }
        if (!dup) {
            APR_ARRAY_PUSH(*slugs, const char *) = item;
        }
    }
    return NULL;
}
