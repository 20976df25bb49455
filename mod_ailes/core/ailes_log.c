/* Core logging sink; see ailes_log.h. Formats into a stack buffer so that no
 * pool is needed at the call site. */
#include <stdarg.h>
#include <stdio.h>

#include "ailes_log.h"

static ailes_log_fn *log_fn;
static void *log_baton;

void ailes_log_set(ailes_log_fn *fn, void *baton)
{
    log_fn = fn;
    log_baton = baton;
}

void ailes_log(ailes_log_level_t level, apr_status_t rv, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (log_fn) {
        log_fn(log_baton, level, rv, msg);
    }
    else if (level <= AILES_LOG_WARN) {
        fprintf(stderr, "%s\n", msg);
    }
}
