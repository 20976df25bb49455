/* Fuzzes a CSV upload end to end, as POST /v1/users/import and
 * POST /v1/checkups/import read it: encoding detection (UTF-8, BOM, CP932)
 * and conversion, RFC 4180 parsing, then the user import check and the
 * checkup check (with a fixed "today") on the rows. */
#include <string.h>

#include <apr_tables.h>

#include "ailes_checkup.h"
#include "ailes_csv.h"
#include "ailes_userimport.h"
#include "fuzz_common.h"

#define TODAY "2026-11-26"

int ailes_fuzz_one(apr_pool_t *p, const uint8_t *data, size_t size)
{
    apr_array_header_t *rows = NULL, *users = NULL, *checkups = NULL,
                       *errors = NULL;
    const char *text = NULL, *encoding = NULL;
    apr_size_t len = 0;
    char *buf;

    /* An exact copy: the parsers take (buf, len), not a C string. */
    buf = apr_palloc(p, size);
    if (size) {
        memcpy(buf, data, size);
    }
    if (ailes_csv_to_utf8(p, buf, size, &text, &len, &encoding)) {
        return 0;
    }
    if (!ailes_utf8_valid(text, len)) {
        __builtin_trap();   /* the converter promised UTF-8 */
    }
    if (ailes_csv_parse(p, text, len, AILES_IMPORT_MAX_ROWS + 1, 20, &rows)) {
        return 0;
    }
    ailes_import_check(p, rows, &users, &errors);
    rows = NULL;
    if (ailes_csv_parse(p, text, len, AILES_CHECKUP_MAX_ROWS + 1,
                        AILES_CHECKUP_MAX_FIELDS, &rows)) {
        return 0;
    }
    ailes_checkup_check(p, rows, TODAY, &checkups, &errors);
    return 0;
}
