/* token/keystore.c - the backend that a slot configuration names. */
#include "token/keystore.h"

#include <stddef.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>

#define ENDORSE_PREFIX "mstoken-endorse-v1"

const keystore_backend *keystore_backend_for(const mst_slot_config *cfg)
{
	if (cfg == NULL)
		return NULL;
	switch (cfg->backend) {
	case MST_BACKEND_PKCS11:
		return &keystore_backend_pkcs11;
	case MST_BACKEND_TPM:
		return &keystore_backend_tpm;
	}
	return NULL;
}

const char *keystore_last_error(const keystore_backend *b, void *be)
{
	const char *msg;

	if (b == NULL || b->last_error == NULL)
		return "";
	msg = b->last_error(be);
	return msg != NULL ? msg : "";
}

mst_rc keystore_endorse_mac(const uint8_t key[KEYSTORE_KEY_LEN], const uint8_t *msg,
			    size_t len, uint8_t tag[KEYSTORE_TAG_LEN])
{
	char digest[] = "SHA256";
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};
	size_t out = 0;
	int ok;

	ok = ctx != NULL && EVP_MAC_init(ctx, key, KEYSTORE_KEY_LEN, params) == 1 &&
	     EVP_MAC_update(ctx, (const uint8_t *)ENDORSE_PREFIX, strlen(ENDORSE_PREFIX)) == 1 &&
	     (len == 0 || EVP_MAC_update(ctx, msg, len) == 1) &&
	     EVP_MAC_final(ctx, tag, &out, KEYSTORE_TAG_LEN) == 1 && out == KEYSTORE_TAG_LEN;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok ? MST_OK : MST_ERR_CRYPTO;
}
