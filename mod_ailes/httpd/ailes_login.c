/* Lockout rules; see ailes_login.h. */
#include <httpd.h>

#include "ailes_config.h"
#include "ailes_login.h"
#include "ailes_request.h"
#include "ailes_store.h"
#include "ailes_time.h"
#include "ailes_mailq.h"
#include "ailes_notify.h"

/* "Locked until an administrator unlocks": 9999-12-31T23:59:59Z. */
#define LOCKED_FOREVER APR_INT64_C(253402300799)

ailes_attempt_t ailes_login_attempt(request_rec *r, struct ailes_db *db,
                                    apr_int64_t tenant_id,
                                    const char *employee_no, int *failures)
{
    int limit = ailes_conf_lockout(ailes_srv_conf(r->server));
    apr_int64_t now = ailes_time_sec(apr_time_now()), until;

    if (APR_SUCCESS != ailes_store_attempt_begin(db, r->pool, tenant_id,
                                                 employee_no, now, failures,
                                                 &until)) {
        return AILES_ATTEMPT_UNAVAILABLE;
    }
    if (until > now || *failures > limit) {
        ailes_audit(r, tenant_id, "-", "login.locked", employee_no, "denied");
        return AILES_ATTEMPT_LOCKED;
    }
    return AILES_ATTEMPT_GO;
}

apr_status_t ailes_login_failed(request_rec *r, struct ailes_db *db,
                                apr_int64_t tenant_id,
                                const char *employee_no, int failures,
                                const char *action)
{
    ailes_srv_conf_t *sc = ailes_srv_conf(r->server);
    long duration = ailes_conf_lockout_duration(sc);
    apr_int64_t now = ailes_time_sec(apr_time_now());
    apr_status_t rv;

    ailes_audit(r, tenant_id, "-", action, employee_no, "denied");
    if (failures < ailes_conf_lockout(sc)) {
        return APR_SUCCESS;
    }
    rv = ailes_store_attempt_lock(db, r->pool, tenant_id, employee_no,
                                  duration > 0 ? now + duration
                                               : LOCKED_FOREVER);
    if (APR_SUCCESS == rv) {
        ailes_audit(r, tenant_id, "-", "account.locked", employee_no,
                    "denied");
        ailes_mailq_employee(r, db, tenant_id, employee_no,
                             AILES_NOTIFY_LOCKED);
    }
    return rv;
}

apr_status_t ailes_login_succeeded(request_rec *r, struct ailes_db *db,
                                   apr_int64_t tenant_id,
                                   const char *employee_no)
{
    return ailes_store_attempt_clear(db, r->pool, tenant_id, employee_no);
}
