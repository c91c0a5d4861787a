/* token/sakke_ec.h - the curve E: y^2 = x^3 - 3x over F_p (SAKKE parameter
 * set 1), #E(F_p) = p + 1 = 4q.
 *
 * Jacobian coordinates (x = X/Z^2, y = Y/Z^3); Z = 0 is the point at
 * infinity.  All operations are constant time in the point values; the
 * scalar multiplication is constant time in the scalar too.
 */
#ifndef MST_SAKKE_EC_H
#define MST_SAKKE_EC_H

#include <stddef.h>
#include <stdint.h>
#include "token/fp.h"
#include "token/status.h"

typedef struct {
	fp x, y;
} ec_aff;

typedef struct {
	fp x, y, z;
} ec_jac;

/* 0x04 || x || y of exactly len == 257 octets, x, y < p, on E.  Says
 * nothing about the subgroup: see ec_check_subgroup. */
mst_rc ec_decode(ec_aff *r, const uint8_t *in, size_t len);
void ec_encode(uint8_t out[2 * FP_BYTES + 1], const ec_aff *a);
/* The generator P of E(F_p)[q]. */
void ec_generator(ec_aff *r);

void ec_from_affine(ec_jac *r, const ec_aff *a);
/* All-ones when p is not infinity (r valid), zero otherwise. */
uint64_t ec_to_affine(ec_aff *r, const ec_jac *p);

/* r = [2]p (a = -3 formulas).  alpha = 3(X^2 - Z^4), gamma = Y^2 and
 * delta = Z^2 are handed back for the pairing's tangent line; any of them
 * may be NULL. */
void ec_dbl_parts(ec_jac *r, const ec_jac *p, fp *alpha, fp *gamma, fp *delta);
void ec_dbl(ec_jac *r, const ec_jac *p);
/* r = p + q for ALL inputs (infinity, p == q, p == -q), by masks. */
void ec_add(ec_jac *r, const ec_jac *p, const ec_jac *q);
/* r = [k]pt, k big-endian of k_len octets; time depends on k_len only.
 * For any point on E and any k, unless in_subgroup is set: then the caller
 * promises pt in E(F_p)[q] and k < q, where the running sum can never
 * equal the table entry added to it (below), and the doubling that the
 * complete addition computes for that case is skipped (about 13% faster).
 * in_subgroup is a public property of the call site, not of the data. */
void ec_mul(ec_jac *r, const uint8_t *k, size_t k_len, const ec_jac *pt, int in_subgroup);
/* r = p + q, q affine, for p not infinity and p != +-q (madd-2007-bl).
 * rr_out, if not NULL, gets 2 (S2 - Y1): the chord's slope times Z3 (the
 * pairing's line needs it). */
void ec_madd(ec_jac *r, const ec_jac *p, const ec_aff *q, fp *rr_out);
/* r = mask ? a : r, for mask all-ones or zero. */
void ec_cmov(ec_jac *r, const ec_jac *a, uint64_t mask);

/* Fixed-base comb (token/sakke_comb.c) with V tables (1..EC_COMB_TABLES_MAX)
 * of T teeth each (1..EC_COMB_TEETH_MAX), the T V teeth s = ceil(1022 /
 * (T V)) bits apart: V tables of 2^T - 1 affine points for a base B, one
 * after the other; entry d - 1 (d = 1..2^T - 1) of table j = sum of
 * [2^(s (j T + t))] B over the bits t of d. */
#define EC_COMB_TEETH_MAX 6
#define EC_COMB_MAX 63                  /* entries of one table */
#define EC_COMB_TABLES_MAX 4
#define EC_COMB_TABLE_MAX (EC_COMB_TABLES_MAX * EC_COMB_MAX)
/* r = [k]B for k < q (128 octets) and B in E(F_p)[q] with its tables: s
 * doublings and s V mixed additions (s = 256 for 4 x 1, 171 for 6 x 1,
 * 43 for 6 x 4), every table entry read at each step.  Constant time in
 * k. */
void ec_comb_mul_tables(ec_jac *r, const uint8_t k[128], const ec_aff *table, int teeth, int tables);
/* The same with one table. */
void ec_comb_mul(ec_jac *r, const uint8_t k[128], const ec_aff *table, int teeth);
/* The tables of base (public, in E(F_p)[q]: the caller checked it; the
 * build's additions rely on it); MST_ERR_BAD_POINT if an entry is
 * infinity (never for such a base), MST_ERR_NOMEM. */
mst_rc ec_comb_build_tables(ec_aff *table, const ec_aff *base, int teeth, int tables);
/* The same with one table. */
mst_rc ec_comb_build(ec_aff *table, const ec_aff *base, int teeth);
/* out = entry idx of a table of n <= EC_COMB_MAX + 1 entries of `words`
 * 64-bit words each (a multiple of 4; entries contiguous, as ec_aff and fp
 * arrays are), all-zero when idx >= n; every word of every entry read, no
 * branch or index on idx (token/sakke_comb.c). */
void ct_table_select(uint64_t *out, const uint64_t *table, int n, int words, unsigned idx);
/* out[k] = in[k]^-1 for k < n (n >= 1, out and in distinct), with one
 * inversion (Montgomery's trick; token/sakke_comb.c); every in[k] must be
 * nonzero (one 0 gives 0 everywhere).  For public values (tables). */
void fp_inv_batch(fp *out, const fp *in, int n);

/* Signed-digit comb (token/sakke_comb.c): V tables of 2^(T-1) affine
 * entries for T teeth (T up to EC_SCOMB_TEETH_MAX), the T V teeth s =
 * ceil(1022 / (T V)) bits apart; entry x of table j = [2^(s (j T + T -
 * 1))] B + sum over t < T - 1 of +-[2^(s (j T + t))] B, + where bit t of
 * x is set.  B public, in E(F_p)[q]; MST_ERR_NOMEM, MST_ERR_BAD_POINT as
 * ec_comb_build. */
#define EC_SCOMB_TEETH_MAX 7
mst_rc ec_scomb_build(ec_aff *table, const ec_aff *base, int teeth, int tables);
/* r = [k]B for k < q: s doublings, s V mixed additions, constant time in
 * k.  Returns all-ones when an addition met the doubling case (its
 * running sum equal to the entry added; the signed digits make partial
 * sums that can wrap mod q, so this is not excluded for every k as in the
 * unsigned comb, only astronomically unlikely for a random k): r is then
 * wrong and the caller must compute [k]B another way. */
uint64_t ec_scomb_mul(ec_jac *r, const uint8_t k[128], const ec_aff *table, int teeth, int tables);
/* r = [k]P for the generator P and k < q, by the comb. */
void ec_mul_generator(ec_jac *r, const uint8_t k[128]);
/* the 4-teeth comb table of P (static) */
extern const ec_aff sakke_comb_table[15];
/* P's 6-teeth table (token/sakke_comb_table6.c), served by sakke_z_table. */
extern const ec_aff sakke_comb_table6[EC_COMB_MAX];

/* MST_OK when [q]a is infinity, i.e. a is in E(F_p)[q] (a is never
 * infinity itself: it came from ec_decode); MST_ERR_BAD_POINT otherwise. */
mst_rc ec_check_subgroup(const ec_aff *a);

#endif
