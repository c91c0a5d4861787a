/* pkcs11/wrap.h - CKM_MSTOKEN_SAKKE: C_WrapKey (encapsulate) and
 * C_UnwrapKey (decapsulate). */
#ifndef MST_P11_WRAP_H
#define MST_P11_WRAP_H

#include "pkcs11/p11.h"

CK_RV wrap_wrap(p11_session *s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE wrapping,
		CK_OBJECT_HANDLE key, CK_BYTE_PTR out, CK_ULONG_PTR out_len);
CK_RV wrap_unwrap(p11_session *s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE unwrapping,
		  CK_BYTE_PTR in, CK_ULONG in_len, CK_ATTRIBUTE_PTR t, CK_ULONG n,
		  CK_OBJECT_HANDLE_PTR out);

#endif
