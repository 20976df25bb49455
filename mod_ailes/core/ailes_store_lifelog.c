/* Life-log and points storage; see ailes_store_lifelog.h. */
#include <string.h>

#include <apr_strings.h>

#include "ailes_db.h"
#include "ailes_store_lifelog.h"
#include "ailes_time.h"

#define ENTRY_COLUMNS                                                       \
    "SELECT day, kind, value, COALESCE(value2, 0), source, rev, "          \
    "created_at, updated_at FROM lifelog_entries "

static const ailes_stmt_t st_ll_rev = {
    "ailes_ll_rev", 4,
    "SELECT rev FROM lifelog_entries WHERE tenant_id = %lld "
    "AND user_id = %lld AND day = %lld AND kind = %s"
};

static const ailes_stmt_t st_ll_insert = {
    "ailes_ll_insert", 9,
    "INSERT INTO lifelog_entries (tenant_id, user_id, day, kind, value, "
    "value2, source, rev, created_at, updated_at) "
    "VALUES (%lld, %lld, %lld, %s, %lld, %lld, %s, 1, %lld, %lld)"
};

static const ailes_stmt_t st_ll_update = {
    "ailes_ll_update", 9,
    "UPDATE lifelog_entries SET value = %lld, value2 = %lld, source = %s, "
    "rev = %lld, updated_at = %lld WHERE tenant_id = %lld "
    "AND user_id = %lld AND day = %lld AND kind = %s"
};

static const ailes_stmt_t st_ll_list = {
    "ailes_ll_list", 4,
    ENTRY_COLUMNS "WHERE tenant_id = %lld AND user_id = %lld "
    "AND day >= %lld AND day <= %lld ORDER BY day DESC, kind LIMIT 1000"
};

static const ailes_stmt_t st_ll_history = {
    "ailes_ll_history", 5,
    ENTRY_COLUMNS "WHERE tenant_id = %lld AND user_id = %lld AND kind = %s "
    "AND day < %lld ORDER BY day DESC LIMIT %lld"
};

static const ailes_stmt_t st_ll_flag_add = {
    "ailes_ll_flag_add", 9,
    "INSERT INTO lifelog_flags (tenant_id, user_id, day, kind, rev, reason, "
    "value, detail, created_at) "
    "VALUES (%lld, %lld, %lld, %s, %lld, %s, %lld, %s, %lld) "
    "ON CONFLICT DO NOTHING"
};

#define FLAG_COLUMNS                                                        \
    "SELECT f.id, f.user_id, u.employee_no, f.day, f.kind, f.rev, "        \
    "f.reason, f.value, f.detail, f.created_at, COALESCE(l.created_at, 0), " \
    "COALESCE(l.amount, 0) FROM lifelog_flags f JOIN users u "             \
    "ON u.id = f.user_id AND u.tenant_id = f.tenant_id "                   \
    "LEFT JOIN points_ledger l ON l.tenant_id = f.tenant_id "              \
    "AND l.flag_id = f.id AND l.type = 'reversal' "

static const ailes_stmt_t st_ll_flags = {
    "ailes_ll_flags", 1,
    FLAG_COLUMNS "WHERE f.tenant_id = %lld ORDER BY f.id DESC LIMIT 500"
};

static const ailes_stmt_t st_ll_flags_open = {
    "ailes_ll_flags_open", 1,
    FLAG_COLUMNS "WHERE f.tenant_id = %lld AND l.id IS NULL "
    "ORDER BY f.id DESC LIMIT 500"
};

static const ailes_stmt_t st_ll_flag_get = {
    "ailes_ll_flag_get", 2,
    FLAG_COLUMNS "WHERE f.tenant_id = %lld AND f.id = %lld"
};

static const ailes_stmt_t st_pt_ruleset_get = {
    "ailes_pt_ruleset_get", 1,
    "SELECT cap_day, cap_week, cap_month FROM points_rulesets "
    "WHERE tenant_id = %lld"
};

static const ailes_stmt_t st_pt_ruleset_seed = {
    "ailes_pt_ruleset_seed", 5,
    "INSERT INTO points_rulesets (tenant_id, cap_day, cap_week, cap_month, "
    "updated_at) VALUES (%lld, %lld, %lld, %lld, %lld) ON CONFLICT DO NOTHING"
};

