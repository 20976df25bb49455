/* Periodic health checkup (定期健康診断) results as clinics and HR send
 * them: one CSV row per examination, keyed by employee number (社員番号).
 * Pure checking; no database.
 *
 * Columns are the legal items of 安衛則44条 plus what a 健康診断個人票
 * (様式第5号) holds, by Japanese or English header, in any order; only
 * 社員番号 and 受診日 are required, an empty cell is an item not done, and
 * an unknown column is an error (a typo must not drop a column silently).
 * Headers may carry their unit ("身長cm", "身長(cm)") or a note in
 * brackets ("総合判定(A-E)"). Full-width digits and letters are read as
 * ASCII. Every bad cell is reported with its line and column. A name
 * column (氏名, フリガナ), common in clinics' files, is read past and
 * never kept: names live only in the vault.
 *
 * Values are kept in one JSON object per examination, keyed by item:
 * numbers as numbers, urine as "-", "+-", "+", "2+", "3+", "4+", hearing as
 * "normal", "finding" or a threshold in dB, imaging and ECG findings as
 * "normal" or the finding's text. A lab value below the reporting limit
 * ("<5") is kept as that string.
 *
 * 有所見 (a finding, for highlighting and the 労基署 report) is decided
 * from values by the 保健指導判定値 of the MHLW 「標準的な健診・保健指導
 * プログラム」 (blood pressure 130/85, Hb 13.0/12.0 g/dL and below, AST and
 * ALT 31, γ-GTP 51, LDL 120, HDL 39 and below, TG 150, glucose 100,
 * HbA1c 5.6), urine + and above, and the screening audiometry levels
 * (1000 Hz 30 dB, 4000 Hz 40 dB). The examining doctor's judgement is what
 * counts legally; these cut-offs make the value-based count that report
 * drafts start from.
 */
#ifndef AILES_CHECKUP_H
#define AILES_CHECKUP_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "ailes_csv.h"

#define AILES_CHECKUP_MAX_ROWS 200000
#define AILES_CHECKUP_MAX_FIELDS 64
#define AILES_CHECKUP_MAX_RECORD (64 * 1024)    /* bytes of one row */

typedef struct ailes_checkup {
    int line;
    const char *employee_no;
    const char *exam_date;      /* YYYY-MM-DD */
    const char *kind;           /* periodic, hiring, special, dock */
    const char *judgement;      /* 総合判定 "A".."E", or NULL */
    const char *work_class;     /* 就業区分 normal, restricted, leave, NULL */
    const char *items;          /* the values, a compact JSON object */
} ailes_checkup_t;

/* Checks rows (ailes_csv_row_t*, the first is the header) as of `today`
 * (YYYY-MM-DD, JST: no examination after it). *checkups gets
 * ailes_checkup_t, *errors ailes_import_error_t (ailes_userimport.h, at
 * most AILES_IMPORT_MAX_ERRORS); usable only when *errors is empty. The
 * same (employee, date, kind) twice in the file is an error. */
void ailes_checkup_check(apr_pool_t *p, const apr_array_header_t *rows,
                         const char *today, apr_array_header_t **checkups,
                         apr_array_header_t **errors);

/* The same checks one row at a time, for a file read as it arrives
 * (ailes_csv_stream). Messages go to errors (ailes_import_error_t, in p,
 * at most AILES_IMPORT_MAX_ERRORS). With dup_check the same (employee,
 * date, kind) twice is an error, at the cost of remembering every row;
 * without it the caller catches repeats (the database does, by its unique
 * key, within the import's transaction). */
typedef struct ailes_checkup_reader ailes_checkup_reader_t;

ailes_checkup_reader_t *ailes_checkup_reader_make(apr_pool_t *p,
                                                  const char *today,
                                                  int dup_check,
                                                  apr_array_header_t *errors);

/* The header row (copied): 0, or -1 when it is unusable (errors say
 * why). */
int ailes_checkup_reader_header(ailes_checkup_reader_t *rd,
                                const ailes_csv_row_t *head);

/* Checks one row: 1 with *out, its strings in tmp; 0 when the row had
 * errors. */
int ailes_checkup_reader_row(ailes_checkup_reader_t *rd, apr_pool_t *tmp,
                             const ailes_csv_row_t *row, ailes_checkup_t *out);

/* At the end of the file: an empty file, or one with a header but no
 * rows, is an error (unless something else already was). */
void ailes_checkup_reader_end(ailes_checkup_reader_t *rd);

/* A date as the CSV may write it (2026-04-15, 2026/4/15, 2026年4月15日)
 * as "2026-04-15", or NULL when it is no calendar date. */
const char *ailes_checkup_date(apr_pool_t *p, const char *s);

/* The report groups of the 定期健康診断結果報告書 (様式第6号), in order. */
typedef enum {
    AILES_CK_HEARING_1000, AILES_CK_HEARING_4000, AILES_CK_CHEST_XRAY,
    AILES_CK_SPUTUM, AILES_CK_BLOOD_PRESSURE, AILES_CK_ANEMIA,
    AILES_CK_LIVER, AILES_CK_LIPIDS, AILES_CK_GLUCOSE,
    AILES_CK_URINE_GLUCOSE, AILES_CK_URINE_PROTEIN, AILES_CK_ECG,
    AILES_CK_GROUPS
} ailes_checkup_group_t;

/* English key and Japanese name of a report group. */
const char *ailes_checkup_group_key(ailes_checkup_group_t g);
const char *ailes_checkup_group_ja(ailes_checkup_group_t g);

/* For one examination's items (the JSON kept by ailes_checkup_check):
 * which report groups were examined and which have a finding (bit g set
 * for group g), and the keys of the items outside their reference range
 * (const char *, for highlighting). -1 when items is not such JSON. */
int ailes_checkup_findings(apr_pool_t *p, const char *items,
                           unsigned *examined, unsigned *found,
                           apr_array_header_t **flagged);

#endif
