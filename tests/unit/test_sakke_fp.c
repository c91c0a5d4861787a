/* tests/unit/test_sakke_fp.c - the field, extension field and curve code
 * of SAKKE checked against OpenSSL BN on random and edge values, and the
 * pairing's bilinearity. */
#include "test_util.h"
#include <openssl/bn.h>
#include <openssl/rand.h>
#include "token/fp2.h"
#include "token/sakke.h"
#include "token/sakke_ec.h"
#include "token/sakke_pairing.h"
#include "sakke_test_scalars.h"

#define ROUNDS 200

static BIGNUM *bn_p(void)
{
	BIGNUM *p = BN_bin2bn(sakke_param_p, SAKKE_L, NULL);

	assert_non_null(p);
	return p;
}

/* limbs (plain integer) -> BIGNUM */
static BIGNUM *bn_from_limbs(const fp *a)
{
	uint8_t be[FP_BYTES];
	int i, k;

	for (i = 0; i < FP_LIMBS; i++)
		for (k = 0; k < 8; k++)
			be[FP_BYTES - 1 - 8 * i - k] = (uint8_t)(a->v[i] >> (8 * k));
	return BN_bin2bn(be, FP_BYTES, NULL);
}

/* Montgomery element -> BIGNUM of its value, through fp_to_bytes */
static BIGNUM *bn_from_fp(const fp *a)
{
	uint8_t be[FP_BYTES];

	fp_to_bytes(be, a);
	return BN_bin2bn(be, FP_BYTES, NULL);
}

/* random value below p as both an fp and a BIGNUM; every 16th is an edge
 * value (0, 1, p-1, p-2) */
static void random_element(fp *a, BIGNUM *x, const BIGNUM *p, int round)
{
	uint8_t be[FP_BYTES];

	switch (round % 16) {
	case 0: BN_zero(x); break;
	case 1: BN_one(x); break;
	case 2: BN_sub(x, p, BN_value_one()); break;
	case 3: BN_sub(x, p, BN_value_one()); BN_sub_word(x, 1); break;
	default: assert_int_equal(BN_rand_range(x, p), 1);
	}
	assert_int_equal(BN_bn2binpad(x, be, FP_BYTES), FP_BYTES);
	assert_true(fp_from_bytes(a, be) != 0);
}

static void assert_fp_is_bn(const fp *a, const BIGNUM *x)
{
	BIGNUM *y = bn_from_fp(a);

	assert_non_null(y);
	assert_int_equal(BN_cmp(x, y), 0);
	BN_free(y);
}

static void fp_constants_match_bn(void **state)
{
	BIGNUM *p = bn_p(), *r = BN_new(), *t = BN_new(), *w = BN_new(), *mine;
	BN_CTX *ctx = BN_CTX_new();

	(void)state;
	mine = bn_from_limbs(&fp_modulus);
	assert_int_equal(BN_cmp(mine, p), 0);
	BN_free(mine);
	/* R = 2^1024 mod p */
	BN_one(r);
	BN_lshift(r, r, 1024);
	BN_mod(t, r, p, ctx);
	mine = bn_from_limbs(&fp_one);
	assert_int_equal(BN_cmp(mine, t), 0);
	BN_free(mine);
	/* R^2 mod p */
	BN_mod_mul(t, t, t, p, ctx);
	mine = bn_from_limbs(&fp_r2);
	assert_int_equal(BN_cmp(mine, t), 0);
	BN_free(mine);
	/* n0 = -p^-1 mod 2^64 */
	BN_one(w);
	BN_lshift(w, w, 64);
	assert_non_null(BN_mod_inverse(t, p, w, ctx));
	BN_sub(t, w, t);
	assert_int_equal(BN_get_word(t), fp_n0);
	/* p = 3 mod 4 (F_p^2 = F_p[i]/(i^2+1)) and q = (p + 1) / 4 */
	assert_int_equal(BN_mod_word(p, 4), 3);
	BN_add_word(p, 1);
	BN_rshift(p, p, 2);
	mine = BN_bin2bn(sakke_param_q, SAKKE_L, NULL);
	assert_int_equal(BN_cmp(mine, p), 0);
	BN_free(mine);
	BN_free(p); BN_free(r); BN_free(t); BN_free(w);
	BN_CTX_free(ctx);
}

