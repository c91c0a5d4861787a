/* tpm/tpm_crypto.c - PBKDF2, HMAC and AES-256-GCM through OpenSSL. */
#include "config.h"
#include "tpm/tpm_crypto.h"

#include <limits.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "token/secmem.h"

static const char record_label[] = "mstoken tpm record auth v1";
static const char id_label[] = "mstoken tpm store id v1";

mst_rc tpm_pin_auth(const char *pin, size_t pin_len, const uint8_t salt[TPM_SALT_LEN],
		    uint32_t iterations, uint8_t auth[TPM_AUTH_LEN])
{
	if (pin_len > INT_MAX || iterations == 0 || iterations > TPM_KDF_ITERATIONS_MAX)
		return MST_ERR_ARGS;
	if (PKCS5_PBKDF2_HMAC(pin, (int)pin_len, salt, TPM_SALT_LEN, (int)iterations,
			      EVP_sha256(), TPM_AUTH_LEN, auth) != 1)
		return MST_ERR_CRYPTO;
	return MST_OK;
}

static mst_rc hmac_label(const uint8_t secret[TPM_SECRET_LEN], const char *label, size_t label_len,
			 uint8_t out[32])
{
	unsigned int n = 0;

	if (HMAC(EVP_sha256(), secret, TPM_SECRET_LEN, (const uint8_t *)label, label_len,
		 out, &n) == NULL || n != 32)
		return MST_ERR_CRYPTO;
	return MST_OK;
}

mst_rc tpm_record_auth(const uint8_t secret[TPM_SECRET_LEN], uint8_t auth[TPM_AUTH_LEN])
{
	return hmac_label(secret, record_label, sizeof(record_label) - 1, auth);
}

mst_rc tpm_store_id(const uint8_t secret[TPM_SECRET_LEN], uint8_t id[TPM_STORE_ID_LEN])
{
	uint8_t md[32];
	mst_rc rc = hmac_label(secret, id_label, sizeof(id_label) - 1, md);

	memcpy(id, md, TPM_STORE_ID_LEN);
	secure_wipe(md, sizeof(md));
	return rc;
}

static mst_rc gcm(int enc, const uint8_t *key, const uint8_t *iv, const uint8_t *aad,
		  size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, ok;

	if (ctx == NULL || len > INT_MAX || aad_len > INT_MAX) {
		EVP_CIPHER_CTX_free(ctx);
		return MST_ERR_CRYPTO;
	}
	ok = EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv, enc) == 1 &&
	     EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1 &&
	     EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1;
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TPM_GCM_TAG_LEN, tag) == 1;
	if (ok) {
		/* for decryption this is where the tag is checked */
		if (EVP_CipherFinal_ex(ctx, out + n, &n) != 1) {
			EVP_CIPHER_CTX_free(ctx);
			return enc ? MST_ERR_CRYPTO : MST_ERR_TAMPERED;
		}
	}
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TPM_GCM_TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? MST_OK : MST_ERR_CRYPTO;
}

mst_rc tpm_gcm_seal(const uint8_t key[TPM_SECRET_LEN], const uint8_t iv[TPM_GCM_IV_LEN],
		    const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len, uint8_t *out)
{
	return gcm(1, key, iv, aad, aad_len, in, len, out, out + len);
}

mst_rc tpm_gcm_open(const uint8_t key[TPM_SECRET_LEN], const uint8_t iv[TPM_GCM_IV_LEN],
		    const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t tag[TPM_GCM_TAG_LEN];
	mst_rc rc;

	if (len < TPM_GCM_TAG_LEN)
		return MST_ERR_TAMPERED;
	memcpy(tag, in + len - TPM_GCM_TAG_LEN, TPM_GCM_TAG_LEN);
	rc = gcm(0, key, iv, aad, aad_len, in, len - TPM_GCM_TAG_LEN, out, tag);
	if (rc != MST_OK)
		secure_wipe(out, len - TPM_GCM_TAG_LEN);
	return rc;
}
