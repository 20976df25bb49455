/* ailes_cidr: CIDR parsing, canonical text, lists, matching of client
 * addresses and list containment, for IPv4, IPv6 and IPv4-mapped IPv6. */
#include <stdarg.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "ailes_cidr.h"
#include "unit_tests.h"

static apr_pool_t *pool;

static void setup(void)
{
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static const char *repeat(char c, size_t n)
{
    char *s = apr_palloc(pool, n + 1);

    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* Parses s, which must be accepted with the given family, prefix length
 * and canonical text. */
static ailes_cidr_t parse_ok(const char *s, int family, int bits,
                             const char *text)
{
    ailes_cidr_t c;
    const char *err = ailes_cidr_parse(pool, s, &c);

    ck_assert_msg(err == NULL, "'%s' refused: %s", s, err);
    ck_assert_msg(c.family == family, "'%s': family %d, expected %d", s,
                  c.family, family);
    ck_assert_msg(c.bits == bits, "'%s': bits %d, expected %d", s, c.bits,
                  bits);
    ck_assert_str_eq(ailes_cidr_text(pool, &c), text);
    return c;
}

/* Parses s, which must be refused with a non-empty message. */
static const char *parse_bad(const char *s)
{
    ailes_cidr_t c;
    const char *err = ailes_cidr_parse(pool, s, &c);

    ck_assert_msg(err != NULL, "'%s' accepted as %s", s ? s : "(null)",
                  ailes_cidr_text(pool, &c));
    ck_assert_msg(*err != '\0', "'%s' refused with an empty message",
                  s ? s : "(null)");
    return err;
}

/* A parsed list from the given entries (NULL-terminated); must parse. */
static apr_array_header_t *list_of(const char *first, ...)
{
    apr_array_header_t *texts = apr_array_make(pool, 4, sizeof(const char *));
    apr_array_header_t *list = NULL;
    const char *err, *s;
    va_list ap;

    va_start(ap, first);
    for (s = first; s; s = va_arg(ap, const char *)) {
        APR_ARRAY_PUSH(texts, const char *) = s;
    }
    va_end(ap);
    err = ailes_cidr_list_parse(pool, texts, &list);
    ck_assert_msg(err == NULL, "list refused: %s", err);
    ck_assert_ptr_nonnull(list);
    ck_assert_int_eq(list->nelts, texts->nelts);
    return list;
}

static apr_array_header_t *empty_list(void)
{
    return apr_array_make(pool, 1, sizeof(ailes_cidr_t));
}

#define IN(c, ip) ck_assert_msg(ailes_cidr_contains(&(c), ip), \
                                "%s not in %s", ip,            \
                                ailes_cidr_text(pool, &(c)))
#define OUT(c, ip) ck_assert_msg(!ailes_cidr_contains(&(c), ip),  \
                                 "%s in %s", ip ? ip : "(null)",  \
                                 ailes_cidr_text(pool, &(c)))

/* --- parse: accepted ------------------------------------------------------ */

START_TEST(cidr_parse_ipv4)
{
    ailes_cidr_t c = parse_ok("192.0.2.0/24", 4, 24, "192.0.2.0/24");
    static const unsigned char net[4] = { 192, 0, 2, 0 };

    ck_assert_int_eq(memcmp(c.addr, net, 4), 0);
    parse_ok("10.0.0.0/8", 4, 8, "10.0.0.0/8");
    parse_ok("192.0.2.128/25", 4, 25, "192.0.2.128/25");
}
END_TEST

START_TEST(cidr_parse_ipv4_bare_is_32)
{
    ailes_cidr_t c = parse_ok("192.0.2.7", 4, 32, "192.0.2.7/32");
    static const unsigned char host[4] = { 192, 0, 2, 7 };

    ck_assert_int_eq(memcmp(c.addr, host, 4), 0);
    parse_ok("192.0.2.7/32", 4, 32, "192.0.2.7/32");
}
END_TEST