static void fp_ops_match_bn(void **state)
{
	BIGNUM *p = bn_p(), *x = BN_new(), *y = BN_new(), *e = BN_new(), *z = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	fp a, b, c;
	uint8_t eb[FP_BYTES];
	int i;

	(void)state;
	for (i = 0; i < ROUNDS; i++) {
		random_element(&a, x, p, i);
		random_element(&b, y, p, i * 7 + 5);
		fp_mul(&c, &a, &b);
		BN_mod_mul(z, x, y, p, ctx);
		assert_fp_is_bn(&c, z);
		fp_sqr(&c, &a);
		BN_mod_sqr(z, x, p, ctx);
		assert_fp_is_bn(&c, z);
		fp_add(&c, &a, &b);
		BN_mod_add(z, x, y, p, ctx);
		assert_fp_is_bn(&c, z);
		fp_sub(&c, &a, &b);
		BN_mod_sub(z, x, y, p, ctx);
		assert_fp_is_bn(&c, z);
		fp_neg(&c, &a);
		BN_mod_sub(z, p, x, p, ctx);
		assert_fp_is_bn(&c, z);
		assert_int_equal(fp_equal(&a, &b) != 0, BN_cmp(x, y) == 0);
		assert_int_equal(fp_is_zero(&a) != 0, BN_is_zero(x));
		if (i % 8 == 0) {      /* the slow ones on fewer values */
			fp_inv(&c, &a);
			if (BN_is_zero(x))
				BN_zero(z);
			else
				assert_non_null(BN_mod_inverse(z, x, p, ctx));
			assert_fp_is_bn(&c, z);
			assert_int_equal(RAND_bytes(eb, sizeof eb), 1);
			BN_bin2bn(eb, sizeof eb, e);
			fp_pow(&c, &a, eb, sizeof eb);
			BN_mod_exp(z, x, e, p, ctx);
			assert_fp_is_bn(&c, z);
		}
	}
	BN_free(p); BN_free(x); BN_free(y); BN_free(e); BN_free(z);
	BN_CTX_free(ctx);
}

/* BIGNUM -> limbs (plain integer, x < 2^1024) */
static void limbs_from_bn(fp *a, const BIGNUM *x)
{
	uint8_t be[FP_BYTES];
	int i, k;

	assert_int_equal(BN_bn2binpad(x, be, FP_BYTES), FP_BYTES);
	for (i = 0; i < FP_LIMBS; i++) {
		a->v[i] = 0;
		for (k = 0; k < 8; k++)
			a->v[i] |= (uint64_t)be[FP_BYTES - 1 - 8 * i - k] << (8 * k);
	}
}

/* Limb patterns that stress the carry chains of the multiplication, taken
 * directly as Montgomery limbs (plain integers below p): 0, 1, 2, p-1, p-2,
 * (2^1024 - 1) mod p, 2^(64k) - 1, p - 2^(64k), and limbs drawn from
 * {0, all-ones, random} reduced mod p. */
