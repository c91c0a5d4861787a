/* tests/unit/test_sakke_comb.c - the faster path of encapsulation and
 * decapsulation: r b mod q against OpenSSL BN, run-time comb tables against
 * the static one and the window method, [r b]P + [r]Z == [r]([b]P + Z) on
 * random values, and the cache of comb tables (hits, eviction, refusals,
 * concurrent use from several threads, fork() while another thread holds
 * the cache). */
#include "test_util.h"
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/bn.h>
#include <openssl/rand.h>
#include "token/sakke.h"
#include "token/sakke_internal.h"
#include "token/sakke_pairing.h"
#include "sakke_test_scalars.h"

#define CACHE_SLOTS 5           /* token/sakke_zcache.c */
#define ID_SLOTS 8              /* token/sakke_idcache.c */

static void encode_jac(uint8_t out[SAKKE_POINT_LEN], const ec_jac *j)
{
	ec_aff a;

	assert_true(ec_to_affine(&a, j) != 0);
	ec_encode(out, &a);
}

/* a fresh KMS public key */
static void random_z(uint8_t z_pub[SAKKE_POINT_LEN])
{
	uint8_t z[SAKKE_SCALAR_LEN];

	assert_int_equal(sakke_kms_keygen(z, z_pub), MST_OK);
}

static void mul_mod_q_matches_bn(void **state)
{
	uint8_t r[SAKKE_SCALAR_LEN], b[SAKKE_SCALAR_LEN], ours[SAKKE_SCALAR_LEN], ref[SAKKE_SCALAR_LEN];
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		random_scalar(r);
		random_scalar(b);
		if (i == 0)             /* q - 1 squared */
			memcpy(r, sakke_param_q, SAKKE_L), r[SAKKE_L - 1] -= 1, memcpy(b, r, sizeof b);
		if (i == 1)
			memset(r, 0, sizeof r);
		if (i == 2)
			memset(b, 0, sizeof b), b[SAKKE_L - 1] = 1;
		assert_int_equal(sakke_mul_mod_q(r, b, ours), MST_OK);
		mul_mod_q(ref, r, b);
		assert_memory_equal(ours, ref, SAKKE_SCALAR_LEN);
	}
}

/* the run-time builder reproduces the static 4- and 6-teeth tables of P
 * (the cache serves the latter for P), and the 6-teeth comb agrees with the window method for P and for a random Z */
static void comb_tables_match_scalar_mult(void **state)
{
	uint8_t z_pub[SAKKE_POINT_LEN], k[SAKKE_SCALAR_LEN], e1[SAKKE_POINT_LEN], e2[SAKKE_POINT_LEN];
	const uint8_t *bases[2];
	ec_aff table[EC_COMB_MAX], base;
	ec_jac j, bj;
	int i, n;

	(void)state;
	ec_generator(&base);
	assert_int_equal(ec_comb_build(table, &base, 4), MST_OK);
	for (i = 0; i < 15; i++) {
		assert_true(fp_equal(&table[i].x, &sakke_comb_table[i].x) != 0);
		assert_true(fp_equal(&table[i].y, &sakke_comb_table[i].y) != 0);
	}
	assert_int_equal(ec_comb_build(table, &base, 6), MST_OK);
	for (i = 0; i < EC_COMB_MAX; i++) {
		assert_true(fp_equal(&table[i].x, &sakke_comb_table6[i].x) != 0);
		assert_true(fp_equal(&table[i].y, &sakke_comb_table6[i].y) != 0);
	}
	{
		ec_aff served[EC_COMB_MAX];

		assert_int_equal(sakke_z_table(sakke_param_P, served), MST_OK);
		assert_memory_equal(served, sakke_comb_table6, sizeof served);
	}
	random_z(z_pub);
	bases[0] = sakke_param_P;
	bases[1] = z_pub;
	for (n = 0; n < 2; n++) {
		assert_int_equal(ec_decode(&base, bases[n], SAKKE_POINT_LEN), MST_OK);
		assert_int_equal(ec_comb_build(table, &base, SAKKE_ZTAB_TEETH), MST_OK);
		ec_from_affine(&bj, &base);
		for (i = 0; i < 4; i++) {
			random_scalar(k);
			if (i == 0)     /* q - 1: every tooth's top positions */
				memcpy(k, sakke_param_q, SAKKE_L), k[SAKKE_L - 1] -= 1;
			if (i == 1)     /* 1 */
				memset(k, 0, sizeof k), k[SAKKE_L - 1] = 1;
			ec_comb_mul(&j, k, table, SAKKE_ZTAB_TEETH);
			encode_jac(e1, &j);
			ec_mul(&j, k, sizeof k, &bj, 0);
			encode_jac(e2, &j);
			assert_memory_equal(e1, e2, SAKKE_POINT_LEN);
		}
		memset(k, 0, sizeof k);
		ec_comb_mul(&j, k, table, SAKKE_ZTAB_TEETH);
		assert_true(fp_is_zero(&j.z) != 0);
	}
}

