/* pkcs11/login.h - C_Login / C_Logout against the slot's keystore. */
#ifndef MST_P11_LOGIN_H
#define MST_P11_LOGIN_H

#include "pkcs11/p11.h"

CK_RV login_login(p11_session *s, CK_USER_TYPE who, CK_UTF8CHAR_PTR pin, CK_ULONG len);
/* Ends every operation of the slot's sessions, wipes and drops every
 * private object of the slot (token key values included), then logs the
 * keystore out. */
CK_RV login_logout(p11_slot *sl);

#endif
