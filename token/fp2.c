/* token/fp2.c - quadratic extension arithmetic used by the pairing and by
 * exponentiation in PF_p. */
#include "token/fp2.h"
#include "token/secmem.h"

void fp2_set_one(fp2 *r)
{
	fp_copy(&r->a, &fp_one);
	fp_set_zero(&r->b);
}

/* Karatsuba with lazy reduction: three 1024 x 1024-bit products, two
 * Montgomery reductions (instead of three of each).
 * (a + ib)(c + id) = (ac - bd) + i((a + b)(c + d) - ac - bd).
 * Ranges: ac, bd, s = (a + b)(c + d) < p^2 < p 2^1024 (the sums are
 * reduced mod p first); each difference below is above -p 2^1024, and
 * fp_wide_sub brings it back into [0, p 2^1024), as fp_redc_wide needs. */
void fp2_mul(fp2 *r, const fp2 *x, const fp2 *y)
{
	uint64_t ac[2 * FP_LIMBS], bd[2 * FP_LIMBS], s[2 * FP_LIMBS];
	fp t, u;

	fp_mul_wide(ac, &x->a, &y->a);
	fp_mul_wide(bd, &x->b, &y->b);
	fp_add(&t, &x->a, &x->b);
	fp_add(&u, &y->a, &y->b);
	fp_mul_wide(s, &t, &u);
	fp_wide_sub(s, s, ac);
	fp_wide_sub(s, s, bd);
	fp_redc_wide(&r->b, s);
	fp_wide_sub(ac, ac, bd);
	fp_redc_wide(&r->a, ac);
}

/* (a + ib)^2 = (a + b)(a - b) + i 2ab: 2 multiplications. */
void fp2_sqr(fp2 *r, const fp2 *x)
{
	fp s, d, ab;

	fp_add(&s, &x->a, &x->b);
	fp_sub(&d, &x->a, &x->b);
	fp_mul(&ab, &x->a, &x->b);
	fp_mul(&r->a, &s, &d);
	fp_dbl(&r->b, &ab);
}

void fp2_conj(fp2 *r, const fp2 *x)
{
	fp_copy(&r->a, &x->a);
	fp_neg(&r->b, &x->b);
}

void fp2_cmov(fp2 *r, const fp2 *x, uint64_t mask)
{
	fp_cmov(&r->a, &x->a, mask);
	fp_cmov(&r->b, &x->b, mask);
}

/* r = table[idx] reading every entry, so the access pattern does not
 * depend on the secret index. */
static void fp2_lookup(fp2 *r, const fp2 table[16], unsigned idx)
{
	unsigned k;

	fp2_set_one(r);
	for (k = 0; k < 16; k++)
		fp2_cmov(r, &table[k], ct_index_mask(k, idx));
}

void fp2_pow_secret(fp2 *r, const fp2 *x, const uint8_t *e, size_t e_len)
{
	fp2 table[16], acc, sel;
	size_t i;
	int k, half;

	fp2_set_one(&table[0]);
	for (k = 1; k < 16; k++)
		fp2_mul(&table[k], &table[k - 1], x);
	fp2_set_one(&acc);
	for (i = 0; i < e_len; i++) {
		for (half = 0; half < 2; half++) {
			unsigned w = half ? (e[i] & 0x0fu) : (unsigned)(e[i] >> 4);

			for (k = 0; k < 4; k++)
				fp2_sqr(&acc, &acc);
			/* always multiply, by 1 when the window is zero */
			fp2_lookup(&sel, table, w);
			fp2_mul(&acc, &acc, &sel);
		}
	}
	*r = acc;
	secure_wipe(table, sizeof table);
	secure_wipe(&acc, sizeof acc);
	secure_wipe(&sel, sizeof sel);
}

void fp2_pf_repr(fp *r, const fp2 *x)
{
	fp inv;

	fp_inv(&inv, &x->a);
	fp_mul(r, &x->b, &inv);
	secure_wipe(&inv, sizeof inv);
}
