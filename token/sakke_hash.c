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

mst_rc sakke_h2r_trace(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
		       const uint8_t *n, size_t n_len, uint8_t *out, struct h2r_trace *trace)
{
	uint8_t big_a[HASH_LEN], h[HASH_LEN], v[MAX_BLOCKS * HASH_LEN];
	BIGNUM *vn = NULL, *nn = NULL, *res = NULL;
	BN_CTX *bctx = NULL;
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
	bctx = BN_CTX_new();
	vn = BN_bin2bn(v, l * HASH_LEN, NULL);
	res = BN_new();
	rc = MST_ERR_NOMEM;
	if (bctx == NULL || vn == NULL || res == NULL)
		goto out;
	BN_set_flags(vn, BN_FLG_CONSTTIME);
	BN_set_flags(res, BN_FLG_CONSTTIME);
	rc = MST_ERR_CRYPTO;
	if (BN_mod(res, vn, nn, bctx) != 1 || BN_bn2binpad(res, out, (int)n_len) != (int)n_len)
		goto out;
	rc = MST_OK;
out:
	secure_wipe(big_a, sizeof big_a);
	secure_wipe(h, sizeof h);
	secure_wipe(v, sizeof v);
	BN_clear_free(vn);
	BN_clear_free(res);
	BN_free(nn);
	BN_CTX_free(bctx);
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
