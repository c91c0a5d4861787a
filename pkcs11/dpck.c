/* pkcs11/dpck.c - CKM_MSTOKEN_DPCK.  The DPCK only opens key parameters,
 * so the new object is an AES key for C_Decrypt that can never leave the
 * token nor derive further keys, whatever the caller's template asks. */
#include "config.h"
#include "pkcs11/dpck.h"

#include "pkcs11/attrs.h"
#include "pkcs11/object.h"
#include "pkcs11/rv.h"
#include "pkcs11/secretkey.h"
#include "token/dpck.h"
#include "token/secmem.h"

#define MAX_TEMPLATE 32
#define N_FORCED 8

static CK_RV dpck_params(CK_MECHANISM_PTR mech, uint32_t *dppk_id)
{
	const CK_MSTOKEN_DPCK_PARAMS *p = mech->pParameter;

	if (p == NULL || mech->ulParameterLen != sizeof(*p) || p->dppkId > 0xFFFFFFFFUL)
		return CKR_MECHANISM_PARAM_INVALID;
	*dppk_id = (uint32_t)p->dppkId;
	return CKR_OK;
}

/* What the caller may say about the new key: nothing that contradicts a
 * sensitive, non-extractable, private 16-octet AES decryption key. */
static CK_RV template_check(const CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_ULONG v;
	CK_RV rv;

	if (n > MAX_TEMPLATE)
		return CKR_TEMPLATE_INCONSISTENT;
	rv = attrs_check(CKO_SECRET_KEY, t, n, ACTX_GENERATE, NULL);
	if (rv != CKR_OK)
		return rv;
	if (attrs_ulong(t, n, CKA_CLASS, &v) == CKR_OK && v != CKO_SECRET_KEY)
		return CKR_TEMPLATE_INCONSISTENT;
	if (attrs_ulong(t, n, CKA_KEY_TYPE, &v) == CKR_OK && v != CKK_AES)
		return CKR_TEMPLATE_INCONSISTENT;
	if (attrs_ulong(t, n, CKA_VALUE_LEN, &v) == CKR_OK && v != DPCK_LEN)
		return CKR_TEMPLATE_INCONSISTENT;
	if (!attrs_bool(t, n, CKA_SENSITIVE, 1) || attrs_bool(t, n, CKA_EXTRACTABLE, 0) ||
	    !attrs_bool(t, n, CKA_PRIVATE, 1) || attrs_bool(t, n, CKA_DERIVE, 0) ||
	    !attrs_bool(t, n, CKA_DECRYPT, 1) || attrs_bool(t, n, CKA_WRAP_WITH_TRUSTED, 0) ||
	    attrs_bool(t, n, CKA_MODIFIABLE, 0) || attrs_bool(t, n, CKA_COPYABLE, 0))
		return CKR_TEMPLATE_INCONSISTENT;
	return CKR_OK;
}

CK_RV dpck_derive_key(p11_session *s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE base,
		      CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR out)
{
	static const CK_KEY_TYPE aes = CKK_AES;
	static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE full[MAX_TEMPLATE + N_FORCED];
	uint8_t key[DPCK_LEN];
	const uint8_t *ssv;
	size_t ssv_len;
	uint32_t dppk_id;
	p11_object *b;
	CK_ULONG i, m = 0;
	CK_RV rv;
	mst_rc rc;

	if (mech == NULL || out == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = attrs_template_ok(t, n);
	if (rv == CKR_OK)
		rv = dpck_params(mech, &dppk_id);
	if (rv == CKR_OK)
		rv = key_for_use(s, base, CKO_SECRET_KEY, CKK_GENERIC_SECRET, CKA_DERIVE, &b);
	if (rv == CKR_OK)
		rv = template_check(t, n);
	if (rv == CKR_OK)
		rv = obj_secret(b, &ssv, &ssv_len);
	if (rv != CKR_OK)
		return rv;
	/* the caller's attributes, then the ones this key always has (the
	 * later value wins in attrs_apply) */
	for (i = 0; i < n; i++)
		if (t[i].type != CKA_KEY_TYPE && t[i].type != CKA_VALUE_LEN)
			full[m++] = t[i];
	full[m++] = (CK_ATTRIBUTE){ CKA_KEY_TYPE, (void *)(uintptr_t)&aes, sizeof(aes) };
	full[m++] = (CK_ATTRIBUTE){ CKA_DECRYPT, (void *)(uintptr_t)&yes, sizeof(yes) };
	full[m++] = (CK_ATTRIBUTE){ CKA_DERIVE, (void *)(uintptr_t)&no, sizeof(no) };
	full[m++] = (CK_ATTRIBUTE){ CKA_SENSITIVE, (void *)(uintptr_t)&yes, sizeof(yes) };
	full[m++] = (CK_ATTRIBUTE){ CKA_EXTRACTABLE, (void *)(uintptr_t)&no, sizeof(no) };
	full[m++] = (CK_ATTRIBUTE){ CKA_WRAP_WITH_TRUSTED, (void *)(uintptr_t)&no, sizeof(no) };
	full[m++] = (CK_ATTRIBUTE){ CKA_MODIFIABLE, (void *)(uintptr_t)&no, sizeof(no) };
	full[m++] = (CK_ATTRIBUTE){ CKA_COPYABLE, (void *)(uintptr_t)&no, sizeof(no) };
	rc = dpck_derive(ssv, ssv_len, dppk_id, key);
	if (rc == MST_OK)
		rv = secret_key_create(s, full, m, key, DPCK_LEN, SECRET_DERIVED, CKM_MSTOKEN_DPCK,
				       b, out);
	else
		rv = rv_from_mst(rc);
	secure_wipe(key, sizeof(key));
	return rv;
}
