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

/* Full-width ASCII (U+FF01..U+FF5E, as Excel users type digits in 全角)
 * and the ideographic space become their ASCII forms; everything else is
 * kept. */
const char *ailes_fullwidth_to_ascii(apr_pool_t *p, const char *s);

/* True when s (len bytes) is valid UTF-8 without NUL. */
int ailes_utf8_valid(const char *s, apr_size_t len);

#endif
