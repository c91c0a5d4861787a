/* token/sakke_lines.h - decapsulation's pairing with the RSK's Miller-loop
 * lines precomputed (token/sakke_lines.c).
 *
 * The pairing is symmetric on E(F_p)[q]: <R, K> = <K, R>.  With the RSK K
 * as the point the Miller loop walks, every line depends on K alone; its
 * two F_p coefficients are computed once per key and kept in locked
 * memory (a small cache of keys in use), and each decapsulation then only
 * evaluates them at R: about 6 multiplications per loop step instead of 17.
 */
#ifndef MST_SAKKE_LINES_H
#define MST_SAKKE_LINES_H

#include <stddef.h>
#include "token/fp2.h"
#include "token/sakke_ec.h"

/* Keys whose lines are kept at once (least recently used dropped). */
#define SAKKE_LINES_SLOTS 4

/* out = <K, R> (the F_p representative), equal to <R, K> for R in
 * E(F_p)[q].  A key's first use computes the plain pairing (no table: a
 * process may decapsulate only once); from its second use, K's lines come
 * from the cache, or are computed and cached;
 * when locked memory is refused (RLIMIT_MEMLOCK too low) a message is
 * printed once on stderr and the pairing is computed without a table
 * (sakke_pairing_fp, slower), never failing.  Constant time in K. */
void sakke_pairing_rsk(fp *out, const ec_aff *k, const ec_aff *r);

/* Bytes of locked memory one key's lines take. */
size_t sakke_lines_bytes(void);
/* Drop (wipe and unlock) the table of the RSK (257 octets, 04 || x || y)
 * if one is cached and not in use: the module calls it when a key leaves
 * memory (logout, C_Finalize). */
void sakke_lines_forget(const uint8_t rsk[257]);
/* Drop (wipe and unlock) every cached table not in use, and forget which
 * keys were used once. */
void sakke_lines_clear(void);
/* For the tests and the benchmark: tables built so far; tables refused
 * locked memory so far (the slower path was taken). */
unsigned sakke_lines_builds(void);
unsigned sakke_lines_unlocked(void);

/* The table itself, for any point B of E(F_p)[q] (the RSK, or a public
 * point: token/sakke_fixed_lines.c): c gets sakke_lines_bytes() of B's
 * normalised lines, scratch as much again (wiped by the caller when B is
 * secret).  Constant time in B. */
void sakke_lines_table_build(fp *c, fp *scratch, const ec_aff *b);
/* *v = f_B([i]R), the Miller value of B's table c at R before the final
 * exponentiation: <B, R> is v^4 in PF_p.  Constant time in c and R. */
void sakke_lines_miller(fp2 *v, const fp *c, const ec_aff *r);

#endif