/* P and a fresh KMS public key, decoded: the bases of the comb tests */
static void p_and_random_z(ec_aff bases[2])
{
	uint8_t z_pub[SAKKE_POINT_LEN];

	random_z(z_pub);
	assert_int_equal(ec_decode(&bases[0], sakke_param_P, SAKKE_POINT_LEN), MST_OK);
	assert_int_equal(ec_decode(&bases[1], z_pub, SAKKE_POINT_LEN), MST_OK);
}

/* k = sum over the bits t of d of 2^(s (j T + t)): the scalar of entry
 * d - 1 of table j (s the spacing of T teeth x V tables) */
static void entry_scalar(uint8_t k[SAKKE_SCALAR_LEN], int teeth, int tables, int j, int d)
{
	int t, s = (1022 + teeth * tables - 1) / (teeth * tables);

	memset(k, 0, SAKKE_SCALAR_LEN);
	for (t = 0; t < teeth; t++)
		if (d >> t & 1) {
			int bit = s * (j * teeth + t);

			k[SAKKE_SCALAR_LEN - 1 - bit / 8] |= (uint8_t)(1u << (bit % 8));
		}
}

/* several tables (the identifier tables: 6 teeth x 4 tables) and other
 * shapes: entries against the window method, and the comb against it for
 * random scalars, 0 (infinity), 1, 2 and q - 1 */
static void comb_multi_tables_match_scalar_mult(void **state)
{
	static const int shapes[][2] = { { 6, 4 }, { 5, 2 }, { 3, 3 } };
	static const int some_d[] = { 1, 2, 3, 21, 42 };
	static ec_aff table[EC_COMB_TABLE_MAX];
	uint8_t k[SAKKE_SCALAR_LEN], e1[SAKKE_POINT_LEN], e2[SAKKE_POINT_LEN];
	ec_aff bases[2];
	ec_jac j, bj;
	int n, sh, tb, i;

	(void)state;
	p_and_random_z(bases);
	for (n = 0; n < 2; n++) {
		ec_from_affine(&bj, &bases[n]);
		for (sh = 0; sh < 3; sh++) {
			int teeth = shapes[sh][0], tables = shapes[sh][1], entries = (1 << teeth) - 1;

			assert_int_equal(ec_comb_build_tables(table, &bases[n], teeth, tables), MST_OK);
			for (tb = 0; tb < tables; tb++) {
				for (i = 0; i < 6; i++) {
					int d = i < 5 ? some_d[i] % (entries + 1) : entries;

					if (d == 0)
						continue;
					entry_scalar(k, teeth, tables, tb, d);
					ec_mul(&j, k, sizeof k, &bj, 0);
					encode_jac(e1, &j);
					ec_encode(e2, &table[tb * entries + d - 1]);
					assert_memory_equal(e1, e2, SAKKE_POINT_LEN);
				}
			}
			for (i = 0; i < 6; i++) {
				random_scalar(k);
				if (i == 0)     /* q - 1: every tooth's top positions */
					memcpy(k, sakke_param_q, SAKKE_L), k[SAKKE_L - 1] -= 1;
				if (i == 1 || i == 2)   /* 1, 2 */
					memset(k, 0, sizeof k), k[SAKKE_L - 1] = (uint8_t)i;
				ec_comb_mul_tables(&j, k, table, teeth, tables);
				encode_jac(e1, &j);
				ec_mul(&j, k, sizeof k, &bj, 0);
				encode_jac(e2, &j);
				assert_memory_equal(e1, e2, SAKKE_POINT_LEN);
			}
			memset(k, 0, sizeof k);
			ec_comb_mul_tables(&j, k, table, teeth, tables);
			assert_true(fp_is_zero(&j.z) != 0);
		}
	}
}

