/* CIDR lists; see ailes_cidr.h. inet_pton does the address syntax (no
 * name lookups ever); the rest is byte arithmetic. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "ailes_cidr.h"
#include "ailes_parse.h"

static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0,
                                            0, 0, 0, 0, 0xff, 0xff };

/* Address text -> family and bytes; IPv4-mapped IPv6 becomes IPv4. */
static int parse_addr(const char *s, int *family, unsigned char *bytes)
{
    unsigned char b6[16];

    if (inet_pton(AF_INET, s, bytes) == 1) {
        *family = 4;
        return 1;
    }
    if (inet_pton(AF_INET6, s, b6) == 1) {
        if (!memcmp(b6, v4mapped, sizeof(v4mapped))) {
            *family = 4;
            memcpy(bytes, b6 + 12, 4);
        }
        else {
            *family = 6;
            memcpy(bytes, b6, 16);
        }
        return 1;
    }
    return 0;
}

static int prefix_equal(const unsigned char *a, const unsigned char *b,
                        int bits)
{
    int full = bits / 8, rest = bits % 8;

    if (memcmp(a, b, (size_t)full)) {
        return 0;
    }
    if (rest) {
        unsigned char mask = (unsigned char)(0xff << (8 - rest));
        return (a[full] & mask) == (b[full] & mask);
    }
    return 1;
}

const char *ailes_cidr_parse(apr_pool_t *p, const char *s, ailes_cidr_t *out)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    char *addr;
    int max, bits, i;
    long v;

    if (!s || !*s || strlen(s) > 64) {
        return "empty or overlong address";
    }
    addr = slash ? apr_pstrmemdup(p, s, (apr_size_t)(slash - s))
                 : apr_pstrdup(p, s);
    memset(out, 0, sizeof(*out));
    if (!parse_addr(addr, &out->family, out->addr)) {
        return apr_psprintf(p, "'%s' is not an IPv4 or IPv6 address", addr);
    }
    max = out->family == 4 ? 32 : 128;
    bits = max;
    if (slash) {
        /* A mapped address's prefix counts in IPv6 bits. */
        int mapped = out->family == 4 && strchr(addr, ':');
        if (ailes_parse_int(p, slash + 1, 0, mapped ? 128 : max, &v)
            || (slash[1] < '0' || slash[1] > '9')) {
            return apr_psprintf(p, "'%s' has a bad prefix length", s);
        }
        bits = mapped ? (int)v - 96 : (int)v;
        if (bits < 0) {
            return apr_psprintf(p, "'%s' has a bad prefix length", s);
        }
    }
    /* Host bits must be zero: 192.0.2.1/24 is more likely a mistake. */
    for (i = bits; i < max; i++) {
        if (out->addr[i / 8] & (0x80 >> (i % 8))) {
            return apr_psprintf(p, "'%s' has host bits set (did you mean "
                                "the network address?)", s);
        }
    }
    out->bits = bits;
    return NULL;
}

apr_array_header_t *ailes_cidr_split(apr_pool_t *p, const char *text)
{
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(const char *));
    char *copy = apr_pstrdup(p, text ? text : ""), *last = NULL, *tok;

    for (tok = apr_strtok(copy, ", \t", &last); tok;
         tok = apr_strtok(NULL, ", \t", &last)) {
        APR_ARRAY_PUSH(out, const char *) = tok;
    }
    return out;
}

const char *ailes_cidr_list_parse(apr_pool_t *p,
                                  const apr_array_header_t *texts,
                                  apr_array_header_t **list)
{
    const char *err;
    int i;

    *list = apr_array_make(p, texts->nelts + 1, sizeof(ailes_cidr_t));
    if (texts->nelts > AILES_CIDR_MAX_ENTRIES) {
        return apr_psprintf(p, "at most %d entries",
                            AILES_CIDR_MAX_ENTRIES);
    }
    for (i = 0; i < texts->nelts; i++) {
        ailes_cidr_t *c = apr_array_push(*list);
        if ((err = ailes_cidr_parse(p, APR_ARRAY_IDX(texts, i, const char *),
                                    c))) {
            return err;
        }
    }
    return NULL;
}

const char *ailes_cidr_text(apr_pool_t *p, const ailes_cidr_t *c)
{
    char buf[64];

    if (!inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, buf,
                   sizeof(buf))) {
        return "?";
    }
    return apr_psprintf(p, "%s/%d", buf, c->bits);
}

const char *ailes_cidr_list_text(apr_pool_t *p,
                                 const apr_array_header_t *list)
{
    const char *out = "";
    int i;

    for (i = 0; list && i < list->nelts; i++) {
        out = apr_pstrcat(p, out, i ? ", " : "",
                          ailes_cidr_text(p, &APR_ARRAY_IDX(list, i,
                                                            ailes_cidr_t)),
                          NULL);
    }
    return out;
}

int ailes_cidr_contains(const ailes_cidr_t *c, const char *ip)
{
    unsigned char bytes[16];
    int family;

    if (!ip || !parse_addr(ip, &family, bytes) || family != c->family) {
        return 0;
    }
    return prefix_equal(c->addr, bytes, c->bits);
}

int ailes_cidr_list_contains(const apr_array_header_t *list, const char *ip)
{
    int i;

    for (i = 0; list && i < list->nelts; i++) {
        if (ailes_cidr_contains(&APR_ARRAY_IDX(list, i, ailes_cidr_t), ip)) {
            return 1;
        }
    }
    return 0;
}

int ailes_cidr_list_within(const apr_array_header_t *inner,
                           const apr_array_header_t *outer)
{
    int i, j;

    for (i = 0; inner && i < inner->nelts; i++) {
        const ailes_cidr_t *a = &APR_ARRAY_IDX(inner, i, ailes_cidr_t);
        int inside = 0;
        for (j = 0; outer && j < outer->nelts && !inside; j++) {
            const ailes_cidr_t *b = &APR_ARRAY_IDX(outer, j, ailes_cidr_t);
            inside = a->family == b->family && a->bits >= b->bits
                     && prefix_equal(a->addr, b->addr, b->bits);
        }
        if (!inside) {
            return 0;
        }
    }
    return 1;
}
