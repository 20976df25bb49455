/* Mail messages built safely; see ailes_mail.h. */
#include <string.h>

#include <apr_base64.h>
#include <apr_strings.h>
#include <sodium.h>

#include "ailes_csv.h"
#include "ailes_mail.h"
#include "ailes_time.h"

/* Room for the base64 text of one encoded word on a line that starts with
 * `indent` characters: "=?UTF-8?B?" and "?=" take 12 of the 76. */
#define WORD_OVERHEAD 12

static int atext(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+/=?^_`{|}~-",
                                                     c));
}

static int label_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '-';
}

/* Host-name labels separated by single dots, none starting or ending
 * with '-', at most 63 characters each. */
static int host_ok(const char *s, apr_size_t len)
{
    apr_size_t i, start = 0;

    if (len == 0) {
        return 0;
    }
    for (i = 0; i <= len; i++) {
        if (i == len || s[i] == '.') {
            apr_size_t n = i - start;
            if (n == 0 || n > 63 || s[start] == '-' || s[i - 1] == '-') {
                return 0;
            }
            start = i + 1;
        }
        else if (!label_char((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

const char *ailes_mail_check_address(apr_pool_t *p, const char *addr)
{
    const char *at;
    apr_size_t len, i, local;

    (void)p;
    if (!addr || !(at = strchr(addr, '@'))) {
        return "a mail address is local@domain";
    }
    len = strlen(addr);
    local = (apr_size_t)(at - addr);
    if (len > AILES_MAIL_ADDRESS_MAX) {
        return "a mail address has at most 254 characters";
    }
    if (local == 0 || local > 64) {
        return "the local part of a mail address has 1 to 64 characters";
    }
    for (i = 0; i < local; i++) {
        int c = (unsigned char)addr[i];
        if (c == '.') {
            if (i == 0 || i == local - 1 || addr[i + 1] == '.') {
                return "a mail address has a misplaced dot";
            }
        }
        else if (!atext(c)) {
            return "a mail address has a character that is not allowed "
                   "(letters, digits and !#$%&'*+/=?^_`{|}~.- only)";
        }
    }
    if (!host_ok(at + 1, len - local - 1)) {
        return "the domain of a mail address is not a host name";
    }
    return NULL;
}

const char *ailes_mail_check_relay(apr_pool_t *p, const char *url)
{
    const char *host, *end, *port = NULL;
    apr_size_t hlen;

    (void)p;
    if (!url) {
        return "the relay is smtp://HOST:PORT";
    }
    if (!strncmp(url, "smtp://", 7)) {
        host = url + 7;
    }
    else if (!strncmp(url, "smtps://", 8)) {
        host = url + 8;
    }
    else {
        return "the relay is smtp://HOST:PORT (or smtps://)";
    }
    if (*host == '[') {
        end = strchr(host, ']');
        if (!end || end == host + 1) {
            return "the relay has a bad [IPv6] address";
        }
        for (hlen = 1; host + hlen < end; hlen++) {
            int c = (unsigned char)host[hlen];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
                  || (c >= 'A' && c <= 'F') || c == ':' || c == '.')) {
                return "the relay has a bad [IPv6] address";
            }
        }
        end++;
    }
    else {
        end = host + strcspn(host, ":/");
        if (!host_ok(host, (apr_size_t)(end - host))) {
            return "the relay names no host (smtp://HOST:PORT)";
        }
    }
    if (*end == ':') {
        long v = 0;
        port = end + 1;
        for (end = port; *end >= '0' && *end <= '9' && end - port < 6;
             end++) {
            v = v * 10 + (*end - '0');
        }
        if (end == port || v < 1 || v > 65535) {
            return "the relay port is 1 to 65535";
        }
    }
    if (*end == '/') {
        end++;
    }
    if (*end) {
        return "the relay is smtp://HOST:PORT, without user, path or query";
    }
    return NULL;
}

/* A copy of s with every control character (C0, DEL) as a space. */
static char *uncontrol(apr_pool_t *p, const char *s)
{
    char *c = apr_pstrdup(p, s), *w;

    for (w = c; *w; w++) {
        if ((unsigned char)*w < 0x20 || *w == 0x7f) {
            *w = ' ';
        }
    }
    return c;
}

static int plain_ascii(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
            return 0;
        }
    }
    return 1;
}

/* The number of bytes, at most max, that end on a character boundary. */
static apr_size_t whole_chars(const char *s, apr_size_t len, apr_size_t max)
{
    apr_size_t n = len < max ? len : max;

    while (n > 0 && n < len && ((unsigned char)s[n] & 0xC0) == 0x80) {
        n--;
    }
    return n;
}

/* value as encoded words, the first on a line of `first` characters
 * already, the next ones on folded lines (" "). */
