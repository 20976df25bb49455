/* SigV4; see ailes_sigv4.h. Follows the published algorithm: canonical
 * request -> string to sign -> derived key -> signature. */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include "ailes_sigv4.h"

const char *ailes_sha256_hex(apr_pool_t *p, const void *data, apr_size_t len)
{
    unsigned char md[crypto_hash_sha256_BYTES];
    char *hex = apr_palloc(p, 2 * sizeof(md) + 1);

    crypto_hash_sha256(md, data, len);
    sodium_bin2hex(hex, 2 * sizeof(md) + 1, md, sizeof(md));
    return hex;
}

static void hmac(const unsigned char *key, int keylen, const char *msg,
                 unsigned char out[32])
{
    unsigned int n = 32;

    HMAC(EVP_sha256(), key, keylen, (const unsigned char *)msg, strlen(msg),
         out, &n);
}

typedef struct hdr {
    const char *name;
    const char *value;
} hdr;

static int cmp_hdr(const void *a, const void *b)
{
    return strcmp(((const hdr *)a)->name, ((const hdr *)b)->name);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Trims and squeezes runs of spaces, as the canonical form asks. */
static const char *trim_value(apr_pool_t *p, const char *v)
{
    char *out = apr_palloc(p, strlen(v) + 1), *w = out;
    int space = 0;

    while (*v == ' ' || *v == '\t') {
        v++;
    }
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t') {
            space = 1;
            continue;
        }
        if (space && w != out) {
            *w++ = ' ';
        }
        space = 0;
        *w++ = *v;
    }
    *w = '\0';
    return out;
}

const char *ailes_sigv4_canonical(apr_pool_t *p, const ailes_sigv4_req_t *r,
                                  const char **signed_headers)
{
    const apr_array_header_t *arr = apr_table_elts(r->headers);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    hdr *h = apr_palloc(p, sizeof(hdr) * (arr->nelts + 1));
    const char *canon_headers = "", *names = "", *query = "";
    char **pairs, *q, *last = NULL, *tok;
    int i, n = 0;

    for (i = 0; i < arr->nelts; i++) {
        char *lower = apr_pstrdup(p, e[i].key), *c;

        for (c = lower; *c; c++) {
            if (*c >= 'A' && *c <= 'Z') {
                *c = (char)(*c - 'A' + 'a');
            }
        }
        h[n].name = lower;
        h[n].value = trim_value(p, e[i].val);
        n++;
    }
    qsort(h, (size_t)n, sizeof(hdr), cmp_hdr);
    for (i = 0; i < n; i++) {
        canon_headers = apr_pstrcat(p, canon_headers, h[i].name, ":",
                                    h[i].value, "\n", NULL);
        names = apr_pstrcat(p, names, i ? ";" : "", h[i].name, NULL);
    }
    /* Query: parameters sorted by name (then value). */
    q = apr_pstrdup(p, r->query ? r->query : "");
    pairs = apr_palloc(p, sizeof(char *) * (strlen(q) / 2 + 2));
    n = 0;
    for (tok = apr_strtok(q, "&", &last); tok;
         tok = apr_strtok(NULL, "&", &last)) {
        pairs[n++] = strchr(tok, '=') ? tok : apr_pstrcat(p, tok, "=", NULL);
    }
    qsort(pairs, (size_t)n, sizeof(char *), cmp_str);
    for (i = 0; i < n; i++) {
        query = apr_pstrcat(p, query, i ? "&" : "", pairs[i], NULL);
    }
    *signed_headers = names;
    return apr_pstrcat(p, r->method, "\n", r->path, "\n", query, "\n",
                       canon_headers, "\n", names, "\n",
                       ailes_sha256_hex(p, r->payload ? r->payload : "",
                                        r->payload_len),
                       NULL);
}

const char *ailes_sigv4_authorization(apr_pool_t *p,
                                      const ailes_aws_cred_t *cred,
                                      const ailes_sigv4_req_t *r)
{
    const char *amz_date = apr_table_get(r->headers, "x-amz-date");
    const char *canonical, *names, *scope, *to_sign, *kstart;
    unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
    char date[9], hex[65];

    if (!amz_date || strlen(amz_date) != 16 || !apr_table_get(r->headers,
                                                              "host")) {
        return NULL;
    }
    memcpy(date, amz_date, 8);
    date[8] = '\0';
    canonical = ailes_sigv4_canonical(p, r, &names);
    scope = apr_pstrcat(p, date, "/", r->region, "/", r->service,
                        "/aws4_request", NULL);
    to_sign = apr_pstrcat(p, "AWS4-HMAC-SHA256\n", amz_date, "\n", scope,
                          "\n", ailes_sha256_hex(p, canonical,
                                                 strlen(canonical)),
                          NULL);
    kstart = apr_pstrcat(p, "AWS4", cred->secret_key, NULL);
    hmac((const unsigned char *)kstart, (int)strlen(kstart), date, k1);
    hmac(k1, 32, r->region, k2);
    hmac(k2, 32, r->service, k3);
    hmac(k3, 32, "aws4_request", k4);
    hmac(k4, 32, to_sign, sig);
    sodium_bin2hex(hex, sizeof(hex), sig, sizeof(sig));
    sodium_memzero(k1, sizeof(k1));
    sodium_memzero(k2, sizeof(k2));
    sodium_memzero(k3, sizeof(k3));
    sodium_memzero(k4, sizeof(k4));
    return apr_pstrcat(p, "AWS4-HMAC-SHA256 Credential=", cred->access_key,
                       "/", scope, ", SignedHeaders=", names,
                       ", Signature=", hex, NULL);
}