static const ailes_stmt_t st_pt_ruleset_put = {
    "ailes_pt_ruleset_put", 5,
    "INSERT INTO points_rulesets (tenant_id, cap_day, cap_week, cap_month, "
    "updated_at) VALUES (%lld, %lld, %lld, %lld, %lld) "
    "ON CONFLICT (tenant_id) DO UPDATE SET cap_day = excluded.cap_day, "
    "cap_week = excluded.cap_week, cap_month = excluded.cap_month, "
    "updated_at = excluded.updated_at"
};

static const ailes_stmt_t st_pt_rules_get = {
    "ailes_pt_rules_get", 1,
    "SELECT kind, min_value, max_value, points FROM points_rules "
    "WHERE tenant_id = %lld ORDER BY pos"
};

static const ailes_stmt_t st_pt_rules_clear = {
    "ailes_pt_rules_clear", 1,
    "DELETE FROM points_rules WHERE tenant_id = %lld"
};

static const ailes_stmt_t st_pt_rule_add = {
    "ailes_pt_rule_add", 6,
    "INSERT INTO points_rules (tenant_id, pos, kind, min_value, max_value, "
    "points) VALUES (%lld, %lld, %s, %lld, %lld, %lld)"
};

static const ailes_stmt_t st_pt_pending = {
    "ailes_pt_pending", 4,
    "SELECT e.day, e.kind, e.value, COALESCE(e.value2, 0), e.rev, "
    "e.updated_at FROM lifelog_entries e WHERE e.tenant_id = %lld "
    "AND e.user_id = %lld AND e.day < %lld AND e.updated_at < %lld "
    "AND NOT EXISTS (SELECT 1 FROM points_ledger l "
    "WHERE l.tenant_id = e.tenant_id AND l.user_id = e.user_id "
    "AND l.type = 'award' AND l.day = e.day AND l.kind = e.kind "
    "AND l.rev = e.rev) ORDER BY e.day, e.kind"
};

static const ailes_stmt_t st_pt_rows_from = {
    "ailes_pt_rows_from", 3,
    "SELECT day, kind, rev, type, amount FROM points_ledger "
    "WHERE tenant_id = %lld AND user_id = %lld AND day >= %lld"
};

static const ailes_stmt_t st_pt_award = {
    "ailes_pt_award", 7,
    "INSERT INTO points_ledger (tenant_id, user_id, day, kind, rev, type, "
    "amount, created_at) VALUES (%lld, %lld, %lld, %s, %lld, 'award', %lld, "
    "%lld) ON CONFLICT DO NOTHING"
};

static const ailes_stmt_t st_pt_balance = {
    "ailes_pt_balance", 2,
    "SELECT COALESCE(SUM(amount), 0) FROM points_ledger "
    "WHERE tenant_id = %lld AND user_id = %lld"
};

static const ailes_stmt_t st_pt_history = {
    "ailes_pt_history", 3,
    "SELECT id, day, kind, type, amount, reason, created_at "
    "FROM points_ledger WHERE tenant_id = %lld AND user_id = %lld "
    "AND amount <> 0 ORDER BY id DESC LIMIT %lld"
};

static const ailes_stmt_t st_pt_net = {
    "ailes_pt_net", 4,
    "SELECT COALESCE(SUM(amount), 0) FROM points_ledger "
    "WHERE tenant_id = %lld AND user_id = %lld AND day = %lld AND kind = %s"
};

static const ailes_stmt_t st_pt_reversal = {
    "ailes_pt_reversal", 10,
    "INSERT INTO points_ledger (tenant_id, user_id, day, kind, rev, type, "
    "amount, flag_id, reason, created_by, created_at) VALUES (%lld, %lld, "
    "%lld, %s, %lld, 'reversal', %lld, %lld, %s, %lld, %lld) "
    "ON CONFLICT DO NOTHING"
};

static const char *I(apr_pool_t *p, apr_int64_t v)
{
    return ailes_db_int(p, v);
}

