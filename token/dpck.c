/* token/dpck.c - DPCK derivation (TS 33.180 E.6 with the TS 33.220 B.2
 * KDF), HMAC-SHA-256 from OpenSSL. */
#include "token/dpck.h"

#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include "token/secmem.h"

#define SHA256_LEN 32

mst_rc dpck_derive(const uint8_t *ssv, size_t ssv_len, uint32_t dppk_id, uint8_t out[DPCK_LEN])
{
	/* S = FC || P0 (DPPK-ID, 4 octets) || L0 (length of P0, 2 octets) */
	const uint8_t s[7] = { DPCK_FC, (uint8_t)(dppk_id >> 24), (uint8_t)(dppk_id >> 16),
			       (uint8_t)(dppk_id >> 8), (uint8_t)dppk_id, 0x00, 0x04 };
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};
	uint8_t mac[SHA256_LEN];
	size_t mac_len = 0;
	EVP_MAC *alg;
	EVP_MAC_CTX *ctx = NULL;
	int ok = 0;

	if (ssv == NULL || ssv_len == 0 || out == NULL)
		return MST_ERR_ARGS;
	alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (alg != NULL)
		ctx = EVP_MAC_CTX_new(alg);
	if (ctx != NULL)
		ok = EVP_MAC_init(ctx, ssv, ssv_len, params) &&
		     EVP_MAC_update(ctx, s, sizeof(s)) &&
		     EVP_MAC_final(ctx, mac, &mac_len, sizeof(mac)) && mac_len == SHA256_LEN;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(alg);
	/* the 128 least significant bits are the last 16 octets */
	if (ok)
		memcpy(out, mac + SHA256_LEN - DPCK_LEN, DPCK_LEN);
	else
		secure_wipe(out, DPCK_LEN);
	secure_wipe(mac, sizeof(mac));
	return ok ? MST_OK : MST_ERR_CRYPTO;
}
