/* token/sakke.c - the SAKKE user operations (RFC 6508 6.1.2 and 6.2):
 * RSK validation, encapsulation, decapsulation. */
#include <string.h>
#include <openssl/rand.h>
#include "token/sakke_internal.h"
#include "token/sakke_fixed_lines.h"
#include "token/sakke_lines.h"
#include "token/sakke_pairing.h"
#include "token/secmem.h"

/* RFC 6508 6.1.2.  Two ways, the same verdicts:
 *  - with the line tables of P and Z (token/sakke_fixed_lines.c, from the
 *    second validation under Z in the process): <[b]P + Z, K> = <P, K>^b
 *    <Z, K> evaluated at K, and K's membership of E(F_p)[q] tested by
 *    quadratic characters (sakke_in_subgroup);
 *  - without them: the plain Miller loop walking K (the pairing is
 *    symmetric on E(F_p)[q], <[a]P + Z, K> = <K, [a]P + Z>), which ends at
 *    [q - 1]K, -K exactly when [q]K == O (sakke_pairing_walk); a K outside
 *    E(F_p)[q] ends elsewhere (or at infinity after an exceptional
 *    addition) and is refused.  This saves the scalar multiplication [q]K.
 * A K outside E(F_p)[q] is MST_ERR_BAD_POINT, a pairing other than g
 * MST_ERR_BAD_KEY. */
static mst_rc rsk_validate_walk(const uint8_t z_pub[SAKKE_POINT_LEN], const uint8_t *id, size_t id_len,
				const ec_aff *k)
{
	uint8_t w[SAKKE_L];
	ec_aff a;
	ec_jac aj, end;
	fp pairing, z2, t;
	uint64_t in_q;
	mst_rc rc = MST_OK;

	/* [a]P + Z at infinity means a = -z: no valid key for that identifier */
	if (sakke_id_point(z_pub, id, id_len, &aj) != MST_OK)
		return MST_ERR_BAD_KEY;
	(void)ec_to_affine(&a, &aj);    /* finite: checked just above */
	sakke_pairing_walk(&pairing, &end, k, &a);
	/* end == -K: X == x Z^2, Y == -y Z^3, Z != 0 */
	fp_sqr(&z2, &end.z);
	fp_mul(&t, &k->x, &z2);
	in_q = fp_equal(&t, &end.x);
	fp_mul(&z2, &z2, &end.z);
	fp_mul(&t, &k->y, &z2);
	fp_neg(&t, &t);
	in_q &= fp_equal(&t, &end.y) & ~fp_is_zero(&end.z);
	ct_declassify(&in_q, sizeof in_q);     /* the verdict */
	fp_to_bytes(w, &pairing);
	if (!in_q)
		rc = MST_ERR_BAD_POINT;
	/* < [a]P + Z, K > == g */
	else if (secure_memcmp(w, sakke_param_g, SAKKE_L) != 0)
		rc = MST_ERR_BAD_KEY;
	secure_wipe(&end, sizeof end);
	secure_wipe(&z2, sizeof z2);
	secure_wipe(&t, sizeof t);
	secure_wipe(&pairing, sizeof pairing);
	secure_wipe(w, sizeof w);
	return rc;
}

mst_rc sakke_rsk_validate(const uint8_t z_pub[SAKKE_POINT_LEN], const uint8_t *id, size_t id_len,
			  const uint8_t rsk[SAKKE_POINT_LEN])
{
	uint8_t b[SAKKE_SCALAR_LEN];
	ec_aff ztab[EC_COMB_MAX], k;
	uint64_t in_q, is_g;
	mst_rc rc;

	if (z_pub == NULL || rsk == NULL || id == NULL || id_len == 0)
		return MST_ERR_ARGS;
	/* both points must be in E(F_p)[q], where the pairing is defined */
	rc = sakke_z_table(z_pub, ztab);        /* Z decoded and checked, cached */
	if (rc == MST_OK)
		rc = ec_decode(&k, rsk, SAKKE_POINT_LEN);
	if (rc == MST_OK)
		rc = sakke_id_scalar(id, id_len, b);
	if (rc == MST_OK && sakke_fixed_pairing_is_g(&is_g, z_pub, b, &k)) {
		in_q = sakke_in_subgroup(&k);
		ct_declassify(&in_q, sizeof in_q);     /* the verdicts */
		ct_declassify(&is_g, sizeof is_g);
		/* [b]P + Z at infinity (b = -z) pairs to 1: refused here too */
		rc = !in_q ? MST_ERR_BAD_POINT : !is_g ? MST_ERR_BAD_KEY : MST_OK;
	} else if (rc == MST_OK) {
		rc = rsk_validate_walk(z_pub, id, id_len, &k);
	}
	secure_wipe(&k, sizeof k);
	sakke_scrub_stack();
	return rc;
}

