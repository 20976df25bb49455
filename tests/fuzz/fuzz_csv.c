/* Fuzzes a CSV upload end to end, as POST /v1/users/import and
 * POST /v1/checkups/import read it: encoding detection (UTF-8, BOM, CP932)
 * and conversion, RFC 4180 parsing, then the user import check and the
 * checkup check (with a fixed "today") on the rows. The streaming reader
 * (what POST /v1/checkups uses) reads the same bytes in pieces whose size
 * the first byte picks, and the checkup reader checks its rows one by
 * one; for a UTF-8 file both ways must give the very same rows. */
#include <string.h>

#include <apr_tables.h>

#include "ailes_checkup.h"
#include "ailes_csv.h"
#include "ailes_userimport.h"
#include "fuzz_common.h"

#define TODAY "2026-11-26"

/* The rows of data read by ailes_csv_stream in pieces of `piece` bytes,
 * each row also through the checkup reader; NULL when the reader refused
 * the bytes. */
static apr_array_header_t *streamed(apr_pool_t *p, const char *data,
                                    size_t size, size_t piece)
{
    ailes_csv_stream_t *s = ailes_csv_stream_make(p, 20, 64 * 1024);
    apr_array_header_t *rows = apr_array_make(p, 8,
                                              sizeof(ailes_csv_row_t *));
    apr_array_header_t *errors = apr_array_make(p, 8,
                                                sizeof(ailes_import_error_t));
    ailes_checkup_reader_t *rd = ailes_checkup_reader_make(p, TODAY, 0,
                                                           errors);
    const ailes_csv_row_t *row;
    const char *err = NULL;
    size_t off = 0;
    int rc, eof = 0, header = 0;

    for (;;) {
        while ((rc = ailes_csv_stream_next(s, p, eof, &row, &err)) == 1) {
            ailes_checkup_t c;
            int j;

            for (j = 0; j < row->nfields; j++) {
                if (!ailes_utf8_valid(row->fields[j],
                                      strlen(row->fields[j]))) {
                    __builtin_trap();   /* the reader promised UTF-8 */
                }
            }
            APR_ARRAY_PUSH(rows, const ailes_csv_row_t *) = row;
            if (!header) {
                header = 1;
                if (ailes_checkup_reader_header(rd, row) < 0) {
                    header = -1;
                }
            }
            else if (header > 0) {
                (void)ailes_checkup_reader_row(rd, p, row, &c);
            }
        }
        if (rc < 0) {
            if (!err) {
                __builtin_trap();       /* an error says why */
            }
            return NULL;
        }
        if (eof) {
            return rows;
        }
        if (off == size) {
            eof = 1;
            continue;
        }
        ailes_csv_stream_feed(s, data + off,
                              size - off < piece ? size - off : piece);
        off += size - off < piece ? size - off : piece;
    }
}

static int same_rows(const apr_array_header_t *a, const apr_array_header_t *b)
{
    int i, j;

    if (a->nelts != b->nelts) {
        return 0;
    }
    for (i = 0; i < a->nelts; i++) {
        const ailes_csv_row_t *x = APR_ARRAY_IDX(a, i, ailes_csv_row_t *);
        const ailes_csv_row_t *y = APR_ARRAY_IDX(b, i, ailes_csv_row_t *);

        if (x->line != y->line || x->nfields != y->nfields) {
            return 0;
        }
        for (j = 0; j < x->nfields; j++) {
            if (strcmp(x->fields[j], y->fields[j])) {
                return 0;
            }
        }
    }
    return 1;
}

int ailes_fuzz_one(apr_pool_t *p, const uint8_t *data, size_t size)
{
    apr_array_header_t *rows = NULL, *users = NULL, *checkups = NULL,
                       *errors = NULL, *stream;
    const char *text = NULL, *encoding = NULL;
    apr_size_t len = 0;
    char *buf;

    /* An exact copy: the parsers take (buf, len), not a C string. */
    buf = apr_palloc(p, size);
    if (size) {
        memcpy(buf, data, size);
    }
    stream = streamed(p, buf, size, size ? 1 + data[0] % 64 : 1);
    if (ailes_csv_to_utf8(p, buf, size, &text, &len, &encoding)) {
        return 0;
    }
    if (!ailes_utf8_valid(text, len)) {
        __builtin_trap();   /* the converter promised UTF-8 */
    }
    if (ailes_csv_parse(p, text, len, AILES_IMPORT_MAX_ROWS + 1, 20, &rows)) {
        return 0;
    }
    if (strcmp(encoding, "cp932")
        && (!stream || !same_rows(rows, stream))) {
        __builtin_trap();   /* UTF-8 read in pieces must read the same */
    }
    ailes_import_check(p, rows, &users, &errors);
    rows = NULL;
    if (ailes_csv_parse(p, text, len, AILES_CHECKUP_MAX_ROWS + 1,
                        AILES_CHECKUP_MAX_FIELDS, &rows)) {
        return 0;
    }
    ailes_checkup_check(p, rows, TODAY, &checkups, &errors);
    return 0;
}
