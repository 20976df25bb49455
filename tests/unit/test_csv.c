/* ailes_csv: decoding uploads to UTF-8 (BOM, CP932), UTF-8 validation,
 * RFC 4180 parsing and full-width to ASCII folding. */
#include <string.h>

#include <apr_strings.h>

#include "ailes_csv.h"
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

/* Asserts that err is a "line N: ..." message for the given line. */
static void assert_line_error(const char *err, int line)
{
    const char *want = apr_psprintf(pool, "line %d:", line);

    ck_assert_msg(err != NULL, "expected an error on line %d", line);
    ck_assert_msg(!strncmp(err, want, strlen(want)),
                  "expected \"%s ...\", got \"%s\"", want, err);
}

/* Parses text (NUL-terminated) with generous limits; fails on error. */
static apr_array_header_t *parse_ok(const char *text)
{
    apr_array_header_t *rows = NULL;
    const char *err = ailes_csv_parse(pool, text, strlen(text), 1000, 100,
                                      &rows);

    ck_assert_msg(err == NULL, "unexpected error: %s", err);
    ck_assert_ptr_nonnull(rows);
    return rows;
}

static const char *parse_err(const char *text)
{
    apr_array_header_t *rows = NULL;

    return ailes_csv_parse(pool, text, strlen(text), 1000, 100, &rows);
}

static const ailes_csv_row_t *row_at(apr_array_header_t *rows, int i)
{
    ck_assert_int_lt(i, rows->nelts);
    return APR_ARRAY_IDX(rows, i, const ailes_csv_row_t *);
}

/* --- ailes_csv_to_utf8 --------------------------------------------------- */

START_TEST(to_utf8_plain_utf8_kept)
{
    const char *in = "社員番号,氏名\nE001,山田\n";
    const char *out = NULL, *enc = NULL, *err;
    apr_size_t outlen = 0;

    err = ailes_csv_to_utf8(pool, in, strlen(in), &out, &outlen, &enc);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(enc, "utf-8");
    ck_assert_uint_eq(outlen, strlen(in));
    ck_assert_int_eq(memcmp(out, in, outlen), 0);
}
END_TEST

START_TEST(to_utf8_bom_dropped)
{
    const char *in = "\xef\xbb\xbf" "employee_no,name\nE001,山田\n";
    const char *want = "employee_no,name\nE001,山田\n";
    const char *out = NULL, *enc = NULL, *err;
    apr_size_t outlen = 0;

    err = ailes_csv_to_utf8(pool, in, strlen(in), &out, &outlen, &enc);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(enc, "utf-8-bom");
    ck_assert_uint_eq(outlen, strlen(want));
    ck_assert_int_eq(memcmp(out, want, outlen), 0);
}
END_TEST

START_TEST(to_utf8_bom_then_invalid_refused)
{
    /* 0x8e 0xd0 is CP932 (社), not UTF-8: a BOM promises UTF-8. */
    const char *in = "\xef\xbb\xbf" "a,b\n\x8e\xd0\n";
    const char *out = NULL, *enc = NULL;
    apr_size_t outlen = 0;

    ck_assert_ptr_nonnull(ailes_csv_to_utf8(pool, in, strlen(in), &out,
                                            &outlen, &enc));
}
END_TEST

START_TEST(to_utf8_cp932_converted)
{
    static const char in[] = {
        '\x8e', '\xd0', '\x88', '\xf5', '\x94', '\xd4', '\x8d', '\x86', ',',
        '\x8e', '\x81', '\x96', '\xbc', '\r', '\n', 'E', '0', '0', '1', ',',
        '\x8e', '\x52', '\x93', '\x63', '\r', '\n'
    };
    const char *want = "社員番号,氏名\r\nE001,山田\r\n";
    const char *out = NULL, *enc = NULL, *err;
    apr_size_t outlen = 0;

    err = ailes_csv_to_utf8(pool, in, sizeof(in), &out, &outlen, &enc);
    ck_assert_msg(err == NULL, "unexpected error: %s", err);
    ck_assert_str_eq(enc, "cp932");
    ck_assert_uint_eq(outlen, strlen(want));
    ck_assert_int_eq(memcmp(out, want, outlen), 0);
}
END_TEST

