/* pkcs11/random.h - C_GenerateRandom from OpenSSL's DRBG. */
#ifndef MST_P11_RANDOM_H
#define MST_P11_RANDOM_H

#include "pkcs11/p11.h"

CK_RV random_generate(CK_BYTE_PTR out, CK_ULONG len);

#endif
