/* tests/unit/test_sakke.c - SAKKE against RFC 6508 Appendix A, byte for
 * byte (z, Z, b, K, r, R, g^r, mask, H, w, SSV, TEST), plus g = <P,P>,
 * bilinearity, round trips and refusal of bad input. */
#include "test_util.h"
#include <openssl/bn.h>
#include <openssl/rand.h>
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
	/* the same value from the two-part form used internally, with the
	 * intermediates of the RFC's HashToIntegerRange example */
	memset(r, 0, sizeof r);
	{
		struct h2r_trace tr;

		assert_int_equal(sakke_h2r_trace(v.ssv, SAKKE_SSV_LEN, v.b, v.b_len, sakke_param_q, SAKKE_L,
						 r, &tr), MST_OK);
		assert_int_equal(tr.blocks, 4);
		assert_hex_equal(tr.a, 32, RFC_M_A);
		assert_hex_equal(tr.h[0], 32, RFC_M_H1);
		assert_hex_equal(tr.h[1], 32, RFC_M_H2);
		assert_hex_equal(tr.h[2], 32, RFC_M_H3);
		assert_hex_equal(tr.h[3], 32, RFC_M_H4);
		assert_hex_equal(tr.v[0], 32, RFC_M_V1);
		assert_hex_equal(tr.v[1], 32, RFC_M_V2);
		assert_hex_equal(tr.v[2], 32, RFC_M_V3);
		assert_hex_equal(tr.v[3], 32, RFC_M_V4);
	}
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
		ec_jac bpz;
		ec_aff bpz_aff;
		uint8_t bpz_enc[SAKKE_POINT_LEN];

		assert_int_equal(sakke_id_point(v.z_pub, v.b, v.b_len, &bpz), MST_OK);
		assert_true(ec_to_affine(&bpz_aff, &bpz) != 0);
		ec_encode(bpz_enc, &bpz_aff);
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

/* A point on E outside E(F_p)[q]: x from a counter until x^3 - 3x is a
 * square, y its square root (OpenSSL BN).  [q]T != O for such a T with
 * overwhelming probability, and the test checks exactly that. */
static void point_outside_subgroup(uint8_t out[SAKKE_POINT_LEN])
{
	BIGNUM *p = BN_bin2bn(sakke_param_p, SAKKE_L, NULL), *x = BN_new(), *rhs = BN_new();
	BIGNUM *y = BN_new(), *t = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	unsigned long k;

	for (k = 5;; k++) {
		BN_set_word(x, k);
		BN_mod_sqr(rhs, x, p, ctx);
		BN_sub_word(rhs, 3);
		BN_mod_mul(rhs, rhs, x, p, ctx);
		if (BN_kronecker(rhs, p, ctx) == 1)
			break;
	}
	assert_non_null(BN_mod_sqrt(y, rhs, p, ctx));
	BN_mod_sqr(t, y, p, ctx);
	assert_int_equal(BN_cmp(t, rhs), 0);
	out[0] = 0x04;
	BN_bn2binpad(x, out + 1, SAKKE_L);
	BN_bn2binpad(y, out + 1 + SAKKE_L, SAKKE_L);
	BN_free(p); BN_free(x); BN_free(rhs); BN_free(y); BN_free(t);
	BN_CTX_free(ctx);
}