/* A NULL column as "no bound" / "no cap". */
static const char *opt(apr_pool_t *p, int has, apr_int64_t v)
{
    return has ? ailes_db_int(p, v) : NULL;
}

static const char *cap_arg(apr_pool_t *p, long v)
{
    return opt(p, v != AILES_PT_NO_CAP, v);
}

static ailes_ll_entry_t *entry_from_row(apr_pool_t *p, const ailes_row_t *row)
{
    ailes_ll_entry_t *e = apr_pcalloc(p, sizeof(*e));

    e->day = (long)ailes_row_int(row, 0);
    e->kind = row->cols[1];
    e->v = (long)ailes_row_int(row, 2);
    e->v2 = (long)ailes_row_int(row, 3);
    e->source = row->cols[4];
    e->rev = ailes_row_int(row, 5);
    e->created_at = ailes_row_int(row, 6);
    e->updated_at = ailes_row_int(row, 7);
    return e;
}

static ailes_ll_flag_t *flag_from_row(apr_pool_t *p, const ailes_row_t *row)
{
    ailes_ll_flag_t *f = apr_pcalloc(p, sizeof(*f));

    f->id = ailes_row_int(row, 0);
    f->user_id = ailes_row_int(row, 1);
    f->employee_no = row->cols[2];
    f->day = (long)ailes_row_int(row, 3);
    f->kind = row->cols[4];
    f->rev = ailes_row_int(row, 5);
    f->reason = row->cols[6];
    f->value = (long)ailes_row_int(row, 7);
    f->detail = row->cols[8];
    f->created_at = ailes_row_int(row, 9);
    f->reversed_at = ailes_row_int(row, 10);
    f->reversed_amount = (long)ailes_row_int(row, 11);
    return f;
}

apr_status_t ailes_store_ll_put(ailes_db_t *db, apr_pool_t *p,
                                apr_int64_t tenant_id, apr_int64_t user_id,
                                const ailes_ll_entry_t *e, apr_int64_t now,
                                int *replaced, apr_int64_t *rev)
{
    const ailes_ll_kind_t *k = ailes_ll_kind(e->kind);
    apr_dbd_transaction_t *tx = NULL;
    const char *v2;
    ailes_row_t *row;
    apr_status_t rv;

    *replaced = 0;
    *rev = 0;
    if (!k) {
        return APR_EINVAL;
    }
    v2 = opt(p, k->type == AILES_LL_BP, e->v2);
    if (APR_SUCCESS != (rv = ailes_db_begin(db, p, &tx))) {
        return rv;
    }
    rv = ailes_db_row(db, p, &st_ll_rev, &row,
                      AILES_ARGS(I(p, tenant_id), I(p, user_id),
                                 I(p, e->day), e->kind));
    if (APR_SUCCESS == rv) {
        *replaced = 1;
        *rev = ailes_row_int(row, 0) + 1;
        rv = ailes_db_exec_one(db, p, &st_ll_update,
                               AILES_ARGS(I(p, e->v), v2, e->source,
                                          I(p, *rev), I(p, now),
                                          I(p, tenant_id), I(p, user_id),
                                          I(p, e->day), e->kind));
    }
    else if (APR_NOTFOUND == rv) {
        *rev = 1;
        rv = ailes_db_exec(db, p, &st_ll_insert, NULL,
                           AILES_ARGS(I(p, tenant_id), I(p, user_id),
                                      I(p, e->day), e->kind, I(p, e->v), v2,
                                      e->source, I(p, now), I(p, now)));
    }
    if (APR_SUCCESS != ailes_db_end(db, p, tx, APR_SUCCESS == rv)
        && APR_SUCCESS == rv) {
        rv = APR_EGENERAL;
    }
    if (APR_SUCCESS != rv) {
        *replaced = 0;
        *rev = 0;
    }
    return rv;
}

static apr_status_t entries(ailes_db_t *db, apr_pool_t *p,
                            const ailes_stmt_t *st, apr_array_header_t **list,
                            int nargs, const char **args)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *list = NULL;
    if (APR_SUCCESS != (rv = ailes_db_rows(db, p, st, &rows, nargs, args))) {
        return rv;
    }
    *list = apr_array_make(p, rows->nelts + 1, sizeof(ailes_ll_entry_t *));
    for (i = 0; i < rows->nelts; i++) {
        APR_ARRAY_PUSH(*list, ailes_ll_entry_t *) =
            entry_from_row(p, APR_ARRAY_IDX(rows, i, ailes_row_t *));
    }
    return APR_SUCCESS;
}