/* the signed-digit comb (identifier tables: 7 teeth x 4 tables) and other
 * shapes: entries against the window method, and the comb against it for
 * random scalars, 0, 1, 2, 3, q - 2, q - 1 (odd and even, so both the
 * scalar and q minus it), never flagging the doubling case */
static void scomb_matches_scalar_mult(void **state)
{
	static const int shapes[][2] = { { 7, 4 }, { 4, 2 }, { 2, 3 } };
	static ec_aff table[EC_COMB_TABLES_MAX << (EC_SCOMB_TEETH_MAX - 1)];
	uint8_t k[SAKKE_SCALAR_LEN], e1[SAKKE_POINT_LEN], e2[SAKKE_POINT_LEN];
	ec_aff bases[2];
	ec_jac j, bj, sum, part;
	int n, sh, tb, i, t;

	(void)state;
	p_and_random_z(bases);
	for (n = 0; n < 2; n++) {
		ec_from_affine(&bj, &bases[n]);
		for (sh = 0; sh < 3; sh++) {
			int teeth = shapes[sh][0], tables = shapes[sh][1], entries = 1 << (teeth - 1);

			assert_int_equal(ec_scomb_build(table, &bases[n], teeth, tables), MST_OK);
			/* entries 0, 1 and the last of each table: top tooth +- the others */
			for (tb = 0; tb < tables; tb++) {
				for (i = 0; i < 3; i++) {
					int x = i < 2 ? i : entries - 1;

					entry_scalar(k, teeth, tables, tb, 1 << (teeth - 1));
					ec_mul(&sum, k, sizeof k, &bj, 0);
					for (t = 0; t < teeth - 1; t++) {
						entry_scalar(k, teeth, tables, tb, 1 << t);
						ec_mul(&part, k, sizeof k, &bj, 0);
						if (!(x >> t & 1))
							fp_neg(&part.y, &part.y);
						ec_add(&sum, &sum, &part);
					}
					encode_jac(e1, &sum);
					ec_encode(e2, &table[tb * entries + x]);
					assert_memory_equal(e1, e2, SAKKE_POINT_LEN);
				}
			}
			for (i = 0; i < 9; i++) {
				random_scalar(k);
				if (i < 4)      /* 0, 1, 2, 3 */
					memset(k, 0, sizeof k), k[SAKKE_L - 1] = (uint8_t)i;
				if (i == 4 || i == 5)   /* q - 1, q - 2 */
					memcpy(k, sakke_param_q, SAKKE_L), k[SAKKE_L - 1] -= (uint8_t)(i - 3);
				assert_true(ec_scomb_mul(&j, k, table, teeth, tables) == 0);
				ec_mul(&sum, k, sizeof k, &bj, 0);
				if (i == 0) {
					assert_true(fp_is_zero(&j.z) != 0);
					continue;
				}
				encode_jac(e1, &j);
				encode_jac(e2, &sum);
				assert_memory_equal(e1, e2, SAKKE_POINT_LEN);
			}
		}
	}
}

/* the signed comb's flag: k = q + 2e, e < 0 the last column of the last
 * table (top digit -1), is odd and below q, and its last addition adds
 * [e]B to [k - e]B = [e]B (mod q), the doubling case the mixed addition
 * cannot do, whenever k's own digits give that column e.  With 2 teeth x
 * 3 tables one of the 4 columns does (found with Python integers, and
 * checked here): the comb must flag it; every other k must be right. */
