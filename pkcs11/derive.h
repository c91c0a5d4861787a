/* pkcs11/derive.h - CKM_MSTOKEN_MIKEY_PRF: C_DeriveKey. */
#ifndef MST_P11_DERIVE_H
#define MST_P11_DERIVE_H

#include "pkcs11/p11.h"

CK_RV derive_key(p11_session *s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE base,
		 CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR out);

#endif
