/* ailes_conffile: the httpd-style line splitter and the reader of the
 * settings ailesctl shares with httpd, on config files written to a temp
 * folder. */
#include <string.h>
#include <sys/stat.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "ailes_conffile.h"
#include "unit_tests.h"

static apr_pool_t *pool;
static const char *dir;

static void setup(void)
{
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
    dir = ailes_test_mkdtemp(pool);
}

static void teardown(void)
{
    ailes_test_rmtree(dir);
    apr_pool_destroy(pool);
}

/* Writes dir/name, creating the folders in name ("a/b/c.conf"), and
 * returns its path. */
static const char *put(const char *name, const char *text)
{
    const char *path = apr_pstrcat(pool, dir, "/", name, NULL);
    char *folder = apr_pstrdup(pool, path);
    char *s;

    for (s = folder + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        mkdir(folder, 0700);
        *s = '/';
    }
    ailes_test_write(path, text, (size_t)-1, 0600);
    return path;
}

static apr_array_header_t *split_ok(const char *line)
{
    apr_array_header_t *a = NULL;
    const char *err = ailes_conffile_split(pool, line, &a);

    ck_assert_msg(err == NULL, "split(%s): %s", line, err ? err : "");
    ck_assert_ptr_nonnull(a);
    return a;
}

#define ARG(a, i) APR_ARRAY_IDX((a), (i), const char *)

static ailes_conffile_t read_ok(const char *path)
{
    ailes_conffile_t c;
    const char *err = ailes_conffile_read(pool, path, &c);

    ck_assert_msg(err == NULL, "read(%s): %s", path, err ? err : "");
    return c;
}

/* --- split --------------------------------------------------------------- */

START_TEST(conffile_split_plain_words)
{
    apr_array_header_t *a = split_ok("  DBDriver \t sqlite3  ");

    ck_assert_int_eq(a->nelts, 2);
    ck_assert_str_eq(ARG(a, 0), "DBDriver");
    ck_assert_str_eq(ARG(a, 1), "sqlite3");
}
END_TEST

START_TEST(conffile_split_double_quotes_keep_spaces)
{
    apr_array_header_t *a = split_ok("DBDParams \"host=db port=5432 user=x\"");

    ck_assert_int_eq(a->nelts, 2);
    ck_assert_str_eq(ARG(a, 1), "host=db port=5432 user=x");
}
END_TEST

START_TEST(conffile_split_single_quotes)
{
    apr_array_header_t *a = split_ok("AilesVaultDB sqlite3 'a \"b\" c'");

    ck_assert_int_eq(a->nelts, 3);
    ck_assert_str_eq(ARG(a, 1), "sqlite3");
    ck_assert_str_eq(ARG(a, 2), "a \"b\" c");
}
END_TEST

START_TEST(conffile_split_escaped_quote)
{
    apr_array_header_t *a = split_ok("X \"say \\\"hi\\\" now\" 'it\\'s'");

    ck_assert_int_eq(a->nelts, 3);
    ck_assert_str_eq(ARG(a, 1), "say \"hi\" now");
    ck_assert_str_eq(ARG(a, 2), "it's");
}
END_TEST

START_TEST(conffile_split_other_backslashes_kept)
{
    apr_array_header_t *a = split_ok("X \"C:\\dir\\file\"");

    ck_assert_int_eq(a->nelts, 2);
    ck_assert_str_eq(ARG(a, 1), "C:\\dir\\file");
}
END_TEST

START_TEST(conffile_split_empty_quoted_argument)
{
    apr_array_header_t *a = split_ok("X \"\" y");

    ck_assert_int_eq(a->nelts, 3);
    ck_assert_str_eq(ARG(a, 1), "");
    ck_assert_str_eq(ARG(a, 2), "y");
}
END_TEST

START_TEST(conffile_split_comment_lines)
{
    ck_assert_int_eq(split_ok("# DBDriver pgsql")->nelts, 0);
    ck_assert_int_eq(split_ok("   #indented")->nelts, 0);
    ck_assert_int_eq(split_ok("")->nelts, 0);
    ck_assert_int_eq(split_ok(" \t ")->nelts, 0);
}
END_TEST

