/* pkcs11/module.c - the PKCS#11 2.40 entry points.
 *
 * Each C_* function checks that the module is initialised in this process
 * (not a forked child), finds the session, takes the module lock and calls
 * one function of the file named for its concern.  Only the C_* symbols
 * are exported (default visibility here, version script at link time).
 */
#pragma GCC visibility push(default)
#include "pkcs11/p11.h"
#pragma GCC visibility pop

#include "config.h"

#include <string.h>

#include "pkcs11/decrypt.h"
#include "pkcs11/derive.h"
#include "pkcs11/dpck.h"
#include "pkcs11/find.h"
#include "pkcs11/keygen.h"
#include "pkcs11/login.h"
#include "pkcs11/mech.h"
#include "pkcs11/objops.h"
#include "pkcs11/random.h"
#include "pkcs11/session.h"
#include "pkcs11/sign.h"
#include "pkcs11/slot.h"
#include "pkcs11/state.h"
#include "pkcs11/token_admin.h"
#include "pkcs11/wrap.h"

static CK_RV enter_session(CK_SESSION_HANDLE h, p11_session **s)
{
	CK_RV rv = state_enter();

	if (rv != CKR_OK)
		return rv;
	rv = session_find(h, s);
	if (rv != CKR_OK)
		state_leave();
	return rv;
}

static CK_RV leave(CK_RV rv)
{
	state_leave();
	return rv;
}

/* For what the token does not do: still "not initialised" first. */
static CK_RV unsupported(void)
{
	CK_RV rv = state_enter();

	return rv != CKR_OK ? rv : leave(CKR_FUNCTION_NOT_SUPPORTED);
}

/* ---- general ---------------------------------------------------------- */

CK_RV C_Initialize(CK_VOID_PTR args)
{
	return state_initialize(args);
}

CK_RV C_Finalize(CK_VOID_PTR reserved)
{
	return state_finalize(reserved);
}

CK_RV C_GetInfo(CK_INFO_PTR info)
{
	CK_RV rv = state_enter();

	if (rv != CKR_OK)
		return rv;
	if (info == NULL)
		return leave(CKR_ARGUMENTS_BAD);
	memset(info, 0, sizeof(*info));
	info->cryptokiVersion.major = 2;
	info->cryptokiVersion.minor = 40;
	slot_pad(info->manufacturerID, sizeof(info->manufacturerID), "mstoken");
	slot_pad(info->libraryDescription, sizeof(info->libraryDescription),
		 "mstoken MIKEY-SAKKE token");
	info->libraryVersion.major = 0;
	info->libraryVersion.minor = 1;
	return leave(CKR_OK);
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);

/* ---- slots and tokens ------------------------------------------------- */

CK_RV C_GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
	CK_RV rv = state_enter();

	return rv != CKR_OK ? rv : leave(slot_get_list(present, list, count));
}

CK_RV C_GetSlotInfo(CK_SLOT_ID id, CK_SLOT_INFO_PTR info)
{
	CK_RV rv = state_enter();

	return rv != CKR_OK ? rv : leave(slot_get_info(id, info));
}

CK_RV C_GetTokenInfo(CK_SLOT_ID id, CK_TOKEN_INFO_PTR info)
{
	CK_RV rv = state_enter();

	return rv != CKR_OK ? rv : leave(slot_get_token_info(id, info));
}

CK_RV C_GetMechanismList(CK_SLOT_ID id, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count)
{
	CK_RV rv = state_enter();

	return rv != CKR_OK ? rv : leave(mech_list(id, list, count));
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID id, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info)
{
	CK_RV rv = state_enter();

	return rv != CKR_OK ? rv : leave(mech_info(id, type, info));
}

CK_RV C_InitToken(CK_SLOT_ID id, CK_UTF8CHAR_PTR pin, CK_ULONG len, CK_UTF8CHAR_PTR label)
{
	CK_RV rv = state_enter();

	return rv != CKR_OK ? rv : leave(admin_init_token(id, pin, len, label));
}

CK_RV C_InitPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(admin_init_pin(s, pin, len));
}

CK_RV C_SetPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len,
	       CK_UTF8CHAR_PTR new_pin, CK_ULONG new_len)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(admin_set_pin(s, old_pin, old_len, new_pin, new_len));
}

CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR slot, CK_VOID_PTR reserved)
{
	return unsupported();
}

/* ---- sessions --------------------------------------------------------- */