static void edge_limbs(BIGNUM *x, const BIGNUM *p, BN_CTX *ctx, int n)
{
	uint8_t be[FP_BYTES];
	int i;

	switch (n) {
	case 0: BN_zero(x); return;
	case 1: BN_one(x); return;
	case 2: BN_set_word(x, 2); return;
	case 3: BN_sub(x, p, BN_value_one()); return;
	case 4: BN_sub(x, p, BN_value_one()); BN_sub_word(x, 1); return;
	case 5: BN_zero(x); BN_set_bit(x, 1024); BN_sub_word(x, 1); break;
	}
	if (n >= 6 && n < 6 + 15) {             /* 2^(64k) - 1 */
		BN_zero(x);
		BN_set_bit(x, 64 * (n - 5));
		BN_sub_word(x, 1);
	} else if (n >= 21 && n < 21 + 15) {    /* p - 2^(64k) */
		BN_zero(x);
		BN_set_bit(x, 64 * (n - 20));
		BN_sub(x, p, x);
	} else if (n >= 36) {
		assert_int_equal(RAND_bytes(be, sizeof be), 1);
		for (i = 0; i < FP_BYTES; i += 8)
			memset(be + i, be[i] % 3 == 0 ? 0x00 : be[i] % 3 == 1 ? 0xff : be[i], 8);
		BN_bin2bn(be, sizeof be, x);
	}
	assert_int_equal(BN_nnmod(x, x, p, ctx), 1);
}

/* fp_mul, fp_sqr and fp_mul_wide + fp_redc_wide on those limbs against BN:
 * c = a b 2^-1024 mod p, limb for limb (no conversion in between). */
static void fp_mul_limb_edges_match_bn(void **state)
{
	BIGNUM *p = bn_p(), *x = BN_new(), *y = BN_new(), *z = BN_new(), *rinv = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	uint64_t w[2 * FP_LIMBS];
	fp a, b, c, expect;
	int i, j;

	(void)state;
	BN_zero(rinv);
	BN_set_bit(rinv, 1024);
	assert_non_null(BN_mod_inverse(rinv, rinv, p, ctx));
	for (i = 0; i < 60; i++) {
		edge_limbs(x, p, ctx, i);
		limbs_from_bn(&a, x);
		for (j = 0; j < 60; j += (i < 36 ? 1 : 7)) {
			edge_limbs(y, p, ctx, j);
			limbs_from_bn(&b, y);
			/* the wide product, as an integer */
			fp_mul_wide(w, &a, &b);
			BN_mul(z, x, y, ctx);
			{
				fp lo, hi;

				memcpy(lo.v, w, sizeof lo.v);
				memcpy(hi.v, w + FP_LIMBS, sizeof hi.v);
				BN_mask_bits(z, 1024);
				limbs_from_bn(&expect, z);
				assert_memory_equal(lo.v, expect.v, sizeof lo.v);
				BN_mul(z, x, y, ctx);
				BN_rshift(z, z, 1024);
				limbs_from_bn(&expect, z);
				assert_memory_equal(hi.v, expect.v, sizeof hi.v);
			}
			BN_mod_mul(z, x, y, p, ctx);
			BN_mod_mul(z, z, rinv, p, ctx);
			limbs_from_bn(&expect, z);
			fp_mul(&c, &a, &b);
			assert_memory_equal(c.v, expect.v, sizeof c.v);
			fp_redc_wide(&c, w);
			assert_memory_equal(c.v, expect.v, sizeof c.v);
		}
		BN_mod_mul(z, x, x, p, ctx);
		BN_mod_mul(z, z, rinv, p, ctx);
		limbs_from_bn(&expect, z);
		fp_sqr(&c, &a);
		assert_memory_equal(c.v, expect.v, sizeof c.v);
	}
	BN_free(p); BN_free(x); BN_free(y); BN_free(z); BN_free(rinv);
	BN_CTX_free(ctx);
}

