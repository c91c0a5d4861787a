/* tests/unit/test_mikey_codec.c - the text forms: hex (branch-free, it
 * carries SRTP keys) checked against every octet and every character, and
 * strict base64. */
#include <ctype.h>
#include "test_util.h"
#include "mikeysakke/codec.h"

static void test_hex_every_octet_and_character(void **state)
{
	uint8_t b[256], o[256];
	char h[513], ref[513];
	size_t n;
	int i;

	for (i = 0; i < 256; i++) {
		b[i] = (uint8_t)i;
		snprintf(ref + 2 * i, 3, "%02x", i);
	}
	ms_hex_encode(b, 256, h);
	assert_string_equal(h, ref);
	assert_int_equal(ms_hex_decode(h, 512, o, 256, &n), MS_OK);
	assert_int_equal(n, 256);
	assert_memory_equal(o, b, 256);
	for (i = 0; i < 512; i++)
		ref[i] = (char)toupper((unsigned char)ref[i]);
	assert_int_equal(ms_hex_decode(ref, 512, o, 256, &n), MS_OK);
	assert_memory_equal(o, b, 256);
	for (i = 1; i < 256; i++) {
		char t[2] = { (char)i, '0' };
		int digit = isxdigit(i);

		assert_int_equal(ms_hex_decode(t, 2, o, 1, &n), digit ? MS_OK : MS_ERR_MALFORMED);
		if (digit)
			assert_int_equal(o[0], (uint8_t)(strtol((char[]){ (char)i, 0 }, NULL, 16) << 4));
	}
	assert_int_equal(ms_hex_decode("abc", 3, o, 2, &n), MS_ERR_MALFORMED);
	assert_int_equal(ms_hex_decode("abcd", 4, o, 1, &n), MS_ERR_BUFFER);
}

static void test_base64_strict(void **state)
{
	uint8_t o[16];
	char t[16];
	size_t n;

	assert_int_equal(ms_base64_encode((const uint8_t *)"mikey", 5, t, sizeof(t)), MS_OK);
	assert_string_equal(t, "bWlrZXk=");
	assert_int_equal(ms_base64_decode(t, 8, o, sizeof(o), &n), MS_OK);
	assert_int_equal(n, 5);
	assert_memory_equal(o, "mikey", 5);
	assert_int_equal(ms_base64_decode("bWlrZXk", 7, o, sizeof(o), &n), MS_ERR_MALFORMED);
	assert_int_equal(ms_base64_decode("bW=rZXk=", 8, o, sizeof(o), &n), MS_ERR_MALFORMED);
	assert_int_equal(ms_base64_decode("bWlr ZXk", 8, o, sizeof(o), &n), MS_ERR_MALFORMED);
	assert_int_equal(ms_base64_decode("bWlrZXk=", 8, o, 5, &n), MS_ERR_BUFFER);
	assert_int_equal(ms_base64_encode((const uint8_t *)"mikey", 5, t, 8), MS_ERR_BUFFER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_every_octet_and_character),
		cmocka_unit_test(test_base64_strict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