START_TEST(conffile_split_hash_inside_line_is_an_argument)
{
    apr_array_header_t *a = split_ok("X a#b #c");

    ck_assert_int_eq(a->nelts, 3);
    ck_assert_str_eq(ARG(a, 1), "a#b");
    ck_assert_str_eq(ARG(a, 2), "#c");
}
END_TEST

START_TEST(conffile_split_unterminated_quote)
{
    apr_array_header_t *a;

    ck_assert_ptr_nonnull(ailes_conffile_split(pool, "X \"abc", &a));
    ck_assert_ptr_nonnull(ailes_conffile_split(pool, "X 'abc", &a));
    ck_assert_ptr_nonnull(ailes_conffile_split(pool, "X \"abc\\\"", &a));
}
END_TEST

/* --- read ---------------------------------------------------------------- */

START_TEST(conffile_read_server_level_settings)
{
    const char *path = put("httpd.conf",
                           "# test config\n"
                           "DBDriver sqlite3\n"
                           "DBDParams \"/var/lib/ailes/main db.sqlite\"\n"
                           "AilesVaultDB pgsql \"host=v dbname=vault\"\n"
                           "AilesVaultKeyFile /etc/ailes/vault.key\n"
                           "AilesBackupKeyFile /etc/ailes/backup.key\n"
                           "AilesBcryptCost 11\n");
    ailes_conffile_t c = read_ok(path);

    ck_assert_str_eq(c.db_driver, "sqlite3");
    ck_assert_str_eq(c.db_params, "/var/lib/ailes/main db.sqlite");
    ck_assert_str_eq(c.vault_driver, "pgsql");
    ck_assert_str_eq(c.vault_params, "host=v dbname=vault");
    ck_assert_str_eq(c.vault_key_file, "/etc/ailes/vault.key");
    ck_assert_str_eq(c.backup_key_file, "/etc/ailes/backup.key");
    ck_assert_int_eq(c.bcrypt_cost, 11);
}
END_TEST

START_TEST(conffile_read_unset_values)
{
    ailes_conffile_t c = read_ok(put("empty.conf", "ServerName x\n"));

    ck_assert_ptr_null(c.db_driver);
    ck_assert_ptr_null(c.db_params);
    ck_assert_ptr_null(c.vault_driver);
    ck_assert_ptr_null(c.vault_params);
    ck_assert_ptr_null(c.vault_key_file);
    ck_assert_ptr_null(c.backup_key_file);
    ck_assert_int_eq(c.bcrypt_cost, -1);
}
END_TEST

START_TEST(conffile_read_directive_names_case_insensitive)
{
    ailes_conffile_t c = read_ok(put("c.conf", "dbdriver sqlite3\n"
                                               "DBDPARAMS /x.db\n"));

    ck_assert_str_eq(c.db_driver, "sqlite3");
    ck_assert_str_eq(c.db_params, "/x.db");
}
END_TEST

START_TEST(conffile_read_ignores_virtualhost)
{
    const char *path = put("httpd.conf",
                           "<VirtualHost *:80>\n"
                           "    DBDriver pgsql\n"
                           "    DBDParams host=vhost\n"
                           "    AilesVaultDB pgsql host=vhostvault\n"
                           "    AilesVaultKeyFile /vhost.key\n"
                           "    AilesBcryptCost 5\n"
                           "</VirtualHost>\n"
                           "DBDriver sqlite3\n"
                           "DBDParams /server.db\n"
                           "AilesVaultKeyFile /server.key\n");
    ailes_conffile_t c = read_ok(path);

    ck_assert_str_eq(c.db_driver, "sqlite3");
    ck_assert_str_eq(c.db_params, "/server.db");
    ck_assert_ptr_null(c.vault_driver);
    ck_assert_ptr_null(c.vault_params);
    ck_assert_str_eq(c.vault_key_file, "/server.key");
    ck_assert_int_eq(c.bcrypt_cost, -1);
}
END_TEST

