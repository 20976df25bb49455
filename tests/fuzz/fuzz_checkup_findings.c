/* Fuzzes ailes_checkup_findings on arbitrary text (it reads the items JSON
 * kept in the database, which a bug elsewhere or an edited row could make
 * anything), and ailes_checkup_date on the same bytes. */
#include <apr_tables.h>

#include "ailes_checkup.h"
#include "fuzz_common.h"

int ailes_fuzz_one(apr_pool_t *p, const uint8_t *data, size_t size)
{
    const char *s = ailes_fuzz_str(p, data, size);
    apr_array_header_t *flagged = NULL;
    unsigned examined = 0, found = 0;
    int i;

    if (0 == ailes_checkup_findings(p, s, &examined, &found, &flagged)) {
        if (found & ~examined) {
            __builtin_trap();   /* a finding in a group not examined */
        }
        for (i = 0; i < flagged->nelts; i++) {
            if (!APR_ARRAY_IDX(flagged, i, const char *)) {
                __builtin_trap();
            }
        }
    }
    ailes_checkup_date(p, s);
    return 0;
}
