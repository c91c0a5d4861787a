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
 * (its roots: the four halves over the closure), so s = 2k +- 2 sqrt(k^2
 * - 3), and x_W = (s + d) / 2 with d^2 = s^2 + 12, for the one s of the
 * two whose s^2 + 12 is a square (the characters of s^2 + 12 and s'^2 + 12
 * = 12 (s^2 + 12) / s^2 differ, as 12 is not a square).  Taking s = 2k +
 * 2r: if s^2 + 12 = n is a square, chi(x_W) = chi(2 (s + d)); if not, the
 * exponentiation gives d with d^2 = -n, and the root for s' = 12 / s is
 * (12 + c d) / (2 s) with c^2 = -12, whose character is that of 2 s (12 +
 * c d): no inversion.  Four exponentiations (square roots and characters),
 * constant time: every one runs, the choices are masks.
 * tests/unit/test_sakke_lines.c checks it against [q]K == O for points of
 * every order. */
#include <pthread.h>
#include "token/sakke_fixed_lines.h"
#include "token/secmem.h"

static fp three, twelve, root_minus_12;
static pthread_once_t consts_once = PTHREAD_ONCE_INIT;

static void consts_init(void)
{
	fp t;

	fp_add(&three, &fp_one, &fp_one);
	fp_add(&three, &three, &fp_one);
	fp_add(&twelve, &three, &three);
	fp_dbl(&twelve, &twelve);
	fp_neg(&t, &twelve);
	(void)fp_sqrt(&root_minus_12, &t);     /* -12 = -3 * 4 is a square */
}

uint64_t sakke_in_subgroup(const ec_aff *k)
{
	struct {
		fp t, r, s, n, d, w, u;
	} v;
	uint64_t ok, n_square;

	pthread_once(&consts_once, consts_init);
	/* 1. x_K a nonzero square (x_K = 0 is T itself) */
	ok = fp_sqrt(&v.t, &k->x) & ~fp_is_zero(&k->x);
	/* 2. s = 2k + 2r, r^2 = k^2 - 3 (a square when K is in [2]E) */
	fp_sqr(&v.t, &k->x);
	fp_sub(&v.t, &v.t, &three);
	ok &= fp_sqrt(&v.r, &v.t);
	fp_add(&v.s, &k->x, &v.r);
	fp_dbl(&v.s, &v.s);
	fp_sqr(&v.n, &v.s);
	fp_add(&v.n, &v.n, &twelve);
	n_square = fp_sqrt(&v.d, &v.n);
	/* w: x_W up to a square factor, for s or for s' */
	fp_add(&v.w, &v.s, &v.d);
	fp_dbl(&v.w, &v.w);
	fp_mul(&v.u, &root_minus_12, &v.d);
	fp_add(&v.u, &v.u, &twelve);
	fp_mul(&v.u, &v.u, &v.s);
	fp_dbl(&v.u, &v.u);
	fp_cmov(&v.w, &v.u, ~n_square);
	ok &= fp_sqrt(&v.t, &v.w) & ~fp_is_zero(&v.w);
	secure_wipe(&v, sizeof v);
	return ok;
}
