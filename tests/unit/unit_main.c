/* The unit test runner: initialises APR and libsodium once, runs every
 * suite and prints libcheck's summary line. Exits non-zero when any test
 * failed, so `make check` fails. Also home of the shared test helpers
 * (unit_tests.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "ailes_log.h"
#include "ailes_token.h"
#include "unit_tests.h"

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* Every test folder lives below one root made by main() before any test
 * forks, and main() removes the root at the end: a failed assertion ends a
 * forked test with _exit(), skipping its teardown. */
static char test_root[] = "/tmp/ailes-unit-XXXXXX";

const char *ailes_test_mkdtemp(apr_pool_t *p)
{
    char *tmpl = apr_pstrcat(p, test_root, "/t-XXXXXX", NULL);

    if (!mkdtemp(tmpl)) {
        ck_abort_msg("mkdtemp(%s) failed: %s", tmpl, strerror(errno));
    }
    return tmpl;
}

void ailes_test_rmtree(const char *dir)
{
    if (dir) {
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    }
}

void ailes_test_write(const char *path, const char *data, size_t len,
                      mode_t mode)
{
    int fd;
    size_t done = 0;

    if (len == (size_t)-1) {
        len = strlen(data);
    }
    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0) {
        ck_abort_msg("cannot create %s: %s", path, strerror(errno));
    }
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n <= 0) {
            close(fd);
            ck_abort_msg("cannot write %s: %s", path, strerror(errno));
        }
        done += (size_t)n;
    }
    close(fd);
    /* open() applies the umask: set the mode the test asked for. */
    if (chmod(path, mode) != 0) {
        ck_abort_msg("cannot chmod %s: %s", path, strerror(errno));
    }
}

const char *ailes_test_read(apr_pool_t *p, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f) {
        ck_abort_msg("cannot open %s: %s", path, strerror(errno));
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = apr_palloc(p, (apr_size_t)n + 1);
    if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        ck_abort_msg("cannot read %s", path);
    }
    fclose(f);
    buf[n] = '\0';
    if (len) {
        *len = (size_t)n;
    }
    return buf;
}

int ailes_test_memmem(const char *hay, size_t hlen, const char *needle,
                      size_t nlen)
{
    return memmem(hay, hlen, needle, nlen) != NULL;
}

static char log_buf[16384];
static size_t log_len;

static void capture(void *baton, ailes_log_level_t level, apr_status_t rv,
                    const char *msg)
{
    size_t n = strlen(msg);

    (void)baton;
    (void)level;
    (void)rv;
    if (log_len + n + 2 < sizeof(log_buf)) {
        memcpy(log_buf + log_len, msg, n);
        log_len += n;
        log_buf[log_len++] = '\n';
        log_buf[log_len] = '\0';
    }
}

void ailes_test_log_capture(void)
{
    log_len = 0;
    log_buf[0] = '\0';
    ailes_log_set(capture, NULL);
}

const char *ailes_test_log_text(void)
{
    return log_buf;
}

int main(void)
{
    SRunner *sr;
    int failed;

    if (APR_SUCCESS != apr_initialize()) {
        fprintf(stderr, "apr_initialize failed\n");
        return 2;
    }
    if (0 != ailes_crypto_init()) {
        fprintf(stderr, "ailes_crypto_init failed\n");
        return 2;
    }
    if (!mkdtemp(test_root)) {
        fprintf(stderr, "mkdtemp(%s): %s\n", test_root, strerror(errno));
        return 2;
    }
    sr = srunner_create(ailes_suite_role());
    srunner_add_suite(sr, ailes_suite_time());
    srunner_add_suite(sr, ailes_suite_token());
    srunner_add_suite(sr, ailes_suite_password());
    srunner_add_suite(sr, ailes_suite_parse());
    srunner_add_suite(sr, ailes_suite_conffile());
    srunner_add_suite(sr, ailes_suite_json());
    srunner_add_suite(sr, ailes_suite_store());
    srunner_add_suite(sr, ailes_suite_vault());
    srunner_add_suite(sr, ailes_suite_policy());
    srunner_add_suite(sr, ailes_suite_session());
    srunner_add_suite(sr, ailes_suite_totp());
    srunner_add_suite(sr, ailes_suite_cidr());
    srunner_add_suite(sr, ailes_suite_csv());
    srunner_add_suite(sr, ailes_suite_userimport());
    srunner_add_suite(sr, ailes_suite_chain());
    srunner_add_suite(sr, ailes_suite_bjsq());
    srunner_add_suite(sr, ailes_suite_checkup());
    srunner_add_suite(sr, ailes_suite_lifelog());
    srunner_add_suite(sr, ailes_suite_store_lifelog());
    srunner_add_suite(sr, ailes_suite_backup());
    srunner_add_suite(sr, ailes_suite_mail());
    srunner_add_suite(sr, ailes_suite_notice());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ailes_test_rmtree(test_root);
    apr_terminate();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
