/* pkcs11/sign.h - CKM_MSTOKEN_ECCSI: C_Sign* and C_Verify*.
 *
 * Each ECCSI private key keeps one eccsi_signer (HS computed once) behind
 * a reference count.  References are taken and dropped under the module
 * lock; the signature itself is computed with the lock released, so many
 * sessions sign at once.  A logout drops the key's reference; a signature
 * under way finishes with its own.
 */
#ifndef MST_P11_SIGN_H
#define MST_P11_SIGN_H

#include "pkcs11/p11.h"

/* Messages are buffered for C_SignUpdate/C_VerifyUpdate up to this size. */
#define SIGN_MAX_MESSAGE (1024 * 1024)

void signer_ref_put(signer_ref *r);

CK_RV sign_init(p11_session *s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key);
CK_RV sign_update(p11_session *s, CK_BYTE_PTR part, CK_ULONG len);
/* C_Sign (data != NULL or data_len == 0 with single != 0) and C_SignFinal. */
CK_RV sign_final(p11_session *s, int single, CK_BYTE_PTR data, CK_ULONG data_len,
		 CK_BYTE_PTR sig, CK_ULONG_PTR sig_len);
void sign_op_end(p11_session *s);

CK_RV verify_init(p11_session *s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key);
CK_RV verify_update(p11_session *s, CK_BYTE_PTR part, CK_ULONG len);
CK_RV verify_final(p11_session *s, int single, CK_BYTE_PTR data, CK_ULONG data_len,
		   CK_BYTE_PTR sig, CK_ULONG sig_len);
void verify_op_end(p11_session *s);

#endif
