/* Unit tests of the core library (libcheck): one suite per core file, and
 * the few helpers the suites share (temp folders, files, a log sink).
 *
 * Tests run in libcheck's fork mode: every test is its own process, so a
 * crash in core code fails one test and global state (TZ, the log sink)
 * never leaks from one test into the next. Helpers abort the test with
 * ck_abort_msg on any failure of their own.
 */
#ifndef AILES_UNIT_TESTS_H
#define AILES_UNIT_TESTS_H

#include <sys/types.h>

#include <apr_pools.h>
#include <check.h>

Suite *ailes_suite_role(void);
Suite *ailes_suite_time(void);
Suite *ailes_suite_token(void);
Suite *ailes_suite_password(void);
Suite *ailes_suite_parse(void);
Suite *ailes_suite_conffile(void);
Suite *ailes_suite_json(void);
Suite *ailes_suite_store(void);
Suite *ailes_suite_vault(void);
Suite *ailes_suite_policy(void);
Suite *ailes_suite_session(void);
Suite *ailes_suite_totp(void);
Suite *ailes_suite_cidr(void);
Suite *ailes_suite_csv(void);
Suite *ailes_suite_userimport(void);
Suite *ailes_suite_chain(void);
Suite *ailes_suite_bjsq(void);
Suite *ailes_suite_checkup(void);
Suite *ailes_suite_lifelog(void);
Suite *ailes_suite_store_lifelog(void);
Suite *ailes_suite_backup(void);
Suite *ailes_suite_mail(void);
Suite *ailes_suite_notice(void);

/* A fresh folder below the run's temp root (/tmp/ailes-unit-*), allocated
 * in p. */
const char *ailes_test_mkdtemp(apr_pool_t *p);

/* Removes dir and everything below it; a NULL dir is ignored. */
void ailes_test_rmtree(const char *dir);

/* Writes len bytes (strlen(data) when len is (size_t)-1) to path with the
 * given mode, replacing the file. */
void ailes_test_write(const char *path, const char *data, size_t len,
                      mode_t mode);

/* The whole content of path, NUL-terminated, allocated in p. */
const char *ailes_test_read(apr_pool_t *p, const char *path, size_t *len);

/* True when needle (nlen bytes) occurs in hay (hlen bytes). */
int ailes_test_memmem(const char *hay, size_t hlen, const char *needle,
                      size_t nlen);

/* Installs a log sink that collects every core log line (and keeps the
 * test output quiet); ailes_test_log_text() returns what was logged so
 * far, lines separated by '\n'. */
void ailes_test_log_capture(void);
const char *ailes_test_log_text(void);

#endif
