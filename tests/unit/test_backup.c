/* ailes_backup: the encrypted backup file (round trip, every kind of
 * tampering), the manifest, key files, names and rotation. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_file_info.h>
#include <apr_strings.h>
#include <sodium.h>

#include "ailes_backup.h"
#include "ailes_spool.h"
#include "unit_tests.h"

static apr_pool_t *pool;
static const char *dir;
static ailes_backup_key_t *key;

static const unsigned char raw1[AILES_BACKUP_KEY_BYTES] = {
    9,  8,  7,  6,  5,  4,  3,  2,  1,  10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32
};

static void setup(void)
{
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
    dir = ailes_test_mkdtemp(pool);
    key = ailes_backup_key_make(pool, raw1);
}

static void teardown(void)
{
    ailes_test_rmtree(dir);
    apr_pool_destroy(pool);
}

static const char *path_of(const char *name)
{
    return apr_pstrcat(pool, dir, "/", name, NULL);
}

/* A part file of n bytes of a repeating but position-dependent pattern. */
static const char *make_part(const char *name, size_t n)
{
    char *data = apr_palloc(pool, n + 1);
    size_t i;

    for (i = 0; i < n; i++) {
        data[i] = (char)((i * 31 + i / 251) & 0xff);
    }
    ailes_test_write(path_of(name), data, n, 0600);
    return path_of(name);
}

/* Writes a backup of main_size and vault_size bytes to `name`. */
static const char *make_backup(const char *name, size_t main_size,
                               size_t vault_size)
{
    ailes_backup_manifest_t m;
    ailes_backup_writer_t *w;
    const char *src[2];
    apr_file_t *f;
    int i;

    src[0] = make_part("main.src", main_size);
    src[1] = make_part("vault.src", vault_size);
    memset(&m, 0, sizeof(m));
    m.format = AILES_BACKUP_FORMAT;
    m.installation = key->installation;
    m.created = "2026-01-02T01:00:00.000+09:00";
    m.created_unix = 1767283200;
    m.tool = "test";
    m.parts = apr_array_make(pool, 2, sizeof(ailes_backup_part_t));
    for (i = 0; i < 2; i++) {
        ailes_backup_part_t *pt = apr_array_push(m.parts);
        pt->name = i ? "vault" : "main";
        pt->driver = i ? "sqlite3" : "pgsql";
        ck_assert_int_eq(ailes_backup_hash_file(pool, src[i], &pt->size,
                                                pt->sha256), APR_SUCCESS);
    }
    ck_assert_int_eq(apr_file_open(&f, path_of(name),
                                   APR_FOPEN_WRITE | APR_FOPEN_CREATE
                                       | APR_FOPEN_TRUNCATE
                                       | APR_FOPEN_BUFFERED,
                                   APR_FPROT_UREAD | APR_FPROT_UWRITE, pool),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_backup_writer_open(pool, key, f, &w), APR_SUCCESS);
    ck_assert_int_eq(ailes_backup_write_manifest(w, pool, &m), APR_SUCCESS);
    for (i = 0; i < 2; i++) {
        ck_assert_int_eq(ailes_backup_write_file(
                             w, pool, src[i],
                             &APR_ARRAY_IDX(m.parts, i, ailes_backup_part_t)),
                         APR_SUCCESS);
    }
    ck_assert_int_eq(ailes_backup_writer_close(w), APR_SUCCESS);
    ck_assert_int_eq(apr_file_close(f), APR_SUCCESS);
    return path_of(name);
}

/* Reads a whole backup the way restore does: NULL when it is good, else
 * the error. The parts land in DIR/out-main and DIR/out-vault. */
static const char *read_backup(const char *path, const ailes_backup_key_t *k)
{
    ailes_backup_reader_t *r;
    ailes_backup_manifest_t *m;
    const char *err;
    apr_file_t *f;
    int i;

    unlink(path_of("out-main"));
    unlink(path_of("out-vault"));
    ck_assert_int_eq(apr_file_open(&f, path, APR_FOPEN_READ
                                                 | APR_FOPEN_BUFFERED, 0,
                                   pool), APR_SUCCESS);
    if (APR_SUCCESS != ailes_backup_reader_open(pool, k, f, &r, &err)
        || APR_SUCCESS != ailes_backup_read_manifest(r, pool, &m, &err)) {
        apr_file_close(f);
        return err;
    }
    for (i = 0; i < m->parts->nelts; i++) {
        const ailes_backup_part_t *pt = &APR_ARRAY_IDX(m->parts, i,
                                                       ailes_backup_part_t);
        if (APR_SUCCESS != ailes_backup_read_file(
                               r, pool, pt,
                               path_of(apr_pstrcat(pool, "out-", pt->name,
                                                   NULL)), &err)) {
            apr_file_close(f);
            return err;
        }
    }
    if (APR_SUCCESS != ailes_backup_reader_end(r, &err)) {
        apr_file_close(f);
        return err;
    }
    apr_file_close(f);
    return NULL;
}

