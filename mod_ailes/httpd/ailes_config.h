/* Configuration of mod_ailes: directives, their defaults, and the state
 * set up once per process from them.
 *
 * Threading: everything here is written during configuration (single
 * threaded) or child_init (before worker threads) and only read afterwards,
 * except the vault connection pool, which is an apr_reslist (thread-safe).
 */
#ifndef AILES_CONFIG_H
#define AILES_CONFIG_H

#include <apr_file_io.h>
#include <apr_reslist.h>
#include <httpd.h>
#include <http_config.h>

struct ailes_vault_key;
struct ailes_cache;

/* Settings that exist once per httpd (main server only). */
typedef struct ailes_global {
    const char *vault_driver;           /* AilesVaultDB */
    const char *vault_params;
    const char *vault_key_file;         /* AilesVaultKeyFile */
    struct ailes_vault_key *vault_key;  /* loaded when the directive is read;
                                           the old keys chained after it */
    apr_array_header_t *old_keys;       /* AilesVaultOldKeyFile (keys) */
    struct ailes_vault_key *index_key;  /* AilesVaultIndexKeyFile, or NULL:
                                           no search by name */
    const char *backup_key_id;          /* AilesBackupKeyFile: only the id
                                           of the key (httpd needs no
                                           backup key), or NULL */
    int bcrypt_cost;                    /* AilesBcryptCost, -1 = unset */
    const char *dummy_hash;             /* post_config: for unknown users */
    apr_reslist_t *vault_pool;          /* child_init */
    int tenants_configured;             /* some server has AilesTenant */
    const char *session_cache;          /* AilesSessionCache, NULL = unset */
    const char *audit_log;              /* AilesAuditLog: path or |program */
    apr_file_t *audit_file;             /* open_logs; NULL = none */
    long audit_retention;               /* AilesAuditRetention (s), -1 */
    struct ailes_cache *cache;          /* post_config; NULL = no cache */
    const char *mail_relay;             /* AilesMailRelay, NULL = no mail */
    const char *mail_from;              /* AilesMailFrom */
} ailes_global_t;

typedef struct ailes_srv_conf {
    ailes_global_t *g;                  /* shared by all servers */
    const char *tenant;                 /* AilesTenant, NULL = none */
    const char *path_prefix;            /* AilesTenantPathPrefix, or NULL */
    int cookie_secure;                  /* AilesCookieSecure, -1 = unset */
    int lockout;                        /* AilesLockout, -1 = unset */
    long lockout_duration;              /* AilesLockoutDuration (s), -1 */
    long session_idle;                  /* AilesSessionIdle (s), -1 */
    long session_max;                   /* AilesSessionMax (s), -1 */
    long max_body;                      /* AilesMaxBody (bytes), -1 */
    int totp_window;                    /* AilesTOTPWindow, -1 = unset */
    const char *totp_issuer;            /* AilesTOTPIssuer, NULL = unset */
    unsigned totp_roles;                /* AilesTenantRequireTOTP: role bits
                                           on top of the always-required */
    apr_array_header_t *ip_bound;       /* AilesTenantAllowIP (ailes_cidr_t),
                                           NULL = unset */
    int ip_scope_all;                   /* AilesTenantIPScope all, -1 unset */
    long activation_ttl;                /* AilesActivationTTL (s), -1 */
    long max_upload;                    /* AilesMaxUpload (bytes), -1 */
    int lifelog_backdate;               /* AilesLifelogBackdate (days), -1 */
} ailes_srv_conf_t;

extern module AP_MODULE_DECLARE_DATA ailes_module;
extern const command_rec ailes_cmds[];

void *ailes_create_srv_conf(apr_pool_t *p, server_rec *s);
void *ailes_merge_srv_conf(apr_pool_t *p, void *basev, void *addv);

ailes_srv_conf_t *ailes_srv_conf(const server_rec *s);

/* Typed getters: the one place per default. */
int ailes_conf_bcrypt_cost(const ailes_global_t *g);
int ailes_conf_cookie_secure(const ailes_srv_conf_t *sc);
const char *ailes_conf_cookie_name(const ailes_srv_conf_t *sc);
int ailes_conf_lockout(const ailes_srv_conf_t *sc);
long ailes_conf_lockout_duration(const ailes_srv_conf_t *sc);
int ailes_conf_session_idle(const ailes_srv_conf_t *sc);
int ailes_conf_session_max(const ailes_srv_conf_t *sc);
long ailes_conf_max_body(const ailes_srv_conf_t *sc);
/* "shmcb" unless AilesSessionCache says otherwise; "none" disables. */
const char *ailes_conf_session_cache(const ailes_global_t *g);
long ailes_conf_audit_retention(const ailes_global_t *g);
int ailes_conf_totp_window(const ailes_srv_conf_t *sc);
const char *ailes_conf_totp_issuer(const ailes_srv_conf_t *sc);
/* Does the tenant IP allow-list apply to a user of this role here? (staff
 * scope, the default: roles that see other people's data; all: everyone) */
long ailes_conf_activation_ttl(const ailes_srv_conf_t *sc);
long ailes_conf_max_upload(const ailes_srv_conf_t *sc);
/* How many days back a life-log entry may be made (default 7). */
int ailes_conf_lifelog_backdate(const ailes_srv_conf_t *sc);
int ailes_conf_ip_applies(const ailes_srv_conf_t *sc, int role);
/* Must a user of this role have TOTP on this server? */
int ailes_conf_totp_required(const ailes_srv_conf_t *sc, int role);

/* Is mail on (AilesMailRelay set)? Without it nothing is queued. */
int ailes_conf_mail_enabled(const ailes_global_t *g);

/* Cross-checks that need the whole configuration. NULL or an error. */
const char *ailes_conf_check(apr_pool_t *p, server_rec *s);

#endif