apr_status_t ailes_store_ll_list(ailes_db_t *db, apr_pool_t *p,
                                 apr_int64_t tenant_id, apr_int64_t user_id,
                                 long from, long to,
                                 apr_array_header_t **list)
{
    return entries(db, p, &st_ll_list, list,
                   AILES_ARGS(I(p, tenant_id), I(p, user_id), I(p, from),
                              I(p, to)));
}

apr_status_t ailes_store_ll_history(ailes_db_t *db, apr_pool_t *p,
                                    apr_int64_t tenant_id,
                                    apr_int64_t user_id, const char *kind,
                                    long day, int max,
                                    apr_array_header_t **list)
{
    return entries(db, p, &st_ll_history, list,
                   AILES_ARGS(I(p, tenant_id), I(p, user_id), kind,
                              I(p, day), I(p, max)));
}

apr_status_t ailes_store_ll_flag_add(ailes_db_t *db, apr_pool_t *p,
                                     apr_int64_t tenant_id,
                                     apr_int64_t user_id, long day,
                                     const char *kind, apr_int64_t rev,
                                     const char *reason, long value,
                                     const char *detail, apr_int64_t now)
{
    return ailes_db_exec(db, p, &st_ll_flag_add, NULL,
                         AILES_ARGS(I(p, tenant_id), I(p, user_id), I(p, day),
                                    kind, I(p, rev), reason, I(p, value),
                                    detail, I(p, now)));
}

apr_status_t ailes_store_ll_flags(ailes_db_t *db, apr_pool_t *p,
                                  apr_int64_t tenant_id, int open_only,
                                  apr_array_header_t **list)
{
    apr_array_header_t *rows;
    apr_status_t rv;
    int i;

    *list = NULL;
    rv = ailes_db_rows(db, p, open_only ? &st_ll_flags_open : &st_ll_flags,
                       &rows, AILES_ARGS(I(p, tenant_id)));
    if (APR_SUCCESS != rv) {
        return rv;
    }
    *list = apr_array_make(p, rows->nelts + 1, sizeof(ailes_ll_flag_t *));
    for (i = 0; i < rows->nelts; i++) {
        APR_ARRAY_PUSH(*list, ailes_ll_flag_t *) =
            flag_from_row(p, APR_ARRAY_IDX(rows, i, ailes_row_t *));
    }
    return APR_SUCCESS;
}

apr_status_t ailes_store_ll_flag_get(ailes_db_t *db, apr_pool_t *p,
                                     apr_int64_t tenant_id, apr_int64_t id,
                                     ailes_ll_flag_t **flag)
{
    ailes_row_t *row;
    apr_status_t rv = ailes_db_row(db, p, &st_ll_flag_get, &row,
                                   AILES_ARGS(I(p, tenant_id), I(p, id)));

    *flag = APR_SUCCESS == rv ? flag_from_row(p, row) : NULL;
    return rv;
}

/* Writes the rules (the ruleset row exists or is written by the caller). */
static apr_status_t rules_write(ailes_db_t *db, apr_pool_t *p,
                                apr_int64_t tenant_id,
                                const apr_array_header_t *rules)
{
    apr_status_t rv;
    int i;

    rv = ailes_db_exec(db, p, &st_pt_rules_clear, NULL,
                       AILES_ARGS(I(p, tenant_id)));
    for (i = 0; APR_SUCCESS == rv && i < rules->nelts; i++) {
        const ailes_pt_rule_t *r = &APR_ARRAY_IDX(rules, i, ailes_pt_rule_t);
        rv = ailes_db_exec(db, p, &st_pt_rule_add, NULL,
                           AILES_ARGS(I(p, tenant_id), I(p, i), r->kind,
                                      opt(p, r->has_min, r->min),
                                      opt(p, r->has_max, r->max),
                                      I(p, r->points)));
    }
    return rv;
}

