/* ailes_json: strict parsing of request bodies, typed member access,
 * compact UTF-8 output and the pool cleanup that owns every json_t. */
#include <string.h>

#include "ailes_json.h"
#include "unit_tests.h"

static apr_pool_t *pool;

static void setup(void)
{
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

/* Parses a NUL-terminated literal (its length without the NUL). */
static ailes_json_status_t parse(const char *s, json_t **out)
{
    return ailes_json_parse_object(pool, s, strlen(s), out);
}

/* Parses len bytes, so that a literal may hold NUL bytes. */
static ailes_json_status_t parse_n(const char *s, size_t len, json_t **out)
{
    return ailes_json_parse_object(pool, s, len, out);
}

#define MALFORMED(lit)                                                      \
    do {                                                                    \
        json_t *j_ = (json_t *)1;                                           \
        ck_assert_int_eq(parse_n(lit, sizeof(lit) - 1, &j_),                \
                         AILES_JSON_MALFORMED);                             \
        ck_assert_ptr_null(j_);                                             \
    } while (0)

START_TEST(json_parse_object_ok)
{
    json_t *j = NULL;

    ck_assert_int_eq(parse("{\"employee_no\":\"E001\",\"n\":5}", &j),
                     AILES_JSON_OK);
    ck_assert_ptr_nonnull(j);
    ck_assert(json_is_object(j));
    ck_assert_str_eq(ailes_json_string(j, "employee_no"), "E001");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "n")), 5);
}
END_TEST

START_TEST(json_parse_uses_len_not_nul)
{
    /* the buffer is not NUL-terminated after len */
    const char buf[] = "{\"a\":\"b\"}GARBAGE";
    json_t *j = NULL;

    ck_assert_int_eq(parse_n(buf, 9, &j), AILES_JSON_OK);
    ck_assert_str_eq(ailes_json_string(j, "a"), "b");
}
END_TEST

START_TEST(json_parse_array_is_not_object)
{
    json_t *j = (json_t *)1;

    ck_assert_int_eq(parse("[1,2]", &j), AILES_JSON_NOT_OBJECT);
    ck_assert_ptr_null(j);
    ck_assert_int_eq(parse("[]", &j), AILES_JSON_NOT_OBJECT);
    ck_assert_ptr_null(j);
}
END_TEST

START_TEST(json_parse_scalar_is_not_object)
{
    /* The header: NOT_OBJECT is "valid JSON but the top level is no
     * object"; a bare string or number is valid JSON (RFC 8259). */
    json_t *j = (json_t *)1;

    ck_assert_int_eq(parse("\"text\"", &j), AILES_JSON_NOT_OBJECT);
    ck_assert_ptr_null(j);
    ck_assert_int_eq(parse("42", &j), AILES_JSON_NOT_OBJECT);
    ck_assert_ptr_null(j);
    ck_assert_int_eq(parse("null", &j), AILES_JSON_NOT_OBJECT);
    ck_assert_ptr_null(j);
}
END_TEST

START_TEST(json_parse_truncated_is_malformed)
{
    MALFORMED("{");
    MALFORMED("{\"a\":");
    MALFORMED("{\"a\":\"b\"");
    MALFORMED("");
    MALFORMED("   ");
}
END_TEST

START_TEST(json_parse_trailing_garbage_is_malformed)
{
    MALFORMED("{\"a\":1}x");
    MALFORMED("{\"a\":1}{\"b\":2}");
    MALFORMED("{\"a\":1},");
}
END_TEST

START_TEST(json_parse_invalid_utf8_is_malformed)
{
    MALFORMED("{\"a\":\"\xff\"}");
    MALFORMED("{\"a\":\"\xc3\"}");          /* truncated sequence */
    MALFORMED("{\"a\":\"\xc0\xaf\"}");      /* overlong '/' */
    MALFORMED("{\"a\":\"\xed\xa0\x80\"}");  /* encoded surrogate */
    MALFORMED("{\"\xff\":1}");              /* in a key */
}
END_TEST

START_TEST(json_parse_lone_surrogate_escape_is_malformed)
{
    MALFORMED("{\"a\":\"\\ud800\"}");
}
END_TEST

START_TEST(json_parse_nul_is_malformed)
{
    MALFORMED("{\"a\":\"x\\u0000y\"}");     /* escaped NUL in a value */
    MALFORMED("{\"a\\u0000b\":1}");          /* escaped NUL in a key */
    MALFORMED("{\"a\":\"x\0y\"}");           /* raw NUL inside a string */
    MALFORMED("{\"a\":1}\0");                /* raw NUL after the object */
}
END_TEST

START_TEST(json_parse_duplicate_keys_are_malformed)
{
    MALFORMED("{\"role\":\"employee\",\"role\":\"tenant_admin\"}");
}
END_TEST

