/* token/fp2.c - quadratic extension arithmetic used by the pairing and by
 * exponentiation in PF_p. */
#include "token/fp2.h"
#include "token/secmem.h"

void fp2_set_one(fp2 *r)
{
	fp_copy(&r->a, &fp_one);
	fp_set_zero(&r->b);
}

/* Karatsuba: 3 multiplications.
 * (a + ib)(c + id) = (ac - bd) + i((a + b)(c + d) - ac - bd) */
void fp2_mul(fp2 *r, const fp2 *x, const fp2 *y)
{
	fp ac, bd, s, t;

	fp_mul(&ac, &x->a, &y->a);
	fp_mul(&bd, &x->b, &y->b);
	fp_add(&s, &x->a, &x->b);
	fp_add(&t, &y->a, &y->b);
	fp_mul(&s, &s, &t);
	fp_sub(&s, &s, &ac);
	fp_sub(&r->b, &s, &bd);
	fp_sub(&r->a, &ac, &bd);
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
