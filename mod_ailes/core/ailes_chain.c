/* Hash chain; see ailes_chain.h. */
#include <string.h>

#include <apr_strings.h>
#include <sodium.h>

#include "ailes_chain.h"
#include "ailes_csv.h"
#include "ailes_json.h"
#include "ailes_time.h"

static const char zeros[AILES_CHAIN_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

void ailes_chain_init(ailes_chain_t *c)
{
    c->seq = 0;
    memcpy(c->prev, zeros, sizeof(c->prev));
}

static void link_hash(const char *prev, apr_int64_t seq, const char *time,
                      const char *line, apr_size_t len,
                      char out[AILES_CHAIN_HEX + 1])
{
    crypto_hash_sha256_state st;
    unsigned char md[crypto_hash_sha256_BYTES];
    char num[32];
    int n = apr_snprintf(num, sizeof(num), "|%" APR_INT64_T_FMT "|", seq);

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)prev,
                              AILES_CHAIN_HEX);
    crypto_hash_sha256_update(&st, (const unsigned char *)num, (size_t)n);
    crypto_hash_sha256_update(&st, (const unsigned char *)time,
                              strlen(time));
    crypto_hash_sha256_update(&st, (const unsigned char *)"|", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)line, len);
    crypto_hash_sha256_final(&st, md);
    sodium_bin2hex(out, AILES_CHAIN_HEX + 1, md, sizeof(md));
}

/* Bytes that are not UTF-8 (or NUL) become "\xNN" text: a log line may
 * carry anything, a JSON string may not. */
static const char *printable(apr_pool_t *p, const char *line, apr_size_t *len)
{
    char *out, *w;
    apr_size_t i;

    if (ailes_utf8_valid(line, *len)) {
        return line;
    }
    out = w = apr_palloc(p, *len * 4 + 1);
    for (i = 0; i < *len; i++) {
        unsigned char ch = (unsigned char)line[i];
        if (ch >= 0x20 && ch < 0x7f) {
            *w++ = (char)ch;
        }
        else {
            w += apr_snprintf(w, 5, "\\x%02x", ch);
        }
    }
    *w = '\0';
    *len = (apr_size_t)(w - out);
    return out;
}

const char *ailes_chain_wrap(apr_pool_t *p, ailes_chain_t *c,
                             const char *line, apr_size_t len, apr_time_t t)
{
    const char *time = ailes_time_jst(p, t);
    char hash[AILES_CHAIN_HEX + 1];
    json_t *j;

    line = printable(p, line, &len);
    c->seq++;
    link_hash(c->prev, c->seq, time, line, len, hash);
    j = json_pack("{s:I,s:s,s:s,s:s,s:s%}", "seq", (json_int_t)c->seq,
                  "time", time, "prev", c->prev, "hash", hash, "line", line,
                  len);
    if (j && c->seq == 1) {
        json_object_set_new(j, "start", json_true());
    }
    memcpy(c->prev, hash, sizeof(hash));
    return ailes_json_dump(p, ailes_json_pool(p, j));
}

const char *ailes_chain_verify(apr_pool_t *p, ailes_chain_t *c,
                               const char *record, apr_size_t len)
{
    json_error_t err;
    json_t *j = ailes_json_pool(p, json_loadb(record, len, 0, &err));
    json_t *line;
    const char *prev, *hash, *time;
    char want[AILES_CHAIN_HEX + 1];
    apr_int64_t seq;

    if (!json_is_object(j)) {
        return "not a chained record";
    }
    seq = (apr_int64_t)json_integer_value(json_object_get(j, "seq"));
    prev = json_string_value(json_object_get(j, "prev"));
    hash = json_string_value(json_object_get(j, "hash"));
    time = json_string_value(json_object_get(j, "time"));
    line = json_object_get(j, "line");
    if (!prev || !hash || !time || !json_is_string(line) || seq < 1
        || strlen(prev) != AILES_CHAIN_HEX) {
        return "not a chained record";
    }
    if (json_is_true(json_object_get(j, "start"))) {
        if (seq != 1 || strcmp(prev, zeros)) {
            return "a chain start that is not at the start";
        }
        ailes_chain_init(c);
    }
    if (seq != c->seq + 1) {
        return apr_psprintf(p, "sequence %" APR_INT64_T_FMT " follows %"
                            APR_INT64_T_FMT " (a record is missing or moved)",
                            seq, c->seq);
    }
    if (strcmp(prev, c->prev)) {
        return "it does not link to the record before it";
    }
    link_hash(prev, seq, time, json_string_value(line),
              json_string_length(line), want);
    if (strcmp(want, hash)) {
        return "its content does not match its hash (edited)";
    }
    c->seq = seq;
    memcpy(c->prev, hash, sizeof(c->prev));
    return NULL;
}
