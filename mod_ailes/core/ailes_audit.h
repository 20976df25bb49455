/* Audit events as JSON lines (the spec's ログ: recorded in JST, shipped as
 * lines through Apache's piped logs).
 *
 * A line is at most AILES_AUDIT_LINE_MAX bytes including its newline, so
 * that a single write() to a pipe is atomic (PIPE_BUF) and concurrent
 * httpd children never interleave. It never holds a password, secret,
 * session id or name: the callers only pass employee numbers, actions and
 * addresses.
 */
#ifndef AILES_AUDIT_H
#define AILES_AUDIT_H

#include <apr_pools.h>

#include "ailes_store.h"

#define AILES_AUDIT_LINE_MAX 4096
#define AILES_AUDIT_FIELD_MAX 512

/* {"time","tenant","actor","action","target","client_ip","request_id",
 *  "outcome"} with a trailing newline; long fields are cut. */
const char *ailes_audit_line(apr_pool_t *p, const ailes_audit_rec_t *a,
                             const char *tenant_slug);

#endif