START_TEST(cidr_parse_ipv4_zero_prefix)
{
    parse_ok("0.0.0.0/0", 4, 0, "0.0.0.0/0");
}
END_TEST

START_TEST(cidr_parse_ipv6)
{
    ailes_cidr_t c = parse_ok("2001:db8::/32", 6, 32, "2001:db8::/32");
    static const unsigned char net[16] = { 0x20, 0x01, 0x0d, 0xb8 };

    ck_assert_int_eq(memcmp(c.addr, net, 16), 0);
    /* Non-canonical spelling comes back canonical. */
    parse_ok("2001:0DB8:0000::/32", 6, 32, "2001:db8::/32");
}
END_TEST

START_TEST(cidr_parse_ipv6_bare_is_128)
{
    parse_ok("::1", 6, 128, "::1/128");
    parse_ok("2001:db8::1", 6, 128, "2001:db8::1/128");
}
END_TEST

START_TEST(cidr_parse_ipv6_zero_prefix)
{
    parse_ok("::/0", 6, 0, "::/0");
}
END_TEST

START_TEST(cidr_parse_ipv4_mapped_becomes_ipv4)
{
    ailes_cidr_t c = parse_ok("::ffff:192.0.2.0/120", 4, 24,
                              "192.0.2.0/24");
    static const unsigned char net[4] = { 192, 0, 2, 0 };

    ck_assert_int_eq(memcmp(c.addr, net, 4), 0);
    parse_ok("::ffff:192.0.2.7", 4, 32, "192.0.2.7/32");
    parse_ok("::ffff:0.0.0.0/96", 4, 0, "0.0.0.0/0");
}
END_TEST

/* --- parse: refused ------------------------------------------------------- */

START_TEST(cidr_parse_rejects_empty_and_null)
{
    parse_bad("");
    parse_bad(NULL);
}
END_TEST

START_TEST(cidr_parse_rejects_host_bits)
{
    const char *err = parse_bad("192.0.2.1/24");

    ck_assert_msg(strstr(err, "host bits") != NULL,
                  "message does not mention host bits: %s", err);
    err = parse_bad("2001:db8::1/32");
    ck_assert_msg(strstr(err, "host bits") != NULL,
                  "message does not mention host bits: %s", err);
    parse_bad("192.0.2.128/24");
    parse_bad("192.0.3.0/23");
    parse_bad("::ffff:192.0.2.1/120");
}
END_TEST

START_TEST(cidr_parse_rejects_bad_prefix)
{
    parse_bad("192.0.2.0/33");
    parse_bad("2001:db8::/129");
    parse_bad("192.0.2.0/-1");
    parse_bad("192.0.2.0/");
    parse_bad("192.0.2.0/+8");
    parse_bad("192.0.2.0/ 8");
    parse_bad("0.0.0.0/ 8");
    parse_bad("0.0.0.0/8 ");
    parse_bad("0.0.0.0/8x");
    parse_bad("0.0.0.0/-0");
    parse_bad("::/-0");
    parse_bad("192.0.2.0/24/24");
}
END_TEST

START_TEST(cidr_parse_rejects_bad_address)
{
    parse_bad("300.1.1.1");
    parse_bad("1.2.3");
    parse_bad("example.com");
    parse_bad("1.2.3.4/8/8");
    parse_bad("1.0.0.0/8/8");
    parse_bad("fe80::1%eth0");
    parse_bad(" 192.0.2.0/24");
    parse_bad("/24");
}
END_TEST

START_TEST(cidr_parse_rejects_overlong)
{
    const char *s = apr_pstrcat(pool, "192.0.2.0/", repeat('0', 53), "24",
                                NULL);

    parse_bad(repeat('1', 65));
    /* Would be a /24 if it were not one character too long. */
    ck_assert_uint_eq(strlen(s), 65);
    parse_bad(s);
}
END_TEST

