/* token/sakke_subgroup.c - is a point of E(F_p) in E(F_p)[q]?  By 2-descent
 * instead of the 1024-bit scalar multiplication [q]K.
 *
 * Parameter set 1 has p = 7 mod 12 (3 and -1 are not squares, -3 is), so
 * E: y^2 = x^3 - 3x has one point of order 2, T = (0, 0), and E(F_p), of
 * order 4q, is cyclic: E(F_p)[q] = [4]E(F_p).  For E: y^2 = x^3 + Bx the
 * map (x, y) -> x mod squares (T -> B) is a homomorphism E(F_p) ->
 * F_p* / (F_p*)^2 with kernel [2]E(F_p) (2-isogeny descent; here it is onto,
 * so the kernel is the subgroup of index 2).  Hence:
 *  1. K in [2]E  <=>  x_K is a nonzero square.
 *  2. Then K = [2]W for W in E(F_p) (two such W: W and W + T, whose
 *     x-coordinates x_W and -3/x_W have the same character as -3 is a
 *     square), and K in [4]E <=> W in [2]E <=> x_W is a square.
 * The halving: x([2]W) = (x_W^2 + 3)^2 / (4 (x_W^3 - 3 x_W)) = k gives
 * the quartic (x^2 - s x - 3)(x^2 - s' x - 3) with s + s' = 4k, s s' = 12
 * (its roots: the four halves over the closure), so s = 2 (k +- r) with
 * r^2 = k^2 - 3, and x_W = s/2 + sqrt(k s) (a root of x^2 - s x - 3, as
 * s^2 + 12 = s (s + s') = 4 k s), for the one s of the two that is a
 * square (s s' = 12 is not one).  With kappa^2 = k and sigma^2 = s,
 * x_W = s/2 + kappa sigma, and kappa = y / r (y^2 = k (k^2 - 3)).  So:
 *  a. r = y k^((3p - 5)/4): r^2 = y^2 / (k chi(k)), which is k^2 - 3
 *     exactly when chi(k) = 1 (step 1, and k != 0);
 *  b. sigma = s^((p + 1)/4) for s = 2 (k + r): a square root of s when
 *     s is a square, else of -s;
 *  c. chi(x_W) = chi(2) chi(s + 2 y sigma / r) = -chi(r (r s + 2 y
 *     sigma)) (chi(2) = -1 as p = 3 mod 8; dividing by r or multiplying
 *     by r keeps the character); for s' = 12 / s, whose square root is
 *     c / sigma with c^2 = -12, the same expression times the square
 *     sigma^2 = -s is r (2 y c sigma - 12 r): no inversion.
 * Three exponentiations, constant time: every one runs, the choice is a
 * mask.  tests/unit/test_sakke_fixed_lines.c checks it against [q]K == O
 * for points of every order. */
#include <pthread.h>
#include "token/sakke_fixed_lines.h"
#include "token/secmem.h"

static fp three, twelve, root_minus_12;
static uint8_t exp_r[FP_BYTES];         /* (3p - 5) / 4, big-endian */
static pthread_once_t consts_once = PTHREAD_ONCE_INIT;

static void consts_init(void)
{
	uint64_t u[FP_LIMBS], e, carry = 1;     /* (3p - 5)/4 = 3 (p - 3)/4 + 1 */
	fp t;
	int i, k;

	fp_add(&three, &fp_one, &fp_one);
	fp_add(&three, &three, &fp_one);
	fp_add(&twelve, &three, &three);
	fp_dbl(&twelve, &twelve);
	fp_neg(&t, &twelve);
	(void)fp_sqrt(&root_minus_12, &t);     /* -12 = -3 * 4 is a square */
	for (i = 0; i < FP_LIMBS; i++)
		u[i] = fp_modulus.v[i];
	u[0] -= 3;                              /* p = 3 mod 4: no borrow */
	for (i = 0; i < FP_LIMBS; i++)
		u[i] = u[i] >> 2 | (i + 1 < FP_LIMBS ? u[i + 1] << 62 : 0);
	for (i = 0; i < FP_LIMBS; i++) {
		unsigned __int128 v = (unsigned __int128)u[i] * 3 + carry;

		e = (uint64_t)v;
		carry = (uint64_t)(v >> 64);
		for (k = 0; k < 8; k++)
			exp_r[FP_BYTES - 1 - 8 * i - k] = (uint8_t)(e >> (8 * k));
	}
}

uint64_t sakke_in_subgroup(const ec_aff *k)
{
	struct {
		fp t, r, s, sigma, w, u;
	} v;
	uint64_t ok, s_square;

	pthread_once(&consts_once, consts_init);
	/* a. r = y k^((3p - 5)/4), r^2 == k^2 - 3 iff chi(k) = 1, k != 0 */
	fp_pow(&v.r, &k->x, exp_r, sizeof exp_r);
	fp_mul(&v.r, &v.r, &k->y);
	fp_sqr(&v.t, &v.r);
	fp_sqr(&v.u, &k->x);
	fp_sub(&v.u, &v.u, &three);
	ok = fp_equal(&v.t, &v.u) & ~fp_is_zero(&k->x);
	/* b. s = 2 (k + r), sigma^2 = +-s */
	fp_add(&v.s, &k->x, &v.r);
	fp_dbl(&v.s, &v.s);
	s_square = fp_sqrt(&v.sigma, &v.s);
	/* c. w = r (r s + 2 y sigma), or r (2 y c sigma - 12 r) for s' */
	fp_mul(&v.t, &k->y, &v.sigma);
	fp_dbl(&v.t, &v.t);                     /* 2 y sigma */
	fp_mul(&v.w, &v.r, &v.s);
	fp_add(&v.w, &v.w, &v.t);
	fp_mul(&v.t, &v.t, &root_minus_12);
	fp_mul(&v.u, &twelve, &v.r);
	fp_sub(&v.u, &v.t, &v.u);
	fp_cmov(&v.w, &v.u, ~s_square);
	fp_mul(&v.w, &v.w, &v.r);
	/* K in [4]E iff chi(x_W) = 1 iff -w is a nonzero square */
	fp_neg(&v.w, &v.w);
	ok &= fp_sqrt(&v.t, &v.w) & ~fp_is_zero(&v.w);
	secure_wipe(&v, sizeof v);
	return ok;
}