START_TEST(conffile_read_first_occurrence_wins)
{
    const char *path = put("httpd.conf",
                           "DBDriver sqlite3\n"
                           "DBDriver pgsql\n"
                           "DBDParams /first.db\n"
                           "DBDParams /second.db\n"
                           "AilesVaultDB sqlite3 /v1.db\n"
                           "AilesVaultDB pgsql host=v2\n"
                           "AilesVaultKeyFile /k1\n"
                           "AilesVaultKeyFile /k2\n"
                           "AilesBcryptCost 10\n"
                           "AilesBcryptCost 13\n");
    ailes_conffile_t c = read_ok(path);

    ck_assert_str_eq(c.db_driver, "sqlite3");
    ck_assert_str_eq(c.db_params, "/first.db");
    ck_assert_str_eq(c.vault_driver, "sqlite3");
    ck_assert_str_eq(c.vault_params, "/v1.db");
    ck_assert_str_eq(c.vault_key_file, "/k1");
    ck_assert_int_eq(c.bcrypt_cost, 10);
}
END_TEST

START_TEST(conffile_read_backslash_continuation)
{
    const char *path = put("httpd.conf",
                           "DBDParams \\\n"
                           "    \"/var/lib/a b.db\"\n"
                           "AilesVaultDB \\\n"
                           "  sqlite3 \\\n"
                           "  /vault.db\n");
    ailes_conffile_t c = read_ok(path);

    ck_assert_str_eq(c.db_params, "/var/lib/a b.db");
    ck_assert_str_eq(c.vault_driver, "sqlite3");
    ck_assert_str_eq(c.vault_params, "/vault.db");
}
END_TEST

START_TEST(conffile_read_crlf_lines)
{
    ailes_conffile_t c = read_ok(put("httpd.conf", "DBDriver sqlite3\r\n"
                                                   "DBDParams /x.db\r\n"));

    ck_assert_str_eq(c.db_driver, "sqlite3");
    ck_assert_str_eq(c.db_params, "/x.db");
}
END_TEST

START_TEST(conffile_read_include_glob_relative_to_file)
{
    const char *path;
    ailes_conffile_t c;

    put("conf.d/10-db.conf", "DBDriver sqlite3\nDBDParams /from-10.db\n");
    put("conf.d/20-more.conf", "DBDParams /from-20.db\nAilesBcryptCost 9\n");
    put("conf.d/readme.txt", "AilesVaultKeyFile /not-included\n");
    path = put("httpd.conf", "Include conf.d/*.conf\n");
    c = read_ok(path);
    ck_assert_str_eq(c.db_driver, "sqlite3");
    ck_assert_str_eq(c.db_params, "/from-10.db");
    ck_assert_int_eq(c.bcrypt_cost, 9);
    ck_assert_ptr_null(c.vault_key_file);
}
END_TEST

START_TEST(conffile_read_include_optional_glob)
{
    ailes_conffile_t c;

    put("sites/a.conf", "AilesVaultDB sqlite3 /v.db\n");
    c = read_ok(put("httpd.conf", "IncludeOptional sites/*.conf\n"));
    ck_assert_str_eq(c.vault_driver, "sqlite3");
    ck_assert_str_eq(c.vault_params, "/v.db");
}
END_TEST

START_TEST(conffile_read_include_relative_to_server_root)
{
    const char *root = apr_pstrcat(pool, dir, "/root", NULL);
    const char *path;
    ailes_conffile_t c;

    /* The same relative name exists next to the main file and under
     * ServerRoot: ServerRoot must win. */
    put("root/conf/db.conf", "DBDriver sqlite3\nDBDParams /root.db\n");
    put("etc/conf/db.conf", "DBDriver pgsql\nDBDParams host=wrong\n");
    path = put("etc/httpd.conf",
               apr_pstrcat(pool, "ServerRoot \"", root, "\"\n"
                           "Include conf/db.conf\n"
                           "IncludeOptional conf/*.conf\n", NULL));
    c = read_ok(path);
    ck_assert_str_eq(c.db_driver, "sqlite3");
    ck_assert_str_eq(c.db_params, "/root.db");
}
END_TEST

