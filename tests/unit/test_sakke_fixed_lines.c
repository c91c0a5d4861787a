/* tests/unit/test_sakke_fixed_lines.c - RSK validation with the line
 * tables of P and Z (token/sakke_fixed_lines.c) and the subgroup test by
 * quadratic characters (token/sakke_subgroup.c): the pairing equals the
 * plain one, the subgroup test agrees with [q]K == O on points of every
 * order, and validation gives the same verdicts with and without the
 * tables (first validation under a KMS key: plain loop; later: tables). */
#include "test_util.h"
#include <pthread.h>
#include <openssl/rand.h>
#include "token/sakke.h"
#include "token/sakke_fixed_lines.h"
#include "token/sakke_internal.h"
#include "token/sakke_pairing.h"
#include "vectors/interop_vectors.h"

static void random_point(ec_aff *pt)
{
	uint8_t x[SAKKE_SCALAR_LEN], enc[SAKKE_POINT_LEN];

	RAND_bytes(x, sizeof x);
	x[0] &= 0x3f;
	x[sizeof x - 1] |= 1;
	assert_int_equal(sakke_point_mul(x, sizeof x, sakke_param_P, enc), MST_OK);
	assert_int_equal(ec_decode(pt, enc, sizeof enc), MST_OK);
}

/* a point of order 4: x^2 = -3, y^2 = -6x (one sign of x gives a square) */
static void order4_point(ec_aff *t4)
{
	fp three, t;
	int sign;

	fp_add(&three, &fp_one, &fp_one);
	fp_add(&three, &three, &fp_one);
	fp_neg(&t, &three);
	assert_true(fp_sqrt(&t4->x, &t) != 0);
	for (sign = 0; sign < 2; sign++) {
		if (sign)
			fp_neg(&t4->x, &t4->x);
		fp_dbl(&t, &three);
		fp_mul(&t, &t, &t4->x);
		fp_neg(&t, &t);
		if (fp_sqrt(&t4->y, &t))
			return;
	}
	fail_msg("no point of order 4");
}

/* a + [j]T4 in affine form (j = 0..3); a in E(F_p)[q] */
static void plus_torsion(ec_aff *out, const ec_aff *a, const ec_aff *t4, int j)
{
	ec_jac s, t;
	int i;

	ec_from_affine(&s, a);
	ec_from_affine(&t, t4);
	for (i = 0; i < j; i++)
		ec_add(&s, &s, &t);
	assert_true(ec_to_affine(out, &s) != 0);
}

/* the reference: [q]a == O */
static int in_q_by_mul(const ec_aff *a)
{
	ec_jac j, r;

	ec_from_affine(&j, a);
	ec_mul(&r, sakke_param_q, SAKKE_L, &j, 0);
	return fp_is_zero(&r.z) != 0;
}

static void subgroup_test_agrees_with_q_mul(void **state)
{
	uint8_t x[FP_BYTES];
	ec_aff a, t4, pt, two;
	fp rhs, t;
	int i, j, found = 0;

	(void)state;
	order4_point(&t4);
	plus_torsion(&two, &t4, &t4, 1);          /* [2]T4 = (0, 0) */
	assert_true(fp_is_zero(&two.x) != 0 && fp_is_zero(&two.y) != 0);
	assert_true(sakke_in_subgroup(&two) == 0);
	for (i = 0; i < 4; i++) {
		random_point(&a);
		for (j = 0; j < 4; j++) {
			plus_torsion(&pt, &a, &t4, j);
			assert_int_equal(sakke_in_subgroup(&pt) != 0, j == 0);
			assert_int_equal(in_q_by_mul(&pt), j == 0);
		}
		/* the torsion points alone: T4, [3]T4 */
		plus_torsion(&pt, &t4, &t4, 2 * (i & 1));
		assert_true(sakke_in_subgroup(&pt) == 0);
	}
	/* points of E(F_p) of any order: random x with x^3 - 3x a square */
	while (found < 12) {
		RAND_bytes(x, sizeof x);
		x[0] &= 0x3f;
		assert_true(fp_from_bytes(&pt.x, x) != 0);
		fp_sqr(&rhs, &pt.x);
		fp_add(&t, &fp_one, &fp_one);
		fp_add(&t, &t, &fp_one);
		fp_sub(&rhs, &rhs, &t);
		fp_mul(&rhs, &rhs, &pt.x);
		if (!fp_sqrt(&pt.y, &rhs))
			continue;
		found++;
		assert_int_equal(sakke_in_subgroup(&pt) != 0, in_q_by_mul(&pt));
	}
}

