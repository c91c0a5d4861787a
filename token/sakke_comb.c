/* token/sakke_comb.c - fixed-base comb scalar multiplication [k]B for a
 * base B of E(F_p)[q] whose table is known in advance: the generator P
 * (static table, token/sakke_comb_table.c) and the KMS public keys Z
 * (tables built at run time and cached, token/sakke_zcache.c). */
#include "token/sakke_ec.h"
#include "token/secmem.h"

#define Q_BITS 1022             /* q < 2^1022: scalars below q have 1022 bits */

/* bits between teeth: ceil(1022 / teeth) (256 for 4 teeth, 171 for 6) */
static int comb_spacing(int teeth)
{
	return (Q_BITS + teeth - 1) / teeth;
}

/* Comb with T teeth s bits apart: step i (s - 1 down to 0) doubles and adds
 * the table entry d_i = sum_t bit(k, i + s t) 2^t.
 * The mixed addition is incomplete, which is safe here: after step i the
 * sum is [S_i]B with S_i = sum_t 2^(s t) floor(k_t / 2^i) <= k / 2^i < q
 * (k_t the s-bit chunks of k).  Adding e = sum_t 2^(s t) d_(i,t) to
 * 2 S_(i+1) meets the doubling case only if 2 S_(i+1) = e mod q, i.e.
 * (both below q) equal: base-2^s digits even on one side and 0/1 on the
 * other, so both are 0, the sum is infinity, and the masks handle it; the
 * case p == -q would need S_i = q.  d_i = 0 (no addition) is also masked.
 * This needs B of prime order q, which is why every table is built only
 * for a base checked to lie in E(F_p)[q]. */
void ec_comb_mul(ec_jac *r, const uint8_t k[128], const ec_aff *table, int teeth)
{
	ec_jac acc, sum, selj;
	ec_aff sel;
	int i, t, spacing = comb_spacing(teeth), entries = (1 << teeth) - 1;

	fp_copy(&acc.x, &fp_one);
	fp_copy(&acc.y, &fp_one);
	fp_set_zero(&acc.z);
	for (i = spacing - 1; i >= 0; i--) {
		unsigned d = 0;

		ec_dbl(&acc, &acc);
		for (t = 0; t < teeth; t++) {
			int bit = i + spacing * t;

			if (bit < 1024)         /* public position; higher bits are 0 */
				d |= (unsigned)(k[127 - bit / 8] >> (bit % 8) & 1) << t;
		}
		/* sel = table[d - 1], every entry read (entry 0 when d == 0) */
		sel = table[0];
		for (t = 1; t < entries; t++) {
			uint64_t m = ct_index_mask((unsigned)t + 1, d);

			fp_cmov(&sel.x, &table[t].x, m);
			fp_cmov(&sel.y, &table[t].y, m);
		}
		ec_madd(&sum, &acc, &sel, NULL);
		ec_from_affine(&selj, &sel);
		ec_cmov(&sum, &selj, fp_is_zero(&acc.z));
		ec_cmov(&sum, &acc, ct_index_mask(0, d));
		acc = sum;
	}
	*r = acc;
	secure_wipe(&acc, sizeof acc);
	secure_wipe(&sum, sizeof sum);
	secure_wipe(&selj, sizeof selj);
	secure_wipe(&sel, sizeof sel);
}

void ec_mul_generator(ec_jac *r, const uint8_t k[128])
{
	ec_comb_mul(r, k, sakke_comb_table, 4);
}

/* Affine forms of n Jacobian points with one inversion (Montgomery's
 * trick); the points are public.  MST_ERR_BAD_POINT if one is infinity. */
static mst_rc batch_to_affine(ec_aff *out, const ec_jac *in, int n)
{
	fp prefix[EC_COMB_MAX], inv, zi, zi2;
	int i;

	fp_copy(&prefix[0], &in[0].z);
	for (i = 1; i < n; i++)
		fp_mul(&prefix[i], &prefix[i - 1], &in[i].z);
	if (fp_is_zero(&prefix[n - 1]))         /* public data */
		return MST_ERR_BAD_POINT;
	fp_inv(&inv, &prefix[n - 1]);
	for (i = n - 1; i >= 0; i--) {
		if (i > 0) {
			fp_mul(&zi, &inv, &prefix[i - 1]);
			fp_mul(&inv, &inv, &in[i].z);
		} else {
			fp_copy(&zi, &inv);
		}
		fp_sqr(&zi2, &zi);
		fp_mul(&out[i].x, &in[i].x, &zi2);
		fp_mul(&zi2, &zi2, &zi);
		fp_mul(&out[i].y, &in[i].y, &zi2);
	}
	return MST_OK;
}

mst_rc ec_comb_build(ec_aff *table, const ec_aff *base, int teeth)
{
	ec_jac tooth[EC_COMB_TEETH_MAX], entry[EC_COMB_MAX];
	int t, i, d, spacing = comb_spacing(teeth), entries = (1 << teeth) - 1;

	/* tooth t = [2^(s t)] B */
	ec_from_affine(&tooth[0], base);
	for (t = 1; t < teeth; t++) {
		tooth[t] = tooth[t - 1];
		for (i = 0; i < spacing; i++)
			ec_dbl(&tooth[t], &tooth[t]);
	}
	/* entry d - 1 = entry of d without its top bit + tooth of the top bit
	 * (complete additions: no assumption on the base here) */
	for (d = 1; d <= entries; d++) {
		int top = 31 - __builtin_clz((unsigned)d);
		int rest = d & ~(1 << top);

		if (rest == 0)
			entry[d - 1] = tooth[top];
		else
			ec_add(&entry[d - 1], &entry[rest - 1], &tooth[top]);
	}
	return batch_to_affine(table, entry, entries);
}
