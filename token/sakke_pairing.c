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
 * madd-2007-bl, where Z3 = 2 Z1 H and rr = 2 (S2 - Y1), so l = rr / Z3. */
static void add_step(ec_jac *c, fp2 *line, const ec_aff *r, const fp *qx_plus_rx, const fp *qy)
{
	fp z1z1, u2, s2, h, hh, i, j, rr, v, t;

	fp_sqr(&z1z1, &c->z);
	fp_mul(&u2, &r->x, &z1z1);
	fp_mul(&s2, &r->y, &c->z);
	fp_mul(&s2, &s2, &z1z1);
	fp_sub(&h, &u2, &c->x);
	fp_sqr(&hh, &h);
	fp_dbl(&i, &hh);
	fp_dbl(&i, &i);
	fp_mul(&j, &h, &i);
	fp_sub(&rr, &s2, &c->y);
	fp_dbl(&rr, &rr);
	fp_mul(&v, &c->x, &i);
	/* Z3 first: it needs the old Z1 */
	fp_add(&t, &c->z, &h);
	fp_sqr(&t, &t);
	fp_sub(&t, &t, &z1z1);
	fp_sub(&c->z, &t, &hh);
	fp_sqr(&t, &rr);
	fp_sub(&t, &t, &j);
	fp_sub(&t, &t, &v);
	fp_sub(&c->x, &t, &v);
	fp_sub(&t, &v, &c->x);
	fp_mul(&t, &rr, &t);
	fp_mul(&j, &c->y, &j);
	fp_dbl(&j, &j);
	fp_sub(&c->y, &t, &j);

	fp_mul(&line->a, &rr, qx_plus_rx);
	fp_mul(&t, &r->y, &c->z);
	fp_sub(&line->a, &line->a, &t);
	fp_mul(&line->b, qy, &c->z);
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
}

/* the public bits of q - 1, most significant first */
static void q_minus_1(uint8_t out[SAKKE_L])
{
	int k;

	memcpy(out, sakke_param_q, SAKKE_L);
	for (k = SAKKE_L - 1; k >= 0; k--)
		if (out[k]-- != 0)
			break;
}

void sakke_pairing_fp(fp *out, const ec_aff *r, const ec_aff *q)
{
	uint8_t e[SAKKE_L];
	fp2 v, line;
	fp qx_plus_rx;
	ec_jac c;
	int bit, top;

	q_minus_1(e);
	for (top = SAKKE_L * 8 - 1; top >= 0; top--)
		if (e[SAKKE_L - 1 - top / 8] >> (top % 8) & 1)
			break;
	fp2_set_one(&v);
	ec_from_affine(&c, r);
	fp_add(&qx_plus_rx, &q->x, &r->x);
	for (bit = top - 1; bit >= 0; bit--) {
		dbl_step(&c, &line, &q->x, &q->y);
		fp2_sqr(&v, &v);
		fp2_mul(&v, &v, &line);
		if (e[SAKKE_L - 1 - bit / 8] >> (bit % 8) & 1) {
			add_step(&c, &line, r, &qx_plus_rx, &q->y);
			fp2_mul(&v, &v, &line);
		}
	}
	/* final exponent c = (p + 1) / q = 4 */
	fp2_sqr(&v, &v);
	fp2_sqr(&v, &v);
	fp2_pf_repr(out, &v);
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