START_TEST(to_utf8_cp932_extensions)
{
    /* 髙 (IBM extension, 0xfb 0xfc) and ① (NEC special, 0x87 0x40). */
    const char *in = "E1,\xfb\xfc\x87\x40\n";
    const char *want = "E1,髙①\n";
    const char *out = NULL, *enc = NULL, *err;
    apr_size_t outlen = 0;

    err = ailes_csv_to_utf8(pool, in, strlen(in), &out, &outlen, &enc);
    ck_assert_msg(err == NULL, "unexpected error: %s", err);
    ck_assert_str_eq(enc, "cp932");
    ck_assert_uint_eq(outlen, strlen(want));
    ck_assert_int_eq(memcmp(out, want, outlen), 0);
}
END_TEST

START_TEST(to_utf8_cp932_halfwidth_katakana)
{
    /* Half-width katakana (ｱ, 0xb1) is one byte in CP932 and three in
     * UTF-8 (U+FF71, ef bd b1): a name column in ｶﾀｶﾅ grows threefold. */
    char in[64], *want = apr_palloc(pool, 3 * 60 + 8), *w = want;
    const char *out = NULL, *enc = NULL, *err;
    apr_size_t outlen = 0;
    int i;

    memcpy(in, "E1,", 3);
    memcpy(w, "E1,", 3);
    w += 3;
    for (i = 0; i < 60; i++) {
        in[3 + i] = '\xb1';
        memcpy(w, "\xef\xbd\xb1", 3);
        w += 3;
    }
    in[63] = '\n';
    *w++ = '\n';
    *w = '\0';
    err = ailes_csv_to_utf8(pool, in, sizeof(in), &out, &outlen, &enc);
    ck_assert_msg(err == NULL, "unexpected error: %s", err);
    ck_assert_str_eq(enc, "cp932");
    ck_assert_uint_eq(outlen, strlen(want));
    ck_assert_int_eq(memcmp(out, want, outlen), 0);
}
END_TEST

START_TEST(to_utf8_invalid_bytes_name_line)
{
    const char *in = "ok\nE1,\xff\xff\n";
    const char *out = NULL, *enc = NULL;
    apr_size_t outlen = 0;

    assert_line_error(ailes_csv_to_utf8(pool, in, strlen(in), &out, &outlen,
                                        &enc), 2);
}
END_TEST

START_TEST(to_utf8_lone_lead_byte_at_end)
{
    /* 0x82 starts a two-byte CP932 character that never comes. */
    const char *in = "ok\nE1,\x82";
    const char *out = NULL, *enc = NULL;
    apr_size_t outlen = 0;

    assert_line_error(ailes_csv_to_utf8(pool, in, strlen(in), &out, &outlen,
                                        &enc), 2);
}
END_TEST

START_TEST(to_utf8_nul_refused)
{
    static const char in[] = { 'o', 'k', '\n', 'a', '\0', 'b', '\n' };
    static const char in2[] = { 'a', '\0' };
    const char *out = NULL, *enc = NULL;
    apr_size_t outlen = 0;

    assert_line_error(ailes_csv_to_utf8(pool, in, sizeof(in), &out, &outlen,
                                        &enc), 2);
    ck_assert_ptr_nonnull(ailes_csv_to_utf8(pool, in2, sizeof(in2), &out,
                                            &outlen, &enc));
}
END_TEST

START_TEST(to_utf8_empty_is_utf8)
{
    const char *out = NULL, *enc = NULL;
    apr_size_t outlen = 99;

    ck_assert_ptr_null(ailes_csv_to_utf8(pool, "", 0, &out, &outlen, &enc));
    ck_assert_uint_eq(outlen, 0);
    ck_assert_str_eq(enc, "utf-8");
}
END_TEST

