/* Role table; see ailes_role.h. */
#include <string.h>

#include "ailes_role.h"

static const struct {
    const char *name;
    int high_privilege;
} roles[AILES_ROLE_COUNT_] = {
    [AILES_ROLE_NONE] = { "", 0 },
    [AILES_ROLE_EMPLOYEE] = { "employee", 0 },
    [AILES_ROLE_EXAMINEE] = { "examinee", 0 },
    [AILES_ROLE_SC_STAFF] = { "sc_staff", 1 },
    [AILES_ROLE_SC_IMPLEMENTER] = { "sc_implementer", 1 },
    [AILES_ROLE_HEALTH_STAFF] = { "health_staff", 1 },
    [AILES_ROLE_TENANT_ADMIN] = { "tenant_admin", 1 },
};

ailes_role_t ailes_role_parse(const char *name)
{
    int i;

    if (!name) {
        return AILES_ROLE_NONE;
    }
    for (i = AILES_ROLE_NONE + 1; i < AILES_ROLE_COUNT_; i++) {
        if (!strcmp(name, roles[i].name)) {
            return (ailes_role_t)i;
        }
    }
    return AILES_ROLE_NONE;
}

const char *ailes_role_name(ailes_role_t role)
{
    if (role <= AILES_ROLE_NONE || role >= AILES_ROLE_COUNT_) {
        return "";
    }
    return roles[role].name;
}

int ailes_role_is_high_privilege(ailes_role_t role)
{
    if (role <= AILES_ROLE_NONE || role >= AILES_ROLE_COUNT_) {
        return 0;
    }
    return roles[role].high_privilege;
}

const char *ailes_role_list(void)
{
    return "employee, examinee, sc_staff, sc_implementer, health_staff, "
           "tenant_admin";
}

int ailes_role_totp_required(ailes_role_t role)
{
    return role == AILES_ROLE_TENANT_ADMIN || role == AILES_ROLE_HEALTH_STAFF;
}

int ailes_role_totp_allowed(ailes_role_t role)
{
    return role > AILES_ROLE_NONE && role < AILES_ROLE_COUNT_
           && role != AILES_ROLE_EXAMINEE;
}

int ailes_role_rank(ailes_role_t role)
{
    switch (role) {
    case AILES_ROLE_EMPLOYEE:
    case AILES_ROLE_EXAMINEE:
        return 1;
    case AILES_ROLE_SC_STAFF:
    case AILES_ROLE_SC_IMPLEMENTER:
    case AILES_ROLE_HEALTH_STAFF:
        return 2;
    case AILES_ROLE_TENANT_ADMIN:
        return 3;
    default:
        return 0;
    }
}

int ailes_role_takes_grants(ailes_role_t role)
{
    return ailes_role_rank(role) == 2;
}
