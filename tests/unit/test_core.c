/* tests/unit/test_core.c - hex codec, secure memory, status messages. */
#include "test_util.h"
#include "token/hex.h"
#include "token/secmem.h"
#include "token/status.h"

static void hex_round_trip(void **state)
{
	uint8_t out[4];
	char text[9];
	size_t n;

	(void)state;
	assert_int_equal(hex_decode("00aBcD", 6, out, sizeof out, &n), MST_OK);
	assert_int_equal(n, 3);
	assert_int_equal(out[1], 0xab);
	hex_encode(out, 3, text);
	assert_string_equal(text, "00abcd");
	hex_encode_upper(out, 3, text);
	assert_string_equal(text, "00ABCD");
}

static void hex_refuses_bad_input(void **state)
{
	uint8_t out[4];
	size_t n;

	(void)state;
	assert_int_equal(hex_decode("0g", 2, out, sizeof out, &n), MST_ERR_PARSE);
	assert_int_equal(hex_decode("abc", 3, out, sizeof out, &n), MST_ERR_PARSE);
	assert_int_equal(hex_decode("0011223344", 10, out, sizeof out, &n), MST_ERR_PARSE);
	assert_int_equal(hex_decode_exact("0011", 4, out, 3), MST_ERR_PARSE);
	assert_int_equal(hex_decode_exact("001122", 6, out, 3), MST_OK);
}

static void secmem_is_zeroed_and_sized(void **state)
{
	uint8_t *p = secmem_alloc(100);
	size_t i;

	(void)state;
	assert_non_null(p);
	for (i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(secmem_size(p), 100);
	memset(p, 0x5a, 100);
	secmem_free(p);
	secmem_free(NULL);
	assert_null(secmem_alloc(0));
}

static void secure_memcmp_compares(void **state)
{
	(void)state;
	assert_int_equal(secure_memcmp("abc", "abc", 3), 0);
	assert_int_not_equal(secure_memcmp("abc", "abd", 3), 0);
}

static void status_messages_exist(void **state)
{
	int rc;

	(void)state;
	for (rc = 0; rc < MST_ERR_MAX; rc++)
		assert_string_not_equal(mst_strerror((mst_rc)rc), "unknown error");
	assert_string_equal(mst_strerror(MST_ERR_MAX), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hex_round_trip),
		cmocka_unit_test(hex_refuses_bad_input),
		cmocka_unit_test(secmem_is_zeroed_and_sized),
		cmocka_unit_test(secure_memcmp_compares),
		cmocka_unit_test(status_messages_exist),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
