/* pkcs11/random.h - C_GenerateRandom from OpenSSL's DRBG, C_SeedRandom. */
#ifndef MST_P11_RANDOM_H
#define MST_P11_RANDOM_H

#include "pkcs11/p11.h"

CK_RV random_generate(CK_BYTE_PTR out, CK_ULONG len);
/* C_SeedRandom: CKR_ARGUMENTS_BAD, else CKR_RANDOM_SEED_NOT_SUPPORTED. */
CK_RV random_seed(CK_BYTE_PTR seed, CK_ULONG len);

#endif