static void bad_points_are_refused(void **state)
{
	uint8_t pt[SAKKE_POINT_LEN], out[SAKKE_POINT_LEN], w[SAKKE_L];
	ec_aff a;
	size_t i;

	(void)state;
	/* the generator passes; each damaged copy fails */
	assert_int_equal(ec_decode(&a, sakke_param_P, SAKKE_POINT_LEN), MST_OK);
	/* truncated / overlong / NULL */
	assert_int_equal(ec_decode(&a, sakke_param_P, SAKKE_POINT_LEN - 1), MST_ERR_BAD_POINT);
	assert_int_equal(ec_decode(&a, sakke_param_P, 1 + SAKKE_L), MST_ERR_BAD_POINT);
	assert_int_equal(ec_decode(&a, sakke_param_P, 0), MST_ERR_BAD_POINT);
	assert_int_equal(ec_decode(&a, NULL, SAKKE_POINT_LEN), MST_ERR_BAD_POINT);
	/* bad prefix: compressed forms and others */
	for (i = 0; i < 256; i++) {
		if (i == 4)
			continue;
		memcpy(pt, sakke_param_P, sizeof pt);
		pt[0] = (uint8_t)i;
		assert_int_equal(sakke_check_point(pt), MST_ERR_BAD_POINT);
	}
	/* infinity: the one-octet SEC1 form padded, and all zeros */
	memset(pt, 0, sizeof pt);
	assert_int_equal(sakke_check_point(pt), MST_ERR_BAD_POINT);
	/* (0, 0) is on E (order 2) but not in E(F_p)[q] */
	pt[0] = 0x04;
	assert_int_equal(ec_decode(&a, pt, sizeof pt), MST_OK);
	assert_int_equal(sakke_check_point(pt), MST_ERR_BAD_POINT);
	/* off the curve: y + 1 */
	memcpy(pt, sakke_param_P, sizeof pt);
	pt[SAKKE_POINT_LEN - 1] ^= 1;
	assert_int_equal(sakke_check_point(pt), MST_ERR_BAD_POINT);
	assert_int_equal(sakke_pairing(pt, sakke_param_P, w), MST_ERR_BAD_POINT);
	assert_int_equal(sakke_point_mul((const uint8_t *)"\x02", 1, pt, out), MST_ERR_BAD_POINT);
	/* x >= p: x = p and x = p + Px are both refused (the latter reduces
	 * to a point on the curve, so this tests the range check itself) */
	memcpy(pt, sakke_param_P, sizeof pt);
	memcpy(pt + 1, sakke_param_p, SAKKE_L);
	assert_int_equal(sakke_check_point(pt), MST_ERR_BAD_POINT);
	{
		BIGNUM *p = BN_bin2bn(sakke_param_p, SAKKE_L, NULL);
		BIGNUM *x = BN_bin2bn(sakke_param_P + 1, SAKKE_L, NULL);

		BN_add(x, x, p);
		if (BN_num_bytes(x) <= SAKKE_L) {
			BN_bn2binpad(x, pt + 1, SAKKE_L);
			assert_int_equal(sakke_check_point(pt), MST_ERR_BAD_POINT);
		}
		/* y >= p: y = Py + p if it fits */
		memcpy(pt, sakke_param_P, sizeof pt);
		BN_bin2bn(sakke_param_P + 1 + SAKKE_L, SAKKE_L, x);
		BN_add(x, x, p);
		assert_true(BN_num_bytes(x) <= SAKKE_L);
		BN_bn2binpad(x, pt + 1 + SAKKE_L, SAKKE_L);
		assert_int_equal(sakke_check_point(pt), MST_ERR_BAD_POINT);
		BN_free(p);
		BN_free(x);
	}
	/* on the curve, outside the subgroup */
	point_outside_subgroup(pt);
	assert_int_equal(ec_decode(&a, pt, sizeof pt), MST_OK);
	assert_int_equal(sakke_check_point(pt), MST_ERR_BAD_POINT);
}

