/* Backup file format and rotation; see ailes_backup.h. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sodium.h>

#include "ailes_backup.h"
#include "ailes_json.h"
#include "ailes_time.h"

#define MAGIC "AILESBK1"
#define TAG_BYTES 16
#define CHUNK_HEAD_BYTES 5
#define FLAG_LAST 0x01
#define LABEL_FILE_KEY "ailes-backup-v1 file key"
#define LABEL_INSTALLATION "ailes-backup-v1 installation"

struct ailes_backup_writer {
    apr_file_t *f;
    EVP_CIPHER_CTX *ctx;
    unsigned char fkey[AILES_BACKUP_KEY_BYTES];
    unsigned char header[AILES_BACKUP_HEADER_BYTES];
    apr_uint64_t index;
    unsigned char *buf;         /* plaintext of the chunk being filled */
    apr_size_t used;
    unsigned char *ct;          /* ciphertext of one chunk */
    int closed;
};

struct ailes_backup_reader {
    apr_file_t *f;
    EVP_CIPHER_CTX *ctx;
    unsigned char fkey[AILES_BACKUP_KEY_BYTES];
    unsigned char header[AILES_BACKUP_HEADER_BYTES];
    const char *installation;
    apr_size_t chunk_max;
    apr_uint64_t index;         /* of the next chunk to read */
    unsigned char *buf;         /* plaintext of the current chunk */
    apr_size_t len, pos;
    unsigned char *ct;
    int last_seen;
};

static void put32(unsigned char *b, apr_uint32_t v)
{
    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8);
    b[3] = (unsigned char)v;
}

static apr_uint32_t get32(const unsigned char *b)
{
    return ((apr_uint32_t)b[0] << 24) | ((apr_uint32_t)b[1] << 16)
           | ((apr_uint32_t)b[2] << 8) | (apr_uint32_t)b[3];
}

static void put64(unsigned char *b, apr_uint64_t v)
{
    put32(b, (apr_uint32_t)(v >> 32));
    put32(b + 4, (apr_uint32_t)v);
}

static apr_status_t wipe(void *data)
{
    sodium_memzero(data, AILES_BACKUP_KEY_BYTES);
    return APR_SUCCESS;
}

static apr_status_t free_ctx(void *data)
{
    EVP_CIPHER_CTX_free(data);
    return APR_SUCCESS;
}

ailes_backup_key_t *ailes_backup_key_make(apr_pool_t *p,
                                          const unsigned char *raw)
{
    ailes_backup_key_t *k = apr_pcalloc(p, sizeof(*k));
    unsigned char mac[crypto_auth_hmacsha256_BYTES];

    memcpy(k->key, raw, AILES_BACKUP_KEY_BYTES);
    apr_pool_cleanup_register(p, k->key, wipe, apr_pool_cleanup_null);
    crypto_auth_hmacsha256(mac, (const unsigned char *)LABEL_INSTALLATION,
                           strlen(LABEL_INSTALLATION), k->key);
    sodium_bin2hex(k->installation, sizeof(k->installation), mac, 8);
    return k;
}

const char *ailes_backup_key_load(apr_pool_t *p, const char *path,
                                  ailes_backup_key_t **key)
{
    unsigned char raw[AILES_BACKUP_KEY_BYTES + 1];
    struct stat st;
    apr_file_t *f;
    apr_size_t n = 0;

    *key = NULL;
    if (!path) {
        return "no backup key file configured (AilesBackupKeyFile)";
    }
    if (stat(path, &st) != 0) {
        return apr_psprintf(p, "backup key file %s does not exist", path);
    }
    if (!S_ISREG(st.st_mode)) {
        return apr_psprintf(p, "backup key file %s is not a regular file",
                            path);
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        return apr_psprintf(p, "backup key file %s must not be accessible by "
                            "group or others (chmod 0400)", path);
    }
    if (st.st_size != AILES_BACKUP_KEY_BYTES) {
        return apr_psprintf(p, "backup key file %s must hold exactly %d bytes "
                            "(it has %ld)", path, AILES_BACKUP_KEY_BYTES,
                            (long)st.st_size);
    }
    if (APR_SUCCESS != apr_file_open(&f, path,
                                     APR_FOPEN_READ | APR_FOPEN_BINARY, 0,
                                     p)) {
        return apr_psprintf(p, "cannot read backup key file %s", path);
    }
    apr_file_read_full(f, raw, sizeof(raw), &n);
    apr_file_close(f);
    if (n != AILES_BACKUP_KEY_BYTES) {
        sodium_memzero(raw, sizeof(raw));
        return apr_psprintf(p, "backup key file %s must hold exactly %d "
                            "bytes", path, AILES_BACKUP_KEY_BYTES);
    }
    *key = ailes_backup_key_make(p, raw);
    sodium_memzero(raw, sizeof(raw));
    return NULL;
}

