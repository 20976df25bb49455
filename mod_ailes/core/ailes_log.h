/* Logging for core code that must not include httpd headers.
 *
 * Core files log through a callback the host program installs once at
 * startup (the module forwards to ap_log_error, ailesctl to stderr): the
 * mod_md pattern. Never pass secrets (passwords, tokens, names) to it.
 */
#ifndef AILES_LOG_H
#define AILES_LOG_H

#include <apr_errno.h>

/* Our own message numbers: httpd reserves AH numbers for its modules. The
 * next free number is kept in mod_ailes/next-logno. */
#define AILES_LOGNO(n) "AILES" #n ": "

typedef enum {
    AILES_LOG_ERR = 3,
    AILES_LOG_WARN = 4,
    AILES_LOG_INFO = 6,
    AILES_LOG_DEBUG = 7
} ailes_log_level_t;

typedef void ailes_log_fn(void *baton, ailes_log_level_t level,
                          apr_status_t rv, const char *msg);

/* Installs the sink. Call once, before any thread starts: the pointer is
 * read without a lock afterwards. NULL restores the default (stderr). */
void ailes_log_set(ailes_log_fn *fn, void *baton);

void ailes_log(ailes_log_level_t level, apr_status_t rv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
