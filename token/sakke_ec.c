/* token/sakke_ec.c - point arithmetic on E: y^2 = x^3 - 3x over F_p.
 * Formulas: dbl-2001-b, add-2007-bl (Explicit-Formulas Database), made
 * complete by computing the special cases alongside and selecting with
 * masks, so that no branch depends on a point or scalar value.
 */
#include <string.h>
#include "token/sakke.h"
#include "token/sakke_ec.h"
#include "token/secmem.h"

static void fp_three(fp *r)
{
	fp_add(r, &fp_one, &fp_one);
	fp_add(r, r, &fp_one);
}

mst_rc ec_decode(ec_aff *r, const uint8_t *in, size_t len)
{
	fp lhs, rhs, three;
	uint64_t ok;

	if (in == NULL || len != 2 * FP_BYTES + 1 || in[0] != 0x04)
		return MST_ERR_BAD_POINT;
	ok = fp_from_bytes(&r->x, in + 1);
	ok &= fp_from_bytes(&r->y, in + 1 + FP_BYTES);
	/* y^2 == x^3 - 3x == (x^2 - 3) x */
	fp_three(&three);
	fp_sqr(&lhs, &r->y);
	fp_sqr(&rhs, &r->x);
	fp_sub(&rhs, &rhs, &three);
	fp_mul(&rhs, &rhs, &r->x);
	ok &= fp_equal(&lhs, &rhs);
	secure_wipe(&lhs, sizeof lhs);
	secure_wipe(&rhs, sizeof rhs);
	/* the verdict is public; the coordinates were handled without branches */
	return ok ? MST_OK : MST_ERR_BAD_POINT;
}

void ec_encode(uint8_t out[2 * FP_BYTES + 1], const ec_aff *a)
{
	out[0] = 0x04;
	fp_to_bytes(out + 1, &a->x);
	fp_to_bytes(out + 1 + FP_BYTES, &a->y);
}

void ec_generator(ec_aff *r)
{
	/* a constant known to be on the curve (tested), so the result of the
	 * check can only be MST_OK */
	(void)ec_decode(r, sakke_param_P, SAKKE_POINT_LEN);
}

void ec_from_affine(ec_jac *r, const ec_aff *a)
{
	fp_copy(&r->x, &a->x);
	fp_copy(&r->y, &a->y);
	fp_copy(&r->z, &fp_one);
}

uint64_t ec_to_affine(ec_aff *r, const ec_jac *p)
{
	fp zi, zi2;

	fp_inv(&zi, &p->z);
	fp_sqr(&zi2, &zi);
	fp_mul(&r->x, &p->x, &zi2);
	fp_mul(&zi2, &zi2, &zi);
	fp_mul(&r->y, &p->y, &zi2);
	secure_wipe(&zi, sizeof zi);
	secure_wipe(&zi2, sizeof zi2);
	return ~fp_is_zero(&p->z);
}

void ec_dbl_parts(ec_jac *r, const ec_jac *p, fp *alpha_out, fp *gamma_out, fp *delta_out)
{
	fp delta, gamma, beta, alpha, t, u;

	fp_sqr(&delta, &p->z);
	fp_sqr(&gamma, &p->y);
	fp_mul(&beta, &p->x, &gamma);
	fp_sub(&t, &p->x, &delta);
	fp_add(&u, &p->x, &delta);
	fp_mul(&alpha, &t, &u);
	fp_dbl(&t, &alpha);
	fp_add(&alpha, &alpha, &t);             /* alpha = 3 (X - Z^2)(X + Z^2) */
	/* Z3 = (Y + Z)^2 - gamma - delta = 2YZ, before X, Y are overwritten */
	fp_add(&t, &p->y, &p->z);
	fp_sqr(&t, &t);
	fp_sub(&t, &t, &gamma);
	fp_sub(&r->z, &t, &delta);
	/* X3 = alpha^2 - 8 beta */
	fp_dbl(&beta, &beta);
	fp_dbl(&beta, &beta);                   /* beta = 4 beta */
	fp_sqr(&t, &alpha);
	fp_dbl(&u, &beta);
	fp_sub(&r->x, &t, &u);
	/* Y3 = alpha (4 beta - X3) - 8 gamma^2 */
	fp_sub(&t, &beta, &r->x);
	fp_mul(&t, &alpha, &t);
	fp_sqr(&u, &gamma);
	fp_dbl(&u, &u);
	fp_dbl(&u, &u);
	fp_dbl(&u, &u);
	fp_sub(&r->y, &t, &u);
	if (alpha_out)
		fp_copy(alpha_out, &alpha);
	if (gamma_out)
		fp_copy(gamma_out, &gamma);
	if (delta_out)
		fp_copy(delta_out, &delta);
	secure_wipe(&beta, sizeof beta);
	secure_wipe(&t, sizeof t);
	secure_wipe(&u, sizeof u);
	secure_wipe(&alpha, sizeof alpha);
	secure_wipe(&gamma, sizeof gamma);
	secure_wipe(&delta, sizeof delta);
}

