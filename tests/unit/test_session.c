/* ailes_session: the idle and absolute time limits at their edges, the
 * cache lifetime, and the cache value codec (round trip and refusal of
 * anything it did not make). */
#include <string.h>

#include <apr_strings.h>

#include "ailes_session.h"
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

#define IDLE 1800
#define T0 APR_INT64_C(1795705100)

/* A session last seen at T0 that ends 8 hours after it. */
static ailes_session_t *session(void)
{
    ailes_session_t *s = apr_pcalloc(pool, sizeof(*s));

    s->id_hash = "9f86d081884c7d659a2feaa0c55ad015"
                 "a3bf4f1b2b0b822cd15d6c15b0f00a08";
    s->tenant_id = APR_INT64_C(4294967301);     /* 2^32 + 5 */
    s->tenant_slug = "acme-1";
    s->user_id = APR_INT64_C(1099511627783);    /* 2^40 + 7 */
    s->employee_no = "E 001/x";
    s->role = AILES_ROLE_HEALTH_STAFF;
    s->csrf_token = "csrf-0123456789abcdef";
    s->created_at = T0 - 100;
    s->last_seen = T0;
    s->expires_at = T0 + 8 * 3600;
    return s;
}

static ailes_session_t *decode_str(const char *v)
{
    return ailes_session_decode(pool, v, strlen(v));
}

/* The encoding of session() with field i (0 = the tag) replaced. */
static const char *with_field(int i, const char *value)
{
    char **f;
    int n = 0;
    char *copy = apr_pstrdup(pool, ailes_session_encode(pool, session()));
    char *p = copy;
    const char *out = "";

    f = apr_palloc(pool, 16 * sizeof(char *));
    f[n++] = p;
    while ((p = strchr(p, '\t')) != NULL) {
        *p++ = '\0';
        f[n++] = p;
    }
    ck_assert_int_eq(n, 14);
    f[i] = (char *)value;
    for (n = 0; n < 14; n++) {
        out = apr_pstrcat(pool, out, n ? "\t" : "", f[n], NULL);
    }
    return out;
}

/* --- state --------------------------------------------------------------- */

START_TEST(session_state_touch_edge)
{
    ailes_session_t *s = session();

    ck_assert_int_eq(ailes_session_state(s, T0, IDLE), AILES_SESSION_VALID);
    ck_assert_int_eq(ailes_session_state(s, T0 + 59, IDLE),
                     AILES_SESSION_VALID);
    ck_assert_int_eq(ailes_session_state(s, T0 + 60, IDLE),
                     AILES_SESSION_VALID_TOUCH);
    ck_assert_int_eq(ailes_session_state(s, T0 + 61, IDLE),
                     AILES_SESSION_VALID_TOUCH);
}
END_TEST

START_TEST(session_state_idle_edge)
{
    ailes_session_t *s = session();

    ck_assert_int_eq(ailes_session_state(s, T0 + IDLE - 1, IDLE),
                     AILES_SESSION_VALID_TOUCH);
    ck_assert_int_eq(ailes_session_state(s, T0 + IDLE, IDLE),
                     AILES_SESSION_EXPIRED);
    ck_assert_int_eq(ailes_session_state(s, T0 + IDLE + 1, IDLE),
                     AILES_SESSION_EXPIRED);
    /* another idle limit moves the edge */
    ck_assert_int_eq(ailes_session_state(s, T0 + 299, 300),
                     AILES_SESSION_VALID_TOUCH);
    ck_assert_int_eq(ailes_session_state(s, T0 + 300, 300),
                     AILES_SESSION_EXPIRED);
}
END_TEST

