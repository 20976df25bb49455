/* Fuzzes the small parsers that take a request's or a directive's text:
 * everything in ailes_parse.h (slug, employee number, text, int, duration,
 * cookie) and the validators next to them (session token, TOTP code and
 * its check, base32 secret, recovery and activation codes, role name,
 * password policy, JST date, full-width folding, UTF-8 check).
 *
 * Input: one selector byte, then the text. For the cookie the text is
 * "NAME\nHEADER", and the header is also searched for the module's own
 * cookie names. */
#include <string.h>

#include <apr_strings.h>
#include <apr_time.h>

#include "ailes_csv.h"
#include "ailes_parse.h"
#include "ailes_policy.h"
#include "ailes_role.h"
#include "ailes_time.h"
#include "ailes_token.h"
#include "ailes_totp.h"
#include "fuzz_common.h"

/* RFC 6238's test secret, and a fixed "now" (2026-11-26T00:00:00Z). */
static const unsigned char secret[] = "12345678901234567890";
#define NOW 1795651200

static void cookie(apr_pool_t *p, const char *s)
{
    const char *nl = strchr(s, '\n');
    const char *name = nl ? apr_pstrmemdup(p, s, (apr_size_t)(nl - s)) : s;
    const char *header = nl ? nl + 1 : s;
    const char *v;

    if ((v = ailes_parse_cookie(p, header, name)) && !strstr(header, v)) {
        __builtin_trap();   /* a value is a part of the header */
    }
    ailes_token_wellformed(ailes_parse_cookie(p, header, "ailes"));
    ailes_token_wellformed(ailes_parse_cookie(p, header, "__Host-ailes"));
    ailes_parse_cookie(p, header, "");
}

int ailes_fuzz_one(apr_pool_t *p, const uint8_t *data, size_t size)
{
    const char *s;
    apr_size_t len = 0;
    apr_time_t start;
    long v = 0;

    if (size < 1) {
        return 0;
    }
    s = ailes_fuzz_str(p, data + 1, size - 1);
    switch (data[0] % 12) {
    case 0:
        ailes_parse_slug(p, s);
        break;
    case 1:
        ailes_parse_employee_no(p, s);
        ailes_parse_employee_no(p, ailes_fullwidth_to_ascii(p, s));
        break;
    case 2:
        ailes_parse_text(p, s, AILES_NAME_MAX, "name");
        ailes_parse_text(p, s, AILES_LABEL_MAX, "label");
        ailes_parse_text(p, s, 0, "nothing");
        break;
    case 3:
        if (!ailes_parse_int(p, s, -1000, 1000, &v)
            && (v < -1000 || v > 1000)) {
            __builtin_trap();
        }
        ailes_parse_int(p, s, 0, 0x7fffffffL, &v);
        ailes_parse_int(p, s, -0x7fffffffL - 1, 0x7fffffffL, &v);
        break;
    case 4:
        if (!ailes_parse_duration(p, s, 60, 86400, &v)
            && (v < 60 || v > 86400)) {
            __builtin_trap();
        }
        ailes_parse_duration(p, s, 0, 100L * 365 * 86400, &v);
        break;
    case 5:
        cookie(p, s);
        break;
    case 6:
        ailes_token_wellformed(s);
        ailes_token_hash(p, s);
        ailes_token_equal(s, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        break;
    case 7:
        if (ailes_totp_code_wellformed(s)) {
            ailes_totp_match(secret, sizeof(secret) - 1, s, NOW, 1, 0);
        }
        ailes_totp_match(secret, sizeof(secret) - 1, s, NOW,
                         AILES_TOTP_WINDOW_MAX, NOW / AILES_TOTP_STEP);
        break;
    case 8: {
        unsigned char *raw = ailes_totp_unbase32(p, s, &len);
        if (raw) {
            ailes_totp_base32(p, raw, len);
        }
        break;
    }
    case 9:
        ailes_recovery_code_hash(p, s);
        ailes_code_hash(p, s, 16);
        ailes_role_parse(s);
        break;
    case 10:
        ailes_policy_check(p, s, AILES_ROLE_EMPLOYEE, "E0001");
        ailes_policy_check(p, s, AILES_ROLE_TENANT_ADMIN, s);
        break;
    case 11:
        ailes_time_parse_jst_date(p, s, &start);
        ailes_utf8_valid(s, strlen(s));
        break;
    }
    return 0;
}