static void assert_same_file(const char *a, const char *b)
{
    size_t na, nb;
    const char *da = ailes_test_read(pool, a, &na);
    const char *db = ailes_test_read(pool, b, &nb);

    ck_assert_uint_eq(na, nb);
    ck_assert_int_eq(memcmp(da, db, na), 0);
}

/* Rewrites the file at path with its byte at `at` xor-ed with 0x01 (or,
 * with at < 0, cut to -at bytes). */
static void damage(const char *path, long at)
{
    size_t n;
    char *d = (char *)ailes_test_read(pool, path, &n);

    if (at < 0) {
        ck_assert_uint_le((size_t)-at, n);
        ailes_test_write(path, d, (size_t)-at, 0600);
        return;
    }
    ck_assert_uint_lt((size_t)at, n);
    d[at] ^= 0x01;
    ailes_test_write(path, d, n, 0600);
}

static apr_off_t size_of(const char *path)
{
    struct stat st;

    ck_assert_int_eq(stat(path, &st), 0);
    return st.st_size;
}

/* --- keys ---------------------------------------------------------------- */

START_TEST(backup_installation_from_key)
{
    unsigned char raw2[AILES_BACKUP_KEY_BYTES];
    ailes_backup_key_t *again = ailes_backup_key_make(pool, raw1);

    memcpy(raw2, raw1, sizeof(raw2));
    raw2[0] ^= 1;
    ck_assert_uint_eq(strlen(key->installation), 16);
    ck_assert_str_eq(again->installation, key->installation);
    ck_assert_str_ne(ailes_backup_key_make(pool, raw2)->installation,
                     key->installation);
}
END_TEST

START_TEST(backup_key_load_checks)
{
    ailes_backup_key_t *k;
    const char *err;

    ailes_test_write(path_of("k"), (const char *)raw1, 32, 0400);
    ck_assert_ptr_null(ailes_backup_key_load(pool, path_of("k"), &k));
    ck_assert_str_eq(k->installation, key->installation);
    ailes_test_write(path_of("k"), (const char *)raw1, 32, 0440);
    err = ailes_backup_key_load(pool, path_of("k"), &k);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "chmod 0400"));
    ck_assert_ptr_null(k);
    ailes_test_write(path_of("k"), (const char *)raw1, 31, 0400);
    ck_assert_ptr_nonnull(strstr(ailes_backup_key_load(pool, path_of("k"),
                                                       &k), "32 bytes"));
    ck_assert_ptr_nonnull(strstr(ailes_backup_key_load(pool, path_of("no"),
                                                       &k), "not exist"));
    ck_assert_ptr_nonnull(strstr(ailes_backup_key_load(pool, NULL, &k),
                                 "AilesBackupKeyFile"));
}
END_TEST

/* --- round trips ----------------------------------------------------------- */

START_TEST(backup_round_trip_many_chunks)
{
    const char *b = make_backup("b.aib", 3 * AILES_BACKUP_CHUNK_BYTES + 17,
                                1000);

    ck_assert_ptr_null(read_backup(b, key));
    assert_same_file(path_of("main.src"), path_of("out-main"));
    assert_same_file(path_of("vault.src"), path_of("out-vault"));
}
END_TEST

START_TEST(backup_round_trip_empty_parts)
{
    const char *b = make_backup("b.aib", 0, 0);

    ck_assert_ptr_null(read_backup(b, key));
    ck_assert_int_eq(size_of(path_of("out-main")), 0);
}
END_TEST

