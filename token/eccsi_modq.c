/* token/eccsi_modq.c - arithmetic modulo the P-256 group order q on four
 * 64-bit limbs (Montgomery form), for the signature's s' = j (HE + r SSK)^-1.
 *
 * OpenSSL's constant-time road for that (BN Montgomery products and the
 * Fermat inverse BN_mod_exp_mont_consttime) took about 20 us a signature,
 * as much as ECDSA's whole signature; with fixed-size limbs the same
 * operations cost a few microseconds.  Every loop has a fixed trip count,
 * the final subtractions are masked and the exponent q - 2 is public: no
 * branch or index depends on the values.
 */
/* fixed trip counts: full unrolling keeps the limbs in registers */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "unroll-loops")
#endif

#include <string.h>
#include "token/eccsi_ec.h"
#include "token/secmem.h"

typedef unsigned __int128 u128;

/* q, little-endian limbs */
static const uint64_t Q[4] = {
	0xf3b9cac2fc632551ULL, 0xbce6faada7179e84ULL, 0xffffffffffffffffULL, 0xffffffff00000000ULL,
};
/* -q^-1 mod 2^64 and 2^512 mod q (checked by tests/unit/test_eccsi.c
 * against OpenSSL BN through ecc_sign_scalar) */
static const uint64_t Q_N0 = 0xccd1c8aaee00bc4fULL;
static const uint64_t Q_R2[4] = {
	0x83244c95be79eea2ULL, 0x4699799c49bd6fa6ULL, 0x2845b2392b6bec59ULL, 0x66e12d94f3d95620ULL,
};

/* r = (hi:t) - q when that is >= 0, else t; (hi:t) < 2q */
static inline void mq_reduce(uint64_t r[4], const uint64_t t[4], uint64_t hi)
{
	uint64_t d[4], mask, borrow = 0;
	int i;

	for (i = 0; i < 4; i++) {
		u128 s = (u128)t[i] - Q[i] - borrow;

		d[i] = (uint64_t)s;
		borrow = (uint64_t)(s >> 64) & 1;
	}
	mask = 0 - (hi | (borrow ^ 1));         /* all-ones: take d */
	for (i = 0; i < 4; i++)
		r[i] = (d[i] & mask) | (t[i] & ~mask);
}

/* r = a b / 2^256 mod q (CIOS), a, b < q */
static inline void mq_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
	uint64_t t[6] = { 0 }, m;
	u128 c;
	int i, j;

	for (i = 0; i < 4; i++) {
		c = 0;
		for (j = 0; j < 4; j++) {
			c = (u128)a[j] * b[i] + t[j] + (uint64_t)(c >> 64);
			t[j] = (uint64_t)c;
		}
		c = (u128)t[4] + (uint64_t)(c >> 64);
		t[4] = (uint64_t)c;
		t[5] = (uint64_t)(c >> 64);
		m = t[0] * Q_N0;
		c = (u128)m * Q[0] + t[0];
		for (j = 1; j < 4; j++) {
			c = (u128)m * Q[j] + t[j] + (uint64_t)(c >> 64);
			t[j - 1] = (uint64_t)c;
		}
		c = (u128)t[4] + (uint64_t)(c >> 64);
		t[3] = (uint64_t)c;
		t[4] = t[5] + (uint64_t)(c >> 64);
	}
	/* t (secret products) stays on the stack; ecc_sign_scalar's caller
	 * frames overwrite it, and its inputs and output are wiped */
	mq_reduce(r, t, t[4]);
}

static void mq_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
	uint64_t t[4];
	u128 c = 0;
	int i;

	for (i = 0; i < 4; i++) {
		c = (u128)a[i] + b[i] + (uint64_t)(c >> 64);
		t[i] = (uint64_t)c;
	}
	mq_reduce(r, t, (uint64_t)(c >> 64));
}

/* 32 big-endian octets < 2^256 -> limbs reduced mod q (one masked
 * subtraction: 2^256 < 2q) */
