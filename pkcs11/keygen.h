/* pkcs11/keygen.h - C_GenerateKey (CKM_GENERIC_SECRET_KEY_GEN). */
#ifndef MST_P11_KEYGEN_H
#define MST_P11_KEYGEN_H

#include "pkcs11/p11.h"

CK_RV keygen_generate(p11_session *s, CK_MECHANISM_PTR mech, CK_ATTRIBUTE_PTR t, CK_ULONG n,
		      CK_OBJECT_HANDLE_PTR out);

#endif