START_TEST(backup_no_plaintext_in_file)
{
    const char *b = make_backup("b.aib", 5000, 5000);
    size_t n, m;
    const char *enc = ailes_test_read(pool, b, &n);
    const char *src = ailes_test_read(pool, path_of("main.src"), &m);

    ck_assert(!ailes_test_memmem(enc, n, src + 100, 32));
    ck_assert(!ailes_test_memmem(enc, n, "installation", 12));
}
END_TEST

/* Exactly full chunks: the last full chunk carries the last flag, no
 * empty chunk follows. */
START_TEST(backup_stream_exact_chunks)
{
    ailes_backup_writer_t *w;
    ailes_backup_reader_t *r;
    char *data = apr_pcalloc(pool, 2 * AILES_BACKUP_CHUNK_BYTES);
    char *back = apr_palloc(pool, 2 * AILES_BACKUP_CHUNK_BYTES);
    const char *err;
    apr_file_t *f;

    memset(data, 'x', 2 * AILES_BACKUP_CHUNK_BYTES);
    ck_assert_int_eq(apr_file_open(&f, path_of("s"), APR_FOPEN_WRITE
                                   | APR_FOPEN_CREATE, APR_FPROT_UREAD
                                   | APR_FPROT_UWRITE, pool), APR_SUCCESS);
    ck_assert_int_eq(ailes_backup_writer_open(pool, key, f, &w), APR_SUCCESS);
    ck_assert_int_eq(ailes_backup_write(w, data, AILES_BACKUP_CHUNK_BYTES),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_backup_write(w, data, AILES_BACKUP_CHUNK_BYTES),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_backup_writer_close(w), APR_SUCCESS);
    ck_assert_int_ne(ailes_backup_write(w, data, 1), APR_SUCCESS);
    apr_file_close(f);
    ck_assert_int_eq(size_of(path_of("s")),
                     AILES_BACKUP_HEADER_BYTES
                         + 2 * (5 + AILES_BACKUP_CHUNK_BYTES + 16));
    ck_assert_int_eq(apr_file_open(&f, path_of("s"), APR_FOPEN_READ, 0, pool),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_backup_reader_open(pool, key, f, &r, &err),
                     APR_SUCCESS);
    ck_assert_int_eq(ailes_backup_read(r, back, 2 * AILES_BACKUP_CHUNK_BYTES,
                                       &err), APR_SUCCESS);
    ck_assert_int_eq(memcmp(back, data, 2 * AILES_BACKUP_CHUNK_BYTES), 0);
    ck_assert_int_eq(ailes_backup_reader_end(r, &err), APR_SUCCESS);
    apr_file_close(f);
}
END_TEST

/* --- refusals ---------------------------------------------------------------- */

START_TEST(backup_other_key_is_other_installation)
{
    unsigned char raw2[AILES_BACKUP_KEY_BYTES];
    const char *b = make_backup("b.aib", 1000, 1000), *err;

    memcpy(raw2, raw1, sizeof(raw2));
    raw2[31] ^= 0x80;
    err = read_backup(b, ailes_backup_key_make(pool, raw2));
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "another installation"));
}
END_TEST

START_TEST(backup_not_a_backup)
{
    ailes_test_write(path_of("x"), "SQLite format 3\0 and more bytes here",
                     36, 0600);
    ck_assert_str_eq(read_backup(path_of("x"), key),
                     "not a mod_ailes backup");
    ailes_test_write(path_of("x"), "", 0, 0600);
    ck_assert_str_eq(read_backup(path_of("x"), key),
                     "not a mod_ailes backup");
}
END_TEST

/* Every single-bit flip, header to last tag, is refused (a 3-chunk file
 * checked at a stride, plus each byte of the header and the last chunk). */
START_TEST(backup_bit_flips_detected)
{
    const char *b = make_backup("b.aib", 2 * AILES_BACKUP_CHUNK_BYTES, 300);
    apr_off_t n = size_of(b), at;
    size_t len;
    const char *orig = ailes_test_read(pool, b, &len);

    for (at = 0; at < n; at += (at < 200 || at > n - 400) ? 1 : 997) {
        const char *err;
        ailes_test_write(b, orig, len, 0600);
        damage(b, (long)at);
        err = read_backup(b, key);
        ck_assert_msg(err != NULL, "flip at %ld not detected", (long)at);
    }
}
END_TEST