static void mq_from_bytes(uint64_t r[4], const uint8_t in[ECCSI_N])
{
	uint64_t t[4];
	int i, k;

	for (i = 0; i < 4; i++) {
		t[i] = 0;
		for (k = 0; k < 8; k++)
			t[i] = t[i] << 8 | in[ECCSI_N - 1 - 8 * i - (7 - k)];
	}
	mq_reduce(r, t, 0);
	secure_wipe(t, sizeof t);
}

static void mq_to_bytes(uint8_t out[ECCSI_N], const uint64_t a[4])
{
	int i, k;

	for (i = 0; i < 4; i++)
		for (k = 0; k < 8; k++)
			out[ECCSI_N - 1 - 8 * i - k] = (uint8_t)(a[i] >> (8 * k));
}

/* r = a^(q-2) = a^-1 (Montgomery form in and out), 4-bit fixed windows
 * over the public exponent, every table entry read by masks anyway */
static void mq_inv(uint64_t r[4], const uint64_t a[4], const uint64_t one[4])
{
	uint64_t tab[16][4], acc[4], sel[4];
	uint64_t e[4];
	int i, k, w;

	memcpy(e, Q, sizeof e);
	e[0] -= 2;                              /* q - 2: no borrow */
	memcpy(tab[0], one, sizeof tab[0]);
	for (k = 1; k < 16; k++)
		mq_mul(tab[k], tab[k - 1], a);
	memcpy(acc, one, sizeof acc);
	for (i = 63; i >= 0; i--) {
		unsigned idx = (unsigned)(e[i / 16] >> (4 * (i % 16))) & 15u;

		for (w = 0; w < 4; w++)
			mq_mul(acc, acc, acc);
		memset(sel, 0, sizeof sel);
		for (k = 0; k < 16; k++) {
			uint64_t diff = (uint64_t)((unsigned)k ^ idx);
			uint64_t m = ((diff | (0 - diff)) >> 63) - 1;

			for (w = 0; w < 4; w++)
				sel[w] |= tab[k][w] & m;
		}
		mq_mul(acc, acc, sel);
	}
	memcpy(r, acc, sizeof acc);
	secure_wipe(tab, sizeof tab);
	secure_wipe(acc, sizeof acc);
	secure_wipe(sel, sizeof sel);
}

mst_rc ecc_sign_scalar(const uint8_t ssk[ECCSI_N], const uint8_t he[ECCSI_N],
		       const uint8_t r[ECCSI_N], const uint8_t j[ECCSI_N], uint8_t s_out[ECCSI_N])
{
	static const uint64_t plain_one[4] = { 1, 0, 0, 0 };
	uint64_t one[4], x[4], y[4], t[4], acc = 0;
	mst_rc rc;
	int i;

	mq_mul(one, plain_one, Q_R2);           /* 2^256 mod q */
	/* t = HE + r SSK (plain): (r 2^256) SSK / 2^256 = r SSK */
	mq_from_bytes(x, r);
	mq_mul(x, x, Q_R2);
	mq_from_bytes(y, ssk);
	mq_mul(t, x, y);
	mq_from_bytes(x, he);
	mq_add(t, t, x);
	for (i = 0; i < 4; i++)
		acc |= t[i];
	/* t = 0 (probability 2^-256): step 4 asks for another j; the verdict
	 * is the only value that leaves (and the caller learns it anyway) */
	acc = ((acc | (0 - acc)) >> 63) ^ 1;    /* 1 when t = 0 */
	ct_declassify(&acc, sizeof acc);
	rc = acc ? MST_ERR_BAD_SCALAR : MST_OK;
	mq_mul(t, t, Q_R2);                     /* t 2^256 */
	mq_inv(t, t, one);                      /* 2^256 / t */
	mq_from_bytes(y, j);
	mq_mul(t, t, y);                        /* j / t */
	mq_to_bytes(s_out, t);
	if (rc != MST_OK)
		memset(s_out, 0, ECCSI_N);
	secure_wipe(x, sizeof x);
	secure_wipe(y, sizeof y);
	secure_wipe(t, sizeof t);
	return rc;
}