/* --- ailes_utf8_valid ---------------------------------------------------- */

#define VALID(s) ck_assert_msg(ailes_utf8_valid(s, sizeof(s) - 1), \
                               "should be valid: %s", #s)
#define INVALID(s) ck_assert_msg(!ailes_utf8_valid(s, sizeof(s) - 1), \
                                 "should be invalid: %s", #s)

START_TEST(utf8_valid_accepts)
{
    VALID("");
    VALID("plain ASCII, with \t tab");
    VALID("\xc3\xa4");                  /* ä */
    VALID("山田");
    VALID("\xf0\x9f\x98\x80");          /* U+1F600 */
    VALID("\xf4\x8f\xbf\xbf");          /* U+10FFFF */
    VALID("\xed\x9f\xbf");              /* U+D7FF */
}
END_TEST

START_TEST(utf8_valid_rejects)
{
    INVALID("\xc0\xaf");                /* overlong '/' */
    INVALID("\xe0\x80\xaf");            /* overlong '/' */
    INVALID("\xf0\x80\x80\xaf");        /* overlong '/' */
    INVALID("\xed\xa0\x80");            /* U+D800 */
    INVALID("\xed\xbf\xbf");            /* U+DFFF */
    INVALID("\xf4\x90\x80\x80");        /* U+110000 */
    INVALID("\xc3");                    /* truncated */
    INVALID("\xe5\xb1");                /* truncated 山 */
    INVALID("\xf0\x9f\x98");            /* truncated emoji */
    INVALID("a\xe5\xb1" "b");           /* continuation missing */
    INVALID("\x80");                    /* lone continuation */
    INVALID("\xff");
    INVALID("\xf8\x88\x80\x80\x80");    /* 5-byte form */
    INVALID("a\0b");
}
END_TEST

/* --- ailes_csv_parse ----------------------------------------------------- */

START_TEST(csv_parse_simple_lf)
{
    apr_array_header_t *rows = parse_ok("a,b\nc,d\n");

    ck_assert_int_eq(rows->nelts, 2);
    ck_assert_int_eq(row_at(rows, 0)->line, 1);
    ck_assert_int_eq(row_at(rows, 0)->nfields, 2);
    ck_assert_str_eq(row_at(rows, 0)->fields[0], "a");
    ck_assert_str_eq(row_at(rows, 0)->fields[1], "b");
    ck_assert_int_eq(row_at(rows, 1)->line, 2);
    ck_assert_int_eq(row_at(rows, 1)->nfields, 2);
    ck_assert_str_eq(row_at(rows, 1)->fields[0], "c");
    ck_assert_str_eq(row_at(rows, 1)->fields[1], "d");
}
END_TEST

START_TEST(csv_parse_simple_crlf)
{
    apr_array_header_t *rows = parse_ok("a,b\r\nc,d\r\n");

    ck_assert_int_eq(rows->nelts, 2);
    ck_assert_int_eq(row_at(rows, 0)->line, 1);
    ck_assert_int_eq(row_at(rows, 0)->nfields, 2);
    ck_assert_str_eq(row_at(rows, 0)->fields[0], "a");
    ck_assert_str_eq(row_at(rows, 0)->fields[1], "b");
    ck_assert_int_eq(row_at(rows, 1)->line, 2);
    ck_assert_int_eq(row_at(rows, 1)->nfields, 2);
    ck_assert_str_eq(row_at(rows, 1)->fields[0], "c");
    ck_assert_str_eq(row_at(rows, 1)->fields[1], "d");
}
END_TEST

START_TEST(csv_parse_quoted_comma_and_escape)
{
    apr_array_header_t *rows =
        parse_ok("\"a,b\",\"say \"\"hi\"\"\",\"\",x\n");
    const ailes_csv_row_t *r;

    ck_assert_int_eq(rows->nelts, 1);
    r = row_at(rows, 0);
    ck_assert_int_eq(r->nfields, 4);
    ck_assert_str_eq(r->fields[0], "a,b");
    ck_assert_str_eq(r->fields[1], "say \"hi\"");
    ck_assert_str_eq(r->fields[2], "");
    ck_assert_str_eq(r->fields[3], "x");
}
END_TEST