CK_RV C_OpenSession(CK_SLOT_ID id, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
		    CK_SESSION_HANDLE_PTR out)
{
	CK_RV rv = state_enter();

	return rv != CKR_OK ? rv : leave(session_open(id, flags, out));
}

CK_RV C_CloseSession(CK_SESSION_HANDLE h)
{
	CK_RV rv = state_enter();

	return rv != CKR_OK ? rv : leave(session_close(h));
}

CK_RV C_CloseAllSessions(CK_SLOT_ID id)
{
	CK_RV rv = state_enter();

	return rv != CKR_OK ? rv : leave(session_close_all(id));
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(session_get_info(s, info));
}

CK_RV C_GetOperationState(CK_SESSION_HANDLE h, CK_BYTE_PTR state, CK_ULONG_PTR len)
{
	return unsupported();
}

CK_RV C_SetOperationState(CK_SESSION_HANDLE h, CK_BYTE_PTR state, CK_ULONG len,
			  CK_OBJECT_HANDLE enc_key, CK_OBJECT_HANDLE auth_key)
{
	return unsupported();
}

CK_RV C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE who, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(login_login(s, who, pin, len));
}

CK_RV C_Logout(CK_SESSION_HANDLE h)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(login_logout(s->slot));
}

/* ---- objects ---------------------------------------------------------- */

CK_RV C_CreateObject(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n,
		     CK_OBJECT_HANDLE_PTR out)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(objops_create(s, t, n, out));
}

CK_RV C_CopyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n,
		   CK_OBJECT_HANDLE_PTR out)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(objops_copy(s, o, t, n, out));
}

CK_RV C_DestroyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(objops_destroy(s, o));
}

CK_RV C_GetObjectSize(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ULONG_PTR size)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(objops_size(s, o, size));
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t,
			  CK_ULONG n)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(objops_get(s, o, t, n));
}

CK_RV C_SetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t,
			  CK_ULONG n)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(objops_set(s, o, t, n));
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(find_init(s, t, n));
}

CK_RV C_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max,
		    CK_ULONG_PTR count)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(find_next(s, out, max, count));
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE h)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(find_final(s));
}

/* ---- not offered: encryption, decryption, digests, recovery ----------- */

CK_RV C_EncryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	return unsupported();
}

CK_RV C_Encrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
		CK_ULONG_PTR out_len)
{
	return unsupported();
}

CK_RV C_EncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
		      CK_ULONG_PTR out_len)
{
	return unsupported();
}

CK_RV C_EncryptFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	return unsupported();
}

/* AES-GCM decryption of key parameters with a DPCK (decrypt.c), single part */
CK_RV C_DecryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(decrypt_init(s, m, k));
}

CK_RV C_Decrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
		CK_ULONG_PTR out_len)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(decrypt_final(s, in, in_len, out, out_len));
}

CK_RV C_DecryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
		      CK_ULONG_PTR out_len)
{
	return unsupported();
}

CK_RV C_DecryptFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	return unsupported();
}

CK_RV C_DigestInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m)
{
	return unsupported();
}

CK_RV C_Digest(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
	       CK_ULONG_PTR out_len)
{
	return unsupported();
}

CK_RV C_DigestUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len)
{
	return unsupported();
}

CK_RV C_DigestKey(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE k)
{
	return unsupported();
}

CK_RV C_DigestFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	return unsupported();
}

CK_RV C_SignRecoverInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	return unsupported();
}

CK_RV C_SignRecover(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
		    CK_ULONG_PTR out_len)
{
	return unsupported();
}

CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	return unsupported();
}

CK_RV C_VerifyRecover(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
		      CK_ULONG_PTR out_len)
{
	return unsupported();
}

CK_RV C_DigestEncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len,
			    CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	return unsupported();
}

CK_RV C_DecryptDigestUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len,
			    CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	return unsupported();
}

CK_RV C_SignEncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len,
			  CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	return unsupported();
}

CK_RV C_DecryptVerifyUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len,
			    CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	return unsupported();
}

CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pub_t,
			CK_ULONG pub_n, CK_ATTRIBUTE_PTR priv_t, CK_ULONG priv_n,
			CK_OBJECT_HANDLE_PTR pub, CK_OBJECT_HANDLE_PTR priv)
{
	return unsupported();
}

/* ---- signatures (CKM_MSTOKEN_ECCSI) ----------------------------------- */

CK_RV C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(sign_init(s, m, k));
}

