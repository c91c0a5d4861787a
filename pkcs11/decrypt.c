/* pkcs11/decrypt.c - AES-GCM decryption inside the module (OpenSSL EVP).
 * The plaintext is made in a scratch buffer and copied out only once the
 * tag has been checked, so a forged input leaves nothing in the caller's
 * buffer. */
#include "config.h"
#include "pkcs11/decrypt.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "pkcs11/object.h"
#include "token/secmem.h"

#define MAX_CIPHERTEXT (1UL << 20)

void decrypt_op_end(p11_session *s)
{
	secure_wipe(&s->decrypt, sizeof(s->decrypt));
}

static const EVP_CIPHER *gcm_for(size_t key_len)
{
	switch (key_len) {
	case 16: return EVP_aes_128_gcm();
	case 24: return EVP_aes_192_gcm();
	case 32: return EVP_aes_256_gcm();
	default: return NULL;
	}
}

CK_RV decrypt_init(p11_session *s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
	const CK_GCM_PARAMS *p;
	const uint8_t *v;
	size_t len;
	p11_object *o;
	CK_RV rv;

	if (s->decrypt.active)
		return CKR_OPERATION_ACTIVE;
	if (mech == NULL)
		return CKR_ARGUMENTS_BAD;
	if (mech->mechanism != CKM_AES_GCM)
		return CKR_MECHANISM_INVALID;
	p = mech->pParameter;
	if (p == NULL || mech->ulParameterLen != sizeof(*p) || p->iv_ptr == NULL ||
	    p->iv_len == 0 || p->iv_len > P11_GCM_MAX_IV || p->aad_len > P11_GCM_MAX_AAD ||
	    (p->aad_ptr == NULL && p->aad_len != 0) || p->tag_bits != 8 * GCM_TAG_LEN)
		return CKR_MECHANISM_PARAM_INVALID;
	rv = key_for_use(s, key, CKO_SECRET_KEY, CKK_AES, CKA_DECRYPT, &o);
	if (rv == CKR_OK)
		rv = obj_secret(o, &v, &len);
	if (rv != CKR_OK)
		return rv;
	if (gcm_for(len) == NULL)
		return CKR_KEY_SIZE_RANGE;
	s->decrypt.key = key;
	memcpy(s->decrypt.iv, p->iv_ptr, p->iv_len);
	s->decrypt.iv_len = p->iv_len;
	if (p->aad_len)
		memcpy(s->decrypt.aad, p->aad_ptr, p->aad_len);
	s->decrypt.aad_len = p->aad_len;
	s->decrypt.active = 1;
	return CKR_OK;
}

/* 1: tag good, plain holds n octets; 0: forged; -1: OpenSSL failed. */
static int gcm_open(const p11_decrypt_op *op, const uint8_t *key, size_t key_len,
		    const uint8_t *in, size_t n, uint8_t *plain)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, fin = 0, r = -1;

	if (c == NULL)
		return -1;
	if (EVP_DecryptInit_ex(c, gcm_for(key_len), NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)op->iv_len, NULL) == 1 &&
	    EVP_DecryptInit_ex(c, NULL, NULL, key, op->iv) == 1 &&
	    (op->aad_len == 0 ||
	     EVP_DecryptUpdate(c, NULL, &len, op->aad, (int)op->aad_len) == 1) &&
	    (n == 0 || EVP_DecryptUpdate(c, plain, &len, in, (int)n) == 1) &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, GCM_TAG_LEN,
				(void *)(uintptr_t)(in + n)) == 1)
		r = EVP_DecryptFinal_ex(c, plain + len, &fin) == 1 ? 1 : 0;
	EVP_CIPHER_CTX_free(c);
	return r;
}

CK_RV decrypt_final(p11_session *s, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
		    CK_ULONG_PTR out_len)
{
	const uint8_t *key;
	size_t key_len, n;
	uint8_t *plain;
	p11_object *o;
	CK_RV rv;
	int r;

	if (!s->decrypt.active)
		return CKR_OPERATION_NOT_INITIALIZED;
	/* the key is private: the user must still be logged in (C_Logout
	 * also ends the operation, see login.c) */
	if (s->slot->login != CKU_USER) {
		decrypt_op_end(s);
		return CKR_USER_NOT_LOGGED_IN;
	}
	if (out_len == NULL || (in == NULL && in_len != 0)) {
		decrypt_op_end(s);
		return CKR_ARGUMENTS_BAD;
	}
	if (in_len < GCM_TAG_LEN || in_len > MAX_CIPHERTEXT) {
		decrypt_op_end(s);
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	}
	n = in_len - GCM_TAG_LEN;
	if (out == NULL) {
		*out_len = n;
		return CKR_OK;
	}
	if (*out_len < n) {
		*out_len = n;
		return CKR_BUFFER_TOO_SMALL;
	}
	/* the key may have been destroyed since C_DecryptInit */
	rv = key_for_use(s, s->decrypt.key, CKO_SECRET_KEY, CKK_AES, CKA_DECRYPT, &o);
	if (rv == CKR_OK)
		rv = obj_secret(o, &key, &key_len);
	if (rv == CKR_OK && gcm_for(key_len) == NULL)
		rv = CKR_KEY_SIZE_RANGE;
	plain = rv == CKR_OK ? secmem_alloc(n ? n : 1) : NULL;
	if (rv == CKR_OK && plain == NULL)
		rv = CKR_HOST_MEMORY;
	if (rv == CKR_OK) {
		r = gcm_open(&s->decrypt, key, key_len, in, n, plain);
		if (r == 1) {
			memcpy(out, plain, n);
			*out_len = n;
		}
		rv = r == 1 ? CKR_OK : r == 0 ? CKR_ENCRYPTED_DATA_INVALID : CKR_FUNCTION_FAILED;
	}
	if (plain != NULL)
		secmem_free(plain);
	decrypt_op_end(s);
	return rv;
}
