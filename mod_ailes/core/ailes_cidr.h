/* IP allow-lists (the spec's IPアドレス制御): CIDR parsing and matching for
 * IPv4 and IPv6, without DNS and without httpd.
 *
 * An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is treated as the IPv4
 * address it carries, so a dual-stack listener cannot dodge an IPv4 list.
 */
#ifndef AILES_CIDR_H
#define AILES_CIDR_H

#include <apr_pools.h>
#include <apr_tables.h>

#define AILES_CIDR_MAX_ENTRIES 100

typedef struct ailes_cidr {
    int family;                 /* 4 or 6 */
    unsigned char addr[16];     /* network address, host bits zero */
    int bits;                   /* prefix length */
} ailes_cidr_t;

/* Parses "192.0.2.0/24", "2001:db8::/32" or a bare address (a /32 or
 * /128). Host bits set below the prefix are an error (a typo more often
 * than an intent). NULL or an error message. */
const char *ailes_cidr_parse(apr_pool_t *p, const char *s, ailes_cidr_t *out);

/* Parses a list (array of const char *) into an array of ailes_cidr_t;
 * at most AILES_CIDR_MAX_ENTRIES. NULL or an error naming the entry. */
const char *ailes_cidr_list_parse(apr_pool_t *p,
                                  const apr_array_header_t *texts,
                                  apr_array_header_t **list);

/* Splits "a, b c" (commas or spaces) into an array of strings. */
apr_array_header_t *ailes_cidr_split(apr_pool_t *p, const char *text);

/* The canonical text of a CIDR ("192.0.2.0/24", "2001:db8::/32"). */
const char *ailes_cidr_text(apr_pool_t *p, const ailes_cidr_t *c);

/* The canonical list joined by ", " ("" for an empty list). */
const char *ailes_cidr_list_text(apr_pool_t *p,
                                 const apr_array_header_t *list);

/* True when ip (text) is inside c / inside any entry of list. An address
 * that does not parse is inside nothing. */
int ailes_cidr_contains(const ailes_cidr_t *c, const char *ip);
int ailes_cidr_list_contains(const apr_array_header_t *list, const char *ip);

/* True when every entry of inner lies inside some entry of outer. */
int ailes_cidr_list_within(const apr_array_header_t *inner,
                           const apr_array_header_t *outer);

#endif
