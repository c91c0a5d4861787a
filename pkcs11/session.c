/* pkcs11/session.c - the session table.
 *
 * Login state belongs to the token (PKCS#11 2.40 5.6): closing the last
 * session of a slot logs it out, which drops its private objects.
 */
#include "config.h"
#include "pkcs11/session.h"

#include <stdlib.h>
#include <string.h>

#include "pkcs11/decrypt.h"
#include "pkcs11/find.h"
#include "pkcs11/login.h"
#include "pkcs11/object.h"
#include "pkcs11/sign.h"
#include "pkcs11/slot.h"

int session_rw(const p11_session *s)
{
	return (s->flags & CKF_RW_SESSION) != 0;
}

CK_RV session_find(CK_SESSION_HANDLE h, p11_session **out)
{
	p11_session *s;

	for (s = state_get()->sessions; s != NULL; s = s->next) {
		if (s->handle == h) {
			*out = s;
			return CKR_OK;
		}
	}
	return CKR_SESSION_HANDLE_INVALID;
}

CK_RV session_open(CK_SLOT_ID id, CK_FLAGS flags, CK_SESSION_HANDLE_PTR out)
{
	p11_state *st = state_get();
	p11_session *s;
	p11_slot *sl;
	CK_RV rv;

	rv = slot_with_token(id, &sl);
	if (rv != CKR_OK)
		return rv;
	if (out == NULL)
		return CKR_ARGUMENTS_BAD;
	if (!(flags & CKF_SERIAL_SESSION))
		return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	if (!(flags & CKF_RW_SESSION) && sl->login == CKU_SO)
		return CKR_SESSION_READ_WRITE_SO_EXISTS;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return CKR_HOST_MEMORY;
	s->handle = state_new_handle();
	s->slot = sl;
	s->flags = flags & (CKF_SERIAL_SESSION | CKF_RW_SESSION);
	s->next = st->sessions;
	st->sessions = s;
	sl->n_sessions++;
	if (flags & CKF_RW_SESSION)
		sl->n_rw_sessions++;
	*out = s->handle;
	return CKR_OK;
}

/* Every operation a session may have under way, ended and its buffers
 * freed (decrypt_op_end wipes its IV and AAD). */
static void end_operations(p11_session *s)
{
	find_op_end(s);
	sign_op_end(s);
	verify_op_end(s);
	decrypt_op_end(s);
}

void session_end_operations_of_slot(const p11_slot *sl)
{
	p11_session *s;

	for (s = state_get()->sessions; s != NULL; s = s->next)
		if (s->slot == sl)
			end_operations(s);
}

static void session_free(p11_session *s, int logout_last)
{
	p11_slot *sl = s->slot;

	end_operations(s);
	object_drop_session(sl, s->handle);
	sl->n_sessions--;
	if (session_rw(s))
		sl->n_rw_sessions--;
	if (logout_last && sl->n_sessions == 0 && sl->login != P11_NO_LOGIN)
		(void)login_logout(sl);
	free(s);
}

CK_RV session_close(CK_SESSION_HANDLE h)
{
	p11_session **pp;

	for (pp = &state_get()->sessions; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->handle == h) {
			p11_session *s = *pp;

			*pp = s->next;
			session_free(s, 1);
			return CKR_OK;
		}
	}
	return CKR_SESSION_HANDLE_INVALID;
}

CK_RV session_close_all(CK_SLOT_ID id)
{
	p11_session **pp = &state_get()->sessions;
	p11_slot *sl = slot_find(id);

	if (sl == NULL)
		return CKR_SLOT_ID_INVALID;
	if (sl->be == NULL)
		return CKR_TOKEN_NOT_PRESENT;
	while (*pp != NULL) {
		p11_session *s = *pp;

		if (s->slot == sl) {
			*pp = s->next;
			session_free(s, 1);
		} else {
			pp = &s->next;
		}
	}
	return CKR_OK;
}

void session_close_all_slots(p11_state *st)
{
	while (st->sessions != NULL) {
		p11_session *s = st->sessions;

		st->sessions = s->next;
		session_free(s, 0);
	}
}

CK_RV session_get_info(p11_session *s, CK_SESSION_INFO_PTR info)
{
	int rw = session_rw(s);

	if (info == NULL)
		return CKR_ARGUMENTS_BAD;
	memset(info, 0, sizeof(*info));
	info->slotID = s->slot->id;
	info->flags = s->flags;
	if (s->slot->login == CKU_SO)
		info->state = CKS_RW_SO_FUNCTIONS;
	else if (s->slot->login == CKU_USER)
		info->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
	else
		info->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
	return CKR_OK;
}
