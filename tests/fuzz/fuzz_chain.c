/* Fuzzes ailes_chain_verify, which ailes-logship uses to check a shipped
 * audit log (one JSON record a line) that may have been edited by anyone
 * who could write the file. Each line of the input is the next record of
 * one chain. */
#include <string.h>

#include "ailes_chain.h"
#include "fuzz_common.h"

int ailes_fuzz_one(apr_pool_t *p, const uint8_t *data, size_t size)
{
    char *buf = apr_palloc(p, size);
    ailes_chain_t c;
    size_t start = 0, i;

    if (size) {
        memcpy(buf, data, size);
    }
    ailes_chain_init(&c);
    for (i = 0; i <= size; i++) {
        if (i == size || buf[i] == '\n') {
            /* An exact copy of the line, as logship reads it. */
            char *line = apr_palloc(p, i - start + 1);
            memcpy(line, buf + start, i - start);
            line[i - start] = '\0';
            ailes_chain_verify(p, &c, line, i - start);
            start = i + 1;
        }
    }
    return 0;
}
