/* token/sakke_pairing.c - Miller's algorithm with Barreto's denominator
 * elimination, in Jacobian coordinates.
 *
 * Each line value of RFC 6508 3.2 is multiplied by a nonzero element of
 * F_p chosen to clear the Jacobian denominators (2YZ^3 for the tangent,
 * Z3 for the chord).  Such factors are 1 in PF_p = F_p^2* / F_p*, so the
 * representative b/a at the end is unchanged and no inversion is needed
 * inside the loop.
 */
#include <string.h>
#include "token/sakke.h"
#include "token/sakke_pairing.h"
#include "token/secmem.h"

/* C = C + R (R affine) and the chord through them evaluated at [i]Q:
 *   l (Qx + Rx) - Ry + i Qy,  l = (Cy - Ry)/(Cx - Rx), times Z3.
 * With madd-2007-bl, Z3 = 2 Z1 H and rr = 2 (S2 - Y1), so l = rr / Z3. */
static void add_step(ec_jac *c, fp2 *line, const ec_aff *r, const fp *qx_plus_rx, const fp *qy)
{
	fp rr, t;

	ec_madd(c, c, r, &rr);
	fp_mul(&line->a, &rr, qx_plus_rx);
	fp_mul(&t, &r->y, &c->z);
	fp_sub(&line->a, &line->a, &t);
	fp_mul(&line->b, qy, &c->z);
	secure_wipe(&rr, sizeof rr);
}

/* C = [2]C and the tangent at C evaluated at [i]Q:
 *   l (Qx + Cx) - Cy + i Qy,  l = 3 (Cx^2 - 1) / (2 Cy), times 2 Y Z^3:
 *   a = alpha (Qx Z^2 + X) - 2 Y^2,  b = Z3 Z^2 Qy  (Z3 = 2YZ). */
static void dbl_step(ec_jac *c, fp2 *line, const fp *qx, const fp *qy)
{
	fp alpha, gamma, delta, t;
	ec_jac d;

	ec_dbl_parts(&d, c, &alpha, &gamma, &delta);
	fp_mul(&t, qx, &delta);
	fp_add(&t, &t, &c->x);
	fp_mul(&line->a, &alpha, &t);
	fp_dbl(&gamma, &gamma);
	fp_sub(&line->a, &line->a, &gamma);
	fp_mul(&t, &d.z, &delta);
	fp_mul(&line->b, &t, qy);
	*c = d;
	secure_wipe(&t, sizeof t);      /* held Qx * Z^2 + X, Qx from the RSK */
}

/* Non-adjacent form of the public q - 1, least significant digit first;
 * returns the number of digits.  The NAF has 353 nonzero digits where the
 * binary form has 513, which saves a third of the addition steps. */
int sakke_q_minus_1_naf(int8_t naf[SAKKE_NAF_MAX])
{
	uint64_t k[FP_LIMBS + 1];
	int i, n = 0;

	for (i = 0; i < FP_LIMBS; i++) {
		int b;

		k[i] = 0;
		for (b = 0; b < 8; b++)
			k[i] |= (uint64_t)sakke_param_q[SAKKE_L - 1 - 8 * i - b] << (8 * b);
	}
	k[FP_LIMBS] = 0;
	k[0] -= 1;                      /* q is odd: no borrow */
	for (;;) {
		uint64_t any = 0;

		for (i = 0; i <= FP_LIMBS; i++)
			any |= k[i];
		if (!any)
			break;
		naf[n] = 0;
		if (k[0] & 1) {
			/* digit 2 - (k mod 4), i.e. +1 or -1; k -= digit */
			naf[n] = (int8_t)(2 - (int)(k[0] & 3));
			if (naf[n] == 1) {
				k[0] -= 1;
			} else {
				for (i = 0; i <= FP_LIMBS && ++k[i] == 0; i++)
					;
			}
		}
		for (i = 0; i < FP_LIMBS; i++)
			k[i] = k[i] >> 1 | k[i + 1] << 63;
		k[FP_LIMBS] >>= 1;
		n++;
	}
	return n;
}

/* Miller's loop over the NAF digits of q - 1 (RFC 6508 3.2 uses the binary
 * digits; a digit -1 adds -R instead of R: the chord through C and -R, and
 * the vertical line the subtraction would divide by, evaluated at [i]Q, is
 * -Qx - Rx, an element of F_p that vanishes in PF_p). */
void sakke_pairing_fp(fp *out, const ec_aff *r, const ec_aff *q)
{
	sakke_pairing_walk(out, NULL, r, q);
}

void sakke_pairing_walk(fp *out, ec_jac *end, const ec_aff *r, const ec_aff *q)
{
	int8_t naf[SAKKE_NAF_MAX];
	fp2 v, line;
	fp qx_plus_rx;
	ec_aff neg_r;
	ec_jac c;
	int i, n;

	n = sakke_q_minus_1_naf(naf);
	fp2_set_one(&v);
	ec_from_affine(&c, r);
	fp_copy(&neg_r.x, &r->x);
	fp_neg(&neg_r.y, &r->y);
	fp_add(&qx_plus_rx, &q->x, &r->x);
	/* the top digit is 1: C = R to start */
	for (i = n - 2; i >= 0; i--) {
		dbl_step(&c, &line, &q->x, &q->y);
		fp2_sqr(&v, &v);
		fp2_mul(&v, &v, &line);
		if (naf[i] != 0) {      /* public digits of q - 1 */
			add_step(&c, &line, naf[i] > 0 ? r : &neg_r, &qx_plus_rx, &q->y);
			fp2_mul(&v, &v, &line);
		}
	}
	/* final exponent c = (p + 1) / q = 4 */
	fp2_sqr(&v, &v);
	fp2_sqr(&v, &v);
	fp2_pf_repr(out, &v);
	if (end != NULL)
		*end = c;
	secure_wipe(&v, sizeof v);
	secure_wipe(&line, sizeof line);
	secure_wipe(&qx_plus_rx, sizeof qx_plus_rx);
	secure_wipe(&c, sizeof c);
}

void sakke_pf_pow(fp *out, const fp *x, const uint8_t *e, size_t e_len)
{
	fp2 base, res;

	fp_copy(&base.a, &fp_one);
	fp_copy(&base.b, x);
	fp2_pow_secret(&res, &base, e, e_len);
	fp2_pf_repr(out, &res);
	secure_wipe(&base, sizeof base);
	secure_wipe(&res, sizeof res);
}
