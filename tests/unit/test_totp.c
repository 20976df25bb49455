/* ailes_totp: RFC 6238 codes, window and replay matching, base32, otpauth
 * URIs, recovery codes; ailes_qr: the enrolment QR code as SVG. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apr_strings.h>
#include <qrencode.h>
#include <sodium.h>

#include "ailes_qr.h"
#include "ailes_totp.h"
#include "unit_tests.h"

static apr_pool_t *pool;

/* RFC 6238 Appendix B, SHA-1 seed */
static const unsigned char seed[] = "12345678901234567890";
#define SEED_LEN 20

/* 株式会社テスト (a company name) in UTF-8 */
#define TENANT_JA                                                            \
    "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe\xe3\x83\x86\xe3\x82"   \
    "\xb9\xe3\x83\x88"

static const char recovery_alphabet[] = "abcdefghjkmnpqrstvwxyz0123456789";

static void setup(void)
{
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
    ck_assert_int_eq(ailes_totp_init(), 0);
    ailes_test_log_capture();
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

/* The 6-digit code of step `step` for the RFC seed. */
static const char *code_at(apr_int64_t step)
{
    const char *c = ailes_totp_code(pool, seed, SEED_LEN,
                                    step * AILES_TOTP_STEP, 6);

    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(strlen(c), 6);
    return c;
}

/* --- RFC 6238 vectors ---------------------------------------------------- */

static const struct {
    apr_int64_t t;
    const char *code8;
} rfc6238[] = {
    { 59, "94287082" },
    { 1111111109, "07081804" },
    { 1111111111, "14050471" },
    { 1234567890, "89005924" },
    { 2000000000, "69279037" },
    { APR_INT64_C(20000000000), "65353130" },
};

START_TEST(totp_rfc6238_vectors_8_digits)
{
    size_t i;

    for (i = 0; i < sizeof(rfc6238) / sizeof(rfc6238[0]); i++) {
        const char *c = ailes_totp_code(pool, seed, SEED_LEN, rfc6238[i].t,
                                        8);

        ck_assert_msg(c != NULL, "T=%" APR_INT64_T_FMT ": NULL",
                      rfc6238[i].t);
        ck_assert_msg(strcmp(c, rfc6238[i].code8) == 0,
                      "T=%" APR_INT64_T_FMT ": %s, want %s", rfc6238[i].t,
                      c, rfc6238[i].code8);
    }
}
END_TEST

START_TEST(totp_rfc6238_vectors_6_digits)
{
    size_t i;

    for (i = 0; i < sizeof(rfc6238) / sizeof(rfc6238[0]); i++) {
        const char *c = ailes_totp_code(pool, seed, SEED_LEN, rfc6238[i].t,
                                        6);

        ck_assert_ptr_nonnull(c);
        ck_assert_str_eq(c, rfc6238[i].code8 + 2);
    }
    ck_assert_str_eq(ailes_totp_code(pool, seed, SEED_LEN, 59, 6), "287082");
    ck_assert_str_eq(ailes_totp_code(pool, seed, SEED_LEN, 1111111109, 6),
                     "081804");
    /* 7 digits: the last seven */
    ck_assert_str_eq(ailes_totp_code(pool, seed, SEED_LEN, 59, 7), "4287082");
}
END_TEST

START_TEST(totp_code_same_within_step)
{
    /* T=30..59 is one step, T=60 the next */
    ck_assert_str_eq(ailes_totp_code(pool, seed, SEED_LEN, 30, 8), "94287082");
    ck_assert_str_eq(ailes_totp_code(pool, seed, SEED_LEN, 45, 8), "94287082");
    ck_assert_str_ne(ailes_totp_code(pool, seed, SEED_LEN, 60, 8), "94287082");
    ck_assert_str_ne(ailes_totp_code(pool, seed, SEED_LEN, 29, 8), "94287082");
}
END_TEST

START_TEST(totp_code_refuses_bad_arguments)
{
    ck_assert_ptr_null(ailes_totp_code(pool, seed, SEED_LEN, 59, 5));
    ck_assert_ptr_null(ailes_totp_code(pool, seed, SEED_LEN, 59, 9));
    ck_assert_ptr_null(ailes_totp_code(pool, seed, SEED_LEN, 59, 0));
    ck_assert_ptr_null(ailes_totp_code(pool, seed, SEED_LEN, -1, 6));
}
END_TEST

/* --- oathtool cross-check ------------------------------------------------ */

static const char *oathtool_path(void)
{
    static const char *const candidates[] = { "/usr/bin/oathtool",
                                              "/usr/local/bin/oathtool",
                                              "/bin/oathtool" };
    size_t i;

    for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
        if (access(candidates[i], X_OK) == 0) {
            return candidates[i];
        }
    }
    return NULL;
}

