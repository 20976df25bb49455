/* Backups of both databases as one encrypted, authenticated file, and the
 * choice of which old backups rotation deletes (the spec: daily backups
 * kept 7 generations, monthly 1 generation).
 *
 * The file (all integers big-endian):
 *
 *   header  "AILESBK1" | u32 format version (1) | u32 chunk size
 *           | 8 bytes installation id | 32 bytes random salt      (56 bytes)
 *   chunks  u32 plaintext length | u8 flags (1 = last)
 *           | ciphertext | 16-byte GCM tag                        (repeated)
 *
 * Every file has a key of its own, HMAC-SHA-256(backup key, label | salt),
 * so the 96-bit GCM nonce can be the chunk index. The associated data of a
 * chunk is the whole header, its index, its length and its flags: a flipped
 * bit anywhere, chunks reordered, dropped or duplicated, a missing last
 * chunk or bytes after it all fail authentication or the framing checks.
 * The installation id is HMAC-SHA-256(backup key, label) cut to 8 bytes, in
 * clear so that a backup of another installation (another key) is refused
 * before any chunk is read; it says nothing about the key.
 *
 * The plaintext inside the chunks is: u32 manifest length | manifest (JSON)
 * | the parts, one after the other, in manifest order. The manifest names
 * each part (main, vault), its driver (sqlite3: a database file; pgsql: a
 * pg_dump --format=custom archive), its size and its SHA-256.
 *
 * Nothing here talks to a database or runs a program: the CLI does that
 * and hands over files. Nothing reads a whole part into memory. Key
 * material lives in pool memory that is wiped when the pool dies.
 */
#ifndef AILES_BACKUP_H
#define AILES_BACKUP_H

#include <apr_file_io.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#define AILES_BACKUP_KEY_BYTES 32
#define AILES_BACKUP_FORMAT 1
#define AILES_BACKUP_HEADER_BYTES 56
#define AILES_BACKUP_CHUNK_BYTES (64 * 1024)
#define AILES_BACKUP_MANIFEST_MAX (64 * 1024)

/* The backup key and the installation id derived from it (16 hex chars). */
typedef struct ailes_backup_key {
    unsigned char key[AILES_BACKUP_KEY_BYTES];
    char installation[17];
} ailes_backup_key_t;

/* One part of a backup. */
typedef struct ailes_backup_part {
    const char *name;           /* "main" or "vault" */
    const char *driver;         /* "sqlite3" or "pgsql" */
    apr_off_t size;
    char sha256[65];            /* hex */
} ailes_backup_part_t;

typedef struct ailes_backup_manifest {
    int format;
    const char *installation;   /* 16 hex chars */
    const char *created;        /* JST, ISO 8601 */
    apr_int64_t created_unix;
    const char *tool;
    apr_array_header_t *parts;  /* ailes_backup_part_t */
} ailes_backup_manifest_t;

typedef struct ailes_backup_writer ailes_backup_writer_t;
typedef struct ailes_backup_reader ailes_backup_reader_t;

/* A key from its 32 raw bytes. */
ailes_backup_key_t *ailes_backup_key_make(apr_pool_t *p,
                                          const unsigned char *raw);

/* Loads AilesBackupKeyFile: exactly 32 bytes, a regular file that neither
 * group nor others may access. NULL or an error naming the file. */
const char *ailes_backup_key_load(apr_pool_t *p, const char *path,
                                  ailes_backup_key_t **key);

/* Starts a backup on f (opened for writing, empty): writes the header.
 * The writer's secrets are wiped when p dies. */
apr_status_t ailes_backup_writer_open(apr_pool_t *p,
                                      const ailes_backup_key_t *key,
                                      apr_file_t *f,
                                      ailes_backup_writer_t **w);

/* Appends plaintext; full chunks are sealed and written as they fill. */
apr_status_t ailes_backup_write(ailes_backup_writer_t *w, const void *data,
                                apr_size_t len);