void ec_dbl(ec_jac *r, const ec_jac *p)
{
	ec_dbl_parts(r, p, NULL, NULL, NULL);
}

void ec_cmov(ec_jac *r, const ec_jac *a, uint64_t mask)
{
	fp_cmov(&r->x, &a->x, mask);
	fp_cmov(&r->y, &a->y, mask);
	fp_cmov(&r->z, &a->z, mask);
}

/* temporaries of the additions, wiped in one go */
struct add_tmp {
	fp z1z1, z2z2, u1, u2, s1, s2, h, hh, i, j, rr, v, t;
};

/* Common end of add-2007-bl and madd-2007-bl, with rr = 2 (S2 - S1),
 * J = H I, V = U1 I:  X3 = rr^2 - J - 2V,  Y3 = rr (V - X3) - 2 S1 J. */
static void add_finish(fp *x3, fp *y3, struct add_tmp *w, const fp *s1)
{
	fp_sqr(&w->t, &w->rr);
	fp_sub(&w->t, &w->t, &w->j);
	fp_sub(&w->t, &w->t, &w->v);
	fp_sub(x3, &w->t, &w->v);
	fp_sub(&w->t, &w->v, x3);
	fp_mul(&w->t, &w->rr, &w->t);
	fp_mul(&w->j, s1, &w->j);
	fp_dbl(&w->j, &w->j);
	fp_sub(y3, &w->t, &w->j);
}

/* complete: also handle p == q (needs a doubling computed every time) */
static void ec_add_core(ec_jac *r, const ec_jac *p, const ec_jac *q, int complete)
{
	struct add_tmp w;
	ec_jac sum, twice;
	uint64_t p_inf = fp_is_zero(&p->z), q_inf = fp_is_zero(&q->z), same;

	fp_sqr(&w.z1z1, &p->z);
	fp_sqr(&w.z2z2, &q->z);
	fp_mul(&w.u1, &p->x, &w.z2z2);
	fp_mul(&w.u2, &q->x, &w.z1z1);
	fp_mul(&w.s1, &p->y, &q->z);
	fp_mul(&w.s1, &w.s1, &w.z2z2);
	fp_mul(&w.s2, &q->y, &p->z);
	fp_mul(&w.s2, &w.s2, &w.z1z1);
	fp_sub(&w.h, &w.u2, &w.u1);
	fp_sub(&w.rr, &w.s2, &w.s1);
	/* h == 0 and rr == 0: same point, the formula degenerates; h == 0
	 * alone (p == -q) correctly yields Z3 = 0 */
	same = fp_is_zero(&w.h) & fp_is_zero(&w.rr);
	fp_dbl(&w.rr, &w.rr);
	fp_dbl(&w.i, &w.h);
	fp_sqr(&w.i, &w.i);
	fp_mul(&w.j, &w.h, &w.i);
	fp_mul(&w.v, &w.u1, &w.i);
	/* Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H */
	fp_add(&w.t, &p->z, &q->z);
	fp_sqr(&w.t, &w.t);
	fp_sub(&w.t, &w.t, &w.z1z1);
	fp_sub(&w.t, &w.t, &w.z2z2);
	fp_mul(&sum.z, &w.t, &w.h);
	add_finish(&sum.x, &sum.y, &w, &w.s1);

	if (complete) {         /* a property of the call site, not of data */
		ec_dbl(&twice, p);
		ec_cmov(&sum, &twice, same & ~p_inf & ~q_inf);
	}
	ec_cmov(&sum, q, p_inf);
	ec_cmov(&sum, p, q_inf);
	*r = sum;
	secure_wipe(&sum, sizeof sum);
	secure_wipe(&twice, sizeof twice);
	secure_wipe(&w, sizeof w);
}