mst_rc sakke_random_ssv(uint8_t ssv[SAKKE_SSV_LEN])
{
	if (ssv == NULL)
		return MST_ERR_ARGS;
	return RAND_priv_bytes(ssv, SAKKE_SSV_LEN) == 1 ? MST_OK : MST_ERR_CRYPTO;
}

/* Step 5 of 6.2.2: TEST = [r]([b]P + Z) == R, r = HashToIntegerRange(SSV
 * || b, q), compared in Jacobian coordinates (X == x Z^2, Y == y Z^3, Z !=
 * 0) against the decoded R, which saves TEST's inversion: an encoding is
 * unique, so equal points mean equal octets.  With Z's comb table (ztab
 * not NULL) by the combs; without it (Z met for the first time, not
 * checked for E(F_p)[q]) by the constant-time ladder with complete
 * additions, TEST = [k]([b]P + Z) with k = r + m q = 1 mod 4 (see
 * r_plus_mq), which costs less than building the table.  All-ones when
 * equal. */
/* k = r + m q, m in 0..3 such that k = 1 mod 4 (q is odd, so q = q^-1 mod
 * 4), as 129 big-endian octets, without a branch on the secret r.  For Q
 * in E(F_p)[q], [k]Q = [r]Q; for Q = Q' + T with T of order 2 or 4 (a Z
 * outside E(F_p)[q]: #E = 4q), [k]Q = [r]Q' + [k]T with [k]T != O, so such
 * a TEST never equals an R of E(F_p)[q] and the Z is refused, whatever r
 * is, as on the comb path (whose table build checks Z). */
static void r_plus_mq(uint8_t k[SAKKE_SCALAR_LEN + 1], const uint8_t r[SAKKE_SCALAR_LEN])
{
	unsigned m = ((1u - r[SAKKE_SCALAR_LEN - 1]) * sakke_param_q[SAKKE_L - 1]) & 3u;
	unsigned carry = 0;
	int i;

	for (i = SAKKE_SCALAR_LEN - 1; i >= 0; i--) {
		unsigned v = r[i] + sakke_param_q[i] * m + carry;

		k[i + 1] = (uint8_t)v;
		carry = v >> 8;
	}
	k[0] = (uint8_t)carry;
}

static uint64_t decap_test(const uint8_t z_pub[SAKKE_POINT_LEN], const ec_aff *ztab,
			   const uint8_t b[SAKKE_SCALAR_LEN], const uint8_t *id, size_t id_len,
			   const uint8_t ssv[SAKKE_SSV_LEN], const ec_aff *rpt)
{
	struct {
		uint8_t r[SAKKE_SCALAR_LEN], k[SAKKE_SCALAR_LEN + 1];
		ec_jac t, q;
		fp z2, v;
	} w;
	uint64_t eq = 0;
	mst_rc rc;

	rc = sakke_h2r_parts(ssv, SAKKE_SSV_LEN, id, id_len, sakke_param_q, SAKKE_L, w.r);
	if (rc == MST_OK && ztab != NULL) {
		rc = sakke_r_for_id(z_pub, ztab, b, w.r, &w.t);
	} else if (rc == MST_OK) {
		rc = sakke_id_point(z_pub, id, id_len, &w.q);
		r_plus_mq(w.k, w.r);
		if (rc == MST_OK)
			ec_mul(&w.t, w.k, sizeof w.k, &w.q, 0);
	}
	if (rc == MST_OK) {
		fp_sqr(&w.z2, &w.t.z);
		fp_mul(&w.v, &rpt->x, &w.z2);
		eq = fp_equal(&w.v, &w.t.x);
		fp_mul(&w.z2, &w.z2, &w.t.z);
		fp_mul(&w.v, &rpt->y, &w.z2);
		eq &= fp_equal(&w.v, &w.t.y) & ~fp_is_zero(&w.t.z);
	}
	secure_wipe(&w, sizeof w);
	return eq;
}