START_TEST(backup_truncation_detected)
{
    const char *b = make_backup("b.aib", 2 * AILES_BACKUP_CHUNK_BYTES, 300);
    apr_off_t n = size_of(b);
    long cuts[] = { 10, AILES_BACKUP_HEADER_BYTES,
                    AILES_BACKUP_HEADER_BYTES + 3,
                    /* after the first and the second whole chunk */
                    AILES_BACKUP_HEADER_BYTES + 5 + AILES_BACKUP_CHUNK_BYTES
                        + 16,
                    AILES_BACKUP_HEADER_BYTES
                        + 2 * (5 + AILES_BACKUP_CHUNK_BYTES + 16),
                    0 };
    size_t len, i;
    const char *orig = ailes_test_read(pool, b, &len), *err;

    cuts[5] = (long)n - 1;
    for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        ailes_test_write(b, orig, len, 0600);
        damage(b, -cuts[i]);
        err = read_backup(b, key);
        ck_assert_msg(err != NULL, "cut at %ld not detected", cuts[i]);
    }
    ailes_test_write(b, orig, len, 0600);
    damage(b, -(long)(AILES_BACKUP_HEADER_BYTES + 5
                      + AILES_BACKUP_CHUNK_BYTES + 16));
    ck_assert_ptr_nonnull(strstr(read_backup(b, key), "truncated"));
}
END_TEST

START_TEST(backup_reorder_and_append_detected)
{
    const char *b = make_backup("b.aib", 3 * AILES_BACKUP_CHUNK_BYTES, 300);
    size_t len, c = 5 + AILES_BACKUP_CHUNK_BYTES + 16;
    const char *orig = ailes_test_read(pool, b, &len);
    char *d = apr_pmemdup(pool, orig, len), *tmp = apr_palloc(pool, c);
    char *chunk1 = d + AILES_BACKUP_HEADER_BYTES + c;
    char *more = apr_palloc(pool, len + 1);

    /* chunks 1 and 2 swapped: both are full, so only the AAD differs */
    memcpy(tmp, chunk1, c);
    memcpy(chunk1, chunk1 + c, c);
    memcpy(chunk1 + c, tmp, c);
    ailes_test_write(b, d, len, 0600);
    ck_assert_ptr_nonnull(strstr(read_backup(b, key), "chunk 1"));
    /* a byte after the last chunk */
    memcpy(more, orig, len);
    more[len] = 'x';
    ailes_test_write(b, more, len + 1, 0600);
    ck_assert_ptr_nonnull(strstr(read_backup(b, key), "after the last"));
    /* chunk 1 dropped */
    memcpy(d, orig, len);
    memmove(chunk1, chunk1 + c, len - (size_t)(chunk1 + c - d));
    ailes_test_write(b, d, len - c, 0600);
    ck_assert_ptr_nonnull(read_backup(b, key));
}
END_TEST

/* --- manifest ------------------------------------------------------------------ */

START_TEST(backup_manifest_parse)
{
    ailes_backup_manifest_t *m;
    const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef"
                      "0123456789abcdef";
    const char *good = apr_psprintf(pool,
        "{\"format\":1,\"installation\":\"00112233aabbccdd\","
        "\"created\":\"2026-01-01T01:00:00.000+09:00\","
        "\"created_unix\":1,\"tool\":\"t\",\"parts\":["
        "{\"name\":\"main\",\"driver\":\"sqlite3\",\"size\":5,"
        "\"sha256\":\"%s\"},{\"name\":\"vault\",\"driver\":\"pgsql\","
        "\"size\":0,\"sha256\":\"%s\"}]}", sha, sha);
    const char *bad[] = {
        "[]",
        "{\"format\":2}",
        "{\"format\":1,\"installation\":\"xyz\"}",
    };
    size_t i;

    ck_assert_ptr_null(ailes_backup_manifest_parse(pool, good, strlen(good),
                                                   &m));
    ck_assert_str_eq(APR_ARRAY_IDX(m->parts, 1, ailes_backup_part_t).driver,
                     "pgsql");
    ck_assert_int_eq(APR_ARRAY_IDX(m->parts, 0, ailes_backup_part_t).size, 5);
    /* round trip through the writer's JSON */
    {
        const char *j = ailes_backup_manifest_json(pool, m);
        ailes_backup_manifest_t *m2;
        ck_assert_ptr_null(ailes_backup_manifest_parse(pool, j, strlen(j),
                                                       &m2));
        ck_assert_str_eq(m2->installation, m->installation);
        ck_assert_str_eq(m2->created, m->created);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_ptr_nonnull(ailes_backup_manifest_parse(
            pool, bad[i], strlen(bad[i]), &m));
        ck_assert_ptr_null(m);
    }
    /* a third part, a wrong order, a bad driver */
    ck_assert_ptr_nonnull(ailes_backup_manifest_parse(
        pool, apr_pstrcat(pool, good, "", NULL),
        strlen(good) - 2, &m));
    {
        char *swapped = apr_pstrdup(pool, good);
        char *mn = strstr(swapped, "\"main\""), *vt = strstr(swapped,
                                                               "\"vault\"");
        memcpy(mn, "\"maim\"", 6);
        ck_assert_ptr_nonnull(ailes_backup_manifest_parse(
            pool, swapped, strlen(swapped), &m));
        memcpy(mn, "\"main\"", 6);
        memcpy(vt + 18, "mysql", 5);
        ck_assert_ptr_nonnull(ailes_backup_manifest_parse(
            pool, swapped, strlen(swapped), &m));
    }
}
END_TEST

