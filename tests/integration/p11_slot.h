/* tests/integration/p11_slot.h - find an mstoken slot by its label, for
 * the test programs that drive the module through a function list. */
#ifndef MST_TEST_P11_SLOT_H
#define MST_TEST_P11_SLOT_H

#include <string.h>
#include <stdio.h>
#include <p11-kit/pkcs11.h>
#include "test_util.h"

/* mstoken slots describe themselves as "mstoken <label> ...". */
static inline CK_SLOT_ID p11_slot_by_label(CK_FUNCTION_LIST_PTR fl, const char *label)
{
	CK_SLOT_ID ids[32];
	CK_ULONG n = 32, i;
	char want[64];

	snprintf(want, sizeof(want), "mstoken %s ", label);
	assert_int_equal(fl->C_GetSlotList(CK_FALSE, ids, &n), CKR_OK);
	for (i = 0; i < n; i++) {
		CK_SLOT_INFO si;

		assert_int_equal(fl->C_GetSlotInfo(ids[i], &si), CKR_OK);
		if (memcmp(si.slotDescription, want, strlen(want)) == 0)
			return ids[i];
	}
	fail_msg("no mstoken slot %s (check MSTOKEN_CONF)", label);
	return 0;
}

#endif
