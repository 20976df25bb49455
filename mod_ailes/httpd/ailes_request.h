/* Per-request state of mod_ailes: the tenant the request is for, the
 * database connections it uses and the session it carries. Lives in
 * r->request_config; nothing here is shared between requests.
 */
#ifndef AILES_REQUEST_H
#define AILES_REQUEST_H

#include <httpd.h>

struct ailes_db;
struct ailes_session;

typedef struct ailes_req {
    const char *tenant;             /* slug, NULL when the host has none */
    int tenant_from_path;           /* named by AilesTenantPathPrefix */
    struct ailes_db *db;            /* main database, acquired on demand */
    int db_failed;
    struct ailes_db *vault;         /* vault database, acquired on demand */
    int vault_failed;
    struct ailes_session *session;  /* resolved session or NULL */
    int session_resolved;
} ailes_req_t;

/* Registers the hooks of this file (tenant routing, optional functions). */
void ailes_request_register_hooks(apr_pool_t *p);

ailes_req_t *ailes_req(request_rec *r);

/* The main database (a mod_dbd connection released with the request), or
 * NULL when it is unavailable (logged once per request). */
struct ailes_db *ailes_req_db(request_rec *r);

/* The vault database, or NULL when unavailable. */
struct ailes_db *ailes_req_vault(request_rec *r);

/* Child init: creates this process's vault connection pool. */
apr_status_t ailes_vault_pool_init(apr_pool_t *pchild, server_rec *s);

/* Writes one audit event (the audit issue adds the log shipping). Failures
 * are logged, never fatal to the request. */
void ailes_audit(request_rec *r, apr_int64_t tenant_id, const char *actor,
                 const char *action, const char *target,
                 const char *outcome);

/* open_logs: opens AilesAuditLog (a file, or |program as a piped log that
 * httpd restarts if it dies). */
int ailes_audit_open_logs(apr_pool_t *pconf, server_rec *s);

#endif
