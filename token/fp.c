/* token/fp.c - constant-time Montgomery arithmetic modulo the 1024-bit p.
 *
 * fp_mul and fp_sqr scan products column by column with the word-by-word
 * Montgomery reduction interleaved (squaring computes each cross product
 * once); fp_mul_wide and fp_redc_wide are the two halves apart, for the
 * lazy reduction of F_p^2.  The single conditional subtraction at the end
 * of each operation is done with a mask, never a branch, so timing is
 * independent of values.
 */
/* The limb loops have constant trip counts; letting GCC unroll them fully
 * (and schedule the 64x64->128 multiplications) roughly halves the time of
 * a multiplication compared with the project-wide -O2. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "unroll-loops")
#endif

#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__) && !defined(MST_FP_PORTABLE)
#include <x86intrin.h>
#endif
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

/* Word add / subtract with carry / borrow in and out (0 or 1).  On x86-64
 * the intrinsics become one adc / sbb each; the u128 form made GCC emit
 * about three times as many instructions. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(MST_FP_PORTABLE)
static inline unsigned char addc(unsigned char c, uint64_t a, uint64_t b, uint64_t *out)
{
	unsigned long long o;

	c = _addcarry_u64(c, a, b, &o);
	*out = o;
	return c;
}

static inline unsigned char subb(unsigned char c, uint64_t a, uint64_t b, uint64_t *out)
{
	unsigned long long o;

	c = _subborrow_u64(c, a, b, &o);
	*out = o;
	return c;
}
#else
static inline unsigned char addc(unsigned char c, uint64_t a, uint64_t b, uint64_t *out)
{
	u128 s = (u128)a + b + c;

	*out = (uint64_t)s;
	return (unsigned char)(s >> 64);
}

static inline unsigned char subb(unsigned char c, uint64_t a, uint64_t b, uint64_t *out)
{
	u128 s = (u128)a - b - c;

	*out = (uint64_t)s;
	return (unsigned char)((s >> 64) & 1);
}
#endif

/* r = (hi:t) - p if that is >= 0 else t; (hi:t) must be < 2p. */
static void reduce_once(fp *r, const uint64_t t[FP_LIMBS], uint64_t hi)
{
	uint64_t d[FP_LIMBS], mask;
	unsigned char borrow = 0;
	int i;

	for (i = 0; i < FP_LIMBS; i++)
		borrow = subb(borrow, t[i], fp_modulus.v[i], &d[i]);
	mask = 0 - (hi | (uint64_t)(borrow ^ 1));
	for (i = 0; i < FP_LIMBS; i++)
		r->v[i] = (d[i] & mask) | (t[i] & ~mask);
}

void fp_add(fp *r, const fp *a, const fp *b)
{
	uint64_t t[FP_LIMBS];
	unsigned char carry = 0;
	int i;

	for (i = 0; i < FP_LIMBS; i++)
		carry = addc(carry, a->v[i], b->v[i], &t[i]);
	reduce_once(r, t, carry);
}

void fp_dbl(fp *r, const fp *a)
{
	fp_add(r, a, a);
}

void fp_sub(fp *r, const fp *a, const fp *b)
{
	uint64_t t[FP_LIMBS], mask;
	unsigned char borrow = 0, carry = 0;
	int i;

	for (i = 0; i < FP_LIMBS; i++)
		borrow = subb(borrow, a->v[i], b->v[i], &t[i]);
	/* a < b: add p back (masked, so always executed) */
	mask = 0 - (uint64_t)borrow;
	for (i = 0; i < FP_LIMBS; i++)
		carry = addc(carry, t[i], fp_modulus.v[i] & mask, &r->v[i]);
}

void fp_neg(fp *r, const fp *a)
{
	fp z;

	fp_set_zero(&z);
	fp_sub(r, &z, a);
}