static void bad_encapsulated_data_fails_with_zero_output(void **state)
{
	struct rfc v;
	uint8_t encap[SAKKE_ENCAP_LEN], bad[SAKKE_ENCAP_LEN], ssv[SAKKE_SSV_LEN];
	static const uint8_t zero[SAKKE_SSV_LEN];
	static const size_t flips[] = { 1 + 17, 1 + SAKKE_L - 1, 1 + SAKKE_L + 40, SAKKE_POINT_LEN - 1 };
	size_t i;
	mst_rc rc;

	(void)state;
	rfc_load(&v);
	assert_int_equal(sakke_encapsulate(v.z_pub, v.b, v.b_len, v.ssv, encap), MST_OK);
	/* one flipped bit in R (x, then y): malformed or failing the test */
	for (i = 0; i < sizeof flips / sizeof flips[0]; i++) {
		memcpy(bad, encap, sizeof bad);
		bad[flips[i]] ^= 0x10;
		memset(ssv, 0xa5, sizeof ssv);
		rc = sakke_decapsulate(v.z_pub, v.b, v.b_len, v.rsk, bad, ssv);
		assert_true(rc == MST_ERR_BAD_POINT || rc == MST_ERR_DECAPSULATE);
		assert_memory_equal(ssv, zero, sizeof ssv);
	}
	/* one flipped bit in H: R is fine, the validity test fails */
	for (i = 0; i < 2; i++) {
		memcpy(bad, encap, sizeof bad);
		bad[SAKKE_POINT_LEN + (i ? SAKKE_SSV_LEN - 1 : 0)] ^= (uint8_t)(i ? 0x01 : 0x80);
		memset(ssv, 0xa5, sizeof ssv);
		assert_int_equal(sakke_decapsulate(v.z_pub, v.b, v.b_len, v.rsk, bad, ssv), MST_ERR_DECAPSULATE);
		assert_memory_equal(ssv, zero, sizeof ssv);
	}
	/* R replaced by a curve point outside E(F_p)[q], and by -R */
	memcpy(bad, encap, sizeof bad);
	point_outside_subgroup(bad);
	memset(ssv, 0xa5, sizeof ssv);
	assert_int_equal(sakke_decapsulate(v.z_pub, v.b, v.b_len, v.rsk, bad, ssv), MST_ERR_DECAPSULATE);
	assert_memory_equal(ssv, zero, sizeof ssv);
	/* R = (0, 0), on E and of order 2: the Miller loop degenerates
	 * (no crash), the validity test refuses */
	memset(bad, 0, SAKKE_POINT_LEN);
	bad[0] = 0x04;
	memset(ssv, 0xa5, sizeof ssv);
	assert_int_equal(sakke_decapsulate(v.z_pub, v.b, v.b_len, v.rsk, bad, ssv), MST_ERR_DECAPSULATE);
	assert_memory_equal(ssv, zero, sizeof ssv);
	/* another receiver's identifier, and a damaged Z */
	memset(ssv, 0xa5, sizeof ssv);
	assert_int_equal(sakke_decapsulate(v.z_pub, (const uint8_t *)"bob", 3, v.rsk, encap, ssv),
			 MST_ERR_DECAPSULATE);
	assert_memory_equal(ssv, zero, sizeof ssv);
	memcpy(bad, v.z_pub, SAKKE_POINT_LEN);
	bad[100] ^= 1;
	assert_int_equal(sakke_decapsulate(bad, v.b, v.b_len, v.rsk, encap, ssv), MST_ERR_BAD_POINT);
	assert_memory_equal(ssv, zero, sizeof ssv);
	/* Z and K on the curve but outside E(F_p)[q] (decapsulation checks
	 * only the curve for them): the validity test refuses */
	point_outside_subgroup(bad);
	memset(ssv, 0xa5, sizeof ssv);
	assert_int_equal(sakke_decapsulate(bad, v.b, v.b_len, v.rsk, encap, ssv), MST_ERR_DECAPSULATE);
	assert_memory_equal(ssv, zero, sizeof ssv);
	memset(ssv, 0xa5, sizeof ssv);
	assert_int_equal(sakke_decapsulate(v.z_pub, v.b, v.b_len, bad, encap, ssv), MST_ERR_DECAPSULATE);
	assert_memory_equal(ssv, zero, sizeof ssv);
	/* missing arguments */
	assert_int_equal(sakke_decapsulate(v.z_pub, v.b, 0, v.rsk, encap, ssv), MST_ERR_ARGS);
	assert_int_equal(sakke_decapsulate(v.z_pub, v.b, v.b_len, NULL, encap, ssv), MST_ERR_ARGS);
	assert_int_equal(sakke_decapsulate(v.z_pub, v.b, v.b_len, v.rsk, encap, NULL), MST_ERR_ARGS);
	rfc_free(&v);
}

