/* AWS Signature Version 4 (for CloudWatch Logs PutLogEvents), computed
 * with OpenSSL's HMAC-SHA-256. Pure: the caller supplies the time. */
#ifndef AILES_SIGV4_H
#define AILES_SIGV4_H

#include <apr_pools.h>
#include <apr_tables.h>

typedef struct ailes_aws_cred {
    const char *access_key;
    const char *secret_key;
    const char *session_token;  /* NULL unless temporary credentials */
} ailes_aws_cred_t;

typedef struct ailes_sigv4_req {
    const char *method;         /* "POST" */
    const char *path;           /* canonical (already URI-encoded) path */
    const char *query;          /* "a=1&b=2" (encoded) or "" */
    apr_table_t *headers;       /* name -> value; must hold host and
                                   x-amz-date (YYYYMMDDTHHMMSSZ); all are
                                   signed */
    const char *payload;
    apr_size_t payload_len;
    const char *region;
    const char *service;
} ailes_sigv4_req_t;

/* Lower-case hex SHA-256 of data. */
const char *ailes_sha256_hex(apr_pool_t *p, const void *data, apr_size_t len);

/* The canonical request (useful in tests and for debugging). */
const char *ailes_sigv4_canonical(apr_pool_t *p, const ailes_sigv4_req_t *r,
                                  const char **signed_headers);

/* The Authorization header value, or NULL when x-amz-date or host is
 * missing. */
const char *ailes_sigv4_authorization(apr_pool_t *p,
                                      const ailes_aws_cred_t *cred,
                                      const ailes_sigv4_req_t *r);

#endif