static void file_key(const ailes_backup_key_t *key, const unsigned char *salt,
                     unsigned char *out)
{
    crypto_auth_hmacsha256_state st;

    crypto_auth_hmacsha256_init(&st, key->key, AILES_BACKUP_KEY_BYTES);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)LABEL_FILE_KEY,
                                  sizeof(LABEL_FILE_KEY));  /* NUL too */
    crypto_auth_hmacsha256_update(&st, salt, 32);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof(st));
}

/* Nonce and associated data of chunk `index`: see the header comment. */
static void chunk_params(const unsigned char *header, apr_uint64_t index,
                         const unsigned char *head5, unsigned char *nonce,
                         unsigned char *aad)
{
    memset(nonce, 0, 4);
    put64(nonce + 4, index);
    memcpy(aad, header, AILES_BACKUP_HEADER_BYTES);
    put64(aad + AILES_BACKUP_HEADER_BYTES, index);
    memcpy(aad + AILES_BACKUP_HEADER_BYTES + 8, head5, CHUNK_HEAD_BYTES);
}

#define AAD_BYTES (AILES_BACKUP_HEADER_BYTES + 8 + CHUNK_HEAD_BYTES)

/* --- writing ------------------------------------------------------------ */

apr_status_t ailes_backup_writer_open(apr_pool_t *p,
                                      const ailes_backup_key_t *key,
                                      apr_file_t *f,
                                      ailes_backup_writer_t **out)
{
    ailes_backup_writer_t *w = apr_pcalloc(p, sizeof(*w));
    unsigned char *h = w->header;
    unsigned char raw_inst[8];
    apr_size_t n = sizeof(raw_inst);
    apr_status_t rv;

    *out = NULL;
    w->f = f;
    w->buf = apr_palloc(p, AILES_BACKUP_CHUNK_BYTES);
    w->ct = apr_palloc(p, AILES_BACKUP_CHUNK_BYTES + TAG_BYTES);
    if (!(w->ctx = EVP_CIPHER_CTX_new())) {
        return APR_ENOMEM;
    }
    apr_pool_cleanup_register(p, w->ctx, free_ctx, apr_pool_cleanup_null);
    apr_pool_cleanup_register(p, w->fkey, wipe, apr_pool_cleanup_null);
    memcpy(h, MAGIC, 8);
    put32(h + 8, AILES_BACKUP_FORMAT);
    put32(h + 12, AILES_BACKUP_CHUNK_BYTES);
    if (0 != sodium_hex2bin(raw_inst, sizeof(raw_inst), key->installation,
                            16, NULL, &n, NULL) || n != 8) {
        return APR_EINVAL;
    }
    memcpy(h + 16, raw_inst, 8);
    if (1 != RAND_bytes(h + 24, 32)) {
        return APR_EGENERAL;
    }
    file_key(key, h + 24, w->fkey);
    if (APR_SUCCESS != (rv = apr_file_write_full(f, h,
                                                 AILES_BACKUP_HEADER_BYTES,
                                                 NULL))) {
        return rv;
    }
    *out = w;
    return APR_SUCCESS;
}

static apr_status_t emit(ailes_backup_writer_t *w, int last)
{
    unsigned char head[CHUNK_HEAD_BYTES], nonce[12], aad[AAD_BYTES];
    int n = 0, fin = 0;

    put32(head, (apr_uint32_t)w->used);
    head[4] = last ? FLAG_LAST : 0;
    chunk_params(w->header, w->index, head, nonce, aad);
    if (1 != EVP_EncryptInit_ex(w->ctx, EVP_aes_256_gcm(), NULL, w->fkey,
                                nonce)
        || 1 != EVP_EncryptUpdate(w->ctx, NULL, &n, aad, sizeof(aad))
        || (w->used && 1 != EVP_EncryptUpdate(w->ctx, w->ct, &n, w->buf,
                                              (int)w->used))
        || 1 != EVP_EncryptFinal_ex(w->ctx, w->ct + n, &fin)
        || 1 != EVP_CIPHER_CTX_ctrl(w->ctx, EVP_CTRL_GCM_GET_TAG, TAG_BYTES,
                                    w->ct + w->used)) {
        return APR_EGENERAL;
    }
    sodium_memzero(w->buf, w->used);
    if (APR_SUCCESS != apr_file_write_full(w->f, head, sizeof(head), NULL)
        || APR_SUCCESS != apr_file_write_full(w->f, w->ct,
                                              w->used + TAG_BYTES, NULL)) {
        return APR_EGENERAL;
    }
    w->index++;
    w->used = 0;
    return APR_SUCCESS;
}

