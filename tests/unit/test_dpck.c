/* tests/unit/test_dpck.c - DPCK = low 128 bits of KDF(SSV, 0x53, DPPK-ID)
 * (TS 33.180 E.6, TS 33.220 B.2): the Streamwide vector byte for byte, a
 * one-shot HMAC() transcription of the formula for other inputs, and the
 * refusals. */
#include "test_util.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "token/dpck.h"
#include "vectors/interop_vectors.h"

static void test_vectors(void **state)
{
	size_t i;
	uint8_t out[DPCK_LEN];

	(void)state;
	assert_true(INTEROP_COUNT(interop_dpck_vectors) > 0);
	for (i = 0; i < INTEROP_COUNT(interop_dpck_vectors); i++) {
		const struct interop_dpck_vector *d = &interop_dpck_vectors[i];

		assert_int_equal(d->expected_len, DPCK_LEN);
		assert_int_equal(dpck_derive(d->gmk, d->gmk_len, d->dppk_id, out), MST_OK);
		assert_memory_equal(out, d->expected, DPCK_LEN);
	}
}

/* Independent transcription: the S string written out octet by octet. */
static void test_formula(void **state)
{
	static const uint32_t ids[] = { 0, 1, 0x12345678U, 0xdeadbaadU, 0xffffffffU };
	uint8_t ssv[32], out[DPCK_LEN], mac[32];
	unsigned int n = 0;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(ssv); i++)
		ssv[i] = (uint8_t)(0xa5 ^ i * 7);
	for (len = 16; len <= 32; len += 16) {
		for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
			uint8_t s[7];

			s[0] = 0x53;
			s[1] = (uint8_t)(ids[i] >> 24);
			s[2] = (uint8_t)(ids[i] >> 16);
			s[3] = (uint8_t)(ids[i] >> 8);
			s[4] = (uint8_t)ids[i];
			s[5] = 0;
			s[6] = 4;
			assert_non_null(HMAC(EVP_sha256(), ssv, (int)len, s, 7, mac, &n));
			assert_int_equal(dpck_derive(ssv, len, ids[i], out), MST_OK);
			assert_memory_equal(out, mac + 16, DPCK_LEN);
		}
	}
	/* the DPPK-ID and the SSV both matter */
	assert_int_equal(dpck_derive(ssv, 16, 1, mac), MST_OK);
	assert_int_equal(dpck_derive(ssv, 16, 2, out), MST_OK);
	assert_memory_not_equal(out, mac, DPCK_LEN);
	ssv[0] ^= 1;
	assert_int_equal(dpck_derive(ssv, 16, 1, out), MST_OK);
	assert_memory_not_equal(out, mac, DPCK_LEN);
}

static void test_refusals(void **state)
{
	uint8_t ssv[16] = { 1 }, out[DPCK_LEN];

	(void)state;
	assert_int_equal(dpck_derive(NULL, 16, 1, out), MST_ERR_ARGS);
	assert_int_equal(dpck_derive(ssv, 0, 1, out), MST_ERR_ARGS);
	assert_int_equal(dpck_derive(ssv, 16, 1, NULL), MST_ERR_ARGS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_formula),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