START_TEST(cidr_parse_rejects_mapped_prefix_below_96)
{
    parse_bad("::ffff:192.0.2.0/95");
    /* No host bits set, so only the prefix check can refuse these. */
    parse_bad("::ffff:0.0.0.0/95");
    parse_bad("::ffff:0.0.0.0/64");
    parse_bad("::ffff:0.0.0.0/0");
    parse_bad("::ffff:192.0.2.0/129");
}
END_TEST

/* --- split ---------------------------------------------------------------- */

START_TEST(cidr_split_commas_spaces_tabs)
{
    apr_array_header_t *a = ailes_cidr_split(pool, "a, b c\t,d");

    ck_assert_int_eq(a->nelts, 4);
    ck_assert_str_eq(APR_ARRAY_IDX(a, 0, const char *), "a");
    ck_assert_str_eq(APR_ARRAY_IDX(a, 1, const char *), "b");
    ck_assert_str_eq(APR_ARRAY_IDX(a, 2, const char *), "c");
    ck_assert_str_eq(APR_ARRAY_IDX(a, 3, const char *), "d");
}
END_TEST

START_TEST(cidr_split_empty_and_null)
{
    apr_array_header_t *a = ailes_cidr_split(pool, "");

    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(a->nelts, 0);
    a = ailes_cidr_split(pool, NULL);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(a->nelts, 0);
    a = ailes_cidr_split(pool, " ,\t, ");
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(a->nelts, 0);
}
END_TEST

/* --- list parse and text -------------------------------------------------- */

static apr_array_header_t *n_entries(int n)
{
    apr_array_header_t *texts = apr_array_make(pool, n, sizeof(const char *));
    int i;

    for (i = 0; i < n; i++) {
        APR_ARRAY_PUSH(texts, const char *) =
            apr_psprintf(pool, "10.%d.%d.0/24", i / 256, i % 256);
    }
    return texts;
}

START_TEST(cidr_list_parse_100_entries)
{
    apr_array_header_t *list = NULL;
    const char *err = ailes_cidr_list_parse(pool, n_entries(100), &list);

    ck_assert_msg(err == NULL, "100 entries refused: %s", err);
    ck_assert_int_eq(list->nelts, 100);
    ck_assert_int_eq(AILES_CIDR_MAX_ENTRIES, 100);
    ck_assert_int_eq(ailes_cidr_list_contains(list, "10.0.99.1"), 1);
    ck_assert_int_eq(ailes_cidr_list_contains(list, "10.0.100.1"), 0);
}
END_TEST

START_TEST(cidr_list_parse_101_refused)
{
    apr_array_header_t *list = NULL;

    ck_assert_ptr_nonnull(ailes_cidr_list_parse(pool, n_entries(101),
                                                &list));
}
END_TEST

START_TEST(cidr_list_parse_error_names_entry)
{
    apr_array_header_t *list = NULL;
    const char *err;

    err = ailes_cidr_list_parse(pool,
                                ailes_cidr_split(pool, "192.0.2.0/24, "
                                                 "198.51.100.1/24"),
                                &list);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "198.51.100.1/24") != NULL,
                  "error does not name the entry: %s", err);

    err = ailes_cidr_list_parse(pool,
                                ailes_cidr_split(pool, "2001:db8::/32 "
                                                 "bogus.example"),
                                &list);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "bogus.example") != NULL,
                  "error does not name the entry: %s", err);

    err = ailes_cidr_list_parse(pool,
                                ailes_cidr_split(pool, "10.0.0.0/40"),
                                &list);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "10.0.0.0/40") != NULL,
                  "error does not name the entry: %s", err);
}
END_TEST

START_TEST(cidr_list_text_joins)
{
    apr_array_header_t *list = list_of("192.0.2.0/24", "2001:DB8::/32",
                                       NULL);

    ck_assert_str_eq(ailes_cidr_list_text(pool, list),
                     "192.0.2.0/24, 2001:db8::/32");
    list = list_of("::ffff:192.0.2.0/120", NULL);
    ck_assert_str_eq(ailes_cidr_list_text(pool, list), "192.0.2.0/24");
}
END_TEST