/* Encapsulation's R = [r]([b]P + Z) (encoded) and g^r (representative
 * b / a of the F_p^2 element a + ib) share one inversion: 1 / (Z_R a)
 * gives 1 / Z_R and 1 / a (Montgomery's trick).  a is never 0: g^r has odd
 * order q in PF_p, while a + ib with a = 0 is i times an element of F_p,
 * of order 2 there.  Z_R = 0 (R at infinity) is refused, and then neither
 * output is used. */
static mst_rc encap_r_and_gr(const uint8_t z_pub[SAKKE_POINT_LEN], const ec_aff ztab[EC_COMB_MAX],
			     const uint8_t b[SAKKE_SCALAR_LEN], const uint8_t r[SAKKE_SCALAR_LEN],
			     uint8_t r_pt[SAKKE_POINT_LEN], uint8_t gr[SAKKE_L])
{
	struct {
		ec_jac rj;
		ec_aff ra;
		fp2 g;
		fp inv, zi, zi2, ai, rep;
	} w;
	uint64_t finite;
	mst_rc rc = sakke_r_for_id(z_pub, ztab, b, r, &w.rj);

	if (rc != MST_OK)
		return rc;
	sakke_g_pow_fp2(&w.g, r);
	fp_mul(&w.inv, &w.rj.z, &w.g.a);
	fp_inv(&w.inv, &w.inv);
	fp_mul(&w.zi, &w.inv, &w.g.a);          /* 1 / Z_R */
	fp_mul(&w.ai, &w.inv, &w.rj.z);         /* 1 / a */
	fp_sqr(&w.zi2, &w.zi);
	fp_mul(&w.ra.x, &w.rj.x, &w.zi2);
	fp_mul(&w.zi2, &w.zi2, &w.zi);
	fp_mul(&w.ra.y, &w.rj.y, &w.zi2);
	fp_mul(&w.rep, &w.g.b, &w.ai);
	finite = ~fp_is_zero(&w.rj.z);
	ec_encode(r_pt, &w.ra);
	fp_to_bytes(gr, &w.rep);
	secure_wipe(&w, sizeof w);
	return finite ? MST_OK : MST_ERR_BAD_POINT;
}

mst_rc sakke_encapsulate_trace(const uint8_t z_pub[SAKKE_POINT_LEN], const uint8_t *id, size_t id_len,
			       const uint8_t ssv[SAKKE_SSV_LEN], uint8_t encap[SAKKE_ENCAP_LEN],
			       uint8_t r_out[SAKKE_SCALAR_LEN], uint8_t gr_out[SAKKE_L])
{
	uint8_t r[SAKKE_SCALAR_LEN], gr[SAKKE_L], mask[SAKKE_SSV_LEN];
	uint8_t b[SAKKE_SCALAR_LEN];
	ec_aff ztab[EC_COMB_MAX];
	mst_rc rc;
	int i;

	if (z_pub == NULL || id == NULL || id_len == 0 || ssv == NULL || encap == NULL)
		return MST_ERR_ARGS;
	memset(encap, 0, SAKKE_ENCAP_LEN);
	/* Z comes from outside: a point outside E(F_p)[q] would leak r mod 4;
	 * sakke_z_table refuses it.  [b]P + Z at infinity gives R at infinity,
	 * refused by encap_r_and_gr. */
	rc = sakke_z_table(z_pub, ztab);
	if (rc == MST_OK)
		rc = sakke_id_scalar(id, id_len, b);
	if (rc == MST_OK)
		rc = sakke_h2r_parts(ssv, SAKKE_SSV_LEN, id, id_len, sakke_param_q, SAKKE_L, r);
	if (rc == MST_OK)
		rc = encap_r_and_gr(z_pub, ztab, b, r, encap, gr);
	/* H = SSV XOR HashToIntegerRange(g^r, 2^n) */
	if (rc == MST_OK)
		rc = sakke_mask(gr, mask);
	if (rc == MST_OK) {
		for (i = 0; i < SAKKE_SSV_LEN; i++)
			encap[SAKKE_POINT_LEN + i] = ssv[i] ^ mask[i];
		if (r_out)
			memcpy(r_out, r, sizeof r);
		if (gr_out)
			memcpy(gr_out, gr, sizeof gr);
	} else {
		memset(encap, 0, SAKKE_ENCAP_LEN);
	}
	secure_wipe(r, sizeof r);
	secure_wipe(gr, sizeof gr);
	secure_wipe(mask, sizeof mask);
	sakke_scrub_stack();
	return rc;
}

