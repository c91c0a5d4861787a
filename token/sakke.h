/* token/sakke.h - SAKKE (RFC 6508) with parameter set 1 (RFC 6509 App. A).
 *
 * p is 1024 bits (L = 128 octets), q = (p+1)/4, n = 128 bits (SSV is 16
 * octets), Hash = SHA-256.  Points are 0x04 || x || y (257 octets); the
 * Encapsulated Data is R_(b,S) || H (273 octets).  The identifier b is an
 * octet string interpreted as a big-endian integer (RFC 6508 6.2).
 *
 * All arithmetic is our own, on fixed-size limbs, with no branch or memory
 * index that depends on a secret (RSK, SSV, r, z, pairing values).
 */
#ifndef MST_SAKKE_H
#define MST_SAKKE_H

#include <stddef.h>
#include <stdint.h>
#include "token/status.h"

#define SAKKE_L 128             /* octets of an F_p element */
#define SAKKE_POINT_LEN 257     /* 0x04 || x || y */
#define SAKKE_SSV_LEN 16        /* n = 128 bits */
#define SAKKE_ENCAP_LEN 273     /* R (257) || H (16) */
#define SAKKE_SCALAR_LEN 128    /* a scalar mod q, big-endian, left-padded */

/* KMS: new master secret z in [2, q-1] and public key Z = [z]P. */
mst_rc sakke_kms_keygen(uint8_t z[SAKKE_SCALAR_LEN], uint8_t z_pub[SAKKE_POINT_LEN]);
/* Z = [z]P for a given z (z may be shorter than 128 octets, big-endian). */
mst_rc sakke_kms_public(const uint8_t *z, size_t z_len, uint8_t z_pub[SAKKE_POINT_LEN]);

/* KMS (RFC 6508 6.1.1): RSK K_(a,T) = [(a + z)^-1]P. */
mst_rc sakke_rsk_issue(const uint8_t *z, size_t z_len, const uint8_t *id, size_t id_len,
		       uint8_t rsk[SAKKE_POINT_LEN]);

/* User (RFC 6508 6.1.2): < [a]P + Z, K > == g.  MST_ERR_BAD_KEY if not,
 * MST_ERR_BAD_POINT if a point is malformed or off the curve. */
mst_rc sakke_rsk_validate(const uint8_t z_pub[SAKKE_POINT_LEN], const uint8_t *id, size_t id_len,
			  const uint8_t rsk[SAKKE_POINT_LEN]);

/* Sender (RFC 6508 6.2.1) with the SSV given (a fresh random one from
 * sakke_random_ssv, or a session key held by the token). Deterministic. */
mst_rc sakke_encapsulate(const uint8_t z_pub[SAKKE_POINT_LEN], const uint8_t *id, size_t id_len,
			 const uint8_t ssv[SAKKE_SSV_LEN], uint8_t encap[SAKKE_ENCAP_LEN]);
mst_rc sakke_random_ssv(uint8_t ssv[SAKKE_SSV_LEN]);

/* Receiver (RFC 6508 6.2.2).  MST_ERR_BAD_POINT if R is malformed, off the
 * curve or infinity; MST_ERR_DECAPSULATE if the validity test fails (the
 * SSV output is then zeroed). */
mst_rc sakke_decapsulate(const uint8_t z_pub[SAKKE_POINT_LEN], const uint8_t *id, size_t id_len,
			 const uint8_t rsk[SAKKE_POINT_LEN], const uint8_t encap[SAKKE_ENCAP_LEN],
			 uint8_t ssv[SAKKE_SSV_LEN]);

/* A point of E(F_p)[q] for parameter set 1, well encoded, not infinity. */
mst_rc sakke_check_point(const uint8_t pt[SAKKE_POINT_LEN]);

/* ---- exposed for the RFC 6508 Appendix A tests and the benchmark ---- */

/* HashToIntegerRange(s, n, SHA-256) (RFC 6508 5.1); n big-endian of n_len
 * octets, result left-padded to n_len octets. */
mst_rc sakke_hash_to_range(const uint8_t *s, size_t s_len, const uint8_t *n, size_t n_len,
			   uint8_t *out);
/* The pairing <R, Q> in its F_p representative (RFC 6508 3.2), 128 octets. */
mst_rc sakke_pairing(const uint8_t r_pt[SAKKE_POINT_LEN], const uint8_t q_pt[SAKKE_POINT_LEN],
		     uint8_t out[SAKKE_L]);
/* g^x in PF_p (F_p representative), x big-endian. */
mst_rc sakke_g_pow(const uint8_t *x, size_t x_len, uint8_t out[SAKKE_L]);
/* [x]Q on E(F_p); x secret-safe (constant time). */
mst_rc sakke_point_mul(const uint8_t *x, size_t x_len, const uint8_t q_pt[SAKKE_POINT_LEN],
		       uint8_t out[SAKKE_POINT_LEN]);
/* Encapsulation that also reports r and g^r (for the RFC vectors). */
mst_rc sakke_encapsulate_trace(const uint8_t z_pub[SAKKE_POINT_LEN], const uint8_t *id, size_t id_len,
			       const uint8_t ssv[SAKKE_SSV_LEN], uint8_t encap[SAKKE_ENCAP_LEN],
			       uint8_t r_out[SAKKE_SCALAR_LEN], uint8_t gr_out[SAKKE_L]);

/* Public parameters, big-endian: p, q (128 octets), P (257 octets), g (128). */
extern const uint8_t sakke_param_p[SAKKE_L];
extern const uint8_t sakke_param_q[SAKKE_L];
extern const uint8_t sakke_param_P[SAKKE_POINT_LEN];
extern const uint8_t sakke_param_g[SAKKE_L];

#endif
