/* tests/unit/test_sakke.c - SAKKE against RFC 6508 Appendix A, byte for
 * byte (z, Z, b, K, r, R, g^r, mask, H, w, SSV, TEST), plus g = <P,P>,
 * bilinearity, round trips and refusal of bad input. */
#include "test_util.h"
#include "token/sakke.h"
#include "token/sakke_internal.h"
#include "sakke_rfc_vectors.h"

/* 0x04 || x || y from two hex literals */
static void point_from_hex(uint8_t out[SAKKE_POINT_LEN], const char *x, const char *y)
{
	size_t lx, ly;
	uint8_t *bx = test_hex(x, &lx), *by = test_hex(y, &ly);

	assert_int_equal(lx, SAKKE_L);
	assert_int_equal(ly, SAKKE_L);
	out[0] = 0x04;
	memcpy(out + 1, bx, SAKKE_L);
	memcpy(out + 1 + SAKKE_L, by, SAKKE_L);
	free(bx);
	free(by);
}

struct rfc {
	uint8_t z_pub[SAKKE_POINT_LEN], rsk[SAKKE_POINT_LEN], ssv[SAKKE_SSV_LEN];
	uint8_t *z, *b;
	size_t z_len, b_len;
};

static void rfc_load(struct rfc *v)
{
	size_t n;
	uint8_t *ssv;

	point_from_hex(v->z_pub, RFC_ZX, RFC_ZY);
	point_from_hex(v->rsk, RFC_KBX, RFC_KBY);
	v->z = test_hex(RFC_Z_SECRET, &v->z_len);
	v->b = test_hex(RFC_B, &v->b_len);
	ssv = test_hex(RFC_SSV, &n);
	assert_int_equal(n, SAKKE_SSV_LEN);
	memcpy(v->ssv, ssv, n);
	free(ssv);
}

static void rfc_free(struct rfc *v)
{
	free(v->z);
	free(v->b);
}

static void rfc_kms_public_key(void **state)
{
	struct rfc v;
	uint8_t z_pub[SAKKE_POINT_LEN];

	(void)state;
	rfc_load(&v);
	assert_int_equal(sakke_kms_public(v.z, v.z_len, z_pub), MST_OK);
	assert_memory_equal(z_pub, v.z_pub, SAKKE_POINT_LEN);
	assert_hex_equal(z_pub + 1, SAKKE_L, RFC_ZX);
	assert_hex_equal(z_pub + 1 + SAKKE_L, SAKKE_L, RFC_ZY);
	assert_int_equal(sakke_check_point(z_pub), MST_OK);
	rfc_free(&v);
}

static void rfc_rsk_issue_and_validate(void **state)
{
	struct rfc v;
	uint8_t rsk[SAKKE_POINT_LEN];

	(void)state;
	rfc_load(&v);
	assert_hex_equal(v.b, v.b_len, "323031312D30320074656C3A2B343437373030393030313233 00");
	assert_int_equal(sakke_rsk_issue(v.z, v.z_len, v.b, v.b_len, rsk), MST_OK);
	assert_hex_equal(rsk + 1, SAKKE_L, RFC_KBX);
	assert_hex_equal(rsk + 1 + SAKKE_L, SAKKE_L, RFC_KBY);
	assert_int_equal(sakke_rsk_validate(v.z_pub, v.b, v.b_len, v.rsk), MST_OK);
	rfc_free(&v);
}

static void rfc_hash_to_range(void **state)
{
	struct rfc v;
	uint8_t m[SAKKE_SSV_LEN + 64], r[SAKKE_L], gr[SAKKE_L], mask[SAKKE_SSV_LEN];
	static const uint8_t two_128[17] = { 1 };
	uint8_t wide[17];
	size_t n;
	uint8_t *g_r = test_hex(RFC_GR, &n);

	(void)state;
	rfc_load(&v);
	memcpy(m, v.ssv, SAKKE_SSV_LEN);
	memcpy(m + SAKKE_SSV_LEN, v.b, v.b_len);
	assert_int_equal(sakke_hash_to_range(m, SAKKE_SSV_LEN + v.b_len, sakke_param_q, SAKKE_L, r), MST_OK);
	assert_hex_equal(r, SAKKE_L, RFC_R);
	/* the same value from the two-part form used internally */
	memset(r, 0, sizeof r);
	assert_int_equal(sakke_h2r_parts(v.ssv, SAKKE_SSV_LEN, v.b, v.b_len, sakke_param_q, SAKKE_L, r), MST_OK);
	assert_hex_equal(r, SAKKE_L, RFC_R);
	/* mask = HashToIntegerRange(g^r, 2^128) */
	memcpy(gr, g_r, SAKKE_L);
	assert_int_equal(sakke_hash_to_range(gr, SAKKE_L, two_128, sizeof two_128, wide), MST_OK);
	assert_int_equal(wide[0], 0);
	assert_hex_equal(wide + 1, 16, RFC_MASK);
	assert_int_equal(sakke_mask(gr, mask), MST_OK);
	assert_hex_equal(mask, sizeof mask, RFC_MASK);
	/* n = 0 and n too large for the block count are refused */
	assert_int_equal(sakke_hash_to_range(m, 4, (const uint8_t *)"\0", 1, wide), MST_ERR_ARGS);
	free(g_r);
	rfc_free(&v);
}

