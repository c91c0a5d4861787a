/* client/keyparams.c - the TS 33.180 E.6 key-parameters envelope of General
 * Extension type 7: parse, AES-128-GCM open (OpenSSL), and the plain key
 * parameters. */
#include <string.h>
#include <stdint.h>
#include <openssl/evp.h>
#include "mikeysakke/keyparams.h"
#include "client/mikey_rd.h"

static ms_rc rd_u40(struct mikey_rd *r, const char *field, uint64_t *v)
{
	uint8_t hi;
	uint32_t lo;

	if (rd_u8(r, field, &hi) || rd_u32(r, field, &lo))
		return MS_ERR_MALFORMED;
	*v = (uint64_t)hi << 32 | lo;
	return MS_OK;
}

ms_rc mikey_keyparams_env_decode(const struct mikey_bytes *data, struct mikey_keyparams_env *env,
				 struct mikey_error *err)
{
	struct mikey_error scratch;
	struct mikey_rd r = { data->ptr, data->len, 0, err ? err : &scratch };

	memset(env, 0, sizeof(*env));
	if (data->len < MIKEY_KP_HEAD_LEN) {
		rd_fail(&r, 0, "key parameters of %zu octets: plain pre-envelope form", data->len);
		return MS_ERR_UNSUPPORTED;
	}
	if (rd_u8(&r, "key parameters message type", &env->message_type) ||
	    rd_u40(&r, "key parameters date-time", &env->date_time) ||
	    rd_u32(&r, "key parameters payload ID", &env->payload_id) ||
	    rd_u8(&r, "key parameters sequence number", &env->seq_no) ||
	    rd_u8(&r, "key parameters algorithm", &env->algorithm) ||
	    rd_span(&r, r.off, "key parameters IV", MIKEY_KP_IV_LEN, &env->iv) ||
	    rd_u32(&r, "key parameters DPPK-ID", &env->dppk_id) ||
	    rd_u8(&r, "key parameters TLV-E type", &env->tlv_type) ||
	    rd_span16(&r, "key parameters ciphertext", &env->ciphertext))
		return MS_ERR_MALFORMED;
	if (r.off != data->len)
		return rd_fail(&r, r.off, "%zu octets after the key parameters", data->len - r.off);
	if (env->ciphertext.len < MIKEY_KP_TAG_LEN)
		return rd_fail(&r, 33, "key parameters ciphertext of %zu octets has no 16-octet tag",
			       env->ciphertext.len);
	memcpy(env->ad, data->ptr, 12);
	memcpy(env->ad + 12, env->iv.ptr, MIKEY_KP_IV_LEN);
	memcpy(env->ad + 28, data->ptr + 28, 4);
	return MS_OK;
}

ms_rc mikey_keyparams_open(const struct mikey_keyparams_env *env, const uint8_t dpck[16],
			   uint8_t *plain, size_t cap, size_t *plain_len)
{
	size_t n = env->ciphertext.len - MIKEY_KP_TAG_LEN;
	EVP_CIPHER_CTX *c;
	int len = 0, fin = 0;
	ms_rc rc = MS_ERR_CRYPTO;

	if (env->ciphertext.len < MIKEY_KP_TAG_LEN || n > 0xffff)
		return MS_ERR_ARGS;
	if (cap < n)
		return MS_ERR_BUFFER;
	c = EVP_CIPHER_CTX_new();
	if (!c)
		return MS_ERR_NOMEM;
	if (EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, MIKEY_KP_IV_LEN, NULL) != 1 ||
	    EVP_DecryptInit_ex(c, NULL, NULL, dpck, env->iv.ptr) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &len, env->ad, MIKEY_KP_AD_LEN) != 1 ||
	    EVP_DecryptUpdate(c, plain, &len, env->ciphertext.ptr, (int)n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, MIKEY_KP_TAG_LEN,
				(void *)(uintptr_t)(env->ciphertext.ptr + n)) != 1)
		goto out;
	if (EVP_DecryptFinal_ex(c, plain + len, &fin) != 1) {
		OPENSSL_cleanse(plain, n);
		rc = MS_ERR_BAD_SIGNATURE;
		goto out;
	}
	*plain_len = (size_t)len + (size_t)fin;
	rc = MS_OK;
out:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

ms_rc mikey_keyparams_decode(const uint8_t *plain, size_t len, struct mikey_keyparams *kp,
			     struct mikey_error *err)
{
	struct mikey_error scratch;
	struct mikey_rd r = { plain, len, 0, err ? err : &scratch };

	memset(kp, 0, sizeof(*kp));
	if (rd_u8(&r, "key type", &kp->key_type) || rd_u32(&r, "key status", &kp->status) ||
	    rd_u40(&r, "activation time", &kp->activation_time) ||
	    rd_u40(&r, "expiry time", &kp->expiry_time) ||
	    rd_span16(&r, "key text", &kp->text))
		return MS_ERR_MALFORMED;
	kp->rest.ptr = plain + r.off;
	kp->rest.len = len - r.off;
	return MS_OK;
}