START_TEST(csv_parse_embedded_newline_lines)
{
    apr_array_header_t *rows = parse_ok("h\n\"x\ny\",z\nlast\n");

    ck_assert_int_eq(rows->nelts, 3);
    ck_assert_int_eq(row_at(rows, 0)->line, 1);
    ck_assert_str_eq(row_at(rows, 0)->fields[0], "h");
    ck_assert_int_eq(row_at(rows, 1)->line, 2);
    ck_assert_int_eq(row_at(rows, 1)->nfields, 2);
    ck_assert_str_eq(row_at(rows, 1)->fields[0], "x\ny");
    ck_assert_str_eq(row_at(rows, 1)->fields[1], "z");
    ck_assert_int_eq(row_at(rows, 2)->line, 4);
    ck_assert_str_eq(row_at(rows, 2)->fields[0], "last");
}
END_TEST

START_TEST(csv_parse_embedded_crlf_lines)
{
    apr_array_header_t *rows = parse_ok("\"a\r\nb\r\nc\"\r\nnext\r\n");

    ck_assert_int_eq(rows->nelts, 2);
    ck_assert_int_eq(row_at(rows, 0)->line, 1);
    ck_assert_int_eq(row_at(rows, 1)->line, 4);
    ck_assert_str_eq(row_at(rows, 1)->fields[0], "next");
}
END_TEST

START_TEST(csv_parse_empty_fields)
{
    apr_array_header_t *rows = parse_ok(",,\na,,b\n");

    ck_assert_int_eq(rows->nelts, 2);
    ck_assert_int_eq(row_at(rows, 0)->nfields, 3);
    ck_assert_str_eq(row_at(rows, 0)->fields[0], "");
    ck_assert_str_eq(row_at(rows, 0)->fields[1], "");
    ck_assert_str_eq(row_at(rows, 0)->fields[2], "");
    ck_assert_int_eq(row_at(rows, 1)->nfields, 3);
    ck_assert_str_eq(row_at(rows, 1)->fields[0], "a");
    ck_assert_str_eq(row_at(rows, 1)->fields[1], "");
    ck_assert_str_eq(row_at(rows, 1)->fields[2], "b");
}
END_TEST

START_TEST(csv_parse_blank_lines_skipped)
{
    apr_array_header_t *rows = parse_ok("a\n\n\r\nb\n\n,\n");

    ck_assert_int_eq(rows->nelts, 3);
    ck_assert_int_eq(row_at(rows, 0)->line, 1);
    ck_assert_str_eq(row_at(rows, 0)->fields[0], "a");
    ck_assert_int_eq(row_at(rows, 1)->line, 4);
    ck_assert_int_eq(row_at(rows, 1)->nfields, 1);
    ck_assert_str_eq(row_at(rows, 1)->fields[0], "b");
    /* A line of only "," is a record of two empty fields. */
    ck_assert_int_eq(row_at(rows, 2)->line, 6);
    ck_assert_int_eq(row_at(rows, 2)->nfields, 2);
    ck_assert_str_eq(row_at(rows, 2)->fields[0], "");
    ck_assert_str_eq(row_at(rows, 2)->fields[1], "");
}
END_TEST

START_TEST(csv_parse_no_trailing_newline)
{
    apr_array_header_t *rows = parse_ok("a,b\nc,\"d\"");

    ck_assert_int_eq(rows->nelts, 2);
    ck_assert_int_eq(row_at(rows, 1)->line, 2);
    ck_assert_int_eq(row_at(rows, 1)->nfields, 2);
    ck_assert_str_eq(row_at(rows, 1)->fields[0], "c");
    ck_assert_str_eq(row_at(rows, 1)->fields[1], "d");
}
END_TEST

