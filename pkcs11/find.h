/* pkcs11/find.h - C_FindObjectsInit / C_FindObjects / C_FindObjectsFinal. */
#ifndef MST_P11_FIND_H
#define MST_P11_FIND_H

#include "pkcs11/p11.h"

CK_RV find_init(p11_session *s, CK_ATTRIBUTE_PTR t, CK_ULONG n);
CK_RV find_next(p11_session *s, CK_OBJECT_HANDLE_PTR out, CK_ULONG max, CK_ULONG_PTR count);
CK_RV find_final(p11_session *s);
void find_op_end(p11_session *s);

#endif
