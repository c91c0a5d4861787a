/* pkcs11/token_admin.h - C_InitToken, C_InitPIN, C_SetPIN. */
#ifndef MST_P11_TOKEN_ADMIN_H
#define MST_P11_TOKEN_ADMIN_H

#include "pkcs11/p11.h"

CK_RV admin_init_token(CK_SLOT_ID id, CK_UTF8CHAR_PTR so_pin, CK_ULONG so_len,
		       CK_UTF8CHAR_PTR label);
CK_RV admin_init_pin(p11_session *s, CK_UTF8CHAR_PTR pin, CK_ULONG len);
CK_RV admin_set_pin(p11_session *s, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len,
		    CK_UTF8CHAR_PTR new_pin, CK_ULONG new_len);

#endif
