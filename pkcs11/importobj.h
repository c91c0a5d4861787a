/* pkcs11/importobj.h - the objects a KMS import makes, and lookups of
 * communities and user keys already in the token. */
#ifndef MST_P11_IMPORTOBJ_H
#define MST_P11_IMPORTOBJ_H

#include "pkcs11/p11.h"
#include "token/kmsxml.h"

/* The community public key (CKK_MSTOKEN_ECCSI: KPAK, CKK_MSTOKEN_SAKKE:
 * Z_T) with this KMS URI visible to the session, or NULL. */
p11_object *community_find(const p11_session *s, const char *kms_uri, CK_KEY_TYPE type);
/* A user key of this key set (same KMS URI and UserID) already there. */
const p11_object *user_key_find(const p11_session *s, const kms_keyset *ks);

/* The data object from the caller's template; value/len replace its
 * CKA_VALUE when value != NULL.  Kept as the record of the import:
 * CKA_MODIFIABLE and CKA_COPYABLE FALSE (a template asking TRUE:
 * CKR_TEMPLATE_INCONSISTENT). */
CK_RV importobj_data(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n, const uint8_t *value,
		     size_t len, p11_object **out);
CK_RV importobj_community(p11_session *s, const kms_certificate *c, CK_KEY_TYPE type,
			  int token, p11_object **out);
/* ECCSI (SSK, CKA_SIGN) or SAKKE (RSK, CKA_UNWRAP) private key; point is
 * the community key it was validated against (KPAK or Z_T), recorded in
 * the key (CKA_MSTOKEN_KPAK / CKA_MSTOKEN_Z). */
CK_RV importobj_user_key(p11_session *s, const kms_keyset *ks, CK_KEY_TYPE type,
			 const uint8_t *point, int token, p11_object **out);

#endif
