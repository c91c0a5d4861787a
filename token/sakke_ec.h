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
/* r = [k]P for the generator P and k < q (128 octets), by a fixed-base
 * comb: 256 doublings instead of 1024.  Constant time in k. */
void ec_mul_generator(ec_jac *r, const uint8_t k[128]);
/* sum of [2^(256 t)] P over the bits t of d, entry d - 1 (d = 1..15) */
extern const ec_aff sakke_comb_table[15];

/* MST_OK when [q]a is infinity, i.e. a is in E(F_p)[q] (a is never
 * infinity itself: it came from ec_decode); MST_ERR_BAD_POINT otherwise. */
mst_rc ec_check_subgroup(const ec_aff *a);

#endif
