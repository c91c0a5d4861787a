/* tests/unit/test_mikey_keyparams.c - General Extension type 7 (TS 33.180
 * E.6): the envelope of every vendor message, opened with the DPCK derived
 * (here, in the test, from the SSV the vectors publish) and checked against
 * the key type the vector names. */
#include <openssl/hmac.h>
#include "test_mikey_vectors.h"
#include "mikeysakke/keyparams.h"

static struct tv_msg tv[TV_MAX];
static size_t n_tv;

static int load(void **state)
{
	n_tv = tv_load(tv, TV_MAX);
	return n_tv ? 0 : -1;
}

/* TS 33.220 B.2 KDF with FC 0x53 and P0 = DPPK-ID; DPCK = low 128 bits. */
static void dpck_of(const uint8_t *ssv, size_t ssv_len, uint32_t dppk_id, uint8_t dpck[16])
{
	uint8_t s[7] = { 0x53, (uint8_t)(dppk_id >> 24), (uint8_t)(dppk_id >> 16),
			 (uint8_t)(dppk_id >> 8), (uint8_t)dppk_id, 0x00, 0x04 };
	uint8_t mac[32];
	unsigned int n = 0;

	assert_non_null(HMAC(EVP_sha256(), ssv, (int)ssv_len, s, sizeof(s), mac, &n));
	assert_int_equal(n, 32);
	memcpy(dpck, mac + 16, 16);
}

static void test_dpck_kdf_vector(void **state)
{
	size_t i;
	uint8_t dpck[16];

	assert_true(INTEROP_COUNT(interop_dpck_vectors) > 0);
	for (i = 0; i < INTEROP_COUNT(interop_dpck_vectors); i++) {
		const struct interop_dpck_vector *d = &interop_dpck_vectors[i];

		dpck_of(d->gmk, d->gmk_len, d->dppk_id, dpck);
		assert_memory_equal(dpck, d->expected, 16);
	}
}

static void test_vendor_envelopes(void **state)
{
	size_t i, opened = 0, plain_forms = 0;

	for (i = 0; i < n_tv; i++) {
		struct mikey_msg m;
		const struct mikey_payload *g;
		struct mikey_keyparams_env env;
		struct mikey_keyparams kp;
		struct mikey_error err;
		uint8_t dpck[16], plain[512];
		size_t plain_len;
		ms_rc rc;

		assert_int_equal(mikey_decode(tv[i].bytes, tv[i].len, &m, &err), MS_OK);
		g = mikey_find(&m, MIKEY_PT_GEXT, -1);
		if (!g || g->u.gext.type != MIKEY_GEXT_KEY_PARAMS)
			continue;
		rc = mikey_keyparams_env_decode(&g->u.gext.data, &env, &err);
		if (rc == MS_ERR_UNSUPPORTED) {
			assert_true(g->u.gext.data.len < MIKEY_KP_HEAD_LEN);
			plain_forms++;
			continue;
		}
		assert_int_equal(rc, MS_OK);
		/* DPPK-ID is the CSB ID of the message */
		assert_int_equal(env.dppk_id, m.hdr.csb_id);
		if (!tv[i].v || !tv[i].v->ssv)
			continue;
		dpck_of(tv[i].v->ssv, tv[i].v->ssv_len, env.dppk_id, dpck);
		assert_int_equal(mikey_keyparams_open(&env, dpck, plain, sizeof(plain), &plain_len), MS_OK);
		assert_int_equal(plain_len, env.ciphertext.len - 16);
		assert_int_equal(mikey_keyparams_decode(plain, plain_len, &kp, &err), MS_OK);
		if (strstr(tv[i].name, "GMK")) {
			assert_int_equal(kp.key_type, MIKEY_KT_GMK);
			assert_true(kp.rest.len >= 3);   /* group IDs: length (2), count (1) */
		}
		else if (strstr(tv[i].name, "CSK"))
			assert_int_equal(kp.key_type, MIKEY_KT_CSK);
		else if (strstr(tv[i].name, "PCK"))
			assert_int_equal(kp.key_type, MIKEY_KT_PCK);
		/* a wrong key or one flipped ciphertext bit fails the tag */
		dpck[0] ^= 1;
		assert_int_equal(mikey_keyparams_open(&env, dpck, plain, sizeof(plain), &plain_len),
				 MS_ERR_BAD_SIGNATURE);
		opened++;
	}
	print_message("%zu envelopes opened, %zu plain forms\n", opened, plain_forms);
	assert_true(opened >= 8);
	assert_true(plain_forms >= 4);
}

static void test_envelope_refusals(void **state)
{
	uint8_t b[64] = { 0 };
	struct mikey_bytes d = { b, 35 + 16 };
	struct mikey_keyparams_env env;
	struct mikey_error err;

	b[33] = 0; b[34] = 16;   /* TLV-E length 16: just a tag */
	assert_int_equal(mikey_keyparams_env_decode(&d, &env, &err), MS_OK);
	b[34] = 17;
	assert_int_equal(mikey_keyparams_env_decode(&d, &env, &err), MS_ERR_MALFORMED);
	assert_string_equal(err.text, "offset 33: key parameters ciphertext length 17 exceeds remaining 16");
	b[34] = 15;
	assert_int_equal(mikey_keyparams_env_decode(&d, &env, &err), MS_ERR_MALFORMED);
	assert_string_equal(err.text, "offset 50: 1 octets after the key parameters");
	d.len = 34;
	assert_int_equal(mikey_keyparams_env_decode(&d, &env, &err), MS_ERR_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpck_kdf_vector),
		cmocka_unit_test(test_vendor_envelopes),
		cmocka_unit_test(test_envelope_refusals),
	};
	return cmocka_run_group_tests(tests, load, NULL);
}