START_TEST(session_state_absolute_edge)
{
    ailes_session_t *s = session();

    /* within the touch interval */
    s->expires_at = T0 + 30;
    ck_assert_int_eq(ailes_session_state(s, T0 + 29, IDLE),
                     AILES_SESSION_VALID);
    ck_assert_int_eq(ailes_session_state(s, T0 + 30, IDLE),
                     AILES_SESSION_EXPIRED);
    /* past the touch interval, well within the idle limit */
    s->expires_at = T0 + 600;
    ck_assert_int_eq(ailes_session_state(s, T0 + 599, IDLE),
                     AILES_SESSION_VALID_TOUCH);
    ck_assert_int_eq(ailes_session_state(s, T0 + 600, IDLE),
                     AILES_SESSION_EXPIRED);
    ck_assert_int_eq(ailes_session_state(s, T0 + 601, IDLE),
                     AILES_SESSION_EXPIRED);
}
END_TEST

/* --- cache lifetime ------------------------------------------------------ */

START_TEST(session_cache_ttl_bounded_by_touch)
{
    ailes_session_t *s = session();

    ck_assert_int_eq(ailes_session_cache_ttl(s, T0, IDLE), 60);
    ck_assert_int_eq(ailes_session_cache_ttl(s, T0 + 1, IDLE), 59);
    ck_assert_int_eq(ailes_session_cache_ttl(s, T0 + 59, IDLE), 1);
    ck_assert_int_eq(ailes_session_cache_ttl(s, T0 + 60, IDLE), 0);
    ck_assert_int_eq(ailes_session_cache_ttl(s, T0 + 61, IDLE), 0);
}
END_TEST

START_TEST(session_cache_ttl_bounded_by_expiry)
{
    ailes_session_t *s = session();

    s->expires_at = T0 + 20;
    ck_assert_int_eq(ailes_session_cache_ttl(s, T0, IDLE), 20);
    ck_assert_int_eq(ailes_session_cache_ttl(s, T0 + 19, IDLE), 1);
    ck_assert_int_eq(ailes_session_cache_ttl(s, T0 + 20, IDLE), 0);
    ck_assert_int_eq(ailes_session_cache_ttl(s, T0 + 50, IDLE), 0);
    /* long past: 0, never negative */
    ck_assert_int_eq(ailes_session_cache_ttl(s, T0 + 86400, IDLE), 0);
}
END_TEST

START_TEST(session_cache_ttl_bounded_by_idle)
{
    ailes_session_t *s = session();

    ck_assert_int_eq(ailes_session_cache_ttl(s, T0, 45), 45);
    ck_assert_int_eq(ailes_session_cache_ttl(s, T0 + 10, 45), 35);
    ck_assert_int_eq(ailes_session_cache_ttl(s, T0 + 45, 45), 0);
    ck_assert_int_eq(ailes_session_cache_ttl(s, T0 + 1000, 45), 0);
}
END_TEST

START_TEST(session_cache_ttl_never_exceeds_any_bound)
{
    /* For every now around the edges: 0 <= ttl <= each bound, equal to the
     * smallest, and a cached entry never outlives a valid state. */
    ailes_session_t *s = session();
    apr_int64_t now;
    int idle;

    s->expires_at = T0 + 100;
    for (idle = 30; idle <= 120; idle += 15) {
        for (now = T0; now <= T0 + 130; now++) {
            apr_int64_t ttl = ailes_session_cache_ttl(s, now, idle);
            apr_int64_t want = T0 + 60 - now;

            if (s->expires_at - now < want) {
                want = s->expires_at - now;
            }
            if (T0 + idle - now < want) {
                want = T0 + idle - now;
            }
            if (want < 0) {
                want = 0;
            }
            ck_assert_msg(ttl == want, "now=T0+%d idle=%d: ttl %d, want %d",
                          (int)(now - T0), idle, (int)ttl, (int)want);
            if (ttl > 0) {
                ck_assert_int_eq(ailes_session_state(s, now + ttl - 1, idle),
                                 AILES_SESSION_VALID);
            }
        }
    }
}
END_TEST

START_TEST(session_cache_ttl_last_seen_in_the_future)
{
    /* The header: "the cache keeps an entry no longer than" the touch
     * interval. A last_seen ahead of this clock (another server's clock,
     * or this one stepped back) must not stretch the entry's life. */
    ailes_session_t *s = session();

    ck_assert_int_le(ailes_session_cache_ttl(s, T0 - 10, IDLE),
                     AILES_SESSION_TOUCH_SEC);
    ck_assert_int_le(ailes_session_cache_ttl(s, T0 - 3600, IDLE),
                     AILES_SESSION_TOUCH_SEC);
}
END_TEST