/* <[b]P + Z, K> from the tables == the plain pairing, for random Z, K, b */
static void tables_equal_plain_pairing(void **state)
{
	uint8_t z[SAKKE_SCALAR_LEN], z_pub[SAKKE_POINT_LEN], b[SAKKE_SCALAR_LEN], id[40];
	ec_aff k, a;
	ec_jac aj;
	fp ours, plain;
	uint64_t is_g;
	int i;

	(void)state;
	sakke_fixed_lines_clear();
	assert_int_equal(sakke_kms_keygen(z, z_pub), MST_OK);
	random_point(&k);
	memset(b, 0, sizeof b);
	/* the first time Z is met: no table */
	assert_int_equal(sakke_fixed_pairing_fp(&ours, z_pub, b, &k), 0);
	assert_int_equal(sakke_fixed_lines_builds(), 0);
	for (i = 0; i < 3; i++) {
		random_point(&k);
		RAND_bytes(id, sizeof id);
		id[0] |= 1;                       /* 0, 40 and then 2 octets of b */
		assert_int_equal(sakke_id_scalar(id, i == 2 ? 2 : sizeof id, b), MST_OK);
		if (i == 0)
			memset(b, 0, sizeof b);
		assert_int_equal(sakke_fixed_pairing_fp(&ours, z_pub, b, &k), 1);
		assert_int_equal(sakke_fixed_lines_builds(), 2);     /* P's and Z's, once */
		if (i == 0) {
			ec_decode(&a, z_pub, sizeof z_pub);
		} else {
			assert_int_equal(sakke_id_point(z_pub, id, i == 2 ? 2 : sizeof id, &aj), MST_OK);
			assert_true(ec_to_affine(&a, &aj) != 0);
		}
		sakke_pairing_fp(&plain, &a, &k);
		assert_memory_equal(&ours, &plain, sizeof ours);
		assert_int_equal(sakke_fixed_pairing_is_g(&is_g, z_pub, b, &k), 1);
		assert_true(is_g == 0);
	}
}

/* every verdict of the plain path (first validation under a KMS key, the
 * tables dropped) is the table path's (second) */
static void validate_both_ways(mst_rc want, const uint8_t z_pub[SAKKE_POINT_LEN], const uint8_t *id,
			       size_t id_len, const uint8_t rsk[SAKKE_POINT_LEN])
{
	unsigned before;

	sakke_fixed_lines_clear();
	before = sakke_fixed_lines_builds();
	assert_int_equal(sakke_rsk_validate(z_pub, id, id_len, rsk), want);
	assert_int_equal(sakke_fixed_lines_builds(), before);
	assert_int_equal(sakke_rsk_validate(z_pub, id, id_len, rsk), want);
	assert_true(sakke_fixed_lines_builds() > before);
	assert_int_equal(sakke_rsk_validate(z_pub, id, id_len, rsk), want);
}

static void verdicts_equal_both_paths(void **state)
{
	static const uint8_t id[] = "2026-12\0tel:+447700900123", other[] = "2026-12\0tel:+447700900124";
	uint8_t z[SAKKE_SCALAR_LEN], z_pub[SAKKE_POINT_LEN], z2[SAKKE_SCALAR_LEN], z2_pub[SAKKE_POINT_LEN];
	uint8_t rsk[SAKKE_POINT_LEN], bad[SAKKE_POINT_LEN];
	ec_aff k, t4, pt;
	int j;

	(void)state;
	assert_int_equal(sakke_kms_keygen(z, z_pub), MST_OK);
	assert_int_equal(sakke_kms_keygen(z2, z2_pub), MST_OK);
	assert_int_equal(sakke_rsk_issue(z, sizeof z, id, sizeof id, rsk), MST_OK);
	validate_both_ways(MST_OK, z_pub, id, sizeof id, rsk);
	/* another identifier, another KMS key, P as the KMS key */
	validate_both_ways(MST_ERR_BAD_KEY, z_pub, other, sizeof other, rsk);
	validate_both_ways(MST_ERR_BAD_KEY, z2_pub, id, sizeof id, rsk);
	validate_both_ways(MST_ERR_BAD_KEY, sakke_param_P, id, sizeof id, rsk);
	/* K + T for T of order 2 and 4, and T alone */
	order4_point(&t4);
	assert_int_equal(ec_decode(&k, rsk, sizeof rsk), MST_OK);
	for (j = 1; j < 4; j++) {
		plus_torsion(&pt, &k, &t4, j);
		ec_encode(bad, &pt);
		validate_both_ways(MST_ERR_BAD_POINT, z_pub, id, sizeof id, bad);
		plus_torsion(&pt, &t4, &t4, j - 1);
		ec_encode(bad, &pt);
		validate_both_ways(MST_ERR_BAD_POINT, z_pub, id, sizeof id, bad);
	}
	/* (0, 0) is encoded as zeros */
	memset(bad, 0, sizeof bad);
	bad[0] = 0x04;
	validate_both_ways(MST_ERR_BAD_POINT, z_pub, id, sizeof id, bad);
}