START_TEST(csv_parse_empty_text)
{
    ck_assert_int_eq(parse_ok("")->nelts, 0);
    ck_assert_int_eq(parse_ok("\n\r\n")->nelts, 0);
}
END_TEST

START_TEST(csv_parse_quote_in_unquoted_field)
{
    assert_line_error(parse_err("ab\"c\n"), 1);
    assert_line_error(parse_err("ok\nx,ab\"c\n"), 2);
}
END_TEST

START_TEST(csv_parse_unterminated_quote)
{
    /* Reported on the line where the quoted field starts. */
    assert_line_error(parse_err("ok\n\"abc\nmore\nand more\n"), 2);
    assert_line_error(parse_err("\"abc"), 1);
}
END_TEST

START_TEST(csv_parse_text_after_closing_quote)
{
    assert_line_error(parse_err("\"a\"b\n"), 1);
    assert_line_error(parse_err("ok\nx,\"a\"b,c\n"), 2);
    assert_line_error(parse_err("\"a\"\"b\"c\n"), 1);
}
END_TEST

START_TEST(csv_parse_lone_cr)
{
    assert_line_error(parse_err("a\rb\n"), 1);
    assert_line_error(parse_err("ok\r\na\rb\r\n"), 2);
}
END_TEST

START_TEST(csv_parse_max_rows)
{
    apr_array_header_t *rows = NULL;
    const char *text = "a\nb\nc\n";

    ck_assert_ptr_null(ailes_csv_parse(pool, text, strlen(text), 3, 10,
                                       &rows));
    ck_assert_int_eq(rows->nelts, 3);
    ck_assert_ptr_nonnull(ailes_csv_parse(pool, text, strlen(text), 2, 10,
                                          &rows));
}
END_TEST

START_TEST(csv_parse_max_fields)
{
    apr_array_header_t *rows = NULL;
    const char *text = "a,b\nc,d,e\n";

    ck_assert_ptr_null(ailes_csv_parse(pool, text, strlen(text), 10, 3,
                                       &rows));
    ck_assert_int_eq(rows->nelts, 2);
    assert_line_error(ailes_csv_parse(pool, text, strlen(text), 10, 2,
                                      &rows), 2);
}
END_TEST

START_TEST(csv_parse_whitespace_preserved)
{
    apr_array_header_t *rows = parse_ok(" a , b \t,\" c \"\n");
    const ailes_csv_row_t *r;

    ck_assert_int_eq(rows->nelts, 1);
    r = row_at(rows, 0);
    ck_assert_int_eq(r->nfields, 3);
    ck_assert_str_eq(r->fields[0], " a ");
    ck_assert_str_eq(r->fields[1], " b \t");
    ck_assert_str_eq(r->fields[2], " c ");
}
END_TEST

START_TEST(csv_parse_utf8_fields)
{
    apr_array_header_t *rows = parse_ok("社員番号,氏名\r\nE001,山田\r\n");

    ck_assert_int_eq(rows->nelts, 2);
    ck_assert_str_eq(row_at(rows, 0)->fields[0], "社員番号");
    ck_assert_str_eq(row_at(rows, 0)->fields[1], "氏名");
    ck_assert_str_eq(row_at(rows, 1)->fields[1], "山田");
}
END_TEST

/* --- ailes_fullwidth_to_ascii -------------------------------------------- */

START_TEST(fullwidth_to_ascii_converts)
{
    ck_assert_str_eq(ailes_fullwidth_to_ascii(pool, "Ｅ００１"), "E001");
    ck_assert_str_eq(ailes_fullwidth_to_ascii(pool, "ＡＢＣ－１"), "ABC-1");
    ck_assert_str_eq(ailes_fullwidth_to_ascii(pool, "a\xe3\x80\x80" "b"),
                     "a b");
    ck_assert_str_eq(ailes_fullwidth_to_ascii(pool, "E０1"), "E01");
    ck_assert_str_eq(ailes_fullwidth_to_ascii(pool, "～"), "~");
    ck_assert_str_eq(ailes_fullwidth_to_ascii(pool, "！"), "!");
    ck_assert_str_eq(ailes_fullwidth_to_ascii(pool, "ｚ"), "z");
}
END_TEST