START_TEST(json_string_member)
{
    json_t *j;

    ck_assert_int_eq(parse("{\"s\":\"v\",\"e\":\"\",\"n\":1,\"z\":null,"
                           "\"b\":true,\"o\":{},\"a\":[\"x\"]}",
                           &j),
                     AILES_JSON_OK);
    ck_assert_str_eq(ailes_json_string(j, "s"), "v");
    ck_assert_str_eq(ailes_json_string(j, "e"), "");
    ck_assert_ptr_null(ailes_json_string(j, "n"));
    ck_assert_ptr_null(ailes_json_string(j, "z"));
    ck_assert_ptr_null(ailes_json_string(j, "b"));
    ck_assert_ptr_null(ailes_json_string(j, "o"));
    ck_assert_ptr_null(ailes_json_string(j, "a"));
    ck_assert_ptr_null(ailes_json_string(j, "absent"));
    ck_assert_ptr_null(ailes_json_string(j, "S"));
    ck_assert_ptr_null(ailes_json_string(NULL, "s"));
}
END_TEST

START_TEST(json_dump_is_compact_utf8)
{
    json_t *j;
    /* 山田 太郎 in UTF-8 */
    const char *name = "\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e";

    ck_assert_int_eq(parse("{ \"name\" : \"\\u5c71\\u7530 \\u592a\\u90ce\" ,"
                           "  \"list\" : [ 1 , 2 ] }",
                           &j),
                     AILES_JSON_OK);
    ck_assert_str_eq(ailes_json_string(j, "name"), name);
    ck_assert_str_eq(ailes_json_dump(pool, j),
                     "{\"name\":\"\xe5\xb1\xb1\xe7\x94\xb0 "
                     "\xe5\xa4\xaa\xe9\x83\x8e\",\"list\":[1,2]}");
}
END_TEST

START_TEST(json_dump_escapes_what_json_requires)
{
    json_t *j = ailes_json_pool(pool, json_pack("{s:s}", "k", "a\"b\\c\n"));

    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(ailes_json_dump(pool, j), "{\"k\":\"a\\\"b\\\\c\\n\"}");
}
END_TEST

START_TEST(json_dump_null)
{
    ck_assert_str_eq(ailes_json_dump(pool, NULL), "null");
}
END_TEST

START_TEST(json_pool_cleanup_releases_parsed_object)
{
    apr_pool_t *sub;
    json_t *j;

    ck_assert_int_eq(apr_pool_create(&sub, pool), APR_SUCCESS);
    ck_assert_int_eq(ailes_json_parse_object(sub, "{}", 2, &j),
                     AILES_JSON_OK);
    ck_assert_int_eq(j->refcount, 1);
    json_incref(j);
    ck_assert_int_eq(j->refcount, 2);
    apr_pool_destroy(sub);
    ck_assert_int_eq(j->refcount, 1);
    json_decref(j);
}
END_TEST

START_TEST(json_pool_ties_any_value_to_the_pool)
{
    apr_pool_t *sub;
    json_t *arr = json_array();

    ck_assert_int_eq(apr_pool_create(&sub, pool), APR_SUCCESS);
    json_incref(arr);
    ck_assert_ptr_eq(ailes_json_pool(sub, arr), arr);
    ck_assert_int_eq(arr->refcount, 2);
    apr_pool_clear(sub);
    ck_assert_int_eq(arr->refcount, 1);
    apr_pool_destroy(sub);
    ck_assert_int_eq(arr->refcount, 1);
    json_decref(arr);
}
END_TEST

START_TEST(json_pool_null_stays_null)
{
    ck_assert_ptr_null(ailes_json_pool(pool, NULL));
}
END_TEST

Suite *ailes_suite_json(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("json");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, json_parse_object_ok);
    tcase_add_test(tc, json_parse_uses_len_not_nul);
    tcase_add_test(tc, json_parse_array_is_not_object);
    tcase_add_test(tc, json_parse_scalar_is_not_object);
    tcase_add_test(tc, json_parse_truncated_is_malformed);
    tcase_add_test(tc, json_parse_trailing_garbage_is_malformed);
    tcase_add_test(tc, json_parse_invalid_utf8_is_malformed);
    tcase_add_test(tc, json_parse_lone_surrogate_escape_is_malformed);
    tcase_add_test(tc, json_parse_nul_is_malformed);
    tcase_add_test(tc, json_parse_duplicate_keys_are_malformed);
    tcase_add_test(tc, json_string_member);
    tcase_add_test(tc, json_dump_is_compact_utf8);
    tcase_add_test(tc, json_dump_escapes_what_json_requires);
    tcase_add_test(tc, json_dump_null);
    tcase_add_test(tc, json_pool_cleanup_releases_parsed_object);
    tcase_add_test(tc, json_pool_ties_any_value_to_the_pool);
    tcase_add_test(tc, json_pool_null_stays_null);
    suite_add_tcase(s, tc);
    return s;
}