START_TEST(conffile_read_nested_include_relative_to_its_own_folder)
{
    ailes_conffile_t c;

    put("a/outer.conf", "Include b/inner.conf\n");
    put("a/b/inner.conf", "DBDriver sqlite3\n");
    c = read_ok(put("httpd.conf", "Include a/outer.conf\n"));
    ck_assert_str_eq(c.db_driver, "sqlite3");
}
END_TEST

START_TEST(conffile_read_absolute_include)
{
    const char *inc = put("x/abs.conf", "DBDParams /abs.db\n");
    ailes_conffile_t c;

    c = read_ok(put("httpd.conf",
                    apr_pstrcat(pool, "Include ", inc, "\n", NULL)));
    ck_assert_str_eq(c.db_params, "/abs.db");
}
END_TEST

START_TEST(conffile_read_missing_include_is_an_error)
{
    ailes_conffile_t c;
    const char *err;

    err = ailes_conffile_read(pool, put("httpd.conf",
                                        "DBDriver sqlite3\n"
                                        "Include missing-file.conf\n"),
                              &c);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "missing-file.conf") != NULL, "error: %s", err);
}
END_TEST

START_TEST(conffile_read_include_glob_matching_nothing_is_an_error)
{
    ailes_conffile_t c;
    const char *err;

    err = ailes_conffile_read(pool, put("httpd.conf",
                                        "Include nowhere/*.conf\n"),
                              &c);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "nowhere/*.conf") != NULL, "error: %s", err);
}
END_TEST

START_TEST(conffile_read_include_optional_missing_is_fine)
{
    ailes_conffile_t c = read_ok(put("httpd.conf",
                                     "IncludeOptional nowhere/*.conf\n"
                                     "IncludeOptional missing.conf\n"
                                     "DBDriver sqlite3\n"));

    ck_assert_str_eq(c.db_driver, "sqlite3");
}
END_TEST

START_TEST(conffile_read_missing_main_file)
{
    ailes_conffile_t c;
    const char *path = apr_pstrcat(pool, dir, "/no-such.conf", NULL);
    const char *err = ailes_conffile_read(pool, path, &c);

    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, path) != NULL, "error: %s", err);
}
END_TEST

START_TEST(conffile_read_vault_db_wrong_arity)
{
    const char *path = put("httpd.conf",
                           "# vault\n"
                           "\n"
                           "AilesVaultDB sqlite3\n");
    ailes_conffile_t c;
    const char *err = ailes_conffile_read(pool, path, &c);

    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, apr_pstrcat(pool, path, ":3:", NULL)) != NULL,
                  "error: %s", err);
    ck_assert_msg(strstr(err, "AilesVaultDB") != NULL, "error: %s", err);
    err = ailes_conffile_read(pool, put("b.conf",
                                        "AilesVaultDB sqlite3 /a /b\n"), &c);
    ck_assert_ptr_nonnull(err);
}
END_TEST

START_TEST(conffile_read_error_in_include_names_included_file)
{
    const char *inc = put("conf.d/vault.conf", "DBDriver sqlite3\n"
                                               "AilesVaultDB\n");
    ailes_conffile_t c;
    const char *err = ailes_conffile_read(pool, put("httpd.conf",
                                                    "Include conf.d/*.conf\n"),
                                          &c);

    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, apr_pstrcat(pool, inc, ":2:", NULL)) != NULL,
                  "error: %s", err);
}
END_TEST

START_TEST(conffile_read_unterminated_quote_names_line)
{
    const char *path = put("httpd.conf", "DBDriver sqlite3\n"
                                         "DBDParams \"/x.db\n");
    ailes_conffile_t c;
    const char *err = ailes_conffile_read(pool, path, &c);

    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, apr_pstrcat(pool, path, ":2:", NULL)) != NULL,
                  "error: %s", err);
}
END_TEST

START_TEST(conffile_read_key_file_relative_to_config)
{
    ailes_conffile_t c = read_ok(put("etc/httpd.conf",
                                     "AilesVaultKeyFile keys/vault.key\n"));

    ck_assert_str_eq(c.vault_key_file,
                     apr_pstrcat(pool, dir, "/etc/keys/vault.key", NULL));
}
END_TEST

