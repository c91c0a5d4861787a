/* token/sakke_pairing.h - the Tate-Lichtenbaum pairing of RFC 6508 3.2 on
 * parameter set 1, and exponentiation in PF_p. */
#ifndef MST_SAKKE_PAIRING_H
#define MST_SAKKE_PAIRING_H

#include "token/fp2.h"
#include "token/sakke_ec.h"

/* <R, Q> as the F_p representative b/a of f_R([i]Q)^c, c = (p+1)/q = 4.
 * Branches only on the public bits of q - 1; Q (the RSK in decapsulation)
 * enters only as a multiplicand.  R and Q must be in E(F_p)[q]. */
void sakke_pairing_fp(fp *out, const ec_aff *r, const ec_aff *q);

/* The same, and in *end the point the loop walked to: [q - 1]R when no
 * addition met an exceptional case, which happens only for R outside
 * E(F_p)[q] and then leaves *end at infinity (Z = 0) for good.  So *end
 * == -R (with Z != 0) exactly when [q]R == O: the loop's own subgroup
 * check, free.  end may be NULL. */
void sakke_pairing_walk(fp *out, ec_jac *end, const ec_aff *r, const ec_aff *q);

/* The non-adjacent form of the public q - 1, least significant digit
 * first; returns the number of digits (the Miller loop's schedule). */
#define SAKKE_NAF_MAX (128 * 8 + 1)
int sakke_q_minus_1_naf(int8_t naf[SAKKE_NAF_MAX]);

/* x^e in PF_p for x given by its representative (element 1 + i x), e
 * secret big-endian; result as a representative. */
void sakke_pf_pow(fp *out, const fp *x, const uint8_t *e, size_t e_len);

/* g^e in PF_p for the g of parameter set 1 and a secret e of 128 octets
 * (big-endian), by a fixed-base comb (token/sakke_gpow.c); constant time
 * in e; result as a representative. */
void sakke_g_pow_fixed(fp *out, const uint8_t e[FP_BYTES]);
/* The same before the representative is taken: an element of F_p^2 in
 * the class of g^e. */
void sakke_g_pow_fp2(fp2 *out, const uint8_t e[FP_BYTES]);

#endif