START_TEST(fullwidth_to_ascii_keeps_others)
{
    ck_assert_str_eq(ailes_fullwidth_to_ascii(pool, "山田"), "山田");
    ck_assert_str_eq(ailes_fullwidth_to_ascii(pool, "｟"), "｟");  /* U+FF5F */
    ck_assert_str_eq(ailes_fullwidth_to_ascii(pool, "ｱ"), "ｱ");    /* U+FF71 */
    ck_assert_str_eq(ailes_fullwidth_to_ascii(pool, "山田Ｅ１"), "山田E1");
    ck_assert_str_eq(ailes_fullwidth_to_ascii(pool, "plain"), "plain");
    ck_assert_str_eq(ailes_fullwidth_to_ascii(pool, ""), "");
}
END_TEST

/* --- ailes_csv_stream ---------------------------------------------------- */

/* Reads all of buf through a stream fed piece bytes at a time; returns the
 * rows, or NULL with *err. */
static apr_array_header_t *stream_all(const char *buf, apr_size_t len,
                                      apr_size_t piece, apr_size_t max_record,
                                      const char **err, const char **enc)
{
    ailes_csv_stream_t *s = ailes_csv_stream_make(pool, 100, max_record);
    apr_array_header_t *rows = apr_array_make(pool, 8,
                                              sizeof(ailes_csv_row_t *));
    const ailes_csv_row_t *row;
    apr_size_t off = 0;
    int rc, eof = 0;

    *err = NULL;
    for (;;) {
        while ((rc = ailes_csv_stream_next(s, pool, eof, &row, err)) == 1) {
            APR_ARRAY_PUSH(rows, const ailes_csv_row_t *) = row;
        }
        if (rc < 0) {
            ck_assert_ptr_nonnull(*err);
            return NULL;
        }
        if (eof) {
            break;
        }
        if (off == len) {
            eof = 1;
            continue;
        }
        {
            apr_size_t n = len - off < piece ? len - off : piece;
            ailes_csv_stream_feed(s, buf + off, n);
            off += n;
        }
    }
    *enc = ailes_csv_stream_encoding(s);
    return rows;
}

/* The stream gives what decoding and parsing the whole text gives, for
 * every piece size. */
static void assert_stream_same(const char *buf, apr_size_t len)
{
    const char *text, *enc, *err, *senc;
    apr_size_t tlen, piece;
    apr_array_header_t *want, *got;
    int i, j;

    err = ailes_csv_to_utf8(pool, buf, len, &text, &tlen, &enc);
    ck_assert_msg(err == NULL, "%s", err);
    err = ailes_csv_parse(pool, text, tlen, 1000, 100, &want);
    ck_assert_msg(err == NULL, "%s", err);
    for (piece = 1; piece <= len + 1; piece += piece < 8 ? 1 : 13) {
        got = stream_all(buf, len, piece, 1 << 16, &err, &senc);
        ck_assert_msg(got != NULL, "piece %lu: %s", (unsigned long)piece,
                      err);
        ck_assert_str_eq(senc, enc);
        ck_assert_int_eq(got->nelts, want->nelts);
        for (i = 0; i < want->nelts; i++) {
            const ailes_csv_row_t *a = APR_ARRAY_IDX(want, i,
                                                     ailes_csv_row_t *);
            const ailes_csv_row_t *b = APR_ARRAY_IDX(got, i,
                                                     ailes_csv_row_t *);
            ck_assert_int_eq(b->line, a->line);
            ck_assert_int_eq(b->nfields, a->nfields);
            for (j = 0; j < a->nfields; j++) {
                ck_assert_str_eq(b->fields[j], a->fields[j]);
            }
        }
    }
}