static const char *run_oathtool(const char *tool, apr_int64_t epoch,
                                const char *b32, int digits)
{
    char line[64] = "";
    const char *cmd = apr_psprintf(pool, "%s --totp -b -d %d -N @%"
                                   APR_INT64_T_FMT " %s 2>/dev/null",
                                   tool, digits, epoch, b32);
    FILE *f = popen(cmd, "r");
    int status;

    ck_assert_msg(f != NULL, "popen(%s) failed", cmd);
    if (!fgets(line, sizeof(line), f)) {
        line[0] = '\0';
    }
    status = pclose(f);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "%s: exit status %d", cmd, status);
    line[strcspn(line, "\r\n")] = '\0';
    return apr_pstrdup(pool, line);
}

START_TEST(totp_code_matches_oathtool)
{
    static const unsigned char secret[AILES_TOTP_SECRET_BYTES] = {
        0x3d, 0xc6, 0xca, 0xa4, 0x82, 0x4a, 0x6d, 0x28, 0x87, 0x67,
        0xb2, 0x33, 0x1e, 0x20, 0xb4, 0x31, 0x66, 0xcb, 0x85, 0xd9
    };
    static const apr_int64_t epochs[] = { 1700000000, 59, 1111111111,
                                          2000000000 };
    const char *tool = oathtool_path();
    const char *b32 = ailes_totp_base32(pool, secret, sizeof(secret));
    size_t i;

    if (!tool) {
        fprintf(stderr, "totp_code_matches_oathtool: oathtool missing, "
                        "skipped\n");
        return;
    }
    ck_assert_ptr_nonnull(b32);
    for (i = 0; i < sizeof(epochs) / sizeof(epochs[0]); i++) {
        const char *mine = ailes_totp_code(pool, secret, sizeof(secret),
                                           epochs[i], 6);
        const char *theirs = run_oathtool(tool, epochs[i], b32, 6);

        ck_assert_ptr_nonnull(mine);
        ck_assert_uint_eq(strlen(theirs), 6);
        ck_assert_msg(strcmp(mine, theirs) == 0,
                      "@%" APR_INT64_T_FMT ": ailes %s, oathtool %s",
                      epochs[i], mine, theirs);
    }
    /* and the RFC seed, through our own base32, with 8 digits */
    ck_assert_str_eq(run_oathtool(tool, 59,
                                  ailes_totp_base32(pool, seed, SEED_LEN), 8),
                     "94287082");
}
END_TEST

/* --- matching ------------------------------------------------------------ */

#define NOW_STEP APR_INT64_C(37037037)          /* 1111111111 / 30 */
#define NOW (NOW_STEP * AILES_TOTP_STEP + 1)    /* 1111111111 */

/* The test relies on the seven codes around NOW being distinct. */
static void assert_codes_distinct(void)
{
    int a, b;

    for (a = -3; a <= 3; a++) {
        for (b = a + 1; b <= 3; b++) {
            ck_assert_str_ne(code_at(NOW_STEP + a), code_at(NOW_STEP + b));
        }
    }
}

START_TEST(totp_match_window_1)
{
    assert_codes_distinct();
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP), NOW,
                                      1, -1),
                     NOW_STEP);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP - 1),
                                      NOW, 1, -1),
                     NOW_STEP - 1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP + 1),
                                      NOW, 1, -1),
                     NOW_STEP + 1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP - 2),
                                      NOW, 1, -1),
                     -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP + 2),
                                      NOW, 1, -1),
                     -1);
}
END_TEST

START_TEST(totp_match_window_edges_of_step)
{
    /* the first and the last second of a step behave the same */
    apr_int64_t first = NOW_STEP * AILES_TOTP_STEP;
    apr_int64_t last = first + AILES_TOTP_STEP - 1;

    assert_codes_distinct();
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP - 1),
                                      first, 1, -1),
                     NOW_STEP - 1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP + 1),
                                      last, 1, -1),
                     NOW_STEP + 1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP + 2),
                                      last, 1, -1),
                     -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP - 2),
                                      first, 1, -1),
                     -1);
    /* one second later is the next step */
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP + 2),
                                      last + 1, 1, -1),
                     NOW_STEP + 2);
}
END_TEST