static void scomb_flags_doubling_case(void **state)
{
	static ec_aff table[3 << 1];
	BIGNUM *q = BN_bin2bn(sakke_param_q, SAKKE_L, NULL), *k = BN_new(), *e = BN_new(), *p2 = BN_new();
	uint8_t kb[SAKKE_SCALAR_LEN], e1[SAKKE_POINT_LEN], e2[SAKKE_POINT_LEN];
	ec_aff base;
	ec_jac j, ref, bj;
	int pat, t, flagged = 0, s = (1022 + 5) / 6;

	(void)state;
	assert_non_null(q);
	assert_non_null(k);
	assert_non_null(e);
	assert_non_null(p2);
	ec_generator(&base);
	ec_from_affine(&bj, &base);
	assert_int_equal(ec_scomb_build(table, &base, 2, 3), MST_OK);
	for (pat = 0; pat < 4; pat++) {
		BN_zero(e);
		for (t = 0; t < 2; t++) {       /* digit t of table 2's column */
			BN_zero(p2);
			assert_int_equal(BN_set_bit(p2, s * (2 * 2 + t)), 1);
			if (pat >> t & 1)
				assert_int_equal(BN_add(e, e, p2), 1);
			else
				assert_int_equal(BN_sub(e, e, p2), 1);
		}
		assert_int_equal(BN_lshift1(k, e), 1);
		assert_int_equal(BN_add(k, k, q), 1);
		if (BN_is_negative(k) || BN_cmp(k, q) >= 0)
			continue;
		assert_int_equal(BN_bn2binpad(k, kb, sizeof kb), (int)sizeof kb);
		ec_mul(&ref, kb, sizeof kb, &bj, 0);
		if (ec_scomb_mul(&j, kb, table, 2, 3) != 0) {
			flagged++;
			continue;
		}
		encode_jac(e1, &j);
		encode_jac(e2, &ref);
		assert_memory_equal(e1, e2, SAKKE_POINT_LEN);
	}
	assert_int_equal(flagged, 1);
	BN_free(q);
	BN_free(k);
	BN_free(e);
	BN_free(p2);
}

/* [r b]P + [r]Z == [r]([b]P + Z) on random z, b, r (and b = 0) */
static void r_point_matches_ladder(void **state)
{
	uint8_t z_pub[SAKKE_POINT_LEN], id[40], b[SAKKE_SCALAR_LEN], r[SAKKE_SCALAR_LEN];
	uint8_t e1[SAKKE_POINT_LEN], e2[SAKKE_POINT_LEN];
	ec_aff ztab[EC_COMB_MAX], out;
	ec_jac bpz, t;
	int i;

	(void)state;
	for (i = 0; i < 6; i++) {
		random_z(z_pub);
		assert_int_equal(RAND_bytes(id, sizeof id), 1);
		assert_int_equal(sakke_id_scalar(id, sizeof id, b), MST_OK);
		if (i == 5) {           /* identifier q: b = 0, R = [r]Z */
			assert_int_equal(sakke_id_scalar(sakke_param_q, SAKKE_L, b), MST_OK);
			assert_int_equal(sakke_id_point(z_pub, sakke_param_q, SAKKE_L, &bpz), MST_OK);
		} else {
			assert_int_equal(sakke_id_point(z_pub, id, sizeof id, &bpz), MST_OK);
		}
		random_scalar(r);
		assert_int_equal(sakke_z_table(z_pub, ztab), MST_OK);
		assert_int_equal(sakke_r_point(ztab, b, r, &out), MST_OK);
		ec_encode(e1, &out);
		ec_mul(&t, r, sizeof r, &bpz, 0);
		encode_jac(e2, &t);
		assert_memory_equal(e1, e2, SAKKE_POINT_LEN);
	}
	/* r = 0: R at infinity is refused */
	memset(r, 0, sizeof r);
	assert_int_equal(sakke_r_point(ztab, b, r, &out), MST_ERR_BAD_POINT);
}

/* a table is built once per point, evicted least recently used first,
 * and a refused point is never stored */