/* Product scanning: a 192-bit column accumulator (hi:mid:lo) collects,
 * for column i, every a_j * b_(i-j) and every m_j * p_(i-j), where m_j is
 * the Montgomery quotient digit chosen in column j to clear that column
 * (the "FIPS" ordering of Montgomery multiplication).  The running sums
 * stay in registers.
 *
 * MAC(lo, mid, hi, x, y) adds the 128-bit product x * y.  On x86-64 it is
 * four instructions (mul, add, adc, adc): GCC spills 128-bit temporaries
 * to the stack, which made the C form twice as slow.  Elsewhere, or with
 * MST_FP_PORTABLE defined (the test test_sakke_fp_portable does so), the C
 * form is used; neither has a data-dependent branch. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(MST_FP_PORTABLE)
#define MAC(lo, mid, hi, x, y) do { \
	uint64_t mac_ax_ = (x); \
	__asm__("mulq %[yy]\n\taddq %%rax, %[l]\n\tadcq %%rdx, %[m]\n\tadcq $0, %[h]" \
		: [l] "+r"(lo), [m] "+r"(mid), [h] "+r"(hi), "+a"(mac_ax_) \
		: [yy] "rm"((uint64_t)(y)) : "rdx", "cc"); \
} while (0)
#else
#define MAC(lo, mid, hi, x, y) do { \
	u128 mac_p_ = (u128)(x) * (y); \
	u128 mac_s_ = ((u128)(mid) << 64 | (lo)) + mac_p_; \
	(hi) += (uint64_t)(mac_s_ < mac_p_); \
	(lo) = (uint64_t)mac_s_; \
	(mid) = (uint64_t)(mac_s_ >> 64); \
} while (0)
#endif

/* (lo:mid:hi) += (plo:pmid:phi) */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(MST_FP_PORTABLE)
#define ADD_ACC(lo, mid, hi, plo, pmid, phi) do { \
	__asm__("addq %[pl], %[l]\n\tadcq %[pm], %[m]\n\tadcq %[ph], %[h]" \
		: [l] "+&r"(lo), [m] "+&r"(mid), [h] "+&r"(hi) \
		: [pl] "r"(plo), [pm] "r"(pmid), [ph] "r"(phi) : "cc"); \
} while (0)
#else
#define ADD_ACC(lo, mid, hi, plo, pmid, phi) do { \
	unsigned char c_ = addc(0, (lo), (plo), &(lo)); \
	c_ = addc(c_, (mid), (pmid), &(mid)); \
	(hi) += (phi) + c_; \
} while (0)
#endif

/* (lo:mid:hi) += 2 (plo:pmid:phi): the doubled cross products of a
 * squaring column, added to the running column (phi < 2^63, so the
 * doubling does not overflow). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(MST_FP_PORTABLE)
#define ADD_DOUBLED(lo, mid, hi, plo, pmid, phi) do { \
	__asm__("addq %[pl], %[pl]\n\tadcq %[pm], %[pm]\n\tadcq %[ph], %[ph]\n\t" \
		"addq %[pl], %[l]\n\tadcq %[pm], %[m]\n\tadcq %[ph], %[h]" \
		: [l] "+r"(lo), [m] "+r"(mid), [h] "+r"(hi), \
		  [pl] "+r"(plo), [pm] "+r"(pmid), [ph] "+r"(phi) : : "cc"); \
} while (0)
#else
#define ADD_DOUBLED(lo, mid, hi, plo, pmid, phi) do { \
	unsigned char c_; \
	(phi) = (phi) << 1 | (pmid) >> 63; \
	(pmid) = (pmid) << 1 | (plo) >> 63; \
	(plo) <<= 1; \
	c_ = addc(0, (lo), (plo), &(lo)); \
	c_ = addc(c_, (mid), (pmid), &(mid)); \
	(hi) += (phi) + c_; \
} while (0)
#endif

/* Column i < 16: add m_j * p_(i-j) for j < i, choose m_i so that the
 * column's low word becomes zero, add m_i * p_0, shift one word down. */
/* Full unrolling turns every index into a constant (GCC only). */
#if defined(__GNUC__) && !defined(__clang__)
#define UNROLL _Pragma("GCC unroll 32")
#else
#define UNROLL
#endif

#define COLUMN_LOW_END(i) do { \
	int j_; \
	UNROLL for (j_ = 0; j_ < (i); j_++) \
		MAC(lo, mid, hi, m[j_], fp_modulus.v[(i) - j_]); \
	m[i] = lo * fp_n0; \
	MAC(lo, mid, hi, m[i], fp_modulus.v[0]); \
	lo = mid; mid = hi; hi = 0; \
} while (0)

