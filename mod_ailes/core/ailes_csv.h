/* CSV uploads as HR and Excel make them: UTF-8 (with or without a BOM) or
 * Shift_JIS/CP932, CRLF or LF, RFC 4180 quoting. Pure parsing; no policy.
 */
#ifndef AILES_CSV_H
#define AILES_CSV_H

#include <apr_pools.h>
#include <apr_tables.h>

typedef struct ailes_csv_row {
    int line;                   /* 1-based line where the record starts */
    int nfields;
    const char **fields;
} ailes_csv_row_t;

/* Text in UTF-8: a BOM is dropped, valid UTF-8 is kept, anything else is
 * read as CP932 (iconv through apr_xlate). NULL or "line N: ..." naming
 * the first line that is neither. *encoding says what was found
 * ("utf-8", "utf-8-bom" or "cp932"). */
const char *ailes_csv_to_utf8(apr_pool_t *p, const char *buf, apr_size_t len,
                              const char **out, apr_size_t *outlen,
                              const char **encoding);

/* Parses UTF-8 CSV into ailes_csv_row_t*; blank lines are skipped. At most
 * max_rows records and max_fields per record. NULL or "line N: ...". */
const char *ailes_csv_parse(apr_pool_t *p, const char *text, apr_size_t len,
                            int max_rows, int max_fields,
                            apr_array_header_t **rows);

/* A reader of CSV records from bytes that arrive in pieces (a request
 * body), so that an upload is never held whole: it keeps one record and
 * the piece being read. The result is what ailes_csv_to_utf8 and
 * ailes_csv_parse give for the whole text, with one difference: the
 * encoding is decided by the first record that is not plain ASCII (a BOM:
 * UTF-8), and a later record in another encoding is an error naming its
 * line instead of a file read wholly as CP932. */
typedef struct ailes_csv_stream ailes_csv_stream_t;

/* A reader whose buffer lives until p is destroyed. A record (one CSV
 * row, with its quoted newlines) of more than max_record bytes, or more
 * than max_fields fields, is an error. */
ailes_csv_stream_t *ailes_csv_stream_make(apr_pool_t *p, int max_fields,
                                          apr_size_t max_record);

/* Appends len bytes (copied). */
void ailes_csv_stream_feed(ailes_csv_stream_t *s, const char *buf,
                           apr_size_t len);

/* The next record, its fields in UTF-8 allocated from p: 1 with *row; 0
 * when it needs more bytes, or with eof (no more bytes will come) when
 * there are no more records; -1 with *err ("line N: ..."), after which
 * the reader must not be used. Blank lines are skipped. */
int ailes_csv_stream_next(ailes_csv_stream_t *s, apr_pool_t *p, int eof,
                          const ailes_csv_row_t **row, const char **err);

/* "utf-8", "utf-8-bom" or "cp932", as decided so far ("utf-8" while
 * every record was ASCII). */
const char *ailes_csv_stream_encoding(const ailes_csv_stream_t *s);

/* Bytes of buffer the reader holds now (for the tests of its bound). */
apr_size_t ailes_csv_stream_held(const ailes_csv_stream_t *s);

/* Full-width ASCII (U+FF01..U+FF5E, as Excel users type digits in 全角)
 * and the ideographic space become their ASCII forms; everything else is
 * kept. */
const char *ailes_fullwidth_to_ascii(apr_pool_t *p, const char *s);

/* True when s (len bytes) is valid UTF-8 without NUL. */
int ailes_utf8_valid(const char *s, apr_size_t len);

#endif