static void z_cache_hits_evicts_refuses(void **state)
{
	uint8_t z[CACHE_SLOTS + 1][SAKKE_POINT_LEN], bad[SAKKE_POINT_LEN];
	ec_aff t1[EC_COMB_MAX], t2[EC_COMB_MAX], a;
	ec_jac j, two_torsion;
	unsigned n0;
	int i;

	(void)state;
	for (i = 0; i <= CACHE_SLOTS; i++)
		random_z(z[i]);
	sakke_z_cache_clear();
	n0 = sakke_z_cache_builds();
	assert_int_equal(sakke_z_table(z[0], t1), MST_OK);
	assert_int_equal(sakke_z_cache_builds(), n0 + 1);
	assert_int_equal(sakke_z_table(z[0], t2), MST_OK);       /* hit */
	assert_int_equal(sakke_z_cache_builds(), n0 + 1);
	assert_memory_equal(t1, t2, sizeof t1);
	/* fill the other slots, touching z[0] so that z[1] is the oldest */
	for (i = 1; i < CACHE_SLOTS; i++)
		assert_int_equal(sakke_z_table(z[i], t2), MST_OK);
	assert_int_equal(sakke_z_table(z[0], t2), MST_OK);
	assert_int_equal(sakke_z_cache_builds(), n0 + CACHE_SLOTS);
	assert_int_equal(sakke_z_table(z[CACHE_SLOTS], t2), MST_OK);   /* evicts z[1] */
	assert_int_equal(sakke_z_table(z[0], t2), MST_OK);
	assert_int_equal(sakke_z_cache_builds(), n0 + CACHE_SLOTS + 1);
	assert_int_equal(sakke_z_table(z[1], t2), MST_OK);
	assert_int_equal(sakke_z_cache_builds(), n0 + CACHE_SLOTS + 2);
	/* Z + (0, 0): on E, outside E(F_p)[q]; twice, never cached */
	assert_int_equal(ec_decode(&a, z[0], SAKKE_POINT_LEN), MST_OK);
	ec_from_affine(&j, &a);
	fp_set_zero(&two_torsion.x);
	fp_set_zero(&two_torsion.y);
	fp_copy(&two_torsion.z, &fp_one);
	ec_add(&j, &j, &two_torsion);
	encode_jac(bad, &j);
	n0 = sakke_z_cache_builds();
	for (i = 0; i < 2; i++)
		assert_int_equal(sakke_z_table(bad, t2), MST_ERR_BAD_POINT);
	bad[0] = 0x02;
	assert_int_equal(sakke_z_table(bad, t2), MST_ERR_BAD_POINT);
	assert_int_equal(sakke_z_table(NULL, t2), MST_ERR_ARGS);
	assert_int_equal(sakke_z_cache_builds(), n0);
	/* encapsulation refuses that Z too */
	bad[0] = 0x04;
	{
		uint8_t ssv[SAKKE_SSV_LEN] = { 1 }, encap[SAKKE_ENCAP_LEN];

		assert_int_equal(sakke_encapsulate(bad, (const uint8_t *)"id", 2, ssv, encap),
				 MST_ERR_BAD_POINT);
	}
}

/* identifier a = -z mod q: [a]P + Z is infinity, so is R; encapsulation
 * refuses with a zeroed output, decapsulation refuses too */
static void encapsulate_refuses_r_at_infinity(void **state)
{
	uint8_t z[SAKKE_SCALAR_LEN], z_pub[SAKKE_POINT_LEN], id[SAKKE_SCALAR_LEN], zero[SAKKE_ENCAP_LEN] = { 0 };
	uint8_t ssv[SAKKE_SSV_LEN] = { 7 }, encap[SAKKE_ENCAP_LEN], out[SAKKE_SSV_LEN];
	BIGNUM *q = BN_bin2bn(sakke_param_q, SAKKE_L, NULL), *zn;

	(void)state;
	assert_int_equal(sakke_kms_keygen(z, z_pub), MST_OK);
	zn = BN_bin2bn(z, sizeof z, NULL);
	assert_int_equal(BN_sub(zn, q, zn), 1);
	assert_int_equal(BN_bn2binpad(zn, id, sizeof id), (int)sizeof id);
	memset(encap, 0xa5, sizeof encap);
	assert_int_equal(sakke_encapsulate(z_pub, id, sizeof id, ssv, encap), MST_ERR_BAD_POINT);
	assert_memory_equal(encap, zero, sizeof encap);
	/* any R: [r]([a]P + Z) is infinity, never equal to it */
	assert_int_equal(sakke_encapsulate(z_pub, (const uint8_t *)"x", 1, ssv, encap), MST_OK);
	assert_int_equal(sakke_decapsulate(z_pub, id, sizeof id, z_pub, encap, out), MST_ERR_DECAPSULATE);
	BN_free(q);
	BN_free(zn);
}

/* the comb for g agrees with the generic windowed exponentiation, on
 * random 1024-bit exponents and on 0, 1 and 2^1024 - 1 */
