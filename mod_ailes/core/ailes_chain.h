/* Hash chain over log lines (the spec's 改竄防止): each record carries the
 * SHA-256 of the previous record and of itself, so an edited, deleted or
 * reordered line breaks the chain at that point.
 *
 * Record: {"seq":N,"time":"...+09:00","prev":HEX,"hash":HEX,"line":"..."}
 * with hash = SHA-256(prev "|" seq "|" time "|" line). The first record of
 * a chain has "start":true and prev = 64 zeros.
 */
#ifndef AILES_CHAIN_H
#define AILES_CHAIN_H

#include <apr_pools.h>
#include <apr_time.h>

#define AILES_CHAIN_HEX 64

typedef struct ailes_chain {
    apr_int64_t seq;                    /* records so far */
    char prev[AILES_CHAIN_HEX + 1];     /* hash of the last record */
} ailes_chain_t;

/* A new chain (seq 0, prev all zeros). */
void ailes_chain_init(ailes_chain_t *c);

/* Wraps one line (without its newline) into the next record (JSON, no
 * newline) and advances the chain. */
const char *ailes_chain_wrap(apr_pool_t *p, ailes_chain_t *c,
                             const char *line, apr_size_t len, apr_time_t t);

/* Checks the next record of a stream against the chain so far and
 * advances it. NULL when the link holds, else why it does not. A record
 * with "start":true begins a new chain (a restarted shipper). */
const char *ailes_chain_verify(apr_pool_t *p, ailes_chain_t *c,
                               const char *record, apr_size_t len);

#endif
