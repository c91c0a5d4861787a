/* pkcs11/login.c - logging in and out.
 *
 * PINs are checked by the keystore (for the pkcs11 backend: by the HSM
 * that seals our records), which also counts failures and locks; we only
 * pass the PIN through and never keep it.  A user login reads the private
 * object records; their key values stay sealed until first use.
 */
#include "config.h"
#include "pkcs11/login.h"

#include "pkcs11/debug.h"
#include "pkcs11/object.h"
#include "pkcs11/rv.h"
#include "pkcs11/session.h"
#include "pkcs11/slot.h"
#include "pkcs11/state.h"

static int slot_has_ro_session(const p11_slot *sl)
{
	const p11_session *s;

	for (s = state_get()->sessions; s != NULL; s = s->next)
		if (s->slot == sl && !session_rw(s))
			return 1;
	return 0;
}

CK_RV login_login(p11_session *s, CK_USER_TYPE who, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	p11_slot *sl = s->slot;
	mst_rc rc;

	if (who != CKU_USER && who != CKU_SO && who != CKU_CONTEXT_SPECIFIC)
		return CKR_USER_TYPE_INVALID;
	/* no key of ours has CKA_ALWAYS_AUTHENTICATE */
	if (who == CKU_CONTEXT_SPECIFIC)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (sl->login == who)
		return CKR_USER_ALREADY_LOGGED_IN;
	if (sl->login != P11_NO_LOGIN)
		return CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
	if (pin == NULL)
		return CKR_ARGUMENTS_BAD;
	if (who == CKU_SO && slot_has_ro_session(sl))
		return CKR_SESSION_READ_ONLY_EXISTS;
	rc = sl->ks->login(sl->be, who == CKU_SO ? KEYSTORE_SO : KEYSTORE_USER,
			   (const char *)pin, len);
	if (rc != MST_OK) {
		slot_debug_fail(sl, "login", rc);
		return rv_from_mst(rc);
	}
	sl->login = who;
	if (who == CKU_USER)
		object_load_records(sl, 1);
	return CKR_OK;
}

CK_RV login_logout(p11_slot *sl)
{
	if (sl->login == P11_NO_LOGIN)
		return CKR_USER_NOT_LOGGED_IN;
	/* an operation started under the login ends with it: a C_Sign after
	 * C_Logout answers CKR_OPERATION_NOT_INITIALIZED, even after a new
	 * C_Login */
	session_end_operations_of_slot(sl);
	object_drop(sl, 1);
	sl->ks->logout(sl->be);
	sl->login = P11_NO_LOGIN;
	return CKR_OK;
}
