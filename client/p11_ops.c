/* client/p11_ops.c - the mstoken operations the flows need: a new SSV made
 * in the token, SAKKE wrap/unwrap, ECCSI sign/verify and the MIKEY PRF.
 * Only derived SRTP keys ever come out as bytes, and they are wiped by the
 * caller after use. */
#include <string.h>
#include <openssl/crypto.h>
#include "client/p11.h"

#define SSV_LEN 16

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static CK_OBJECT_CLASS secret_class = CKO_SECRET_KEY;
static CK_KEY_TYPE generic = CKK_GENERIC_SECRET;

/* A session SSV: sensitive, never extractable, leaving the token only
 * SAKKE-encapsulated under a trusted community key (CKA_WRAP_WITH_TRUSTED). */
ms_rc ms_p11_generate_ssv(struct ms_p11 *p, CK_OBJECT_HANDLE *ssv)
{
	CK_ULONG len = SSV_LEN;
	CK_MECHANISM m = { CKM_GENERIC_SECRET_KEY_GEN, NULL, 0 };
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &secret_class, sizeof(secret_class) },
		{ CKA_KEY_TYPE, &generic, sizeof(generic) },
		{ CKA_VALUE_LEN, &len, sizeof(len) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_WRAP_WITH_TRUSTED, &yes, sizeof(yes) },
		{ CKA_DERIVE, &yes, sizeof(yes) },
	};
	CK_RV rv = p->f->C_GenerateKey(p->s, &m, t, sizeof(t) / sizeof(t[0]), ssv);

	return rv == CKR_OK ? MS_OK : ms_p11_fail(p, "C_GenerateKey", rv);
}

ms_rc ms_p11_wrap(struct ms_p11 *p, CK_OBJECT_HANDLE z, const uint8_t *id, size_t id_len,
		  CK_OBJECT_HANDLE ssv, uint8_t *out, size_t cap, size_t *len)
{
	CK_MSTOKEN_SAKKE_WRAP_PARAMS wp = { (unsigned char *)(uintptr_t)id, id_len };
	CK_MECHANISM m = { CKM_MSTOKEN_SAKKE, &wp, sizeof(wp) };
	CK_ULONG n = cap;
	CK_RV rv = p->f->C_WrapKey(p->s, &m, z, ssv, out, &n);

	if (rv != CKR_OK)
		return ms_p11_fail(p, "C_WrapKey", rv);
	*len = n;
	return MS_OK;
}

/* The received SSV: sensitive, not extractable, but wrappable under a
 * trusted key so that a returned I_MESSAGE can carry it back. */
ms_rc ms_p11_unwrap(struct ms_p11 *p, CK_OBJECT_HANDLE rsk, const uint8_t *data, size_t len,
		    CK_OBJECT_HANDLE *ssv)
{
	CK_MECHANISM m = { CKM_MSTOKEN_SAKKE, NULL, 0 };
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &secret_class, sizeof(secret_class) },
		{ CKA_KEY_TYPE, &generic, sizeof(generic) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_WRAP_WITH_TRUSTED, &yes, sizeof(yes) },
		{ CKA_DERIVE, &yes, sizeof(yes) },
	};
	CK_RV rv = p->f->C_UnwrapKey(p->s, &m, rsk, (CK_BYTE_PTR)(uintptr_t)data, len, t,
				     sizeof(t) / sizeof(t[0]), ssv);

	if (rv == CKR_OK)
		return MS_OK;
	ms_p11_fail(p, "C_UnwrapKey", rv);
	return rv == CKR_WRAPPED_KEY_INVALID || rv == CKR_WRAPPED_KEY_LEN_RANGE ||
	       rv == CKR_ENCRYPTED_DATA_INVALID ? MS_ERR_DECAPSULATE : MS_ERR_PKCS11;
}

ms_rc ms_p11_sign(struct ms_p11 *p, CK_OBJECT_HANDLE ssk, const uint8_t *msg, size_t len,
		  uint8_t *sig, size_t cap, size_t *sig_len)
{
	CK_MECHANISM m = { CKM_MSTOKEN_ECCSI, NULL, 0 };
	CK_ULONG n = cap;
	CK_RV rv = p->f->C_SignInit(p->s, &m, ssk);

	if (rv != CKR_OK)
		return ms_p11_fail(p, "C_SignInit", rv);
	rv = p->f->C_Sign(p->s, (CK_BYTE_PTR)(uintptr_t)msg, len, sig, &n);
	if (rv != CKR_OK)
		return ms_p11_fail(p, "C_Sign", rv);
	*sig_len = n;
	return MS_OK;
}

ms_rc ms_p11_verify(struct ms_p11 *p, CK_OBJECT_HANDLE kpak, const uint8_t *id, size_t id_len,
		    const uint8_t *msg, size_t len, const uint8_t *sig, size_t sig_len)
{
	CK_MSTOKEN_ECCSI_VERIFY_PARAMS vp = { (unsigned char *)(uintptr_t)id, id_len };
	CK_MECHANISM m = { CKM_MSTOKEN_ECCSI, &vp, sizeof(vp) };
	CK_RV rv = p->f->C_VerifyInit(p->s, &m, kpak);

	if (rv != CKR_OK)
		return ms_p11_fail(p, "C_VerifyInit", rv);
	rv = p->f->C_Verify(p->s, (CK_BYTE_PTR)(uintptr_t)msg, len, (CK_BYTE_PTR)(uintptr_t)sig,
			    sig_len);
	if (rv == CKR_OK)
		return MS_OK;
	ms_p11_fail(p, "C_Verify", rv);
	return rv == CKR_SIGNATURE_INVALID || rv == CKR_SIGNATURE_LEN_RANGE ?
	       MS_ERR_BAD_SIGNATURE : MS_ERR_PKCS11;
}

ms_rc ms_p11_derive(struct ms_p11 *p, CK_OBJECT_HANDLE base, unsigned prf, unsigned kind,
		    uint8_t cs_id, uint32_t csb_id, const uint8_t *rand, size_t rand_len,
		    uint8_t *out, size_t out_len)
{
	CK_MSTOKEN_MIKEY_PRF_PARAMS pp = { prf, kind, cs_id, csb_id,
					   (unsigned char *)(uintptr_t)rand, rand_len };
	CK_MECHANISM m = { CKM_MSTOKEN_MIKEY_PRF, &pp, sizeof(pp) };
	CK_ULONG len = out_len;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &secret_class, sizeof(secret_class) },
		{ CKA_KEY_TYPE, &generic, sizeof(generic) },
		{ CKA_VALUE_LEN, &len, sizeof(len) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_SENSITIVE, &no, sizeof(no) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) },
	};
	CK_OBJECT_HANDLE k = CK_INVALID_HANDLE;
	size_t got = 0;
	ms_rc rc;
	CK_RV rv = p->f->C_DeriveKey(p->s, &m, base, t, sizeof(t) / sizeof(t[0]), &k);

	if (rv != CKR_OK)
		return ms_p11_fail(p, "C_DeriveKey", rv);
	rc = ms_p11_attr(p, k, CKA_VALUE, out, out_len, &got);
	ms_p11_destroy(p, k);
	if (rc == MS_OK && got != out_len)
		rc = MS_ERR_PKCS11;
	if (rc != MS_OK)
		OPENSSL_cleanse(out, out_len);
	return rc;
}
