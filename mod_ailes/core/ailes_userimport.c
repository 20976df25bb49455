/* User CSV checks; see ailes_userimport.h. */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "ailes_csv.h"
#include "ailes_parse.h"
#include "ailes_userimport.h"

enum { COL_NO, COL_NAME, COL_ROLE, COL_LABELS, COL_EMAIL, COL_COUNT };

static const struct {
    const char *en, *ja;
} columns[COL_COUNT] = {
    { "employee_no", "社員番号" }, { "name", "氏名" }, { "role", "権限" },
    { "labels", "ラベル" }, { "email", "メールアドレス" },
};

static const struct {
    const char *ja;
    ailes_role_t role;
} role_names[] = {
    { "従業員", AILES_ROLE_EMPLOYEE },
    { "受検者", AILES_ROLE_EXAMINEE },
    { "実施事務従事者", AILES_ROLE_SC_STAFF },
    { "実施者", AILES_ROLE_SC_IMPLEMENTER },
    { "産業保健スタッフ", AILES_ROLE_HEALTH_STAFF },
    { "管理者", AILES_ROLE_TENANT_ADMIN },
};

void ailes_import_error(apr_pool_t *p, apr_array_header_t *errors, int line,
                        const char *column, const char *message)
{
    ailes_import_error_t *e;

    if (errors->nelts >= AILES_IMPORT_MAX_ERRORS) {
        return;
    }
    e = apr_array_push(errors);
    e->line = line;
    e->column = column;
    e->message = message;
}

static ailes_role_t parse_role(const char *s)
{
    size_t i;

    if (!*s) {
        return AILES_ROLE_EMPLOYEE;
    }
    for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
        if (!strcmp(s, role_names[i].ja)) {
            return role_names[i].role;
        }
    }
    return ailes_role_parse(s);
}

/* "a; b；c" -> ["a","b","c"], trimmed, without empties and duplicates. */
static const char *split_labels(apr_pool_t *p, const char *s,
                                apr_array_header_t **out)
{
    char *copy = apr_pstrdup(p, s), *tok, *last = NULL, *fw;
    const char *err;
    int i, dup;

    /* The full-width semicolon becomes ';' first. */
    while ((fw = strstr(copy, "\xef\xbc\x9b"))) {
        memmove(fw + 1, fw + 3, strlen(fw + 3) + 1);
        *fw = ';';
    }
    *out = apr_array_make(p, 4, sizeof(const char *));
    for (tok = apr_strtok(copy, ";", &last); tok;
         tok = apr_strtok(NULL, ";", &last)) {
        char *end;
        while (*tok == ' ') {
            tok++;
        }
        end = tok + strlen(tok);
        while (end > tok && end[-1] == ' ') {
            *--end = '\0';
        }
        if (!*tok) {
            continue;
        }
        if ((err = ailes_parse_text(p, tok, AILES_LABEL_MAX, "a label"))) {
            return err;
        }
        for (i = 0, dup = 0; i < (*out)->nelts; i++) {
            dup |= !strcmp(APR_ARRAY_IDX(*out, i, const char *), tok);
        }
        if (!dup) {
            APR_ARRAY_PUSH(*out, const char *) = tok;
        }
    }
    return NULL;
}

void ailes_import_check(apr_pool_t *p, const apr_array_header_t *rows,
                        apr_array_header_t **users,
                        apr_array_header_t **errors)
{
    int map[COL_COUNT], i, c, r;
    const ailes_csv_row_t *head;
    apr_hash_t *seen = apr_hash_make(p);

    *users = apr_array_make(p, rows->nelts + 1, sizeof(ailes_import_user_t));
    *errors = apr_array_make(p, 8, sizeof(ailes_import_error_t));
    if (rows->nelts < 1) {
        ailes_import_error(p, *errors, 0, NULL, "the file is empty");
        return;
    }
    head = APR_ARRAY_IDX(rows, 0, const ailes_csv_row_t *);
    for (c = 0; c < COL_COUNT; c++) {
        map[c] = -1;
    }
    for (i = 0; i < head->nfields; i++) {
        const char *h = head->fields[i];
        int found = 0;
        for (c = 0; c < COL_COUNT && !found; c++) {
            if (!strcmp(h, columns[c].en) || !strcmp(h, columns[c].ja)) {
                if (map[c] >= 0) {
                    ailes_import_error(p, *errors, head->line, h,
                                       "this column appears twice");
                }
                map[c] = i;
                found = 1;
            }
        }
        if (!found) {
            ailes_import_error(p, *errors, head->line, h,
                               "unknown column (employee_no, name, role, "
                               "labels, email or 社員番号, 氏名, 権限, ラベル, "
                               "メールアドレス)");
        }
    }
    if (map[COL_NO] < 0 || map[COL_NAME] < 0) {
        ailes_import_error(p, *errors, head->line, NULL,
                           "the header needs employee_no (社員番号) and name "
                           "(氏名)");
        return;
    }
    for (r = 1; r < rows->nelts; r++) {
        const ailes_csv_row_t *row = APR_ARRAY_IDX(rows, r,
                                                   const ailes_csv_row_t *);
        ailes_import_user_t u;
        const char *v, *err;
        int line = row->line;

        if (row->nfields != head->nfields) {
            ailes_import_error(p, *errors, line, NULL,
                               apr_psprintf(p, "%d fields, the header has %d",
                                            row->nfields, head->nfields));
            continue;
        }
        memset(&u, 0, sizeof(u));
        u.line = line;
        u.employee_no = ailes_fullwidth_to_ascii(p, row->fields[map[COL_NO]]);
        if ((err = ailes_parse_employee_no(p, u.employee_no))) {
            ailes_import_error(p, *errors, line, "employee_no", err);
        }
        else if (apr_hash_get(seen, u.employee_no, APR_HASH_KEY_STRING)) {
            ailes_import_error(p, *errors, line, "employee_no",
                               apr_psprintf(p, "also on line %d",
                                            *(int *)apr_hash_get(
                                                seen, u.employee_no,
                                                APR_HASH_KEY_STRING)));
        }
        else {
            int *at = apr_palloc(p, sizeof(int));
            *at = line;
            apr_hash_set(seen, u.employee_no, APR_HASH_KEY_STRING, at);
        }
        u.name = row->fields[map[COL_NAME]];
        if ((err = ailes_parse_text(p, u.name, AILES_NAME_MAX, "name"))) {
            ailes_import_error(p, *errors, line, "name", err);
        }
        v = map[COL_ROLE] >= 0 ? row->fields[map[COL_ROLE]] : "";
        if (AILES_ROLE_NONE == (u.role = parse_role(v))) {
            ailes_import_error(p, *errors, line, "role",
                               apr_psprintf(p, "unknown role (one of %s)",
                                            ailes_role_list()));
        }
        v = map[COL_LABELS] >= 0 ? row->fields[map[COL_LABELS]] : "";
        if ((err = split_labels(p, v, &u.labels))) {
            ailes_import_error(p, *errors, line, "labels", err);
        }
        v = map[COL_EMAIL] >= 0 ? row->fields[map[COL_EMAIL]] : "";
        if (*v) {
            if ((err = ailes_parse_text(p, v, 254, "email"))
                || !strchr(v, '@') || strchr(v, ' ')) {
                ailes_import_error(p, *errors, line, "email",
                                   "not an e-mail address");
            }
            u.email = v;
        }
        *(ailes_import_user_t *)apr_array_push(*users) = u;
    }
    if (rows->nelts == 1) {
        ailes_import_error(p, *errors, 0, NULL, "the file has no users");
    }
}