/* Column i >= 16: add m_j * p_(i-j), emit result word i - 16, shift. */
#define COLUMN_HIGH_END(i) do { \
	int j_; \
	UNROLL for (j_ = (i) - (FP_LIMBS - 1); j_ < FP_LIMBS; j_++) \
		MAC(lo, mid, hi, m[j_], fp_modulus.v[(i) - j_]); \
	t[(i) - FP_LIMBS] = lo; \
	lo = mid; mid = hi; hi = 0; \
} while (0)

/* Simple loop bounds, so that GCC unrolls everything with constant
 * indices. */
void fp_mul(fp *r, const fp *a, const fp *b)
{
	uint64_t m[FP_LIMBS], t[FP_LIMBS], lo = 0, mid = 0, hi = 0;
	int i, j;

	UNROLL for (i = 0; i < FP_LIMBS; i++) {
		UNROLL for (j = 0; j <= i; j++)
			MAC(lo, mid, hi, a->v[j], b->v[i - j]);
		COLUMN_LOW_END(i);
	}
	UNROLL for (i = FP_LIMBS; i < 2 * FP_LIMBS - 1; i++) {
		UNROLL for (j = i - (FP_LIMBS - 1); j < FP_LIMBS; j++)
			MAC(lo, mid, hi, a->v[j], b->v[i - j]);
		COLUMN_HIGH_END(i);
	}
	t[FP_LIMBS - 1] = lo;
	reduce_once(r, t, mid);
}

/* r = w / 2^1024 mod p for w < p 2^1024: the reduction half of the
 * product-scanning multiplication on its own.  Here the chain of digits
 * m_i (imul, mul, add) is all there is, so each low column is summed in
 * two parts: w_i and the products m_j p_(i-j) of digits known one column
 * earlier or more go into a fresh (plo:pmid:phi), free to run ahead while
 * m_(i-1) is being made; only m_(i-1) p_1 and the merge wait for it. */
void fp_redc_wide(fp *r, const uint64_t w[2 * FP_LIMBS])
{
	uint64_t m[FP_LIMBS], t[FP_LIMBS], lo = 0, mid = 0, hi = 0;
	int i, j;

	UNROLL for (i = 0; i < FP_LIMBS; i++) {
		uint64_t plo = w[i], pmid = 0, phi = 0;

		UNROLL for (j = 0; j + 1 < i; j++)
			MAC(plo, pmid, phi, m[j], fp_modulus.v[i - j]);
		ADD_ACC(lo, mid, hi, plo, pmid, phi);
		if (i > 0)
			MAC(lo, mid, hi, m[i - 1], fp_modulus.v[1]);
		m[i] = lo * fp_n0;
		MAC(lo, mid, hi, m[i], fp_modulus.v[0]);
		lo = mid; mid = hi; hi = 0;
	}
	UNROLL for (i = FP_LIMBS; i < 2 * FP_LIMBS - 1; i++) {
		uint64_t plo = w[i], pmid = 0, phi = 0;

		ADD_ACC(lo, mid, hi, plo, pmid, phi);
		COLUMN_HIGH_END(i);
	}
	{
		u128 s0 = (u128)lo + w[2 * FP_LIMBS - 1];

		t[FP_LIMBS - 1] = (uint64_t)s0;
		mid += (uint64_t)(s0 >> 64);
	}
	reduce_once(r, t, mid);
}

/* Squaring, product scanning with the reduction interleaved as in fp_mul:
 * column i gathers each cross product a_j a_k (j < k, j + k = i) once in
 * (plo:pmid:phi), doubles it into the running column, adds the square
 * a_(i/2)^2 when i is even, then the reduction products.  136 + 256 word
 * multiplications instead of 512, and, unlike a full square followed by
 * fp_redc_wide, the products of the next column overlap the wait for
 * each Montgomery digit m_i. */
#define SQR_COLUMN(i, jlo) do { \
	uint64_t plo = 0, pmid = 0, phi = 0; \
	int j_; \
	UNROLL for (j_ = (jlo); j_ < ((i) + 1) / 2; j_++) \
		MAC(plo, pmid, phi, a->v[j_], a->v[(i) - j_]); \
	ADD_DOUBLED(lo, mid, hi, plo, pmid, phi); \
	if (((i) & 1) == 0) \
		MAC(lo, mid, hi, a->v[(i) / 2], a->v[(i) / 2]); \
} while (0)

