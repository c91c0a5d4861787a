/* pkcs11/mech.h - C_GetMechanismList / C_GetMechanismInfo. */
#ifndef MST_P11_MECH_H
#define MST_P11_MECH_H

#include "pkcs11/p11.h"

CK_RV mech_list(CK_SLOT_ID id, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count);
CK_RV mech_info(CK_SLOT_ID id, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info);

#endif
