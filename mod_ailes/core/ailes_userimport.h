/* Checking a user CSV before anything is written (the spec: accounts are
 * registered by the customer, identified by employee number).
 *
 * Columns, by English or Japanese header (any order; extra columns are an
 * error, so a typo is not silently dropped):
 *   employee_no | 社員番号      required
 *   name        | 氏名          required
 *   role        | 権限          optional, default employee; role names or
 *                               従業員 受検者 実施事務従事者 実施者
 *                               産業保健スタッフ 管理者
 *   labels      | ラベル        optional, separated by ; or ；
 *   email       | メールアドレス optional
 * Full-width digits and letters in employee numbers (Excel's 全角) are
 * converted to ASCII. Every problem is reported with its line and column.
 */
#ifndef AILES_USERIMPORT_H
#define AILES_USERIMPORT_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "ailes_role.h"

#define AILES_IMPORT_MAX_ROWS 100000
#define AILES_IMPORT_MAX_ERRORS 1000

typedef struct ailes_import_user {
    int line;
    const char *employee_no;
    const char *name;
    ailes_role_t role;
    apr_array_header_t *labels;     /* const char *, without duplicates */
    const char *email;              /* NULL when none */
} ailes_import_user_t;

typedef struct ailes_import_error {
    int line;                       /* 0 for the file as a whole */
    const char *column;             /* NULL when not about one column */
    const char *message;
} ailes_import_error_t;

/* Checks rows (ailes_csv_row_t*, the first is the header). *users gets
 * ailes_import_user_t, *errors ailes_import_error_t (at most
 * AILES_IMPORT_MAX_ERRORS); the file is usable only when *errors is
 * empty. Duplicate employee numbers within the file are errors. */
void ailes_import_check(apr_pool_t *p, const apr_array_header_t *rows,
                        apr_array_header_t **users,
                        apr_array_header_t **errors);

/* Adds an error found later (for example against the database). */
void ailes_import_error(apr_pool_t *p, apr_array_header_t *errors, int line,
                        const char *column, const char *message);

#endif
