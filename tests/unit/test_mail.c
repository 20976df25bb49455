/* ailes_mail: address and relay checks, header encoding (no CR/LF from a
 * value ever starts a header; RFC 2047 words of whole characters, lines of
 * at most 76), the Date header in JST and whole messages. */
#include <string.h>

#include <apr_base64.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "ailes_mail.h"
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

/* The header lines of a header block (folded lines separate). */
static apr_array_header_t *lines_of(const char *text)
{
    apr_array_header_t *a = apr_array_make(pool, 8, sizeof(const char *));
    const char *s = text, *e;

    while ((e = strstr(s, "\r\n"))) {
        APR_ARRAY_PUSH(a, const char *) = apr_pstrmemdup(pool, s,
                                                         (apr_size_t)(e - s));
        s = e + 2;
    }
    APR_ARRAY_PUSH(a, const char *) = s;
    return a;
}

/* Asserts the block has no bare CR or LF and that every line after the
 * first is a folded continuation (starts with a space): so no value
 * started a header of its own. Returns the line count. */
static int check_folded(const char *h)
{
    apr_array_header_t *a = lines_of(h);
    int i;

    for (i = 0; i < a->nelts; i++) {
        const char *l = APR_ARRAY_IDX(a, i, const char *);
        ck_assert_msg(!strchr(l, '\r') && !strchr(l, '\n'), "bare CR/LF");
        ck_assert_msg(strlen(l) <= AILES_MAIL_LINE_MAX, "line of %d: %s",
                      (int)strlen(l), l);
        if (i > 0) {
            ck_assert_msg(l[0] == ' ', "line %d is not folded: %s", i, l);
        }
    }
    return a->nelts;
}

/* Decodes a header value made of =?UTF-8?B?...?= words (folding and the
 * "Name: " prefix skipped); each word must hold whole UTF-8 characters. */
static const char *decode_words(const char *h)
{
    const char *s = strchr(h, ':') + 1, *out = "";

    while ((s = strstr(s, "=?UTF-8?B?"))) {
        const char *b = s + 10, *e = strstr(b, "?=");
        char *b64, *plain;
        int n;

        ck_assert_ptr_nonnull(e);
        b64 = apr_pstrmemdup(pool, b, (apr_size_t)(e - b));
        plain = apr_palloc(pool, (apr_size_t)apr_base64_decode_len(b64) + 1);
        n = apr_base64_decode(plain, b64);
        plain[n] = '\0';
        /* whole characters: no word ends inside a sequence */
        ck_assert_msg(n == 0 || ((unsigned char)plain[n - 1] & 0xC0) != 0xC0,
                      "word ends with a lead byte");
        if (n > 0 && ((unsigned char)plain[n - 1] & 0x80)) {
            int k = n - 1, need;
            while (k > 0 && ((unsigned char)plain[k] & 0xC0) == 0x80) {
                k--;
            }
            need = ((unsigned char)plain[k] & 0xF0) == 0xF0   ? 4
                   : ((unsigned char)plain[k] & 0xE0) == 0xE0 ? 3
                                                              : 2;
            ck_assert_msg(n - k == need, "word splits a character");
        }
        out = apr_pstrcat(pool, out, plain, NULL);
        s = e + 2;
    }
    return out;
}

START_TEST(addresses)
{
    static const char *const good[] = {
        "a@example.com", "first.last+tag@mail.example.co.jp", "x@localhost",
        "o'brien_9@ex-ample.org", NULL
    };
    static const char *const bad[] = {
        "", "a", "@example.com", "a@", "a..b@example.com", ".a@example.com",
        "a.@example.com", "a@example.com\r\nBcc: evil@example.com",
        "a@example.com\n", "a b@example.com", "<a@example.com>",
        "a@-example.com", "a@example-.com", "a@example..com", "a@.example.com",
        "a@example.com.", "\"a\"@example.com", "a@b@example.com",
        "山田@example.com", "a@例え.jp", "a@exa_mple.com", NULL
    };
    char local[80], longest[300];
    int i;

    for (i = 0; good[i]; i++) {
        ck_assert_msg(ailes_mail_check_address(pool, good[i]) == NULL,
                      "refused %s", good[i]);
    }
    for (i = 0; bad[i]; i++) {
        ck_assert_msg(ailes_mail_check_address(pool, bad[i]) != NULL,
                      "accepted %s", bad[i]);
    }
    ck_assert_ptr_nonnull(ailes_mail_check_address(pool, NULL));
    memset(local, 'a', 64);
    strcpy(local + 64, "@example.com");
    ck_assert_ptr_null(ailes_mail_check_address(pool, local));
    memset(local, 'a', 65);
    strcpy(local + 65, "@example.com");
    ck_assert_ptr_nonnull(ailes_mail_check_address(pool, local));
    /* 254 in all is the most */
    strcpy(longest, "a@");
    for (i = 2; i < 252; i += 2) {
        strcpy(longest + i, "b.");
    }
    strcpy(longest + 252, "cc");
    ck_assert_int_eq((int)strlen(longest), 254);
    ck_assert_ptr_null(ailes_mail_check_address(pool, longest));
    strcat(longest, "c");
    ck_assert_ptr_nonnull(ailes_mail_check_address(pool, longest));
}
END_TEST

