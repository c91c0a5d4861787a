/* token/mikey_prf.c - MIKEY PRF (RFC 3830 4.1.2; RFC 6043 6.1) and the
 * derivation of keys from a TGK (RFC 3830 4.1.3), with OpenSSL's HMAC.
 *
 *   P(s, label, m) = HMAC(s, A_1 || label) || ... || HMAC(s, A_m || label),
 *   A_0 = label, A_i = HMAC(s, A_(i-1));
 *   PRF(inkey, label) = P(s_1, label, m) XOR ... XOR P(s_n, label, m),
 * where s_1 .. s_n are the 256-bit chunks of inkey (the last may be shorter)
 * and m counts hash outputs (160 bits for SHA-1, 256 for SHA-256) to cover
 * the output.  Everything derived from inkey is wiped before return.
 */
#include "config.h"
#include "token/mikey_prf.h"

#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "token/secmem.h"

#define PRF_CHUNK 32          /* 256-bit inkey blocks, for both PRFs */
#define PRF_MAX_OUT 1024
#define PRF_MAX_HASH 32
#define MIKEY_RAND_MAX 255
#define LABEL_FIXED_LEN 9     /* constant (4) || CS ID (1) || CSB ID (4) */

/* One HMAC computation, keyed anew, over a || b. */
static int hmac2(EVP_MAC_CTX *mac, const OSSL_PARAM *params, const uint8_t *key, size_t key_len,
		 const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
		 uint8_t *out, size_t out_cap)
{
	size_t olen = 0;

	return EVP_MAC_init(mac, key, key_len, params) &&
	       (a_len == 0 || EVP_MAC_update(mac, a, a_len)) &&
	       (b_len == 0 || EVP_MAC_update(mac, b, b_len)) &&
	       EVP_MAC_final(mac, out, &olen, out_cap) && olen == out_cap;
}

/* out ^= P(s, label, m), m blocks of hlen octets truncated to out_len. */
static int p_function_xor(EVP_MAC_CTX *mac, const OSSL_PARAM *params, size_t hlen,
			  const uint8_t *s, size_t s_len, const uint8_t *label, size_t label_len,
			  uint8_t *out, size_t out_len)
{
	uint8_t a[PRF_MAX_HASH], block[PRF_MAX_HASH];
	size_t done, i, n;
	int ok = 1;

	/* A_1 = HMAC(s, A_0) with A_0 = label */
	ok = hmac2(mac, params, s, s_len, label, label_len, NULL, 0, a, hlen);
	for (done = 0; ok && done < out_len; done += n) {
		ok = hmac2(mac, params, s, s_len, a, hlen, label, label_len, block, hlen);
		n = out_len - done < hlen ? out_len - done : hlen;
		for (i = 0; ok && i < n; i++)
			out[done + i] ^= block[i];
		/* A_(i+1) = HMAC(s, A_i) */
		if (ok && done + n < out_len)
			ok = hmac2(mac, params, s, s_len, a, hlen, NULL, 0, a, hlen);
	}
	secure_wipe(a, sizeof(a));
	secure_wipe(block, sizeof(block));
	return ok;
}

mst_rc mikey_prf(mikey_prf_id prf, const uint8_t *inkey, size_t inkey_len,
		 const uint8_t *label, size_t label_len, uint8_t *out, size_t out_len)
{
	const char *digest;
	size_t hlen, off;
	EVP_MAC *hmac;
	EVP_MAC_CTX *mac = NULL;
	OSSL_PARAM params[2];
	int ok;

	if (!inkey || inkey_len == 0 || (!label && label_len) || !out || out_len == 0)
		return MST_ERR_ARGS;
	if (out_len > PRF_MAX_OUT)
		return MST_ERR_RANGE;
	switch (prf) {
	case MIKEY_PRF_HMAC_SHA1:
		digest = "SHA1";
		hlen = 20;
		break;
	case MIKEY_PRF_HMAC_SHA256:
		digest = "SHA256";
		hlen = 32;
		break;
	default:
		return MST_ERR_UNSUPPORTED;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)(uintptr_t)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (hmac)
		mac = EVP_MAC_CTX_new(hmac);
	memset(out, 0, out_len);
	ok = mac != NULL;
	for (off = 0; ok && off < inkey_len; off += PRF_CHUNK) {
		size_t chunk = inkey_len - off < PRF_CHUNK ? inkey_len - off : PRF_CHUNK;
		ok = p_function_xor(mac, params, hlen, inkey + off, chunk, label, label_len,
				    out, out_len);
	}
	EVP_MAC_CTX_free(mac); /* frees the keyed HMAC state, cleansed by OpenSSL */
	EVP_MAC_free(hmac);
	if (!ok) {
		secure_wipe(out, out_len);
		return MST_ERR_CRYPTO;
	}
	return MST_OK;
}

/* RFC 3830 Table 4.1.3. */
static int key_constant(mikey_key_kind kind, uint32_t *c)
{
	switch (kind) {
	case MIKEY_KEY_TEK:
		*c = 0x2AD01C64u;
		return 1;
	case MIKEY_KEY_AUTH:
		*c = 0x1B5C7973u;
		return 1;
	case MIKEY_KEY_ENC:
		*c = 0x15798CEFu;
		return 1;
	case MIKEY_KEY_SALT:
		*c = 0x39A2C14Bu;
		return 1;
	}
	return 0;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

mst_rc mikey_derive(mikey_prf_id prf, const uint8_t *tgk, size_t tgk_len, mikey_key_kind kind,
		    uint8_t cs_id, uint32_t csb_id, const uint8_t *rand, size_t rand_len,
		    uint8_t *out, size_t out_len)
{
	uint8_t label[LABEL_FIXED_LEN + MIKEY_RAND_MAX];
	uint32_t constant;

	if (!tgk || tgk_len == 0 || (!rand && rand_len) || !out || out_len == 0)
		return MST_ERR_ARGS;
	if (!key_constant(kind, &constant))
		return MST_ERR_ARGS;
	if (rand_len > MIKEY_RAND_MAX)
		return MST_ERR_RANGE;
	/* label = constant || cs_id || csb_id || RAND (RFC 3830 4.1.3) */
	put_be32(label, constant);
	label[4] = cs_id;
	put_be32(label + 5, csb_id);
	if (rand_len)
		memcpy(label + LABEL_FIXED_LEN, rand, rand_len);
	return mikey_prf(prf, tgk, tgk_len, label, LABEL_FIXED_LEN + rand_len, out, out_len);
}
