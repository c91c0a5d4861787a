/* pkcs11/mech.c - the mechanisms every mstoken slot offers.
 *
 * Key sizes in the units PKCS#11 2.40 (Current Mechanisms) gives the key
 * type: bits for EC-like keys (ECCSI: P-256; SAKKE: p of parameter set 1)
 * and for generic secrets (CKM_GENERIC_SECRET_KEY_GEN: 128 or 256 bits),
 * bytes for AES (CKM_AES_GCM: 16 to 32).  The two derivation mechanisms
 * give the size of their base key, a generic secret of 1 to 64 octets,
 * in bits.
 */
#include "config.h"
#include "pkcs11/mech.h"

#include "pkcs11/slot.h"

static const struct {
	CK_MECHANISM_TYPE type;
	CK_MECHANISM_INFO info;
} mechs[] = {
	{ CKM_MSTOKEN_ECCSI, { 256, 256, CKF_SIGN | CKF_VERIFY } },
	{ CKM_MSTOKEN_SAKKE, { 1024, 1024, CKF_WRAP | CKF_UNWRAP } },
	{ CKM_MSTOKEN_MIKEY_PRF, { 8, 512, CKF_DERIVE } },
	{ CKM_MSTOKEN_DPCK, { 8, 512, CKF_DERIVE } },
	{ CKM_AES_GCM, { 16, 32, CKF_DECRYPT } },
	{ CKM_GENERIC_SECRET_KEY_GEN, { 128, 256, CKF_GENERATE } },
};

#define N_MECHS (sizeof(mechs) / sizeof(mechs[0]))

CK_RV mech_list(CK_SLOT_ID id, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count)
{
	CK_ULONG i;

	if (slot_find(id) == NULL)
		return CKR_SLOT_ID_INVALID;
	if (count == NULL)
		return CKR_ARGUMENTS_BAD;
	if (list == NULL) {
		*count = N_MECHS;
		return CKR_OK;
	}
	if (*count < N_MECHS) {
		*count = N_MECHS;
		return CKR_BUFFER_TOO_SMALL;
	}
	for (i = 0; i < N_MECHS; i++)
		list[i] = mechs[i].type;
	*count = N_MECHS;
	return CKR_OK;
}

CK_RV mech_info(CK_SLOT_ID id, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info)
{
	size_t i;

	if (slot_find(id) == NULL)
		return CKR_SLOT_ID_INVALID;
	if (info == NULL)
		return CKR_ARGUMENTS_BAD;
	for (i = 0; i < N_MECHS; i++) {
		if (mechs[i].type == type) {
			*info = mechs[i].info;
			return CKR_OK;
		}
	}
	return CKR_MECHANISM_INVALID;
}
