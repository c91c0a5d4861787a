/* pkcs11/random.c - random octets for applications (public DRBG; key
 * material inside the token uses RAND_priv_bytes, see keygen.c). */
#include "config.h"
#include "pkcs11/random.h"

#include <limits.h>
#include <openssl/rand.h>

/* OpenSSL's DRBG seeds itself from the OS; a caller's seed is not mixed
 * in.  The arguments are still checked first (PKCS#11 2.40 5.15). */
CK_RV random_seed(CK_BYTE_PTR seed, CK_ULONG len)
{
	if (seed == NULL && len != 0)
		return CKR_ARGUMENTS_BAD;
	return CKR_RANDOM_SEED_NOT_SUPPORTED;
}

CK_RV random_generate(CK_BYTE_PTR out, CK_ULONG len)
{
	if (out == NULL && len != 0)
		return CKR_ARGUMENTS_BAD;
	if (len > INT_MAX)
		return CKR_ARGUMENTS_BAD;
	if (len != 0 && RAND_bytes(out, (int)len) != 1)
		return CKR_FUNCTION_FAILED;
	return CKR_OK;
}
