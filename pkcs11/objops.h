/* pkcs11/objops.h - C_CreateObject, C_CopyObject, C_DestroyObject,
 * C_GetAttributeValue, C_SetAttributeValue, C_GetObjectSize. */
#ifndef MST_P11_OBJOPS_H
#define MST_P11_OBJOPS_H

#include "pkcs11/p11.h"

CK_RV objops_create(p11_session *s, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR out);
CK_RV objops_copy(p11_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n,
		  CK_OBJECT_HANDLE_PTR out);
CK_RV objops_destroy(p11_session *s, CK_OBJECT_HANDLE h);
CK_RV objops_get(p11_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n);
CK_RV objops_set(p11_session *s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n);
CK_RV objops_size(p11_session *s, CK_OBJECT_HANDLE h, CK_ULONG_PTR size);

/* May this session create a (token, private) object?  CKR_SESSION_READ_ONLY
 * or CKR_USER_NOT_LOGGED_IN if not. */
CK_RV objops_may_write(const p11_session *s, int token, int priv);
/* Store a new object (token objects into the keystore), make it visible;
 * on failure the object is freed. */
CK_RV objops_commit(p11_session *s, p11_object *o, CK_OBJECT_HANDLE_PTR out);

#endif
