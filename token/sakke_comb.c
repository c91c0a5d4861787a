/* token/sakke_comb.c - fixed-base comb scalar multiplication [k]B for a
 * base B of E(F_p)[q] whose table is known in advance: the generator P
 * (static table, token/sakke_comb_table.c) and the KMS public keys Z
 * (tables built at run time and cached, token/sakke_zcache.c). */
#include "token/sakke.h"
#include "token/sakke_ec.h"
#include <stdlib.h>
#include <string.h>
#include "token/secmem.h"

#define Q_BITS 1022             /* q < 2^1022: scalars below q have 1022 bits */

/* bits between teeth: ceil(1022 / (teeth tables)) (256 for 4 x 1, 171
 * for 6 x 1, 43 for 6 x 4) */
static int comb_spacing(int teeth, int tables)
{
	return (Q_BITS + teeth * tables - 1) / (teeth * tables);
}

void ct_table_select(uint64_t *out, const uint64_t *table, int n, int words, unsigned idx)
{
	uint64_t mask[EC_COMB_MAX + 1];
	int e, w;

	for (e = 0; e < n; e++)
		mask[e] = ct_index_mask((unsigned)e, idx);
	/* four words at a time across all entries: the accumulators stay in
	 * registers (the compiler vectorises the four) */
	for (w = 0; w < words; w += 4) {
		uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;

		for (e = 0; e < n; e++) {
			const uint64_t *in = table + (size_t)e * (size_t)words + w;

			a0 |= in[0] & mask[e];
			a1 |= in[1] & mask[e];
			a2 |= in[2] & mask[e];
			a3 |= in[3] & mask[e];
		}
		out[w] = a0;
		out[w + 1] = a1;
		out[w + 2] = a2;
		out[w + 3] = a3;
	}
}

/* an ec_aff is its 32 words, x then y, so that a table is a word array */
_Static_assert(sizeof(ec_aff) == 2 * FP_LIMBS * sizeof(uint64_t), "ec_aff has no padding");

/* sel = table[d - 1] of the n entries, all-zero when d == 0 */
static void comb_select(ec_aff *sel, const ec_aff *table, int n, unsigned d)
{
	ct_table_select(&sel->x.v[0], &table[0].x.v[0], n, 2 * FP_LIMBS, d - 1);
}

/* Comb with T teeth per table and V tables, the T V teeth s bits apart:
 * step i (s - 1 down to 0) doubles, then for each table j adds its entry
 * d_(i,j) = sum_t bit(k, i + s (j T + t)) 2^t.
 * The mixed addition is incomplete, which is safe here: write k_c for
 * the s-bit chunks of k (c = 0..T V - 1).  Before table j's addition at
 * step i the sum is [A]B with A = sum_c 2^(s c) a_c, where a_c = 2
 * floor(k_c / 2^(i+1)), plus bit i of k_c for the chunks of the tables
 * before j; every a_c <= k_c / 2^i, so A <= k < q.  The entry added is
 * [e]B, e = sum over the chunks c of table j of 2^(s c) bit(k_c, i) < q.
 * [A]B == [e]B means A = e (both below q): base-2^s digits (all below
 * 2^s, so unique) even on one side and 0/1 on the other in table j's
 * chunks, 0 on the other side elsewhere: both are 0, the sum is infinity
 * and the entry is d = 0, cases the masks handle; [A]B == -[e]B would
 * need A + e = q, but A + e <= k < q.  This needs B of prime order q,
 * which is why every table is built only for a base checked to lie in
 * E(F_p)[q]. */
void ec_comb_mul_tables(ec_jac *r, const uint8_t k[128], const ec_aff *table, int teeth, int tables)
{
	ec_jac acc, sum, selj;
	ec_aff sel;
	int i, j, t, spacing = comb_spacing(teeth, tables), entries = (1 << teeth) - 1;

	fp_copy(&acc.x, &fp_one);
	fp_copy(&acc.y, &fp_one);
	fp_set_zero(&acc.z);
	for (i = spacing - 1; i >= 0; i--) {
		ec_dbl(&acc, &acc);
		for (j = 0; j < tables; j++) {
			unsigned d = 0;

			for (t = 0; t < teeth; t++) {
				int bit = i + spacing * (j * teeth + t);

				if (bit < 1024)         /* public position; higher bits are 0 */
					d |= (unsigned)(k[127 - bit / 8] >> (bit % 8) & 1) << t;
			}
			comb_select(&sel, table + j * entries, entries, d);
			ec_madd(&sum, &acc, &sel, NULL);
			ec_from_affine(&selj, &sel);
			ec_cmov(&sum, &selj, fp_is_zero(&acc.z));
			ec_cmov(&sum, &acc, ct_index_mask(0, d));
			acc = sum;
		}
	}
	*r = acc;
	secure_wipe(&acc, sizeof acc);
	secure_wipe(&sum, sizeof sum);
	secure_wipe(&selj, sizeof selj);
	secure_wipe(&sel, sizeof sel);
}

