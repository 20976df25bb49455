/* Sending one built message (ailes_mail_build) through an SMTP relay with
 * libcurl, for `ailesctl mail flush`. Never logs the message or the
 * addresses.
 */
#ifndef AILES_SMTP_H
#define AILES_SMTP_H

#include <apr_pools.h>

/* Sends msg from `from` to `to` through relay (smtp://HOST:PORT). On
 * failure *err says why in words that hold no address. */
apr_status_t ailes_smtp_send(apr_pool_t *p, const char *relay,
                             const char *from, const char *to,
                             const char *msg, long timeout_sec,
                             const char **err);

#endif