static void fp_sqrt_matches_bn(void **state)
{
	BIGNUM *p = bn_p(), *x = BN_new(), *y = BN_new(), *z = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	fp a, b, c;
	int i, squares = 0, others = 0;

	(void)state;
	for (i = 0; i < 24; i++) {
		random_element(&a, x, p, i);
		if (i % 2) {            /* a square for sure: x^2 */
			fp_sqr(&a, &a);
			BN_mod_sqr(x, x, p, ctx);
		}
		if (BN_is_zero(x) || BN_kronecker(x, p, ctx) == 1) {
			assert_true(fp_sqrt(&b, &a) != 0);
			fp_sqr(&c, &b);
			assert_true(fp_equal(&c, &a) != 0);
			/* the same root as OpenSSL's or its negative */
			assert_non_null(BN_mod_sqrt(y, x, p, ctx));
			BN_mod_sub(z, p, y, p, ctx);
			{
				BIGNUM *mine = bn_from_fp(&b);

				assert_true(BN_cmp(mine, y) == 0 || BN_cmp(mine, z) == 0);
				BN_free(mine);
			}
			squares++;
		} else {
			assert_true(fp_sqrt(&b, &a) == 0);
			others++;
		}
	}
	assert_true(squares > 0 && others > 0);
	BN_free(p); BN_free(x); BN_free(y); BN_free(z);
	BN_CTX_free(ctx);
}

static void fp_decoding_is_range_checked(void **state)
{
	uint8_t be[FP_BYTES];
	fp a;
	int k;

	(void)state;
	memcpy(be, sakke_param_p, FP_BYTES);
	assert_true(fp_from_bytes(&a, be) == 0);             /* p */
	be[FP_BYTES - 1]--;
	assert_true(fp_from_bytes(&a, be) != 0);             /* p - 1 */
	fp_to_bytes(be, &a);
	assert_int_equal(memcmp(be, sakke_param_p, FP_BYTES - 1), 0);
	assert_int_equal(be[FP_BYTES - 1], sakke_param_p[FP_BYTES - 1] - 1);
	memset(be, 0xff, sizeof be);
	assert_true(fp_from_bytes(&a, be) == 0);             /* 2^1024 - 1 */
	for (k = 0; k < 64; k++) {                           /* p + k */
		BIGNUM *x = BN_bin2bn(sakke_param_p, SAKKE_L, NULL);

		BN_add_word(x, (BN_ULONG)k);
		BN_bn2binpad(x, be, FP_BYTES);
		assert_true(fp_from_bytes(&a, be) == 0);
		BN_free(x);
	}
}

static void fp2_ops_match_bn(void **state)
{
	BIGNUM *p = bn_p(), *a0 = BN_new(), *a1 = BN_new(), *b0 = BN_new(), *b1 = BN_new();
	BIGNUM *t = BN_new(), *u = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	fp2 x, y, z;
	int i;

	(void)state;
	for (i = 0; i < ROUNDS / 4; i++) {
		random_element(&x.a, a0, p, i);
		random_element(&x.b, a1, p, i + 3);
		random_element(&y.a, b0, p, i + 9);
		random_element(&y.b, b1, p, i + 11);
		/* (a0 + i a1)(b0 + i b1) = (a0 b0 - a1 b1) + i (a0 b1 + a1 b0) */
		fp2_mul(&z, &x, &y);
		BN_mod_mul(t, a0, b0, p, ctx);
		BN_mod_mul(u, a1, b1, p, ctx);
		BN_mod_sub(t, t, u, p, ctx);
		assert_fp_is_bn(&z.a, t);
		BN_mod_mul(t, a0, b1, p, ctx);
		BN_mod_mul(u, a1, b0, p, ctx);
		BN_mod_add(t, t, u, p, ctx);
		assert_fp_is_bn(&z.b, t);
		/* (a0 + i a1)^2 = (a0^2 - a1^2) + i 2 a0 a1 */
		fp2_sqr(&z, &x);
		BN_mod_sqr(t, a0, p, ctx);
		BN_mod_sqr(u, a1, p, ctx);
		BN_mod_sub(t, t, u, p, ctx);
		assert_fp_is_bn(&z.a, t);
		BN_mod_mul(t, a0, a1, p, ctx);
		BN_mod_add(t, t, t, p, ctx);
		assert_fp_is_bn(&z.b, t);
		/* x * conj(x) = a0^2 + a1^2, in F_p */
		fp2_conj(&z, &x);
		fp2_mul(&z, &z, &x);
		BN_mod_sqr(t, a0, p, ctx);
		BN_mod_sqr(u, a1, p, ctx);
		BN_mod_add(t, t, u, p, ctx);
		assert_fp_is_bn(&z.a, t);
		assert_true(fp_is_zero(&z.b) != 0);
	}
	BN_free(p); BN_free(a0); BN_free(a1); BN_free(b0); BN_free(b1); BN_free(t); BN_free(u);
	BN_CTX_free(ctx);
}