static void rfc_encapsulate(void **state)
{
	struct rfc v;
	uint8_t encap[SAKKE_ENCAP_LEN], r[SAKKE_SCALAR_LEN], gr[SAKKE_L], again[SAKKE_ENCAP_LEN];

	(void)state;
	rfc_load(&v);
	assert_int_equal(sakke_encapsulate_trace(v.z_pub, v.b, v.b_len, v.ssv, encap, r, gr), MST_OK);
	assert_hex_equal(r, sizeof r, RFC_R);
	assert_int_equal(encap[0], 0x04);
	assert_hex_equal(encap + 1, SAKKE_L, RFC_RBX);
	assert_hex_equal(encap + 1 + SAKKE_L, SAKKE_L, RFC_RBY);
	assert_hex_equal(gr, sizeof gr, RFC_GR);
	assert_hex_equal(encap + SAKKE_POINT_LEN, SAKKE_SSV_LEN, RFC_H);
	/* g^r through the exposed PF_p exponentiation */
	assert_int_equal(sakke_g_pow(r, sizeof r, gr), MST_OK);
	assert_hex_equal(gr, sizeof gr, RFC_GR);
	/* deterministic */
	assert_int_equal(sakke_encapsulate(v.z_pub, v.b, v.b_len, v.ssv, again), MST_OK);
	assert_memory_equal(encap, again, SAKKE_ENCAP_LEN);
	rfc_free(&v);
}

static void rfc_decapsulate(void **state)
{
	struct rfc v;
	uint8_t encap[SAKKE_ENCAP_LEN], w[SAKKE_L], ssv[SAKKE_SSV_LEN], test[SAKKE_POINT_LEN];
	size_t n;
	uint8_t *h = test_hex(RFC_H, &n), *r = test_hex(RFC_R, &n);

	(void)state;
	rfc_load(&v);
	point_from_hex(encap, RFC_RBX, RFC_RBY);
	memcpy(encap + SAKKE_POINT_LEN, h, SAKKE_SSV_LEN);
	/* w = <R, K> = g^r */
	assert_int_equal(sakke_pairing(encap, v.rsk, w), MST_OK);
	assert_hex_equal(w, sizeof w, RFC_GR);
	/* TEST = [r]([b]P + Z) == R */
	{
		ec_aff bpz;
		uint8_t bpz_enc[SAKKE_POINT_LEN];

		assert_int_equal(sakke_id_point(v.z_pub, v.b, v.b_len, &bpz), MST_OK);
		ec_encode(bpz_enc, &bpz);
		assert_int_equal(sakke_point_mul(r, n, bpz_enc, test), MST_OK);
		assert_hex_equal(test + 1, SAKKE_L, RFC_RBX);
		assert_hex_equal(test + 1 + SAKKE_L, SAKKE_L, RFC_RBY);
	}
	assert_int_equal(sakke_decapsulate(v.z_pub, v.b, v.b_len, v.rsk, encap, ssv), MST_OK);
	assert_hex_equal(ssv, sizeof ssv, RFC_SSV);
	free(h);
	free(r);
	rfc_free(&v);
}

static void g_is_pairing_of_p_with_itself(void **state)
{
	uint8_t g[SAKKE_L], one[1] = { 1 };

	(void)state;
	assert_int_equal(sakke_pairing(sakke_param_P, sakke_param_P, g), MST_OK);
	assert_memory_equal(g, sakke_param_g, SAKKE_L);
	assert_hex_equal(g, sizeof g, RFC_G);
	/* g^1 == g through the PF_p exponentiation */
	assert_int_equal(sakke_g_pow(one, 1, g), MST_OK);
	assert_memory_equal(g, sakke_param_g, SAKKE_L);
	assert_int_equal(sakke_check_point(sakke_param_P), MST_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(g_is_pairing_of_p_with_itself),
		cmocka_unit_test(rfc_hash_to_range),
		cmocka_unit_test(rfc_kms_public_key),
		cmocka_unit_test(rfc_rsk_issue_and_validate),
		cmocka_unit_test(rfc_encapsulate),
		cmocka_unit_test(rfc_decapsulate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
