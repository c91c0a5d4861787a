/* token/sakke_modq.c - r * b mod q for a secret r and a public b (both
 * below q), used to turn [r]([b]P + Z) into [r b]P + [r]Z.  One Montgomery
 * multiplication of r by b 2^1024 mod q: fixed loops over 16 limbs, the
 * final subtraction selected by a mask, so nothing depends on r. */
#include "token/sakke_internal.h"
#include "token/secmem.h"

#define QL 16

typedef unsigned __int128 u128;

static void limbs_from_be(uint64_t out[QL], const uint8_t in[SAKKE_SCALAR_LEN])
{
	int i, k;

	for (i = 0; i < QL; i++) {
		out[i] = 0;
		for (k = 0; k < 8; k++)
			out[i] |= (uint64_t)in[SAKKE_SCALAR_LEN - 1 - 8 * i - k] << (8 * k);
	}
}

static void limbs_to_be(uint8_t out[SAKKE_SCALAR_LEN], const uint64_t in[QL])
{
	int i, k;

	for (i = 0; i < QL; i++)
		for (k = 0; k < 8; k++)
			out[SAKKE_SCALAR_LEN - 1 - 8 * i - k] = (uint8_t)(in[i] >> (8 * k));
}

/* out = a b 2^-1024 mod q (CIOS); a, b < q < 2^1022, so before the final
 * subtraction the value is below 2q. */
static void mont_mul_q(uint64_t out[QL], const uint64_t a[QL], const uint64_t b[QL],
		       const uint64_t q[QL], uint64_t n0)
{
	uint64_t t[QL + 2] = { 0 }, d[QL], c, m, keep;
	u128 acc;
	int i, j;

	for (i = 0; i < QL; i++) {
		c = 0;
		for (j = 0; j < QL; j++) {
			acc = (u128)a[j] * b[i] + t[j] + c;
			t[j] = (uint64_t)acc;
			c = (uint64_t)(acc >> 64);
		}
		acc = (u128)t[QL] + c;
		t[QL] = (uint64_t)acc;
		t[QL + 1] = (uint64_t)(acc >> 64);
		m = t[0] * n0;
		acc = (u128)m * q[0] + t[0];
		c = (uint64_t)(acc >> 64);
		for (j = 1; j < QL; j++) {
			acc = (u128)m * q[j] + t[j] + c;
			t[j - 1] = (uint64_t)acc;
			c = (uint64_t)(acc >> 64);
		}
		acc = (u128)t[QL] + c;
		t[QL - 1] = (uint64_t)acc;
		t[QL] = t[QL + 1] + (uint64_t)(acc >> 64);
	}
	/* d = t - q; keep t when that borrows out of the top limb */
	c = 0;
	for (j = 0; j < QL; j++) {
		acc = (u128)t[j] - q[j] - c;
		d[j] = (uint64_t)acc;
		c = (uint64_t)(acc >> 64) & 1;
	}
	keep = 0 - (uint64_t)((((u128)t[QL] - c) >> 64) & 1);
	for (j = 0; j < QL; j++)
		out[j] = (t[j] & keep) | (d[j] & ~keep);
	secure_wipe(t, sizeof t);
	secure_wipe(d, sizeof d);
}

/* b 2^1024 mod q: b is public. */
static mst_rc to_mont_public(uint64_t out[QL], const uint8_t b[SAKKE_SCALAR_LEN])
{
	uint8_t buf[SAKKE_SCALAR_LEN];
	mst_rc rc = sakke_reduce_public(b, SAKKE_SCALAR_LEN, 64 * QL, buf);

	if (rc == MST_OK)
		limbs_from_be(out, buf);
	return rc;
}

mst_rc sakke_mul_mod_q(const uint8_t r[SAKKE_SCALAR_LEN], const uint8_t b[SAKKE_SCALAR_LEN],
		       uint8_t out[SAKKE_SCALAR_LEN])
{
	uint64_t q[QL], rl[QL], bm[QL], res[QL], inv;
	mst_rc rc;
	int i;

	limbs_from_be(q, sakke_param_q);
	/* -q^-1 mod 2^64 by Newton's iteration (q odd; each step doubles the
	 * number of correct low bits, 3 -> 96) */
	inv = q[0];
	for (i = 0; i < 5; i++)
		inv *= 2 - q[0] * inv;
	rc = to_mont_public(bm, b);
	if (rc == MST_OK) {
		limbs_from_be(rl, r);
		mont_mul_q(res, rl, bm, q, 0 - inv);
		limbs_to_be(out, res);
	}
	secure_wipe(rl, sizeof rl);
	secure_wipe(res, sizeof res);
	return rc;
}