/* The manifest (as the first thing written: its length, then the JSON). */
apr_status_t ailes_backup_write_manifest(ailes_backup_writer_t *w,
                                         apr_pool_t *p,
                                         const ailes_backup_manifest_t *m);

/* Appends the whole content of the file at path, which must still have
 * the size and SHA-256 recorded in part (else APR_EGENERAL). */
apr_status_t ailes_backup_write_file(ailes_backup_writer_t *w,
                                     apr_pool_t *p, const char *path,
                                     const ailes_backup_part_t *part);

/* Seals the last chunk. Nothing may be written afterwards. */
apr_status_t ailes_backup_writer_close(ailes_backup_writer_t *w);

/* Size and SHA-256 (hex) of the file at path, read in chunks. */
apr_status_t ailes_backup_hash_file(apr_pool_t *p, const char *path,
                                    apr_off_t *size, char sha256[65]);

/* Opens a backup for reading: checks the header (magic, format, the
 * installation of key). On failure *err is one line for the operator
 * (not a mod_ailes backup, unknown format, another installation). */
apr_status_t ailes_backup_reader_open(apr_pool_t *p,
                                      const ailes_backup_key_t *key,
                                      apr_file_t *f,
                                      ailes_backup_reader_t **r,
                                      const char **err);

/* Reads exactly len plaintext bytes (len 0 is allowed). On failure *err
 * says why (truncated, a chunk that does not authenticate, framing). */
apr_status_t ailes_backup_read(ailes_backup_reader_t *r, void *buf,
                               apr_size_t len, const char **err);

/* Reads and checks the manifest: its installation must be the header's,
 * its parts main and vault with known drivers. */
apr_status_t ailes_backup_read_manifest(ailes_backup_reader_t *r,
                                        apr_pool_t *p,
                                        ailes_backup_manifest_t **m,
                                        const char **err);

/* Writes the next part to the file at path (created, mode 0600) and
 * checks its size and SHA-256. */
apr_status_t ailes_backup_read_file(ailes_backup_reader_t *r, apr_pool_t *p,
                                    const ailes_backup_part_t *part,
                                    const char *path, const char **err);

/* Checks that the last chunk has been read and nothing follows it. */
apr_status_t ailes_backup_reader_end(ailes_backup_reader_t *r,
                                     const char **err);

/* The manifest as JSON, and back (NULL or an error). */
const char *ailes_backup_manifest_json(apr_pool_t *p,
                                       const ailes_backup_manifest_t *m);
const char *ailes_backup_manifest_parse(apr_pool_t *p, const char *json,
                                        apr_size_t len,
                                        ailes_backup_manifest_t **m);

/* The name of a backup made at t: "ailes-backup-YYYYMMDD-HHMMSS.aib", the
 * time in JST, so names sort by time. */
const char *ailes_backup_file_name(apr_pool_t *p, apr_time_t t);

/* Rotation: of the backup file names in names (const char *; other names
 * are ignored, never deleted), which to delete, given today
 * ("YYYY-MM-DD", JST). Kept: the newest backup of each of the `daily`
 * most recent days that have one, and the first backup of each of the
 * `monthly` most recent months (the first backup of a month is its
 * monthly generation). Backups dated after today are left alone. The
 * result is sorted, oldest first. */
apr_array_header_t *ailes_backup_rotation(apr_pool_t *p,
                                          const apr_array_header_t *names,
                                          const char *today, int daily,
                                          int monthly);

/* The environment that makes pg_dump/pg_restore connect as DBDParams
 * says: a libpq key=value conninfo (values may be single-quoted) becomes
 * PGHOST=..., PGPASSWORD=... strings (const char *) appended to env, so
 * that no password is ever on a command line. *dbname is the database
 * (dbname, else user; NULL when neither is given). NULL or an error that
 * never contains a value. */
const char *ailes_backup_pg_env(apr_pool_t *p, const char *conninfo,
                                apr_array_header_t *env,
                                const char **dbname);

#endif