static void g_comb_matches_pf_pow(void **state)
{
	uint8_t e[FP_BYTES];
	fp g, ours, ref;
	int i;

	(void)state;
	(void)fp_from_bytes(&g, sakke_param_g);
	for (i = 0; i < 8; i++) {
		assert_int_equal(RAND_bytes(e, sizeof e), 1);
		if (i == 0)
			memset(e, 0, sizeof e);
		if (i == 1)
			memset(e, 0, sizeof e), e[FP_BYTES - 1] = 1;
		if (i == 2)
			memset(e, 0xff, sizeof e);
		if (i == 3)     /* the top bit of the last of the 24 teeth */
			memset(e, 0, sizeof e), e[FP_BYTES - 1 - 989 / 8] = 1u << (989 % 8);
		sakke_g_pow_fixed(&ours, e);
		sakke_pf_pow(&ref, &g, e, sizeof e);
		assert_true(fp_equal(&ours, &ref) != 0);
	}
	/* g^1 == g */
	memset(e, 0, sizeof e);
	e[FP_BYTES - 1] = 1;
	sakke_g_pow_fixed(&ours, e);
	assert_true(fp_equal(&ours, &g) != 0);
}

/* RSK validation checks K's order inside its Miller loop (the walk must
 * end at -K): points of order 2 and 4, and K + (0, 0), are refused */
static void rsk_validate_refuses_small_order(void **state)
{
	static const uint8_t id[] = "2011-02\0tel:+447700900123";
	uint8_t z[SAKKE_SCALAR_LEN], z_pub[SAKKE_POINT_LEN], rsk[SAKKE_POINT_LEN], bad[SAKKE_POINT_LEN];
	fp three, t;
	ec_aff pt;
	ec_jac j, two_torsion;
	mst_rc rc;
	int sign, found = 0;

	(void)state;
	assert_int_equal(sakke_kms_keygen(z, z_pub), MST_OK);
	assert_int_equal(sakke_rsk_issue(z, sizeof z, id, sizeof id, rsk), MST_OK);
	assert_int_equal(sakke_rsk_validate(z_pub, id, sizeof id, rsk), MST_OK);
	/* (0, 0), order 2 */
	memset(bad, 0, sizeof bad);
	bad[0] = 0x04;
	assert_int_equal(sakke_rsk_validate(z_pub, id, sizeof id, bad), MST_ERR_BAD_POINT);
	/* order 4: 2T = (0, 0) needs x^2 = -3 (a square mod p) and
	 * y^2 = x (x^2 - 3) = -6x; one of the two signs of x gives a square */
	fp_add(&three, &fp_one, &fp_one);
	fp_add(&three, &three, &fp_one);
	fp_neg(&t, &three);
	assert_true(fp_sqrt(&pt.x, &t) != 0);
	for (sign = 0; sign < 2; sign++) {
		if (sign)
			fp_neg(&pt.x, &pt.x);
		fp_dbl(&t, &three);
		fp_mul(&t, &t, &pt.x);
		fp_neg(&t, &t);                 /* -6x */
		if (!fp_sqrt(&pt.y, &t))
			continue;
		found++;
		ec_encode(bad, &pt);
		assert_int_equal(ec_decode(&pt, bad, SAKKE_POINT_LEN), MST_OK);
		ec_from_affine(&j, &pt);
		ec_dbl(&j, &j);
		ec_dbl(&j, &j);
		assert_true(fp_is_zero(&j.z) != 0);     /* order 4 indeed */
		rc = sakke_rsk_validate(z_pub, id, sizeof id, bad);
		assert_true(rc == MST_ERR_BAD_POINT || rc == MST_ERR_BAD_KEY);
		/* K + T: the right key plus torsion */
		assert_int_equal(ec_decode(&pt, rsk, SAKKE_POINT_LEN), MST_OK);
		ec_from_affine(&two_torsion, &pt);
		ec_decode(&pt, bad, SAKKE_POINT_LEN);
		ec_from_affine(&j, &pt);
		ec_add(&j, &j, &two_torsion);
		encode_jac(bad, &j);
		assert_int_equal(sakke_rsk_validate(z_pub, id, sizeof id, bad), MST_ERR_BAD_POINT);
	}
	assert_int_equal(found, 1);     /* -1 is not a square: one sign works */
}