apr_status_t ailes_backup_write(ailes_backup_writer_t *w, const void *data,
                                apr_size_t len)
{
    const unsigned char *d = data;
    apr_status_t rv;

    if (w->closed) {
        return APR_EINVAL;
    }
    while (len > 0) {
        apr_size_t n = AILES_BACKUP_CHUNK_BYTES - w->used;
        if (n > len) {
            n = len;
        }
        memcpy(w->buf + w->used, d, n);
        w->used += n;
        d += n;
        len -= n;
        /* A full chunk goes out only when more follows, so that the last
         * chunk (sealed by close) is never a full one left unmarked. */
        if (w->used == AILES_BACKUP_CHUNK_BYTES && len > 0
            && APR_SUCCESS != (rv = emit(w, 0))) {
            return rv;
        }
    }
    return APR_SUCCESS;
}

apr_status_t ailes_backup_writer_close(ailes_backup_writer_t *w)
{
    apr_status_t rv;

    if (w->closed) {
        return APR_EINVAL;
    }
    w->closed = 1;
    if (APR_SUCCESS != (rv = emit(w, 1))) {
        return rv;
    }
    return apr_file_flush(w->f);
}

apr_status_t ailes_backup_write_manifest(ailes_backup_writer_t *w,
                                         apr_pool_t *p,
                                         const ailes_backup_manifest_t *m)
{
    const char *json = ailes_backup_manifest_json(p, m);
    unsigned char len[4];
    apr_status_t rv;

    if (!json || strlen(json) > AILES_BACKUP_MANIFEST_MAX) {
        return APR_EINVAL;
    }
    put32(len, (apr_uint32_t)strlen(json));
    if (APR_SUCCESS != (rv = ailes_backup_write(w, len, 4))) {
        return rv;
    }
    return ailes_backup_write(w, json, strlen(json));
}

static void hex_digest(const unsigned char *md, char out[65])
{
    sodium_bin2hex(out, 65, md, 32);
}

apr_status_t ailes_backup_hash_file(apr_pool_t *p, const char *path,
                                    apr_off_t *size, char sha256[65])
{
    crypto_hash_sha256_state st;
    unsigned char md[32];
    char *buf = apr_palloc(p, AILES_BACKUP_CHUNK_BYTES);
    apr_file_t *f;
    apr_status_t rv;

    *size = 0;
    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, p);
    if (APR_SUCCESS != rv) {
        return rv;
    }
    crypto_hash_sha256_init(&st);
    for (;;) {
        apr_size_t n = AILES_BACKUP_CHUNK_BYTES;
        rv = apr_file_read(f, buf, &n);
        if (APR_EOF == rv) {
            rv = APR_SUCCESS;
            break;
        }
        if (APR_SUCCESS != rv) {
            break;
        }
        crypto_hash_sha256_update(&st, (unsigned char *)buf, n);
        *size += (apr_off_t)n;
    }
    apr_file_close(f);
    crypto_hash_sha256_final(&st, md);
    hex_digest(md, sha256);
    return rv;
}