/* --- names and rotation --------------------------------------------------------- */

START_TEST(backup_file_name_in_jst)
{
    /* 2026-01-31 16:00:00 UTC is 2026-02-01 01:00:00 JST */
    apr_time_t t = apr_time_from_sec(1769875200);

    ck_assert_str_eq(ailes_backup_file_name(pool, t),
                     "ailes-backup-20260201-010000.aib");
}
END_TEST

static apr_array_header_t *names_of(const char *const *list)
{
    apr_array_header_t *a = apr_array_make(pool, 8, sizeof(const char *));

    while (*list) {
        APR_ARRAY_PUSH(a, const char *) = *list++;
    }
    return a;
}

static const char *joined(const apr_array_header_t *a)
{
    return apr_array_pstrcat(pool, a, ' ');
}

/* One backup a day at 01:00 from Jan 20 to Feb 10: Feb 4-10 stay (7
 * daily) and Feb 1 (the month's first), everything of January goes. */
START_TEST(backup_rotation_daily_and_monthly)
{
    apr_array_header_t *names = apr_array_make(pool, 32,
                                               sizeof(const char *));
    apr_array_header_t *del;
    int d;

    for (d = 20; d <= 31; d++) {
        APR_ARRAY_PUSH(names, const char *) = apr_psprintf(
            pool, "ailes-backup-202601%02d-010000.aib", d);
    }
    for (d = 1; d <= 10; d++) {
        APR_ARRAY_PUSH(names, const char *) = apr_psprintf(
            pool, "ailes-backup-202602%02d-010000.aib", d);
    }
    APR_ARRAY_PUSH(names, const char *) = "notes.txt";
    APR_ARRAY_PUSH(names, const char *) = "ailes-backup-2026021-010000.aib";
    del = ailes_backup_rotation(pool, names, "2026-02-10", 7, 1);
    ck_assert_int_eq(del->nelts, 12 + 2);
    ck_assert_str_eq(APR_ARRAY_IDX(del, 0, const char *),
                     "ailes-backup-20260120-010000.aib");
    ck_assert_str_eq(APR_ARRAY_IDX(del, 11, const char *),
                     "ailes-backup-20260131-010000.aib");
    ck_assert_str_eq(APR_ARRAY_IDX(del, 12, const char *),
                     "ailes-backup-20260202-010000.aib");
    ck_assert_str_eq(APR_ARRAY_IDX(del, 13, const char *),
                     "ailes-backup-20260203-010000.aib");
}
END_TEST

/* Early in a month the monthly of the month is within the daily window;
 * the previous month's is no longer kept (1 monthly generation). */