/* several threads encapsulate and decapsulate with more KMS keys than the
 * cache holds (so tables are built, evicted and rebuilt concurrently);
 * every result must equal the one computed alone beforehand */
#define THREADS 4
#define KEYS (CACHE_SLOTS + 2)
#define ROUNDS_PER_THREAD 10

struct kms_case {
	uint8_t z_pub[SAKKE_POINT_LEN], rsk[SAKKE_POINT_LEN];
	uint8_t ssv[SAKKE_SSV_LEN], encap[SAKKE_ENCAP_LEN];
};

static struct kms_case cases[KEYS];
static const uint8_t thread_id[] = "2011-02\0tel:+447700900123";

static void *thread_main(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	long failures = 0;
	int i;

	for (i = 0; i < ROUNDS_PER_THREAD; i++) {
		struct kms_case *c = &cases[(seed * 3 + (unsigned)i * (seed + 1)) % KEYS];
		uint8_t encap[SAKKE_ENCAP_LEN], ssv[SAKKE_SSV_LEN];

		if (sakke_encapsulate(c->z_pub, thread_id, sizeof thread_id, c->ssv, encap) != MST_OK ||
		    memcmp(encap, c->encap, sizeof encap) != 0)
			failures++;
		if (sakke_decapsulate(c->z_pub, thread_id, sizeof thread_id, c->rsk, c->encap, ssv) != MST_OK ||
		    memcmp(ssv, c->ssv, sizeof ssv) != 0)
			failures++;
	}
	return (void *)failures;
}

static void z_cache_is_thread_safe(void **state)
{
	uint8_t z[SAKKE_SCALAR_LEN];
	pthread_t th[THREADS];
	int i;

	(void)state;
	for (i = 0; i < KEYS; i++) {
		struct kms_case *c = &cases[i];

		assert_int_equal(sakke_kms_keygen(z, c->z_pub), MST_OK);
		assert_int_equal(sakke_rsk_issue(z, sizeof z, thread_id, sizeof thread_id, c->rsk), MST_OK);
		assert_int_equal(sakke_random_ssv(c->ssv), MST_OK);
		assert_int_equal(sakke_encapsulate(c->z_pub, thread_id, sizeof thread_id, c->ssv, c->encap),
				 MST_OK);
	}
	sakke_z_cache_clear();
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, thread_main, (void *)(uintptr_t)i), 0);
	for (i = 0; i < THREADS; i++) {
		void *failures;

		assert_int_equal(pthread_join(th[i], &failures), 0);
		assert_int_equal((long)failures, 0);
	}
}

/* fork() while another thread is looking a table up (the cache mutex
 * held most of the time): every child must find a table at once, not
 * hang on a mutex locked by a thread it does not have (issue 11). */
#define FORKS 40
static volatile int hammer_stop;

static void *hammer(void *arg)
{
	ec_aff t[EC_COMB_MAX];

	while (!hammer_stop)
		(void)sakke_z_table(arg, t);
	return NULL;
}

static void z_cache_usable_after_fork(void **state)
{
	uint8_t z[SAKKE_SCALAR_LEN], z_pub[SAKKE_POINT_LEN], other[SAKKE_POINT_LEN];
	ec_aff t[EC_COMB_MAX], want[EC_COMB_MAX];
	pthread_t th;
	int i, hung = 0, wrong = 0;

	(void)state;
	assert_int_equal(sakke_kms_keygen(z, z_pub), MST_OK);
	random_z(other);
	assert_int_equal(sakke_z_table(z_pub, want), MST_OK);
	hammer_stop = 0;
	assert_int_equal(pthread_create(&th, NULL, hammer, z_pub), 0);
	for (i = 0; i < FORKS; i++) {
		int status;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			alarm(3);
			/* a hit and a miss, each under the cache mutex */
			_exit(sakke_z_table(z_pub, t) == MST_OK && memcmp(t, want, sizeof t) == 0 &&
			      sakke_z_table(other, t) == MST_OK ? 0 : 1);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		hung += WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM;
		wrong += WIFEXITED(status) && WEXITSTATUS(status) != 0;
	}
	hammer_stop = 1;
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(hung, 0);
	assert_int_equal(wrong, 0);
}