START_TEST(cidr_list_text_empty_and_null)
{
    ck_assert_str_eq(ailes_cidr_list_text(pool, empty_list()), "");
    ck_assert_str_eq(ailes_cidr_list_text(pool, NULL), "");
    ck_assert_str_eq(ailes_cidr_list_text(pool, list_of(NULL)), "");
}
END_TEST

/* --- contains ------------------------------------------------------------- */

START_TEST(cidr_contains_ipv4_edges)
{
    ailes_cidr_t c = parse_ok("192.0.2.0/24", 4, 24, "192.0.2.0/24");

    IN(c, "192.0.2.0");
    IN(c, "192.0.2.1");
    IN(c, "192.0.2.255");
    OUT(c, "192.0.1.255");
    OUT(c, "192.0.3.0");
    OUT(c, "193.0.2.0");
}
END_TEST

START_TEST(cidr_contains_zero_prefix)
{
    ailes_cidr_t v4 = parse_ok("0.0.0.0/0", 4, 0, "0.0.0.0/0");
    ailes_cidr_t v6 = parse_ok("::/0", 6, 0, "::/0");

    IN(v4, "0.0.0.0");
    IN(v4, "255.255.255.255");
    IN(v4, "192.0.2.9");
    IN(v4, "::ffff:203.0.113.5");
    OUT(v4, "::1");
    OUT(v4, "2001:db8::1");
    OUT(v4, "::");

    IN(v6, "::");
    IN(v6, "::1");
    IN(v6, "2001:db8::1");
    IN(v6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    OUT(v6, "0.0.0.0");
    OUT(v6, "192.0.2.9");
    OUT(v6, "255.255.255.255");
}
END_TEST

START_TEST(cidr_contains_odd_prefixes)
{
    ailes_cidr_t c;

    c = parse_ok("192.0.2.0/23", 4, 23, "192.0.2.0/23");
    IN(c, "192.0.2.0");
    IN(c, "192.0.3.255");
    OUT(c, "192.0.1.255");
    OUT(c, "192.0.4.0");

    c = parse_ok("192.0.2.128/25", 4, 25, "192.0.2.128/25");
    IN(c, "192.0.2.128");
    IN(c, "192.0.2.255");
    OUT(c, "192.0.2.127");
    OUT(c, "192.0.3.0");

    c = parse_ok("192.0.2.0/25", 4, 25, "192.0.2.0/25");
    IN(c, "192.0.2.0");
    IN(c, "192.0.2.127");
    OUT(c, "192.0.1.255");
    OUT(c, "192.0.2.128");

    c = parse_ok("192.0.2.6/31", 4, 31, "192.0.2.6/31");
    IN(c, "192.0.2.6");
    IN(c, "192.0.2.7");
    OUT(c, "192.0.2.5");
    OUT(c, "192.0.2.8");

    c = parse_ok("128.0.0.0/1", 4, 1, "128.0.0.0/1");
    IN(c, "128.0.0.0");
    IN(c, "255.255.255.255");
    OUT(c, "127.255.255.255");
    OUT(c, "0.0.0.0");

    c = parse_ok("0.0.0.0/1", 4, 1, "0.0.0.0/1");
    IN(c, "0.0.0.0");
    IN(c, "127.255.255.255");
    OUT(c, "128.0.0.0");

    c = parse_ok("192.0.2.7/32", 4, 32, "192.0.2.7/32");
    IN(c, "192.0.2.7");
    OUT(c, "192.0.2.6");
    OUT(c, "192.0.2.8");

    c = parse_ok("2001:db8::/127", 6, 127, "2001:db8::/127");
    IN(c, "2001:db8::");
    IN(c, "2001:db8::1");
    OUT(c, "2001:db8::2");
    OUT(c, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff");

    c = parse_ok("2001:db8::2/127", 6, 127, "2001:db8::2/127");
    IN(c, "2001:db8::2");
    IN(c, "2001:db8::3");
    OUT(c, "2001:db8::1");
    OUT(c, "2001:db8::4");

    c = parse_ok("8000::/1", 6, 1, "8000::/1");
    IN(c, "8000::");
    IN(c, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    OUT(c, "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    OUT(c, "::1");

    c = parse_ok("2001:db8::/32", 6, 32, "2001:db8::/32");
    IN(c, "2001:db8::");
    IN(c, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
    OUT(c, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff");
    OUT(c, "2001:db9::");
}
END_TEST

START_TEST(cidr_contains_ipv4_mapped)
{
    apr_array_header_t *v4 = list_of("192.0.2.0/24", NULL);
    apr_array_header_t *mapped = list_of("::ffff:192.0.2.0/120", NULL);

    ck_assert_int_eq(ailes_cidr_list_contains(v4, "::ffff:192.0.2.9"), 1);
    ck_assert_int_eq(ailes_cidr_list_contains(v4, "::FFFF:c000:0209"), 1);
    ck_assert_int_eq(ailes_cidr_list_contains(v4, "::ffff:192.0.3.9"), 0);
    ck_assert_int_eq(ailes_cidr_list_contains(mapped, "192.0.2.9"), 1);
    ck_assert_int_eq(ailes_cidr_list_contains(mapped, "::ffff:192.0.2.9"),
                     1);
    ck_assert_int_eq(ailes_cidr_list_contains(mapped, "192.0.3.9"), 0);
    /* Not mapped: the IPv4-compatible form and a NAT64 prefix are IPv6. */
    ck_assert_int_eq(ailes_cidr_list_contains(v4, "::192.0.2.9"), 0);
    ck_assert_int_eq(ailes_cidr_list_contains(v4, "64:ff9b::192.0.2.9"),
                     0);
}
END_TEST

START_TEST(cidr_contains_garbage_matches_nothing)
{
    apr_array_header_t *all = list_of("0.0.0.0/0", "::/0", NULL);
    ailes_cidr_t c = parse_ok("fe80::/10", 6, 10, "fe80::/10");

    IN(c, "fe80::1");
    OUT(c, "fe80::1%eth0");
    OUT(c, "fe80::1%1");
    OUT(c, "");
    OUT(c, NULL);

    ck_assert_int_eq(ailes_cidr_list_contains(all, "fe80::1"), 1);
    ck_assert_int_eq(ailes_cidr_list_contains(all, "1.2.3.4"), 1);
    ck_assert_int_eq(ailes_cidr_list_contains(all, "fe80::1%eth0"), 0);
    ck_assert_int_eq(ailes_cidr_list_contains(all, ""), 0);
    ck_assert_int_eq(ailes_cidr_list_contains(all, NULL), 0);
    ck_assert_int_eq(ailes_cidr_list_contains(all, "1.2.3.4x"), 0);
    ck_assert_int_eq(ailes_cidr_list_contains(all, "1.2.3.4/32"), 0);
    ck_assert_int_eq(ailes_cidr_list_contains(all, " 1.2.3.4"), 0);
    ck_assert_int_eq(ailes_cidr_list_contains(all, "1.2.3.4 "), 0);
    ck_assert_int_eq(ailes_cidr_list_contains(all, "example.com"), 0);
    ck_assert_int_eq(ailes_cidr_list_contains(all, "localhost"), 0);
    ck_assert_int_eq(ailes_cidr_list_contains(all, "300.1.1.1"), 0);
}
END_TEST

START_TEST(cidr_list_contains_any_entry)
{
    apr_array_header_t *list = list_of("192.0.2.0/24", "2001:db8::/32",
                                       "198.51.100.7", NULL);

    ck_assert_int_eq(ailes_cidr_list_contains(list, "192.0.2.200"), 1);
    ck_assert_int_eq(ailes_cidr_list_contains(list, "2001:db8:1::5"), 1);
    ck_assert_int_eq(ailes_cidr_list_contains(list, "198.51.100.7"), 1);
    ck_assert_int_eq(ailes_cidr_list_contains(list, "198.51.100.8"), 0);
    ck_assert_int_eq(ailes_cidr_list_contains(list, "2001:db9::1"), 0);
    ck_assert_int_eq(ailes_cidr_list_contains(list, "203.0.113.1"), 0);
}
END_TEST

START_TEST(cidr_list_contains_empty_list)
{
    ck_assert_int_eq(ailes_cidr_list_contains(empty_list(), "192.0.2.1"),
                     0);
    ck_assert_int_eq(ailes_cidr_list_contains(empty_list(), "::1"), 0);
    ck_assert_int_eq(ailes_cidr_list_contains(NULL, "192.0.2.1"), 0);
}
END_TEST

/* --- within --------------------------------------------------------------- */

START_TEST(cidr_within_narrower_yes)
{
    ck_assert_int_eq(ailes_cidr_list_within(list_of("192.0.2.0/25", NULL),
                                            list_of("192.0.2.0/24", NULL)),
                     1);
    ck_assert_int_eq(ailes_cidr_list_within(list_of("192.0.2.128/25",
                                                    NULL),
                                            list_of("192.0.2.0/24", NULL)),
                     1);
    ck_assert_int_eq(ailes_cidr_list_within(list_of("192.0.2.9", NULL),
                                            list_of("192.0.2.0/24", NULL)),
                     1);
    ck_assert_int_eq(ailes_cidr_list_within(list_of("2001:db8:1::/48",
                                                    NULL),
                                            list_of("2001:db8::/32", NULL)),
                     1);
}
END_TEST

START_TEST(cidr_within_wider_no)
{
    ck_assert_int_eq(ailes_cidr_list_within(list_of("192.0.2.0/23", NULL),
                                            list_of("192.0.2.0/24", NULL)),
                     0);
    ck_assert_int_eq(ailes_cidr_list_within(list_of("0.0.0.0/0", NULL),
                                            list_of("192.0.2.0/24", NULL)),
                     0);
    /* Same length, different network. */
    ck_assert_int_eq(ailes_cidr_list_within(list_of("192.0.3.0/24", NULL),
                                            list_of("192.0.2.0/24", NULL)),
                     0);
    ck_assert_int_eq(ailes_cidr_list_within(list_of("192.0.3.0/25", NULL),
                                            list_of("192.0.2.0/24", NULL)),
                     0);
}
END_TEST

START_TEST(cidr_within_equal_yes)
{
    ck_assert_int_eq(ailes_cidr_list_within(list_of("192.0.2.0/24", NULL),
                                            list_of("192.0.2.0/24", NULL)),
                     1);
    ck_assert_int_eq(ailes_cidr_list_within(list_of("2001:db8::/32", NULL),
                                            list_of("2001:db8::/32", NULL)),
                     1);
    ck_assert_int_eq(ailes_cidr_list_within(list_of("::ffff:192.0.2.0/120",
                                                    NULL),
                                            list_of("192.0.2.0/24", NULL)),
                     1);
}
END_TEST

START_TEST(cidr_within_other_family_no)
{
    ck_assert_int_eq(ailes_cidr_list_within(list_of("2001:db8::1", NULL),
                                            list_of("0.0.0.0/0", NULL)),
                     0);
    ck_assert_int_eq(ailes_cidr_list_within(list_of("::/0", NULL),
                                            list_of("0.0.0.0/0", NULL)),
                     0);
    ck_assert_int_eq(ailes_cidr_list_within(list_of("192.0.2.1", NULL),
                                            list_of("::/0", NULL)),
                     0);
}
END_TEST

START_TEST(cidr_within_empty_lists)
{
    apr_array_header_t *some = list_of("192.0.2.0/24", NULL);

    ck_assert_int_eq(ailes_cidr_list_within(empty_list(), some), 1);
    ck_assert_int_eq(ailes_cidr_list_within(empty_list(), empty_list()), 1);
    ck_assert_int_eq(ailes_cidr_list_within(NULL, some), 1);
    ck_assert_int_eq(ailes_cidr_list_within(some, empty_list()), 0);
    ck_assert_int_eq(ailes_cidr_list_within(some, NULL), 0);
}
END_TEST

START_TEST(cidr_within_every_entry_must_fit)
{
    apr_array_header_t *outer = list_of("192.0.2.0/24", "2001:db8::/32",
                                        NULL);

    ck_assert_int_eq(ailes_cidr_list_within(list_of("192.0.2.0/26",
                                                    "2001:db8:5::/48",
                                                    "192.0.2.200", NULL),
                                            outer),
                     1);
    ck_assert_int_eq(ailes_cidr_list_within(list_of("192.0.2.0/26",
                                                    "198.51.100.0/24",
                                                    "2001:db8:5::/48",
                                                    NULL),
                                            outer),
                     0);
    /* The outside entry last. */
    ck_assert_int_eq(ailes_cidr_list_within(list_of("192.0.2.0/26",
                                                    "2001:db9::/48", NULL),
                                            outer),
                     0);
    /* The outside entry first. */
    ck_assert_int_eq(ailes_cidr_list_within(list_of("10.0.0.0/8",
                                                    "192.0.2.0/26", NULL),
                                            outer),
                     0);
}
END_TEST

Suite *ailes_suite_cidr(void)
{
    Suite *s = suite_create("cidr");
    TCase *tc = tcase_create("cidr");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, cidr_parse_ipv4);
    tcase_add_test(tc, cidr_parse_ipv4_bare_is_32);
    tcase_add_test(tc, cidr_parse_ipv4_zero_prefix);
    tcase_add_test(tc, cidr_parse_ipv6);
    tcase_add_test(tc, cidr_parse_ipv6_bare_is_128);
    tcase_add_test(tc, cidr_parse_ipv6_zero_prefix);
    tcase_add_test(tc, cidr_parse_ipv4_mapped_becomes_ipv4);
    tcase_add_test(tc, cidr_parse_rejects_empty_and_null);
    tcase_add_test(tc, cidr_parse_rejects_host_bits);
    tcase_add_test(tc, cidr_parse_rejects_bad_prefix);
    tcase_add_test(tc, cidr_parse_rejects_bad_address);
    tcase_add_test(tc, cidr_parse_rejects_overlong);
    tcase_add_test(tc, cidr_parse_rejects_mapped_prefix_below_96);
    tcase_add_test(tc, cidr_split_commas_spaces_tabs);
    tcase_add_test(tc, cidr_split_empty_and_null);
    tcase_add_test(tc, cidr_list_parse_100_entries);
    tcase_add_test(tc, cidr_list_parse_101_refused);
    tcase_add_test(tc, cidr_list_parse_error_names_entry);
    tcase_add_test(tc, cidr_list_text_joins);
    tcase_add_test(tc, cidr_list_text_empty_and_null);
    tcase_add_test(tc, cidr_contains_ipv4_edges);
    tcase_add_test(tc, cidr_contains_zero_prefix);
    tcase_add_test(tc, cidr_contains_odd_prefixes);
    tcase_add_test(tc, cidr_contains_ipv4_mapped);
    tcase_add_test(tc, cidr_contains_garbage_matches_nothing);
    tcase_add_test(tc, cidr_list_contains_any_entry);
    tcase_add_test(tc, cidr_list_contains_empty_list);
    tcase_add_test(tc, cidr_within_narrower_yes);
    tcase_add_test(tc, cidr_within_wider_no);
    tcase_add_test(tc, cidr_within_equal_yes);
    tcase_add_test(tc, cidr_within_other_family_no);
    tcase_add_test(tc, cidr_within_empty_lists);
    tcase_add_test(tc, cidr_within_every_entry_must_fit);
    suite_add_tcase(s, tc);
    return s;
}
