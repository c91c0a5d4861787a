/* pkcs11/keygen.c - a new SSV (16 octets) or GMK (32 octets) from the
 * private DRBG, wiped as soon as the object holds it. */
#include "config.h"
#include "pkcs11/keygen.h"

#include <openssl/rand.h>

#include "pkcs11/attrs.h"
#include "pkcs11/secretkey.h"
#include "token/secmem.h"

CK_RV keygen_generate(p11_session *s, CK_MECHANISM_PTR mech, CK_ATTRIBUTE_PTR t, CK_ULONG n,
		      CK_OBJECT_HANDLE_PTR out)
{
	uint8_t key[32];
	CK_ULONG len;
	CK_RV rv;

	if (mech == NULL || out == NULL)
		return CKR_ARGUMENTS_BAD;
	rv = attrs_template_ok(t, n);
	if (rv != CKR_OK)
		return rv;
	if (mech->mechanism != CKM_GENERIC_SECRET_KEY_GEN)
		return CKR_MECHANISM_INVALID;
	if (mech->pParameter != NULL || mech->ulParameterLen != 0)
		return CKR_MECHANISM_PARAM_INVALID;
	rv = attrs_ulong(t, n, CKA_VALUE_LEN, &len);
	if (rv != CKR_OK)
		return rv;
	if (len != 16 && len != 32)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	rv = secret_template_check(t, n, len, SECRET_GENERATED, CKM_GENERIC_SECRET_KEY_GEN);
	if (rv != CKR_OK)
		return rv;
	if (RAND_priv_bytes(key, (int)len) != 1)
		return CKR_FUNCTION_FAILED;
	rv = secret_key_create(s, t, n, key, len, SECRET_GENERATED, CKM_GENERIC_SECRET_KEY_GEN,
			       NULL, out);
	secure_wipe(key, sizeof(key));
	return rv;
}
