/* pkcs11/random.c - random octets for applications (public DRBG; key
 * material inside the token uses RAND_priv_bytes, see keygen.c). */
#include "config.h"
#include "pkcs11/random.h"

#include <limits.h>
#include <openssl/rand.h>

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