/* the identifier-point table: built on an identifier's second use (not
 * its first), once; the encapsulation with it equals the one without
 * (first use) byte for byte, and decapsulation through it succeeds */
static void id_cache_second_use_same_result(void **state)
{
	static const uint8_t id[] = "2026-12\0tel:+447700900999";
	uint8_t z[SAKKE_SCALAR_LEN], z_pub[SAKKE_POINT_LEN], rsk[SAKKE_POINT_LEN];
	uint8_t ssv[SAKKE_SSV_LEN], out[SAKKE_SSV_LEN], e1[SAKKE_ENCAP_LEN], e2[SAKKE_ENCAP_LEN];
	unsigned b0;
	int i;

	(void)state;
	sakke_id_cache_clear();
	assert_int_equal(sakke_kms_keygen(z, z_pub), MST_OK);
	assert_int_equal(sakke_rsk_issue(z, sizeof z, id, sizeof id, rsk), MST_OK);
	assert_int_equal(sakke_random_ssv(ssv), MST_OK);
	b0 = sakke_id_cache_builds();
	assert_int_equal(sakke_encapsulate(z_pub, id, sizeof id, ssv, e1), MST_OK);
	assert_int_equal(sakke_id_cache_builds(), b0);          /* first use: no table */
	for (i = 0; i < 3; i++) {
		assert_int_equal(sakke_encapsulate(z_pub, id, sizeof id, ssv, e2), MST_OK);
		assert_memory_equal(e1, e2, sizeof e1);
		assert_int_equal(sakke_decapsulate(z_pub, id, sizeof id, rsk, e2, out), MST_OK);
		assert_memory_equal(out, ssv, sizeof ssv);
	}
	assert_int_equal(sakke_id_cache_builds(), b0 + 1);
	/* a damaged H is still refused through the table */
	e2[SAKKE_POINT_LEN] ^= 1;
	assert_int_equal(sakke_decapsulate(z_pub, id, sizeof id, rsk, e2, out), MST_ERR_DECAPSULATE);
}

/* identifiers used in turn, more of them than the cache has slots (a
 * group call): after the first rounds no table is built again (the old
 * policy rebuilt one at every use) */
static void id_cache_no_thrash_in_turn(void **state)
{
	uint8_t z[SAKKE_SCALAR_LEN], z_pub[SAKKE_POINT_LEN], ssv[SAKKE_SSV_LEN], e[SAKKE_ENCAP_LEN];
	char id[40];
	unsigned b0, after2 = 0;
	int round, i;

	(void)state;
	sakke_id_cache_clear();
	b0 = sakke_id_cache_builds();
	assert_int_equal(sakke_kms_keygen(z, z_pub), MST_OK);
	assert_int_equal(sakke_random_ssv(ssv), MST_OK);
	for (round = 0; round < 5; round++) {
		for (i = 0; i < ID_SLOTS + 4; i++) {
			int n = snprintf(id, sizeof id, "2026-12%ctel:+4477%06d", 0, i) + 1;

			assert_int_equal(sakke_encapsulate(z_pub, (const uint8_t *)id, (size_t)n, ssv, e), MST_OK);
		}
		if (round == 2)
			after2 = sakke_id_cache_builds();
	}
	assert_true(after2 - b0 <= ID_SLOTS + 4);
	assert_int_equal(sakke_id_cache_builds(), after2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mul_mod_q_matches_bn),
		cmocka_unit_test(comb_tables_match_scalar_mult),
		cmocka_unit_test(comb_multi_tables_match_scalar_mult),
		cmocka_unit_test(scomb_matches_scalar_mult),
		cmocka_unit_test(scomb_flags_doubling_case),
		cmocka_unit_test(r_point_matches_ladder),
		cmocka_unit_test(z_cache_hits_evicts_refuses),
		cmocka_unit_test(z_cache_is_thread_safe),
		cmocka_unit_test(z_cache_usable_after_fork),
		cmocka_unit_test(rsk_validate_refuses_small_order),
		cmocka_unit_test(g_comb_matches_pf_pow),
		cmocka_unit_test(encapsulate_refuses_r_at_infinity),
		cmocka_unit_test(id_cache_second_use_same_result),
		cmocka_unit_test(id_cache_no_thrash_in_turn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
