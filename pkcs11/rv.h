/* pkcs11/rv.h - token/ result codes to PKCS#11 return values. */
#ifndef MST_P11_RV_H
#define MST_P11_RV_H

#include "pkcs11/p11.h"
#include "token/status.h"

/* The general mapping; callers that know better (a failed decapsulation is
 * CKR_WRAPPED_KEY_INVALID in C_UnwrapKey) map those codes themselves. */
CK_RV rv_from_mst(mst_rc rc);

#endif