/* --- codec: round trip --------------------------------------------------- */

static void assert_same(const ailes_session_t *a, const ailes_session_t *b)
{
    ck_assert_str_eq(a->id_hash, b->id_hash);
    ck_assert_int_eq(a->tenant_id, b->tenant_id);
    ck_assert_str_eq(a->tenant_slug, b->tenant_slug);
    ck_assert_int_eq(a->user_id, b->user_id);
    ck_assert_str_eq(a->employee_no, b->employee_no);
    ck_assert_int_eq(a->role, b->role);
    ck_assert_str_eq(a->csrf_token, b->csrf_token);
    ck_assert_int_eq(a->created_at, b->created_at);
    ck_assert_int_eq(a->last_seen, b->last_seen);
    ck_assert_int_eq(a->expires_at, b->expires_at);
    ck_assert_str_eq(a->stage ? a->stage : "full", b->stage);
    if (a->ip_allow && *a->ip_allow) {
        ck_assert_str_eq(a->ip_allow, b->ip_allow);
    }
    else {
        ck_assert_ptr_null(b->ip_allow);
    }
}

START_TEST(session_codec_round_trip)
{
    ailes_session_t *s = session();
    const char *v = ailes_session_encode(pool, s);
    ailes_session_t *d;

    ck_assert_ptr_nonnull(v);
    ck_assert_msg(!strncmp(v, "s1\t", 3), "value %s", v);
    ck_assert_ptr_null(strchr(v, '\n'));
    d = decode_str(v);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(d->tenant_id, APR_INT64_C(4294967301));
    ck_assert_int_eq(d->user_id, APR_INT64_C(1099511627783));
    assert_same(s, d);
}
END_TEST

START_TEST(session_codec_round_trip_every_role)
{
    ailes_session_t *s = session();
    int r;

    for (r = AILES_ROLE_NONE + 1; r < AILES_ROLE_COUNT_; r++) {
        ailes_session_t *d;

        s->role = (ailes_role_t)r;
        d = decode_str(ailes_session_encode(pool, s));
        ck_assert_msg(d != NULL, "role %d", r);
        ck_assert_int_eq(d->role, r);
    }
}
END_TEST

START_TEST(session_codec_round_trip_long_token_and_big_numbers)
{
    ailes_session_t *s = session();
    char *tok = apr_palloc(pool, 4097);
    ailes_session_t *d;
    int i;

    for (i = 0; i < 4096; i++) {
        tok[i] = "abcdefghijklmnopqrstuvwxyz0123456789-_"[i % 38];
    }
    tok[4096] = '\0';
    s->csrf_token = tok;
    s->tenant_id = APR_INT64_C(9007199254740993);
    s->user_id = APR_INT64_C(9223372036854775807);
    s->created_at = 0;
    s->last_seen = APR_INT64_C(253402300799);
    s->expires_at = APR_INT64_C(253402300800);
    d = decode_str(ailes_session_encode(pool, s));
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(strlen(d->csrf_token), 4096);
    assert_same(s, d);
}
END_TEST

START_TEST(session_codec_decode_honours_len)
{
    /* len covers the value exactly; what follows in memory is not read */
    const char *v = ailes_session_encode(pool, session());
    const char *more = apr_pstrcat(pool, v, "\tjunk", NULL);
    ailes_session_t *d = ailes_session_decode(pool, more, strlen(v));

    ck_assert_ptr_nonnull(d);
    assert_same(session(), d);
}
END_TEST

/* --- codec: refusals ----------------------------------------------------- */

START_TEST(session_decode_refuses_wrong_tag)
{
    const char *v = ailes_session_encode(pool, session());

    ck_assert_ptr_nonnull(decode_str(v));
    ck_assert_ptr_null(decode_str(with_field(0, "s2")));
    ck_assert_ptr_null(decode_str(with_field(0, "S1")));
    ck_assert_ptr_null(decode_str(with_field(0, "s10")));
    ck_assert_ptr_null(decode_str(with_field(0, "")));
    ck_assert_ptr_null(decode_str(v + 1));
}
END_TEST