START_TEST(backup_rotation_two_per_day_and_future)
{
    static const char *const list[] = {
        "ailes-backup-20260301-010000.aib",
        "ailes-backup-20260301-143000.aib",     /* a manual one */
        "ailes-backup-20260302-010000.aib",
        "ailes-backup-20260215-010000.aib",
        "ailes-backup-20260201-010000.aib",
        "ailes-backup-20260401-010000.aib",     /* after today: untouched */
        NULL
    };
    apr_array_header_t *del = ailes_backup_rotation(pool, names_of(list),
                                                    "2026-03-02", 2, 1);

    /* daily (2): Mar 2, Mar 1 14:30; monthly: Mar 1 01:00 */
    ck_assert_str_eq(joined(del), "ailes-backup-20260201-010000.aib "
                                  "ailes-backup-20260215-010000.aib");
    del = ailes_backup_rotation(pool, names_of(list), "2026-03-02", 7, 2);
    ck_assert_str_eq(joined(del), "");
    del = ailes_backup_rotation(pool, names_of(list), "2026-03-02", 1, 0);
    ck_assert_str_eq(joined(del), "ailes-backup-20260201-010000.aib "
                                  "ailes-backup-20260215-010000.aib "
                                  "ailes-backup-20260301-010000.aib "
                                  "ailes-backup-20260301-143000.aib");
}
END_TEST

START_TEST(backup_pg_env)
{
    apr_array_header_t *env = apr_array_make(pool, 4, sizeof(const char *));
    const char *db, *err;

    ck_assert_ptr_null(ailes_backup_pg_env(
        pool, "host=127.0.0.1 port = 5432 dbname=ailes user=postgres "
              "password='it\\'s se\\\\cret' connect_timeout=3", env, &db));
    ck_assert_str_eq(joined(env), "PGHOST=127.0.0.1 PGPORT=5432 "
                                  "PGDATABASE=ailes PGUSER=postgres "
                                  "PGPASSWORD=it's se\\cret "
                                  "PGCONNECT_TIMEOUT=3");
    ck_assert_str_eq(db, "ailes");
    env->nelts = 0;
    ck_assert_ptr_null(ailes_backup_pg_env(pool, "user=u", env, &db));
    ck_assert_str_eq(db, "u");
    err = ailes_backup_pg_env(pool, "host=h password=s3cr3t bogus=x", env,
                              &db);
    ck_assert_ptr_nonnull(strstr(err, "bogus"));
    ck_assert_ptr_null(strstr(err, "s3cr3t"));
    ck_assert_ptr_nonnull(ailes_backup_pg_env(pool, "password='open", env,
                                              &db));
    ck_assert_ptr_nonnull(ailes_backup_pg_env(pool, "host", env, &db));
    ck_assert_ptr_nonnull(ailes_backup_pg_env(
        pool, "postgresql://u:pw@h/db", env, &db));
}
END_TEST

/* --- ailes_spool: the sealed temporary file of a request body ------------ */

static int files_in(const char *d)
{
    apr_dir_t *dh;
    apr_finfo_t fi;
    int n = 0;

    ck_assert_int_eq(apr_dir_open(&dh, d, pool), APR_SUCCESS);
    while (APR_SUCCESS == apr_dir_read(&fi, APR_FINFO_NAME, dh)) {
        n += strcmp(fi.name, ".") && strcmp(fi.name, "..");
    }
    apr_dir_close(dh);
    return n;
}

/* /proc/self/fd/N of an open, deleted spool file in dir, or NULL. */
static const char *spool_fd_path(void)
{
    const char *want = apr_pstrcat(pool, dir, "/ailes-upload-", NULL);
    apr_dir_t *dh;
    apr_finfo_t fi;
    const char *found = NULL;

    ck_assert_int_eq(apr_dir_open(&dh, "/proc/self/fd", pool), APR_SUCCESS);
    while (!found && APR_SUCCESS == apr_dir_read(&fi, APR_FINFO_NAME, dh)) {
        char target[4096];
        const char *link = apr_pstrcat(pool, "/proc/self/fd/", fi.name, NULL);
        ssize_t n = readlink(link, target, sizeof(target) - 1);

        if (n > 0) {
            target[n] = '\0';
            if (!strncmp(target, want, strlen(want))
                && strstr(target, " (deleted)")) {
                found = link;
            }
        }
    }
    apr_dir_close(dh);
    return found;
}