void fp_sqr(fp *r, const fp *a)
{
	uint64_t m[FP_LIMBS], t[FP_LIMBS], lo = 0, mid = 0, hi = 0;
	int i;

	UNROLL for (i = 0; i < FP_LIMBS; i++) {
		SQR_COLUMN(i, 0);
		COLUMN_LOW_END(i);
	}
	UNROLL for (i = FP_LIMBS; i < 2 * FP_LIMBS - 1; i++) {
		SQR_COLUMN(i, i - (FP_LIMBS - 1));
		COLUMN_HIGH_END(i);
	}
	t[FP_LIMBS - 1] = lo;
	reduce_once(r, t, mid);
}

/* The product half of fp_mul on its own: w = a b (2048 bits). */
void fp_mul_wide(uint64_t w[2 * FP_LIMBS], const fp *a, const fp *b)
{
	uint64_t lo = 0, mid = 0, hi = 0;
	int i, j;

	UNROLL for (i = 0; i < FP_LIMBS; i++) {
		UNROLL for (j = 0; j <= i; j++)
			MAC(lo, mid, hi, a->v[j], b->v[i - j]);
		w[i] = lo;
		lo = mid; mid = hi; hi = 0;
	}
	UNROLL for (i = FP_LIMBS; i < 2 * FP_LIMBS - 1; i++) {
		UNROLL for (j = i - (FP_LIMBS - 1); j < FP_LIMBS; j++)
			MAC(lo, mid, hi, a->v[j], b->v[i - j]);
		w[i] = lo;
		lo = mid; mid = hi; hi = 0;
	}
	w[2 * FP_LIMBS - 1] = lo;
}

/* r = a - b, plus p 2^1024 when that is negative (by a mask): for a, b in
 * [0, p 2^1024) with a - b > -p 2^1024, r is in [0, p 2^1024) and equal
 * to a - b modulo p. */
void fp_wide_sub(uint64_t r[2 * FP_LIMBS], const uint64_t a[2 * FP_LIMBS],
		 const uint64_t b[2 * FP_LIMBS])
{
	uint64_t mask;
	unsigned char borrow = 0, carry = 0;
	int i;

	for (i = 0; i < 2 * FP_LIMBS; i++)
		borrow = subb(borrow, a[i], b[i], &r[i]);
	mask = 0 - (uint64_t)borrow;
	for (i = 0; i < FP_LIMBS; i++)
		carry = addc(carry, r[FP_LIMBS + i], fp_modulus.v[i] & mask, &r[FP_LIMBS + i]);
}

void fp_to_mont(fp *r, const fp *a)
{
	fp_mul(r, a, &fp_r2);
}

void fp_from_mont(fp *r, const fp *a)
{
	static const fp plain_one = { { 1 } };

	fp_mul(r, a, &plain_one);       /* a R * 1 / R */
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

/* the public exponent (p + 1) / 4 (= q for parameter set 1, but derived
 * from p so that this file does not depend on the curve) */
static void sqrt_exponent(uint8_t e[FP_BYTES])
{
	fp x;
	int i, k;

	fp_copy(&x, &fp_modulus);
	/* p + 1, carrying as far as needed; then shift right by 2 */
	for (i = 0; i < FP_LIMBS && ++x.v[i] == 0; i++)
		;
	for (i = 0; i < FP_LIMBS; i++)
		x.v[i] = x.v[i] >> 2 | (i + 1 < FP_LIMBS ? x.v[i + 1] << 62 : 0);
	for (i = 0; i < FP_LIMBS; i++)
		for (k = 0; k < 8; k++)
			e[FP_BYTES - 1 - 8 * i - k] = (uint8_t)(x.v[i] >> (8 * k));
}

uint64_t fp_sqrt(fp *r, const fp *a)
{
	uint8_t e[FP_BYTES];
	fp check;
	uint64_t ok;

	sqrt_exponent(e);
	fp_pow(r, a, e, sizeof e);
	fp_sqr(&check, r);
	ok = fp_equal(&check, a);
	secure_wipe(&check, sizeof check);
	return ok;
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