START_TEST(session_decode_refuses_field_count)
{
    const char *v = ailes_session_encode(pool, session());
    const char *cut = apr_pstrndup(pool, v, strrchr(v, '\t') - v);

    ck_assert_ptr_null(decode_str(cut));
    ck_assert_ptr_null(decode_str("s1"));
    ck_assert_ptr_null(decode_str(""));
    ck_assert_ptr_null(ailes_session_decode(pool, v, 0));
    ck_assert_ptr_null(decode_str(apr_pstrcat(pool, v, "\t", NULL)));
    ck_assert_ptr_null(decode_str(apr_pstrcat(pool, v, "\t1", NULL)));
    ck_assert_ptr_null(decode_str(apr_pstrcat(pool, v, "\t\t", NULL)));
}
END_TEST

START_TEST(session_decode_refuses_empty_fields)
{
    int i;

    /* every field is required */
    for (i = 1; i < 11; i++) {
        ck_assert_msg(decode_str(with_field(i, "")) == NULL,
                      "empty field %d accepted", i);
    }
}
END_TEST

START_TEST(session_decode_refuses_bad_numbers)
{
    static const int numeric[] = { 2, 4, 8, 9, 10 };
    unsigned i;

    for (i = 0; i < sizeof(numeric) / sizeof(numeric[0]); i++) {
        int f = numeric[i];

        ck_assert_msg(decode_str(with_field(f, "12")) != NULL, "field %d", f);
        ck_assert_msg(decode_str(with_field(f, "-1")) == NULL,
                      "field %d: -1 accepted", f);
        ck_assert_msg(decode_str(with_field(f, "x")) == NULL,
                      "field %d: x accepted", f);
        ck_assert_msg(decode_str(with_field(f, "12x")) == NULL,
                      "field %d: 12x accepted", f);
        ck_assert_msg(decode_str(with_field(f, "1.5")) == NULL,
                      "field %d: 1.5 accepted", f);
    }
}
END_TEST

START_TEST(session_decode_refuses_signed_or_spaced_numbers)
{
    /* encode writes plain digits; "NULL on any deviation" */
    static const int numeric[] = { 2, 4, 8, 9, 10 };
    unsigned i;

    for (i = 0; i < sizeof(numeric) / sizeof(numeric[0]); i++) {
        int f = numeric[i];

        ck_assert_msg(decode_str(with_field(f, "+12")) == NULL,
                      "field %d: +12 accepted", f);
        ck_assert_msg(decode_str(with_field(f, " 12")) == NULL,
                      "field %d: ' 12' accepted", f);
        ck_assert_msg(decode_str(with_field(f, "12 ")) == NULL,
                      "field %d: '12 ' accepted", f);
    }
}
END_TEST

START_TEST(session_decode_refuses_overflowing_numbers)
{
    /* 2^64 - 1 does not fit: it must not become INT64_MAX (a session that
     * never expires) */
    static const int numeric[] = { 2, 4, 8, 9, 10 };
    unsigned i;

    for (i = 0; i < sizeof(numeric) / sizeof(numeric[0]); i++) {
        int f = numeric[i];
        ailes_session_t *d =
            decode_str(with_field(f, "18446744073709551615"));

        ck_assert_msg(d == NULL, "field %d: 18446744073709551615 accepted",
                      f);
    }
    /* the largest value that fits is fine */
    ck_assert_ptr_nonnull(decode_str(with_field(10,
                                                "9223372036854775807")));
}
END_TEST

START_TEST(session_decode_refuses_unknown_role)
{
    ck_assert_ptr_nonnull(decode_str(with_field(6, "tenant_admin")));
    ck_assert_ptr_null(decode_str(with_field(6, "admin")));
    ck_assert_ptr_null(decode_str(with_field(6, "Employee")));
    ck_assert_ptr_null(decode_str(with_field(6, "employee ")));
}
END_TEST