apr_status_t ailes_backup_write_file(ailes_backup_writer_t *w,
                                     apr_pool_t *p, const char *path,
                                     const ailes_backup_part_t *part)
{
    crypto_hash_sha256_state st;
    unsigned char md[32];
    char hex[65];
    char *buf = apr_palloc(p, AILES_BACKUP_CHUNK_BYTES);
    apr_off_t total = 0;
    apr_file_t *f;
    apr_status_t rv;

    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, p);
    if (APR_SUCCESS != rv) {
        return rv;
    }
    crypto_hash_sha256_init(&st);
    for (;;) {
        apr_size_t n = AILES_BACKUP_CHUNK_BYTES;
        rv = apr_file_read(f, buf, &n);
        if (APR_EOF == rv) {
            rv = APR_SUCCESS;
            break;
        }
        /* Never more than the manifest announced: the reader relies on
         * the sizes to find the parts. */
        if (APR_SUCCESS != rv || total + (apr_off_t)n > part->size) {
            rv = APR_SUCCESS == rv ? APR_EGENERAL : rv;
            break;
        }
        crypto_hash_sha256_update(&st, (unsigned char *)buf, n);
        total += (apr_off_t)n;
        if (APR_SUCCESS != (rv = ailes_backup_write(w, buf, n))) {
            break;
        }
    }
    apr_file_close(f);
    if (APR_SUCCESS != rv) {
        return rv;
    }
    crypto_hash_sha256_final(&st, md);
    hex_digest(md, hex);
    if (total != part->size || strcmp(hex, part->sha256)) {
        return APR_EGENERAL;    /* the file changed after it was hashed */
    }
    return APR_SUCCESS;
}

/* --- reading ------------------------------------------------------------ */

apr_status_t ailes_backup_reader_open(apr_pool_t *p,
                                      const ailes_backup_key_t *key,
                                      apr_file_t *f,
                                      ailes_backup_reader_t **out,
                                      const char **err)
{
    ailes_backup_reader_t *r = apr_pcalloc(p, sizeof(*r));
    unsigned char *h = r->header;
    char inst[17];
    apr_size_t n = 0;
    apr_uint32_t format;

    *out = NULL;
    *err = NULL;
    apr_file_read_full(f, h, AILES_BACKUP_HEADER_BYTES, &n);
    if (n < 8 || memcmp(h, MAGIC, 8)) {
        *err = "not a mod_ailes backup";
        return APR_EINVAL;
    }
    if (n != AILES_BACKUP_HEADER_BYTES) {
        *err = "truncated: the header is incomplete";
        return APR_EINVAL;
    }
    format = get32(h + 8);
    if (format != AILES_BACKUP_FORMAT) {
        *err = apr_psprintf(p, "backup format %u is not supported (this "
                            "ailesctl reads format %d)", format,
                            AILES_BACKUP_FORMAT);
        return APR_EINVAL;
    }
    r->chunk_max = get32(h + 12);
    if (r->chunk_max == 0 || r->chunk_max > 16 * 1024 * 1024) {
        *err = "corrupt: impossible chunk size in the header";
        return APR_EINVAL;
    }
    sodium_bin2hex(inst, sizeof(inst), h + 16, 8);
    r->installation = apr_pstrdup(p, inst);
    if (strcmp(inst, key->installation)) {
        *err = apr_psprintf(p, "this backup belongs to another installation "
                            "or was made with another backup key "
                            "(installation %s; AilesBackupKeyFile is "
                            "installation %s)", inst, key->installation);
        return APR_EACCES;
    }
    if (!(r->ctx = EVP_CIPHER_CTX_new())) {
        return APR_ENOMEM;
    }
    apr_pool_cleanup_register(p, r->ctx, free_ctx, apr_pool_cleanup_null);
    apr_pool_cleanup_register(p, r->fkey, wipe, apr_pool_cleanup_null);
    file_key(key, h + 24, r->fkey);
    r->f = f;
    r->buf = apr_palloc(p, r->chunk_max);
    r->ct = apr_palloc(p, r->chunk_max + TAG_BYTES);
    *out = r;
    return APR_SUCCESS;
}