void ec_add(ec_jac *r, const ec_jac *p, const ec_jac *q)
{
	ec_add_core(r, p, q, 1);
}

static void ec_set_infinity(ec_jac *r)
{
	fp_copy(&r->x, &fp_one);
	fp_copy(&r->y, &fp_one);
	fp_set_zero(&r->z);
}

/* r = table[idx], every entry read. */
static void ec_lookup(ec_jac *r, const ec_jac table[16], unsigned idx)
{
	unsigned k;

	ec_set_infinity(r);
	for (k = 0; k < 16; k++)
		ec_cmov(r, &table[k], ct_index_mask(k, idx));
}

/* Fixed 4-bit windows from the top: 4 doublings and one addition of a
 * masked table entry per window, the same for every k.
 * Why the doubling case cannot occur with in_subgroup: before adding the
 * entry [d]pt the sum is [16 k']pt, where 16 k' + d is a prefix of k < q.
 * [16 k']pt == [d]pt needs 16 k' = d mod q, and 0 <= 16 k', d < q, so
 * 16 k' = d, which only happens for k' = d = 0: the sum is then infinity,
 * a case the masks handle.  (The table is built with complete additions.) */
void ec_mul(ec_jac *r, const uint8_t *k, size_t k_len, const ec_jac *pt, int in_subgroup)
{
	ec_jac table[16], acc, sel;
	size_t i;
	int n, half;

	ec_set_infinity(&table[0]);
	table[1] = *pt;
	for (n = 2; n < 16; n++)
		ec_add(&table[n], &table[n - 1], &table[1]);
	ec_set_infinity(&acc);
	for (i = 0; i < k_len; i++) {
		for (half = 0; half < 2; half++) {
			unsigned w = half ? (k[i] & 0x0fu) : (unsigned)(k[i] >> 4);

			for (n = 0; n < 4; n++)
				ec_dbl(&acc, &acc);
			ec_lookup(&sel, table, w);
			ec_add_core(&acc, &acc, &sel, !in_subgroup);
		}
	}
	*r = acc;
	secure_wipe(table, sizeof table);
	secure_wipe(&acc, sizeof acc);
	secure_wipe(&sel, sizeof sel);
}

void ec_madd(ec_jac *r, const ec_jac *p, const ec_aff *q, fp *rr_out)
{
	struct add_tmp w;
	fp y1;

	fp_sqr(&w.z1z1, &p->z);
	fp_mul(&w.u2, &q->x, &w.z1z1);
	fp_mul(&w.s2, &q->y, &p->z);
	fp_mul(&w.s2, &w.s2, &w.z1z1);
	fp_sub(&w.h, &w.u2, &p->x);
	fp_sqr(&w.hh, &w.h);
	fp_dbl(&w.i, &w.hh);
	fp_dbl(&w.i, &w.i);
	fp_mul(&w.j, &w.h, &w.i);
	fp_sub(&w.rr, &w.s2, &p->y);
	fp_dbl(&w.rr, &w.rr);
	fp_mul(&w.v, &p->x, &w.i);
	fp_copy(&y1, &p->y);            /* r may be p */
	/* Z3 = (Z1 + H)^2 - Z1Z1 - HH = 2 Z1 H */
	fp_add(&w.t, &p->z, &w.h);
	fp_sqr(&w.t, &w.t);
	fp_sub(&w.t, &w.t, &w.z1z1);
	fp_sub(&r->z, &w.t, &w.hh);
	add_finish(&r->x, &r->y, &w, &y1);
	if (rr_out)
		fp_copy(rr_out, &w.rr);
	secure_wipe(&w, sizeof w);
	secure_wipe(&y1, sizeof y1);
}

mst_rc ec_check_subgroup(const ec_aff *a)
{
	ec_jac t, aj;
	uint64_t inf;

	/* any point of E here: complete additions */
	ec_from_affine(&aj, a);
	ec_mul(&t, sakke_param_q, SAKKE_L, &aj, 0);
	inf = fp_is_zero(&t.z);
	secure_wipe(&t, sizeof t);
	secure_wipe(&aj, sizeof aj);
	return inf ? MST_OK : MST_ERR_BAD_POINT;
}
