/* Fuzzes IP allow-lists (ailes_cidr.h) as a directive or the tenant API
 * gives them: split, parse each entry and the list, print, and match
 * addresses (the input's own entries and fixed ones) against the list. */
#include <apr_tables.h>

#include "ailes_cidr.h"
#include "fuzz_common.h"

static const char *const ips[] = {
    "192.0.2.1", "10.1.2.3", "::1", "2001:db8::1", "::ffff:192.0.2.1",
    "0.0.0.0", "255.255.255.255", "::", "fe80::1%eth0", "", NULL
};

int ailes_fuzz_one(apr_pool_t *p, const uint8_t *data, size_t size)
{
    const char *text = ailes_fuzz_str(p, data, size);
    apr_array_header_t *texts = ailes_cidr_split(p, text), *list = NULL,
                       *again = NULL;
    ailes_cidr_t one;
    int i;

    for (i = 0; i < texts->nelts; i++) {
        const char *t = APR_ARRAY_IDX(texts, i, const char *);
        if (!ailes_cidr_parse(p, t, &one)) {
            if ((one.family != 4 && one.family != 6) || one.bits < 0
                || one.bits > (one.family == 4 ? 32 : 128)) {
                __builtin_trap();
            }
            ailes_cidr_text(p, &one);
            ailes_cidr_contains(&one, t);
        }
    }
    ailes_cidr_contains(&one, text);
    if (ailes_cidr_list_parse(p, texts, &list)) {
        return 0;
    }
    for (i = 0; ips[i]; i++) {
        ailes_cidr_list_contains(list, ips[i]);
    }
    ailes_cidr_list_contains(list, text);
    /* The canonical text parses back to a list that covers the first. */
    if (ailes_cidr_list_parse(p, ailes_cidr_split(p, ailes_cidr_list_text(
                                                         p, list)),
                              &again)
        || !ailes_cidr_list_within(list, again)
        || !ailes_cidr_list_within(again, list)) {
        __builtin_trap();
    }
    return 0;
}