/* Reads the rules, seeding the defaults first when the tenant has none.
 * Runs inside the caller's transaction. */
static apr_status_t rules_load(ailes_db_t *db, apr_pool_t *p,
                               apr_int64_t tenant_id, apr_int64_t now,
                               apr_array_header_t **rules,
                               ailes_pt_caps_t *caps)
{
    const ailes_pt_caps_t *dc = &ailes_pt_default_caps;
    apr_array_header_t *rows;
    ailes_row_t *row;
    apr_status_t rv;
    int i, n = 0;

    *rules = NULL;
    rv = ailes_db_exec(db, p, &st_pt_ruleset_seed, &n,
                       AILES_ARGS(I(p, tenant_id), cap_arg(p, dc->day),
                                  cap_arg(p, dc->week), cap_arg(p, dc->month),
                                  I(p, now)));
    if (APR_SUCCESS == rv && n > 0) {
        rv = rules_write(db, p, tenant_id, ailes_pt_default_rules(p));
    }
    if (APR_SUCCESS != rv
        || APR_SUCCESS != (rv = ailes_db_row(db, p, &st_pt_ruleset_get, &row,
                                             AILES_ARGS(I(p, tenant_id))))
        || APR_SUCCESS != (rv = ailes_db_rows(db, p, &st_pt_rules_get, &rows,
                                              AILES_ARGS(I(p, tenant_id))))) {
        return rv;
    }
    caps->day = row->cols[0] ? (long)ailes_row_int(row, 0) : AILES_PT_NO_CAP;
    caps->week = row->cols[1] ? (long)ailes_row_int(row, 1) : AILES_PT_NO_CAP;
    caps->month = row->cols[2] ? (long)ailes_row_int(row, 2)
                               : AILES_PT_NO_CAP;
    *rules = apr_array_make(p, rows->nelts + 1, sizeof(ailes_pt_rule_t));
    for (i = 0; i < rows->nelts; i++) {
        const ailes_row_t *rr = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        const ailes_ll_kind_t *k = ailes_ll_kind(rr->cols[0]);
        ailes_pt_rule_t r;
        if (!k) {
            continue;       /* a kind this build does not know */
        }
        r.kind = k->name;
        r.has_min = rr->cols[1] != NULL;
        r.min = (long)ailes_row_int(rr, 1);
        r.has_max = rr->cols[2] != NULL;
        r.max = (long)ailes_row_int(rr, 2);
        r.points = (int)ailes_row_int(rr, 3);
        APR_ARRAY_PUSH(*rules, ailes_pt_rule_t) = r;
    }
    return APR_SUCCESS;
}

apr_status_t ailes_store_pt_rules_get(ailes_db_t *db, apr_pool_t *p,
                                      apr_int64_t tenant_id, apr_int64_t now,
                                      apr_array_header_t **rules,
                                      ailes_pt_caps_t *caps)
{
    apr_dbd_transaction_t *tx = NULL;
    apr_status_t rv;

    if (APR_SUCCESS != (rv = ailes_db_begin(db, p, &tx))) {
        return rv;
    }
    rv = rules_load(db, p, tenant_id, now, rules, caps);
    if (APR_SUCCESS != ailes_db_end(db, p, tx, APR_SUCCESS == rv)
        && APR_SUCCESS == rv) {
        rv = APR_EGENERAL;
    }
    return rv;
}

apr_status_t ailes_store_pt_rules_put(ailes_db_t *db, apr_pool_t *p,
                                      apr_int64_t tenant_id,
                                      const apr_array_header_t *rules,
                                      const ailes_pt_caps_t *caps,
                                      apr_int64_t now)
{
    apr_dbd_transaction_t *tx = NULL;
    apr_status_t rv;

    if (APR_SUCCESS != (rv = ailes_db_begin(db, p, &tx))) {
        return rv;
    }
    rv = ailes_db_exec(db, p, &st_pt_ruleset_put, NULL,
                       AILES_ARGS(I(p, tenant_id), cap_arg(p, caps->day),
                                  cap_arg(p, caps->week),
                                  cap_arg(p, caps->month), I(p, now)));
    if (APR_SUCCESS == rv) {
        rv = rules_write(db, p, tenant_id, rules);
    }
    if (APR_SUCCESS != ailes_db_end(db, p, tx, APR_SUCCESS == rv)
        && APR_SUCCESS == rv) {
        rv = APR_EGENERAL;
    }
    return rv;
}