static const char *encode_words(apr_pool_t *p, const char *value,
                                apr_size_t first)
{
    apr_size_t len = strlen(value), off = 0, used = first;
    const char *out = "";

    do {
        /* raw bytes per word: base64 of 3 bytes is 4 characters */
        apr_size_t room = AILES_MAIL_LINE_MAX - used - WORD_OVERHEAD;
        apr_size_t n = whole_chars(value + off, len - off, room / 4 * 3);
        char *b64 = apr_palloc(p, (apr_size_t)apr_base64_encode_len((int)n));

        apr_base64_encode(b64, value + off, (int)n);
        out = apr_pstrcat(p, out, off ? "\r\n " : "", "=?UTF-8?B?", b64,
                          "?=", NULL);
        off += n;
        used = 1;
    } while (off < len);
    return out;
}

const char *ailes_mail_header(apr_pool_t *p, const char *name,
                              const char *value)
{
    apr_size_t prefix = strlen(name) + 2;
    char *v;

    if (!ailes_utf8_valid(value, strlen(value))) {
        return NULL;
    }
    v = uncontrol(p, value);
    if (plain_ascii(v) && !strstr(v, "=?")
        && prefix + strlen(v) <= AILES_MAIL_LINE_MAX) {
        return apr_pstrcat(p, name, ": ", v, NULL);
    }
    return apr_pstrcat(p, name, ": ", encode_words(p, v, prefix), NULL);
}

const char *ailes_mail_date(apr_pool_t *p, apr_time_t t)
{
    static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
                                        "Fri", "Sat" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
                                          "Jun", "Jul", "Aug", "Sep", "Oct",
                                          "Nov", "Dec" };
    apr_time_exp_t x;

    if (APR_SUCCESS != apr_time_exp_tz(&x, t, AILES_JST_OFFSET_SEC)) {
        return NULL;
    }
    return apr_psprintf(p, "%s, %02d %s %04d %02d:%02d:%02d +0900",
                        days[x.tm_wday], x.tm_mday, months[x.tm_mon],
                        x.tm_year + 1900, x.tm_hour, x.tm_min, x.tm_sec);
}

/* The body with CRLF line ends, base64 in lines of 76. */
static const char *body_b64(apr_pool_t *p, const char *body)
{
    apr_size_t len = strlen(body), i, n = 0, off;
    char *crlf = apr_palloc(p, 2 * len + 1), *b64;
    const char *out = "";

    for (i = 0; i < len; i++) {
        if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r')) {
            crlf[n++] = '\r';
        }
        crlf[n++] = body[i];
    }
    crlf[n] = '\0';
    b64 = apr_palloc(p, (apr_size_t)apr_base64_encode_len((int)n));
    len = (apr_size_t)apr_base64_encode(b64, crlf, (int)n);
    while (len && b64[len - 1] == '\0') {
        len--;
    }
    for (off = 0; off < len; off += AILES_MAIL_LINE_MAX) {
        apr_size_t k = len - off < AILES_MAIL_LINE_MAX ? len - off
                                                       : AILES_MAIL_LINE_MAX;
        out = apr_pstrcat(p, out, apr_pstrmemdup(p, b64 + off, k), "\r\n",
                          NULL);
    }
    return out;
}

const char *ailes_mail_build(apr_pool_t *p, const ailes_mail_t *m,
                             const char **msg)
{
    unsigned char rnd[16];
    char hex[33];
    const char *err, *to, *subject, *date;

    *msg = NULL;
    if ((err = ailes_mail_check_address(p, m->from))) {
        return apr_pstrcat(p, "sender: ", err, NULL);
    }
    if ((err = ailes_mail_check_address(p, m->to))) {
        return apr_pstrcat(p, "recipient: ", err, NULL);
    }
    if (!m->subject || !m->body || !ailes_utf8_valid(m->body,
                                                     strlen(m->body))) {
        return "the subject and body must be UTF-8 text";
    }
    if (!(subject = ailes_mail_header(p, "Subject", m->subject))) {
        return "the subject must be UTF-8 text";
    }
    if (m->to_name && *m->to_name) {
        /* The name is always an encoded word, so no character of it (a
         * quote, a comma, an angle bracket) is ever read as syntax. */
        char *name = uncontrol(p, m->to_name);
        if (!ailes_utf8_valid(name, strlen(name))) {
            return "the recipient's name must be UTF-8 text";
        }
        to = apr_pstrcat(p, "To: ", encode_words(p, name, 4), "\r\n <",
                         m->to, ">", NULL);
    }
    else {
        to = apr_pstrcat(p, "To: ", m->to, NULL);
    }
    if (!(date = ailes_mail_date(p, m->date))) {
        return "the date cannot be rendered";
    }
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
    *msg = apr_pstrcat(p, "Date: ", date, "\r\n",
                       "From: ", m->from, "\r\n",
                       to, "\r\n",
                       subject, "\r\n",
                       "Message-ID: <", hex, ".ailes", strchr(m->from, '@'),
                       ">\r\n",
                       "MIME-Version: 1.0\r\n",
                       "Content-Type: text/plain; charset=UTF-8\r\n",
                       "Content-Transfer-Encoding: base64\r\n",
                       "Auto-Submitted: auto-generated\r\n",
                       "\r\n", body_b64(p, m->body), NULL);
    return NULL;
}
