/* pkcs11/derive.c - MIKEY key derivation (RFC 3830 4.1.3, RFC 6043) from
 * a TGK/SSV object.  The new key may be made extractable by its template
 * (an SRTP master key or salt for the media engine) while the base key
 * stays inside. */
#include "config.h"
#include "pkcs11/derive.h"

#include "pkcs11/attrs.h"
#include "pkcs11/object.h"
#include "pkcs11/rv.h"
#include "pkcs11/secretkey.h"
#include "token/mikey_prf.h"
#include "token/secmem.h"

#define MAX_DERIVED_LEN 64
#define MIN_RAND_LEN 16
#define MAX_RAND_LEN 255

static CK_RV prf_params(CK_MECHANISM_PTR mech, const CK_MSTOKEN_MIKEY_PRF_PARAMS **out)
{
	const CK_MSTOKEN_MIKEY_PRF_PARAMS *p;

	if (mech->mechanism != CKM_MSTOKEN_MIKEY_PRF)
		return CKR_MECHANISM_INVALID;
	p = mech->pParameter;
	if (p == NULL || mech->ulParameterLen != sizeof(*p))
		return CKR_MECHANISM_PARAM_INVALID;
	if (p->prf != CK_MSTOKEN_PRF_HMAC_SHA1 && p->prf != CK_MSTOKEN_PRF_HMAC_SHA256)
		return CKR_MECHANISM_PARAM_INVALID;
	if (p->keyKind > CK_MSTOKEN_KEY_ENC || p->csbId > 0xFFFFFFFFUL)
		return CKR_MECHANISM_PARAM_INVALID;
	if (p->pRand == NULL || p->ulRandLen < MIN_RAND_LEN || p->ulRandLen > MAX_RAND_LEN)
		return CKR_MECHANISM_PARAM_INVALID;
	*out = p;
	return CKR_OK;
}

CK_RV derive_key(p11_session *s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE base,
		 CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR out)
{
	const CK_MSTOKEN_MIKEY_PRF_PARAMS *p;
	uint8_t key[MAX_DERIVED_LEN];
	const uint8_t *tgk;
	size_t tgk_len;
	p11_object *b;
	CK_ULONG len;
	CK_RV rv;
	mst_rc rc;

	if (mech == NULL || out == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = attrs_template_ok(t, n);
	if (rv == CKR_OK)
		rv = prf_params(mech, &p);
	if (rv != CKR_OK)
		return rv;
	rv = key_for_use(s, base, CKO_SECRET_KEY, CKK_GENERIC_SECRET, CKA_DERIVE, &b);
	if (rv != CKR_OK)
		return rv;
	rv = attrs_ulong(t, n, CKA_VALUE_LEN, &len);
	if (rv != CKR_OK)
		return rv;
	if (len == 0 || len > MAX_DERIVED_LEN)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	rv = secret_template_check(t, n, len, SECRET_DERIVED, CKM_MSTOKEN_MIKEY_PRF);
	if (rv == CKR_OK)
		rv = obj_secret(b, &tgk, &tgk_len);
	if (rv != CKR_OK)
		return rv;
	rc = mikey_derive((mikey_prf_id)p->prf, tgk, tgk_len, (mikey_key_kind)p->keyKind,
			  p->csId, (uint32_t)p->csbId, p->pRand, p->ulRandLen, key, len);
	if (rc == MST_OK)
		rv = secret_key_create(s, t, n, key, len, SECRET_DERIVED, CKM_MSTOKEN_MIKEY_PRF, b,
				       out);
	else
		rv = rv_from_mst(rc);
	secure_wipe(key, sizeof(key));
	return rv;
}