START_TEST(totp_match_window_0)
{
    assert_codes_distinct();
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP), NOW,
                                      0, -1),
                     NOW_STEP);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP - 1),
                                      NOW, 0, -1),
                     -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP + 1),
                                      NOW, 0, -1),
                     -1);
}
END_TEST

START_TEST(totp_match_window_2)
{
    int off;

    assert_codes_distinct();
    for (off = -2; off <= 2; off++) {
        ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN,
                                          code_at(NOW_STEP + off), NOW, 2,
                                          -1),
                         NOW_STEP + off);
    }
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP - 3),
                                      NOW, 2, -1),
                     -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP + 3),
                                      NOW, 2, -1),
                     -1);
}
END_TEST

START_TEST(totp_match_refuses_bad_window)
{
    const char *now_code = code_at(NOW_STEP);

    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, now_code, NOW, 3, -1),
                     -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, now_code, NOW, -1, -1),
                     -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, now_code, NOW, 100,
                                      -1),
                     -1);
    /* the same code is fine with a valid window */
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, now_code, NOW,
                                      AILES_TOTP_WINDOW_MAX, -1),
                     NOW_STEP);
}
END_TEST

START_TEST(totp_match_wrong_code)
{
    int off;
    const char *wrong = "000000";

    for (off = -1; off <= 1; off++) {
        ck_assert_str_ne(code_at(NOW_STEP + off), wrong);
    }
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, wrong, NOW, 1, -1), -1);
    /* the right code with another secret */
    {
        unsigned char other[SEED_LEN];

        memcpy(other, seed, SEED_LEN);
        other[0] ^= 1;
        ck_assert_str_ne(ailes_totp_code(pool, other, SEED_LEN, NOW, 6),
                         code_at(NOW_STEP));
        ck_assert_int_eq(ailes_totp_match(other, SEED_LEN, code_at(NOW_STEP),
                                          NOW, 0, -1),
                         -1);
    }
}
END_TEST

START_TEST(totp_match_replay)
{
    assert_codes_distinct();
    /* the step just accepted, and any earlier one, is refused */
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP), NOW,
                                      1, NOW_STEP),
                     -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP - 1),
                                      NOW, 1, NOW_STEP - 1),
                     -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP - 1),
                                      NOW, 1, NOW_STEP),
                     -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP), NOW,
                                      1, NOW_STEP + 1),
                     -1);
    /* last_step + 1 is fine */
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP), NOW,
                                      1, NOW_STEP - 1),
                     NOW_STEP);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP + 1),
                                      NOW, 1, NOW_STEP),
                     NOW_STEP + 1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, code_at(NOW_STEP - 1),
                                      NOW, 1, NOW_STEP - 2),
                     NOW_STEP - 1);
}
END_TEST

START_TEST(totp_match_malformed_codes)
{
    const char *c = code_at(NOW_STEP);

    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, "", NOW, 1, -1), -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, "12345", NOW, 1, -1),
                     -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, "1234567", NOW, 1, -1),
                     -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, "12a456", NOW, 1, -1),
                     -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, NULL, NOW, 1, -1), -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, " 12345", NOW, 1, -1),
                     -1);
    /* the right code with something around it */
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN,
                                      apr_pstrcat(pool, c, " ", NULL), NOW, 1,
                                      -1),
                     -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN,
                                      apr_pstrcat(pool, " ", c, NULL), NOW, 1,
                                      -1),
                     -1);
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN,
                                      apr_pstrcat(pool, c, "0", NULL), NOW, 1,
                                      -1),
                     -1);
    /* the 8-digit form of the current code */
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN,
                                      ailes_totp_code(pool, seed, SEED_LEN,
                                                      NOW, 8),
                                      NOW, 1, -1),
                     -1);
    /* ...and the plain code still matches */
    ck_assert_int_eq(ailes_totp_match(seed, SEED_LEN, c, NOW, 1, -1),
                     NOW_STEP);
}
END_TEST

/* --- secrets and base32 -------------------------------------------------- */

START_TEST(totp_secret_new_differs)
{
    unsigned char *a = ailes_totp_secret_new(pool);
    unsigned char *b = ailes_totp_secret_new(pool);
    static const unsigned char zero[AILES_TOTP_SECRET_BYTES];

    ck_assert_int_eq(AILES_TOTP_SECRET_BYTES, 20);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_ne(memcmp(a, b, AILES_TOTP_SECRET_BYTES), 0);
    ck_assert_int_ne(memcmp(a, zero, AILES_TOTP_SECRET_BYTES), 0);
}
END_TEST