/* random a, b < q, ab mod q, and [a]P, [b]P, [ab]P */
struct scalar_points {
	uint8_t a[SAKKE_SCALAR_LEN], b[SAKKE_SCALAR_LEN], ab[SAKKE_SCALAR_LEN];
	uint8_t pa[SAKKE_POINT_LEN], pb[SAKKE_POINT_LEN], pab[SAKKE_POINT_LEN];
};

static void random_scalar_points(struct scalar_points *s)
{
	random_scalar(s->a);
	random_scalar(s->b);
	mul_mod_q(s->ab, s->a, s->b);
	assert_int_equal(sakke_point_mul(s->a, sizeof s->a, sakke_param_P, s->pa), MST_OK);
	assert_int_equal(sakke_point_mul(s->b, sizeof s->b, sakke_param_P, s->pb), MST_OK);
	assert_int_equal(sakke_point_mul(s->ab, sizeof s->ab, sakke_param_P, s->pab), MST_OK);
}

static void curve_scalar_mul_is_consistent(void **state)
{
	struct scalar_points s;
	uint8_t t[SAKKE_POINT_LEN];
	uint8_t q1[SAKKE_SCALAR_LEN];
	ec_aff gen, pa_aff;
	ec_jac j1, j2, j3;
	uint8_t e1[SAKKE_POINT_LEN], e2[SAKKE_POINT_LEN];
	static const uint8_t two = 2;

	(void)state;
	random_scalar_points(&s);
	assert_int_equal(sakke_check_point(s.pa), MST_OK);
	/* [b]([a]P) == [a]([b]P) == [ab]P */
	assert_int_equal(sakke_point_mul(s.b, sizeof s.b, s.pa, t), MST_OK);
	assert_memory_equal(t, s.pab, SAKKE_POINT_LEN);
	assert_int_equal(sakke_point_mul(s.a, sizeof s.a, s.pb, t), MST_OK);
	assert_memory_equal(t, s.pab, SAKKE_POINT_LEN);
	/* [q]P is infinity (refused as a result), [q+1]P == P */
	assert_int_equal(sakke_point_mul(sakke_param_q, SAKKE_L, sakke_param_P, t), MST_ERR_BAD_POINT);
	memcpy(q1, sakke_param_q, SAKKE_L);
	q1[SAKKE_L - 1]++;                          /* q ends in 0xfb: no carry */
	assert_int_equal(sakke_point_mul(q1, SAKKE_L, sakke_param_P, t), MST_OK);
	assert_memory_equal(t, sakke_param_P, SAKKE_POINT_LEN);
	/* the complete addition: P + P == [2]P, P + (-P) == O, O + P == P */
	ec_generator(&gen);
	ec_from_affine(&j1, &gen);
	ec_add(&j2, &j1, &j1);
	assert_int_equal(sakke_point_mul(&two, 1, sakke_param_P, t), MST_OK);
	assert_true(ec_to_affine(&pa_aff, &j2) != 0);
	ec_encode(e1, &pa_aff);
	assert_memory_equal(e1, t, SAKKE_POINT_LEN);
	j3 = j1;
	fp_neg(&j3.y, &j3.y);
	ec_add(&j2, &j1, &j3);
	assert_true(fp_is_zero(&j2.z) != 0);
	ec_add(&j3, &j2, &j1);
	assert_true(ec_to_affine(&pa_aff, &j3) != 0);
	ec_encode(e2, &pa_aff);
	assert_memory_equal(e2, sakke_param_P, SAKKE_POINT_LEN);
}