/* every vendor key set of tests/vectors: the same verdict on both paths,
 * and the sets that must be valid are */
static void vendor_verdicts_equal_both_paths(void **state)
{
	size_t i, valid = 0, refused = 0;

	(void)state;
	for (i = 0; i < INTEROP_COUNT(interop_key_sets); i++) {
		const struct interop_key_set *k = &interop_key_sets[i];
		mst_rc plain;

		if (k->rsk == NULL || k->z == NULL)
			continue;
		sakke_fixed_lines_clear();
		plain = sakke_rsk_validate(k->z, k->uid, k->uid_len, k->rsk);
		validate_both_ways(plain, k->z, k->uid, k->uid_len, k->rsk);
		if (k->expect_valid)
			assert_int_equal(plain, MST_OK);
		if (plain == MST_OK)
			valid++;
		else
			refused++;
	}
	print_message("%zu vendor RSKs valid, %zu refused, on both paths\n", valid, refused);
	assert_true(valid >= 5);
}

/* threads validating under more KMS keys than the slots hold (tables
 * built, evicted and rebuilt while others are in use): every verdict
 * right, a wrong identifier always refused */
#define THREADS 4
#define KEYS 3
struct kms {
	uint8_t z[SAKKE_SCALAR_LEN], z_pub[SAKKE_POINT_LEN], rsk[SAKKE_POINT_LEN];
};
static struct kms kms_keys[KEYS];
static const uint8_t thread_id[] = "2026-12\0tel:+447700900777";

static void *validate_in_turn(void *arg)
{
	unsigned t = (unsigned)(uintptr_t)arg, i;
	uintptr_t bad = 0;

	for (i = 0; i < 6; i++) {
		const struct kms *k = &kms_keys[(t + i) % KEYS];

		bad += sakke_rsk_validate(k->z_pub, thread_id, sizeof thread_id, k->rsk) != MST_OK;
		bad += sakke_rsk_validate(k->z_pub, thread_id, sizeof thread_id - 1, k->rsk) != MST_ERR_BAD_KEY;
	}
	return (void *)bad;
}

static void threads_share_the_tables(void **state)
{
	pthread_t th[THREADS];
	unsigned i, before;
	void *bad;

	(void)state;
	sakke_fixed_lines_clear();
	before = sakke_fixed_lines_builds();
	for (i = 0; i < KEYS; i++) {
		assert_int_equal(sakke_kms_keygen(kms_keys[i].z, kms_keys[i].z_pub), MST_OK);
		assert_int_equal(sakke_rsk_issue(kms_keys[i].z, sizeof kms_keys[i].z, thread_id,
						 sizeof thread_id, kms_keys[i].rsk), MST_OK);
	}
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, validate_in_turn, (void *)(uintptr_t)i), 0);
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(th[i], &bad), 0);
		assert_true(bad == NULL);
	}
	/* P's table and more KMS keys' than the two slots: rebuilt */
	assert_true(sakke_fixed_lines_builds() > before + 1);
	sakke_fixed_lines_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(subgroup_test_agrees_with_q_mul),
		cmocka_unit_test(tables_equal_plain_pairing),
		cmocka_unit_test(verdicts_equal_both_paths),
		cmocka_unit_test(vendor_verdicts_equal_both_paths),
		cmocka_unit_test(threads_share_the_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