START_TEST(totp_base32_of_secret)
{
    int round;

    for (round = 0; round < 20; round++) {
        unsigned char *raw = ailes_totp_secret_new(pool);
        const char *b32 = ailes_totp_base32(pool, raw,
                                            AILES_TOTP_SECRET_BYTES);
        unsigned char *back;
        apr_size_t len = 99;
        size_t i;

        ck_assert_ptr_nonnull(b32);
        ck_assert_uint_eq(strlen(b32), 32);
        for (i = 0; i < 32; i++) {
            ck_assert_msg(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b32[i])
                              && b32[i],
                          "bad character in %s", b32);
        }
        ck_assert_ptr_null(strchr(b32, '='));
        back = ailes_totp_unbase32(pool, b32, &len);
        ck_assert_ptr_nonnull(back);
        ck_assert_uint_eq(len, AILES_TOTP_SECRET_BYTES);
        ck_assert_int_eq(memcmp(back, raw, AILES_TOTP_SECRET_BYTES), 0);
    }
}
END_TEST

START_TEST(totp_base32_rfc4648_vectors)
{
    static const struct {
        const char *raw, *b32;
    } v[] = {
        { "f", "MY" },       { "fo", "MZXQ" },       { "foo", "MZXW6" },
        { "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" },
        { "foobar", "MZXW6YTBOI" },
    };
    size_t i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        apr_size_t len = 0;
        unsigned char *back;

        ck_assert_str_eq(ailes_totp_base32(pool,
                                           (const unsigned char *)v[i].raw,
                                           strlen(v[i].raw)),
                         v[i].b32);
        back = ailes_totp_unbase32(pool, v[i].b32, &len);
        ck_assert_msg(back != NULL, "unbase32(%s) is NULL", v[i].b32);
        ck_assert_uint_eq(len, strlen(v[i].raw));
        ck_assert_int_eq(memcmp(back, v[i].raw, len), 0);
    }
    /* the RFC 6238 seed (checked with python3 base64.b32encode) */
    ck_assert_str_eq(ailes_totp_base32(pool, seed, SEED_LEN),
                     "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}
END_TEST

START_TEST(totp_unbase32_refuses_invalid)
{
    apr_size_t len = 99;

    ck_assert_ptr_null(ailes_totp_unbase32(pool, "1!", &len));
    ck_assert_uint_eq(len, 0);
    len = 99;
    ck_assert_ptr_null(ailes_totp_unbase32(pool, "", &len));
    ck_assert_uint_eq(len, 0);
    len = 99;
    ck_assert_ptr_null(ailes_totp_unbase32(pool, NULL, &len));
    ck_assert_uint_eq(len, 0);
    /* 0, 1, 8 and 9 are not base32 */
    ck_assert_ptr_null(ailes_totp_unbase32(pool, "MZXW6YT0", &len));
    ck_assert_ptr_null(ailes_totp_unbase32(pool, "MZXW6YT1", &len));
    ck_assert_ptr_null(ailes_totp_unbase32(pool, "MZXW6YT8", &len));
}
END_TEST

/* --- otpauth URI --------------------------------------------------------- */

START_TEST(totp_uri_japanese_tenant)
{
    /* expected encoding checked with python3 urllib.parse.quote(s, safe='') */
    ck_assert_str_eq(ailes_totp_uri(pool, "Ailes", TENANT_JA, "E001", "ABC"),
                     "otpauth://totp/Ailes:"
                     "%E6%A0%AA%E5%BC%8F%E4%BC%9A%E7%A4%BE%E3%83%86%E3%82%B9"
                     "%E3%83%88%3AE001?secret=ABC&issuer=Ailes"
                     "&algorithm=SHA1&digits=6&period=30");
}
END_TEST

static int count_char(const char *s, char c)
{
    int n = 0;

    for (; *s; s++) {
        n += (*s == c);
    }
    return n;
}

START_TEST(totp_uri_encodes_reserved_characters)
{
    const char *uri = ailes_totp_uri(pool, "A B&C", "t/x?y", "u:v%w-._~",
                                     "ABC");

    /* checked with python3 urllib.parse.quote(s, safe='') */
    ck_assert_str_eq(uri, "otpauth://totp/A%20B%26C:t%2Fx%3Fy%3Au%3Av%25w-._~"
                          "?secret=ABC&issuer=A%20B%26C"
                          "&algorithm=SHA1&digits=6&period=30");
    ck_assert_ptr_null(strchr(uri, ' '));
    ck_assert_int_eq(count_char(uri, '?'), 1);
    ck_assert_int_eq(count_char(uri, '&'), 4);
    /* "otpauth:" and the issuer prefix: two colons */
    ck_assert_int_eq(count_char(uri, ':'), 2);
    /* otpauth://totp/ */
    ck_assert_int_eq(count_char(uri, '/'), 3);
}
END_TEST

START_TEST(totp_uri_encodes_secret_part)
{
    /* The header: "every part percent-encoded". A secret with reserved
     * characters must not add query parameters or break the URI. */
    const char *uri = ailes_totp_uri(pool, "Ailes", "T", "E001",
                                     "AB&issuer=Evil C?/:%");

    ck_assert_str_eq(uri, "otpauth://totp/Ailes:T%3AE001"
                          "?secret=AB%26issuer%3DEvil%20C%3F%2F%3A%25"
                          "&issuer=Ailes&algorithm=SHA1&digits=6&period=30");
}
END_TEST

START_TEST(totp_uri_keeps_unreserved)
{
    const char *uri = ailes_totp_uri(pool, "Ai-l.e_s~", "Ten-a.n_t~",
                                     "Az09-._~", "ABC234");

    ck_assert_str_eq(uri, "otpauth://totp/Ai-l.e_s~:Ten-a.n_t~%3AAz09-._~"
                          "?secret=ABC234&issuer=Ai-l.e_s~"
                          "&algorithm=SHA1&digits=6&period=30");
}
END_TEST

/* --- code well-formedness ------------------------------------------------ */

START_TEST(totp_code_wellformed)
{
    ck_assert_int_ne(ailes_totp_code_wellformed("000000"), 0);
    ck_assert_int_ne(ailes_totp_code_wellformed("123456"), 0);
    ck_assert_int_ne(ailes_totp_code_wellformed("999999"), 0);
    ck_assert_int_eq(ailes_totp_code_wellformed("00000"), 0);
    ck_assert_int_eq(ailes_totp_code_wellformed("0000000"), 0);
    ck_assert_int_eq(ailes_totp_code_wellformed("00000a"), 0);
    ck_assert_int_eq(ailes_totp_code_wellformed(""), 0);
    ck_assert_int_eq(ailes_totp_code_wellformed(NULL), 0);
    /* ０００００００ in full-width digits */
    ck_assert_int_eq(ailes_totp_code_wellformed(
                         "\xef\xbc\x90\xef\xbc\x90\xef\xbc\x90\xef\xbc\x90"
                         "\xef\xbc\x90\xef\xbc\x90\xef\xbc\x90"),
                     0);
    /* six full-width digits are 18 bytes, two are exactly 6 bytes */
    ck_assert_int_eq(ailes_totp_code_wellformed(
                         "\xef\xbc\x90\xef\xbc\x90"),
                     0);
    ck_assert_int_eq(ailes_totp_code_wellformed("12345 "), 0);
    ck_assert_int_eq(ailes_totp_code_wellformed("-12345"), 0);
    ck_assert_int_eq(ailes_totp_code_wellformed("12/456"), 0);
    ck_assert_int_eq(ailes_totp_code_wellformed("12:456"), 0);
}
END_TEST

/* --- recovery codes ------------------------------------------------------ */

START_TEST(recovery_code_format)
{
    const char *codes[100];
    int i, j;

    for (i = 0; i < 100; i++) {
        const char *c = ailes_recovery_code_new(pool);
        size_t k;

        ck_assert_ptr_nonnull(c);
        ck_assert_msg(strlen(c) == 14, "length of %s", c);
        ck_assert_msg(c[4] == '-' && c[9] == '-', "dashes in %s", c);
        for (k = 0; k < 14; k++) {
            if (k == 4 || k == 9) {
                continue;
            }
            ck_assert_msg(c[k] && strchr(recovery_alphabet, c[k]) != NULL,
                          "character %c of %s", c[k], c);
        }
        codes[i] = c;
    }
    for (i = 0; i < 100; i++) {
        for (j = i + 1; j < 100; j++) {
            ck_assert_str_ne(codes[i], codes[j]);
        }
    }
}
END_TEST

START_TEST(recovery_code_hash_normalises)
{
    const char *h = ailes_recovery_code_hash(pool, "ABCD-EFGH-JKMN");
    unsigned char md[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    size_t i;

    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(strlen(h), 64);
    for (i = 0; i < 64; i++) {
        ck_assert_msg(strchr("0123456789abcdef", h[i]) && h[i], "hash %s", h);
    }
    ck_assert_str_eq(ailes_recovery_code_hash(pool, "abcdefghjkmn"), h);
    ck_assert_str_eq(ailes_recovery_code_hash(pool, "abcd efgh jkmn"), h);
    ck_assert_str_eq(ailes_recovery_code_hash(pool, "abcd-efgh-jkmn"), h);
    ck_assert_str_eq(ailes_recovery_code_hash(pool, "AbCd-eFgH-jKmN"), h);
    /* SHA-256 of the normalised form */
    crypto_hash_sha256(md, (const unsigned char *)"abcdefghjkmn", 12);
    sodium_bin2hex(hex, sizeof(hex), md, sizeof(md));
    ck_assert_str_eq(h, hex);
    /* another code, another hash */
    ck_assert_str_ne(ailes_recovery_code_hash(pool, "abcd-efgh-jkmp"), h);
}
END_TEST

START_TEST(recovery_code_hash_of_new_codes)
{
    int i;

    for (i = 0; i < 20; i++) {
        const char *c = ailes_recovery_code_new(pool);
        char *upper = apr_pstrdup(pool, c);
        char *s;
        const char *h = ailes_recovery_code_hash(pool, c);

        for (s = upper; *s; s++) {
            if (*s >= 'a' && *s <= 'z') {
                *s = (char)(*s - 'a' + 'A');
            }
        }
        ck_assert_msg(h != NULL, "no hash for %s", c);
        ck_assert_str_eq(ailes_recovery_code_hash(pool, upper), h);
    }
}
END_TEST

START_TEST(recovery_code_hash_refuses)
{
    ck_assert_ptr_null(ailes_recovery_code_hash(pool, "abcd-efgh-jkm"));
    ck_assert_ptr_null(ailes_recovery_code_hash(pool, "abcdefghjkm"));
    ck_assert_ptr_null(ailes_recovery_code_hash(pool, "abcd-efgh-jkmnp"));
    ck_assert_ptr_null(ailes_recovery_code_hash(pool, "abcdefghjkmnp"));
    ck_assert_ptr_null(ailes_recovery_code_hash(pool, "abcd-efgh-jkmi"));
    ck_assert_ptr_null(ailes_recovery_code_hash(pool, "abcd-efgh-jkml"));
    ck_assert_ptr_null(ailes_recovery_code_hash(pool, "abcd-efgh-jkmo"));
    ck_assert_ptr_null(ailes_recovery_code_hash(pool, "abcd-efgh-jkmu"));
    ck_assert_ptr_null(ailes_recovery_code_hash(pool, "ABCD-EFGH-JKMI"));
    ck_assert_ptr_null(ailes_recovery_code_hash(pool, NULL));
    ck_assert_ptr_null(ailes_recovery_code_hash(pool, "abcd-efgh-jkm!"));
    ck_assert_ptr_null(ailes_recovery_code_hash(pool, ""));
    ck_assert_ptr_null(ailes_recovery_code_hash(pool, "----"));
    ck_assert_ptr_null(ailes_recovery_code_hash(pool, "abcd_efgh_jkmn"));
    /* the same code as above is fine: the refusals are not accidental */
    ck_assert_ptr_nonnull(ailes_recovery_code_hash(pool, "abcd-efgh-jkmn"));
}
END_TEST

/* --- QR SVG -------------------------------------------------------------- */

static char *lower_copy(const char *s)
{
    char *out = apr_pstrdup(pool, s), *w;

    for (w = out; *w; w++) {
        if (*w >= 'A' && *w <= 'Z') {
            *w = (char)(*w - 'A' + 'a');
        }
    }
    return out;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The viewBox size, or -1. */
static int viewbox_size(const char *svg)
{
    const char *vb = strstr(svg, "viewBox=\"");
    int x = -1, y = -1, w = -1, h = -1;

    if (!vb || sscanf(vb, "viewBox=\"%d %d %d %d\"", &x, &y, &w, &h) != 4
        || x != 0 || y != 0 || w != h) {
        return -1;
    }
    return w;
}

/* The module width libqrencode gives text at level M, or -1. */
static int qr_width(const char *text)
{
    QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    int w;

    if (!qr) {
        return -1;
    }
    w = qr->width;
    QRcode_free(qr);
    return w;
}

static void assert_svg_safe(const char *svg)
{
    const char *lc = lower_copy(svg);
    static const char *const banned[] = {
        "<script", "style=", "<style", "onload", "onclick", "onerror",
        "onmouseover", "onfocus", "onbegin", " on", "javascript:", "href",
        "<foreignobject", "<!", "<?", "&",
    };
    size_t i;

    ck_assert_msg(strncmp(svg, "<svg", 4) == 0, "start: %.40s", svg);
    ck_assert_msg(ends_with(svg, "</svg>"), "end of %s",
                  svg + (strlen(svg) > 40 ? strlen(svg) - 40 : 0));
    for (i = 0; i < sizeof(banned) / sizeof(banned[0]); i++) {
        ck_assert_msg(strstr(lc, banned[i]) == NULL, "\"%s\" in the SVG",
                      banned[i]);
    }
    /* "style" appears nowhere but in shape-rendering... which it does not:
     * the whole word is banned */
    ck_assert_ptr_null(strstr(lc, "style"));
    /* exactly one document */
    ck_assert_ptr_null(strstr(svg + 1, "<svg"));
}

/* Every dark module of text's QR code is one "Mx yh1v1h-1z" square inside
 * the quiet zone, and there is no other square. */
static void assert_modules(const char *svg, const char *text)
{
    QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    const char *s;
    int dark = 0, squares = 0, x, y;

    ck_assert_ptr_nonnull(qr);
    for (y = 0; y < qr->width; y++) {
        for (x = 0; x < qr->width; x++) {
            dark += qr->data[y * qr->width + x] & 1;
        }
    }
    for (s = strstr(svg, "d=\"M"); s && (s = strchr(s, 'M'));) {
        int mx = -1, my = -1;

        ck_assert_int_eq(sscanf(s, "M%d %dh1v1h-1z", &mx, &my), 2);
        ck_assert_msg(mx >= 4 && mx < qr->width + 4 && my >= 4
                          && my < qr->width + 4,
                      "module %d %d outside %d", mx, my, qr->width);
        ck_assert_msg(qr->data[(my - 4) * qr->width + (mx - 4)] & 1,
                      "module %d %d is light", mx, my);
        squares++;
        s++;
    }
    QRcode_free(qr);
    ck_assert_int_gt(dark, 0);
    ck_assert_int_eq(squares, dark);
}

START_TEST(qr_svg_of_otpauth_uri)
{
    const char *b32 = ailes_totp_base32(pool, ailes_totp_secret_new(pool),
                                        AILES_TOTP_SECRET_BYTES);
    const char *uri = ailes_totp_uri(pool, "Ailes", TENANT_JA, "E001", b32);
    const char *svg = ailes_qr_svg(pool, uri);
    int w = qr_width(uri);

    ck_assert_ptr_nonnull(svg);
    assert_svg_safe(svg);
    ck_assert_int_gt(w, 20);
    ck_assert_int_eq(viewbox_size(svg), w + 8);
    assert_modules(svg, uri);
    /* the secret is drawn, not written */
    ck_assert_ptr_null(strstr(svg, b32));
}
END_TEST

START_TEST(qr_svg_known_size)
{
    /* version 3 (29 modules) at level M */
    const char *text = "otpauth://totp/Ailes:x?secret=ABC";
    const char *svg = ailes_qr_svg(pool, text);

    ck_assert_ptr_nonnull(svg);
    ck_assert_int_eq(qr_width(text), 29);
    ck_assert_int_eq(viewbox_size(svg), 37);
    ck_assert_ptr_nonnull(strstr(svg, "viewBox=\"0 0 37 37\""));
    assert_svg_safe(svg);
    assert_modules(svg, text);
}
END_TEST

START_TEST(qr_svg_deterministic)
{
    const char *uri = ailes_totp_uri(pool, "Ailes", TENANT_JA, "E001",
                                     "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    const char *a = ailes_qr_svg(pool, uri);
    const char *b = ailes_qr_svg(pool, uri);
    const char *c = ailes_qr_svg(pool, apr_pstrcat(pool, uri, "x", NULL));

    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_ne(a, b);
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
}
END_TEST

static char *filled(size_t n, int varied)
{
    char *s = apr_palloc(pool, n + 1);
    unsigned int x = 12345;
    size_t i;

    for (i = 0; i < n; i++) {
        if (varied) {
            x = x * 1103515245u + 12345u;
            s[i] = (char)(1 + (x >> 16) % 255);       /* never NUL */
        }
        else {
            s[i] = (char)('a' + i % 26);
        }
    }
    s[n] = '\0';
    return s;
}

START_TEST(qr_svg_size_limits)
{
    /* Level M holds at most 2331 bytes (version 40, 8-bit mode). */
    const char *svg = ailes_qr_svg(pool, filled(1000, 0));

    ck_assert_ptr_nonnull(svg);
    assert_svg_safe(svg);
    ck_assert_int_eq(viewbox_size(svg), qr_width(filled(1000, 0)) + 8);

    svg = ailes_qr_svg(pool, filled(2331, 0));
    ck_assert_ptr_nonnull(svg);
    ck_assert_int_eq(viewbox_size(svg), 177 + 8);
    assert_svg_safe(svg);
    assert_modules(svg, filled(2331, 0));

    ck_assert_ptr_null(ailes_qr_svg(pool, filled(2332, 0)));
    ck_assert_ptr_null(ailes_qr_svg(pool, filled(3000, 0)));
    ck_assert_ptr_null(ailes_qr_svg(pool, filled(4000, 0)));
}
END_TEST

START_TEST(qr_svg_binary_text_at_limit)
{
    /* arbitrary bytes: the drawing buffer must hold any module pattern */
    const char *text = filled(2331, 1);
    const char *svg = ailes_qr_svg(pool, text);

    ck_assert_ptr_nonnull(svg);
    ck_assert_int_eq(viewbox_size(svg), 185);
    assert_svg_safe(svg);
    assert_modules(svg, text);
}
END_TEST

START_TEST(qr_svg_refuses_empty)
{
    ck_assert_ptr_null(ailes_qr_svg(pool, ""));
    ck_assert_ptr_null(ailes_qr_svg(pool, NULL));
}
END_TEST

Suite *ailes_suite_totp(void)
{
    Suite *s = suite_create("totp");
    TCase *tc = tcase_create("code");
    TCase *tm = tcase_create("match");
    TCase *tb = tcase_create("secret");
    TCase *tr = tcase_create("recovery");
    TCase *tq = tcase_create("qr");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, totp_rfc6238_vectors_8_digits);
    tcase_add_test(tc, totp_rfc6238_vectors_6_digits);
    tcase_add_test(tc, totp_code_same_within_step);
    tcase_add_test(tc, totp_code_refuses_bad_arguments);
    tcase_add_test(tc, totp_code_matches_oathtool);
    tcase_add_test(tc, totp_code_wellformed);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(tm, setup, teardown);
    tcase_add_test(tm, totp_match_window_1);
    tcase_add_test(tm, totp_match_window_edges_of_step);
    tcase_add_test(tm, totp_match_window_0);
    tcase_add_test(tm, totp_match_window_2);
    tcase_add_test(tm, totp_match_refuses_bad_window);
    tcase_add_test(tm, totp_match_wrong_code);
    tcase_add_test(tm, totp_match_replay);
    tcase_add_test(tm, totp_match_malformed_codes);
    suite_add_tcase(s, tm);

    tcase_add_checked_fixture(tb, setup, teardown);
    tcase_add_test(tb, totp_secret_new_differs);
    tcase_add_test(tb, totp_base32_of_secret);
    tcase_add_test(tb, totp_base32_rfc4648_vectors);
    tcase_add_test(tb, totp_unbase32_refuses_invalid);
    tcase_add_test(tb, totp_uri_japanese_tenant);
    tcase_add_test(tb, totp_uri_encodes_reserved_characters);
    tcase_add_test(tb, totp_uri_encodes_secret_part);
    tcase_add_test(tb, totp_uri_keeps_unreserved);
    suite_add_tcase(s, tb);

    tcase_add_checked_fixture(tr, setup, teardown);
    tcase_add_test(tr, recovery_code_format);
    tcase_add_test(tr, recovery_code_hash_normalises);
    tcase_add_test(tr, recovery_code_hash_of_new_codes);
    tcase_add_test(tr, recovery_code_hash_refuses);
    suite_add_tcase(s, tr);

    tcase_add_checked_fixture(tq, setup, teardown);
    tcase_add_test(tq, qr_svg_of_otpauth_uri);
    tcase_add_test(tq, qr_svg_known_size);
    tcase_add_test(tq, qr_svg_deterministic);
    tcase_add_test(tq, qr_svg_size_limits);
    tcase_add_test(tq, qr_svg_binary_text_at_limit);
    tcase_add_test(tq, qr_svg_refuses_empty);
    suite_add_tcase(s, tq);
    return s;
}