/* Every comb table entry d is sum_t bit_t(d) [2^(256 t)] P, recomputed
 * with the window method; and the comb agrees with it on random k < q. */
static void comb_table_matches_scalar_mult(void **state)
{
	uint8_t s[SAKKE_SCALAR_LEN], e1[SAKKE_POINT_LEN], e2[SAKKE_POINT_LEN];
	BIGNUM *q = BN_bin2bn(sakke_param_q, SAKKE_L, NULL), *x = BN_new(), *one = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	ec_aff a;
	ec_jac j;
	unsigned d, t;
	int i;

	(void)state;
	BN_one(one);
	for (d = 1; d < 16; d++) {
		BN_zero(x);
		for (t = 0; t < 4; t++) {
			BIGNUM *w = BN_new();

			if (d >> t & 1) {
				BN_lshift(w, one, 256 * (int)t);
				BN_mod_add(x, x, w, q, ctx);
			}
			BN_free(w);
		}
		BN_bn2binpad(x, s, sizeof s);
		assert_int_equal(sakke_point_mul(s, sizeof s, sakke_param_P, e1), MST_OK);
		ec_encode(e2, &sakke_comb_table[d - 1]);
		assert_memory_equal(e1, e2, SAKKE_POINT_LEN);
	}
	for (i = 0; i < 3; i++) {
		random_scalar(s);
		if (i == 0)
			memcpy(s, sakke_param_q, sizeof s), s[SAKKE_L - 1] -= 1;   /* q - 1 */
		assert_int_equal(sakke_point_mul(s, sizeof s, sakke_param_P, e1), MST_OK);
		ec_mul_generator(&j, s);
		assert_true(ec_to_affine(&a, &j) != 0);
		ec_encode(e2, &a);
		assert_memory_equal(e1, e2, SAKKE_POINT_LEN);
	}
	/* k = 0 gives infinity */
	memset(s, 0, sizeof s);
	ec_mul_generator(&j, s);
	assert_true(fp_is_zero(&j.z) != 0);
	BN_free(q); BN_free(x); BN_free(one);
	BN_CTX_free(ctx);
}

static void pairing_is_bilinear(void **state)
{
	struct scalar_points s;
	uint8_t e1[SAKKE_L], e2[SAKKE_L], e3[SAKKE_L];

	(void)state;
	random_scalar_points(&s);
	/* <[a]P, [b]P> == <P, P>^(ab) == <P, [ab]P> == <[ab]P, P> */
	assert_int_equal(sakke_pairing(s.pa, s.pb, e1), MST_OK);
	assert_int_equal(sakke_g_pow(s.ab, sizeof s.ab, e2), MST_OK);
	assert_memory_equal(e1, e2, SAKKE_L);
	assert_int_equal(sakke_pairing(sakke_param_P, s.pab, e3), MST_OK);
	assert_memory_equal(e1, e3, SAKKE_L);
	assert_int_equal(sakke_pairing(s.pab, sakke_param_P, e3), MST_OK);
	assert_memory_equal(e1, e3, SAKKE_L);
	/* and not trivially equal: <[a]P, P> differs from it */
	assert_int_equal(sakke_pairing(s.pa, sakke_param_P, e3), MST_OK);
	assert_memory_not_equal(e1, e3, SAKKE_L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fp_constants_match_bn),
		cmocka_unit_test(fp_ops_match_bn),
		cmocka_unit_test(fp_mul_limb_edges_match_bn),
		cmocka_unit_test(fp_sqrt_matches_bn),
		cmocka_unit_test(fp_decoding_is_range_checked),
		cmocka_unit_test(fp2_ops_match_bn),
		cmocka_unit_test(curve_scalar_mul_is_consistent),
		cmocka_unit_test(comb_table_matches_scalar_mult),
		cmocka_unit_test(pairing_is_bilinear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
