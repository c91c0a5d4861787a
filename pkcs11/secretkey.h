/* pkcs11/secretkey.h - new CKK_GENERIC_SECRET objects made inside the
 * token (C_GenerateKey, C_UnwrapKey, C_DeriveKey). */
#ifndef MST_P11_SECRETKEY_H
#define MST_P11_SECRETKEY_H

#include "pkcs11/p11.h"

typedef enum { SECRET_GENERATED, SECRET_UNWRAPPED, SECRET_DERIVED } secret_origin;

/* Check a template for a secret key of len octets: class and key type, if
 * present, must be CKO_SECRET_KEY / CKK_GENERIC_SECRET, CKA_VALUE_LEN if
 * present must be len, CKA_PRIVATE may not be FALSE; CKA_SENSITIVE FALSE or
 * CKA_EXTRACTABLE TRUE only for an output of CKM_MSTOKEN_MIKEY_PRF (origin
 * SECRET_DERIVED, mech the mechanism making the key).  Else
 * CKR_TEMPLATE_INCONSISTENT. */
CK_RV secret_template_check(const CK_ATTRIBUTE *t, CK_ULONG n, size_t len, secret_origin origin,
			    CK_MECHANISM_TYPE mech);
/* Make the object: template over the defaults (sensitive, not extractable,
 * CKA_DERIVE and CKA_WRAP_WITH_TRUSTED TRUE; a readable result refused as
 * in secret_template_check), the origin's CKA_LOCAL,
 * CKA_KEY_GEN_MECHANISM, CKA_ALWAYS_SENSITIVE and CKA_NEVER_EXTRACTABLE
 * (a derived key inherits those two from base). */
CK_RV secret_key_create(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
			const uint8_t *value, size_t len, secret_origin origin,
			CK_MECHANISM_TYPE mech, const p11_object *base, CK_OBJECT_HANDLE_PTR out);

#endif
