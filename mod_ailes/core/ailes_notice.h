/* In-app notices (お知らせ): the checks every notice passes before it is
 * stored, whoever writes it (today the operators' CLI). Pure functions;
 * the store is ailes_store_notice.h.
 *
 * Severities follow the spec's サービスの変更 / 脆弱性 / インシデント
 * sections: info, maintenance, vulnerability, incident. An incident carries
 * what happened (required), its cause and the interim response when
 * known, and dated updates (the spec: a first report within 72 hours,
 * updates every 24 hours).
 */
#ifndef AILES_NOTICE_H
#define AILES_NOTICE_H

#include <apr_pools.h>
#include <apr_time.h>

#define AILES_NOTICE_TITLE_MAX 200      /* characters */
#define AILES_NOTICE_BODY_MAX 10000     /* characters */
#define AILES_NOTICE_FIELD_MAX 4000     /* what, cause, response */

/* NULL when severity is one of info, maintenance, vulnerability,
 * incident; else an error message. */
const char *ailes_notice_check_severity(apr_pool_t *p, const char *severity);

/* Does this severity mail the tenant admins (vulnerability, incident)? */
int ailes_notice_severity_mails(const char *severity);

/* Text checks: valid UTF-8, 1..max characters, not only spaces; a title
 * (multiline false) has no control character at all, a body (multiline
 * true) none but LF. `what` names the field in the message. */
const char *ailes_notice_check_text(apr_pool_t *p, const char *s,
                                    apr_size_t max, int multiline,
                                    const char *what);

/* "YYYY-MM-DDTHH:MM" read as JST: *t is that instant. NULL or an error
 * message. */
const char *ailes_notice_parse_time(apr_pool_t *p, const char *s,
                                    apr_time_t *t);

/* Splits "all" or "slug,slug,..." (each a valid slug, no empty item):
 * *all is 1 for "all", else *slugs holds the distinct slugs (const char *)
 * in their order. NULL or an error message. */
struct apr_array_header_t;
const char *ailes_notice_parse_tenants(apr_pool_t *p, const char *s,
                                       int *all,
                                       struct apr_array_header_t **slugs);

#endif