START_TEST(conffile_read_include_loop_is_an_error)
{
    ailes_conffile_t c;
    const char *err = ailes_conffile_read(pool, put("loop.conf",
                                                    "Include loop.conf\n"),
                                          &c);

    ck_assert_ptr_nonnull(err);
}
END_TEST

START_TEST(conffile_read_mail_settings)
{
    ailes_conffile_t c = read_ok(put("m.conf",
                                     "AilesMailRelay smtp://127.0.0.1:2525\n"
                                     "AilesMailFrom ailes@example.com\n"));
    const char *err;

    ck_assert_str_eq(c.mail_relay, "smtp://127.0.0.1:2525");
    ck_assert_str_eq(c.mail_from, "ailes@example.com");
    c = read_ok(put("n.conf", "ServerName x\n"));
    ck_assert_ptr_null(c.mail_relay);
    ck_assert_ptr_null(c.mail_from);
    err = ailes_conffile_read(pool, put("bad.conf", "AilesMailRelay "
                                                    "http://x\n"), &c);
    ck_assert_ptr_nonnull(err);
    ck_assert(strstr(err, "bad.conf:1: AilesMailRelay") != NULL);
    err = ailes_conffile_read(pool, put("bad2.conf", "\nAilesMailFrom "
                                                     "\"a b@c\"\n"),
                              &c);
    ck_assert_ptr_nonnull(err);
    ck_assert(strstr(err, "bad2.conf:2: AilesMailFrom") != NULL);
}
END_TEST

Suite *ailes_suite_conffile(void)
{
    Suite *s = suite_create("conffile");
    TCase *tc = tcase_create("split");
    TCase *tr = tcase_create("read");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, conffile_split_plain_words);
    tcase_add_test(tc, conffile_split_double_quotes_keep_spaces);
    tcase_add_test(tc, conffile_split_single_quotes);
    tcase_add_test(tc, conffile_split_escaped_quote);
    tcase_add_test(tc, conffile_split_other_backslashes_kept);
    tcase_add_test(tc, conffile_split_empty_quoted_argument);
    tcase_add_test(tc, conffile_split_comment_lines);
    tcase_add_test(tc, conffile_split_hash_inside_line_is_an_argument);
    tcase_add_test(tc, conffile_split_unterminated_quote);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(tr, setup, teardown);
    tcase_add_test(tr, conffile_read_server_level_settings);
    tcase_add_test(tr, conffile_read_unset_values);
    tcase_add_test(tr, conffile_read_directive_names_case_insensitive);
    tcase_add_test(tr, conffile_read_ignores_virtualhost);
    tcase_add_test(tr, conffile_read_first_occurrence_wins);
    tcase_add_test(tr, conffile_read_backslash_continuation);
    tcase_add_test(tr, conffile_read_crlf_lines);
    tcase_add_test(tr, conffile_read_include_glob_relative_to_file);
    tcase_add_test(tr, conffile_read_include_optional_glob);
    tcase_add_test(tr, conffile_read_include_relative_to_server_root);
    tcase_add_test(tr, conffile_read_nested_include_relative_to_its_own_folder);
    tcase_add_test(tr, conffile_read_absolute_include);
    tcase_add_test(tr, conffile_read_missing_include_is_an_error);
    tcase_add_test(tr, conffile_read_include_glob_matching_nothing_is_an_error);
    tcase_add_test(tr, conffile_read_include_optional_missing_is_fine);
    tcase_add_test(tr, conffile_read_missing_main_file);
    tcase_add_test(tr, conffile_read_vault_db_wrong_arity);
    tcase_add_test(tr, conffile_read_error_in_include_names_included_file);
    tcase_add_test(tr, conffile_read_unterminated_quote_names_line);
    tcase_add_test(tr, conffile_read_key_file_relative_to_config);
    tcase_add_test(tr, conffile_read_include_loop_is_an_error);
    tcase_add_test(tr, conffile_read_mail_settings);
    suite_add_tcase(s, tr);
    return s;
}