static apr_status_t confirm_in_tx(ailes_db_t *db, apr_pool_t *p,
                                  apr_int64_t tenant_id, apr_int64_t user_id,
                                  long today, apr_int64_t now, int *written)
{
    apr_array_header_t *rows, *pending, *ledger, *rules, *out;
    ailes_pt_caps_t caps;
    /* the first instant of `today` (JST) in epoch seconds */
    apr_int64_t today_start = (apr_int64_t)today * 86400
                              - AILES_JST_OFFSET_SEC;
    long start, first, last;
    apr_status_t rv;
    int i;

    rv = ailes_db_rows(db, p, &st_pt_pending, &rows,
                       AILES_ARGS(I(p, tenant_id), I(p, user_id),
                                  I(p, today), I(p, today_start)));
    if (APR_SUCCESS != rv || rows->nelts == 0) {
        return rv;
    }
    pending = apr_array_make(p, rows->nelts, sizeof(ailes_pt_entry_t));
    for (i = 0; i < rows->nelts; i++) {
        const ailes_row_t *r = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        const ailes_ll_kind_t *k = ailes_ll_kind(r->cols[1]);
        ailes_pt_entry_t e;
        if (!k) {
            continue;
        }
        e.day = (long)ailes_row_int(r, 0);
        e.kind = k->name;
        e.v = (long)ailes_row_int(r, 2);
        e.v2 = (long)ailes_row_int(r, 3);
        e.rev = ailes_row_int(r, 4);
        e.updated_at = ailes_row_int(r, 5);
        if (ailes_pt_confirmable(&e, today)) {
            APR_ARRAY_PUSH(pending, ailes_pt_entry_t) = e;
        }
    }
    if (pending->nelts == 0) {
        return APR_SUCCESS;
    }
    /* Caps look at the whole week and month of the earliest pending day. */
    start = APR_ARRAY_IDX(pending, 0, ailes_pt_entry_t).day;
    ailes_ll_month_range(start, &first, &last);
    start = ailes_ll_week_start(start) < first ? ailes_ll_week_start(start)
                                               : first;
    if (APR_SUCCESS != (rv = rules_load(db, p, tenant_id, now, &rules, &caps))
        || APR_SUCCESS != (rv = ailes_db_rows(db, p, &st_pt_rows_from, &rows,
                                              AILES_ARGS(I(p, tenant_id),
                                                         I(p, user_id),
                                                         I(p, start))))) {
        return rv;
    }
    ledger = apr_array_make(p, rows->nelts + pending->nelts,
                            sizeof(ailes_pt_row_t));
    for (i = 0; i < rows->nelts; i++) {
        const ailes_row_t *r = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        ailes_pt_row_t lr;
        lr.day = (long)ailes_row_int(r, 0);
        lr.kind = r->cols[1];
        lr.rev = ailes_row_int(r, 2);
        lr.type = strcmp(r->cols[3], "reversal") ? AILES_PT_AWARD
                                                 : AILES_PT_REVERSAL;
        lr.amount = (long)ailes_row_int(r, 4);
        APR_ARRAY_PUSH(ledger, ailes_pt_row_t) = lr;
    }
    ailes_pt_confirm(p, rules, &caps, pending, ledger, &out);
    for (i = 0; APR_SUCCESS == rv && i < out->nelts; i++) {
        const ailes_pt_row_t *r = &APR_ARRAY_IDX(out, i, ailes_pt_row_t);
        int n = 0;
        rv = ailes_db_exec(db, p, &st_pt_award, &n,
                           AILES_ARGS(I(p, tenant_id), I(p, user_id),
                                      I(p, r->day), r->kind, I(p, r->rev),
                                      I(p, r->amount), I(p, now)));
        if (n > 0 && r->amount != 0) {
            (*written)++;
        }
    }
    return rv;
}