START_TEST(stream_same_as_whole_utf8)
{
    const char *t = "no,date,note\r\n"
                    "1,2026-04-01,\"two\r\nlines, \"\"quoted\"\"\"\r\n"
                    "\r\n"
                    "2,2026-04-02,鈴木\r\n"
                    "\n"
                    "3,2026-04-03,\"\"\n"
                    "4,2026-04-04,last without newline";

    assert_stream_same(t, strlen(t));
}
END_TEST

START_TEST(stream_same_as_whole_bom_and_cp932)
{
    const char *bom = "\xef\xbb\xbfno,name\n1,鈴木\n";
    /* 社員番号,氏名 / 1,鈴木 / 2,ｱ in CP932; the first record is ASCII */
    const char *cp = "id,x\r\n0,ascii\r\n"
                     "\x8e\xd0\x88\xf5\x94\xd4\x8d\x86,\x8e\x81\x96\xbc\r\n"
                     "1,\x97\xe9\x96\xd8\r\n2,\xb1\r\n";

    assert_stream_same(bom, strlen(bom));
    assert_stream_same(cp, strlen(cp));
    assert_stream_same("", 0);
    {
        /* An empty body is fed as zero bytes (no buffer exists yet). */
        ailes_csv_stream_t *s = ailes_csv_stream_make(pool, 10, 100);
        const ailes_csv_row_t *row;
        const char *err = NULL;

        ailes_csv_stream_feed(s, "", 0);
        ck_assert_int_eq(ailes_csv_stream_next(s, pool, 1, &row, &err), 0);
        ck_assert_ptr_null(err);
    }
    assert_stream_same("\n\n", 2);
}
END_TEST

START_TEST(stream_errors_name_the_line)
{
    const char *enc, *err;
    /* UTF-8 on line 2, CP932 on line 4 */
    const char *mixed = "a,b\n1,鈴木\n2,x\n3,\x97\xe9\x96\xd8\n";
    const char *bom_bad = "\xef\xbb\xbf" "a\n1\n\x97\xe9\n";
    const char *nul = "a,b\n1,2\n3,\"x\ny\"\n4,\0\n";

    ck_assert_ptr_null(stream_all(mixed, strlen(mixed), 5, 1 << 16, &err,
                                  &enc));
    assert_line_error(err, 4);
    ck_assert_ptr_nonnull(strstr(err, "line 2 was"));
    ck_assert_ptr_null(stream_all(bom_bad, strlen(bom_bad), 3, 1 << 16, &err,
                                  &enc));
    assert_line_error(err, 3);
    ck_assert_ptr_null(stream_all(nul, 20, 4, 1 << 16, &err, &enc));
    assert_line_error(err, 5);
    ck_assert_ptr_null(stream_all("a\n\"open\nb\nc\n", 12, 2, 1 << 16, &err,
                                  &enc));
    assert_line_error(err, 2);
    ck_assert_ptr_null(stream_all("a\nb\nx\"y\n", 8, 1, 1 << 16, &err,
                                  &enc));
    assert_line_error(err, 3);
    ck_assert_ptr_null(stream_all("a\nb\rc\n", 6, 2, 1 << 16, &err, &enc));
    assert_line_error(err, 2);
    /* a CP932 lead byte cut off by the end of the file */
    ck_assert_ptr_null(stream_all("a\n\x97\xe9\n\x97", 6, 1, 1 << 16, &err,
                                  &enc));
    assert_line_error(err, 3);
}
END_TEST

START_TEST(stream_record_limit)
{
    const char *enc, *err;
    char *big = apr_palloc(pool, 300);
    apr_array_header_t *rows;

    memset(big, 'x', 299);
    big[0] = 'a';
    big[1] = '\n';
    big[2] = '"';               /* never closed: one long record */
    big[299] = '\0';
    ck_assert_ptr_null(stream_all(big, 299, 16, 100, &err, &enc));
    assert_line_error(err, 2);
    ck_assert_ptr_nonnull(strstr(err, "longer than 100 bytes"));
    /* a record of exactly the limit is fine */
    big[2] = 'x';
    big[101] = '\n';
    rows = stream_all(big, 102, 7, 100, &err, &enc);
    ck_assert_msg(rows != NULL, "%s", err);
    ck_assert_int_eq(rows->nelts, 2);
}
END_TEST