static void wrong_keys_are_refused(void **state)
{
	struct rfc v;
	uint8_t rsk[SAKKE_POINT_LEN], z_pub[SAKKE_POINT_LEN], encap[SAKKE_ENCAP_LEN];
	uint8_t big[SAKKE_SCALAR_LEN + 1], a_neg[SAKKE_L];
	static const uint8_t zero = 0, one = 1;

	(void)state;
	rfc_load(&v);
	/* RSK of another identifier (same KMS) */
	assert_int_equal(sakke_rsk_issue(v.z, v.z_len, (const uint8_t *)"bob", 3, rsk), MST_OK);
	assert_int_equal(sakke_rsk_validate(v.z_pub, v.b, v.b_len, rsk), MST_ERR_BAD_KEY);
	assert_int_equal(sakke_rsk_validate(v.z_pub, (const uint8_t *)"bob", 3, rsk), MST_OK);
	/* the RFC RSK against another identifier, and another KMS key */
	assert_int_equal(sakke_rsk_validate(v.z_pub, (const uint8_t *)"bob", 3, v.rsk), MST_ERR_BAD_KEY);
	assert_int_equal(sakke_rsk_validate(sakke_param_P, v.b, v.b_len, v.rsk), MST_ERR_BAD_KEY);
	/* malformed or out-of-subgroup RSK / Z */
	memcpy(rsk, v.rsk, sizeof rsk);
	rsk[200] ^= 4;
	assert_int_equal(sakke_rsk_validate(v.z_pub, v.b, v.b_len, rsk), MST_ERR_BAD_POINT);
	point_outside_subgroup(rsk);
	assert_int_equal(sakke_rsk_validate(v.z_pub, v.b, v.b_len, rsk), MST_ERR_BAD_POINT);
	assert_int_equal(sakke_rsk_validate(rsk, v.b, v.b_len, v.rsk), MST_ERR_BAD_POINT);
	assert_int_equal(sakke_encapsulate(rsk, v.b, v.b_len, v.ssv, encap), MST_ERR_BAD_POINT);
	assert_int_equal(sakke_rsk_validate(v.z_pub, v.b, 0, v.rsk), MST_ERR_ARGS);
	/* master secret outside [2, q-1] */
	assert_int_equal(sakke_kms_public(&zero, 1, z_pub), MST_ERR_BAD_SCALAR);
	assert_int_equal(sakke_kms_public(&one, 1, z_pub), MST_ERR_BAD_SCALAR);
	assert_int_equal(sakke_kms_public(sakke_param_q, SAKKE_L, z_pub), MST_ERR_BAD_SCALAR);
	memset(big, 0, sizeof big);
	big[SAKKE_SCALAR_LEN] = 5;
	assert_int_equal(sakke_kms_public(big, sizeof big, z_pub), MST_ERR_ARGS);
	assert_int_equal(sakke_rsk_issue(sakke_param_q, SAKKE_L, v.b, v.b_len, rsk), MST_ERR_BAD_SCALAR);
	/* identifier a = q - z: a + z = 0 mod q has no inverse */
	{
		BIGNUM *q = BN_bin2bn(sakke_param_q, SAKKE_L, NULL), *z = BN_bin2bn(v.z, (int)v.z_len, NULL);

		BN_sub(q, q, z);
		BN_bn2binpad(q, a_neg, SAKKE_L);
		BN_free(q);
		BN_free(z);
	}
	assert_int_equal(sakke_rsk_issue(v.z, v.z_len, a_neg, sizeof a_neg, rsk), MST_ERR_BAD_SCALAR);
	assert_int_equal(sakke_rsk_validate(v.z_pub, a_neg, sizeof a_neg, v.rsk), MST_ERR_BAD_KEY);
	rfc_free(&v);
}