START_TEST(relays)
{
    static const char *const good[] = {
        "smtp://127.0.0.1:2525", "smtp://mail.example.com",
        "smtps://mx.example.com:465/", "smtp://[::1]:25", NULL
    };
    static const char *const bad[] = {
        "", "http://mail.example.com", "smtp://", "smtp://:25",
        "smtp://h:0", "smtp://h:70000", "smtp://h:25/path", "smtp://u@h",
        "smtp://h:25\r\n", "smtp://h:2x5", "mail.example.com:25",
        "smtp://h h", NULL
    };
    int i;

    for (i = 0; good[i]; i++) {
        ck_assert_msg(ailes_mail_check_relay(pool, good[i]) == NULL,
                      "refused %s", good[i]);
    }
    for (i = 0; bad[i]; i++) {
        ck_assert_msg(ailes_mail_check_relay(pool, bad[i]) != NULL,
                      "accepted %s", bad[i]);
    }
}
END_TEST

START_TEST(header_ascii)
{
    const char *h = ailes_mail_header(pool, "Subject", "Password changed");

    ck_assert_str_eq(h, "Subject: Password changed");
    /* CR/LF become spaces: the would-be Bcc stays inside the subject */
    h = ailes_mail_header(pool, "Subject", "hi\r\nBcc: evil@example.com");
    ck_assert_str_eq(h, "Subject: hi  Bcc: evil@example.com");
    h = ailes_mail_header(pool, "Subject", "a\tb\x01" "c\x7f");
    ck_assert_str_eq(h, "Subject: a b c ");
    /* "=?" in plain text would read as an encoded word: encoded */
    h = ailes_mail_header(pool, "Subject", "=?UTF-8?B?QQ==?=");
    ck_assert_str_eq(decode_words(h), "=?UTF-8?B?QQ==?=");
}
END_TEST

START_TEST(header_japanese)
{
    const char *subject = "【重要】システムメンテナンスのお知らせ（"
                          "2026年1月10日 02:00〜06:00）\r\nBcc: x@y.z 🙂"
                          "ご不便をおかけしますが、よろしくお願いいたします";
    const char *h = ailes_mail_header(pool, "Subject", subject);
    const char *want;
    int n;

    ck_assert_ptr_nonnull(h);
    ck_assert(!strncmp(h, "Subject: =?UTF-8?B?", 19));
    n = check_folded(h);
    ck_assert_int_gt(n, 2);
    want = apr_pstrdup(pool, subject);
    ((char *)want)[strstr(want, "\r\n") - want] = ' ';
    ((char *)want)[strstr(want, "\n") - want] = ' ';
    ck_assert_str_eq(decode_words(h), want);
    /* a long ASCII value is encoded and folded too */
    h = ailes_mail_header(pool, "Subject",
                          "A very long subject line that goes on and on "
                          "beyond the seventy-six characters of one line");
    check_folded(h);
    ck_assert_str_eq(decode_words(h),
                     "A very long subject line that goes on and on "
                     "beyond the seventy-six characters of one line");
}
END_TEST

START_TEST(header_bad_utf8)
{
    ck_assert_ptr_null(ailes_mail_header(pool, "Subject", "a\xff" "b"));
    ck_assert_ptr_null(ailes_mail_header(pool, "Subject", "\xe3\x81"));
    ck_assert_ptr_null(ailes_mail_header(pool, "Subject", "\xc0\xaf"));
}
END_TEST

START_TEST(date_jst)
{
    ck_assert_str_eq(ailes_mail_date(pool, 0),
                     "Thu, 01 Jan 1970 09:00:00 +0900");
    /* 2026-11-26T06:04:05Z is 15:04:05 in Japan */
    ck_assert_str_eq(ailes_mail_date(pool, apr_time_from_sec(1795673045)),
                     "Thu, 26 Nov 2026 15:04:05 +0900");
}
END_TEST

/* The header block and the decoded body of a built message. */
static void split_msg(const char *msg, const char **head, const char **body)
{
    const char *sep = strstr(msg, "\r\n\r\n");
    const char *b64;
    char *plain;
    int n;

    ck_assert_ptr_nonnull(sep);
    *head = apr_pstrmemdup(pool, msg, (apr_size_t)(sep - msg));
    b64 = sep + 4;
    plain = apr_palloc(pool, (apr_size_t)apr_base64_decode_len(b64) + 1);
    /* apr_base64_decode stops at the first non-base64 char: join lines */
    {
        char *joined = apr_pstrdup(pool, b64), *w = joined;
        const char *r;
        for (r = b64; *r; r++) {
            if (*r != '\r' && *r != '\n') {
                *w++ = *r;
            }
        }
        *w = '\0';
        n = apr_base64_decode(plain, joined);
    }
    plain[n] = '\0';
    *body = plain;
}

