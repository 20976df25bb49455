/* CSV decoding and parsing; see ailes_csv.h. */
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

const char *ailes_csv_to_utf8(apr_pool_t *p, const char *buf, apr_size_t len,
                              const char **out, apr_size_t *outlen,
                              const char **encoding)
{
    apr_xlate_t *x;
    apr_size_t inleft, outleft, cap;
    char *dst;
    apr_status_t rv;

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
    /* A CP932 byte can become 3 UTF-8 bytes (half-width katakana ｱ). */
    cap = len * 3 + 16;
    dst = apr_palloc(p, cap);
    inleft = len;
    outleft = cap;
    rv = apr_xlate_conv_buffer(x, buf, &inleft, dst, &outleft);
    if (APR_SUCCESS == rv && inleft == 0) {
        rv = apr_xlate_conv_buffer(x, NULL, NULL, dst + (cap - outleft),
                                   &outleft);
    }
    apr_xlate_close(x);
    if (APR_SUCCESS != rv || inleft != 0) {
        return apr_psprintf(p, "line %d: bytes that are neither UTF-8 nor "
                            "Shift_JIS (CP932)", line_at(buf, len - inleft));
    }
    *outlen = cap - outleft;
    dst[*outlen] = '\0';
    if (!ailes_utf8_valid(dst, *outlen)) {
        return "the file could not be read as text";
    }
    *out = dst;
    *encoding = "cp932";
    return NULL;
}

const char *ailes_csv_parse(apr_pool_t *p, const char *text, apr_size_t len,
                            int max_rows, int max_fields,
                            apr_array_header_t **rows)
{
    apr_array_header_t *fields = apr_array_make(p, 8, sizeof(const char *));
    char *field = apr_palloc(p, len + 1);
    apr_size_t i = 0, flen = 0;
    int line = 1, start = 1, quoted = 0, was_quoted = 0, blank = 1;

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
