/* token/fp2.h - F_p^2 = F_p[i] / (i^2 + 1), p = 3 mod 4 (so -1 is not a
 * square and i^2 = -1 defines the field).  An element is a + i*b.
 * Constant time like fp.h.
 */
#ifndef MST_FP2_H
#define MST_FP2_H

#include "token/fp.h"

typedef struct {
	fp a;   /* real part */
	fp b;   /* coefficient of i */
} fp2;

void fp2_set_one(fp2 *r);
void fp2_mul(fp2 *r, const fp2 *x, const fp2 *y);
void fp2_sqr(fp2 *r, const fp2 *x);
void fp2_conj(fp2 *r, const fp2 *x);
void fp2_cmov(fp2 *r, const fp2 *x, uint64_t mask);
/* r = x^e, e big-endian and SECRET: fixed 4-bit windows over all of e_len
 * octets, table entries picked by masked scans. */
void fp2_pow_secret(fp2 *r, const fp2 *x, const uint8_t *e, size_t e_len);
/* F_p representative of x seen as an element of PF_p = F_p^2* / F_p*
 * (RFC 6508 3.2): b / a. */
void fp2_pf_repr(fp *r, const fp2 *x);

#endif
