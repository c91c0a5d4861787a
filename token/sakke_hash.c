/* token/sakke_hash.c - HashToIntegerRange (RFC 6508 5.1) with SHA-256. */
#include <string.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include "token/sakke_internal.h"
#include "token/secmem.h"

#define HASH_LEN 32
/* n <= 2^1280 here (parameter set 1 uses q and 2^128), so at most 5 blocks */
#define MAX_BLOCKS H2R_MAX_BLOCKS

static int sha256_parts(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
			uint8_t out[HASH_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
		 (a_len == 0 || EVP_DigestUpdate(ctx, a, a_len) == 1) &&
		 (b_len == 0 || EVP_DigestUpdate(ctx, b, b_len) == 1) &&
		 EVP_DigestFinal_ex(ctx, out, NULL) == 1;

	EVP_MD_CTX_free(ctx);
	return ok;
}

/* 64-bit words of v mod n (v < 2^(8*v_len)), enough for the widest v' */
#define MOD_WORDS (MAX_BLOCKS * HASH_LEN / 8 + 1)

static void load_words(uint64_t *w, size_t n_words, const uint8_t *be, size_t len)
{
	size_t i;

	/* octets beyond n_words words are leading zeros of a public n */
	memset(w, 0, n_words * sizeof *w);
	for (i = 0; i < len && i / 8 < n_words; i++)
		w[i / 8] |= (uint64_t)be[len - 1 - i] << (8 * (i % 8));
}

/* out = v mod n, n_len octets, for a secret v of v_len octets and a public
 * n of `bits` bits with 2^(8 v_len) > n (RFC 6508 5.1 step 6).  OpenSSL's
 * BN_bin2bn / BN_mod branch on the value (word length, quotient digit
 * corrections), so this is a binary long division whose every step depends
 * only on the public sizes: subtract n << i when it fits, chosen by mask. */
static void ct_mod(const uint8_t *v, size_t v_len, const uint8_t *n, size_t n_len, int bits,
		   uint8_t *out)
{
	uint64_t r[MOD_WORDS], d[MOD_WORDS], t[MOD_WORDS];
	size_t words = v_len / 8 + 1, k, i;
	int shift = 8 * (int)v_len - bits, step;

	load_words(r, words, v, v_len);
	load_words(t, words, n, n_len);
	/* d = n << shift (public) */
	memset(d, 0, sizeof d);
	for (k = 0; k < words; k++) {
		size_t to = k + (size_t)shift / 64;
		unsigned b = (unsigned)shift % 64;

		if (to < words)
			d[to] |= t[k] << b;
		if (b != 0 && to + 1 < words)
			d[to + 1] |= t[k] >> (64 - b);
	}
	/* invariant: r < 2 (n << step) before each step */
	for (step = shift; step >= 0; step--) {
		uint64_t borrow = 0, keep;

		for (k = 0; k < words; k++) {
			uint64_t x = r[k], y = d[k], diff = x - y - borrow;

			borrow = ((~x & y) | (~(x ^ y) & diff)) >> 63;
			t[k] = diff;
		}
		keep = borrow - 1;      /* all ones when r >= d: take r - d */
		for (k = 0; k < words; k++)
			r[k] = (t[k] & keep) | (r[k] & ~keep);
		for (k = 0; k + 1 < words; k++)
			d[k] = d[k] >> 1 | d[k + 1] << 63;
		d[words - 1] >>= 1;
	}
	for (i = 0; i < n_len; i++)
		out[n_len - 1 - i] = i / 8 < words ? (uint8_t)(r[i / 8] >> (8 * (i % 8))) : 0;
	secure_wipe(r, sizeof r);
	secure_wipe(t, sizeof t);
}

mst_rc sakke_h2r_trace(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
		       const uint8_t *n, size_t n_len, uint8_t *out, struct h2r_trace *trace)
{
	uint8_t big_a[HASH_LEN], h[HASH_LEN], v[MAX_BLOCKS * HASH_LEN];
	BIGNUM *nn = NULL;
	int bits, l, i;
	mst_rc rc = MST_ERR_CRYPTO;

	if ((a == NULL && a_len) || (b == NULL && b_len) || n == NULL || out == NULL || n_len == 0)
		return MST_ERR_ARGS;
	memset(out, 0, n_len);
	nn = BN_bin2bn(n, (int)n_len, NULL);
	if (nn == NULL)
		return MST_ERR_NOMEM;
	bits = BN_num_bits(nn);
	l = (bits + 8 * HASH_LEN - 1) / (8 * HASH_LEN);
	if (bits == 0 || l > MAX_BLOCKS || BN_num_bytes(nn) > (int)n_len) {
		BN_free(nn);
		return MST_ERR_ARGS;
	}
	/* 1) A = hash(s); 2) h_0 = 0; 4) h_i = hash(h_(i-1)), v_i = hash(h_i || A) */
	memset(h, 0, sizeof h);
	if (!sha256_parts(a, a_len, b, b_len, big_a))
		goto out;
	for (i = 0; i < l; i++) {
		if (!sha256_parts(h, HASH_LEN, NULL, 0, h) ||
		    !sha256_parts(h, HASH_LEN, big_a, HASH_LEN, v + i * HASH_LEN))
			goto out;
	}
	if (trace != NULL) {
		memcpy(trace->a, big_a, HASH_LEN);
		memcpy(trace->v, v, (size_t)l * HASH_LEN);
		trace->blocks = l;
		/* h_i again (they are not kept above): h_i = hash(h_(i-1)) */
		memset(h, 0, sizeof h);
		for (i = 0; i < l; i++) {
			if (!sha256_parts(h, HASH_LEN, NULL, 0, h))
				goto out;
			memcpy(trace->h[i], h, HASH_LEN);
		}
	}
	/* 6) v = v' mod n, v' possibly secret: constant-time division */
	ct_mod(v, (size_t)l * HASH_LEN, n, n_len, bits, out);
	rc = MST_OK;
out:
	secure_wipe(big_a, sizeof big_a);
	secure_wipe(h, sizeof h);
	secure_wipe(v, sizeof v);
	BN_free(nn);
	return rc;
}

mst_rc sakke_h2r_parts(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
		       const uint8_t *n, size_t n_len, uint8_t *out)
{
	return sakke_h2r_trace(a, a_len, b, b_len, n, n_len, out, NULL);
}

mst_rc sakke_hash_to_range(const uint8_t *s, size_t s_len, const uint8_t *n, size_t n_len,
			   uint8_t *out)
{
	return sakke_h2r_parts(s, s_len, NULL, 0, n, n_len, out);
}

mst_rc sakke_mask(const uint8_t x[SAKKE_L], uint8_t mask[SAKKE_SSV_LEN])
{
	static const uint8_t two_128[SAKKE_SSV_LEN + 1] = { 0x01 };
	uint8_t wide[SAKKE_SSV_LEN + 1];
	mst_rc rc = sakke_h2r_parts(x, SAKKE_L, NULL, 0, two_128, sizeof two_128, wide);

	memcpy(mask, wide + 1, SAKKE_SSV_LEN);
	secure_wipe(wide, sizeof wide);
	return rc;
}
