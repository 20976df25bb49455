/* CSV decoding and parsing; see ailes_csv.h. */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_xlate.h>

#include "ailes_csv.h"

int ailes_utf8_valid(const char *s, apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t i = 0;

    while (i < len) {
        unsigned char c = u[i];
        apr_size_t n, k;
        unsigned long cp;

        if (c == 0) {
            return 0;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0) {
            n = 2;
            cp = c & 0x1f;
        }
        else if ((c & 0xf0) == 0xe0) {
            n = 3;
            cp = c & 0x0f;
        }
        else if ((c & 0xf8) == 0xf0) {
            n = 4;
            cp = c & 0x07;
        }
        else {
            return 0;
        }
        if (i + n > len) {
            return 0;
        }
        for (k = 1; k < n; k++) {
            if ((u[i + k] & 0xc0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (u[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800)
            || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))
            || (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }
        i += n;
    }
    return 1;
}

static int line_at(const char *buf, apr_size_t off)
{
    int line = 1;
    apr_size_t i;

    for (i = 0; i < off; i++) {
        line += buf[i] == '\n';
    }
    return line;
}

/* CP932 bytes (a text from its line first_line on) as NUL-terminated
 * UTF-8 from p through x. NULL or "line N: ...". */
static const char *from_cp932(apr_pool_t *p, apr_xlate_t *x, const char *buf,
                              apr_size_t len, int first_line,
                              const char **out, apr_size_t *outlen)
{
    /* A CP932 byte can become 3 UTF-8 bytes (half-width katakana ｱ). */
    apr_size_t cap = len * 3 + 16, inleft = len, outleft = cap;
    char *dst = apr_palloc(p, cap);
    apr_status_t rv;

    rv = apr_xlate_conv_buffer(x, buf, &inleft, dst, &outleft);
    if (APR_SUCCESS == rv && inleft == 0) {
        rv = apr_xlate_conv_buffer(x, NULL, NULL, dst + (cap - outleft),
                                   &outleft);
    }
    if (APR_SUCCESS != rv || inleft != 0) {
        return apr_psprintf(p, "line %d: bytes that are neither UTF-8 nor "
                            "Shift_JIS (CP932)",
                            first_line - 1 + line_at(buf, len - inleft));
    }
    *outlen = cap - outleft;
    dst[*outlen] = '\0';
    if (!ailes_utf8_valid(dst, *outlen)) {
        return apr_psprintf(p, "line %d: the text could not be read",
                            first_line);
    }
    *out = dst;
    return NULL;
}

const char *ailes_csv_to_utf8(apr_pool_t *p, const char *buf, apr_size_t len,
                              const char **out, apr_size_t *outlen,
                              const char **encoding)
{
    apr_xlate_t *x;
    const char *err;

    if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) {
        if (!ailes_utf8_valid(buf + 3, len - 3)) {
            return "the file starts with a UTF-8 mark but is not UTF-8";
        }
        *out = buf + 3;
        *outlen = len - 3;
        *encoding = "utf-8-bom";
        return NULL;
    }
    if (ailes_utf8_valid(buf, len)) {
        *out = buf;
        *outlen = len;
        *encoding = "utf-8";
        return NULL;
    }
    if (memchr(buf, '\0', len)) {
        return apr_psprintf(p, "line %d: a NUL byte (not a text file?)",
                            line_at(buf, (apr_size_t)((const char *)memchr(
                                                          buf, '\0', len)
                                                      - buf)));
    }
    if (APR_SUCCESS != apr_xlate_open(&x, "UTF-8", "CP932", p)) {
        return "CP932 conversion is not available";
    }
    err = from_cp932(p, x, buf, len, 1, out, outlen);
    apr_xlate_close(x);
    if (!err) {
        *encoding = "cp932";
    }
    return err;
}

/* ailes_csv_parse for a text that starts on line first_line. */
static const char *parse(apr_pool_t *p, const char *text, apr_size_t len,
                         int first_line, int max_rows, int max_fields,
                         apr_array_header_t **rows)
{
    apr_array_header_t *fields = apr_array_make(p, 8, sizeof(const char *));
    char *field = apr_palloc(p, len + 1);
    apr_size_t i = 0, flen = 0;
    int line = first_line, start = first_line, quoted = 0;
    int was_quoted = 0, blank = 1;

    *rows = apr_array_make(p, 64, sizeof(ailes_csv_row_t *));
    while (i <= len) {
        char c = i < len ? text[i] : '\n';     /* a final newline */
        int at_end = i == len;

        if (quoted) {
            if (at_end) {
                return apr_psprintf(p, "line %d: a quoted field is not "
                                    "closed", start);
            }
            if (c == '"') {
                if (i + 1 < len && text[i + 1] == '"') {
                    field[flen++] = '"';
                    i += 2;
                    continue;
                }
                quoted = 0;
                i++;
                continue;
            }
            line += c == '\n';
            field[flen++] = c;
            i++;
            continue;
        }
        if (c == '"') {
            if (flen != 0 || was_quoted) {
                return apr_psprintf(p, "line %d: a quote inside an unquoted "
                                    "field", line);
            }
            quoted = was_quoted = 1;
            blank = 0;
            i++;
            continue;
        }
        if (c == ',' || c == '\n' || c == '\r') {
            if (c == '\r' && !(i + 1 < len && text[i + 1] == '\n')
                && !at_end) {
                return apr_psprintf(p, "line %d: a lone carriage return",
                                    line);
            }
            if (c == '\r') {
                i++;
                continue;           /* the \n follows */
            }
            if (fields->nelts >= max_fields) {
                return apr_psprintf(p, "line %d: more than %d fields", start,
                                    max_fields);
            }
            APR_ARRAY_PUSH(fields, const char *) = apr_pstrmemdup(p, field,
                                                                  flen);
            flen = 0;
            was_quoted = 0;
            if (c == ',') {
                blank = 0;
                i++;
                continue;
            }
            /* end of record */
            if (!blank) {
                ailes_csv_row_t *row = apr_palloc(p, sizeof(*row));
                if ((*rows)->nelts >= max_rows) {
                    return apr_psprintf(p, "more than %d rows", max_rows);
                }
                row->line = start;
                row->nfields = fields->nelts;
                row->fields = (const char **)fields->elts;
                APR_ARRAY_PUSH(*rows, ailes_csv_row_t *) = row;
                fields = apr_array_make(p, row->nfields + 1,
                                        sizeof(const char *));
            }
            else {
                apr_array_clear(fields);
            }
            blank = 1;
            line++;
            start = line;
            i++;
            if (at_end) {
                break;
            }
            continue;
        }
        if (was_quoted) {
            return apr_psprintf(p, "line %d: text after a closing quote",
                                line);
        }
        field[flen++] = c;
        blank = 0;
        i++;
    }
    return NULL;
}

const char *ailes_csv_parse(apr_pool_t *p, const char *text, apr_size_t len,
                            int max_rows, int max_fields,
                            apr_array_header_t **rows)
{
    return parse(p, text, len, 1, max_rows, max_fields, rows);
}

/* --- reading in pieces ---------------------------------------------------- */

typedef enum { ENC_UNDECIDED, ENC_UTF8, ENC_UTF8_BOM, ENC_CP932 } encoding_t;

struct ailes_csv_stream {
    apr_pool_t *p;
    char *buf;                  /* malloc'ed; freed with p */
    apr_size_t cap, used;
    apr_size_t start;           /* first byte not yet returned */
    apr_size_t scan;            /* where the search for the record end goes on */
    int quoted;                 /* the search is inside quotes at scan */
    int line;                   /* line of buf[start] */
    int bom_checked;
    encoding_t enc;
    int enc_line;               /* the record that decided enc */
    apr_xlate_t *x;             /* CP932 to UTF-8, opened when needed */
    int max_fields;
    apr_size_t max_record;
};

static apr_status_t stream_free(void *data)
{
    ailes_csv_stream_t *s = data;

    free(s->buf);
    s->buf = NULL;
    return APR_SUCCESS;
}

ailes_csv_stream_t *ailes_csv_stream_make(apr_pool_t *p, int max_fields,
                                          apr_size_t max_record)
{
    ailes_csv_stream_t *s = apr_pcalloc(p, sizeof(*s));

    s->p = p;
    s->line = 1;
    s->max_fields = max_fields;
    s->max_record = max_record;
    apr_pool_cleanup_register(p, s, stream_free, apr_pool_cleanup_null);
    return s;
}

void ailes_csv_stream_feed(ailes_csv_stream_t *s, const char *buf,
                           apr_size_t len)
{
    if (!len) {                 /* an empty body: nothing allocated yet */
        return;
    }
    if (s->start) {             /* drop what was returned */
        memmove(s->buf, s->buf + s->start, s->used - s->start);
        s->used -= s->start;
        s->scan -= s->start;
        s->start = 0;
    }
    if (s->used + len > s->cap) {
        apr_size_t cap = s->cap ? s->cap : 4096;
        char *bigger;

        while (cap < s->used + len) {
            cap *= 2;
        }
        if (!(bigger = realloc(s->buf, cap))) {
            abort();            /* as APR does when a pool runs dry */
        }
        s->buf = bigger;
        s->cap = cap;
    }
    memcpy(s->buf + s->used, buf, len);
    s->used += len;
}

const char *ailes_csv_stream_encoding(const ailes_csv_stream_t *s)
{
    switch (s->enc) {
    case ENC_UTF8_BOM:
        return "utf-8-bom";
    case ENC_CP932:
        return "cp932";
    default:
        return "utf-8";
    }
}

apr_size_t ailes_csv_stream_held(const ailes_csv_stream_t *s)
{
    return s->cap;
}

static int ascii(const char *b, apr_size_t len)
{
    apr_size_t i;

    for (i = 0; i < len; i++) {
        if ((unsigned char)b[i] >= 0x80) {
            return 0;
        }
    }
    return 1;
}

/* One record's bytes (starting on line) as UTF-8 in p. */
static const char *decode(ailes_csv_stream_t *s, apr_pool_t *p,
                          const char *b, apr_size_t len, int line,
                          const char **out, apr_size_t *outlen)
{
    const char *nul = memchr(b, '\0', len);
    int valid;

    if (nul) {
        return apr_psprintf(p, "line %d: a NUL byte (not a text file?)",
                            line - 1 + line_at(b, (apr_size_t)(nul - b)));
    }
    if (s->enc != ENC_CP932 && ascii(b, len)) {
        *out = apr_pstrmemdup(p, b, len);
        *outlen = len;
        return NULL;
    }
    valid = s->enc != ENC_CP932 && ailes_utf8_valid(b, len);
    if (s->enc == ENC_UNDECIDED) {
        s->enc = valid ? ENC_UTF8 : ENC_CP932;
        s->enc_line = line;
    }
    if (s->enc == ENC_UTF8_BOM && !valid) {
        return apr_psprintf(p, "line %d: not UTF-8, though the file starts "
                            "with a UTF-8 mark", line);
    }
    if (s->enc == ENC_UTF8 && !valid) {
        return apr_psprintf(p, "line %d: not UTF-8, though line %d was "
                            "(one encoding per file: UTF-8 or Shift_JIS)",
                            line, s->enc_line);
    }
    if (s->enc != ENC_CP932) {
        *out = apr_pstrmemdup(p, b, len);
        *outlen = len;
        return NULL;
    }
    if (!s->x && APR_SUCCESS != apr_xlate_open(&s->x, "UTF-8", "CP932",
                                               s->p)) {
        s->x = NULL;
        return "CP932 conversion is not available";
    }
    return from_cp932(p, s->x, b, len, line, out, outlen);
}

int ailes_csv_stream_next(ailes_csv_stream_t *s, apr_pool_t *p, int eof,
                          const ailes_csv_row_t **row, const char **err)
{
    for (;;) {
        apr_size_t end = 0, i;
        const char *text;
        apr_size_t tlen;
        apr_array_header_t *rows;
        int line = s->line;

        if (!s->bom_checked) {
            if (s->used - s->start < 3 && !eof) {
                return 0;
            }
            s->bom_checked = 1;
            if (s->used - s->start >= 3
                && !memcmp(s->buf + s->start, "\xef\xbb\xbf", 3)) {
                s->start += 3;
                s->scan = s->start;
                s->enc = ENC_UTF8_BOM;
            }
        }
        for (i = s->scan; i < s->used && !end; i++) {
            if (s->buf[i] == '"') {
                s->quoted = !s->quoted;
            }
            else if (s->buf[i] == '\n' && !s->quoted) {
                end = i + 1;
            }
        }
        s->scan = i;
        if ((end ? end : s->used) - s->start > s->max_record) {
            *err = apr_psprintf(p, "line %d: a row longer than %lu bytes "
                                "(a quote not closed?)", line,
                                (unsigned long)s->max_record);
            return -1;
        }
        if (!end) {
            if (!eof || s->start == s->used) {
                return 0;
            }
            end = s->used;
        }
        for (i = s->start; i < end; i++) {
            s->line += s->buf[i] == '\n';
        }
        *err = decode(s, p, s->buf + s->start, end - s->start, line, &text,
                      &tlen);
        s->start = s->scan = end;
        s->quoted = 0;
        if (*err || (*err = parse(p, text, tlen, line, 1, s->max_fields,
                                  &rows))) {
            return -1;
        }
        if (rows->nelts) {
            *row = APR_ARRAY_IDX(rows, 0, const ailes_csv_row_t *);
            return 1;
        }
    }
}

const char *ailes_fullwidth_to_ascii(apr_pool_t *p, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    char *out = apr_palloc(p, strlen(s) + 1), *w = out;

    while (*u) {
        /* U+FF01..U+FF5E is EF BC 81..EF BD 9E; U+3000 is E3 80 80. */
        if (u[0] == 0xef && (u[1] == 0xbc || u[1] == 0xbd) && u[2]) {
            unsigned cp = 0xff00 + ((u[1] & 0x03) << 6) + (u[2] & 0x3f);
            if (cp >= 0xff01 && cp <= 0xff5e) {
                *w++ = (char)(cp - 0xff01 + 0x21);
                u += 3;
                continue;
            }
        }
        if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) {
            *w++ = ' ';
            u += 3;
            continue;
        }
        *w++ = (char)*u++;
    }
    *w = '\0';
    return out;
}