/* Reads, authenticates and decrypts the next chunk into r->buf. */
static apr_status_t next_chunk(ailes_backup_reader_t *r, apr_pool_t *p,
                               const char **err)
{
    unsigned char head[CHUNK_HEAD_BYTES], nonce[12], aad[AAD_BYTES];
    apr_size_t n = 0, len;
    int outl = 0, fin = 0;

    if (r->last_seen) {
        *err = "corrupt: the content ends before the manifest says";
        return APR_EGENERAL;
    }
    apr_file_read_full(r->f, head, sizeof(head), &n);
    if (n != sizeof(head)) {
        *err = apr_psprintf(p, "truncated: chunk %" APR_UINT64_T_FMT
                            " is missing (the file ends early)", r->index);
        return APR_EGENERAL;
    }
    len = get32(head);
    if (len > r->chunk_max || (head[4] & ~FLAG_LAST)) {
        *err = apr_psprintf(p, "corrupt: chunk %" APR_UINT64_T_FMT
                            " has an impossible header", r->index);
        return APR_EGENERAL;
    }
    n = 0;
    apr_file_read_full(r->f, r->ct, len + TAG_BYTES, &n);
    if (n != len + TAG_BYTES) {
        *err = apr_psprintf(p, "truncated: chunk %" APR_UINT64_T_FMT
                            " is incomplete (the file ends early)", r->index);
        return APR_EGENERAL;
    }
    chunk_params(r->header, r->index, head, nonce, aad);
    if (1 != EVP_DecryptInit_ex(r->ctx, EVP_aes_256_gcm(), NULL, r->fkey,
                                nonce)
        || 1 != EVP_DecryptUpdate(r->ctx, NULL, &outl, aad, sizeof(aad))
        || (len && 1 != EVP_DecryptUpdate(r->ctx, r->buf, &outl, r->ct,
                                          (int)len))
        || 1 != EVP_CIPHER_CTX_ctrl(r->ctx, EVP_CTRL_GCM_SET_TAG, TAG_BYTES,
                                    r->ct + len)
        || 1 != EVP_DecryptFinal_ex(r->ctx, r->buf + outl, &fin)) {
        sodium_memzero(r->buf, r->chunk_max);
        *err = apr_psprintf(p, "corrupt: chunk %" APR_UINT64_T_FMT
                            " does not authenticate (the file was altered, "
                            "reordered or damaged)", r->index);
        return APR_EGENERAL;
    }
    r->index++;
    r->len = len;
    r->pos = 0;
    r->last_seen = head[4] & FLAG_LAST;
    return APR_SUCCESS;
}

apr_status_t ailes_backup_read(ailes_backup_reader_t *r, void *buf,
                               apr_size_t len, const char **err)
{
    unsigned char *out = buf;
    apr_pool_t *p = apr_file_pool_get(r->f);
    apr_status_t rv;

    *err = NULL;
    while (len > 0) {
        apr_size_t n;
        if (r->pos == r->len
            && APR_SUCCESS != (rv = next_chunk(r, p, err))) {
            return rv;
        }
        n = r->len - r->pos;
        if (n > len) {
            n = len;
        }
        memcpy(out, r->buf + r->pos, n);
        r->pos += n;
        out += n;
        len -= n;
    }
    return APR_SUCCESS;
}

