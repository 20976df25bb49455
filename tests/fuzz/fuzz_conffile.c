/* Fuzzes ailes_conffile_split, which ailesctl uses to read directive
 * lines out of the httpd config (quotes, escapes, comments). Each line of
 * the input is split on its own. */
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "ailes_conffile.h"
#include "fuzz_common.h"

int ailes_fuzz_one(apr_pool_t *p, const uint8_t *data, size_t size)
{
    const char *all = ailes_fuzz_str(p, data, size), *line = all;

    while (line) {
        const char *nl = strchr(line, '\n');
        const char *one = nl ? apr_pstrmemdup(p, line,
                                              (apr_size_t)(nl - line))
                             : line;
        apr_array_header_t *args = NULL;
        int i;

        if (!ailes_conffile_split(p, one, &args)) {
            if (!args) {
                __builtin_trap();
            }
            for (i = 0; i < args->nelts; i++) {
                if (!APR_ARRAY_IDX(args, i, const char *)) {
                    __builtin_trap();
                }
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    return 0;
}
