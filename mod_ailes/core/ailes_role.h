/* Roles (DESIGN.md "Roles"): names, parsing and what each may do.
 * The one place that knows which roles see other people's data. */
#ifndef AILES_ROLE_H
#define AILES_ROLE_H

typedef enum {
    AILES_ROLE_NONE = 0,
    AILES_ROLE_EMPLOYEE,
    AILES_ROLE_EXAMINEE,
    AILES_ROLE_SC_STAFF,
    AILES_ROLE_SC_IMPLEMENTER,
    AILES_ROLE_HEALTH_STAFF,
    AILES_ROLE_TENANT_ADMIN,
    AILES_ROLE_COUNT_
} ailes_role_t;

/* AILES_ROLE_NONE for NULL or an unknown name. Names are exact, lower case. */
ailes_role_t ailes_role_parse(const char *name);

/* The canonical name; "" for AILES_ROLE_NONE. */
const char *ailes_role_name(ailes_role_t role);

/* True for roles that see other people's data ("high privilege" in the
 * spec): they get the stronger password policy and TOTP. */
int ailes_role_is_high_privilege(ailes_role_t role);

/* TOTP by role (the spec's 多要素認証): tenant_admin and health_staff must
 * have it; examinee accounts (stress-check-only contracts) never have it;
 * the others may (and a tenant may require it for sc_staff and
 * sc_implementer). */
int ailes_role_totp_required(ailes_role_t role);
int ailes_role_totp_allowed(ailes_role_t role);

/* Reach of a role: 1 own data, 2 others' data in scope, 3 the tenant.
 * Nobody may give a role of a higher rank than their own. */
int ailes_role_rank(ailes_role_t role);

/* Roles that are granted labels (staff who see people in scope). */
int ailes_role_takes_grants(ailes_role_t role);

/* "employee, examinee, ..." for error messages. */
const char *ailes_role_list(void);

#endif