mst_rc sakke_encapsulate(const uint8_t z_pub[SAKKE_POINT_LEN], const uint8_t *id, size_t id_len,
			 const uint8_t ssv[SAKKE_SSV_LEN], uint8_t encap[SAKKE_ENCAP_LEN])
{
	return sakke_encapsulate_trace(z_pub, id, id_len, ssv, encap, NULL, NULL);
}

/* Decapsulation checks R and K on the curve only, not for membership of
 * E(F_p)[q]; Z is checked once, when its comb table is built and cached:
 *  - K is the token's own provisioned key, checked completely by
 *    sakke_rsk_validate when it was imported;
 *  - R comes from the sender.  If R is on E but outside E(F_p)[q], the
 *    pairing value is garbage, but the final test compares R with
 *    [r]([b]P + Z), which lies in E(F_p)[q]: such an R is always refused,
 *    whatever K is, and the pairing runs in constant time, so neither the
 *    verdict nor the timing depends on K.  Decoding on E already stops
 *    invalid-curve points.  This saves one 1024-bit scalar multiplication.
 */
mst_rc sakke_decapsulate(const uint8_t z_pub[SAKKE_POINT_LEN], const uint8_t *id, size_t id_len,
			 const uint8_t rsk[SAKKE_POINT_LEN], const uint8_t encap[SAKKE_ENCAP_LEN],
			 uint8_t ssv[SAKKE_SSV_LEN])
{
	uint8_t w[SAKKE_L], mask[SAKKE_SSV_LEN];
	uint8_t b[SAKKE_SCALAR_LEN];
	ec_aff rpt, k, z, ztab[EC_COMB_MAX];
	fp wf;
	mst_rc rc;
	int i, have_ztab;

	if (ssv == NULL)
		return MST_ERR_ARGS;
	memset(ssv, 0, SAKKE_SSV_LEN);
	if (z_pub == NULL || id == NULL || id_len == 0 || rsk == NULL || encap == NULL)
		return MST_ERR_ARGS;
	/* 1) parse (R, H) */
	rc = ec_decode(&rpt, encap, SAKKE_POINT_LEN);
	if (rc == MST_OK)
		rc = ec_decode(&k, rsk, SAKKE_POINT_LEN);
	if (rc == MST_OK)
		rc = ec_decode(&z, z_pub, SAKKE_POINT_LEN);
	if (rc == MST_OK)
		rc = sakke_id_scalar(id, id_len, b);
	if (rc != MST_OK)
		goto out;
	/* Z on E but outside E(F_p)[q] has no comb table: refused like any
	 * other wrong key (see above); the first time Z is met, no table */
	rc = sakke_z_table_lazy(z_pub, ztab);
	if (rc != MST_OK && rc != MST_ERR_NOT_FOUND) {
		rc = MST_ERR_DECAPSULATE;
		goto out;
	}
	have_ztab = rc == MST_OK;
	rc = MST_OK;
	/* 2) w = < R, K > = < K, R > with K's precomputed lines */
	sakke_pairing_rsk(&wf, &k, &rpt);
	fp_to_bytes(w, &wf);
	/* 3) SSV = H XOR HashToIntegerRange(w, 2^n) */
	rc = sakke_mask(w, mask);
	if (rc != MST_OK)
		goto out;
	for (i = 0; i < SAKKE_SSV_LEN; i++)
		ssv[i] = encap[SAKKE_POINT_LEN + i] ^ mask[i];
	/* 4-5) r = HashToIntegerRange(SSV || b, q); TEST = [r]([b]P + Z) == R */
	if (!decap_test(z_pub, have_ztab ? ztab : NULL, b, id, id_len, ssv, &rpt))
		rc = MST_ERR_DECAPSULATE;
out:
	if (rc != MST_OK)
		secure_wipe(ssv, SAKKE_SSV_LEN);
	secure_wipe(w, sizeof w);
	secure_wipe(mask, sizeof mask);
	secure_wipe(&k, sizeof k);
	secure_wipe(&wf, sizeof wf);
	sakke_scrub_stack();
	return rc;
}
