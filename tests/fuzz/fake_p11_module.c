/* tests/fuzz/fake_p11_module.c - tests/fuzz/fake_p11.c as a PKCS#11
 * module (tests/fuzz/.libs/fake_p11.so), the backing token fuzz_pkcs11
 * gives the module in place of SoftHSM2's file store. */
#include "tests/fuzz/fake_p11.h"

/* the one symbol a module exports (the build hides the rest) */
__attribute__((visibility("default"))) CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	if (list == NULL)
		return CKR_ARGUMENTS_BAD;
	*list = fake_p11();
	return CKR_OK;
}
