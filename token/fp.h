/* token/fp.h - arithmetic in F_p, p the 1024-bit prime of SAKKE parameter
 * set 1 (RFC 6509 Appendix A).
 *
 * Elements are 16 little-endian 64-bit limbs in Montgomery form (x * 2^1024
 * mod p), always fully reduced (< p).  Every function runs in time that
 * depends only on the public modulus: no branch or memory index is taken on
 * an element's value, so the same code serves secret data (RSK
 * coordinates, pairing values, g^r).
 */
#ifndef MST_FP_H
#define MST_FP_H

#include <stdint.h>
#include <stddef.h>

#define FP_LIMBS 16
#define FP_BYTES 128

typedef struct {
	uint64_t v[FP_LIMBS];
} fp;

/* Montgomery constants (derivation in fp_consts.c; tests/unit/test_sakke_fp.c
 * recomputes them with OpenSSL BN). */
extern const fp fp_modulus;     /* p, plain integer */
extern const fp fp_one;         /* 1 in Montgomery form = 2^1024 mod p */
extern const fp fp_r2;          /* 2^2048 mod p, converts into Montgomery form */
extern const uint64_t fp_n0;    /* -p^-1 mod 2^64 */

/* All-ones when k == idx, zero otherwise, without a branch: used to scan
 * every table entry when the index is secret. */
static inline uint64_t ct_index_mask(unsigned k, unsigned idx)
{
	uint64_t diff = (uint64_t)(k ^ idx);

	return ((diff | (0 - diff)) >> 63) - 1;
}

void fp_set_zero(fp *r);
void fp_copy(fp *r, const fp *a);
void fp_add(fp *r, const fp *a, const fp *b);
void fp_sub(fp *r, const fp *a, const fp *b);
void fp_neg(fp *r, const fp *a);
void fp_dbl(fp *r, const fp *a);
void fp_mul(fp *r, const fp *a, const fp *b);
void fp_sqr(fp *r, const fp *a);
/* Lazy reduction (F_p^2 products): w = a b in full (2048 bits); r = w /
 * 2^1024 mod p for w < p 2^1024; r = a - b (+ p 2^1024 when negative) for
 * a, b < p 2^1024 and a - b > -p 2^1024. */
void fp_mul_wide(uint64_t w[2 * FP_LIMBS], const fp *a, const fp *b);
void fp_redc_wide(fp *r, const uint64_t w[2 * FP_LIMBS]);
void fp_wide_sub(uint64_t r[2 * FP_LIMBS], const uint64_t a[2 * FP_LIMBS],
		 const uint64_t b[2 * FP_LIMBS]);
/* r = a^e, e big-endian bytes; constant time in a and e (not in e_len). */
void fp_pow(fp *r, const fp *a, const uint8_t *e, size_t e_len);
/* r = a^-1 (Fermat, a^(p-2)); 0 maps to 0. */
void fp_inv(fp *r, const fp *a);

/* r = a^((p+1)/4), a square root of a when there is one (p = 3 mod 4).
 * Returns all-ones when r^2 == a, zero when a is not a square. */
uint64_t fp_sqrt(fp *r, const fp *a);

/* All-ones mask when a == 0 (resp. a == b), zero otherwise. */
uint64_t fp_is_zero(const fp *a);
uint64_t fp_equal(const fp *a, const fp *b);
/* r = mask ? a : r, for mask all-ones or zero. */
void fp_cmov(fp *r, const fp *a, uint64_t mask);

/* Big-endian 128 octets -> Montgomery form.  Returns all-ones when the
 * integer is < p (r valid), zero when it is not (r then holds garbage). */
uint64_t fp_from_bytes(fp *r, const uint8_t in[FP_BYTES]);
/* Montgomery form -> big-endian 128 octets of the integer in [0, p-1]. */
void fp_to_bytes(uint8_t out[FP_BYTES], const fp *a);
/* Plain integer (limbs) <-> Montgomery form. */
void fp_to_mont(fp *r, const fp *a);
void fp_from_mont(fp *r, const fp *a);

#endif
