/* A request body kept on disk while it is checked, so that an upload of
 * any size costs a bounded amount of memory: a temporary file, unlinked
 * as soon as it is created (only its descriptor reaches it; closed when
 * its pool dies), written in the sealed chunks of the backup format
 * (ailes_backup.h) under a random key that exists only in memory. Health
 * data on its way into the database never lies on a disk in clear, and
 * nothing is left once the request is over, even by a child that dies.
 */
#ifndef AILES_SPOOL_H
#define AILES_SPOOL_H

#include <apr_file_io.h>
#include <apr_pools.h>

typedef struct ailes_spool ailes_spool_t;

/* A new spool in dir (NULL: the system's temporary directory). */
apr_status_t ailes_spool_create(apr_pool_t *p, const char *dir,
                                ailes_spool_t **sp);

/* Appends len bytes. */
apr_status_t ailes_spool_write(ailes_spool_t *sp, const void *buf,
                               apr_size_t len);

/* Ends writing: the size and SHA-256 (hex) of everything written. Reading
 * then starts from the beginning. */
apr_status_t ailes_spool_finish(ailes_spool_t *sp, apr_off_t *size,
                                char sha256[65]);

/* Up to cap bytes into buf; *n is 0 at the end. A chunk that does not
 * authenticate (the file was changed under us) is APR_EGENERAL. */
apr_status_t ailes_spool_read(ailes_spool_t *sp, void *buf, apr_size_t cap,
                              apr_size_t *n);

#endif
