/* Password policy; see ailes_policy.h. Length counts characters (UTF-8
 * code points), as a person counts them; the byte limit is bcrypt's. */
#include <string.h>

#include <apr_strings.h>

#include "ailes_password.h"
#include "ailes_policy.h"

int ailes_policy_min_length(ailes_role_t role)
{
    return ailes_role_is_high_privilege(role) ? AILES_PW_MIN_PRIVILEGED
                                              : AILES_PW_MIN_EMPLOYEE;
}

/* Decodes one UTF-8 sequence at s; returns its length (1-4) and the code
 * point, or 0 for an invalid, overlong or surrogate sequence. */
static int utf8_next(const unsigned char *s, unsigned long *cp)
{
    unsigned long c;
    int n, i;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2;
        c = s[0] & 0x1f;
    }
    else if ((s[0] & 0xf0) == 0xe0) {
        n = 3;
        c = s[0] & 0x0f;
    }
    else if ((s[0] & 0xf8) == 0xf0) {
        n = 4;
        c = s[0] & 0x07;
    }
    else {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (s[i] & 0x3f);
    }
    if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800)
        || (n == 4 && (c < 0x10000 || c > 0x10ffff))
        || (c >= 0xd800 && c <= 0xdfff)) {
        return 0;
    }
    *cp = c;
    return n;
}

static void add(apr_array_header_t *v, const char *rule, const char *message)
{
    ailes_policy_violation_t *x = apr_array_push(v);

    x->rule = rule;
    x->message = message;
}

apr_array_header_t *ailes_policy_check(apr_pool_t *p, const char *pw,
                                       ailes_role_t role,
                                       const char *employee_no)
{
    apr_array_header_t *v = apr_array_make(p, 4, sizeof(ailes_policy_violation_t));
    const unsigned char *s = (const unsigned char *)(pw ? pw : "");
    int upper = 0, lower = 0, digit = 0, fullwidth = 0, chars = 0;
    int min = ailes_policy_min_length(role);

    while (*s) {
        unsigned long cp;
        int n = utf8_next(s, &cp);

        if (!n) {
            add(v, "utf8", "the password is not valid UTF-8");
            return v;
        }
        chars++;
        if (cp >= 'A' && cp <= 'Z') {
            upper = 1;
        }
        else if (cp >= 'a' && cp <= 'z') {
            lower = 1;
        }
        else if (cp >= '0' && cp <= '9') {
            digit = 1;
        }
        else if ((cp >= 0xff10 && cp <= 0xff19) || (cp >= 0xff21 && cp <= 0xff3a)
                 || (cp >= 0xff41 && cp <= 0xff5a)) {
            fullwidth = 1;  /* ０-９, Ａ-Ｚ, ａ-ｚ */
        }
        s += n;
    }
    if (chars < min) {
        add(v, "min_length", apr_psprintf(p, "at least %d characters", min));
    }
    if (strlen(pw ? pw : "") > AILES_PASSWORD_MAX_BYTES) {
        add(v, "max_bytes", apr_psprintf(p, "at most %d bytes (bcrypt reads "
                                         "no further)",
                                         AILES_PASSWORD_MAX_BYTES));
    }
    if (!upper) {
        add(v, "upper", "at least one upper-case letter A-Z");
    }
    if (!lower) {
        add(v, "lower", "at least one lower-case letter a-z");
    }
    if (!digit) {
        add(v, "digit", "at least one digit 0-9");
    }
    if (fullwidth && (!upper || !lower || !digit)) {
        add(v, "fullwidth", "full-width (全角) letters and digits do not "
                            "count as A-Z, a-z or 0-9");
    }
    if (employee_no && pw && !strcmp(pw, employee_no)) {
        add(v, "not_employee_no", "must not be the employee number");
    }
    return v->nelts ? v : NULL;
}

const char *ailes_policy_summary(apr_pool_t *p,
                                 const apr_array_header_t *violations)
{
    const char *out = "";
    int i;

    for (i = 0; violations && i < violations->nelts; i++) {
        const ailes_policy_violation_t *x =
            &APR_ARRAY_IDX(violations, i, ailes_policy_violation_t);
        out = apr_pstrcat(p, out, i ? "; " : "", x->message, NULL);
    }
    return out;
}