apr_status_t ailes_store_pt_confirm(ailes_db_t *db, apr_pool_t *p,
                                    apr_int64_t tenant_id,
                                    apr_int64_t user_id, long today,
                                    apr_int64_t now, int *rows)
{
    apr_dbd_transaction_t *tx = NULL;
    apr_status_t rv;

    *rows = 0;
    if (APR_SUCCESS != (rv = ailes_db_begin(db, p, &tx))) {
        return rv;
    }
    rv = confirm_in_tx(db, p, tenant_id, user_id, today, now, rows);
    if (APR_SUCCESS != ailes_db_end(db, p, tx, APR_SUCCESS == rv)
        && APR_SUCCESS == rv) {
        rv = APR_EGENERAL;
    }
    if (APR_SUCCESS != rv) {
        *rows = 0;
    }
    return rv;
}

apr_status_t ailes_store_pt_ledger(ailes_db_t *db, apr_pool_t *p,
                                   apr_int64_t tenant_id,
                                   apr_int64_t user_id, int max,
                                   long *balance, apr_array_header_t **list)
{
    apr_array_header_t *rows;
    ailes_row_t *row;
    apr_status_t rv;
    int i;

    *balance = 0;
    *list = NULL;
    if (APR_SUCCESS != (rv = ailes_db_row(db, p, &st_pt_balance, &row,
                                          AILES_ARGS(I(p, tenant_id),
                                                     I(p, user_id))))
        || APR_SUCCESS != (rv = ailes_db_rows(db, p, &st_pt_history, &rows,
                                              AILES_ARGS(I(p, tenant_id),
                                                         I(p, user_id),
                                                         I(p, max))))) {
        return rv;
    }
    *balance = (long)ailes_row_int(row, 0);
    *list = apr_array_make(p, rows->nelts + 1,
                           sizeof(ailes_pt_ledger_row_t *));
    for (i = 0; i < rows->nelts; i++) {
        const ailes_row_t *r = APR_ARRAY_IDX(rows, i, ailes_row_t *);
        ailes_pt_ledger_row_t *l = apr_pcalloc(p, sizeof(*l));
        l->id = ailes_row_int(r, 0);
        l->day = (long)ailes_row_int(r, 1);
        l->kind = r->cols[2];
        l->type = r->cols[3];
        l->amount = (long)ailes_row_int(r, 4);
        l->reason = r->cols[5];
        l->created_at = ailes_row_int(r, 6);
        APR_ARRAY_PUSH(*list, ailes_pt_ledger_row_t *) = l;
    }
    return APR_SUCCESS;
}

apr_status_t ailes_store_pt_reverse(ailes_db_t *db, apr_pool_t *p,
                                    apr_int64_t tenant_id,
                                    const ailes_ll_flag_t *f,
                                    const char *reason, apr_int64_t by,
                                    apr_int64_t now, long *amount)
{
    apr_dbd_transaction_t *tx = NULL;
    ailes_row_t *row;
    apr_status_t rv;
    int n = 0;

    *amount = 0;
    if (f->reversed_at) {
        return APR_EEXIST;
    }
    if (APR_SUCCESS != (rv = ailes_db_begin(db, p, &tx))) {
        return rv;
    }
    rv = ailes_db_row(db, p, &st_pt_net, &row,
                      AILES_ARGS(I(p, tenant_id), I(p, f->user_id),
                                 I(p, f->day), f->kind));
    if (APR_SUCCESS == rv) {
        *amount = -(long)ailes_row_int(row, 0);
        rv = ailes_db_exec(db, p, &st_pt_reversal, &n,
                           AILES_ARGS(I(p, tenant_id), I(p, f->user_id),
                                      I(p, f->day), f->kind, I(p, f->rev),
                                      I(p, *amount), I(p, f->id), reason,
                                      I(p, by), I(p, now)));
    }
    if (APR_SUCCESS == rv && n == 0) {
        rv = APR_EEXIST;    /* reversed meanwhile by someone else */
    }
    if (APR_SUCCESS != ailes_db_end(db, p, tx, APR_SUCCESS == rv)
        && APR_SUCCESS == rv) {
        rv = APR_EGENERAL;
    }
    if (APR_SUCCESS != rv) {
        *amount = 0;
    }
    return rv;
}