CK_RV C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
	     CK_ULONG_PTR sig_len)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(sign_final(s, 1, data, len, sig, sig_len));
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(sign_update(s, part, len));
}

CK_RV C_SignFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(sign_final(s, 0, NULL, 0, sig, sig_len));
}

CK_RV C_VerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(verify_init(s, m, k));
}

CK_RV C_Verify(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
	       CK_ULONG sig_len)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(verify_final(s, 1, data, len, sig, sig_len));
}

CK_RV C_VerifyUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(verify_update(s, part, len));
}

CK_RV C_VerifyFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG sig_len)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(verify_final(s, 0, NULL, 0, sig, sig_len));
}

/* ---- keys ------------------------------------------------------------- */

CK_RV C_GenerateKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n,
		    CK_OBJECT_HANDLE_PTR out)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(keygen_generate(s, m, t, n, out));
}

CK_RV C_WrapKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE wrapping,
		CK_OBJECT_HANDLE key, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(wrap_wrap(s, m, wrapping, key, out, out_len));
}

CK_RV C_UnwrapKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE unwrapping,
		  CK_BYTE_PTR in, CK_ULONG in_len, CK_ATTRIBUTE_PTR t, CK_ULONG n,
		  CK_OBJECT_HANDLE_PTR out)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(wrap_unwrap(s, m, unwrapping, in, in_len, t, n, out));
}

CK_RV C_DeriveKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE base,
		  CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR out)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(m != NULL && m->mechanism == CKM_MSTOKEN_DPCK ?
					 dpck_derive_key(s, m, base, t, n, out) :
					 derive_key(s, m, base, t, n, out));
}

/* ---- random, parallel functions --------------------------------------- */

CK_RV C_SeedRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR seed, CK_ULONG len)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(random_seed(seed, len));
}

CK_RV C_GenerateRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG len)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(random_generate(out, len));
}

CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE h)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(CKR_FUNCTION_NOT_PARALLEL);
}

CK_RV C_CancelFunction(CK_SESSION_HANDLE h)
{
	p11_session *s;
	CK_RV rv = enter_session(h, &s);

	return rv != CKR_OK ? rv : leave(CKR_FUNCTION_NOT_PARALLEL);
}

static CK_FUNCTION_LIST function_list = {
	.version = { 2, 40 },
#define F(name) .name = name
	F(C_Initialize), F(C_Finalize), F(C_GetInfo), F(C_GetFunctionList),
	F(C_GetSlotList), F(C_GetSlotInfo), F(C_GetTokenInfo), F(C_GetMechanismList),
	F(C_GetMechanismInfo), F(C_InitToken), F(C_InitPIN), F(C_SetPIN),
	F(C_OpenSession), F(C_CloseSession), F(C_CloseAllSessions), F(C_GetSessionInfo),
	F(C_GetOperationState), F(C_SetOperationState), F(C_Login), F(C_Logout),
	F(C_CreateObject), F(C_CopyObject), F(C_DestroyObject), F(C_GetObjectSize),
	F(C_GetAttributeValue), F(C_SetAttributeValue), F(C_FindObjectsInit),
	F(C_FindObjects), F(C_FindObjectsFinal), F(C_EncryptInit), F(C_Encrypt),
	F(C_EncryptUpdate), F(C_EncryptFinal), F(C_DecryptInit), F(C_Decrypt),
	F(C_DecryptUpdate), F(C_DecryptFinal), F(C_DigestInit), F(C_Digest),
	F(C_DigestUpdate), F(C_DigestKey), F(C_DigestFinal), F(C_SignInit), F(C_Sign),
	F(C_SignUpdate), F(C_SignFinal), F(C_SignRecoverInit), F(C_SignRecover),
	F(C_VerifyInit), F(C_Verify), F(C_VerifyUpdate), F(C_VerifyFinal),
	F(C_VerifyRecoverInit), F(C_VerifyRecover), F(C_DigestEncryptUpdate),
	F(C_DecryptDigestUpdate), F(C_SignEncryptUpdate), F(C_DecryptVerifyUpdate),
	F(C_GenerateKey), F(C_GenerateKeyPair), F(C_WrapKey), F(C_UnwrapKey),
	F(C_DeriveKey), F(C_SeedRandom), F(C_GenerateRandom), F(C_GetFunctionStatus),
	F(C_CancelFunction), F(C_WaitForSlotEvent),
#undef F
};

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	if (list == NULL)
		return CKR_ARGUMENTS_BAD;
	*list = &function_list;
	return CKR_OK;
}
