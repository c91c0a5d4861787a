/* token/sakke_api.c - point and pairing entry points of token/sakke.h
 * (used by the KMS, the tests and the benchmark) and the helpers built on
 * them. */
#include <string.h>
#include "token/sakke_internal.h"
#include "token/sakke_pairing.h"
#include "token/secmem.h"

/* Deeper than the largest call chain below an entry point: ec_mul's table
 * is 6 KiB; sakke_r_point holds P's comb table (16 KiB, public) above the
 * comb's secret temporaries, the frames under it about 2 KiB. */
#define SCRUB_BYTES 32768

__attribute__((noinline)) void sakke_scrub_stack(void)
{
	uint8_t area[SCRUB_BYTES];

	secure_wipe(area, sizeof area);
}

mst_rc sakke_mul_affine(const uint8_t *k, size_t k_len, const ec_jac *pt, int in_subgroup,
			ec_aff *out)
{
	ec_jac t;
	uint64_t finite;

	ec_mul(&t, k, k_len, pt, in_subgroup);
	finite = ec_to_affine(out, &t);
	secure_wipe(&t, sizeof t);
	return finite ? MST_OK : MST_ERR_BAD_POINT;
}

mst_rc sakke_r_point_jac(const ec_aff z_table[EC_COMB_MAX], const uint8_t b[SAKKE_SCALAR_LEN],
			 const uint8_t r[SAKKE_SCALAR_LEN], ec_jac *out)
{
	uint8_t rb[SAKKE_SCALAR_LEN];
	ec_aff p_table[EC_COMB_MAX];
	ec_jac rbp, rz;
	mst_rc rc;

	/* P's 6-teeth table comes from the same cache as Z's */
	rc = sakke_z_table(sakke_param_P, p_table);
	if (rc == MST_OK)
		rc = sakke_mul_mod_q(r, b, rb);
	if (rc != MST_OK)
		return rc;
	ec_comb_mul(&rbp, rb, p_table, SAKKE_ZTAB_TEETH);
	ec_comb_mul(&rz, r, z_table, SAKKE_ZTAB_TEETH);
	/* complete addition: [r b]P and [r]Z may be equal or opposite */
	ec_add(out, &rbp, &rz);
	secure_wipe(rb, sizeof rb);
	secure_wipe(&rbp, sizeof rbp);
	secure_wipe(&rz, sizeof rz);
	return MST_OK;
}

mst_rc sakke_r_point(const ec_aff z_table[EC_COMB_MAX], const uint8_t b[SAKKE_SCALAR_LEN],
		     const uint8_t r[SAKKE_SCALAR_LEN], ec_aff *out)
{
	ec_jac rj;
	uint64_t finite = 0;
	mst_rc rc = sakke_r_point_jac(z_table, b, r, &rj);

	if (rc == MST_OK)
		finite = ec_to_affine(out, &rj);
	secure_wipe(&rj, sizeof rj);
	if (rc != MST_OK)
		return rc;
	return finite ? MST_OK : MST_ERR_BAD_POINT;
}

mst_rc sakke_check_point(const uint8_t pt[SAKKE_POINT_LEN])
{
	ec_aff a;
	mst_rc rc = ec_decode(&a, pt, SAKKE_POINT_LEN);

	if (rc == MST_OK)
		rc = ec_check_subgroup(&a);
	secure_wipe(&a, sizeof a);
	return rc;
}

mst_rc sakke_point_mul(const uint8_t *x, size_t x_len, const uint8_t q_pt[SAKKE_POINT_LEN],
		       uint8_t out[SAKKE_POINT_LEN])
{
	uint8_t k[SAKKE_SCALAR_LEN];
	ec_aff q, r;
	ec_jac qj;
	mst_rc rc;

	if (out == NULL)
		return MST_ERR_ARGS;
	memset(out, 0, SAKKE_POINT_LEN);
	rc = sakke_scalar_pad(x, x_len, k);
	if (rc == MST_OK)
		rc = ec_decode(&q, q_pt, SAKKE_POINT_LEN);
	/* any point of E and any scalar: complete additions */
	if (rc == MST_OK) {
		ec_from_affine(&qj, &q);
		rc = sakke_mul_affine(k, sizeof k, &qj, 0, &r);
	}
	if (rc == MST_OK)
		ec_encode(out, &r);
	secure_wipe(k, sizeof k);
	secure_wipe(&q, sizeof q);
	secure_wipe(&qj, sizeof qj);
	secure_wipe(&r, sizeof r);
	sakke_scrub_stack();
	return rc;
}

mst_rc sakke_pairing(const uint8_t r_pt[SAKKE_POINT_LEN], const uint8_t q_pt[SAKKE_POINT_LEN],
		     uint8_t out[SAKKE_L])
{
	ec_aff r, q;
	fp w;
	mst_rc rc;

	if (out == NULL)
		return MST_ERR_ARGS;
	memset(out, 0, SAKKE_L);
	rc = ec_decode(&r, r_pt, SAKKE_POINT_LEN);
	if (rc == MST_OK)
		rc = ec_decode(&q, q_pt, SAKKE_POINT_LEN);
	if (rc == MST_OK) {
		sakke_pairing_fp(&w, &r, &q);
		fp_to_bytes(out, &w);
	}
	secure_wipe(&q, sizeof q);
	secure_wipe(&w, sizeof w);
	sakke_scrub_stack();
	return rc;
}

mst_rc sakke_g_pow(const uint8_t *x, size_t x_len, uint8_t out[SAKKE_L])
{
	uint8_t k[SAKKE_SCALAR_LEN];
	fp w;
	mst_rc rc;

	if (out == NULL)
		return MST_ERR_ARGS;
	memset(out, 0, SAKKE_L);
	rc = sakke_scalar_pad(x, x_len, k);
	if (rc != MST_OK)
		return rc;
	sakke_g_pow_fixed(&w, k);
	fp_to_bytes(out, &w);
	secure_wipe(k, sizeof k);
	secure_wipe(&w, sizeof w);
	sakke_scrub_stack();
	return MST_OK;
}

mst_rc sakke_id_point(const uint8_t z_pub[SAKKE_POINT_LEN], const uint8_t *id, size_t id_len,
		      ec_jac *out)
{
	uint8_t b[SAKKE_SCALAR_LEN];
	ec_aff z, p_table[EC_COMB_MAX];
	ec_jac bp, zj;
	mst_rc rc;

	rc = ec_decode(&z, z_pub, SAKKE_POINT_LEN);
	if (rc == MST_OK)
		rc = sakke_id_scalar(id, id_len, b);
	if (rc == MST_OK)
		rc = sakke_z_table(sakke_param_P, p_table);
	if (rc != MST_OK)
		return rc;
	ec_comb_mul(&bp, b, p_table, SAKKE_ZTAB_TEETH);         /* b < q */
	ec_from_affine(&zj, &z);
	ec_add(out, &bp, &zj);
	return fp_is_zero(&out->z) ? MST_ERR_BAD_POINT : MST_OK;
}