static void bad_arguments_are_refused(void **state)
{
	uint8_t out[SAKKE_ENCAP_LEN], big[SAKKE_SCALAR_LEN + 1] = { 1 }, z[SAKKE_SCALAR_LEN];

	(void)state;
	memset(z, 0, sizeof z);
	z[SAKKE_SCALAR_LEN - 1] = 5;
	assert_int_equal(sakke_point_mul(big, sizeof big, sakke_param_P, out), MST_ERR_ARGS);
	assert_int_equal(sakke_point_mul(NULL, 1, sakke_param_P, out), MST_ERR_ARGS);
	assert_int_equal(sakke_point_mul(big, 1, sakke_param_P, NULL), MST_ERR_ARGS);
	assert_int_equal(sakke_g_pow(big, sizeof big, out), MST_ERR_ARGS);
	assert_int_equal(sakke_g_pow(big, 1, NULL), MST_ERR_ARGS);
	assert_int_equal(sakke_pairing(sakke_param_P, NULL, out), MST_ERR_BAD_POINT);
	assert_int_equal(sakke_pairing(sakke_param_P, sakke_param_P, NULL), MST_ERR_ARGS);
	assert_int_equal(sakke_kms_keygen(NULL, out), MST_ERR_ARGS);
	assert_int_equal(sakke_kms_keygen(z, NULL), MST_ERR_ARGS);
	assert_int_equal(sakke_random_ssv(NULL), MST_ERR_ARGS);
	assert_int_equal(sakke_rsk_issue(z, sizeof z, NULL, 0, out), MST_ERR_ARGS);
	assert_int_equal(sakke_encapsulate(sakke_param_P, NULL, 0, z, out), MST_ERR_ARGS);
	assert_int_equal(sakke_hash_to_range(NULL, 3, sakke_param_q, SAKKE_L, out), MST_ERR_ARGS);
	/* n needing more than 5 hash blocks is outside what this code does */
	{
		uint8_t n[200] = { 1 };

		assert_int_equal(sakke_hash_to_range(big, 1, n, sizeof n, out), MST_ERR_ARGS);
	}
}

static void random_round_trips(void **state)
{
	uint8_t z[SAKKE_SCALAR_LEN], z_pub[SAKKE_POINT_LEN], rsk[SAKKE_POINT_LEN];
	uint8_t id[40], ssv[SAKKE_SSV_LEN], out[SAKKE_SSV_LEN], encap[SAKKE_ENCAP_LEN];
	int i;

	(void)state;
	assert_int_equal(sakke_kms_keygen(z, z_pub), MST_OK);
	assert_int_equal(sakke_check_point(z_pub), MST_OK);
	for (i = 0; i < 2; i++) {
		size_t id_len = 8 + (size_t)i * 25;

		assert_int_equal(RAND_bytes(id, (int)id_len), 1);
		assert_int_equal(sakke_random_ssv(ssv), MST_OK);
		assert_int_equal(sakke_rsk_issue(z, sizeof z, id, id_len, rsk), MST_OK);
		assert_int_equal(sakke_rsk_validate(z_pub, id, id_len, rsk), MST_OK);
		assert_int_equal(sakke_encapsulate(z_pub, id, id_len, ssv, encap), MST_OK);
		assert_int_equal(sakke_decapsulate(z_pub, id, id_len, rsk, encap, out), MST_OK);
		assert_memory_equal(out, ssv, sizeof ssv);
	}
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
		cmocka_unit_test(bad_points_are_refused),
		cmocka_unit_test(bad_encapsulated_data_fails_with_zero_output),
		cmocka_unit_test(wrong_keys_are_refused),
		cmocka_unit_test(bad_arguments_are_refused),
		cmocka_unit_test(random_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
