/* token/fp.c - constant-time Montgomery arithmetic modulo the 1024-bit p.
 *
 * Products are formed in full (2048 bits; squaring computes each cross
 * product once) and then reduced by word-by-word Montgomery reduction
 * (REDC).  The single conditional subtraction at the end of each operation
 * is done with a mask, never a branch, so timing is independent of values.
 */
/* The limb loops have constant trip counts; letting GCC unroll them fully
 * (and schedule the 64x64->128 multiplications) roughly halves the time of
 * a multiplication compared with the project-wide -O2. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "unroll-loops")
#endif

#include <string.h>
#include "token/fp.h"
#include "token/secmem.h"

typedef unsigned __int128 u128;

void fp_set_zero(fp *r)
{
	memset(r, 0, sizeof *r);
}

void fp_copy(fp *r, const fp *a)
{
	memcpy(r, a, sizeof *r);
}

/* r = (hi:t) - p if that is >= 0 else t; (hi:t) must be < 2p. */
static void reduce_once(fp *r, const uint64_t t[FP_LIMBS], uint64_t hi)
{
	uint64_t d[FP_LIMBS], borrow = 0, use_d, mask;
	int i;

	for (i = 0; i < FP_LIMBS; i++) {
		u128 s = (u128)t[i] - fp_modulus.v[i] - borrow;
		d[i] = (uint64_t)s;
		borrow = (uint64_t)(s >> 64) & 1;
	}
	use_d = hi | (borrow ^ 1);
	mask = 0 - use_d;
	for (i = 0; i < FP_LIMBS; i++)
		r->v[i] = (d[i] & mask) | (t[i] & ~mask);
}

void fp_add(fp *r, const fp *a, const fp *b)
{
	uint64_t t[FP_LIMBS], carry = 0;
	int i;

	for (i = 0; i < FP_LIMBS; i++) {
		u128 s = (u128)a->v[i] + b->v[i] + carry;
		t[i] = (uint64_t)s;
		carry = (uint64_t)(s >> 64);
	}
	reduce_once(r, t, carry);
}

void fp_dbl(fp *r, const fp *a)
{
	fp_add(r, a, a);
}

void fp_sub(fp *r, const fp *a, const fp *b)
{
	uint64_t t[FP_LIMBS], borrow = 0, mask, carry = 0;
	int i;

	for (i = 0; i < FP_LIMBS; i++) {
		u128 s = (u128)a->v[i] - b->v[i] - borrow;
		t[i] = (uint64_t)s;
		borrow = (uint64_t)(s >> 64) & 1;
	}
	/* a < b: add p back (masked, so always executed) */
	mask = 0 - borrow;
	for (i = 0; i < FP_LIMBS; i++) {
		u128 s = (u128)t[i] + (fp_modulus.v[i] & mask) + carry;
		r->v[i] = (uint64_t)s;
		carry = (uint64_t)(s >> 64);
	}
}

void fp_neg(fp *r, const fp *a)
{
	fp z;

	fp_set_zero(&z);
	fp_sub(r, &z, a);
}

/* Montgomery reduction of a 2048-bit t < p * 2^1024: r = t / 2^1024 mod p. */
static void redc(fp *r, uint64_t t[2 * FP_LIMBS])
{
	uint64_t hi = 0;
	int i, j;

	for (i = 0; i < FP_LIMBS; i++) {
		uint64_t m = t[i] * fp_n0, c = 0;
		u128 s;

		for (j = 0; j < FP_LIMBS; j++) {
			s = (u128)m * fp_modulus.v[j] + t[i + j] + c;
			t[i + j] = (uint64_t)s;
			c = (uint64_t)(s >> 64);
		}
		s = (u128)t[i + FP_LIMBS] + c + hi;
		t[i + FP_LIMBS] = (uint64_t)s;
		hi = (uint64_t)(s >> 64);
	}
	reduce_once(r, t + FP_LIMBS, hi);
}

void fp_mul(fp *r, const fp *a, const fp *b)
{
	uint64_t t[2 * FP_LIMBS];
	int i, j;

	memset(t, 0, sizeof t);
	for (i = 0; i < FP_LIMBS; i++) {
		uint64_t c = 0, ai = a->v[i];

		for (j = 0; j < FP_LIMBS; j++) {
			u128 s = (u128)ai * b->v[j] + t[i + j] + c;
			t[i + j] = (uint64_t)s;
			c = (uint64_t)(s >> 64);
		}
		t[i + FP_LIMBS] = c;
	}
	redc(r, t);
}

