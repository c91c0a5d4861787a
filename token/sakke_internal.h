/* token/sakke_internal.h - helpers shared by the SAKKE source files. */
#ifndef MST_SAKKE_INTERNAL_H
#define MST_SAKKE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "token/sakke.h"
#include "token/sakke_ec.h"

/* HashToIntegerRange(a || b, n, SHA-256): the two parts are hashed in
 * sequence, so SSV || b never sits in one buffer.  out has n_len octets. */
mst_rc sakke_h2r_parts(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
		       const uint8_t *n, size_t n_len, uint8_t *out);
/* The intermediate values of RFC 6508 5.1 (for the Appendix A test):
 * A = hash(s), h_i and v_i for i = 1..blocks. */
#define H2R_MAX_BLOCKS 5
struct h2r_trace {
	uint8_t a[32];
	uint8_t h[H2R_MAX_BLOCKS][32];
	uint8_t v[H2R_MAX_BLOCKS][32];
	int blocks;
};
/* sakke_h2r_parts that also fills *trace (may be NULL). */
mst_rc sakke_h2r_trace(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
		       const uint8_t *n, size_t n_len, uint8_t *out, struct h2r_trace *trace);
/* The 16-octet mask HashToIntegerRange(x, 2^128, SHA-256), x in F_p. */
mst_rc sakke_mask(const uint8_t x[SAKKE_L], uint8_t mask[SAKKE_SSV_LEN]);
/* x 2^shift mod q, 128 octets big-endian, for a PUBLIC x (big-endian,
 * x_len > 0 octets; plain OpenSSL BN reduction). */
mst_rc sakke_reduce_public(const uint8_t *x, size_t x_len, int shift, uint8_t out[SAKKE_SCALAR_LEN]);
/* The identifier as an integer reduced mod q, 128 octets big-endian. */
mst_rc sakke_id_scalar(const uint8_t *id, size_t id_len, uint8_t out[SAKKE_SCALAR_LEN]);
/* [b]P + Z (Jacobian); Z is decoded and checked on the curve.
 * MST_ERR_BAD_POINT if Z is malformed or the sum is infinity. */
mst_rc sakke_id_point(const uint8_t z_pub[SAKKE_POINT_LEN], const uint8_t *id, size_t id_len,
		      ec_jac *out);
/* [k]pt in affine form; MST_ERR_BAD_POINT when the result is infinity.
 * in_subgroup as for ec_mul. */
mst_rc sakke_mul_affine(const uint8_t *k, size_t k_len, const ec_jac *pt, int in_subgroup,
			ec_aff *out);

/* The 6-teeth comb table (SAKKE_ZTAB_TEETH) of a public point of
 * E(F_p)[q] given encoded (a KMS public key Z, or P), from a small cache
 * shared by all threads (token/sakke_zcache.c), built on first use after
 * decoding the point and checking it lies in E(F_p)[q]: MST_ERR_BAD_POINT
 * if not. */
#define SAKKE_ZTAB_TEETH 6
mst_rc sakke_z_table(const uint8_t z_pub[SAKKE_POINT_LEN], ec_aff table[EC_COMB_MAX]);
/* The same for decapsulation, where Z's table can wait: MST_OK with the
 * table when Z's is cached or Z was met before (then built and checked as
 * above); MST_ERR_NOT_FOUND the first time (Z noted, neither decoded nor
 * checked: a process that decapsulates once does not pay for a table).
 * MST_ERR_BAD_POINT as sakke_z_table. */
mst_rc sakke_z_table_lazy(const uint8_t z_pub[SAKKE_POINT_LEN], ec_aff table[EC_COMB_MAX]);
/* For the tests: how many tables were built so far; empty the cache. */
unsigned sakke_z_cache_builds(void);
void sakke_z_cache_clear(void);
/* out = r b mod q, r secret and b public, both < q (constant time in r). */
mst_rc sakke_mul_mod_q(const uint8_t r[SAKKE_SCALAR_LEN], const uint8_t b[SAKKE_SCALAR_LEN],
		       uint8_t out[SAKKE_SCALAR_LEN]);
/* R = [r]([b]P + Z) in affine form, computed as [r b mod q]P + [r]Z with
 * the comb tables of P and Z (z_table from sakke_z_table); r, b < q.
 * MST_ERR_BAD_POINT when R is infinity. */
mst_rc sakke_r_point(const ec_aff z_table[EC_COMB_MAX], const uint8_t b[SAKKE_SCALAR_LEN],
		     const uint8_t r[SAKKE_SCALAR_LEN], ec_aff *out);
/* The same in Jacobian coordinates, possibly infinity (not checked). */
mst_rc sakke_r_point_jac(const ec_aff z_table[EC_COMB_MAX], const uint8_t b[SAKKE_SCALAR_LEN],
			 const uint8_t r[SAKKE_SCALAR_LEN], ec_jac *out);

/* R = [r]([b]P + Z) (Jacobian, possibly infinity) for the identifier b
 * under Z (z_pub encoded, ztab its table): one comb with the table of
 * [b]P + Z when (Z, b) was used before (token/sakke_idcache.c), else as
 * sakke_r_point_jac.  r < q secret, b < q public. */
mst_rc sakke_r_for_id(const uint8_t z_pub[SAKKE_POINT_LEN], const ec_aff ztab[EC_COMB_MAX],
		      const uint8_t b[SAKKE_SCALAR_LEN], const uint8_t r[SAKKE_SCALAR_LEN], ec_jac *out);
/* For the tests: identifier tables built so far; empty that cache. */
unsigned sakke_id_cache_builds(void);
void sakke_id_cache_clear(void);

/* Copy a big-endian scalar of at most 128 octets into 128 octets,
 * left-padded with zeros; MST_ERR_ARGS if longer or NULL. */
mst_rc sakke_scalar_pad(const uint8_t *x, size_t x_len, uint8_t out[SAKKE_SCALAR_LEN]);
/* Nonzero when 2 <= k <= q-1 (k 128 octets), computed without branches. */
int sakke_scalar_valid(const uint8_t k[SAKKE_SCALAR_LEN]);
/* out = (a + z)^-1 mod q, constant time in z; MST_ERR_BAD_SCALAR when
 * a + z = 0 mod q (no inverse). */
mst_rc sakke_inv_sum_mod_q(const uint8_t a[SAKKE_SCALAR_LEN], const uint8_t z[SAKKE_SCALAR_LEN],
			   uint8_t out[SAKKE_SCALAR_LEN]);

/* Wipe the stack area below the caller's frame, where the field, curve
 * and pairing routines just left their temporaries (limb products,
 * Montgomery digits, line values derived from the RSK).  Called by every
 * entry point that handled a secret, after its last call. */
void sakke_scrub_stack(void);

#endif
