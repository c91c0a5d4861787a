/* pkcs11/dpck.h - CKM_MSTOKEN_DPCK: C_DeriveKey of the key-parameters key
 * (TS 33.180 E.6) from an SSV object. */
#ifndef MST_P11_DPCK_H
#define MST_P11_DPCK_H

#include "pkcs11/p11.h"

CK_RV dpck_derive_key(p11_session *s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE base,
		      CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR out);

#endif
