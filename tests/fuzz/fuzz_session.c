/* Fuzzes the session cache codec: ailes_session_decode reads whatever the
 * socache (shmcb, redis, memcache) hands back, which may be corrupt or
 * another program's. A decoded session then meets ailes_session_state as
 * in ailes_auth.c; and what decodes must encode and decode to the same
 * session. */
#include <string.h>

#include "ailes_session.h"
#include "fuzz_common.h"

#define NOW 1795651200      /* 2026-11-26T00:00:00Z */

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

int ailes_fuzz_one(apr_pool_t *p, const uint8_t *data, size_t size)
{
    ailes_session_t *s, *t;
    const char *enc;
    char *buf = apr_palloc(p, size);

    if (size) {
        memcpy(buf, data, size);
    }
    if (!(s = ailes_session_decode(p, buf, size))) {
        return 0;
    }
    ailes_session_state(s, NOW, 1800);
    ailes_session_state(s, NOW, 0x7fffffff);
    enc = ailes_session_encode(p, s);
    if (!(t = ailes_session_decode(p, enc, strlen(enc)))
        || t->tenant_id != s->tenant_id || t->user_id != s->user_id
        || t->created_at != s->created_at || t->last_seen != s->last_seen
        || t->expires_at != s->expires_at || t->role != s->role
        || !same(t->id_hash, s->id_hash)
        || !same(t->tenant_slug, s->tenant_slug)
        || !same(t->employee_no, s->employee_no)
        || !same(t->csrf_token, s->csrf_token) || !same(t->stage, s->stage)
        || !same(t->ip_allow, s->ip_allow)) {
        __builtin_trap();
    }
    return 0;
}