apr_status_t ailes_backup_reader_end(ailes_backup_reader_t *r,
                                     const char **err)
{
    apr_pool_t *p = apr_file_pool_get(r->f);
    char extra;
    apr_size_t n = 1;
    apr_status_t rv;

    *err = NULL;
    /* The last chunk may be an empty one after the data. */
    while (!r->last_seen && r->pos == r->len) {
        if (APR_SUCCESS != (rv = next_chunk(r, p, err))) {
            return rv;
        }
    }
    if (r->pos != r->len || !r->last_seen) {
        *err = "corrupt: content after the parts the manifest names";
        return APR_EGENERAL;
    }
    if (APR_EOF != apr_file_read(r->f, &extra, &n)) {
        *err = "corrupt: bytes after the last chunk";
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

apr_status_t ailes_backup_read_manifest(ailes_backup_reader_t *r,
                                        apr_pool_t *p,
                                        ailes_backup_manifest_t **m,
                                        const char **err)
{
    unsigned char lenb[4];
    apr_uint32_t len;
    char *json;
    apr_status_t rv;

    *m = NULL;
    if (APR_SUCCESS != (rv = ailes_backup_read(r, lenb, 4, err))) {
        return rv;
    }
    len = get32(lenb);
    if (len == 0 || len > AILES_BACKUP_MANIFEST_MAX) {
        *err = "corrupt: impossible manifest length";
        return APR_EGENERAL;
    }
    json = apr_palloc(p, len + 1);
    if (APR_SUCCESS != (rv = ailes_backup_read(r, json, len, err))) {
        return rv;
    }
    json[len] = '\0';
    if ((*err = ailes_backup_manifest_parse(p, json, len, m))) {
        *err = apr_pstrcat(p, "corrupt manifest: ", *err, NULL);
        return APR_EGENERAL;
    }
    if (strcmp((*m)->installation, r->installation)) {
        *err = "corrupt: the manifest names another installation than the "
               "header";
        *m = NULL;
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

apr_status_t ailes_backup_read_file(ailes_backup_reader_t *r, apr_pool_t *p,
                                    const ailes_backup_part_t *part,
                                    const char *path, const char **err)
{
    crypto_hash_sha256_state st;
    unsigned char md[32];
    char hex[65];
    char *buf = apr_palloc(p, AILES_BACKUP_CHUNK_BYTES);
    apr_off_t left = part->size;
    apr_file_t *f;
    apr_status_t rv;

    *err = NULL;
    rv = apr_file_open(&f, path,
                       APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_EXCL
                           | APR_FOPEN_BINARY | APR_FOPEN_BUFFERED,
                       APR_FPROT_UREAD | APR_FPROT_UWRITE, p);
    if (APR_SUCCESS != rv) {
        *err = apr_psprintf(p, "cannot create %s", path);
        return rv;
    }
    crypto_hash_sha256_init(&st);
    while (left > 0) {
        apr_size_t n = left > AILES_BACKUP_CHUNK_BYTES
                           ? AILES_BACKUP_CHUNK_BYTES
                           : (apr_size_t)left;
        if (APR_SUCCESS != (rv = ailes_backup_read(r, buf, n, err))) {
            break;
        }
        crypto_hash_sha256_update(&st, (unsigned char *)buf, n);
        if (APR_SUCCESS != (rv = apr_file_write_full(f, buf, n, NULL))) {
            *err = apr_psprintf(p, "cannot write %s", path);
            break;
        }
        left -= (apr_off_t)n;
    }
    if (APR_SUCCESS == rv && APR_SUCCESS != (rv = apr_file_close(f))) {
        *err = apr_psprintf(p, "cannot write %s", path);
        return rv;
    }
    if (APR_SUCCESS != rv) {
        apr_file_close(f);
        return rv;
    }
    crypto_hash_sha256_final(&st, md);
    hex_digest(md, hex);
    if (strcmp(hex, part->sha256)) {
        *err = apr_psprintf(p, "corrupt: the %s part does not match its "
                            "SHA-256", part->name);
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

/* --- manifest ------------------------------------------------------------ */

const char *ailes_backup_manifest_json(apr_pool_t *p,
                                       const ailes_backup_manifest_t *m)
{
    json_t *o = ailes_json_pool(p, json_object()), *parts = json_array();
    int i;

    for (i = 0; i < m->parts->nelts; i++) {
        const ailes_backup_part_t *pt = &APR_ARRAY_IDX(m->parts, i,
                                                       ailes_backup_part_t);
        json_array_append_new(parts, json_pack(
            "{s:s, s:s, s:I, s:s}", "name", pt->name, "driver", pt->driver,
            "size", (json_int_t)pt->size, "sha256", pt->sha256));
    }
    json_object_set_new(o, "format", json_integer(m->format));
    json_object_set_new(o, "installation", json_string(m->installation));
    json_object_set_new(o, "created", json_string(m->created));
    json_object_set_new(o, "created_unix", json_integer(m->created_unix));
    json_object_set_new(o, "tool", json_string(m->tool));
    json_object_set_new(o, "parts", parts);
    return ailes_json_dump(p, o);
}

static int is_hex(const char *s, size_t len)
{
    size_t i;

    if (!s || strlen(s) != len) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (!apr_isxdigit(s[i]) || apr_isupper(s[i])) {
            return 0;
        }
    }
    return 1;
}

const char *ailes_backup_manifest_parse(apr_pool_t *p, const char *json,
                                        apr_size_t len,
                                        ailes_backup_manifest_t **out)
{
    ailes_backup_manifest_t *m = apr_pcalloc(p, sizeof(*m));
    static const char *const names[] = { "main", "vault" };
    json_error_t je;
    json_t *o, *parts, *v;
    size_t i;

    *out = NULL;
    o = ailes_json_pool(p, json_loadb(json, len, JSON_REJECT_DUPLICATES,
                                      &je));
    if (!o || !json_is_object(o)) {
        return "not a JSON object";
    }
    v = json_object_get(o, "format");
    if (!json_is_integer(v) || json_integer_value(v) != AILES_BACKUP_FORMAT) {
        return "unknown format";
    }
    m->format = AILES_BACKUP_FORMAT;
    m->installation = ailes_json_string(o, "installation");
    m->created = ailes_json_string(o, "created");
    m->tool = ailes_json_string(o, "tool");
    v = json_object_get(o, "created_unix");
    if (!is_hex(m->installation, 16) || !m->created || !m->tool
        || !json_is_integer(v)) {
        return "installation, created, created_unix and tool are required";
    }
    m->installation = apr_pstrdup(p, m->installation);
    m->created = apr_pstrdup(p, m->created);
    m->tool = apr_pstrdup(p, m->tool);
    m->created_unix = (apr_int64_t)json_integer_value(v);
    parts = json_object_get(o, "parts");
    if (!json_is_array(parts) || json_array_size(parts) != 2) {
        return "parts must be main and vault";
    }
    m->parts = apr_array_make(p, 2, sizeof(ailes_backup_part_t));
    for (i = 0; i < 2; i++) {
        json_t *e = json_array_get(parts, i);
        ailes_backup_part_t *pt = apr_array_push(m->parts);
        const char *name = json_is_object(e) ? ailes_json_string(e, "name")
                                              : NULL;
        const char *driver = name ? ailes_json_string(e, "driver") : NULL;
        const char *sha = name ? ailes_json_string(e, "sha256") : NULL;
        json_t *size = name ? json_object_get(e, "size") : NULL;

        if (!name || strcmp(name, names[i])) {
            return "parts must be main and vault";
        }
        if (!driver || (strcmp(driver, "sqlite3") && strcmp(driver, "pgsql"))) {
            return "a part's driver must be sqlite3 or pgsql";
        }
        if (!json_is_integer(size) || json_integer_value(size) < 0
            || !is_hex(sha, 64)) {
            return "a part needs a size and a SHA-256";
        }
        pt->name = names[i];
        pt->driver = !strcmp(driver, "pgsql") ? "pgsql" : "sqlite3";
        pt->size = (apr_off_t)json_integer_value(size);
        memcpy(pt->sha256, sha, 65);
    }
    *out = m;
    return NULL;
}

/* --- names and rotation ---------------------------------------------------- */

#define NAME_PREFIX "ailes-backup-"
#define NAME_SUFFIX ".aib"
#define NAME_LEN (sizeof(NAME_PREFIX) - 1 + 15 + sizeof(NAME_SUFFIX) - 1)

const char *ailes_backup_file_name(apr_pool_t *p, apr_time_t t)
{
    apr_time_exp_t x;

    if (APR_SUCCESS != apr_time_exp_tz(&x, t, AILES_JST_OFFSET_SEC)) {
        return NULL;
    }
    return apr_psprintf(p, NAME_PREFIX "%04d%02d%02d-%02d%02d%02d"
                        NAME_SUFFIX, x.tm_year + 1900, x.tm_mon + 1,
                        x.tm_mday, x.tm_hour, x.tm_min, x.tm_sec);
}

/* "YYYYMMDD-HHMMSS" of a backup name, or NULL for any other name. */
static const char *stamp_of(const char *name)
{
    const char *s = name + sizeof(NAME_PREFIX) - 1;
    int i;

    if (strlen(name) != NAME_LEN || strncmp(name, NAME_PREFIX,
                                            sizeof(NAME_PREFIX) - 1)
        || strcmp(name + NAME_LEN - (sizeof(NAME_SUFFIX) - 1), NAME_SUFFIX)) {
        return NULL;
    }
    for (i = 0; i < 15; i++) {
        if (i == 8 ? s[i] != '-' : !apr_isdigit(s[i])) {
            return NULL;
        }
    }
    return s;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

apr_array_header_t *ailes_backup_rotation(apr_pool_t *p,
                                          const apr_array_header_t *names,
                                          const char *today, int daily,
                                          int monthly)
{
    apr_array_header_t *all = apr_array_make(p, names->nelts,
                                             sizeof(const char *));
    apr_array_header_t *del = apr_array_make(p, 8, sizeof(const char *));
    char today8[9] = "";
    char *keep;
    const char *last_day = "", *last_month = "";
    int i, days = 0, months = 0;

    if (today && strlen(today) == 10) {
        memcpy(today8, today, 4);
        memcpy(today8 + 4, today + 5, 2);
        memcpy(today8 + 6, today + 8, 2);
        today8[8] = '\0';
    }
    for (i = 0; i < names->nelts; i++) {
        const char *n = APR_ARRAY_IDX(names, i, const char *);
        const char *s = stamp_of(n);
        if (s && (!*today8 || strncmp(s, today8, 8) <= 0)) {
            APR_ARRAY_PUSH(all, const char *) = n;
        }
    }
    qsort(all->elts, (size_t)all->nelts, sizeof(const char *), by_name);
    keep = apr_pcalloc(p, (apr_size_t)all->nelts + 1);
    /* Daily: newest first, the first one seen of each day. */
    for (i = all->nelts - 1; i >= 0 && days < daily; i--) {
        const char *s = stamp_of(APR_ARRAY_IDX(all, i, const char *));
        if (strncmp(s, last_day, 8)) {
            keep[i] = 1;
            days++;
            last_day = s;
        }
    }
    /* Monthly: oldest first within a month; the most recent months. */
    for (i = 0; i < all->nelts; i++) {
        const char *s = stamp_of(APR_ARRAY_IDX(all, i, const char *));
        if (strncmp(s, last_month, 6)) {
            last_month = s;
            keep[i] |= 2;
        }
    }
    for (i = all->nelts - 1; i >= 0; i--) {
        if (keep[i] & 2) {
            if (months < monthly) {
                months++;
            }
            else {
                keep[i] &= ~2;
            }
        }
    }
    for (i = 0; i < all->nelts; i++) {
        if (!keep[i]) {
            APR_ARRAY_PUSH(del, const char *) = APR_ARRAY_IDX(all, i,
                                                             const char *);
        }
    }
    return del;
}

/* --- pg_dump environment ---------------------------------------------------- */

static const char *const pg_keys[][2] = {
    { "host", "PGHOST" },
    { "hostaddr", "PGHOSTADDR" },
    { "port", "PGPORT" },
    { "dbname", "PGDATABASE" },
    { "user", "PGUSER" },
    { "password", "PGPASSWORD" },
    { "passfile", "PGPASSFILE" },
    { "connect_timeout", "PGCONNECT_TIMEOUT" },
    { "options", "PGOPTIONS" },
    { "application_name", "PGAPPNAME" },
    { "sslmode", "PGSSLMODE" },
    { "sslcert", "PGSSLCERT" },
    { "sslkey", "PGSSLKEY" },
    { "sslrootcert", "PGSSLROOTCERT" },
    { "sslcrl", "PGSSLCRL" },
    { "channel_binding", "PGCHANNELBINDING" },
    { "gssencmode", "PGGSSENCMODE" },
    { "service", "PGSERVICE" },
    { "target_session_attrs", "PGTARGETSESSIONATTRS" },
    { NULL, NULL }
};

const char *ailes_backup_pg_env(apr_pool_t *p, const char *conninfo,
                                apr_array_header_t *env,
                                const char **dbname)
{
    const char *s = conninfo, *db = NULL, *user = NULL;

    *dbname = NULL;
    if (!strncmp(s, "postgres://", 11) || !strncmp(s, "postgresql://", 13)) {
        return "a connection URI is not supported here: write DBDParams as "
               "key=value pairs";
    }
    for (;;) {
        const char *k0;
        char *val, *w;
        apr_size_t klen;
        int i;

        while (apr_isspace(*s)) {
            s++;
        }
        if (!*s) {
            break;
        }
        k0 = s;
        while (*s && *s != '=' && !apr_isspace(*s)) {
            s++;
        }
        klen = (apr_size_t)(s - k0);
        while (apr_isspace(*s)) {
            s++;
        }
        if (*s != '=' || klen == 0) {
            return "the connection parameters are not key=value pairs";
        }
        s++;
        while (apr_isspace(*s)) {
            s++;
        }
        val = w = apr_palloc(p, strlen(s) + 1);
        if (*s == '\'') {
            s++;
            while (*s && *s != '\'') {
                if (*s == '\\' && s[1]) {
                    s++;
                }
                *w++ = *s++;
            }
            if (*s != '\'') {
                return "unterminated quote in the connection parameters";
            }
            s++;
        }
        else {
            while (*s && !apr_isspace(*s)) {
                if (*s == '\\' && s[1]) {
                    s++;
                }
                *w++ = *s++;
            }
        }
        *w = '\0';
        for (i = 0; pg_keys[i][0]; i++) {
            if (strlen(pg_keys[i][0]) == klen
                && !strncmp(pg_keys[i][0], k0, klen)) {
                break;
            }
        }
        if (!pg_keys[i][0]) {
            return apr_psprintf(p, "connection parameter %.*s cannot be "
                                "passed to pg_dump", (int)klen, k0);
        }
        if (!strcmp(pg_keys[i][0], "dbname")) {
            db = val;
        }
        else if (!strcmp(pg_keys[i][0], "user")) {
            user = val;
        }
        APR_ARRAY_PUSH(env, const char *) = apr_pstrcat(p, pg_keys[i][1],
                                                        "=", val, NULL);
    }
    *dbname = db ? db : user;
    return NULL;
}
