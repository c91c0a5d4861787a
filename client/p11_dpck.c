/* client/p11_dpck.c - opening the key parameters of General Extension
 * type 7 (TS 33.180 E.6) inside the token: the DPCK is derived from the SSV
 * object with CKM_MSTOKEN_DPCK as a non-extractable session key, used once
 * by C_Decrypt (CKM_AES_GCM) and destroyed.  Only the plaintext leaves. */
#include <openssl/crypto.h>
#include "client/p11.h"

ms_rc ms_p11_open_keyparams(struct ms_p11 *p, CK_OBJECT_HANDLE ssv,
			    const struct mikey_keyparams_env *env, uint8_t *plain, size_t cap,
			    size_t *plain_len)
{
	CK_MSTOKEN_DPCK_PARAMS dp = { env->dppk_id };
	CK_MECHANISM dm = { CKM_MSTOKEN_DPCK, &dp, sizeof(dp) };
	CK_BBOOL no = CK_FALSE;
	CK_ATTRIBUTE t[] = { { CKA_TOKEN, &no, sizeof(no) } };
	CK_GCM_PARAMS gp = { (CK_BYTE_PTR)(uintptr_t)env->iv.ptr, MIKEY_KP_IV_LEN,
			     8 * MIKEY_KP_IV_LEN, (CK_BYTE_PTR)(uintptr_t)env->ad, MIKEY_KP_AD_LEN,
			     8 * MIKEY_KP_TAG_LEN };
	CK_MECHANISM gm = { CKM_AES_GCM, &gp, sizeof(gp) };
	CK_OBJECT_HANDLE dpck = CK_INVALID_HANDLE;
	CK_ULONG len = cap;
	CK_RV rv;

	rv = p->f->C_DeriveKey(p->s, &dm, ssv, t, 1, &dpck);
	if (rv != CKR_OK)
		return ms_p11_fail(p, "C_DeriveKey", rv);
	rv = p->f->C_DecryptInit(p->s, &gm, dpck);
	if (rv == CKR_OK)
		rv = p->f->C_Decrypt(p->s, (CK_BYTE_PTR)(uintptr_t)env->ciphertext.ptr,
				     env->ciphertext.len, plain, &len);
	ms_p11_destroy(p, dpck);
	if (rv == CKR_OK) {
		*plain_len = len;
		return MS_OK;
	}
	OPENSSL_cleanse(plain, cap);
	ms_p11_fail(p, rv == CKR_OPERATION_NOT_INITIALIZED ? "C_DecryptInit" : "C_Decrypt", rv);
	return rv == CKR_ENCRYPTED_DATA_INVALID ? MS_ERR_BAD_SIGNATURE : MS_ERR_PKCS11;
}