void fp_sqr(fp *r, const fp *a)
{
	uint64_t t[2 * FP_LIMBS], c = 0;
	int i, j;

	/* cross products a_i * a_j, i < j, once each */
	memset(t, 0, sizeof t);
	for (i = 0; i < FP_LIMBS - 1; i++) {
		uint64_t ai = a->v[i];

		c = 0;
		for (j = i + 1; j < FP_LIMBS; j++) {
			u128 s = (u128)ai * a->v[j] + t[i + j] + c;
			t[i + j] = (uint64_t)s;
			c = (uint64_t)(s >> 64);
		}
		t[i + FP_LIMBS] = c;
	}
	/* double them, then add the squares a_i^2 on the diagonal */
	for (i = 2 * FP_LIMBS - 1; i > 0; i--)
		t[i] = (t[i] << 1) | (t[i - 1] >> 63);
	t[0] <<= 1;
	c = 0;
	for (i = 0; i < FP_LIMBS; i++) {
		u128 sq = (u128)a->v[i] * a->v[i];
		u128 s = (u128)t[2 * i] + (uint64_t)sq + c;

		t[2 * i] = (uint64_t)s;
		s = (u128)t[2 * i + 1] + (uint64_t)(sq >> 64) + (uint64_t)(s >> 64);
		t[2 * i + 1] = (uint64_t)s;
		c = (uint64_t)(s >> 64);
	}
	redc(r, t);
}

void fp_to_mont(fp *r, const fp *a)
{
	fp_mul(r, a, &fp_r2);
}

void fp_from_mont(fp *r, const fp *a)
{
	uint64_t t[2 * FP_LIMBS];

	memset(t, 0, sizeof t);
	memcpy(t, a->v, sizeof a->v);
	redc(r, t);
}

uint64_t fp_is_zero(const fp *a)
{
	uint64_t acc = 0;
	int i;

	for (i = 0; i < FP_LIMBS; i++)
		acc |= a->v[i];
	/* acc == 0 -> all ones; uses the sign bit of acc | -acc */
	return ((acc | (0 - acc)) >> 63) - 1;
}

uint64_t fp_equal(const fp *a, const fp *b)
{
	fp d;
	int i;

	for (i = 0; i < FP_LIMBS; i++)
		d.v[i] = a->v[i] ^ b->v[i];
	return fp_is_zero(&d);
}

void fp_cmov(fp *r, const fp *a, uint64_t mask)
{
	int i;

	for (i = 0; i < FP_LIMBS; i++)
		r->v[i] = (a->v[i] & mask) | (r->v[i] & ~mask);
}

uint64_t fp_from_bytes(fp *r, const uint8_t in[FP_BYTES])
{
	fp a;
	uint64_t borrow = 0;
	int i, k;

	for (i = 0; i < FP_LIMBS; i++) {
		uint64_t w = 0;

		for (k = 0; k < 8; k++)
			w = (w << 8) | in[FP_BYTES - 1 - 8 * i - (7 - k)];
		a.v[i] = w;
	}
	/* a < p exactly when a - p borrows */
	for (i = 0; i < FP_LIMBS; i++) {
		u128 s = (u128)a.v[i] - fp_modulus.v[i] - borrow;
		borrow = (uint64_t)(s >> 64) & 1;
	}
	fp_to_mont(r, &a);
	return 0 - borrow;
}

void fp_to_bytes(uint8_t out[FP_BYTES], const fp *a)
{
	fp n;
	int i, k;

	fp_from_mont(&n, a);
	for (i = 0; i < FP_LIMBS; i++)
		for (k = 0; k < 8; k++)
			out[FP_BYTES - 1 - 8 * i - k] = (uint8_t)(n.v[i] >> (8 * k));
}

/* r = table[idx], every entry read, so the access pattern does not depend
 * on idx. */
static void fp_lookup(fp *r, const fp table[16], unsigned idx)
{
	unsigned k;

	fp_set_zero(r);
	for (k = 0; k < 16; k++)
		fp_cmov(r, &table[k], ct_index_mask(k, idx));
}

/* Fixed 4-bit windows over all of e_len octets, one multiplication per
 * window (by 1 for a zero window) with a masked table scan: the sequence
 * of operations and memory accesses is the same for every a and e. */
void fp_pow(fp *r, const fp *a, const uint8_t *e, size_t e_len)
{
	fp table[16], acc, sel;
	size_t i;
	int k, half;

	fp_copy(&table[0], &fp_one);
	for (k = 1; k < 16; k++)
		fp_mul(&table[k], &table[k - 1], a);
	fp_copy(&acc, &fp_one);
	for (i = 0; i < e_len; i++) {
		for (half = 0; half < 2; half++) {
			unsigned w = half ? (e[i] & 0x0fu) : (unsigned)(e[i] >> 4);

			for (k = 0; k < 4; k++)
				fp_sqr(&acc, &acc);
			fp_lookup(&sel, table, w);
			fp_mul(&acc, &acc, &sel);
		}
	}
	fp_copy(r, &acc);
	secure_wipe(table, sizeof table);
	secure_wipe(&acc, sizeof acc);
	secure_wipe(&sel, sizeof sel);
}

void fp_inv(fp *r, const fp *a)
{
	uint8_t e[FP_BYTES];
	fp pm2;
	int i, k;

	fp_copy(&pm2, &fp_modulus);
	pm2.v[0] -= 2;          /* low limb of p is far above 2: no borrow */
	for (i = 0; i < FP_LIMBS; i++)
		for (k = 0; k < 8; k++)
			e[FP_BYTES - 1 - 8 * i - k] = (uint8_t)(pm2.v[i] >> (8 * k));
	fp_pow(r, a, e, sizeof e);
}
