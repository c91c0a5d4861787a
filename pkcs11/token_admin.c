/* pkcs11/token_admin.c - token and PIN administration.
 *
 * C_InitToken initialises the slot's backing store (which erases every
 * record); our PINs are the keystore's PINs.  The SO unlocks a locked
 * user PIN by setting a new one with C_InitPIN.
 */
#include "config.h"
#include "pkcs11/token_admin.h"

#include <string.h>

#include "pkcs11/debug.h"
#include "pkcs11/object.h"
#include "pkcs11/rv.h"
#include "pkcs11/session.h"
#include "pkcs11/slot.h"

CK_RV admin_init_token(CK_SLOT_ID id, CK_UTF8CHAR_PTR so_pin, CK_ULONG so_len,
		       CK_UTF8CHAR_PTR label)
{
	char text[33];
	p11_slot *sl;
	size_t n = 32;
	CK_RV rv;
	mst_rc rc;

	rv = slot_with_token(id, &sl);
	if (rv != CKR_OK)
		return rv;
	if (so_pin == NULL || label == NULL)
		return CKR_ARGUMENTS_BAD;
	if (sl->n_sessions != 0)
		return CKR_SESSION_EXISTS;
	/* the label is 32 blank-padded octets */
	memcpy(text, label, 32);
	while (n > 0 && text[n - 1] == ' ')
		n--;
	text[n] = '\0';
	rc = sl->ks->init_token(sl->be, (const char *)so_pin, so_len, text);
	if (rc != MST_OK) {
		slot_debug_fail(sl, "init token", rc);
		return rc == MST_ERR_PIN_INCORRECT ? CKR_PIN_INCORRECT : rv_from_mst(rc);
	}
	object_drop(sl, 0);
	object_load_records(sl, 0);
	return CKR_OK;
}

CK_RV admin_init_pin(p11_session *s, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	p11_slot *sl = s->slot;
	mst_rc rc;

	if (sl->login != CKU_SO)
		return CKR_USER_NOT_LOGGED_IN;
	if (!session_rw(s))
		return CKR_SESSION_READ_ONLY;
	if (pin == NULL)
		return CKR_ARGUMENTS_BAD;
	rc = sl->ks->init_pin(sl->be, (const char *)pin, len);
	if (rc != MST_OK)
		slot_debug_fail(sl, "init PIN", rc);
	return rv_from_mst(rc);
}

CK_RV admin_set_pin(p11_session *s, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len,
		    CK_UTF8CHAR_PTR new_pin, CK_ULONG new_len)
{
	p11_slot *sl = s->slot;
	mst_rc rc;

	if (!session_rw(s))
		return CKR_SESSION_READ_ONLY;
	if (old_pin == NULL || new_pin == NULL)
		return CKR_ARGUMENTS_BAD;
	/* PKCS#11 2.40 5.6: the SO's PIN in an SO session, the user's in a
	 * user session and in a R/W public session (the old PIN checked) */
	rc = sl->ks->set_pin(sl->be, sl->login == CKU_SO ? KEYSTORE_SO : KEYSTORE_USER,
			     (const char *)old_pin, old_len, (const char *)new_pin, new_len);
	if (rc != MST_OK)
		slot_debug_fail(sl, "set PIN", rc);
	return rv_from_mst(rc);
}