START_TEST(session_decode_stages)
{
    ck_assert_str_eq(decode_str(with_field(11, "mfa"))->stage, "mfa");
    ck_assert_str_eq(decode_str(with_field(11, "enroll"))->stage, "enroll");
    ck_assert_str_eq(decode_str(with_field(11, "full"))->stage, "full");
    ck_assert_ptr_null(decode_str(with_field(11, "")));
    ck_assert_ptr_null(decode_str(with_field(11, "admin")));
    ck_assert_ptr_null(decode_str(with_field(11, "Full")));
}
END_TEST

START_TEST(session_codec_ip_allow)
{
    ailes_session_t *s = session(), *d;

    s->ip_allow = "192.0.2.0/24, 2001:db8::/32";
    d = decode_str(ailes_session_encode(pool, s));
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->ip_allow, "192.0.2.0/24, 2001:db8::/32");
    ck_assert_ptr_null(decode_str(with_field(12, "")));
    ck_assert_ptr_null(decode_str(with_field(12, "-"))->ip_allow);
}
END_TEST

START_TEST(session_decode_refuses_embedded_nul)
{
    const char *v = ailes_session_encode(pool, session());
    size_t n = strlen(v);
    char *buf = apr_pmemdup(pool, v, n + 1);

    /* a NUL inside the csrf token, within len */
    buf[n - 40] = '\0';
    ck_assert_ptr_null(ailes_session_decode(pool, buf, n));
    /* a NUL just past the value, counted in len */
    ck_assert_ptr_null(ailes_session_decode(pool, v, n + 1));
}
END_TEST

START_TEST(session_decode_refuses_truncated_input)
{
    /* A value cut short anywhere (len shorter than the string) is a
     * corrupt entry, never a session. */
    const char *v = ailes_session_encode(pool, session());
    size_t n = strlen(v), len;

    for (len = 0; len < n; len++) {
        ailes_session_t *d = ailes_session_decode(pool, v, len);

        ck_assert_msg(d == NULL, "value cut to %u of %u bytes decoded "
                      "(expires_at %lld instead of %lld)", (unsigned)len,
                      (unsigned)n, d ? (long long)d->expires_at : 0LL,
                      (long long)session()->expires_at);
    }
}
END_TEST

Suite *ailes_suite_session(void)
{
    Suite *s = suite_create("session");
    TCase *tc = tcase_create("session");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, session_state_touch_edge);
    tcase_add_test(tc, session_state_idle_edge);
    tcase_add_test(tc, session_state_absolute_edge);
    tcase_add_test(tc, session_cache_ttl_bounded_by_touch);
    tcase_add_test(tc, session_cache_ttl_bounded_by_expiry);
    tcase_add_test(tc, session_cache_ttl_bounded_by_idle);
    tcase_add_test(tc, session_cache_ttl_never_exceeds_any_bound);
    tcase_add_test(tc, session_cache_ttl_last_seen_in_the_future);
    tcase_add_test(tc, session_codec_round_trip);
    tcase_add_test(tc, session_codec_round_trip_every_role);
    tcase_add_test(tc, session_codec_round_trip_long_token_and_big_numbers);
    tcase_add_test(tc, session_codec_decode_honours_len);
    tcase_add_test(tc, session_decode_refuses_wrong_tag);
    tcase_add_test(tc, session_decode_refuses_field_count);
    tcase_add_test(tc, session_decode_refuses_empty_fields);
    tcase_add_test(tc, session_decode_refuses_bad_numbers);
    tcase_add_test(tc, session_decode_refuses_signed_or_spaced_numbers);
    tcase_add_test(tc, session_decode_refuses_overflowing_numbers);
    tcase_add_test(tc, session_decode_refuses_unknown_role);
    tcase_add_test(tc, session_decode_stages);
    tcase_add_test(tc, session_codec_ip_allow);
    tcase_add_test(tc, session_decode_refuses_embedded_nul);
    tcase_add_test(tc, session_decode_refuses_truncated_input);
    suite_add_tcase(s, tc);
    return s;
}
