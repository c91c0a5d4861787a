/* token/sakke_fixed_lines.h - RSK validation's pairing with FIXED first
 * arguments (token/sakke_fixed_lines.c), and the subgroup test it needs
 * (token/sakke_subgroup.c).
 *
 * <[b]P + Z, K> = <P, K>^b <Z, K> (bilinearity): P is the generator and Z
 * the community's KMS key, both public and met again and again, so their
 * Miller-loop lines are precomputed once (as token/sakke_lines.c does for
 * the RSK, but in ordinary memory: they are public) and only evaluated at
 * the secret K.  The Miller loop walking K no longer runs, so K's
 * membership of E(F_p)[q] is tested apart, by quadratic characters.
 */
#ifndef MST_SAKKE_FIXED_LINES_H
#define MST_SAKKE_FIXED_LINES_H

#include <stdint.h>
#include "token/sakke_ec.h"

/* 1 when <[b]P + Z, K> was computed: then *equal_g is all-ones when it
 * equals g (RFC 6508 6.1.2), zero otherwise.  Returns 0 (nothing computed) when the tables are not there: the first
 * time Z is met in the process (a process that validates once pays for no
 * table; the second time builds P's and Z's) or when memory is short; the
 * caller then takes the plain pairing.  Z (encoded) must be in E(F_p)[q]
 * (the caller checked it); b < q public (128 octets); K on E, secret:
 * constant time in K.  The result is meaningful only for K in E(F_p)[q]
 * (see sakke_in_subgroup). */
int sakke_fixed_pairing_is_g(uint64_t *equal_g, const uint8_t z_pub[2 * FP_BYTES + 1],
			     const uint8_t b[FP_BYTES], const ec_aff *k);

/* The pairing value itself (its F_p representative), under the same
 * conditions; for the tests, which compare it with the plain pairing. */
int sakke_fixed_pairing_fp(fp *out, const uint8_t z_pub[2 * FP_BYTES + 1],
			   const uint8_t b[FP_BYTES], const ec_aff *k);

/* All-ones when the point k (on E, not infinity) lies in E(F_p)[q],
 * zero otherwise; constant time in k (three exponentiations instead of the
 * scalar multiplication [q]k). */
uint64_t sakke_in_subgroup(const ec_aff *k);

/* Bytes of one point's line table (public memory); for the tests and the
 * benchmark: tables built so far; drop every table not in use and forget
 * the KMS keys seen. */
size_t sakke_fixed_lines_bytes(void);
unsigned sakke_fixed_lines_builds(void);
void sakke_fixed_lines_clear(void);

#endif
