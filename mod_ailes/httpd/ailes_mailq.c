/* Mail queueing from requests; see ailes_mailq.h. */
#include <httpd.h>
#include <http_log.h>

#include "ailes_config.h"
#include "ailes_db.h"
#include "ailes_log.h"
#include "ailes_mailq.h"
#include "ailes_notify.h"
#include "ailes_store.h"
#include "ailes_time.h"

APLOG_USE_MODULE(ailes);

void ailes_mailq_user(request_rec *r, ailes_db_t *db, apr_int64_t tenant_id,
                      apr_int64_t user_id, const char *employee_no,
                      const char *kind)
{
    apr_status_t rv;

    if (!ailes_conf_mail_enabled(ailes_srv_conf(r->server)->g) || !db) {
        return;
    }
    rv = ailes_notify_user(db, r->pool, tenant_id, user_id, kind,
                           employee_no, ailes_time_sec(apr_time_now()));
    if (APR_SUCCESS != rv) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, rv, r, AILES_LOGNO(00701)
                      "mail %s for %s not queued", kind, employee_no);
    }
}

void ailes_mailq_employee(request_rec *r, ailes_db_t *db,
                          apr_int64_t tenant_id, const char *employee_no,
                          const char *kind)
{
    ailes_user_t *u;

    if (!ailes_conf_mail_enabled(ailes_srv_conf(r->server)->g) || !db) {
        return;
    }
    if (APR_SUCCESS == ailes_store_user_by_no(db, r->pool, tenant_id,
                                              employee_no, &u)) {
        ailes_mailq_user(r, db, tenant_id, u->id, employee_no, kind);
    }
}
