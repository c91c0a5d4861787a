/* pkcs11/decrypt.h - C_DecryptInit / C_Decrypt with CKM_AES_GCM for AES
 * keys made in the token (the DPCK of TS 33.180 key parameters).  Single
 * part only: C_DecryptUpdate / C_DecryptFinal answer
 * CKR_FUNCTION_NOT_SUPPORTED. */
#ifndef MST_P11_DECRYPT_H
#define MST_P11_DECRYPT_H

#include "pkcs11/p11.h"

#define GCM_TAG_LEN 16

CK_RV decrypt_init(p11_session *s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key);
/* Tag mismatch: CKR_ENCRYPTED_DATA_INVALID; input shorter than the tag:
 * CKR_ENCRYPTED_DATA_LEN_RANGE.  out == NULL or a short buffer: the needed
 * length in *out_len and the operation stays active (PKCS#11 5.2). */
CK_RV decrypt_final(p11_session *s, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
		    CK_ULONG_PTR out_len);
void decrypt_op_end(p11_session *s);

#endif