static int count_prefix(const char *head, const char *prefix)
{
    apr_array_header_t *a = lines_of(head);
    int i, n = 0;

    for (i = 0; i < a->nelts; i++) {
        if (!strncasecmp(APR_ARRAY_IDX(a, i, const char *), prefix,
                         strlen(prefix))) {
            n++;
        }
    }
    return n;
}

START_TEST(build_message)
{
    ailes_mail_t m;
    const char *msg, *head, *body, *err;

    memset(&m, 0, sizeof(m));
    m.from = "ailes@example.com";
    m.to = "yamada@example.com";
    m.to_name = "山田 太郎\r\nBcc: evil@example.com";
    m.subject = "パスワードが変更されました\nBcc: evil@example.com";
    m.body = "山田様\n\nパスワードが変更されました。\n.\nend";
    m.date = apr_time_from_sec(1795673045);
    err = ailes_mail_build(pool, &m, &msg);
    ck_assert_msg(err == NULL, "%s", err);
    split_msg(msg, &head, &body);
    ck_assert_int_eq(count_prefix(head, "Bcc:"), 0);
    ck_assert_int_eq(count_prefix(head, "From: ailes@example.com"), 1);
    ck_assert_int_eq(count_prefix(head, "To: "), 1);
    ck_assert_int_eq(count_prefix(head, "Subject: =?UTF-8?B?"), 1);
    ck_assert_int_eq(count_prefix(head, "Date: Thu, 26 Nov 2026 15:04:05 "
                                        "+0900"), 1);
    ck_assert_int_eq(count_prefix(head, "Message-ID: <"), 1);
    ck_assert_int_eq(count_prefix(head, "MIME-Version: 1.0"), 1);
    ck_assert_int_eq(count_prefix(head, "Content-Type: text/plain; "
                                        "charset=UTF-8"), 1);
    ck_assert_int_eq(count_prefix(head, "Content-Transfer-Encoding: "
                                        "base64"), 1);
    ck_assert(strstr(head, "@example.com>\r\n") != NULL);   /* Message-ID */
    ck_assert(strstr(head, " <yamada@example.com>") != NULL);
    ck_assert_str_eq(body, "山田様\r\n\r\nパスワードが変更されました。"
                           "\r\n.\r\nend");
    /* every header line folded properly, none too long */
    {
        apr_array_header_t *a = lines_of(head);
        int i;
        for (i = 0; i < a->nelts; i++) {
            const char *l = APR_ARRAY_IDX(a, i, const char *);
            ck_assert_msg(strlen(l) <= AILES_MAIL_LINE_MAX, "%s", l);
            ck_assert(!strchr(l, '\r') && !strchr(l, '\n'));
        }
    }
    /* two messages never share a Message-ID */
    {
        const char *msg2;
        ck_assert_ptr_null(ailes_mail_build(pool, &m, &msg2));
        ck_assert_str_ne(strstr(msg, "Message-ID:"),
                         strstr(msg2, "Message-ID:"));
    }
}
END_TEST

START_TEST(build_refuses)
{
    ailes_mail_t m;
    const char *msg = "x";

    memset(&m, 0, sizeof(m));
    m.from = "ailes@example.com";
    m.to = "yamada@example.com\r\nBcc: evil@example.com";
    m.subject = "s";
    m.body = "b";
    ck_assert_ptr_nonnull(ailes_mail_build(pool, &m, &msg));
    ck_assert_ptr_null(msg);
    m.to = "yamada@example.com";
    m.from = "nobody";
    ck_assert_ptr_nonnull(ailes_mail_build(pool, &m, &msg));
    m.from = "ailes@example.com";
    m.body = "bad \xff utf-8";
    ck_assert_ptr_nonnull(ailes_mail_build(pool, &m, &msg));
    m.body = "b";
    m.subject = "bad \xff";
    ck_assert_ptr_nonnull(ailes_mail_build(pool, &m, &msg));
    m.subject = "ok";
    m.to_name = NULL;
    ck_assert_ptr_null(ailes_mail_build(pool, &m, &msg));
    ck_assert(strstr(msg, "\r\nTo: yamada@example.com\r\n") != NULL);
}
END_TEST

Suite *ailes_suite_mail(void)
{
    Suite *s = suite_create("mail");
    TCase *tc = tcase_create("mail");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, addresses);
    tcase_add_test(tc, relays);
    tcase_add_test(tc, header_ascii);
    tcase_add_test(tc, header_japanese);
    tcase_add_test(tc, header_bad_utf8);
    tcase_add_test(tc, date_jst);
    tcase_add_test(tc, build_message);
    tcase_add_test(tc, build_refuses);
    suite_add_tcase(s, tc);
    return s;
}