START_TEST(spool_round_trip_sealed_and_deleted)
{
    apr_size_t total = 300 * 1024 + 17, off = 0, n, piece = 1;
    unsigned char *data = apr_palloc(pool, total), *back;
    unsigned char md[crypto_hash_sha256_BYTES];
    char want[65], sha[65];
    ailes_spool_t *sp;
    apr_pool_t *sub;
    apr_off_t size;

    for (n = 0; n < total; n++) {
        data[n] = (unsigned char)("health data, in clear "[n % 22]);
    }
    apr_pool_create(&sub, pool);
    ck_assert_int_eq(ailes_spool_create(sub, dir, &sp), APR_SUCCESS);
    while (off < total) {       /* pieces of 1, 2, 3, ... bytes */
        n = total - off < piece ? total - off : piece;
        ck_assert_int_eq(ailes_spool_write(sp, data + off, n), APR_SUCCESS);
        off += n;
        piece = piece * 3 + 1;
    }
    ck_assert_int_eq(ailes_spool_finish(sp, &size, sha), APR_SUCCESS);
    ck_assert_int_eq(size, (apr_off_t)total);
    crypto_hash_sha256(md, data, total);
    sodium_bin2hex(want, sizeof(want), md, sizeof(md));
    ck_assert_str_eq(sha, want);

    /* no name in the folder (unlinked at once); through the descriptor,
     * the file holds no text in clear */
    ck_assert_int_eq(files_in(dir), 0);
    {
        const char *path = spool_fd_path();
        size_t len;
        const char *text;

        ck_assert_msg(path != NULL, "no open spool file");
        text = ailes_test_read(pool, path, &len);
        ck_assert_uint_gt(len, total);
        ck_assert(!ailes_test_memmem(text, len, "in clear", 8));
    }
    back = apr_palloc(pool, total);
    off = 0;
    do {
        ck_assert_int_eq(ailes_spool_read(sp, back + off, 7000, &n),
                         APR_SUCCESS);
        off += n;
        ck_assert_uint_le(off, total);
    } while (n);
    ck_assert_uint_eq(off, total);
    ck_assert_int_eq(memcmp(back, data, total), 0);
    /* writing after finish is refused */
    ck_assert_int_ne(ailes_spool_write(sp, "x", 1), APR_SUCCESS);
    apr_pool_destroy(sub);
    ck_assert_ptr_null(spool_fd_path());
}
END_TEST

START_TEST(spool_empty)
{
    ailes_spool_t *sp;
    apr_off_t size;
    apr_size_t n = 99;
    char sha[65], buf[8];

    ck_assert_int_eq(ailes_spool_create(pool, dir, &sp), APR_SUCCESS);
    ck_assert_int_eq(ailes_spool_finish(sp, &size, sha), APR_SUCCESS);
    ck_assert_int_eq(size, 0);
    ck_assert_str_eq(sha, "e3b0c44298fc1c149afbf4c8996fb924"
                          "27ae41e4649b934ca495991b7852b855");
    ck_assert_int_eq(ailes_spool_read(sp, buf, sizeof(buf), &n), APR_SUCCESS);
    ck_assert_uint_eq(n, 0);
}
END_TEST

Suite *ailes_suite_backup(void)
{
    Suite *s = suite_create("backup");
    TCase *tk = tcase_create("file");
    TCase *tr = tcase_create("rotation");

    tcase_add_checked_fixture(tk, setup, teardown);
    tcase_set_timeout(tk, 60);
    tcase_add_test(tk, backup_installation_from_key);
    tcase_add_test(tk, backup_key_load_checks);
    tcase_add_test(tk, backup_round_trip_many_chunks);
    tcase_add_test(tk, backup_round_trip_empty_parts);
    tcase_add_test(tk, backup_no_plaintext_in_file);
    tcase_add_test(tk, backup_stream_exact_chunks);
    tcase_add_test(tk, backup_other_key_is_other_installation);
    tcase_add_test(tk, backup_not_a_backup);
    tcase_add_test(tk, backup_bit_flips_detected);
    tcase_add_test(tk, backup_truncation_detected);
    tcase_add_test(tk, backup_reorder_and_append_detected);
    tcase_add_test(tk, backup_manifest_parse);
    tcase_add_test(tk, spool_round_trip_sealed_and_deleted);
    tcase_add_test(tk, spool_empty);
    suite_add_tcase(s, tk);

    tcase_add_checked_fixture(tr, setup, teardown);
    tcase_add_test(tr, backup_file_name_in_jst);
    tcase_add_test(tr, backup_rotation_daily_and_monthly);
    tcase_add_test(tr, backup_rotation_two_per_day_and_future);
    tcase_add_test(tr, backup_pg_env);
    suite_add_tcase(s, tr);
    return s;
}
