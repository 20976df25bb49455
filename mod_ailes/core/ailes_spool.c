/* Sealed temporary files for request bodies; see ailes_spool.h. */
#include <sodium.h>

#include <apr_strings.h>

#include "ailes_backup.h"
#include "ailes_spool.h"

struct ailes_spool {
    apr_pool_t *p;
    apr_file_t *f;
    ailes_backup_key_t *key;
    ailes_backup_writer_t *w;
    ailes_backup_reader_t *r;
    crypto_hash_sha256_state sha;
    apr_off_t size, left;
};

apr_status_t ailes_spool_create(apr_pool_t *p, const char *dir,
                                ailes_spool_t **sp)
{
    ailes_spool_t *s = apr_pcalloc(p, sizeof(*s));
    unsigned char raw[AILES_BACKUP_KEY_BYTES];
    apr_status_t rv;
    char *path;

    if (!dir && APR_SUCCESS != (rv = apr_temp_dir_get(&dir, p))) {
        return rv;
    }
    path = apr_pstrcat(p, dir, "/ailes-upload-XXXXXX", NULL);
    rv = apr_file_mktemp(&s->f, path,
                         APR_FOPEN_CREATE | APR_FOPEN_READ | APR_FOPEN_WRITE
                             | APR_FOPEN_EXCL,
                         p);
    if (APR_SUCCESS != rv) {
        return rv;
    }
    /* Unlinked at once: only this descriptor reaches it, and nothing is
     * left behind, even by a child that dies. */
    if (APR_SUCCESS != (rv = apr_file_remove(path, p))) {
        return rv;
    }
    randombytes_buf(raw, sizeof(raw));
    s->key = ailes_backup_key_make(p, raw);     /* wiped with p */
    sodium_memzero(raw, sizeof(raw));
    s->p = p;
    crypto_hash_sha256_init(&s->sha);
    if (APR_SUCCESS != (rv = ailes_backup_writer_open(p, s->key, s->f,
                                                      &s->w))) {
        return rv;
    }
    *sp = s;
    return APR_SUCCESS;
}

apr_status_t ailes_spool_write(ailes_spool_t *sp, const void *buf,
                               apr_size_t len)
{
    if (!sp->w) {
        return APR_EINVAL;
    }
    crypto_hash_sha256_update(&sp->sha, buf, len);
    sp->size += (apr_off_t)len;
    return ailes_backup_write(sp->w, buf, len);
}

apr_status_t ailes_spool_finish(ailes_spool_t *sp, apr_off_t *size,
                                char sha256[65])
{
    unsigned char md[crypto_hash_sha256_BYTES];
    apr_off_t zero = 0;
    const char *err;
    apr_status_t rv;

    if (!sp->w) {
        return APR_EINVAL;
    }
    rv = ailes_backup_writer_close(sp->w);
    sp->w = NULL;
    if (APR_SUCCESS != rv
        || APR_SUCCESS != (rv = apr_file_flush(sp->f))
        || APR_SUCCESS != (rv = apr_file_seek(sp->f, APR_SET, &zero))
        || APR_SUCCESS != (rv = ailes_backup_reader_open(sp->p, sp->key,
                                                         sp->f, &sp->r,
                                                         &err))) {
        return rv;
    }
    crypto_hash_sha256_final(&sp->sha, md);
    sodium_bin2hex(sha256, 65, md, sizeof(md));
    *size = sp->left = sp->size;
    return APR_SUCCESS;
}

apr_status_t ailes_spool_read(ailes_spool_t *sp, void *buf, apr_size_t cap,
                              apr_size_t *n)
{
    const char *err;
    apr_status_t rv;

    *n = 0;
    if (!sp->r) {
        return APR_EINVAL;
    }
    if (sp->left == 0) {
        return ailes_backup_reader_end(sp->r, &err);
    }
    if ((apr_off_t)cap > sp->left) {
        cap = (apr_size_t)sp->left;
    }
    if (APR_SUCCESS != (rv = ailes_backup_read(sp->r, buf, cap, &err))) {
        return rv;
    }
    sp->left -= (apr_off_t)cap;
    *n = cap;
    return APR_SUCCESS;
}