/* Many records through small pieces: the buffer stays the size of a piece
 * and a record, not of the text. */
START_TEST(stream_memory_is_bounded)
{
    ailes_csv_stream_t *s = ailes_csv_stream_make(pool, 10, 1024);
    apr_pool_t *tmp;
    const ailes_csv_row_t *row;
    const char *err, *line = "12345,2026-04-01,\"a, b\",170.5\r\n";
    int i, n = 0, rc;

    apr_pool_create(&tmp, pool);
    for (i = 0; i < 200000; i++) {
        ailes_csv_stream_feed(s, line, strlen(line));
        while ((rc = ailes_csv_stream_next(s, tmp, 0, &row, &err)) == 1) {
            ck_assert_int_eq(row->line, n + 1);
            ck_assert_str_eq(row->fields[2], "a, b");
            n++;
        }
        ck_assert_int_eq(rc, 0);
        apr_pool_clear(tmp);
    }
    ck_assert_int_eq(ailes_csv_stream_next(s, tmp, 1, &row, &err), 0);
    ck_assert_int_eq(n, 200000);
    ck_assert_uint_le(ailes_csv_stream_held(s), 4096);
}
END_TEST

Suite *ailes_suite_csv(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("csv");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, to_utf8_plain_utf8_kept);
    tcase_add_test(tc, to_utf8_bom_dropped);
    tcase_add_test(tc, to_utf8_bom_then_invalid_refused);
    tcase_add_test(tc, to_utf8_cp932_converted);
    tcase_add_test(tc, to_utf8_cp932_extensions);
    tcase_add_test(tc, to_utf8_cp932_halfwidth_katakana);
    tcase_add_test(tc, to_utf8_invalid_bytes_name_line);
    tcase_add_test(tc, to_utf8_lone_lead_byte_at_end);
    tcase_add_test(tc, to_utf8_nul_refused);
    tcase_add_test(tc, to_utf8_empty_is_utf8);
    tcase_add_test(tc, utf8_valid_accepts);
    tcase_add_test(tc, utf8_valid_rejects);
    tcase_add_test(tc, csv_parse_simple_lf);
    tcase_add_test(tc, csv_parse_simple_crlf);
    tcase_add_test(tc, csv_parse_quoted_comma_and_escape);
    tcase_add_test(tc, csv_parse_embedded_newline_lines);
    tcase_add_test(tc, csv_parse_embedded_crlf_lines);
    tcase_add_test(tc, csv_parse_empty_fields);
    tcase_add_test(tc, csv_parse_blank_lines_skipped);
    tcase_add_test(tc, csv_parse_no_trailing_newline);
    tcase_add_test(tc, csv_parse_empty_text);
    tcase_add_test(tc, csv_parse_quote_in_unquoted_field);
    tcase_add_test(tc, csv_parse_unterminated_quote);
    tcase_add_test(tc, csv_parse_text_after_closing_quote);
    tcase_add_test(tc, csv_parse_lone_cr);
    tcase_add_test(tc, csv_parse_max_rows);
    tcase_add_test(tc, csv_parse_max_fields);
    tcase_add_test(tc, csv_parse_whitespace_preserved);
    tcase_add_test(tc, csv_parse_utf8_fields);
    tcase_add_test(tc, fullwidth_to_ascii_converts);
    tcase_add_test(tc, fullwidth_to_ascii_keeps_others);
    tcase_add_test(tc, stream_same_as_whole_utf8);
    tcase_add_test(tc, stream_same_as_whole_bom_and_cp932);
    tcase_add_test(tc, stream_errors_name_the_line);
    tcase_add_test(tc, stream_record_limit);
    tcase_add_test(tc, stream_memory_is_bounded);
    suite_add_tcase(s, tc);
    return s;
}