void ec_comb_mul(ec_jac *r, const uint8_t k[128], const ec_aff *table, int teeth)
{
	ec_comb_mul_tables(r, k, table, teeth, 1);
}

void ec_mul_generator(ec_jac *r, const uint8_t k[128])
{
	ec_comb_mul(r, k, sakke_comb_table, 4);
}

void fp_inv_batch(fp *out, const fp *in, int n)
{
	fp inv;
	int i;

	/* out[i] holds the prefix product in[0] ... in[i] until replaced */
	fp_copy(&out[0], &in[0]);
	for (i = 1; i < n; i++)
		fp_mul(&out[i], &out[i - 1], &in[i]);
	fp_inv(&inv, &out[n - 1]);
	for (i = n - 1; i > 0; i--) {
		fp_mul(&out[i], &inv, &out[i - 1]);
		fp_mul(&inv, &inv, &in[i]);
	}
	fp_copy(&out[0], &inv);
	secure_wipe(&inv, sizeof inv);
}

/* Affine forms of n Jacobian points with one inversion (Montgomery's
 * trick, out[i].x holding the prefix products of the Z until replaced);
 * the points are public.  MST_ERR_BAD_POINT if one is infinity. */
static mst_rc batch_to_affine(ec_aff *out, const ec_jac *in, int n)
{
	fp inv, zi, zi2;
	int i;

	fp_copy(&out[0].x, &in[0].z);
	for (i = 1; i < n; i++)
		fp_mul(&out[i].x, &out[i - 1].x, &in[i].z);
	if (fp_is_zero(&out[n - 1].x))         /* public data */
		return MST_ERR_BAD_POINT;
	fp_inv(&inv, &out[n - 1].x);
	for (i = n - 1; i >= 0; i--) {
		if (i > 0) {
			fp_mul(&zi, &inv, &out[i - 1].x);
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

/* tooth t = [2^(s t)] B, t < n */
static void comb_teeth(ec_jac *tooth, const ec_aff *base, int n, int spacing)
{
	int t, i;

	ec_from_affine(&tooth[0], base);
	for (t = 1; t < n; t++) {
		tooth[t] = tooth[t - 1];
		for (i = 0; i < spacing; i++)
			ec_dbl(&tooth[t], &tooth[t]);
	}
}

mst_rc ec_comb_build_tables(ec_aff *table, const ec_aff *base, int teeth, int tables)
{
	ec_jac tooth[EC_COMB_TEETH_MAX * EC_COMB_TABLES_MAX], *entry;
	ec_aff tooth_aff[EC_COMB_TEETH_MAX * EC_COMB_TABLES_MAX];
	int j, d, n_teeth = teeth * tables, spacing = comb_spacing(teeth, tables);
	int entries = (1 << teeth) - 1;
	mst_rc rc;

	comb_teeth(tooth, base, n_teeth, spacing);
	rc = batch_to_affine(tooth_aff, tooth, n_teeth);
	if (rc != MST_OK)
		return rc;
	/* up to 95 KiB of public points: on the heap, not on a thread's stack */
	entry = malloc(sizeof *entry * (size_t)(entries * tables));
	if (entry == NULL)
		return MST_ERR_NOMEM;
	/* table j, entry d - 1 = entry of d without its top bit + tooth of the
	 * top bit.  Mixed additions, incomplete: the two are [u]B and [v]B
	 * with u != v positive sums of distinct powers 2^(s t), t < T V, so
	 * u + v < 2^(s (T V - 1) + 1) < q: never equal nor opposite for B of
	 * order q. */
	for (j = 0; j < tables; j++) {
		ec_jac *e = entry + j * entries;
		const ec_aff *tj = tooth_aff + j * teeth;

		for (d = 1; d <= entries; d++) {
			int top = 31 - __builtin_clz((unsigned)d);
			int rest = d & ~(1 << top);

			if (rest == 0)
				ec_from_affine(&e[d - 1], &tj[top]);
			else
				ec_madd(&e[d - 1], &e[rest - 1], &tj[top], NULL);
		}
	}
	rc = batch_to_affine(table, entry, entries * tables);
	free(entry);
	return rc;
}

mst_rc ec_comb_build(ec_aff *table, const ec_aff *base, int teeth)
{
	return ec_comb_build_tables(table, base, teeth, 1);
}

/* ---- signed-digit comb ----
 * For odd k < 2^L (L = T V s), k = sum_(j < L) c_j 2^j with every digit
 * c_j = +-1: c_j = 2 bit(k, j + 1) - 1 below the top, c_(L-1) = +1.  A
 * column of T digits is then +-(2^(T-1) + sum_(t < T-1) +-2^t) in units
 * of the teeth: its top digit's sign times one of 2^(T-1) entries, the
 * entry index bit t saying whether digit t has the top digit's sign.  The
 * table is half as large as the unsigned comb's for the same T, so T can
 * grow by one for the same memory; no column is 0. */

/* 1 when the digit at position pos (public) is +1 */
static unsigned sdigit_positive(const uint8_t k[128], int pos, int top)
{
	int b = pos + 1;

	if (pos >= top)
		return 1;
	if (b >= 1024)          /* public position; higher bits of k are 0 */
		return 0;
	return (unsigned)(k[127 - b / 8] >> (b % 8) & 1);
}

mst_rc ec_scomb_build(ec_aff *table, const ec_aff *base, int teeth, int tables)
{
	ec_jac tooth[EC_SCOMB_TEETH_MAX * EC_COMB_TABLES_MAX], twice, neg, *entry;
	int t, j, d, n_teeth = teeth * tables, spacing = comb_spacing(teeth, tables);
	int entries = 1 << (teeth - 1);
	mst_rc rc;

	comb_teeth(tooth, base, n_teeth, spacing);
	entry = malloc(sizeof *entry * (size_t)(entries * tables));
	if (entry == NULL)
		return MST_ERR_NOMEM;
	/* entry 0 = top tooth - the others; setting bit t of the index adds
	 * 2 tooth t (complete additions: public points, built once) */
	for (j = 0; j < tables; j++) {
		ec_jac *e = entry + j * entries, *tj = tooth + j * teeth;

		e[0] = tj[teeth - 1];
		for (t = 0; t < teeth - 1; t++) {
			neg = tj[t];
			fp_neg(&neg.y, &neg.y);
			ec_add(&e[0], &e[0], &neg);
		}
		for (d = 1; d < entries; d++) {
			int top = 31 - __builtin_clz((unsigned)d);

			ec_dbl(&twice, &tj[top]);
			ec_add(&e[d], &e[d & ~(1 << top)], &twice);
		}
	}
	rc = batch_to_affine(table, entry, entries * tables);
	free(entry);
	return rc;
}

uint64_t ec_scomb_mul(ec_jac *r, const uint8_t k[128], const ec_aff *table, int teeth, int tables)
{
	struct {
		uint8_t kk[128];
		ec_jac acc, sum, selj;
		ec_aff sel;
		fp rr, ny;
	} w;
	int i, j, t, spacing = comb_spacing(teeth, tables), entries = 1 << (teeth - 1);
	int top = spacing * teeth * tables - 1;
	uint64_t even = (uint64_t)(k[127] & 1) - 1, bad = 0;
	unsigned borrow = 0;

	/* kk = k if k is odd, q - k (odd: q is odd) if not; [k]B = -[q - k]B */
	for (i = 127; i >= 0; i--) {
		unsigned v = (unsigned)sakke_param_q[i] - k[i] - borrow;
		uint8_t m = (uint8_t)even;

		borrow = v >> 8 & 1;
		w.kk[i] = (uint8_t)((k[i] & ~m) | ((uint8_t)v & m));
	}
	fp_copy(&w.acc.x, &fp_one);
	fp_copy(&w.acc.y, &fp_one);
	fp_set_zero(&w.acc.z);
	for (i = spacing - 1; i >= 0; i--) {
		ec_dbl(&w.acc, &w.acc);
		for (j = 0; j < tables; j++) {
			int base_pos = i + spacing * j * teeth;
			unsigned top_pos = sdigit_positive(w.kk, base_pos + spacing * (teeth - 1), top);
			unsigned idx = 0;
			uint64_t acc_inf = fp_is_zero(&w.acc.z);

			for (t = 0; t < teeth - 1; t++)
				idx |= (1u ^ sdigit_positive(w.kk, base_pos + spacing * t, top) ^ top_pos) << t;
			ct_table_select(&w.sel.x.v[0], &table[j * entries].x.v[0], entries, 2 * FP_LIMBS, idx);
			fp_neg(&w.ny, &w.sel.y);
			fp_cmov(&w.sel.y, &w.ny, (uint64_t)top_pos - 1);
			ec_madd(&w.sum, &w.acc, &w.sel, &w.rr);
			/* the sum equal to the entry: the formula fails (H = 0 and
			 * rr = 0); the sum opposite to it (H = 0 only) correctly
			 * gives infinity */
			bad |= ~acc_inf & fp_is_zero(&w.sum.z) & fp_is_zero(&w.rr);
			ec_from_affine(&w.selj, &w.sel);
			ec_cmov(&w.sum, &w.selj, acc_inf);
			w.acc = w.sum;
		}
	}
	fp_neg(&w.ny, &w.acc.y);
	fp_cmov(&w.acc.y, &w.ny, even);
	*r = w.acc;
	secure_wipe(&w, sizeof w);
	return bad;
}
